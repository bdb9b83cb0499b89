#!/usr/bin/env bash
# Builds resvcheck.ko for one kernel out of tree, in OUT (never in the source tree).
# Usage: build-module.sh HEADERS_DIR OUT_DIR [EXTRA_CFLAGS]
#   HEADERS_DIR: a kernel's build tree, e.g. /usr/src/linux-headers-6.1.0-57-amd64 (or /lib/modules/V/build)
#   EXTRA_CFLAGS: test variants, e.g. -DRESVCHECK_KMOD_BREAK_USAGE
set -euo pipefail
# BTF for the module would need pahole; nothing here reads it.
here=$(cd "$(dirname "$0")" && pwd)
headers=${1:?headers dir}
out=${2:?output dir}
flags=${3:-}
[[ -f $headers/Makefile ]] || { echo "build-module.sh: $headers is not a kernel build tree (no Makefile)" >&2; exit 2; }
mkdir -p "$out/compat"
cp "$here/module/Kbuild" "$here/module/resvcheck_main.c" "$out/"
cp "$here/module/compat/"*.h "$out/compat/"
make -s -C "$headers" M="$out" RESVCHECK_INC="$here/../../abi $here" RESVCHECK_KMOD_FLAGS="$flags" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$out/build.log" 2>&1 || {
  cat "$out/build.log" >&2; exit 1; }
echo "$out/resvcheck.ko"
