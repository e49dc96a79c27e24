#!/bin/sh
# Run the whole test suite N times, twice as many tests at a time as there
# are CPUs, and report every test that failed even once, with how often.
# A test skipped in some rounds and run in others is reported too: the
# same machine must give the same verdict every time. Exit 1 if anything
# was reported, 2 on a usage error.
#
#   scripts/flake-hunt.sh [-C BUILD_DIR] N [MESON_TEST_ARGS...]
#
# BUILD_DIR (default build) must be configured; it is rebuilt once, first.
# MESON_TEST_ARGS go to every `meson test` (e.g. --no-suite traffic).
# EVPL_TEST_HUGEPAGES=512 makes the hugepage runs behave as on a machine
# with 512 hugepages (tests/hugepages.h), however many this one has.
# Each round's results stay in BUILD_DIR/meson-logs/flake-hunt-R.json
# (and .txt), for the output of a test that failed.
set -u
cd "$(dirname "$0")/.."

build=build
if [ "${1:-}" = "-C" ]; then
    build=${2:-}
    shift 2 || { echo "usage: $0 [-C BUILD_DIR] N [MESON_TEST_ARGS...]" >&2; exit 2; }
fi
rounds=${1:-}
case "$rounds" in
'' | *[!0-9]* | 0)
    echo "usage: $0 [-C BUILD_DIR] N [MESON_TEST_ARGS...]" >&2
    exit 2
    ;;
esac
shift
if [ ! -f "$build/build.ninja" ]; then
    echo "$build is not a configured build directory (meson setup $build)" >&2
    exit 2
fi
ninja -C "$build" >/dev/null || { echo "ninja -C $build failed" >&2; exit 2; }

jobs=$((2 * $(nproc)))
logs=""
start=$(date +%s)
r=1
while [ "$r" -le "$rounds" ]; do
    rm -f "$build/meson-logs/flake-hunt-$r.json"
    meson test -C "$build" --no-rebuild --num-processes "$jobs" \
        --logbase "flake-hunt-$r" "$@" >"$build/meson-logs/flake-hunt-$r.out" 2>&1
    printf 'round %s of %s (%s at a time): %s\n' "$r" "$rounds" "$jobs" \
        "$(grep -E '^(Ok|Fail|Skipped|Timeout):' "$build/meson-logs/flake-hunt-$r.out" |
            tr -s ' \n' ' ')"
    logs="$logs $build/meson-logs/flake-hunt-$r.json"
    r=$((r + 1))
done

echo "$rounds rounds in $(($(date +%s) - start)) s"
# shellcheck disable=SC2086
python3 - "$rounds" $logs <<'PY'
import json, sys
rounds, paths = int(sys.argv[1]), sys.argv[2:]
failed, skipped, ran = {}, {}, {}
for path in paths:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        print("no results in %s: the round did not run" % path)
        sys.exit(1)
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)
        name, res = r["name"], r["result"]
        ran[name] = ran.get(name, 0) + 1
        if res == "SKIP":
            skipped[name] = skipped.get(name, 0) + 1
        elif res not in ("OK", "EXPECTEDFAIL"):
            failed.setdefault(name, []).append(res)
# Skipped in some rounds only: chance decided it.
sometimes = {n: k for n, k in skipped.items() if k < ran[n]}
missing = {n: k for n, k in ran.items() if k < rounds}
if not failed and not sometimes and not missing:
    print("no test failed in %d rounds (%d tests a round)" % (rounds, len(ran)))
    sys.exit(0)
for n in sorted(failed):
    print("FAILED %d of %d: %s (%s)" % (len(failed[n]), rounds, n,
                                        ", ".join(sorted(set(failed[n])))))
for n in sorted(sometimes):
    print("SKIPPED %d of %d: %s" % (sometimes[n], ran[n], n))
for n in sorted(missing):
    print("RAN %d of %d: %s" % (missing[n], rounds, n))
sys.exit(1)
PY
