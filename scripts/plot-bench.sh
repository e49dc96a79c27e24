#!/bin/sh
# Draw the charts of docs/performance.md from evpl-bench's JSON output.
#
#   build/apps/bench/evpl-bench --json > bench.json
#   scripts/plot-bench.sh bench.json [OUTDIR]
#
# Writes OUTDIR/bench-alloc.png (alloc+release, ns/op by request size,
# evpl-dpdk against raw DPDK) and OUTDIR/bench-tx-copy.png (transmit of a
# shared iovec, copy against attach, by size), OUTDIR defaulting to
# docs/img. The tables of docs/performance.md come from the same JSON
# through scripts/perf-report.py. Needs python3 (which meson needs anyway)
# and gnuplot; on Debian, apt-get install gnuplot-nox.
set -eu

json=${1:?usage: $0 BENCH.json [OUTDIR]}
out=${2:-$(dirname "$0")/../docs/img}
command -v gnuplot >/dev/null || {
    echo "$0: gnuplot not found (Debian: apt-get install gnuplot-nox)" >&2
    exit 1
}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# JSON -> whitespace-separated columns gnuplot reads; the title line names
# the machine.
python3 - "$json" "$tmp" <<'PY'
import json, sys

b = json.load(open(sys.argv[1]))
tmp = sys.argv[2]
m = b["machine"]
with open(f"{tmp}/title", "w") as f:
    f.write(f'{m["cpu"]}, {m["dpdk"]}, lcore {m["lcore"]}, '
            f'{"hugepages" if m["hugepages"] else "NO hugepages"}; '
            f'median of {b["reps"]} x {b["iters"]} ops'
            f'{", thread CPU clock" if b.get("clock") == "cpu" else ""}, '
            f'bars: min-max')

# size evpl_median evpl_min evpl_max dpdk_median dpdk_min dpdk_max
with open(f"{tmp}/alloc.dat", "w") as f:
    for o in b["ops"]:
        if o.get("series") != "alloc":
            continue
        e, d = o["evpl"], o["dpdk"]
        f.write(f'{o["size"]} {e["median_ns"]} {e["min_ns"]} {e["max_ns"]} '
                f'{d["median_ns"]} {d["min_ns"]} {d["max_ns"]}\n')

# one file per shape and cache state: size copy(med,min,max) attach(...)
for shape in ("header+payload", "header"):
    for cache in ("hot", "cold"):
        name = f'{tmp}/tx-{shape.replace("+", "-")}-{cache}.dat'
        with open(name, "w") as f:
            for p in b["tx_sweep"]:
                if p["shape"] != shape or p["cache"] != cache:
                    continue
                c, a = p["copy"], p["attach"]
                f.write(f'{p["size"]} {c["median_ns"]} {c["min_ns"]} '
                        f'{c["max_ns"]} {a["median_ns"]} {a["min_ns"]} '
                        f'{a["max_ns"]}\n')
PY

title=$(cat "$tmp/title")
copy_max=$(sed -n 's/^#define EVPL_DPDK_TX_COPY_MAX \([0-9]*\)u.*/\1/p' \
    "$(dirname "$0")/../include/evpl/evpl_dpdk.h")

gnuplot <<EOF
set terminal pngcairo size 900,540 font "sans,10"
set output "$out/bench-alloc.png"
set title "alloc + release, ns per operation by request size\n{/*0.8 $title}"
set logscale x 2
set xtics ("64" 64, "512" 512, "1500" 1500, "9000" 9000, "65536" 65536)
set xrange [48:90000]
set yrange [0:*]
set xlabel "request size, bytes (9000 and 65536: 2 and 8 mbufs)"
set ylabel "ns per alloc + release"
set grid ytics
set key top left
plot "$tmp/alloc.dat" using 1:2:3:4 with yerrorlines lw 2 pt 7 \
        title "evpl-dpdk: evpl\\\_iovec\\\_alloc + evpl\\\_iovec\\\_release", \
     "" using 1:5:6:7 with yerrorlines lw 2 pt 5 dt 2 \
        title "DPDK: rte\\\_pktmbuf\\\_alloc + free (bulk for 2 and 8 mbufs)"
EOF

gnuplot <<EOF
set terminal pngcairo size 1000,820 font "sans,10"
set output "$out/bench-tx-copy.png"
set multiplot layout 2,1 title "transmit of a shared iovec: evpl\\\_dpdk\\\_iovecs\\\_to\\\_mbuf + rte\\\_pktmbuf\\\_free, copy against attach\n{/*0.8 $title}"
set logscale x 2
set xtics (16, 32, 64, 128, 256, 512, 1024)
set xrange [14:1150]
set yrange [0:*]
set xlabel "shared iovec, bytes"
set ylabel "ns per packet"
set grid ytics
set key top left
set arrow 1 from $copy_max, graph 0 to $copy_max, graph 1 nohead dt 3 lc "gray40"
set label 1 "EVPL\\\_DPDK\\\_TX\\\_COPY\\\_MAX = $copy_max" at $copy_max, graph 0.95 right offset -1,0 tc "gray40"
set title "shared header before a 1024-byte exclusive payload"
plot "$tmp/tx-header-payload-hot.dat" using 1:2:3:4 with yerrorlines lw 2 pt 7 lc 1 title "copy, header in cache", \
     "" using 1:5:6:7 with yerrorlines lw 2 pt 5 lc 2 title "attach, header in cache", \
     "$tmp/tx-header-payload-cold.dat" using 1:2:3:4 with yerrorlines lw 2 pt 7 dt 2 lc 1 title "copy, 1024 headers in rotation", \
     "" using 1:5:6:7 with yerrorlines lw 2 pt 5 dt 2 lc 2 title "attach, 1024 headers in rotation"
set title "shared iovec alone"
plot "$tmp/tx-header-hot.dat" using 1:2:3:4 with yerrorlines lw 2 pt 7 lc 1 title "copy, in cache", \
     "" using 1:5:6:7 with yerrorlines lw 2 pt 5 lc 2 title "attach, in cache", \
     "$tmp/tx-header-cold.dat" using 1:2:3:4 with yerrorlines lw 2 pt 7 dt 2 lc 1 title "copy, 1024 in rotation", \
     "" using 1:5:6:7 with yerrorlines lw 2 pt 5 dt 2 lc 2 title "attach, 1024 in rotation"
unset multiplot
EOF

echo "wrote $out/bench-alloc.png and $out/bench-tx-copy.png" >&2
