#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""docs/api.md agrees with the public headers.

    check_api_doc.py API_MD HEADER...
    check_api_doc.py --self-test API_MD HEADER...

The API is read from the headers as the compiler sees it, not from a list
kept here: every function declared EVPL_EXPORT and every static inline
function whose name does not end in "_" (the library-private names), in
every header given except the library-private ones (evpl_*_pvt.h). For
each, the errnos its doxygen @return lists (the words of Python's errno
table, EINVAL, ENOSPC, ...).

The page's function rows are the table rows whose first cell starts with a
code span naming an evpl_ function (`evpl_create(config)`,
`struct evpl *evpl_create(...)`, `evpl_iovec_data`). It fails, saying
what to write, when:
 - a function has no row, or more than one;
 - a row names a function no header declares;
 - a row's errnos are not exactly those of the function's @return.

--self-test runs the check on the real files (it must pass) and on copies
of the page and of a header changed each way above (each must fail with
its message).
"""

import errno
import os
import re
import sys
import tempfile

ERRNOS = set(errno.errorcode.values())
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def errnos_in(text):
    return {w for w in re.findall(r"\bE[A-Z0-9]+\b", text) if w in ERRNOS}


def strip_preprocessor(text):
    """Blank out preprocessor lines (and their continuations), keeping the
    line count."""
    out, cont = [], False
    for line in text.split("\n"):
        if cont or line.lstrip().startswith("#"):
            cont = line.rstrip().endswith("\\")
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


def return_section(doc):
    """The text of a doc comment's @return (to the next tag or the end)."""
    m = re.search(r"[@\\]returns?\b(.*?)(?=\n\s*\*\s*[@\\][a-z]+\b|\Z)", doc,
                  re.S)
    return m.group(1) if m else ""


def api_functions(headers):
    """{name: (header, set of @return errnos)} of the public functions."""
    funcs = {}
    comment = re.compile(r"/\*.*?\*/", re.S)
    decl_re = re.compile(r"(?:EVPL_EXPORT\b|static\s+inline\b)[^;{]*[;{]")
    for path in headers:
        base = os.path.basename(path)
        if base.endswith("_pvt.h"):
            continue
        raw = strip_preprocessor(open(path).read())
        # Comments blanked (same length), so that neither their text nor
        # code quoted in them is read as a declaration; the doc comments
        # (/** ... */) remembered by where they end.
        docs = {}
        text = list(raw)
        for m in comment.finditer(raw):
            if m.group(0).startswith("/**"):
                docs[m.end()] = m.group(0)
            text[m.start():m.end()] = " " * (m.end() - m.start())
        text = "".join(text)
        for m in decl_re.finditer(text):
            decl = m.group(0)
            if "(" not in decl:
                continue  # a variable
            # The declarator's name: the identifier before its parameters.
            idents = re.findall(IDENT, decl.split("(")[0])
            if not idents:
                continue
            fname = idents[-1]
            if fname.endswith("_") or not fname.startswith("evpl_"):
                continue
            # Its doc comment: the one that ends just before it.
            k = m.start()
            while k > 0 and raw[k - 1].isspace():
                k -= 1
            doc = docs.get(k, "")
            funcs[fname] = (base, errnos_in(return_section(doc)))
    return funcs


CODE = re.compile(r"`([^`]*)`")


def doc_rows(md_text):
    """[(line number, function name, row text)] of the page's function
    rows."""
    rows = []
    for i, line in enumerate(md_text.split("\n"), 1):
        s = line.strip()
        if not s.startswith("|") or set(s) <= set("|-: "):
            continue
        cells = s.strip("|").split("|")
        # A | inside a code span is part of it: rejoin the first cell.
        first = cells[0]
        k = 1
        while first.count("`") % 2 and k < len(cells):
            first += "|" + cells[k]
            k += 1
        m = CODE.match(first.strip())
        if not m:
            continue
        span = m.group(1)
        head = span.split("(")[0]
        idents = re.findall(IDENT, head)
        if not idents or not idents[-1].startswith("evpl_"):
            continue
        rows.append((i, idents[-1], s))
    return rows


def check(md_path, headers):
    errors = []
    funcs = api_functions(headers)
    md = os.path.basename(md_path)
    rows = doc_rows(open(md_path).read())
    seen = {}
    for line, name, text in rows:
        seen.setdefault(name, []).append((line, text))
    for name in sorted(set(funcs) - set(seen)):
        header, errs = funcs[name]
        errors.append("%s (%s) has no row in %s: add one to its table, "
                      "with its errors%s" %
                      (name, header, md, ": " + ", ".join(sorted(errs))
                       if errs else " (its @return lists no errno)"))
    for name in sorted(set(seen) - set(funcs)):
        for line, _ in seen[name]:
            errors.append("%s:%d: a row for %s, which no public header "
                          "declares: remove it, or declare the function" %
                          (md, line, name))
    for name in sorted(set(seen) & set(funcs)):
        if len(seen[name]) > 1:
            errors.append("%s: %s has %d rows (lines %s): one row per "
                          "function" % (md, name, len(seen[name]),
                                        ", ".join(str(l) for l, _ in
                                                  seen[name])))
            continue
        line, text = seen[name][0]
        header, want = funcs[name]
        got = errnos_in(text)
        for e in sorted(want - got):
            errors.append("%s:%d: %s's row lacks %s, which %s's @return "
                          "lists" % (md, line, name, e, header))
        for e in sorted(got - want):
            errors.append("%s:%d: %s's row names %s, which %s's @return "
                          "does not list: remove it, or document it there" %
                          (md, line, name, e, header))
    return funcs, rows, errors


def self_test(md_path, headers):
    failures = 0

    def expect(what, md, hdrs, ok, words):
        nonlocal failures
        _, _, errors = check(md, hdrs)
        out = "\n".join(errors)
        good = (not errors) == ok and all(w in out for w in words)
        print("%s: %s" % ("ok" if good else "FAILED", what))
        if not good:
            print("  wanted %s with %s; got:\n%s" %
                  ("a pass" if ok else "errors", words, out))
            failures += 1

    text = open(md_path).read()
    funcs, rows, _ = check(md_path, headers)
    # A function that has errnos, and its row.
    name = next(n for n in sorted(funcs) if funcs[n][1])
    line, _, row = next(r for r in rows if r[1] == name)
    gone = sorted(funcs[name][1])[0]
    dpdk_h = next(h for h in headers if os.path.basename(h) == "evpl_dpdk.h")
    with tempfile.TemporaryDirectory() as d:
        def write(fname, content):
            path = os.path.join(d, fname)
            with open(path, "w") as f:
                f.write(content)
            return path

        lines = text.split("\n")
        expect("the page and the headers agree", md_path, headers, True, [])
        no_row = write("no_row.md", "\n".join(
            l for i, l in enumerate(lines, 1) if i != line))
        expect("a function without a row", no_row, headers, False,
               ["%s (" % name, "has no row"])
        lines2 = list(lines)
        lines2[line - 1] = re.sub(r"\b%s\b" % gone, "(gone)", row)
        no_errno = write("no_errno.md", "\n".join(lines2))
        expect("a row without one of its errnos", no_errno, headers, False,
               ["%s's row lacks %s" % (name, gone)])
        lines3 = list(lines)
        lines3[line - 1] = row.rstrip("|").rstrip() + " `EXDEV` |"
        extra_errno = write("extra_errno.md", "\n".join(lines3))
        expect("a row naming an errno its @return does not", extra_errno,
               headers, False, ["names EXDEV"])
        extra_row = write("extra_row.md", text + "\n| function | x |\n|---|---|"
                          "\n| `evpl_not_declared(evpl)` | - |\n")
        expect("a row for a function no header declares", extra_row,
               headers, False, ["evpl_not_declared, which no public header"])
        twice = write("twice.md", text + "\n| f | x |\n|---|---|\n" + row +
                      "\n")
        expect("two rows for one function", twice, headers, False,
               ["%s has 2 rows" % name])
        new_h = write("evpl_extra.h", open(dpdk_h).read().replace(
            "#endif /* EVPL_DPDK_H */",
            "/**\n * New.\n * @return 0, or -1 with errno EPERM.\n */\n"
            "EVPL_EXPORT int evpl_brand_new(void);\n"
            "static inline int evpl_brand_new_inline(void) { return 0; }\n"
            "#endif /* EVPL_DPDK_H */"))
        others = [h for h in headers if h != dpdk_h]
        expect("new header functions without rows", md_path,
               others + [new_h], False,
               ["evpl_brand_new (evpl_extra.h) has no row",
                "with its errors: EPERM",
                "evpl_brand_new_inline (evpl_extra.h) has no row"])
        more_errs = write("evpl_dpdk.h", open(dpdk_h).read().replace(
            "@return", "@return (EPERM, when the moon is full)", 1))
        expect("an errno added to a @return", md_path,
               others + [more_errs], False, ["lacks EPERM"])
    return failures


def main():
    args = sys.argv[1:]
    if args and args[0] == "--self-test":
        return 1 if self_test(args[1], args[2:]) else 0
    md, headers = args[0], args[1:]
    funcs, rows, errors = check(md, headers)
    for e in errors:
        print("error: " + e, file=sys.stderr)
    if errors:
        return 1
    print("%s: one row for each of the %d public functions, with the "
          "errnos their @return lists" % (os.path.basename(md), len(funcs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
