#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""Mutation testing of the library (docs/testing.md, "Mutation testing").

A small, deterministic mutator of C source: each mutant changes one line of
one file by one operator. For every mutant, in a copy of the source tree
with a build directory of its own, the file is changed, the build brought
up to date (incrementally: only the programs of the tests that cover the
file, as the map, scripts/mutation-map.txt, names them), the tests that
reach the mutated line (a coverage build says which) run one by one with
a time limit each, stopping at the first failure, and the file restored,
whatever happens. A mutant is killed when a test fails (a timeout when
its time limit passes), survives when every test passes (or no test
reaches its line), is "same code" when it compiles to the objects the
unmutated file does, and "not built" when it does not compile. Mutants
listed in scripts/mutation-equivalent.txt (cannot change behaviour, with
the reason) are not run, and are counted apart.

    mutate.py list [FILTERS] FILE...
    mutate.py coverage [--build DIR] [--meson-arg A] FILE...
    mutate.py run [FILTERS] [--build DIR] [--timeout S] [--meson-arg A]
                  [--no-coverage] [--resume] [--fail-on-survivor] FILE...

FILTERS: --lines A-B, --operator OP[,OP...], --max N, --seed S (with --max:
a sample of N, the same for the same seed). Operators: rel (< <= > >=),
eq (== !=), logic (&& ||), arith (binary + -, += -=), incdec (++ --),
const (an integer literal plus or minus one), negate (the condition of an
if or while), delete (a statement: a call, an assignment, a return, a
break).
"""

import argparse
import fnmatch
import hashlib
import json
import os
import random
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutation_run as R  # noqa: E402

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


def function_name(decl):
    """The name a function definition's declarator text (masked, up to its
    body's brace) declares: the identifier before the parameter list."""
    d = decl.rstrip()
    j, depth = len(d) - 1, 0
    while j >= 0:
        depth += d[j] == ")"
        depth -= d[j] == "("
        if depth == 0:
            break
        j -= 1
    m = re.search(r"(\w+)\s*$", d[:max(j, 0)])
    return m.group(1) if m else "?"


def code_lines(masked):
    """For each line (0-based), the name of the function whose body holds
    it as code, or None: outside function bodies, and preprocessor lines.
    An extern "C" block's braces are not a scope."""
    lines = masked.split("\n")
    inside = [None] * len(lines)
    scopes = []      # per open brace: "extern", or a name, or "" (a block)
    decl = ""        # the code at file scope since the last ; { or }
    func = None
    continued = False
    for ln, line in enumerate(lines):
        pre = continued or line.lstrip().startswith("#")
        continued = pre and line.rstrip().endswith("\\")
        if pre:
            continue
        start_in = func
        for c in line:
            top = all(x == "extern" for x in scopes)
            if c == "{":
                d = decl.strip()
                if top and re.search(r'\bextern\s*"\s*"$', d):
                    scopes.append("extern")
                elif top and d.endswith(")"):
                    func = function_name(d)
                    scopes.append(func)
                else:
                    scopes.append("")
                decl = ""
            elif c == "}":
                if scopes and scopes.pop() not in ("", "extern"):
                    func = None
                decl = ""
            elif top:
                decl = "" if c == ";" else decl + c
        decl += " "
        inside[ln] = start_in if start_in is not None and func is not None \
            else None
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


def needs_defined(masked):
    """For each line (0-based), the macros the preprocessor conditionals
    around it need defined for it to be compiled: #ifdef M, #if defined(M)
    and conjunctions of defined() terms, the #else of #ifndef M. Other
    conditions are left out (not known)."""
    lines = masked.split("\n")
    out, stack = [], []    # stack: per open #if, [(macro, defined?)]
    for line in lines:
        d = re.match(r"^\s*#\s*(\w+)\s*(.*)$", line)
        word, rest = (d.group(1), d.group(2).strip()) if d else ("", "")
        if word in ("ifdef", "ifndef"):
            stack.append([(rest.split()[0], word == "ifdef")])
        elif word == "if":
            terms = re.split(r"\s*&&\s*", rest)
            conj = [re.fullmatch(r"(!?)\s*defined\s*\(?\s*(\w+)\s*\)?", t)
                    for t in terms]
            stack.append([(c.group(2), c.group(1) == "") for c in conj]
                         if all(conj) else [])
        elif word in ("else", "elif"):
            if stack:
                top = stack[-1]
                stack[-1] = ([(top[0][0], not top[0][1])]
                             if word == "else" and len(top) == 1 else [])
        elif word == "endif":
            if stack:
                stack.pop()
        out.append({m for cond in stack for m, pos in cond if pos})
    return out


def mutants(path, rel_path):
    """Every mutant of the file: dicts with file, line (1-based), op, func
    (the function it is in), orig, mut, ifdef (the macros it is compiled
    only with); in line order, each distinct line once."""
    text = open(path).read()
    masked = mask(text)
    olines, mlines = text.split("\n"), masked.split("\n")
    inside = code_lines(masked)
    guards = needs_defined(masked)
    found, seen = [], set()
    prev_end = ";"
    for ln, (o, m) in enumerate(zip(olines, mlines)):
        if inside[ln]:
            for op, mut in line_mutants(o, m, prev_end):
                if mut != o and (ln, mut) not in seen:
                    seen.add((ln, mut))
                    found.append({"file": rel_path, "line": ln + 1, "op": op,
                                  "func": inside[ln], "orig": o, "mut": mut,
                                  "ifdef": sorted(guards[ln])})
        if m.strip() and not m.lstrip().startswith("#"):
            prev_end = m.rstrip()[-1]
            if re.search(r"\belse\s*$", m):
                prev_end = ")"
    return found


def parse_ranges(text):
    """"A-B,C,D-E" as [(A, B), (C, C), (D, E)]."""
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.append((int(a), int(b or a)))
    return out


def select(found, args, ranges=None):
    """The mutants the filters keep: ranges (a file's own, FILE:A-B) or
    --lines, --operator, then the --max sample."""
    ranges = ranges or (parse_ranges(args.lines) if args.lines else None)
    if ranges:
        found = [f for f in found
                 if any(lo <= f["line"] <= hi for lo, hi in ranges)]
    if args.only_ifdef:
        found = [f for f in found if args.only_ifdef in f["ifdef"]]
    if args.skip_ifdef:
        found = [f for f in found if args.skip_ifdef not in f["ifdef"]]
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


def record(f, why=None, trace=False):
    """A mutant as scripts/mutation-equivalent.txt lists one."""
    s = "%s:%d %s in %s\n-%s\n+%s\n" % (f["file"], f["line"], f["op"],
                                         f["func"], f["orig"], f["mut"])
    return s + ("%s: %s\n" % ("trace" if trace else "why", why) if why
                else "")


# The mutants' build: no apps (no test runs them), and the warnings that
# flag undefined behaviour are errors (the project's builds are
# warning-clean): a mutant flowing off the end of a function or reading a
# value it never set is "not built", not run as whatever its undefined
# behaviour happens to compile to. Not every warning: -Wparentheses,
# -Wempty-body and the like would refuse mutants that only change
# behaviour (an if whose statement is deleted), which tests must kill.
MUTANT_CFLAGS = ["-Werror=return-type", "-Werror=uninitialized",
                 "-Werror=maybe-uninitialized"]
MUTANT_BUILD = ["-Dapps=false", "-Dc_args=" + " ".join(MUTANT_CFLAGS)]


# --- the lists beside this script ---------------------------------------

def read_map():
    """[(glob pattern, [meson test names])] in file order; an indented line
    continues the one before."""
    out = []
    for line in open(MAP):
        text = line.split("#", 1)[0]
        if not text.strip():
            continue
        if text[0].isspace() and out:
            out[-1][1].extend(text.split())
        else:
            pat, _, tests = text.partition(":")
            out.append((pat.strip(), tests.split()))
    return out


def covering(rel_path, table):
    for pat, tests in table:
        if fnmatch.fnmatch(rel_path, pat):
            return tests
    return None


def read_equivalent():
    """[{file, func (None: any), orig, mut, why, trace}], stripped of
    blanks; trace: the entry holds only outside trace builds."""
    eq, cur = [], None
    if not os.path.exists(EQUIVALENT):
        return eq
    for line in open(EQUIVALENT):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            cur = None
            continue
        m = re.match(r"^(\S+):(\d+) (\w+)(?: in (\w+))?$", line)
        if m:
            cur = {"file": m.group(1), "line": int(m.group(2)),
                   "func": m.group(4)}
        elif cur is not None and line.startswith("-"):
            cur["orig"] = line[1:].strip()
        elif cur is not None and line.startswith("+"):
            cur["mut"] = line[1:].strip()
        elif cur is not None and line.startswith(("why:", "trace:")):
            word, _, why = line.partition(":")
            cur["trace"], cur["why"] = word == "trace", why.strip()
            eq.append(cur)
            cur = None
    return eq


def text_key(f):
    return (f["file"], f["func"], f["orig"].strip(), f["mut"].strip())


def repeated(found):
    """The text keys of mutants that more than one line of a function
    share (the same statement written twice): an entry for one of them
    matches by its line number too."""
    seen, twice = set(), set()
    for f in found:
        k = text_key(f)
        (twice if k in seen else seen).add(k)
    return twice


def equivalent_of(f, eq, twice=frozenset()):
    """The entry listing mutant f, or None: the same file, the same two
    lines, and the same function when the entry names one; the same line
    number too where the function has the same mutant on another line
    (twice, from repeated())."""
    for e in eq:
        if (e["file"] == f["file"] and e.get("orig") == f["orig"].strip() and
                e.get("mut") == f["mut"].strip() and
                e["func"] in (None, f["func"]) and
                (text_key(f) not in twice or e["line"] == f["line"])):
            return e
    return None


# --- running ------------------------------------------------------------

def on_signal(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


def load_results(path, stamp):
    """Earlier results kept in path, for --resume: {(file digest, line,
    mutated line): result}. A survivor is kept only if the whole tree is
    as it was then; a killed mutant stays killed while its file is
    unchanged (tests are added, not taken away)."""
    out = {}
    if os.path.exists(path):
        for line in open(path):
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r["result"] != "survived" or r.get("stamp") == stamp:
                out[(r["digest"], r["line"], r["mut"])] = r
    return out


def run(args, files, ranges):
    table = read_map()
    equivalent = read_equivalent()
    root = os.path.abspath(args.build)
    tree = os.path.join(root, "tree")
    os.makedirs(tree, exist_ok=True)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    log = open(os.path.join(root, "last.log"), "w")
    t_start = time.monotonic()
    stamp = R.sync_tree(tree)
    build = R.Build(os.path.join(root, "build"), tree,
                    MUTANT_BUILD + args.meson_arg, log, MUTANT_CFLAGS)
    same = R.SameCode(build)
    if build.option("iovec_trace"):
        # A trace build reads what the plain builds only write: the
        # mutants listed as trace-only run here.
        equivalent = [e for e in equivalent if not e["trace"]]

    plan, every = [], []
    for rel in files:
        tests = covering(rel, table)
        if tests is None:
            sys.exit("%s: no tests mapped to it in %s" % (rel, MAP))
        missing = [t for t in tests if t not in build.tests]
        if missing:
            print("%s: %s not in this build, left out" %
                  (rel, " ".join(missing)), flush=True)
            tests = [t for t in tests if t in build.tests]
        if not tests:
            sys.exit("%s: none of its tests in this build" % rel)
        found = mutants(os.path.join(tree, rel), rel)
        every += found
        plan.append((rel, tests, select(found, args, ranges.get(rel))))
    cov = {}
    if not args.no_coverage:
        needed = []
        for _, tests, _ in plan:
            needed += [t for t in tests if t not in needed]
        cov = R.coverage(root, tree, stamp, needed, [p[0] for p in plan],
                         args.meson_arg, log)
    total = sum(len(f) for _, _, f in plan)
    print("%d mutants in %d files" % (total, len(plan)), flush=True)

    kept = os.path.join(root, "results.jsonl")
    earlier = load_results(kept, stamp) if args.resume else {}
    out = open(kept, "a" if args.resume else "w")
    results, done = [], 0
    for rel, tests, found in plan:
        if not found:
            continue
        path = os.path.join(tree, rel)
        digest = hashlib.sha1(open(path, "rb").read()).hexdigest()
        if build.ninja(build.targets(tests)) != 0:
            sys.exit("%s: the unmutated tree does not build: see %s" %
                     (rel, log.name))
        base = {}
        for t in tests:
            rc, base[t] = build.run_test(t, 900)
            if rc != 0:
                sys.exit("%s: test %s fails without a mutant: see %s" %
                         (rel, t, log.name))
        limits = {t: args.timeout or max(30.0, 10 * base[t]) for t in tests}
        print("%s: %d mutants; tests %s (%.0f s unmutated)" %
              (rel, len(found), " ".join(tests), sum(base.values())),
              flush=True)
        fcov = cov.get(rel)
        order = list(tests)
        twice = repeated(f for f in every if f["file"] == rel)
        for f in found:
            done += 1
            t0 = time.monotonic()
            e = equivalent_of(f, equivalent, twice)
            prior = earlier.get((digest, f["line"], f["mut"]))
            if e is not None:
                f["result"], f["why"] = "equivalent", e["why"]
                f["trace"] = e["trace"]
                e["used"] = True
            elif prior is not None:
                for k in ("result", "by", "reached"):
                    f[k] = prior.get(k)
            else:
                run_one(f, path, build, same, order, fcov, limits)
            f["secs"] = time.monotonic() - t0
            print("[%d/%d] %s:%d %s: %s%s (%.0f s)" % (
                done, total, rel, f["line"], f["op"], f["result"],
                " by " + f["by"] if f.get("by") else "", f["secs"]),
                flush=True)
            if e is None and prior is None:
                out.write(json.dumps(dict(f, digest=digest, stamp=stamp)) +
                          "\n")
                out.flush()
            results.append(f)
    # The tree as it was, built: the next run starts from it.
    build.ninja([])
    report(results, plan, equivalent, every, time.monotonic() - t_start,
           root)
    survivors = [f for f in results if f["result"] == "survived"]
    return 1 if survivors and args.fail_on_survivor else 0


def run_one(f, path, build, same, order, fcov, limits):
    """Build mutant f of the file at path and run its tests: f["result"]
    killed, timeout, survived, same code, or not built; f["by"] the test
    that failed; f["reached"] whether a test reaches the line (None: not
    known). order: the file's tests, the last to kill a mutant first."""
    if fcov is None or f["line"] not in fcov["executable"]:
        tests, f["reached"] = list(order), None
    else:
        reach = fcov["lines"].get(str(f["line"]), [])
        tests, f["reached"] = [t for t in order if t in reach], bool(reach)
    with R.Restore(path) as r:
        lines = r.text.split("\n")
        lines[f["line"] - 1] = f["mut"]
        with open(path, "w") as fh:
            fh.write("\n".join(lines))
        # Each test's program is built just before it runs: most mutants
        # need one. Before calling a mutant the same code, every mapped
        # test's program is built too, since a header's inline code
        # compiles into each.
        same.snapshot()
        if build.ninja(build.targets(tests[:1] or order)) != 0:
            f["result"] = "not built"
            return
        changed, alike = same.rebuilt_same()
        if alike:
            if build.ninja(build.targets(order)) != 0:
                f["result"] = "not built"
                return
            changed, alike = same.rebuilt_same()
            if not changed:
                raise SystemExit("%s: no object of the mapped tests' "
                                 "programs depends on it" % f["file"])
            if alike:
                f["result"] = "same code"
                return
        for t in tests:
            if build.ninja(build.targets([t])) != 0:
                f["result"] = "not built"
                return
            rc, _ = build.run_test(t, limits[t])
            if rc != 0:
                f["result"] = "timeout" if rc is None else "killed"
                f["by"] = t
                order.remove(t)
                order.insert(0, t)
                return
        f["result"] = "survived"


def coverage_table(args, files):
    """For each file, every test program's run that reaches some of its
    lines, with how many, for keeping the map up to date."""
    root = os.path.abspath(args.build)
    tree = os.path.join(root, "tree")
    os.makedirs(tree, exist_ok=True)
    log = open(os.path.join(root, "last.log"), "w")
    stamp = R.sync_tree(tree)
    build = R.Build(os.path.join(root, "build"), tree,
                    MUTANT_BUILD + args.meson_arg, log, MUTANT_CFLAGS)
    progs = (os.path.join(build.bdir, "tests") + os.sep,
             os.path.join(build.bdir, "fuzz") + os.sep)
    tests = [n for n, t in sorted(build.tests.items())
             if t["cmd"][0].startswith(progs) and
             not (n.endswith("-huge") and n[:-5] + "-nohuge" in build.tests)]
    cov = R.coverage(root, tree, stamp, tests, files, args.meson_arg, log)
    for rel in files:
        c = cov[rel]
        per = {}
        for ts in c["lines"].values():
            for t in ts:
                per[t] = per.get(t, 0) + 1
        print("%s: %d of %d lines reached" % (rel, len(c["lines"]),
                                              len(c["executable"])))
        for t in sorted(per, key=lambda x: -per[x]):
            print("    %-28s %d" % (t, per[t]))
    return 0


RESULTS = ("killed", "timeout", "survived", "equivalent", "same code",
           "not built")


def report(results, plan, equivalent, every, secs, build):
    lines = []
    surv = [f for f in results if f["result"] == "survived"]
    if surv:
        lines.append("Surviving mutants (a test to kill each, or an entry in "
                     "scripts/mutation-equivalent.txt with why:):\n")
        for f in surv:
            note = {True: "reached by a test", False: "reached by no test",
                    None: "no line data"}[f.get("reached")]
            lines.append("# " + note)
            lines.append(record(f))
    eqv = [f for f in results if f["result"] == "equivalent"]
    if eqv:
        lines.append("Equivalent mutants, not run:\n")
        for f in eqv:
            lines.append(record(f, f["why"], f.get("trace")))
    planned = {p[0] for p in plan}
    for e in equivalent:
        if e["file"] in planned and equivalent_of_any(e, every) is None:
            lines.append("note: a listed equivalent mutant of %s matches no "
                         "mutant now (-%s / +%s)\n" %
                         (e["file"], e.get("orig"), e.get("mut")))
    lines.append("| file | mutants | killed | timeouts | survived | "
                 "equivalent | same code | not built | score |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for rel, _, found in plan:
        c = {r: sum(1 for f in found if f.get("result") == r)
             for r in RESULTS}
        judged = c["killed"] + c["timeout"] + c["survived"]
        score = "%.0f%%" % (100.0 * (c["killed"] + c["timeout"]) / judged) \
            if judged else "-"
        lines.append("| %s | %d | %s | %s |" % (
            rel, len(found), " | ".join(str(c[r]) for r in RESULTS), score))
    lines.append("\n%d mutants in %.0f s" % (len(results), secs))
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    with open(os.path.join(build, "report.txt"), "w") as f:
        f.write(text)


def equivalent_of_any(e, every):
    twice = repeated(every)
    for f in every:
        if equivalent_of(f, [e], twice) is not None:
            return f
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("list", "run", "coverage"))
    ap.add_argument("files", nargs="+", metavar="FILE",
                    help="a file of the library, relative to the source "
                    "root; FILE:A-B,C-D only these lines of it")
    ap.add_argument("--lines", help="A-B: only mutants on these lines")
    ap.add_argument("--operator", help="only these operators (a,b,...)")
    ap.add_argument("--only-ifdef", metavar="MACRO",
                    help="only code compiled only where MACRO is defined "
                    "(#ifdef MACRO): EVPL_IOVEC_TRACE in a trace build")
    ap.add_argument("--skip-ifdef", metavar="MACRO",
                    help="leave out code compiled only where MACRO is "
                    "defined")
    ap.add_argument("--max", type=int, help="at most N mutants a file")
    ap.add_argument("--seed", type=int, default=1,
                    help="which N (with --max); default 1")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-mutation"),
                    help="its own directory: a copy of the tree and a "
                    "build of it (default build-mutation)")
    ap.add_argument("--timeout", type=float,
                    help="seconds each test may take on a mutant (default: "
                    "10 times its unmutated run, at least 30)")
    ap.add_argument("--meson-arg", action="append", default=[],
                    help="an option for meson setup of the build (e.g. "
                    "-Diovec_trace=true); takes effect on a new --build")
    ap.add_argument("--no-coverage", action="store_true",
                    help="run every mapped test on every mutant, without "
                    "the coverage build")
    ap.add_argument("--resume", action="store_true",
                    help="keep the results of an earlier run in the same "
                    "--build for mutants of unchanged files")
    ap.add_argument("--fail-on-survivor", action="store_true",
                    help="exit 1 if a mutant survives")
    args = ap.parse_args()
    files, ranges = [], {}
    for f in args.files:
        m = re.match(r"^(.*):([\d,-]+)$", f)
        if m:
            f = m.group(1)
            ranges[f] = ranges.get(f, []) + parse_ranges(m.group(2))
        f = os.path.relpath(os.path.abspath(f), ROOT) if os.path.exists(f) \
            else f
        if f not in files:
            files.append(f)
    for f in files:
        if not os.path.isfile(os.path.join(ROOT, f)):
            sys.exit("%s: no such file in %s" % (f, ROOT))
    if args.command == "list":
        eq = read_equivalent()
        for f in files:
            found = mutants(os.path.join(ROOT, f), f)
            twice = repeated(found)
            for m in select(found, args, ranges.get(f)):
                e = equivalent_of(m, eq, twice)
                print(record(m, e["why"] if e else None,
                             e is not None and e["trace"]))
        return 0
    if args.command == "coverage":
        return coverage_table(args, files)
    try:
        return run(args, files, ranges)
    except KeyboardInterrupt as e:
        print("interrupted (%s); the file restored" % e, file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
