#!/usr/bin/env bash
# A hang ends the run within its budget plus one watchdog: the watchdog that notices the hang may
# end there, but rerunning, diagnosing and shrinking the hang may not add watchdogs of their own.
# A watchdog close to the budget makes every extra watchdog show (before: budget + 3 watchdogs).
#   usage: hang_budget.sh RESVCHECK FAULTY_PLUGIN WORKDIR
set -u
B=$1 P=$2 W=$3
TIME=3 WATCHDOG=2.5 SLACK=1.5
rm -rf "$W" && mkdir -p "$W"
fail() { echo "$*"; exit 1; }
start=$(date +%s.%N)
"$B" check --adapter "plugin:$P,fail=loop,at=3" --time $TIME --watchdog $WATCHDOG --seed 1 --json --findings "$W/findings" \
  >"$W/out.json" 2>"$W/err"
rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
[ "$rc" -eq 1 ] || fail "check exited $rc, expected 1"$'\n'"$(cat "$W/out.json" "$W/err")"
json=$(cat "$W/out.json")
grep -q '"findings":\[{"rule":"ADAPTER-HANG"' <<<"$json" || fail "the first finding is not ADAPTER-HANG"$'\n'"$json"
trace=$(grep -o '"trace":"[^"]*"' <<<"$json" | head -1 | cut -d'"' -f4)
[ -s "$trace" ] && grep -q "^fence_signal f0 .*# <- ADAPTER-HANG" "$trace" || fail "no trace ending with the hanging fence_signal at '$trace'"
[ "$(echo "$wall < $TIME + $WATCHDOG + $SLACK" | bc)" -eq 1 ] || fail "took $wall s for a $TIME s budget and a $WATCHDOG s watchdog"
echo "ADAPTER-HANG at fence_signal; $wall s for a $TIME s budget and a $WATCHDOG s watchdog"
