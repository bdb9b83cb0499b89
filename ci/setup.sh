#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the adapters need. Idempotent; run as root.
# Also fetches (never installs) Debian unstable's linux-source-7.2 into /var/cache/resvcheck: the
# third default kernel tree.
# Usage: ci/setup.sh            (everything the default build and tests need)
#        ci/setup.sh --vm       (also qemu and a kernel image, for the kmod adapter, and 6.12 from
#                               bookworm-backports unpacked into /var/cache/resvcheck/kmod/6.12)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git xz-utils
  g++ clang libclang-rt-14-dev llvm
  googletest libgtest-dev libbenchmark-dev
  libboost1.81-dev librapidcheck-dev liburcu-dev
  linux-source-6.12 linux-source-6.1
  afl++ jq bc
  chromium  # headless: the HTML report's test renders the page in it
)
if [[ "${1:-}" == "--vm" ]]; then
  packages+=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static cpio)
fi

# The kmod adapter's second kernel: 6.12 image, modules and headers from bookworm-backports,
# fetched with a private sources list (the system's stay as they are) and unpacked, not installed.
fetch_kmod_612() {
  local root=/var/cache/resvcheck/kmod apt_dir=/var/cache/resvcheck/kmod/apt
  compgen -G "$root/6.12/boot/vmlinuz-6.12.*" >/dev/null && return 0
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  echo "deb http://deb.debian.org/debian bookworm-backports main" >"$apt_dir/sources.list"
  local o=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache::Archives="$apt_dir/archives")
  apt-get "${o[@]}" -qq update
  local ver
  ver=$(apt-cache "${o[@]}" search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
        sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64-unsigned .*/\1/p' | sort -V | tail -1)
  [[ -n $ver ]] || { echo "ci/setup.sh: no 6.12 image in bookworm-backports" >&2; return 1; }
  (cd "$apt_dir/archives" && apt-get "${o[@]}" -qq download "linux-image-$ver-amd64-unsigned" \
     "linux-headers-$ver-amd64" "linux-headers-$ver-common" "linux-kbuild-$ver")
  mkdir -p "$root/6.12"
  for d in "$apt_dir"/archives/linux-*"${ver}"*.deb; do dpkg-deb -x "$d" "$root/6.12"; done
  # the headers' Makefile includes the common tree by its installed path: point it at ours
  sed -i "s|include /usr/src/linux-headers-$ver-common/|include $root/6.12/usr/src/linux-headers-$ver-common/|" \
    "$root/6.12/usr/src/linux-headers-$ver-amd64/Makefile"
}
# Linux 7.2 from Debian unstable: `apt-get download` through a private sources list, so the
# machine's own sources, lists and packages stay as they are; dpkg-deb -x unpacks the tarball into
# the cache (CMake's default path). Skipped when the tarball is there.
fetch_kernel_source() {  # fetch_kernel_source VERSION SUITE
  local v=$1 suite=$2 cache=/var/cache/resvcheck
  local tarball=$cache/x$v/usr/src/linux-source-$v.tar.xz
  [[ -f $tarball ]] && return 0
  if [[ $(id -u) -ne 0 && ! -w $cache ]]; then
    echo "ci/setup.sh: fetching linux-source-$v into $cache needs root (or a writable $cache)" >&2
    exit 2
  fi
  mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" "$cache/debs"
  local list=$cache/apt/sources-$suite.list
  echo "deb http://deb.debian.org/debian $suite main" >"$list"
  local apt=(-o Dir::Etc::SourceList="$list" -o Dir::Etc::SourceParts=/dev/null
             -o Dir::State::Lists="$cache/apt/lists" -o Dir::Cache::Archives="$cache/apt/archives"
             -o DPkg::Lock::Timeout=600 -qq)
  apt-get "${apt[@]}" update
  (cd "$cache/debs" && apt-get "${apt[@]}" download "linux-source-$v")
  local deb
  deb=$(ls -t "$cache"/debs/linux-source-"$v"_*.deb | head -n 1)
  rm -rf "$cache/x$v.tmp" && dpkg-deb -x "$deb" "$cache/x$v.tmp"
  [[ -f $cache/x$v.tmp/usr/src/linux-source-$v.tar.xz ]] || { echo "ci/setup.sh: $deb has no linux-source-$v.tar.xz" >&2; exit 2; }
  rm -rf "$cache/x$v" && mv "$cache/x$v.tmp" "$cache/x$v"
}
fetch_kernel_source 7.2 unstable

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  [[ "${1:-}" == "--vm" && $(id -u) -eq 0 ]] && fetch_kmod_612
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "ci/setup.sh: these packages are missing and installing them needs root: ${missing[*]}" >&2
  exit 2
fi
apt_opts=(-o DPkg::Lock::Timeout=600 -y -qq)
# libboost1.81-dev conflicts with the default 1.74 headers; apt resolves that by removing them.
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"
if [[ "${1:-}" == "--vm" ]]; then
  fetch_kmod_612
fi
