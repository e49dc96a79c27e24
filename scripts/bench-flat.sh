#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-only
#
# The flat bursts' two builds side by side: the scalar transmit loop
# (meson -Dflat_bursts=scalar) against the four-at-a-time SSE2 one
# (the default on x86-64), on evpl-bench's forwarding rows.
#
#   scripts/bench-flat.sh [-r ROUNDS] [-s SCALAR_BUILD] [-v VECTOR_BUILD]
#                         [-l LCORE] [-n] [-- EVPL_BENCH_ARGS...]
#
#   -r  rounds (default 5); each round runs both builds' evpl-bench once,
#       the order swapped from one round to the next
#   -s  build directory configured with -Dflat_bursts=scalar
#       (default build-scalar; made and built here if missing)
#   -v  build directory with the default (vector) loops (default build)
#   -l  the lcore evpl-bench runs on (default 1)
#   -n  no callgrind counts (valgrind is slow: about a minute)
#   after --: evpl-bench options (default --reps 21 --iters 100000)
#
# Prints one table: for each fwd row (raw, floor, evpl, flat) the
# instructions per packet of each build (callgrind, apps/bench/callgrind.sh),
# the ns per packet (CPU clock, median over the rounds of each run's
# median) and the ratio to raw within each build's runs (median over
# rounds), then the ratio vector/scalar of the flat row's ns, round by
# round. Only the flat row differs between the two builds; the others are
# the control. Run on hugepages; on a shared machine read the ratios.
set -eu

rounds=5
scalar=build-scalar
vector=build
lcore=1
cg=1
while getopts "r:s:v:l:nh" o; do
    case "$o" in
    r) rounds=$OPTARG ;;
    s) scalar=$OPTARG ;;
    v) vector=$OPTARG ;;
    l) lcore=$OPTARG ;;
    n) cg=0 ;;
    *)
        sed -n '4,25p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- --reps 21 --iters 100000

cd "$(dirname "$0")/.."
if [ ! -f "$scalar/build.ninja" ]; then
    meson setup "$scalar" -Dflat_bursts=scalar >/dev/null
fi
ninja -C "$scalar" apps/bench/evpl-bench >/dev/null
ninja -C "$vector" apps/bench/evpl-bench >/dev/null
grep -q 'EVPL_FLAT_VECTOR' "$vector/build.ninja" || {
    echo "$vector is not a vector build (flat_bursts=auto on x86-64)" >&2
    exit 1
}
grep -q 'EVPL_FLAT_VECTOR' "$scalar/build.ninja" && {
    echo "$scalar is not a scalar build (-Dflat_bursts=scalar)" >&2
    exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
eal="-l $lcore --in-memory --no-pci --log-level=lib.eal:warning"
for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then order="s v"; else order="v s"; fi
    for b in $order; do
        if [ "$b" = s ]; then dir=$scalar; else dir=$vector; fi
        # shellcheck disable=SC2086
        "$dir/apps/bench/evpl-bench" $eal -- --json --clock cpu --no-sweep \
            --only fwd "$@" >"$tmp/$b.$r.json" 2>/dev/null
    done
done
if [ "$cg" -eq 1 ]; then
    for b in s v; do
        if [ "$b" = s ]; then dir=$scalar; else dir=$vector; fi
        apps/bench/callgrind.sh "$dir" "fwd floor" "fwd evpl_dpdk_rx_burst+" \
            "fwd evpl_dpdk_rx/tx_burst_flat" >"$tmp/$b.cg"
    done
fi

python3 - "$tmp" "$rounds" "$cg" <<'EOF'
import json, os, re, statistics, sys

tmp, rounds, cg = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
med = statistics.median
rows = [("fwd floor", "floor: fill an iovec, read it back, write 3 fields"),
        ("fwd evpl_dpdk_rx_burst+", "evpl: evpl_dpdk_rx_burst + tx_burst"),
        ("fwd evpl_dpdk_rx/tx_burst_flat",
         "flat: evpl_dpdk_rx/tx_burst_flat")]

def instr(b):
    """fn name -> instructions per packet, from callgrind.sh's output."""
    out = {}
    if not cg:
        return out
    for line in open(os.path.join(tmp, b + ".cg")):
        m = re.match(r"^  (fwd_\w+)\s+([0-9.]+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out

runs = {b: [json.load(open(os.path.join(tmp, "%s.%d.json" % (b, r))))
            for r in range(1, rounds + 1)] for b in "sv"}
ins = {b: instr(b) for b in "sv"}

def op(d, prefix):
    for o in d["ops"]:
        if o["name"].startswith(prefix):
            return o
    raise SystemExit("no row %r in evpl-bench's output" % prefix)

def fmt(x, f="%.1f"):
    return "-" if x is None else f % x

print("%d rounds, evpl-bench %s" % (rounds, runs["s"][0]["command"]
                                     .split(" -- ", 1)[-1]))
print()
print("| loop | scalar: instr/pkt | vector: instr/pkt | scalar: ns/pkt |"
      " vector: ns/pkt | scalar: ratio to raw | vector: ratio to raw |")
print("|---|--:|--:|--:|--:|--:|--:|")
raw = {b: med(op(d, rows[0][0])["dpdk"]["median_ns"] for d in runs[b])
       for b in "sv"}
print("| raw: rte_eth_rx_burst + tx_burst | %s | %s | %.2f | %.2f | 1 | 1 |" %
      (fmt(ins["s"].get("fwd_raw")), fmt(ins["v"].get("fwd_raw")),
       raw["s"], raw["v"]))
fns = {"fwd floor": "fwd_floor", "fwd evpl_dpdk_rx_burst+": "fwd_evpl",
       "fwd evpl_dpdk_rx/tx_burst_flat": "fwd_flat"}
for prefix, label in rows:
    ns = {b: med(op(d, prefix)["evpl"]["median_ns"] for d in runs[b])
          for b in "sv"}
    ratio = {b: med(op(d, prefix)["ratio"]["median"] for d in runs[b])
             for b in "sv"}
    print("| %s | %s | %s | %.2f | %.2f | %.3f | %.3f |" %
          (label, fmt(ins["s"].get(fns[prefix])),
           fmt(ins["v"].get(fns[prefix])), ns["s"], ns["v"], ratio["s"],
           ratio["v"]))
per = [op(v, rows[2][0])["evpl"]["median_ns"] /
       op(s, rows[2][0])["evpl"]["median_ns"]
       for s, v in zip(runs["s"], runs["v"])]
print()
print("flat row, vector ns / scalar ns, round by round: %s; median %.3f" %
      (" ".join("%.3f" % x for x in per), med(per)))
EOF
