#!/usr/bin/env bash
# An isolated check (cases in supervised children, the finding rerun, diagnosed and shrunk through
# an isolated adapter) finds what the in-process check finds: the same first rule and the same
# shrunk ops, for a state fault and a reference fault of the sim.
#   usage: isolation_same.sh RESVCHECK WORKDIR
set -u
B=$1 W=$2
rm -rf "$W" && mkdir -p "$W"
fail() { echo "$@"; exit 1; }
for fault in seqno32-no-wrap ref-leak-replace; do
  for iso in off on; do
    "$B" check --adapter sim --fault $fault --isolate $iso --seed 1 --time 30 --max-findings 1 --quiet --json \
      --findings "$W/$fault-$iso" >"$W/$fault-$iso.json" 2>"$W/$fault-$iso.err"
    rc=$?
    [ $rc -eq 1 ] || fail "$fault --isolate $iso: exit $rc, expected 1"$'\n'"$(cat "$W/$fault-$iso.json" "$W/$fault-$iso.err")"
    trace=$(grep -o '"trace":"[^"]*"' "$W/$fault-$iso.json" | head -1 | cut -d'"' -f4)
    grep -o '"findings":\[{"rule":"[A-Z0-9-]*"' "$W/$fault-$iso.json" >"$W/$fault-$iso.rule"
    grep -v '^\s*#' "$trace" | sed 's/ *#.*//' >"$W/$fault-$iso.ops"
  done
  cmp -s "$W/$fault-off.rule" "$W/$fault-on.rule" || fail "$fault: in-process $(cat "$W/$fault-off.rule"), isolated $(cat "$W/$fault-on.rule")"
  diff "$W/$fault-off.ops" "$W/$fault-on.ops" || fail "$fault: the shrunk traces differ"
  echo "$fault: $(cut -d'"' -f6 "$W/$fault-on.rule"), $(grep -c . "$W/$fault-on.ops") ops, in-process and isolated alike"
done
