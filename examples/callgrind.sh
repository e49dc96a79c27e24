#!/bin/sh
# Instructions per fragment or segment of every row of the examples'
# benchmarks (ip_frag --bench, tcp_seg --bench), each way (ours, DPDK's
# library, by hand) counted by callgrind: deterministic, where the timed
# figures of a shared machine are not.
#
#   examples/callgrind.sh BUILD_DIR [NAME] [--convert pieces]
#
# For each row (or those whose name contains NAME), runs the example's
# --bench --only ROW --way WAY under valgrind --tool=callgrind, collecting
# only inside that way's loop function (--toggle-collect; --bench --list
# names them), and prints the instructions per fragment or segment, the
# ratios, and with -v the costliest functions. Counts under --no-huge
# (valgrind and hugetlbfs do not mix well); they do not depend on the
# memory mode. Counts, not times: callgrind knows nothing of latency or of
# the price of an atomic instruction.
set -eu

build=${1:?usage: $0 BUILD_DIR [NAME] [--convert pieces]}
shift
only=
convert=whole
verbose=0
while [ $# -gt 0 ]; do
    case $1 in
    --convert) convert=$2; shift 2 ;;
    -v) verbose=1; shift ;;
    *) only=$1; shift ;;
    esac
done
iters=400
# bench_run() warms each way up with iters / 4 + 1 jobs, then --reps 1.
jobs=$((iters / 4 + 1 + iters))
command -v valgrind >/dev/null || {
    echo "$0: valgrind not found (Debian: apt-get install valgrind)" >&2
    exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
eal="-l 0 --no-huge -m 1024 --no-shconf --no-pci --log-level=lib.eal:warning"

printf '%-44s %9s %9s %9s %9s %9s\n' "instructions per fragment or segment" \
    ours dpdk hand ours/dpdk ours/hand
for prog in ip_frag tcp_seg; do
    exe=$build/examples/$prog
    # shellcheck disable=SC2086
    "$exe" $eal -- --bench --list >"$tmp/list" 2>/dev/null
    while IFS="$(printf '\t')" read -r name per ours dpdk hand; do
        case $name in *"$only"*) ;; *) continue ;; esac
        set --
        for way in ours dpdk hand; do
            eval "fn=\$$way"
            if [ "$fn" = "-" ]; then
                set -- "$@" "-"
                continue
            fi
            # shellcheck disable=SC2086
            valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
                --toggle-collect="$fn" "$exe" $eal -- --bench --reps 1 \
                --iters "$iters" --only "$name" --way "$way" \
                --convert "$convert" >/dev/null 2>"$tmp/log" || {
                cat "$tmp/log" >&2
                exit 1
            }
            total=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' \
                "$tmp/log")
            set -- "$@" "$(awk -v t="$total" -v n="$jobs" -v p="$per" \
                'BEGIN { printf "%.0f", t / n / p }')"
            if [ "$verbose" = 1 ]; then
                echo "  $name, $way ($fn): costliest functions"
                callgrind_annotate "$tmp/cg.out" 2>/dev/null |
                    sed -n '/file:function/,/^$/p' |
                    grep -E '^ *[0-9,]+ \(' | head -8 |
                    awk -v n="$jobs" -v p="$per" '{ c = $1; gsub(",", "", c);
                        $1 = ""; $2 = ""; printf "    %7.1f %s\n", c / n / p, $0 }'
            fi
        done
        awk -v name="$name" -v o="$1" -v d="$2" -v h="$3" 'BEGIN {
            r1 = d == "-" ? "-" : sprintf("%.2f", o / d);
            r2 = h == "-" ? "-" : sprintf("%.2f", o / h);
            printf "%-44s %9s %9s %9s %9s %9s\n", name, o, d, h, r1, r2 }'
    done <"$tmp/list"
done
