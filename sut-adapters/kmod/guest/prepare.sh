#!/usr/bin/env bash
# Makes what a kmod VM boots: the ELF vmlinux inside a bzImage (microvm boots it through PVH) and
# an initramfs of busybox-static, the agent, the image's virtio modules and resvcheck.ko.
# Usage: prepare.sh IMAGE MODULES_DIR RESVCHECK_KO AGENT OUT_DIR
#   MODULES_DIR: the image's /lib/modules/<release>; virtio modules built in are simply absent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=${1:?image} mods=${2:?modules dir} ko=${3:?resvcheck.ko} agent=${4:?agent} out=${5:?out dir}
die() { echo "prepare.sh: $*" >&2; exit 2; }
[[ -r $image ]] || die "cannot read kernel image $image"
[[ -d $mods ]] || die "no modules directory $mods (the image's /lib/modules/<release>)"
[[ -x /bin/busybox ]] || die "/bin/busybox missing: install busybox-static (ci/setup.sh --vm)"
command -v cpio >/dev/null || die "cpio missing (ci/setup.sh --vm)"
mkdir -p "$out"

# vmlinux: an ELF image passes as is; a bzImage holds it compressed after its setup code.
if [[ $(head -c 4 "$image" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
  cp "$image" "$out/vmlinux"
else
  found=
  for fmt in "fd377a585a00 xz -dc" "28b52ffd zstd -dcq" "1f8b0800 gzip -dc" "02214c18 lz4 -dc"; do
    set -- $fmt
    magic=$1; shift
    # every offset of the magic (as hex digits, two per byte) until one decompresses to an ELF
    for off in $(od -An -v -tx1 "$image" | tr -d ' \n' | grep -bo "$magic" | cut -d: -f1); do
      ((off % 2 == 0)) || continue
      if tail -c +$((off / 2 + 1)) "$image" | "$@" 2>/dev/null >"$out/vmlinux.tmp"; [[ -s $out/vmlinux.tmp ]] &&
         [[ $(head -c 4 "$out/vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
        mv "$out/vmlinux.tmp" "$out/vmlinux"; found=1; break 2
      fi
    done
  done
  rm -f "$out/vmlinux.tmp"
  [[ -n $found ]] || die "no compressed ELF kernel found in $image (not a bzImage?)"
fi

root=$out/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/modules"
cp /bin/busybox "$root/bin/busybox"
install -m 755 "$here/init" "$root/init"
# without debug info (the symbols an oops names stay): less to unpack and to load at boot
strip -o "$root/agent" "$agent"
strip --strip-debug -o "$root/modules/resvcheck.ko" "$ko"
for m in virtio_ring virtio virtio_mmio virtio_console; do
  f=$(find "$mods/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -1)
  case $f in
    "") ;;
    *.xz) xz -dc "$f" >"$root/modules/$m.ko" ;;
    *.zst) zstd -dcq "$f" >"$root/modules/$m.ko" ;;
    *) cp "$f" "$root/modules/$m.ko" ;;
  esac
done
[[ -f $root/modules/virtio_mmio.ko ]] || grep -qs '^CONFIG_VIRTIO_MMIO=y' "$mods/build/.config" "$mods/../../../boot/config-"* ||
  echo "prepare.sh: warning: no virtio_mmio module under $mods (assuming it is built in)" >&2
(cd "$root" && find . | cpio -o -H newc --quiet) >"$out/initramfs.cpio"
rm -rf "$root"
echo "$out"
