#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""Mutation testing of the library (docs/testing.md, "Mutation testing").

A small, deterministic mutator of C source: each mutant changes one line of
one file by one operator. For every mutant, in a copy of the source tree
with a build directory of its own, the file is changed, the build brought
up to date (incrementally), the tests that cover the file (the map,
scripts/mutation-map.txt) run within a time limit, and the file restored,
whatever happens. A mutant is killed when a test fails or the time limit
passes, survives when every test passes, and is "not built" when it does
not compile. Mutants listed in scripts/mutation-equivalent.txt (cannot
change behaviour, with the reason) are not run, and are counted apart.

    mutate.py list [FILTERS] FILE...
    mutate.py run [FILTERS] [--build DIR] [--timeout S] [--meson-arg A]
                  [--fail-on-survivor] FILE...

FILTERS: --lines A-B, --operator OP[,OP...], --max N, --seed S (with --max:
a sample of N, the same for the same seed). Operators: rel (< <= > >=),
eq (== !=), logic (&& ||), arith (binary + -, += -=), incdec (++ --),
const (an integer literal plus or minus one), negate (the condition of an
if or while), delete (a statement: a call, an assignment, a return, a
break).
"""

import argparse
import filecmp
import fnmatch
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

OPERATORS = ("rel", "eq", "logic", "arith", "incdec", "const", "negate",
             "delete")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAP = os.path.join(ROOT, "scripts", "mutation-map.txt")
EQUIVALENT = os.path.join(ROOT, "scripts", "mutation-equivalent.txt")


# --- the mutator --------------------------------------------------------

def mask(text):
    """text with comments and the insides of string and character literals
    blanked (newlines kept), so that operators are looked for in code."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def code_lines(masked):
    """For each line (0-based), whether it is code inside a function body
    and not a preprocessor line."""
    lines = masked.split("\n")
    inside = [False] * len(lines)
    depth, fn_depth = 0, None
    prev = ""        # the last significant character before here
    continued = False
    for ln, line in enumerate(lines):
        pre = continued or line.lstrip().startswith("#")
        continued = pre and line.rstrip().endswith("\\")
        if pre:
            continue
        start_in = fn_depth is not None
        for c in line:
            if c == "{":
                if depth == 0 and prev == ")":
                    fn_depth = 1
                depth += 1
            elif c == "}":
                depth -= 1
                if fn_depth is not None and depth == 0:
                    fn_depth = None
            if not c.isspace():
                prev = c
        inside[ln] = start_in and fn_depth is not None
    return inside


REL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
TYPE_START = re.compile(
    r"^(const|static|volatile|register|struct|union|enum|unsigned|signed|"
    r"int|char|long|short|float|double|void|bool|_Bool|size_t|ssize_t|"
    r"\w+_t)\b[\s\w\*]*[\*\s]\w+\s*(=|;|\[|,)")


def balanced(s):
    d = 0
    for c in s:
        d += c == "("
        d -= c == ")"
        if d < 0:
            return False
    return d == 0


def match_paren(s, i):
    """Index of the ')' closing the '(' at i, or -1."""
    d = 0
    for j in range(i, len(s)):
        d += s[j] == "("
        d -= s[j] == ")"
        if d == 0:
            return j
    return -1


def line_mutants(orig, m, prev_end):
    """(operator, mutated line) for one line of code: orig as written, m
    masked; prev_end is the last significant character of the code before
    the line."""
    out = []

    def sub(op, a, b, new):
        out.append((op, orig[:a] + new + orig[b:]))

    for t in re.finditer(r"<<=|>>=|<<|>>|->|<=|>=|<|>", m):
        if t.group() in REL:
            sub("rel", t.start(), t.end(), REL[t.group()])
    for t in re.finditer(r"==|!=", m):
        sub("eq", t.start(), t.end(), "!=" if t.group() == "==" else "==")
    for t in re.finditer(r"&&|\|\|", m):
        sub("logic", t.start(), t.end(), "||" if t.group() == "&&" else "&&")
    for t in re.finditer(r"\+\+|--", m):
        sub("incdec", t.start(), t.end(), "--" if t.group() == "++" else "++")
    for t in re.finditer(r"\+=|-=", m):
        sub("arith", t.start(), t.end(), "-=" if t.group() == "+=" else "+=")
    for t in re.finditer(r"(?<![+\-])[+\-](?![+\-=>])", m):
        before = m[:t.start()].rstrip()
        if before and (before[-1].isalnum() or before[-1] in "_)]"):
            sub("arith", t.start(), t.end(), "-" if t.group() == "+" else "+")
    for t in re.finditer(r"(?<![\w.])(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])",
                         m):
        v = int(t.group(1), 0)
        fmt = (lambda x: hex(x)) if t.group(1).lower().startswith("0x") \
            else str
        for w in (v + 1, v - 1):
            if w >= 0:
                sub("const", t.start(1), t.end(1), fmt(w))
    c = re.match(r"^(\s*(?:\}\s*)?(?:else\s+)?(?:if|while)\s*)\(", m)
    if c:
        i = c.end() - 1
        j = match_paren(m, i)
        # One comparison alone: the eq and rel operators negate it already.
        alone = re.fullmatch(r"[^&|?!<>=]*(==|!=)[^&|?!<>=]*", m[i + 1:j])
        if j > 0 and not alone:
            out.append(("negate", orig[:i + 1] + "!(" + orig[i + 1:j] + ")" +
                        orig[j:]))
    s = m.strip()
    if (s.endswith(";") and s != ";" and balanced(s) and prev_end in ";{}):"
            and not TYPE_START.match(s) and not s.startswith(("case ", "default"))
            and "{" not in s and "}" not in s):
        indent = orig[:len(orig) - len(orig.lstrip())]
        out.append(("delete", indent + ";"))
    return out


def mutants(path, rel_path):
    """Every mutant of the file: dicts with file, line (1-based), op, orig,
    mut; in line order, each distinct line once."""
    text = open(path).read()
    masked = mask(text)
    olines, mlines = text.split("\n"), masked.split("\n")
    inside = code_lines(masked)
    found, seen = [], set()
    prev_end = ";"
    for ln, (o, m) in enumerate(zip(olines, mlines)):
        if inside[ln]:
            for op, mut in line_mutants(o, m, prev_end):
                if mut != o and (ln, mut) not in seen:
                    seen.add((ln, mut))
                    found.append({"file": rel_path, "line": ln + 1, "op": op,
                                  "orig": o, "mut": mut})
        if m.strip() and not m.lstrip().startswith("#"):
            prev_end = m.rstrip()[-1]
            if re.search(r"\belse\s*$", m):
                prev_end = ")"
    return found


def select(found, args):
    if args.lines:
        a, _, b = args.lines.partition("-")
        lo, hi = int(a), int(b or a)
        found = [f for f in found if lo <= f["line"] <= hi]
    if args.operator:
        ops = set(args.operator.split(","))
        bad = ops - set(OPERATORS)
        if bad:
            sys.exit("unknown operator %s (%s)" % (",".join(sorted(bad)),
                                                  " ".join(OPERATORS)))
        found = [f for f in found if f["op"] in ops]
    if args.max is not None and len(found) > args.max:
        keep = set(map(id, random.Random(args.seed).sample(found, args.max)))
        found = [f for f in found if id(f) in keep]
    return found


def record(f, why=None):
    """A mutant as scripts/mutation-equivalent.txt lists one."""
    s = "%s:%d %s\n-%s\n+%s\n" % (f["file"], f["line"], f["op"], f["orig"],
                                  f["mut"])
    return s + ("why: %s\n" % why if why else "")


# --- the lists beside this script ---------------------------------------

def read_map():
    """[(glob pattern, [meson test names])] in file order."""
    out = []
    for line in open(MAP):
        line = line.split("#", 1)[0].strip()
        if line:
            pat, _, tests = line.partition(":")
            out.append((pat.strip(), tests.split()))
    return out


def covering(rel_path, table):
    for pat, tests in table:
        if fnmatch.fnmatch(rel_path, pat):
            return tests
    return None


def read_equivalent():
    """{(file, orig stripped, mut stripped): reason}."""
    eq, cur = {}, None
    if not os.path.exists(EQUIVALENT):
        return eq
    for line in open(EQUIVALENT):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            cur = None
            continue
        m = re.match(r"^(\S+):(\d+) (\w+)$", line)
        if m:
            cur = {"file": m.group(1)}
        elif cur is not None and line.startswith("-"):
            cur["orig"] = line[1:].strip()
        elif cur is not None and line.startswith("+"):
            cur["mut"] = line[1:].strip()
        elif cur is not None and line.startswith("why:"):
            eq[(cur["file"], cur.get("orig"), cur.get("mut"))] = \
                line[4:].strip()
    return eq


def key(f):
    return (f["file"], f["orig"].strip(), f["mut"].strip())


# --- running ------------------------------------------------------------

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
    return [n for n in names if n and os.path.isfile(os.path.join(ROOT, n))]


def sync_tree(tree):
    """tree made a copy of the working tree; unchanged files keep their
    times, so that the build there stays incremental."""
    for name in source_files():
        src, dst = os.path.join(ROOT, name), os.path.join(tree, name)
        if os.path.exists(dst) and filecmp.cmp(src, dst, shallow=False):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)


def descendants(pid):
    """Every process below pid: meson test starts each test in a process
    group of its own, which killing meson's group does not reach."""
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


def sh(cmd, timeout=None, log=None):
    """Run cmd; (exit status, seconds), the status None when the time limit
    passed (cmd and every process under it are killed)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=log or subprocess.DEVNULL,
                         stderr=subprocess.STDOUT, start_new_session=True)
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


def on_signal(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


def run(args, files):
    table = read_map()
    equivalent = read_equivalent()
    build = os.path.abspath(args.build)
    tree, bdir = os.path.join(build, "tree"), os.path.join(build, "build")
    logf = os.path.join(build, "last.log")
    os.makedirs(tree, exist_ok=True)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    sync_tree(tree)
    log = open(logf, "w")
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        print("configuring %s" % bdir, flush=True)
        rc, _ = sh(["meson", "setup", bdir, tree, "-Dapps=false"] +
                   args.meson_arg, log=log)
        if rc != 0:
            sys.exit("meson setup failed: see %s" % logf)
    t_start = time.monotonic()
    rc, _ = sh(["ninja", "-C", bdir], log=log)
    if rc != 0:
        sys.exit("the unmutated tree does not build: see %s" % logf)

    plan, every_keys = [], set()
    for rel in files:
        tests = covering(rel, table)
        if tests is None:
            sys.exit("%s: no tests mapped to it in %s" % (rel, MAP))
        every = mutants(os.path.join(tree, rel), rel)
        every_keys.update(key(f) for f in every)
        plan.append((rel, tests, select(every, args)))
    total = sum(len(f) for _, _, f in plan)
    print("%d mutants in %d files" % (total, len(plan)), flush=True)

    results, done = [], 0
    for rel, tests, found in plan:
        base = ["meson", "test", "-C", bdir, "--no-rebuild", "--maxfail", "1",
                "-q"] + tests
        rc, secs = sh(base, log=log)
        if rc != 0:
            sys.exit("%s: its tests fail without a mutant (%s): see %s" %
                     (rel, " ".join(tests), logf))
        limit = args.timeout or max(60.0, 4 * secs)
        print("%s: %d mutants; tests %s (%.0f s unmutated, limit %.0f s)" %
              (rel, len(found), " ".join(tests), secs, limit), flush=True)
        path = os.path.join(tree, rel)
        for f in found:
            done += 1
            why = equivalent.get(key(f))
            if why is not None:
                f["result"], f["why"] = "equivalent", why
            else:
                with Restore(path) as r:
                    lines = r.text.split("\n")
                    lines[f["line"] - 1] = f["mut"]
                    with open(path, "w") as fh:
                        fh.write("\n".join(lines))
                    log.seek(0)
                    log.truncate()
                    brc, _ = sh(["ninja", "-C", bdir], log=log)
                    if brc != 0:
                        f["result"] = "not built"
                    else:
                        trc, secs = sh(base, timeout=limit, log=log)
                        f["result"] = ("timeout" if trc is None else
                                       "survived" if trc == 0 else "killed")
            print("[%d/%d] %s:%d %s: %s" % (done, total, rel, f["line"],
                                             f["op"], f["result"]), flush=True)
            results.append(f)
    # The tree as it was, built: the next run starts from it.
    sh(["ninja", "-C", bdir], log=log)
    report(results, plan, equivalent, every_keys,
           time.monotonic() - t_start, build)
    survivors = [f for f in results if f["result"] == "survived"]
    return 1 if survivors and args.fail_on_survivor else 0


def report(results, plan, equivalent, every_keys, secs, build):
    lines = []
    surv = [f for f in results if f["result"] == "survived"]
    if surv:
        lines.append("Surviving mutants (a test to kill each, or an entry in "
                     "scripts/mutation-equivalent.txt with why:):\n")
        for f in surv:
            lines.append(record(f))
    eqv = [f for f in results if f["result"] == "equivalent"]
    if eqv:
        lines.append("Equivalent mutants, not run:\n")
        for f in eqv:
            lines.append(record(f, f["why"]))
    stale = [k for k in equivalent if k[0] in {p[0] for p in plan} and
             k not in every_keys]
    for k in stale:
        lines.append("note: a listed equivalent mutant of %s matches no "
                     "mutant now (-%s / +%s)\n" % k)
    lines.append("| file | mutants | killed | timeouts | survived | "
                 "equivalent | not built | score |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for rel, _, found in plan:
        c = {r: sum(1 for f in found if f.get("result") == r)
             for r in ("killed", "timeout", "survived", "equivalent",
                       "not built")}
        judged = c["killed"] + c["timeout"] + c["survived"]
        score = "%.0f%%" % (100.0 * (c["killed"] + c["timeout"]) / judged) \
            if judged else "-"
        lines.append("| %s | %d | %d | %d | %d | %d | %d | %s |" % (
            rel, len(found), c["killed"], c["timeout"], c["survived"],
            c["equivalent"], c["not built"], score))
    lines.append("\n%d mutants in %.0f s" % (len(results), secs))
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    with open(os.path.join(build, "report.txt"), "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("list", "run"))
    ap.add_argument("files", nargs="+", metavar="FILE",
                    help="a file of the library, relative to the source root")
    ap.add_argument("--lines", help="A-B: only mutants on these lines")
    ap.add_argument("--operator", help="only these operators (a,b,...)")
    ap.add_argument("--max", type=int, help="at most N mutants a file")
    ap.add_argument("--seed", type=int, default=1,
                    help="which N (with --max); default 1")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-mutation"),
                    help="its own directory: a copy of the tree and a "
                    "build of it (default build-mutation)")
    ap.add_argument("--timeout", type=float,
                    help="seconds a mutant's tests may take (default: 4 "
                    "times the unmutated run, at least 60)")
    ap.add_argument("--meson-arg", action="append", default=[],
                    help="an option for meson setup of the build (e.g. "
                    "-Diovec_trace=true); takes effect on a new --build")
    ap.add_argument("--fail-on-survivor", action="store_true",
                    help="exit 1 if a mutant survives")
    args = ap.parse_args()
    files = [os.path.relpath(os.path.abspath(f), ROOT) if os.path.exists(f)
             else f for f in args.files]
    for f in files:
        if not os.path.isfile(os.path.join(ROOT, f)):
            sys.exit("%s: no such file in %s" % (f, ROOT))
    if args.command == "list":
        eq = read_equivalent()
        for f in files:
            for m in select(mutants(os.path.join(ROOT, f), f), args):
                print(record(m, eq.get(key(m))))
        return 0
    try:
        return run(args, files)
    except KeyboardInterrupt as e:
        print("interrupted (%s); the file restored" % e, file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
