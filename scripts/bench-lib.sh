# SPDX-License-Identifier: LGPL-2.1-only
#
# Shared by scripts/bench-testpmd.sh and scripts/bench-scaling.sh (bash,
# sourced): run a testpmd-like program, and turn its statistics pages and
# its forwarding lcores' CPU time into rates. The caller sets out (a
# temporary file) and nports.

# evpl-testpmd of build dir $1 and dpdk-testpmd into evpl and testpmd,
# or a message and exit 1.
bench_programs() {
    evpl=$1/apps/evpl-testpmd/evpl-testpmd
    testpmd=$(command -v dpdk-testpmd)
    if [ ! -x "$evpl" ] || [ -z "$testpmd" ]; then
        echo "need $evpl (meson setup $1 && ninja -C $1) and" \
            "dpdk-testpmd (package dpdk)" >&2
        exit 1
    fi
}

# -d's value: whole seconds, at least 3 (the first period is warm-up).
bench_check_secs() {
    case "$1" in
    '' | *[!0-9]*)
        echo "-d takes whole seconds" >&2
        exit 2
        ;;
    esac
    if [ "$1" -lt 3 ]; then
        echo "-d: at least 3 seconds (the first period is warm-up)" >&2
        exit 2
    fi
}

# Run "$@", under flock -x $BENCH_LOCK when that is set (a machine shared
# with other jobs).
lock() {
    if [ -n "${BENCH_LOCK:-}" ]; then flock -x "$BENCH_LOCK" "$@"; else "$@"; fi
}

# The CPU time, in ns, that the threads named *worker* of process $1 (the
# EAL's forwarding lcores) have had: the first field of their schedstat.
worker_cpu_ns() {
    local t sum=0 comm run rest
    for t in /proc/"$1"/task/*; do
        { read -r comm <"$t/comm"; } 2>/dev/null || continue
        case "$comm" in
        *worker*)
            { read -r run rest <"$t/schedstat"; } 2>/dev/null || continue
            sum=$((sum + run))
            ;;
        esac
    done
    echo "$sum"
}

descendants() {
    local c
    for c in $(pgrep -P "$1"); do
        echo "$c"
        descendants "$c"
    done
}

# Run a program ("$@", output to file $out) and print the most CPU time
# its forwarding lcores had, sampled every 50 ms until it exits: once
# forwarding stops they wait without spinning, so the last samples are
# their whole forwarding time. $1 is the process's comm, looked for among
# this shell's descendants. The program runs in the foreground (in the
# background a non-interactive shell would have it ignore SIGINT).
run_sampled() {
    local comm=$1 me=$BASHPID sampler
    shift
    (
        pid="" max=0
        for ((k = 0; k < 400 && ${#pid} == 0; k++)); do
            sleep 0.05
            for c in $(descendants "$me"); do
                if [ "$(cat /proc/"$c"/comm 2>/dev/null)" = "$comm" ]; then
                    pid=$c
                fi
            done
        done
        while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
            v=$(worker_cpu_ns "$pid")
            [ "$v" -gt "$max" ] && max=$v
            sleep 0.05
        done
        echo "$max"
    ) >"$out.cpu" &
    sampler=$!
    "$@" >"$out" 2>&1
    wait "$sampler"
    cat "$out.cpu"
}

# From a program's output and the CPU time of its forwarding lcores:
# "WALL CPU", both in Mpps. WALL is the median, over the statistics
# periods but the first (warm-up), of the sum over the ports of Tx-pps;
# CPU is the packets of the final "Accumulated forward statistics" over
# the forwarding lcores' CPU time. Nothing if there are too few periods.
rate() {
    awk -v n="$nports" -v cpu="$1" '
        /Tx-pps:/ { sum += $2; if (++k % n == 0) { s[++p] = sum; sum = 0 } }
        /Accumulated forward statistics/ { acc = 1 }
        acc && /TX-packets:/ {
            for (i = 1; i < NF; i++) if ($i == "TX-packets:") tx = $(i + 1)
            acc = 0
        }
        END {
            if (p < 2) exit 1
            m = 0
            for (i = 2; i <= p; i++) v[++m] = s[i]
            for (i = 1; i <= m; i++)
                for (j = i + 1; j <= m; j++)
                    if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
            printf "%.2f %.2f\n", med / 1e6, (cpu > 0 ? tx / cpu * 1e3 : 0)
        }'
}

