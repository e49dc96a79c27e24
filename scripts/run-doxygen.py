#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-only
"""Doxygen over the public headers, at DPDK's strictness and then some:
every declaration documented (WARN_IF_UNDOCUMENTED), every parameter of a
documented function too (WARN_NO_PARAMDOC), no doc errors.

    run-doxygen.py build DOXYFILE OUTDIR   ninja docs: HTML in OUTDIR/html
    run-doxygen.py check DOXYFILE          the docs test: zero warnings

doxygen is looked up when this runs, not when meson configured the build,
so installing it needs no reconfigure. Without it, "build" fails and
"check" skips (exit 77), each saying what to install.
"""

import os
import shutil
import subprocess
import sys
import tempfile

MISSING = ("doxygen is not installed, and the reference documentation "
           "needs it: install it (Debian: apt-get install doxygen), then "
           "run this again (no reconfigure needed)")


def run(doxygen, doxyfile, outdir):
    """Run doxygen on doxyfile with its output (and warning log) in outdir;
    returns (exit status, the warnings)."""
    os.makedirs(outdir, exist_ok=True)
    log = os.path.join(outdir, "warnings.log")
    with open(doxyfile) as f:
        config = f.read()
    # Later settings win: the output goes where this run says, into a
    # folder that exists (doxygen does not create the log's).
    config += '\nOUTPUT_DIRECTORY = "%s"\nWARN_LOGFILE = "%s"\n' % (outdir, log)
    p = subprocess.run([doxygen, "-"], input=config, text=True,
                       capture_output=True)
    warnings = open(log).read() if os.path.exists(log) else ""
    return p.returncode, warnings + p.stderr, p.stdout


def main():
    mode, doxyfile = sys.argv[1], sys.argv[2]
    doxygen = shutil.which("doxygen")
    if doxygen is None:
        print(("SKIP: " if mode == "check" else "") + MISSING,
              file=sys.stderr)
        return 77 if mode == "check" else 1
    if mode == "build":
        outdir = sys.argv[3]
        rc, warnings, out = run(doxygen, doxyfile, outdir)
        sys.stdout.write(out)
        sys.stderr.write(warnings)
        if rc != 0:
            return rc
        print("doxygen: %s" % os.path.join(outdir, "html", "index.html"))
        return 0
    with tempfile.TemporaryDirectory() as outdir:
        rc, warnings, out = run(doxygen, doxyfile, outdir)
    lines = [l for l in warnings.splitlines() if l.strip()]
    if rc != 0 or lines:
        sys.stdout.write(out)
        print("doxygen: exit %d, %d warning lines (public headers must "
              "document every declaration and every parameter):" %
              (rc, len(lines)))
        print("\n".join(lines))
        return 1
    print("doxygen: no warnings over the public headers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
