#!/usr/bin/env bash
# An isolated check survives the implementation's crash, abort, hang or memory exhaustion on an op:
# the finding names that op and the ADAPTER-* rule, carries the stderr tail, is on disk and replays
# as the same rule; the run uses its whole time budget (in fresh children) and exits 1.
#   usage: isolation.sh RESVCHECK FAULTY_PLUGIN WORKDIR MODE RULE     (MODE: segv|abort|loop|oom)
set -u
B=$1 P=$2 W=$3 MODE=$4 RULE=$5
TIME=4 WATCHDOG=0.5
# oom: the child runs out of memory in a fraction of a second, but filling it is no hang even on a loaded machine
export RESVCHECK_CHILD_MEMORY_MB=256
[ "$MODE" = oom ] && WATCHDOG=3
rm -rf "$W" && mkdir -p "$W"
fail() { echo "$MODE: $*"; exit 1; }
A="plugin:$P,fail=$MODE,at=3"  # 3: fence_signal (enum resvcheck_op_kind)
start=$(date +%s.%N)
"$B" check --adapter "$A" --time $TIME --watchdog $WATCHDOG --seed 1 --json --findings "$W/findings" >"$W/out.json" 2>"$W/err"
rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
[ "$rc" -eq 1 ] || fail "check exited $rc, expected 1"$'\n'"$(cat "$W/out.json" "$W/err")"
json=$(cat "$W/out.json")
first=$(grep -o '"findings":\[{"rule":"[A-Z-]*"' <<<"$json" | grep -o '[A-Z-]*"$' | tr -d '"')
[ "$first" = "$RULE" ] || fail "first finding is '$first', expected $RULE"$'\n'"$json"
grep -q '"observed":"during fence_signal f0: ' <<<"$json" || fail "the finding does not name the op fence_signal"$'\n'"$json"
# the run went on to the end of its budget, and not much beyond (the watchdog bounds each hang)
secs=$(grep -o '"seconds":[0-9.]*' <<<"$json" | head -1 | cut -d: -f2)
[ "$(echo "$secs >= $TIME - 0.2" | bc)" -eq 1 ] || fail "reported $secs s, the budget is $TIME s"
[ "$(echo "$wall < $TIME + 8" | bc)" -eq 1 ] || fail "took $wall s for a $TIME s budget"
trace=$(grep -o '"trace":"[^"]*"' <<<"$json" | head -1 | cut -d'"' -f4)
[ -s "$trace" ] || fail "no trace on disk at '$trace'"
grep -q "^fence_signal f0 .*# <- $RULE" "$trace" || fail "the trace does not end with the failing fence_signal"$'\n'"$(cat "$trace")"
grep -q "faulty: $MODE in op kind 3" "$trace" || fail "no stderr tail in the finding"$'\n'"$(cat "$trace")"
"$B" replay "$trace" --adapter "$A" --watchdog $WATCHDOG >"$W/replay" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "replay exited $rc, expected 1"$'\n'"$(cat "$W/replay")"
grep -q "$RULE violated at op" "$W/replay" || fail "replay does not report $RULE"$'\n'"$(cat "$W/replay")"
echo "$MODE: $RULE at fence_signal, $secs s of a $TIME s budget ($wall s wall), replays as $RULE"
