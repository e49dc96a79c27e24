#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-only
#
# Before and after in one run: every evpl-bench row and every
# scripts/bench-testpmd.sh pair, with one build's binaries, the library
# swapped under them (LD_LIBRARY_PATH), the two libraries alternating
# round by round; optionally the instructions per operation of every
# evpl-bench row under each library (callgrind).
#
#   scripts/bench-compare.sh -o OLD_LIB_DIR | -O OLD_BUILD_DIR
#                            [-b BUILD_DIR] [-r ROUNDS]
#                            [-d SECONDS] [-l LCORE] [-L LCORES]
#                            [-p PAIRS] [-c] [-x REGEX] [-T] [-B]
#                            [-- EVPL_BENCH_ARGS...]
#
#   -o  the directory of the "before" library, libevpl-dpdk.so.* (a build
#       directory of the older commit: meson setup DIR && ninja -C DIR)
#   -O  instead of -o: the older commit's build directory, whose own
#       evpl-bench and evpl-testpmd run the "before" rounds, for when the
#       newer binaries cannot run on the older library (the inline code
#       of the private headers changed, or a symbol version was added).
#       The same rows and pairs, each binary's own DPDK loop beside it;
#       a row the older evpl-bench lacks is left out
#   -b  the "after" build directory, whose evpl-bench and evpl-testpmd
#       run with both libraries (default build)
#   -r  rounds (default 3); each runs both libraries, the order swapped
#       from one round to the next
#   -d  seconds per bench-testpmd.sh run (default 5)
#   -l  the lcore evpl-bench runs on (default 1)
#   -L  the EAL lcores of bench-testpmd.sh (default 0-1)
#   -p  bench-testpmd.sh pairs (default all of its pairs)
#   -c  also count instructions per operation of the evpl-dpdk loop of
#       every evpl-bench row under each library (callgrind,
#       apps/bench/callgrind.sh --evpl-only; about ten minutes) but those
#       matching -x
#   -x  an extended regular expression of rows -c leaves out (default
#       "^slab alloc\+release": valgrind runs their DPDK loops, malloc and
#       rte_malloc of up to 1 MiB, for minutes; "segs vs slab" and "slab
#       send" count the slab paths)
#   -T  no bench-testpmd.sh pairs;  -B  no timed evpl-bench rows
#   after --: evpl-bench options (default --reps 11 --iters 100000)
#
# The binaries must be the newer ones: a library may only add to what
# the older binaries' headers say (struct evpl_dpdk_stats grows at its
# end), so an older library under newer binaries is safe, not the other
# way round.
#
# Prints, in markdown: evpl-bench's rows (each library's ns per
# operation, median of the rounds' medians; the ratio after/before,
# median and min-max of the rounds; each library's ratio to DPDK's own
# loop), the fwd flat row over the fwd floor row for each library, the
# testpmd pairs (evpl-testpmd over dpdk-testpmd per second of CPU time and
# wall clock, median and min-max of the rounds, each library), and with
# -c the instruction counts. Run on hugepages, on a quiet machine: the
# load averages at the start and the end are printed with the tables, and
# a loaded machine's figures are labelled as such.
set -eu

old=""
build=build
rounds=3
secs=5
lcore=1
lcores=0-1
pairs=""
cg=0
exclude='^slab alloc\+release'
do_pmd=1
do_bench=1
own=0
while getopts "o:O:b:r:d:l:L:p:cx:TBh" o; do
    case "$o" in
    o) old=$OPTARG ;;
    O) old=$OPTARG own=1 ;;
    b) build=$OPTARG ;;
    r) rounds=$OPTARG ;;
    d) secs=$OPTARG ;;
    l) lcore=$OPTARG ;;
    L) lcores=$OPTARG ;;
    p) pairs=$OPTARG ;;
    c) cg=1 ;;
    x) exclude=$OPTARG ;;
    T) do_pmd=0 ;;
    B) do_bench=0 ;;
    *)
        sed -n '4,56p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- --reps 11 --iters 100000

cd "$(dirname "$0")/.."
root=$(pwd)
if [ -z "$old" ]; then
    echo "$0: -o OLD_LIB_DIR or -O OLD_BUILD_DIR is required (-h for help)" >&2
    exit 2
fi
old=$(cd "$old" && pwd)
bench=$build/apps/bench/evpl-bench
old_bench=$bench
old_build=$build
lib=$(ls "$old"/libevpl-dpdk.so.* 2>/dev/null | head -1)
if [ -z "$lib" ]; then
    echo "$0: no libevpl-dpdk.so.* in $old" >&2
    exit 1
fi
ninja -C "$build" >/dev/null
new_lib=$(LD_LIBRARY_PATH="" ldd "$bench" | awk '/libevpl-dpdk/ { print $3 }')
if [ "$own" -eq 1 ]; then
    old_build=$old
    old_bench=$old/apps/bench/evpl-bench
    old_lib=$(LD_LIBRARY_PATH="" ldd "$old_bench" |
        awk '/libevpl-dpdk/ { print $3 }')
else
    old_lib=$(LD_LIBRARY_PATH="$old" ldd "$bench" |
        awk '/libevpl-dpdk/ { print $3 }')
fi
if [ "$(readlink -f "$new_lib")" = "$(readlink -f "$old_lib")" ]; then
    echo "$0: LD_LIBRARY_PATH=$old does not change the library" \
        "$new_lib" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load() { cut -d' ' -f1-3 </proc/loadavg; }
echo "before: $old_lib"
echo "after:  $new_lib"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs;" \
    "load averages at the start: $(load)"
load >"$tmp/load.start"

# run_lib WHICH CMD...: CMD with the library WHICH (old or new).
run_lib() {
    local which=$1
    shift
    if [ "$which" = old ] && [ "$own" -eq 0 ]; then
        LD_LIBRARY_PATH="$old" "$@"
    else
        "$@"
    fi
}

eal="-l $lcore --in-memory --no-pci --log-level=lib.eal:warning"
for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then order="old new"; else order="new old"; fi
    for which in $order; do
        if [ "$do_bench" -eq 1 ]; then
            echo "round $r: evpl-bench, $which library" >&2
            # shellcheck disable=SC2086
            b=$bench
            [ "$which" = new ] || b=$old_bench
            run_lib "$which" "$b" $eal -- --json --clock cpu \
                --no-sweep "$@" >"$tmp/bench.$which.$r.json" 2>/dev/null
        fi
        if [ "$do_pmd" -eq 1 ]; then
            echo "round $r: bench-testpmd.sh, $which library" >&2
            d=$build
            [ "$which" = new ] || d=$old_build
            run_lib "$which" scripts/bench-testpmd.sh -r 1 -d "$secs" \
                -l "$lcores" -b "$d" ${pairs:+-p "$pairs"} \
                >"$tmp/pmd.$which.$r.txt"
        fi
    done
done
if [ "$cg" -eq 1 ]; then
    "$bench" --list 2>/dev/null | cut -f1 | awk '!seen[$0]++' |
        { if [ -n "$exclude" ]; then grep -Ev "$exclude"; else cat; fi; } \
        >"$tmp/rows"
    for which in old new; do
        d=$build
        [ "$which" = new ] || d=$old_build
        while IFS= read -r name; do
            echo "callgrind: $name, $which library" >&2
            # A row the older evpl-bench of -O lacks gives no line.
            line=$(run_lib "$which" apps/bench/callgrind.sh --evpl-only \
                "$d" "$name" 2>/dev/null | sed -n '2p') || line=
            [ -n "$line" ] || continue
            printf '%s\n' "$line" >>"$tmp/cg.$which"
            printf '%s\n' "$name" >>"$tmp/cg.$which.names"
        done <"$tmp/rows"
    done
fi
echo "load averages at the end: $(load)"
load >"$tmp/load.end"

python3 - "$tmp" "$rounds" "$do_bench" "$do_pmd" "$cg" "$(nproc)" <<'EOF'
import json, os, re, statistics, sys

tmp, rounds = sys.argv[1], int(sys.argv[2])
do_bench, do_pmd, cg = (x == "1" for x in sys.argv[3:6])
ncpu = int(sys.argv[6])
med = statistics.median
loads = [float(open(os.path.join(tmp, f)).read().split()[0])
         for f in ("load.start", "load.end")]
noisy = max(loads) > 0.25 * ncpu
label = ("NOISY: load average up to %.1f on %d CPUs; read the ratios, "
         "not the ns" % (max(loads), ncpu)) if noisy else \
        "quiet: load average at most %.1f on %d CPUs" % (max(loads), ncpu)
print()
print("Figures:", label)

def mmm(v, f="%.3f"):
    return "%s (%s-%s)" % (f % med(v), f % min(v), f % max(v))

if do_bench:
    runs = {w: [json.load(open(os.path.join(tmp, "bench.%s.%d.json" %
                                            (w, r))))
                for r in range(1, rounds + 1)] for w in ("old", "new")}
    print()
    print("evpl-bench, %d rounds (%s); ns per operation, CPU clock" %
          (rounds, runs["new"][0]["command"].split(" -- ", 1)[-1]))
    print()
    print("| evpl-dpdk operation | DPDK equivalent | before ns | after ns |"
          " after/before (min-max) | before: ratio to DPDK |"
          " after: ratio to DPDK |")
    print("|---|---|--:|--:|--:|--:|--:|")
    def ops(d):
        return {(o["name"], o["dpdk_name"]): o for o in d["ops"]}
    keys = [(o["name"], o["dpdk_name"]) for o in runs["new"][0]["ops"]]
    for k in keys:
        if any(k not in ops(d) for d in runs["old"]):
            continue
        o = [ops(d)[k] for d in runs["old"]]
        n = [ops(d)[k] for d in runs["new"]]
        ons = [x["evpl"]["median_ns"] for x in o]
        nns = [x["evpl"]["median_ns"] for x in n]
        per = [b / a for a, b in zip(ons, nns)]
        print("| %s | %s | %.2f | %.2f | %s | %s | %s |" %
              (k[0], k[1], med(ons), med(nns), mmm(per),
               mmm([x["ratio"]["median"] for x in o], "%.2f"),
               mmm([x["ratio"]["median"] for x in n], "%.2f")))
    def row(d, prefix):
        for x in d["ops"]:
            if x["name"].startswith(prefix):
                return x["evpl"]["median_ns"]
        return None
    print()
    for w, name in (("old", "before"), ("new", "after")):
        v = [row(d, "fwd evpl_dpdk_rx/tx_burst_flat") /
             row(d, "fwd floor") for d in runs[w]]
        print("fwd flat / fwd floor (ns), %s: %s" % (name, mmm(v)))

if do_pmd:
    pat = re.compile(r"^round \d+ (\S+)\s+dpdk-testpmd\s+([\d.]+) Mpps "
                     r"\(\s*([\d.]+) /CPU-s\)\s+evpl-testpmd\s+([\d.]+) Mpps "
                     r"\(\s*([\d.]+) /CPU-s\)")
    res = {}
    for w in ("old", "new"):
        for r in range(1, rounds + 1):
            for line in open(os.path.join(tmp, "pmd.%s.%d.txt" % (w, r))):
                m = pat.match(line)
                if m:
                    p = m.group(1)
                    tw, tc, ew, ec = map(float, m.groups()[1:])
                    res.setdefault((w, p), []).append(
                        (ew / tw, ec / tc if tc > 0 else 0, ec, tc))
    pairs = []
    for (w, p) in res:
        if p not in pairs:
            pairs.append(p)
    print()
    print("bench-testpmd.sh pairs, %d rounds: evpl-testpmd / dpdk-testpmd"
          % rounds)
    print()
    print("| pair | before: per CPU-s | after: per CPU-s |"
          " before: wall clock | after: wall clock |")
    print("|---|--:|--:|--:|--:|")
    for p in pairs:
        o, n = res.get(("old", p), []), res.get(("new", p), [])
        if not o or not n:
            continue
        print("| %s | %s | %s | %s | %s |" %
              (p, mmm([x[1] for x in o]), mmm([x[1] for x in n]),
               mmm([x[0] for x in o]), mmm([x[0] for x in n])))

if cg:
    print()
    print("Instructions per operation, the evpl-dpdk loop (callgrind)")
    print()
    print("| evpl-bench row | before | after | after/before |")
    print("|---|--:|--:|--:|")
    got = {}
    for w in ("old", "new"):
        names = open(os.path.join(tmp, "cg.%s.names" % w)).read().splitlines()
        vals = open(os.path.join(tmp, "cg.%s" % w)).read().splitlines()
        for name, line in zip(names, vals):
            got[(w, name)] = float(line.split()[-1])
    for name in names:
        if ("old", name) not in got:
            continue
        a, b = got[("old", name)], got[("new", name)]
        print("| %s | %.1f | %.1f | %.3f |" % (name, a, b, b / a))
EOF
