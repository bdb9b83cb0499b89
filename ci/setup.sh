#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the adapters need. Idempotent; run as root.
# Usage: ci/setup.sh            (everything the default build and tests need)
#        ci/setup.sh --vm       (also qemu and a kernel image, for the kmod adapter)
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
