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
# A run's rate is the median, over its statistics periods but the first
# (warm-up), of the packets per second all ports sent (Tx-pps, from the
# ports' own counters: both programs print testpmd's statistics page).
# Each pair prints both programs' Mpps and the ratio evpl/testpmd of each
# round, then min/median/max. Run on hugepages; BENCH_LOCK=FILE runs each
# program under flock -x FILE, for a machine shared with other jobs.
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
        sed -n '4,30p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    esac
done

cd "$(dirname "$0")/.."
evpl=$build/apps/evpl-testpmd/evpl-testpmd
testpmd=$(command -v dpdk-testpmd)
if [ ! -x "$evpl" ] || [ -z "$testpmd" ]; then
    echo "need $evpl (meson setup $build && ninja -C $build) and" \
        "dpdk-testpmd (package dpdk)" >&2
    exit 1
fi
case "$secs" in
'' | *[!0-9]*)
    echo "-d takes whole seconds" >&2
    exit 2
    ;;
esac
if [ "$secs" -lt 3 ]; then
    echo "-d: at least 3 seconds (the first period is warm-up)" >&2
    exit 2
fi

eal="-l $lcores --no-pci --in-memory --vdev=net_null0 --vdev=net_null1"
eal="$eal --log-level=lib.eal:warning"
lock() {
    if [ -n "${BENCH_LOCK:-}" ]; then flock -x "$BENCH_LOCK" "$@"; else "$@"; fi
}

# Median of the per-period sums of Tx-pps over nports ports, the first
# period left out, in Mpps; nothing if there are too few periods.
rate() {
    awk -v n=2 '
        /Tx-pps:/ { sum += $2; if (++k % n == 0) { s[++p] = sum; sum = 0 } }
        END {
            if (p < 2) exit 1
            m = 0
            for (i = 2; i <= p; i++) v[++m] = s[i]
            for (i = 1; i <= m; i++)
                for (j = i + 1; j <= m; j++)
                    if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
            printf "%.2f\n", med / 1e6
        }'
}

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

run_testpmd() {
    # testpmd prints its page every period until SIGINT.
    # shellcheck disable=SC2086
    lock timeout -k 5 -s INT "$((secs + 1))" "$testpmd" $eal -- \
        --nb-cores=1 --stats-period=1 $(testpmd_args "$1") 2>&1 |
        tr -d '\033' | rate
}
run_evpl() {
    # shellcheck disable=SC2086
    lock timeout -k 5 "$((secs + 30))" "$evpl" $eal -- --stats-period=1 \
        --duration="$secs" $(evpl_args "$1") 2>&1 | rate
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs," \
    "DPDK $(pkg-config --modversion libdpdk 2>/dev/null || echo '?')," \
    "kernel $(uname -r)"
echo "lcores $lcores, net_null0 + net_null1, ${secs}s per run, $rounds rounds"
echo

declare -A tp ev ratio
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
        tp[$pair]="${tp[$pair]:-} $a"
        ev[$pair]="${ev[$pair]:-} $b"
        ratio[$pair]="${ratio[$pair]:-} $(awk -v a="$a" -v b="$b" \
            'BEGIN { printf "%.3f", b / a }')"
        printf 'round %d %-12s dpdk-testpmd %8.2f Mpps  evpl-testpmd %8.2f' \
            "$r" "$pair" "$a" "$b"
        printf ' Mpps  ratio %s\n' "$(awk -v a="$a" -v b="$b" \
            'BEGIN { printf "%.3f", b / a }')"
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

echo
printf '| %-12s | %-26s | %-26s | %-21s |\n' pair \
    "dpdk-testpmd Mpps" "evpl-testpmd Mpps" "ratio"
printf '| %-12s | %-26s | %-26s | %-21s |\n' "" \
    "min / median / max" "min / median / max" "min / median / max"
printf '|%s|%s|%s|%s|\n' -------------- ---------------------------- \
    ---------------------------- -----------------------
for pair in "${plist[@]}"; do
    printf '| %-12s | %-26s | %-26s | %-21s |\n' "$pair" \
        "$(echo "${tp[$pair]}" | mmm)" "$(echo "${ev[$pair]}" | mmm)" \
        "$(echo "${ratio[$pair]}" | mmm)"
done
