#!/bin/sh
# This project as a meson subproject of a throwaway project
# (tests/consumer/), fetched by the wrap file docs/evpl-dpdk.wrap as it is
# shipped, with only its url pointed at a local git repository of this
# tree: meson clones it, dependency('evpl-dpdk', fallback: 'evpl-dpdk')
# configures, the consumer builds and runs, the subproject builds and
# installs neither its sample programs nor its tests, and installing the
# consumer brings the library, its headers and evpl-dpdk.pc along. The
# wrap shown in docs/install.md is the shipped one.
#
#   check_subproject.sh SOURCE_ROOT MESON
set -eu
src=$1
meson=$2
work=$(mktemp -d)
prefix_name=evpl-subproject-$$
trap 'rm -rf "$work"; rmdir "/var/run/dpdk/$prefix_name" 2>/dev/null || true' EXIT

command -v git >/dev/null || { echo "SKIP: no git, which the wrap needs"; exit 77; }

# docs/install.md shows the wrap as shipped (its keys, comments aside).
wrap_keys() { grep -v -e '^#' -e '^[[:space:]]*$' "$1"; }
sed -n '/^```ini$/,/^```$/p' "$src/docs/install.md" | sed '1d;$d' |
    awk '/^```/ { exit } { print }' >"$work/install-md.wrap"
wrap_keys "$src/docs/evpl-dpdk.wrap" >"$work/shipped.keys"
if ! wrap_keys "$work/install-md.wrap" | diff -u "$work/shipped.keys" -; then
    echo "docs/install.md's wrap is not docs/evpl-dpdk.wrap"
    exit 1
fi

# A git repository of this tree as it is now (uncommitted changes
# included; ignored files, build directories among them, left out), as a
# user's clone of the project would serve it.
up="$work/evpl-dpdk.git"
mkdir -p "$up"
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        tar --null -T - -cf -) | tar -C "$up" -xf -
else
    (cd "$src" && tar --exclude='./build*' --exclude='./subprojects' -cf - .) |
        tar -C "$up" -xf -
fi
git -C "$up" init -q -b main
git -C "$up" -c user.name=test -c user.email=test@localhost add -A
git -C "$up" -c user.name=test -c user.email=test@localhost \
    commit -q -m "this tree"

mkdir -p "$work/consumer/subprojects"
cp "$src/tests/consumer/meson.build" "$src/tests/consumer/consumer.c" \
    "$work/consumer/"
# The shipped wrap, only its url changed (file://: git's --depth ignores
# plain local paths).
sed "s|^url = .*|url = file://$up|" "$src/docs/evpl-dpdk.wrap" \
    >"$work/consumer/subprojects/evpl-dpdk.wrap"
[ "$(grep -c '^url = file://' "$work/consumer/subprojects/evpl-dpdk.wrap")" = 1 ]

# --force-fallback-for: the subproject even where an evpl-dpdk.pc is
# installed on this machine. A debug build (-O0): it compiles faster, and
# the point here is the build system, not the code.
cd "$work/consumer"
"$meson" setup build --buildtype=debug \
    --force-fallback-for=evpl-dpdk >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log"; exit 1; }
[ -f subprojects/evpl-dpdk/meson.build ] ||
    { echo "the wrap fetched nothing:"; cat "$work/setup.log"; exit 1; }
grep -q "^Dependency evpl-dpdk found: YES .* (overridden)" \
    "$work/setup.log" ||
    { echo "evpl-dpdk did not come from the subproject:"; cat "$work/setup.log"; exit 1; }
ninja -C build >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

# Nothing but the library and the consumer: no sample program, no test.
"$meson" introspect --targets build | python3 -c '
import json, sys
names = sorted(t["name"] for t in json.load(sys.stdin))
extra = [n for n in names if n.startswith(("evpl-testpmd", "evpl-bench",
                                          "evpl-demo", "test_", "fuzz"))]
assert not extra, "the subproject built %s" % extra
assert "consumer" in names, names
print("targets:", " ".join(names))'
ntests=$("$meson" introspect --tests build | python3 -c \
    'import json, sys; print(len(json.load(sys.stdin)))')
[ "$ntests" -eq 0 ] || { echo "the subproject defined $ntests tests"; exit 1; }

./build/consumer -l 0 --no-pci --no-huge -m 256 --no-shconf \
    --file-prefix="$prefix_name" --log-level=lib.eal:error | tee "$work/run.log"
grep -q "^consumer: library [0-9.]*, headers [0-9.]*$" "$work/run.log"

DESTDIR="$work/dest" "$meson" install -C build --no-rebuild \
    >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
installed=$(cd "$work/dest" && find . \( -type f -o -type l \) | sort)
for want in /consumer /libevpl-dpdk.so.0.2 /evpl/evpl.h /evpl/evpl_version.h \
    /pkgconfig/evpl-dpdk.pc; do
    echo "$installed" | grep -q -- "$want\$" ||
        { echo "not installed: $want"; echo "$installed"; exit 1; }
done
if echo "$installed" | grep -E 'evpl-testpmd|evpl-bench|evpl-demo'; then
    echo "the subproject installed a sample program"
    exit 1
fi
# Its tests asked for without its sample programs: configures (the tests
# that drive evpl-testpmd are left out).
cd "$work/consumer"
"$meson" setup build-tests --force-fallback-for=evpl-dpdk \
    -Devpl-dpdk:tests=true -Devpl-dpdk:apps=false >"$work/setup2.log" 2>&1 ||
    { cat "$work/setup2.log"; exit 1; }
ntests=$("$meson" introspect --tests build-tests | python3 -c \
    'import json, sys; print(len(json.load(sys.stdin)))')
[ "$ntests" -gt 0 ] || { echo "-Devpl-dpdk:tests=true defined no test"; exit 1; }
echo "subproject: fetched by the shipped wrap, configured, built, ran,"
echo "  installed only the library's files;"
echo "  with tests=true apps=false it configures $ntests tests"
