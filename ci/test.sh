#!/usr/bin/env bash
# The test command of the README: installs what is missing, builds with the default preset and
# runs every ctest test. Works from a fresh clone; run as root (packages come from apt).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
cmake --preset default
cmake --build --preset default
ctest --preset default "$@"
