#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-only
#
# How forwarding scales with lcores: dpdk-testpmd io against evpl-testpmd
# in each mode, on the same two net_null ports, for each number of
# forwarding lcores, the two programs alternating.
#
#   scripts/bench-scaling.sh [-n COUNTS] [-m MODES] [-r ROUNDS]
#                            [-d SECONDS] [-b BUILD_DIR]
#
#   -n  forwarding lcore counts, comma separated (default 1,2; on a
#       16-core machine, say, 1,2,4,8,15)
#   -m  evpl-testpmd modes, comma separated (default io,iovec,pipeline)
#   -r  rounds (default 3); the order of the programs swaps every round
#   -d  seconds per run (default 5)
#   -b  the build directory holding apps/evpl-testpmd (default build)
#
# With N forwarding lcores both programs get main lcore 0 and lcores 1..N,
# and N RX and N TX queues per port (--rxq=N --txq=N; testpmd also
# --nb-cores=N): 2N streams, two per lcore, as with one. Lcore i runs on
# CPU i modulo the CPUs there are (EAL --lcores), so a count above the
# CPUs less one still runs, several lcores sharing a CPU: its wall-clock
# rate then means little, its rate per CPU second still does. pipeline
# pairs its lcores (one receives, one sends), so it runs only with an even
# count.
#
# Each cell is a median over the rounds, in Mpps of both ports together:
# wall clock (median Tx-pps over the statistics periods but the first)
# and per second of the forwarding lcores' CPU time (see
# scripts/bench-testpmd.sh). BENCH_LOCK=FILE runs each program under
# flock -x FILE.
set -u

counts=1,2
modes=io,iovec,pipeline
rounds=3
secs=5
build=build
while getopts "n:m:r:d:b:h" o; do
    case "$o" in
    n) counts=$OPTARG ;;
    m) modes=$OPTARG ;;
    r) rounds=$OPTARG ;;
    d) secs=$OPTARG ;;
    b) build=$OPTARG ;;
    *)
        sed -n '4,32p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    esac
done

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
bench_programs "$build"
bench_check_secs "$secs"

nports=2
out=$(mktemp)
trap 'rm -f "$out" "$out.cpu"' EXIT

ncpu=$(nproc)
# EAL lcore map for main lcore 0 and n forwarding lcores.
lcores() {
    local i map=""
    for ((i = 0; i <= $1; i++)); do
        map="$map${map:+,}$i@$((i % ncpu))"
    done
    echo "--lcores=$map"
}
eal() {
    echo "$(lcores "$1") --no-pci --in-memory --vdev=net_null0" \
        "--vdev=net_null1 --log-level=lib.eal:warning"
}
# Prints "WALL CPU" (Mpps).
run_testpmd() {
    local cpu
    # shellcheck disable=SC2046
    cpu=$(run_sampled dpdk-testpmd lock timeout -k 5 -s INT "$((secs + 2))" \
        "$testpmd" $(eal "$1") -- --nb-cores="$1" --rxq="$1" --txq="$1" \
        --stats-period=1 --forward-mode=io)
    tr -d '\033' <"$out" | rate "$cpu"
}
run_evpl() {
    local cpu
    # shellcheck disable=SC2046
    cpu=$(run_sampled evpl-testpmd lock timeout -k 5 "$((secs + 30))" \
        "$evpl" $(eal "$1") -- --rxq="$1" --txq="$1" --stats-period=1 \
        --duration="$secs" --forward-mode="$2")
    rate "$cpu" <"$out"
}
median() {
    tr ' ' '\n' | awk 'NF { v[++n] = $1 }
        END {
            if (n == 0) { print "-"; exit }
            for (i = 1; i <= n; i++)
                for (j = i + 1; j <= n; j++)
                    if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            printf "%.2f", (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }'
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $ncpu CPUs," \
    "DPDK $(pkg-config --modversion libdpdk 2>/dev/null || echo '?')," \
    "kernel $(uname -r)"
echo "net_null0 + net_null1, ${secs}s per run, $rounds rounds;" \
    "N forwarding lcores, --rxq=N --txq=N"
echo

declare -A wall cpu
IFS=, read -r -a clist <<<"$counts"
IFS=, read -r -a mlist <<<"$modes"
for ((r = 1; r <= rounds; r++)); do
    for n in "${clist[@]}"; do
        progs=(testpmd)
        for m in "${mlist[@]}"; do
            if [ "$m" = pipeline ] && ((n % 2)); then
                continue
            fi
            progs+=("$m")
        done
        # Alternate the order from one round to the next.
        if ((r % 2 == 0)); then
            mapfile -t progs < <(printf '%s\n' "${progs[@]}" | tac)
        fi
        for p in "${progs[@]}"; do
            if [ "$p" = testpmd ]; then
                res=$(run_testpmd "$n")
            else
                res=$(run_evpl "$n" "$p")
            fi
            if [ -z "$res" ]; then
                echo "round $r, $n lcores, $p: no rate" >&2
                continue
            fi
            read -r w c <<<"$res"
            wall[$n,$p]="${wall[$n,$p]:-} $w"
            cpu[$n,$p]="${cpu[$n,$p]:-} $c"
            printf 'round %d  %2d lcores  %-9s %9.2f Mpps  %9.2f Mpps/CPU-s\n' \
                "$r" "$n" "$p" "$w" "$c"
        done
    done
done

for kind in wall cpu; do
    echo
    if [ "$kind" = wall ]; then
        echo "Wall clock, Mpps (median over rounds); ratio to dpdk-testpmd io"
    else
        echo "Per second of forwarding-lcore CPU time, Mpps; ratio to" \
            "dpdk-testpmd io"
    fi
    echo
    printf '| lcores | dpdk-testpmd io |'
    for m in "${mlist[@]}"; do printf ' evpl %s | ratio |' "$m"; done
    echo
    printf '|--:|--:|'
    for m in "${mlist[@]}"; do printf -- '--:|--:|'; done
    echo
    for n in "${clist[@]}"; do
        declare -n tab=$kind
        base=$(echo "${tab[$n,testpmd]:-}" | median)
        printf '| %s | %s |' "$n" "$base"
        for m in "${mlist[@]}"; do
            v=$(echo "${tab[$n,$m]:-}" | median)
            printf ' %s | %s |' "$v" "$(awk -v a="$base" -v b="$v" \
                'BEGIN { if (a + 0 > 0 && b != "-") printf "%.3f", b / a; else printf "-" }')"
        done
        echo
        unset -n tab
    done
done
