#!/bin/sh
# evpl-dpdk quick start, for a fresh Debian 12 machine (run as root).
#
#   ./quickstart.sh main   install what is missing, build, run the main job
#   ./quickstart.sh test   install what is missing, build, run every test
#
# Safe to run again: it installs, mounts and configures only what is not
# there yet. Hugepages are used where they can be had (512 x 2 MiB); the
# fallback is DPDK's --no-huge mode.
set -eu

cd "$(dirname "$0")"
job=${1:-}
case "$job" in
main | test) ;;
*)
    echo "usage: $0 main|test" >&2
    exit 2
    ;;
esac

say() { printf '==> %s\n' "$*"; }

# --- packages -----------------------------------------------------------
packages="libdpdk-dev dpdk-dev dpdk meson ninja-build pkg-config libcmocka-dev gcc python3"
# The real-traffic tests (tests/test_traffic*.py): namespaces and links,
# ping, offloads off; iperf3 for its figures. doxygen for the docs
# suite's zero-warning check of the public headers.
[ "$job" = test ] && packages="$packages iproute2 iputils-ping ethtool iperf3 doxygen"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing:$missing"
    if [ "$(id -u)" -ne 0 ]; then
        echo "need root to install packages:$missing" >&2
        exit 1
    fi
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

# --- hugepages ----------------------------------------------------------
hp_free() { awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo; }
if [ "$(id -u)" -eq 0 ]; then
    if [ "$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)" -lt 512 ]; then
        echo 512 >/proc/sys/vm/nr_hugepages 2>/dev/null || true
    fi
    if ! grep -qs ' hugetlbfs ' /proc/mounts; then
        mkdir -p /dev/hugepages
        mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
    fi
fi
if [ "${EVPL_NOHUGE:-0}" != 1 ] && [ "$(hp_free)" -ge 64 ] &&
    grep -qs ' hugetlbfs ' /proc/mounts; then
    mem="--in-memory"
    say "hugepages: $(hp_free) free x 2 MiB"
else
    mem="--no-huge -m 512 --no-shconf"
    say "hugepages unavailable: running with $mem"
fi

# --- build --------------------------------------------------------------
if [ ! -f build/build.ninja ]; then
    say "configuring build/"
    meson setup build
fi
say "building"
ninja -C build

# --- run ----------------------------------------------------------------
case "$job" in
main)
    say "running the main job: evpl-testpmd forwarding through iovecs" \
        "between two net_null ports for 6 s"
    # A main lcore and one forwarding lcore, as with dpdk-testpmd -l 0-1;
    # on a single CPU both share it.
    lcores="-l 0-1"
    [ "$(nproc)" -ge 2 ] || lcores="--lcores=(0-1)@0"
    # shellcheck disable=SC2086
    exec ./build/apps/evpl-testpmd/evpl-testpmd $lcores --no-pci $mem \
        --vdev=net_null0 --vdev=net_null1 --log-level=lib.eal:warning -- \
        --forward-mode=iovec --stats-period=2 --duration=6
    ;;
test)
    say "running the test suite"
    exec meson test -C build --print-errorlogs --num-processes 2
    ;;
esac
