#!/bin/sh
# Mutation testing of the library (docs/testing.md, "Mutation testing").
#
#   scripts/mutation.sh [OPTIONS] FILE...       mutate, rebuild, test, report
#   scripts/mutation.sh --list [OPTIONS] FILE...  only list the mutants
#   scripts/mutation.sh --coverage-table FILE...  which tests reach each file
#
# Each mutant changes one line of FILE by one operator, in a copy of the
# source tree with builds of its own (build-mutation/: never build/); the
# file is restored whatever happens. Of the tests scripts/mutation-map.txt
# maps to FILE, those that reach the mutated line (a coverage build,
# build-mutation/cov, says which; kept until the tree changes) run against
# it, each with a time limit, stopping at the first failure. Mutants are
# killed (a test fails; a timeout when its limit passes), survive, are the
# same code (the mutant compiles to the unmutated objects), or do not
# build (the warnings that flag undefined behaviour are errors there: a
# function flowing off its end does not build); those listed in
# scripts/mutation-equivalent.txt are not run (its trace: entries only
# outside a trace build).
# Options:
#   --lines A-B           only mutants on these lines
#   --operator OP[,OP]    rel eq logic arith incdec const negate delete
#   --max N --seed S      a sample of N mutants a file (the same for S)
#   --timeout SECONDS     each test's limit on a mutant (default 10 times
#                         its unmutated run, at least 30)
#   --build DIR           instead of build-mutation/
#   --meson-arg ARG       for a new DIR's meson setup (-Diovec_trace=true)
#   --no-coverage         run every mapped test, not only those reaching
#                         the line (no coverage build)
#   --resume              keep DIR's earlier results for unchanged files
#   --fail-on-survivor    exit 1 if a mutant survives
# The report (survivors, ready to paste into the equivalent list, and a
# table per file) is printed and kept in DIR/report.txt; each mutant's
# result in DIR/results.jsonl.
#
# The mutator is scripts/mutate.py (Python 3 and the compiler's gcov and
# objcopy: nothing to install).
set -eu
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
case "${1:-}" in
--list) shift; exec python3 scripts/mutate.py list "$@" ;;
--coverage-table) shift; exec python3 scripts/mutate.py coverage "$@" ;;
esac
exec python3 scripts/mutate.py run "$@"
