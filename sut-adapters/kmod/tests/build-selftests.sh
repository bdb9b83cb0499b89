#!/usr/bin/env bash
# Builds the kernel's own dma-buf selftests (drivers/dma-buf/selftest.c, st-*.c) out of tree as
# dmabuf_selftests.ko against a kernel's headers, from a source tree of the same version (never
# copied into the repository: the build directory gets them).
# Usage: build-selftests.sh KERNEL_SRC HEADERS_DIR OUT_DIR
set -euo pipefail
src=${1:?kernel source tree} headers=${2:?headers} out=${3:?out dir}
d=$src/drivers/dma-buf
[[ -f $d/selftest.c ]] || { echo "build-selftests.sh: no $d/selftest.c" >&2; exit 2; }
mkdir -p "$out"
cp "$d"/selftest.c "$d"/selftest.h "$d"/selftests.h "$d"/st-*.c "$out/"
objs=$(cd "$out" && ls st-*.c | sed 's/\.c$/.o/' | tr '\n' ' ')
printf 'obj-m := dmabuf_selftests.o\ndmabuf_selftests-y := selftest.o %s\n' "$objs" >"$out/Kbuild"
make -s -C "$headers" M="$out" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
echo "$out/dmabuf_selftests.ko"
