# SPDX-License-Identifier: LGPL-2.1-only
"""The running half of scripts/mutate.py: the copy of the tree and its
builds, the tests run directly (as meson test would run them), which tests
reach which line (a coverage build), and whether a mutant compiles to the
same code as the unmutated file."""

import filecmp
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def source_files():
    """The files of the tree a clone has, and new ones not ignored; outside
    a git checkout, every file but the build directories."""
    try:
        names = subprocess.run(
            ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"], check=True, capture_output=True,
            text=True).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        names = []
        for d, subdirs, fs in os.walk(ROOT):
            subdirs[:] = [x for x in subdirs
                          if not x.startswith(("build", ".git"))]
            names += [os.path.relpath(os.path.join(d, f), ROOT) for f in fs]
    return sorted(n for n in names
                  if n and os.path.isfile(os.path.join(ROOT, n)))


def sync_tree(tree):
    """tree made a copy of the working tree; unchanged files keep their
    times, so that the builds there stay incremental. Returns a digest of
    the whole tree's contents."""
    h = hashlib.sha1()
    for name in source_files():
        src, dst = os.path.join(ROOT, name), os.path.join(tree, name)
        with open(src, "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
        if os.path.exists(dst) and filecmp.cmp(src, dst, shallow=False):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    return h.hexdigest()


def descendants(pid):
    """Every process below pid: a test may start processes of its own, in
    process groups of their own, which killing its group does not reach."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def kill_tree(p):
    """p and everything it started, stopped first so none starts more."""
    tree = [p.pid] + descendants(p.pid)
    for pid in tree:
        try:
            os.kill(pid, signal.SIGSTOP)
        except ProcessLookupError:
            pass
    for pid in tree + descendants(p.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.wait()


def sh(cmd, timeout=None, log=None, env=None, cwd=None):
    """Run cmd; (exit status, seconds), the status None when the time limit
    passed (cmd and every process under it are killed)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=log or subprocess.DEVNULL,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True, env=env, cwd=cwd)
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(p)
        rc = None
    except BaseException:
        kill_tree(p)
        raise
    return rc, time.monotonic() - t0


class Restore:
    """The file as it was, put back on leaving, however it is left."""

    def __init__(self, path):
        self.path, self.text = path, open(path).read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        with open(self.path, "w") as f:
            f.write(self.text)


class Build:
    """A meson build of the copied tree: its tests as meson would run them
    (command, environment, the targets they need), built and run directly,
    which saves meson's start-up per mutant and builds only what the
    chosen tests need."""

    def __init__(self, bdir, tree, meson_args, log, c_args=()):
        self.bdir, self.tree, self.log = bdir, tree, log
        if not os.path.exists(os.path.join(bdir, "build.ninja")):
            print("configuring %s" % bdir, flush=True)
            rc, _ = sh(["meson", "setup", bdir, tree] + meson_args, log=log)
            if rc != 0:
                raise SystemExit("meson setup %s failed: see %s" %
                                 (bdir, log.name))
        elif c_args and (self.option("werror") or
                         list(c_args) != self.option("c_args")[-len(c_args):]):
            # A directory set up before the mutants' build took c_args
            # (or with every warning an error).
            print("configuring %s with c_args %s" % (bdir, " ".join(c_args)),
                  flush=True)
            rc, _ = sh(["meson", "configure", bdir, "-Dwerror=false",
                        "-Dc_args=" + " ".join(c_args)], log=log)
            if rc != 0:
                raise SystemExit("meson configure %s failed: see %s" %
                                 (bdir, log.name))
        if self.ninja([]) != 0:
            raise SystemExit("the unmutated tree does not build in %s: see %s"
                             % (bdir, log.name))
        out = subprocess.run(["meson", "introspect", "--targets", "--tests",
                              bdir], check=True, capture_output=True,
                             text=True).stdout
        info = json.loads(out)
        files = {t["id"]: [os.path.relpath(f, bdir) for f in t["filename"]]
                 for t in info["targets"]}
        self.tests = {}
        for t in info["tests"]:
            env = dict(os.environ)
            env.update(t["env"])
            self.tests[t["name"]] = {
                "cmd": t["cmd"], "env": env, "cwd": t["workdir"] or bdir,
                "targets": [f for d in t["depends"] for f in files.get(d, [])]}

    def option(self, name):
        """The value of the build's meson option name (None: no such)."""
        with open(os.path.join(self.bdir, "meson-info",
                               "intro-buildoptions.json")) as f:
            for o in json.load(f):
                if o["name"] == name:
                    return o["value"]
        return None

    def ninja(self, targets):
        rc, _ = sh(["ninja", "-C", self.bdir] + targets, log=self.log)
        return rc

    def targets(self, tests):
        out = []
        for t in tests:
            out += [x for x in self.tests[t]["targets"] if x not in out]
        return out

    def run_test(self, name, timeout):
        """(status, seconds): 0 passed (or skipped: 77), None the time limit
        passed, else failed."""
        t = self.tests[name]
        rc, secs = sh(t["cmd"], timeout=timeout, log=self.log, env=t["env"],
                      cwd=t["cwd"])
        return (0 if rc == 77 else rc), secs

    def objects(self):
        """{path: modification time} of every object file of the build."""
        out = {}
        for d, _, fs in os.walk(self.bdir):
            for f in fs:
                if f.endswith(".o"):
                    p = os.path.join(d, f)
                    out[p] = os.stat(p).st_mtime_ns
        return out


def code_digest(obj):
    """A digest of an object file's code and data, its debugging sections
    (line and column tables, which a mutation shifts) left out."""
    with tempfile.NamedTemporaryFile(suffix=".o") as tmp:
        subprocess.run(["objcopy", "--strip-debug", obj, tmp.name],
                       check=True, capture_output=True)
        with open(tmp.name, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()


class SameCode:
    """Whether a mutant compiles to the objects the unmutated tree does
    (trivially equivalent for this build's configuration: a line in an
    #if branch the build leaves out, or a change the compiler proves
    makes no difference). The unmutated objects' digests are taken once,
    on the unmutated build: a rebuild from unmutated sources gives the
    same objects again."""

    def __init__(self, build):
        self.build = build
        self.times = build.objects()
        self.digests = {o: code_digest(o) for o in self.times}

    def snapshot(self):
        """Before building a mutant: the objects' times."""
        self.times = self.build.objects()

    def rebuilt_same(self):
        """After a mutant's build: (objects rebuilt, all of them the same
        code as unmutated)."""
        now = self.build.objects()
        changed = [o for o, t in now.items() if self.times.get(o) != t]
        same = all(self.digests.get(o) == code_digest(o) for o in changed)
        return changed, same


def coverage(build_root, tree, stamp, tests, files, meson_args, log):
    """{file: {"lines": {line: [tests reaching it]}, "executable": [...]}}
    for files under tests, from a coverage build of its own (build_root/cov,
    -O0 so that lines map to code), each test run alone. Kept in
    build_root/coverage.json for the same tree, and reused for any of its
    tests and files (a run over fewer files after one over all)."""
    cache = os.path.join(build_root, "coverage.json")
    want = {"stamp": stamp, "tests": sorted(tests), "files": sorted(files),
            "meson_args": meson_args}
    if os.path.exists(cache):
        with open(cache) as f:
            old = json.load(f)
        have = old.get("want", {})
        if (have.get("stamp") == stamp and
                have.get("meson_args") == meson_args and
                set(tests) <= set(have.get("tests", [])) and
                set(files) <= set(have.get("files", []))):
            return old["coverage"]
    cdir = os.path.join(build_root, "cov")
    print("coverage: building %s and running %d tests" % (cdir, len(tests)),
          flush=True)
    b = Build(cdir, tree, ["-Db_coverage=true", "-Dbuildtype=debug",
                           "-Dapps=false"] + meson_args, log)
    cov = {f: {"lines": {}, "executable": set()} for f in files}
    for name in tests:
        gcdas = [os.path.join(d, f) for d, _, fs in os.walk(cdir)
                 for f in fs if f.endswith(".gcda")]
        for g in gcdas:
            os.remove(g)
        rc, secs = b.run_test(name, 900)
        if rc != 0:
            raise SystemExit("coverage: %s fails in %s: see %s" %
                             (name, cdir, log.name))
        gcdas = [os.path.relpath(os.path.join(d, f), cdir)
                 for d, _, fs in os.walk(cdir) for f in fs
                 if f.endswith(".gcda")]
        out = subprocess.run(["gcov", "-j", "-t"] + gcdas, cwd=cdir,
                             capture_output=True, text=True).stdout
        dec, i = json.JSONDecoder(), 0
        while True:
            while i < len(out) and out[i].isspace():
                i += 1
            if i >= len(out):
                break
            doc, i = dec.raw_decode(out, i)
            for fd in doc.get("files", []):
                rel = os.path.relpath(
                    os.path.normpath(os.path.join(cdir, fd["file"])), tree)
                if rel not in cov:
                    continue
                c = cov[rel]
                for ln in fd["lines"]:
                    c["executable"].add(ln["line_number"])
                    if ln["count"] > 0:
                        s = c["lines"].setdefault(str(ln["line_number"]), [])
                        if name not in s:
                            s.append(name)
        print("coverage: %s (%.1f s)" % (name, secs), flush=True)
    for c in cov.values():
        c["executable"] = sorted(c["executable"])
    with open(cache, "w") as f:
        json.dump({"want": want, "coverage": cov}, f)
    return cov
