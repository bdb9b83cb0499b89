#!/usr/bin/env bash
# mutant_tree.sh TREE DEST FILE SED_SCRIPT
# Copies the files of kernel tree TREE that the linux adapter compiles (drivers/dma-buf, its
# headers, drm_exec where the tree has it, the Makefile for the version) to DEST and applies `sed -i -e SED_SCRIPT` to FILE there.
# Exits 1 (and says so) if the script did not change FILE.
set -uo pipefail
TREE=$1 DEST=$2 FILE=$3 SCRIPT=$4
files="Makefile $(cd "$TREE" && ls drivers/dma-buf/*.[ch] include/linux/dma-fence.h include/linux/dma-fence-array.h \
  include/linux/dma-fence-chain.h include/linux/dma-fence-unwrap.h include/linux/dma-resv.h)"
for f in drivers/gpu/drm/drm_exec.c include/drm/drm_exec.h; do  # drm_exec, where the tree has it
  [ -f "$TREE/$f" ] && files="$files $f"
done
mkdir -p "$DEST" && DEST=$(cd "$DEST" && pwd)
(cd "$TREE" && cp --parents $files "$DEST/")
sed -i -e "$SCRIPT" "$DEST/$FILE"
if cmp -s "$TREE/$FILE" "$DEST/$FILE"; then
  echo "'$SCRIPT' did not change $FILE"
  exit 1
fi
