#!/usr/bin/env bash
# kunit_tool.sh TARBALL DEST: extracts the kernel's tools/testing/kunit (kunit.py) from a Debian
# linux-source tarball into DEST/tools/testing/kunit, once (kunit.py changes to the directory three
# levels up, so it keeps its place in a tree); the KTAP tests parse their output with it.
set -euo pipefail
tarball=$1 dest=$2
[[ -f $dest/tools/testing/kunit/kunit.py ]] && exit 0
[[ -f $tarball ]] || { echo "kunit_tool: $tarball not found (apt-get install linux-source-6.12)" >&2; exit 1; }
top=$(basename "$tarball"); top=${top%.tar.*}
tmp=$dest.tmp
rm -rf "$tmp" && mkdir -p "$tmp"
tar -xaf "$tarball" -C "$tmp" --strip-components=1 --wildcards "$top/tools/testing/kunit/*"
rm -rf "$dest" && mv "$tmp" "$dest"
