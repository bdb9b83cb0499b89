#!/usr/bin/env bash
# The test command of the README: installs what is missing, builds with the default preset and
# runs every ctest test, then builds the linux adapter again with AddressSanitizer + UBSan (the
# kernel code and the shim included) and runs its tests there, then the fuzz targets' smoke tests. Works from a fresh clone; run as
# root (packages come from apt). Arguments go to the first ctest run.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
cmake --preset default
cmake --build --preset default
ctest --preset default "$@"

cmake --preset asan
cmake --build --preset asan --target resvcheck linux-selftests-6.12 linux-selftests-6.1 linux-ww-mutex-test \
  linux-ww-mutex-test-debug linux-plugin-driver linux-locate
# the mutants (and the hanging one) recompile kernel trees; once, in the default build, is enough
ctest --preset asan -L linux -E mutant

# The fuzz targets (libFuzzer, ASan + UBSan) run a few seconds each on their seed corpora.
cmake --preset fuzz
cmake --build --preset fuzz --target fuzz-sim fuzz-parser fuzz-linux resvcheck resvcheck-example
ctest --test-dir build-fuzz -L fuzz --output-on-failure
