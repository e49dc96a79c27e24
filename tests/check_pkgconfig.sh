#!/bin/sh
# An application outside the tree builds against the generated
# evpl-dpdk.pc (uninstalled variant) with <evpl/evpl.h>, links, and runs.
set -eu
build=$1
src=$2
out=$(mktemp -d)
# A runtime directory of its own (tests run side by side), removed after.
prefix_name=evpl-pkgconfig-$$
trap 'rm -rf "$out" "/var/run/dpdk/$prefix_name"' EXIT

export PKG_CONFIG_PATH="$build/meson-uninstalled"
pkg-config --exists evpl-dpdk
pkg-config --print-requires evpl-dpdk | grep -q '^libdpdk'
# shellcheck disable=SC2046
cc -o "$out/app" "$src" $(pkg-config --cflags --libs evpl-dpdk)
LD_LIBRARY_PATH="$build" "$out/app" -l 0 --no-pci --no-huge -m 256 \
    --no-shconf --file-prefix="$prefix_name" --log-level=lib.eal:error | grep -q '^OK: every mbuf is back'
echo "built and ran $src against evpl-dpdk.pc"
