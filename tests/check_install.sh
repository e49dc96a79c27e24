#!/bin/sh
# Install into a DESTDIR staging tree, then use only what was installed:
#  - an outside program (tests/consumer/consumer.c) builds against the
#    installed evpl-dpdk.pc, links the installed library, and runs;
#  - the same program linked with the installed libevpl-dpdk.a, as
#    docs/install.md ("Static linking") says, needs no libevpl-dpdk.so;
#  - the installed sample programs run as installed, without
#    LD_LIBRARY_PATH: their rpath, relative to $ORIGIN, finds the library
#    beside them in the staging tree.
#
#   check_install.sh BUILD_DIR SOURCE_ROOT MESON
set -eu
build=$1
src=$2
meson=$3
dest=$(mktemp -d)
prefix_name=evpl-install-$$
trap 'rm -rf "$dest"; rmdir "/var/run/dpdk/$prefix_name" 2>/dev/null || true' EXIT
eal="-l 0 --no-pci --no-huge -m 256 --no-shconf --file-prefix=$prefix_name --log-level=lib.eal:error"

# meson test runs this with LD_LIBRARY_PATH pointing into the build
# directory: nothing below may find the library there.
unset LD_LIBRARY_PATH

# The directory the dynamic loader finds libevpl-dpdk in for program $1,
# with LD_LIBRARY_PATH=$2 if given, resolved; "not" if it finds none.
evpl_lib_dir() {
    p=$(env ${2:+LD_LIBRARY_PATH="$2"} ldd "$1" | awk '/libevpl-dpdk\.so/ { print $3 }')
    case "$p" in
    /*) dirname "$(realpath "$p")" ;;
    *) echo "${p:-none}" ;;
    esac
}

DESTDIR="$dest" "$meson" install -C "$build" --no-rebuild \
    >"$dest/install.log" 2>&1 || { cat "$dest/install.log"; exit 1; }
eval "$("$meson" introspect --buildoptions "$build" | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
for k in ("prefix", "libdir", "bindir"):
    v = o[k] if o[k].startswith("/") else o["prefix"] + "/" + o[k]
    print("%s=%s" % (k, v))')"
staged_lib=$dest$libdir

# The installed .pc only: no uninstalled variant, no build directory.
# PKG_CONFIG_SYSROOT_DIR prefixes every -I and -L with the staging tree,
# which is right for evpl-dpdk's own paths and wrong for libdpdk's, which
# is installed in / and not under $dest. So evpl-dpdk's own flags come
# with the sysroot and without its Requires (pkgconf counts the package
# asked for at depth 2), libdpdk's from the system as usual.
export PKG_CONFIG_PATH="$staged_lib/pkgconfig"
[ "$(pkg-config --modversion evpl-dpdk)" = "$(cd "$src" &&
    "$meson" introspect --projectinfo "$build" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')" ]
[ "$(pkg-config --variable=prefix evpl-dpdk)" = "$prefix" ]
pkg-config --print-requires evpl-dpdk | grep -q '^libdpdk'
evpl_flags=$(PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config \
    --maximum-traverse-depth=2 --cflags --libs evpl-dpdk)
case "$evpl_flags" in
*"-L$staged_lib "*) ;;
*) echo "evpl-dpdk's flags do not name the staged libdir: $evpl_flags"; exit 1 ;;
esac
case "$evpl_flags" in
*dpdk/*|*rte_*) echo "libdpdk's flags came with the sysroot: $evpl_flags"; exit 1 ;;
esac
dpdk_flags=$(env -u PKG_CONFIG_PATH pkg-config --cflags --libs libdpdk)
# shellcheck disable=SC2086
cc -o "$dest/consumer" "$src/tests/consumer/consumer.c" $evpl_flags $dpdk_flags
[ "$(evpl_lib_dir "$dest/consumer")" = "not" ]
# shellcheck disable=SC2086
LD_LIBRARY_PATH="$staged_lib" "$dest/consumer" $eal
staged_real=$(realpath "$staged_lib")
[ "$(evpl_lib_dir "$dest/consumer" "$staged_lib")" = "$staged_real" ]

# Static: the archive by the .pc's libdir (sysroot-prefixed, as staged),
# evpl-dpdk's own cflags, DPDK shared. Nothing of libevpl-dpdk.so is
# needed, not even with the staged libdir on LD_LIBRARY_PATH.
archive=$(PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config --variable=libdir \
    evpl-dpdk)/libevpl-dpdk.a
if [ -f "$archive" ]; then
    evpl_cflags=$(PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config \
        --maximum-traverse-depth=2 --cflags evpl-dpdk)
    # shellcheck disable=SC2086
    cc -o "$dest/consumer-static" "$src/tests/consumer/consumer.c" \
        $evpl_cflags "$archive" $dpdk_flags -pthread
    if readelf -d "$dest/consumer-static" | grep -q 'NEEDED.*libevpl-dpdk'; then
        echo "the static link still needs libevpl-dpdk.so"
        exit 1
    fi
    # shellcheck disable=SC2086
    LD_LIBRARY_PATH="$staged_lib" "$dest/consumer-static" $eal |
        tee "$dest/static.log"
    [ "$(evpl_lib_dir "$dest/consumer-static" "$staged_lib")" = "none" ]
    grep -q "^consumer: library [0-9.]*, headers [0-9.]*$" "$dest/static.log"
    echo "linked and ran an outside program with the installed libevpl-dpdk.a"
    # ... and, as the page warns, pkg-config --static alone does not: its
    # -levpl-dpdk finds the .so. (If this changes, so must the page.)
    static_flags=$(PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config --static \
        --maximum-traverse-depth=2 --cflags --libs evpl-dpdk)
    # shellcheck disable=SC2086
    cc -o "$dest/consumer-pc-static" "$src/tests/consumer/consumer.c" \
        $static_flags $dpdk_flags
    readelf -d "$dest/consumer-pc-static" | grep -q 'NEEDED.*libevpl-dpdk' || {
        echo "pkg-config --static now links libevpl-dpdk.a: update"
        echo "docs/install.md (Static linking)"
        exit 1
    }
fi

# The sample programs, where this build has them, run as installed.
demo=$dest$bindir/evpl-demo
if [ -x "$demo" ]; then
    readelf -d "$demo" | grep -E 'RUNPATH|RPATH' | grep -q 'ORIGIN'
    [ "$(evpl_lib_dir "$demo")" = "$staged_real" ] || { ldd "$demo"; exit 1; }
    # shellcheck disable=SC2086
    "$demo" $eal | grep -q '^OK: every mbuf is back'
    for app in evpl-testpmd evpl-bench; do
        [ -x "$dest$bindir/$app" ] || continue
        [ "$(evpl_lib_dir "$dest$bindir/$app")" = "$staged_real" ]
    done
    echo "installed programs find $staged_lib through their rpath"
fi
echo "built and ran an outside program against the installed evpl-dpdk.pc"
