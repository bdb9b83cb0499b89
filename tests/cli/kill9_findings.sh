#!/usr/bin/env bash
# Nothing lost, nothing partial: `check` killed with SIGKILL at random moments (startup, the
# unshrunk write, shrinking, the shrunk write, the removal of the unshrunk file) never leaves an
# empty or partial .trace in its findings directory: every .trace there parses and replays as a
# violation on the faulty adapter.   usage: kill9_findings.sh RESVCHECK WORKDIR [KILLS]
set -u
B=$1 W=$2 N=${3:-200}
rm -rf "$W" && mkdir -p "$W"
for i in $(seq 1 "$N"); do
  "$B" check --adapter sim --fault seqno32-no-wrap --seed "$i" --time 5 --quiet --findings "$W/$i" >/dev/null 2>&1 &
  pid=$!
  sleep "0.$(printf %03d $((RANDOM % 250)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
files=$(find "$W" -name '*.trace' | wc -l)
empty=$(find "$W" -name '*.trace' -empty | wc -l)
[ "$files" -gt 0 ] || { echo "no finding was written in $N runs: the kills came too early to test anything"; exit 1; }
[ "$empty" -eq 0 ] || { echo "$empty empty .trace file(s):"; find "$W" -name '*.trace' -empty; exit 1; }
# one replay of everything: every file must parse (else exit 2) and be a violation
out=$("$B" replay "$W" --adapter sim --fault seqno32-no-wrap --json 2>&1); rc=$?
violations=$(grep -o '"trace":' <<<"$out" | wc -l)
if [ "$rc" -ne 1 ] || [ "$violations" -ne "$files" ]; then
  echo "replay exit $rc, $violations violation(s) among $files .trace file(s):"; echo "$out" | head -c 2000; exit 1
fi
echo "$N kills: $files finding file(s) left, all replay as violations"
