#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the adapters need. Idempotent; run as root.
# Also fetches (never installs) Debian unstable's linux-source-7.2 into /var/cache/resvcheck: the
# third default kernel tree. Usage: ci/setup.sh            (everything the default build and tests need)
#        ci/setup.sh --vm       (also qemu and a kernel image, for the kmod adapter)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git xz-utils
  g++ clang libclang-rt-14-dev llvm
  googletest libgtest-dev libbenchmark-dev
  libboost1.81-dev librapidcheck-dev liburcu-dev
  linux-source-6.12 linux-source-6.1
  afl++ jq bc
)
if [[ "${1:-}" == "--vm" ]]; then
  packages+=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static cpio)
fi

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
