#!/bin/sh
# Instructions per operation of evpl-bench's loops, counted by callgrind.
#
#   apps/bench/callgrind.sh [--evpl-only] BUILD_DIR [NAME...]
#
# For each NAME (a part of an operation's name in evpl-bench's table, e.g.
# "alloc+release 64"; default: the rows behind the performance bars), runs
# evpl-bench --only NAME under valgrind --tool=callgrind twice, collecting
# only inside the evpl-dpdk loop's function and then only inside its raw
# DPDK loop's (--toggle-collect; evpl-bench --list names them), and prints
# the instructions per operation of each with the lines that cost the
# most. --evpl-only counts the evpl-dpdk loop alone (the DPDK loop does
# not depend on this library: comparing two libraries needs only the
# other). The functions' set-up outside their loops is a few hundred
# instructions against tens of thousands of operations.
#
# Instruction counts do not depend on the memory mode, so this runs under
# --no-huge (valgrind and hugetlbfs do not mix well). They are counts, not
# times: callgrind knows nothing of latency, so a loop bound by a chain of
# dependent loads can run more instructions in fewer cycles.
set -eu

evpl_only=0
if [ "${1:-}" = --evpl-only ]; then
    evpl_only=1
    shift
fi
build=${1:?usage: $0 [--evpl-only] BUILD_DIR [NAME...]}
shift
[ $# -gt 0 ] || set -- "alloc+release 64 B" "alloc+release 1500 B" \
    "clone+release LOCAL"
bench=$build/apps/bench/evpl-bench
iters=20000
# run_pair() runs iters / 4 to warm up, then --reps 1 times iters.
ops=$((iters / 4 + iters))
command -v valgrind >/dev/null || {
    echo "$0: valgrind not found (Debian: apt-get install valgrind)" >&2
    exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bench" --list >"$tmp/list"
for name in "$@"; do
    row=$(grep -F -m1 "$name" "$tmp/list") || {
        echo "$0: no operation named like \"$name\"" >&2
        exit 1
    }
    echo "== $(printf '%s' "$row" | cut -f1): instructions per operation" \
        "(callgrind, $ops operations)"
    fns=$(printf '%s' "$row" | cut -f2,3 | tr '\t' ' ')
    [ "$evpl_only" -eq 0 ] || fns=$(printf '%s' "$row" | cut -f2)
    for fn in $fns; do
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
            --toggle-collect="$fn" \
            "$bench" -l 0 --no-huge -m 512 --no-shconf --no-pci \
            --log-level=lib.eal:warning -- --reps 1 --iters "$iters" \
            --no-sweep --only "$(printf '%s' "$row" | cut -f1)" \
            >/dev/null 2>"$tmp/log" || {
            cat "$tmp/log" >&2
            exit 1
        }
        total=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$tmp/log")
        awk -v t="$total" -v n="$ops" -v f="$fn" \
            'BEGIN { printf "  %-28s %8.1f\n", f, t / n }'
        # The costliest lines of the loop, by file and function (inlined
        # code is charged to the header it comes from).
        callgrind_annotate "$tmp/cg.out" 2>/dev/null |
            sed -n '/file:function/,/^$/p' | grep -E '^ *[0-9,]+ \(' |
            head -5 | awk -v n="$ops" '{
                ir = $1; gsub(",", "", ir); $1 = ""; $2 = "";
                sub(/^ +/, ""); sub(/ \[.*\]$/, "");
                sub(/^.*\//, "");
                printf "      %-50s %8.1f\n", $0, ir / n }'
    done
done
