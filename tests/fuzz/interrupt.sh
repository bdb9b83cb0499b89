#!/usr/bin/env bash
# SIGINT stops `resvcheck fuzz` cleanly: the engine is stopped, the report so far and the verdict
# are printed, and the exit status reflects the findings.   usage: interrupt.sh RESVCHECK WORKDIR
set -u
B=$1 W=$2
rm -rf "$W" && mkdir -p "$W"
start=$SECONDS
"$B" fuzz --engine libfuzzer --adapter sim --time 120 --quiet --findings "$W/findings" >"$W/out" 2>"$W/err" &
pid=$!
sleep 8
kill -INT "$pid"
wait "$pid"; rc=$?
cat "$W/out"
[ $((SECONDS - start)) -lt 40 ] || { echo "fuzz took $((SECONDS - start)) s to stop"; exit 1; }
[ "$rc" -eq 0 ] || { echo "exit $rc, expected 0 (no finding on a correct sim)"; cat "$W/err"; exit 1; }
grep -q "interrupted by SIGINT" "$W/out" || { echo "no interruption note"; exit 1; }
grep -Eq "^fuzz against adapter sim .*: libfuzzer, [1-9][0-9]* execs" "$W/out" || { echo "no engine summary with execs"; exit 1; }
grep -q "^verdict: conforms" "$W/out" || { echo "no verdict"; exit 1; }
