#!/bin/sh
# Mutation testing of the library (docs/testing.md, "Mutation testing").
#
#   scripts/mutation.sh [OPTIONS] FILE...       mutate, rebuild, test, report
#   scripts/mutation.sh --list [OPTIONS] FILE...  only list the mutants
#
# Each mutant changes one line of FILE by one operator; the tests that
# scripts/mutation-map.txt maps to FILE run against it, in a copy of the
# source tree with a build directory of its own (build-mutation/: never
# build/), and the file is restored whatever happens. Mutants survive,
# are killed (a test fails, or the time limit passes), or do not build;
# those listed in scripts/mutation-equivalent.txt are not run. Options:
#   --lines A-B           only mutants on these lines
#   --operator OP[,OP]    rel eq logic arith incdec const negate delete
#   --max N --seed S      a sample of N mutants a file (the same for S)
#   --timeout SECONDS     per mutant's tests (default 4 times the
#                         unmutated run, at least 60)
#   --build DIR           instead of build-mutation/
#   --meson-arg ARG       for a new DIR's meson setup (-Diovec_trace=true)
#   --fail-on-survivor    exit 1 if a mutant survives
# The report (survivors, ready to paste into the equivalent list, and a
# table per file) is printed and kept in DIR/report.txt.
#
# The mutator is scripts/mutate.py (Python 3 only, nothing to install).
set -eu
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
if [ "${1:-}" = "--list" ]; then
    shift
    exec python3 scripts/mutate.py list "$@"
fi
exec python3 scripts/mutate.py run "$@"
