#!/usr/bin/env bash
# The main job of the README: installs what is missing, builds resvcheck, and runs a conformance
# check with the per-rule report. Arguments go to `resvcheck check` (default: --adapter linux, the
# kernel's own drivers/dma-buf from Debian's linux-source-6.12).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default --target resvcheck
if [[ $# -eq 0 ]]; then set -- --adapter linux; fi
exec build/resvcheck check "$@"
