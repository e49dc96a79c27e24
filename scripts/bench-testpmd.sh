#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-only
#
# evpl-testpmd against dpdk-testpmd on the same net_null ports and lcores,
# the two programs alternating, several rounds in one run.
#
#   scripts/bench-testpmd.sh [-r ROUNDS] [-d SECONDS] [-l LCORES]
#                            [-b BUILD_DIR] [-p PAIRS]
#
#   -r  rounds (default 3); each round runs every pair once, the order of
#       the two programs swapped from one round to the next
#   -d  seconds per run (default 5)
#   -l  EAL lcore list (default 0-1: main lcore 0, forwarding lcore 1)
#   -b  the build directory holding apps/evpl-testpmd (default build)
#   -p  pairs to run, comma separated (default all):
#         io          testpmd io          vs evpl-testpmd io
#         iovec       testpmd io          vs evpl-testpmd iovec
#         txonly-64   testpmd txonly 64 B vs evpl-testpmd txonly 64 B
#         txonly-1500 the same at 1500 bytes
#         txonly-2seg the same with two segments, 64 + 1436 bytes
#
# A run has two rates, both from the ports' own counters (both programs
# print testpmd's statistics page, every second):
#  - wall clock: the median, over the statistics periods but the first
#    (warm-up), of the packets per second all ports sent (Tx-pps);
#  - per CPU second: all the packets sent (the final "Accumulated forward
#    statistics") over the CPU time the forwarding lcores (the EAL's
#    worker threads, from /proc/PID/task/TID/schedstat) had in the run.
#    On a machine where other work takes time slices from the forwarding
#    lcore this is the one to read; on an idle one the two agree.
# Each pair prints both programs' Mpps and the ratio evpl/testpmd of each
# round, then min/median/max, in one table per rate. Run on hugepages;
# BENCH_LOCK=FILE runs each program under flock -x FILE, for a machine
# shared with other jobs.
set -u

rounds=3
secs=5
lcores=0-1
build=build
pairs="io,iovec,txonly-64,txonly-1500,txonly-2seg"
while getopts "r:d:l:b:p:h" o; do
    case "$o" in
    r) rounds=$OPTARG ;;
    d) secs=$OPTARG ;;
    l) lcores=$OPTARG ;;
    b) build=$OPTARG ;;
    p) pairs=$OPTARG ;;
    *)
        sed -n '4,38p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    esac
done

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
bench_programs "$build"
bench_check_secs "$secs"

eal="-l $lcores --no-pci --in-memory --vdev=net_null0 --vdev=net_null1"
eal="$eal --log-level=lib.eal:warning"
nports=2

# The two programs' command lines for a pair.
testpmd_args() {
    case "$1" in
    io | iovec) echo "--forward-mode=io" ;;
    txonly-64) echo "--forward-mode=txonly --txpkts=64" ;;
    txonly-1500) echo "--forward-mode=txonly --txpkts=1500" ;;
    txonly-2seg) echo "--forward-mode=txonly --txpkts=64,1436" ;;
    esac
}
evpl_args() {
    case "$1" in
    io) echo "--forward-mode=io" ;;
    iovec) echo "--forward-mode=iovec" ;;
    txonly-64) echo "--forward-mode=txonly --txpkts=64" ;;
    txonly-1500) echo "--forward-mode=txonly --txpkts=1500" ;;
    txonly-2seg) echo "--forward-mode=txonly --txpkts=64,1436" ;;
    esac
}

out=$(mktemp)
trap '[ -n "${BENCH_DEBUG:-}" ] || rm -f "$out" "$out.cpu"' EXIT
run_testpmd() {
    local cpu
    # testpmd prints its page every period until SIGINT.
    # shellcheck disable=SC2086
    cpu=$(run_sampled dpdk-testpmd lock timeout -k 5 -s INT "$((secs + 2))" \
        "$testpmd" $eal -- --nb-cores=1 --stats-period=1 \
        $(testpmd_args "$1"))
    tr -d '\033' <"$out" | rate "$cpu"
}
run_evpl() {
    local cpu
    # shellcheck disable=SC2086
    cpu=$(run_sampled evpl-testpmd lock timeout -k 5 "$((secs + 30))" \
        "$evpl" $eal -- --stats-period=1 --duration="$secs" \
        $(evpl_args "$1"))
    rate "$cpu" <"$out"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs," \
    "DPDK $(pkg-config --modversion libdpdk 2>/dev/null || echo '?')," \
    "kernel $(uname -r)"
echo "lcores $lcores, net_null0 + net_null1, ${secs}s per run, $rounds rounds"
echo

declare -A tp ev ratio tpc evc ratioc
IFS=, read -r -a plist <<<"$pairs"
for ((r = 1; r <= rounds; r++)); do
    for pair in "${plist[@]}"; do
        if [ -z "$(testpmd_args "$pair")" ]; then
            echo "unknown pair $pair" >&2
            exit 2
        fi
        # Alternate which program goes first.
        if ((r % 2)); then
            a=$(run_testpmd "$pair")
            b=$(run_evpl "$pair")
        else
            b=$(run_evpl "$pair")
            a=$(run_testpmd "$pair")
        fi
        if [ -z "$a" ] || [ -z "$b" ]; then
            echo "round $r $pair: a run gave no rate (testpmd '$a'," \
                "evpl '$b')" >&2
            exit 1
        fi
        read -r aw ac <<<"$a"
        read -r bw bc <<<"$b"
        tp[$pair]="${tp[$pair]:-} $aw"
        ev[$pair]="${ev[$pair]:-} $bw"
        tpc[$pair]="${tpc[$pair]:-} $ac"
        evc[$pair]="${evc[$pair]:-} $bc"
        rw=$(awk -v a="$aw" -v b="$bw" 'BEGIN { printf "%.3f", b / a }')
        rc=$(awk -v a="$ac" -v b="$bc" \
            'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
        ratio[$pair]="${ratio[$pair]:-} $rw"
        ratioc[$pair]="${ratioc[$pair]:-} $rc"
        printf 'round %d %-12s dpdk-testpmd %8.2f Mpps (%8.2f /CPU-s)' \
            "$r" "$pair" "$aw" "$ac"
        printf '  evpl-testpmd %8.2f Mpps (%8.2f /CPU-s)  ratio %s (%s)\n' \
            "$bw" "$bc" "$rw" "$rc"
    done
done

# min/median/max of a list of numbers
mmm() {
    tr ' ' '\n' | awk 'NF { v[++n] = $1 }
        END {
            for (i = 1; i <= n; i++)
                for (j = i + 1; j <= n; j++)
                    if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            printf "%s / %s / %s", v[1], med, v[n]
        }'
}

table() {
    # $1 title; $2 $3 $4: names of the arrays of testpmd, evpl, ratio
    local -n t=$2 e=$3 q=$4
    echo
    echo "$1"
    echo
    printf '| %-12s | %-26s | %-26s | %-21s |\n' pair \
        "dpdk-testpmd Mpps" "evpl-testpmd Mpps" "ratio"
    printf '| %-12s | %-26s | %-26s | %-21s |\n' "" \
        "min / median / max" "min / median / max" "min / median / max"
    printf '|%s|%s|%s|%s|\n' -------------- ---------------------------- \
        ---------------------------- -----------------------
    for pair in "${plist[@]}"; do
        printf '| %-12s | %-26s | %-26s | %-21s |\n' "$pair" \
            "$(echo "${t[$pair]}" | mmm)" "$(echo "${e[$pair]}" | mmm)" \
            "$(echo "${q[$pair]}" | mmm)"
    done
}
table "Wall clock: median Tx-pps over the periods" tp ev ratio
table "Per second of forwarding-lcore CPU time (Mpps per CPU-s)" tpc evc ratioc
