#!/usr/bin/env bash
# hang_mutant.sh RESVCHECK TREE WORKDIR
# A mutant of Linux 6.12 whose kernel code hangs: dma_resv_add_fence's walk over the existing
# entries never advances, so adding to an object that holds an entry it does not replace loops
# forever. `check --adapter linux --kernel-src MUTANT --time 15` (isolated by default, watchdog 2 s)
# must end within its budget plus one watchdog plus slack, exit 1, and leave an ADAPTER-HANG finding
# at a resv_add_fence on disk (the rerun, diagnosis and shrinking of the hang add no watchdog).
set -uo pipefail
RESVCHECK=$1 TREE=$2 WORK=$3
TIME=15 WATCHDOG=2 SLACK=2.5
export RESVCHECK_CACHE_DIR=${RESVCHECK_CACHE_DIR:-$WORK/cache}
fail() { echo "$@"; exit 1; }
rm -rf "$WORK/tree" "$WORK/findings" && mkdir -p "$RESVCHECK_CACHE_DIR"
"$(dirname "$0")/mutant_tree.sh" "$TREE" "$WORK/tree" drivers/dma-buf/dma-resv.c \
  '306s/for (i = 0; i < count; ++i)/for (i = 0; i < count;)/' || fail "the mutant did not apply"
# Compile the tree into the cache first (a trace without add_fence): what is timed is the check.
"$RESVCHECK" replay "$(dirname "$0")/../../../tests/data/fence-init.trace" --adapter linux --kernel-src "$WORK/tree" --quiet \
  >"$WORK/build.out" 2>&1 || fail "the mutant tree does not build or run:"$'\n'"$(cat "$WORK/build.out")"
start=$(date +%s.%N)
"$RESVCHECK" check --adapter linux --kernel-src "$WORK/tree" --time $TIME --seed 1 --json --findings "$WORK/findings" \
  >"$WORK/out.json" 2>"$WORK/err"
rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
[ "$rc" -eq 1 ] || fail "check exited $rc, expected 1"$'\n'"$(cat "$WORK/out.json" "$WORK/err")"
[ "$(echo "$wall < $TIME + $WATCHDOG + $SLACK" | bc)" -eq 1 ] || fail "check took $wall s for a $TIME s budget and a $WATCHDOG s watchdog"
json=$(cat "$WORK/out.json")
grep -q '"findings":\[{"rule":"ADAPTER-HANG"' <<<"$json" || fail "the first finding is not ADAPTER-HANG"$'\n'"$json"
trace=$(grep -o '"trace":"[^"]*"' <<<"$json" | head -1 | cut -d'"' -f4)
[ -s "$trace" ] || fail "no trace on disk at '$trace'"
grep -q "^resv_add_fence .*# <- ADAPTER-HANG" "$trace" || fail "the trace does not end with the hanging resv_add_fence"$'\n'"$(cat "$trace")"
echo "ADAPTER-HANG at resv_add_fence in $wall s for a $TIME s budget: $trace ($(grep -cv '^\s*#\|^\s*$' "$trace") ops)"
