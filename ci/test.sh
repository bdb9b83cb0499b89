#!/usr/bin/env bash
# The test command of the README: installs what is missing, builds with the default preset and
# runs every ctest test, then builds the linux adapter again with AddressSanitizer + UBSan (the
# kernel code and the shim included) and runs its tests there, then with ThreadSanitizer (concurrent
# blocks on real threads), then the fuzz targets' smoke tests. Works from a fresh clone; run as
# root (packages come from apt). Arguments go to the first ctest run.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh --vm
cmake --preset default
cmake --build --preset default
# The kmod tests boot kernels in qemu (TCG): run them when a VM can run here, else say why not.
kmod_skip=""
if ! command -v qemu-system-x86_64 >/dev/null; then
  kmod_skip="qemu-system-x86_64 is not installed"
elif ! compgen -G "/boot/vmlinuz-6.1.*" >/dev/null; then
  kmod_skip="no Debian 6.1 kernel image in /boot"
elif ! timeout 20 qemu-system-x86_64 -accel tcg -M microvm -nodefaults -display none -S \
       -monitor none -serial none -daemonize -pidfile /tmp/resvcheck-qemu-probe.pid 2>/dev/null; then
  kmod_skip="qemu cannot start a TCG microvm here"
else
  kill "$(cat /tmp/resvcheck-qemu-probe.pid)" 2>/dev/null || true
fi
if [[ -n $kmod_skip ]]; then
  echo "ci/test.sh: SKIPPING the kmod tests (ctest -L kmod): $kmod_skip"
  ctest --preset default -LE kmod "$@"
else
  echo "ci/test.sh: running the kmod tests (ctest -L kmod) in qemu TCG VMs"
  ctest --preset default "$@"
fi

cmake --preset asan
cmake --build --preset asan --target resvcheck linux-selftests-6.12 linux-selftests-6.1 linux-ww-mutex-test \
  linux-ww-mutex-test-debug linux-plugin-driver linux-locate linux-lockdep-test-6.12 linux-lockdep-test-6.1 \
  linux-kunit-runtime linux-kunit-7.2
# the mutants, the hanging one and mutate recompile kernel trees: once, in the default build, is
# enough (under ASan a mutant that writes past the list is also an ASan crash, not its rule)
ctest --preset asan -L linux -E "mutant|mutate"

# ThreadSanitizer: the linux adapter's concurrent blocks on real threads report no race on clean
# code, and a racy control is reported (sut-adapters/linux/tests/tsan_check.sh).
cmake --preset tsan
cmake --build --preset tsan --target resvcheck resvcheck-linux-6.12
ctest --preset tsan -L tsan

# The fuzz targets (libFuzzer, ASan + UBSan) run a few seconds each on their seed corpora.
cmake --preset fuzz
cmake --build --preset fuzz --target fuzz-sim fuzz-parser fuzz-linux resvcheck resvcheck-example
ctest --test-dir build-fuzz -L fuzz --output-on-failure
