#!/usr/bin/env bash
# SIGINT/SIGTERM stop `check` cleanly: the report so far and the verdict are printed, the exit
# status reflects the findings, and every finding on disk replays as a violation; also when the
# cases run in supervised children (--isolate on), which leave the stopping to the parent.
#   usage: interrupt.sh RESVCHECK WORKDIR
set -u
B=$1 W=$2
rm -rf "$W" && mkdir -p "$W"
fail() { echo "$@"; exit 1; }
# args: signal, expected exit, expected verdict regex, check flags...
run() {
  local sig=$1 want=$2 verdict=$3; shift 3
  local start=$SECONDS
  rm -rf "$W/$sig"
  "$B" check --adapter sim --seed 3 --time 60 --findings "$W/$sig" "$@" >"$W/$sig.out" 2>"$W/$sig.err" &
  local pid=$!
  sleep 1.5
  kill "-$sig" "$pid"
  wait "$pid"; local rc=$?
  [ $((SECONDS - start)) -lt 20 ] || fail "$sig: check took $((SECONDS - start)) s to stop"
  [ "$rc" -eq "$want" ] || fail "$sig: exit $rc, expected $want"$'\n'"$(cat "$W/$sig.out" "$W/$sig.err")"
  grep -q "interrupted by SIG$sig" "$W/$sig.out" || fail "$sig: no interruption note"$'\n'"$(cat "$W/$sig.out")"
  grep -Eq "$verdict" "$W/$sig.out" || fail "$sig: no verdict matching '$verdict'"$'\n'"$(cat "$W/$sig.out")"
  grep -q "^RULE " "$W/$sig.out" || fail "$sig: no per-rule report"
}
run INT 1 "^verdict: [0-9]+ violation" --fault seqno32-no-wrap
files=$(find "$W/INT" -name '*.trace' | wc -l)
[ "$files" -gt 0 ] || fail "INT: no finding on disk"
"$B" replay "$W/INT" --adapter sim --fault seqno32-no-wrap --json >"$W/replay.json" 2>&1
[ "$(grep -o '"trace":' "$W/replay.json" | wc -l)" -eq "$files" ] || fail "INT: not every finding on disk replays as a violation"
run TERM 0 "^verdict: conforms"
run INT 0 "^verdict: conforms" --isolate on
run INT 1 "^verdict: [0-9]+ violation" --fault seqno32-no-wrap --isolate on
echo "SIGINT: exit 1 with $files finding(s) on disk; SIGTERM on a conforming run: exit 0; likewise isolated"
