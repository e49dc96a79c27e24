#!/bin/sh
# docs/bad-input.md carries, between its table markers, exactly the table
# that test_bad_input runs ("test_bad_input table" prints it).
set -eu
exe=$1
doc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$exe" table >"$tmp/want"
sed -n '/^<!-- table: begin -->$/,/^<!-- table: end -->$/p' "$doc" |
    sed '1d;$d' >"$tmp/have"
if ! cmp -s "$tmp/want" "$tmp/have"; then
    echo "docs/bad-input.md's table is not test_bad_input's; regenerate it" \
        "with: $exe table"
    diff -u "$tmp/have" "$tmp/want" || true
    exit 1
fi
echo "docs/bad-input.md matches the $(wc -l <"$tmp/want") lines of the table"
