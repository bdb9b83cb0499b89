#!/usr/bin/env bash
# mutant_traces.sh RESVCHECK TREE LIST WORKDIR
# For each line of LIST (mutant-traces.txt): replays its trace with `resvcheck replay --adapter linux`
# on TREE (Linux 6.12), which must conform, and on a copy of TREE with the mutant applied
# (mutant_tree.sh), whose first violation must name the expected rule. Prints one line per mutant
# and exits 1 if any is not caught so.
set -uo pipefail
RESVCHECK=$1 TREE=$2 LIST=$3 WORK=$4
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
export RESVCHECK_CACHE_DIR=${RESVCHECK_CACHE_DIR:-$WORK/cache}
rm -rf "$WORK/m" && mkdir -p "$WORK/m" "$RESVCHECK_CACHE_DIR"
failed=0 total=0
while IFS='|' read -r name file script trace expected what; do
  [[ -z $name || $name == \#* ]] && continue
  total=$((total + 1)) d=$WORK/m/$name
  if ! "$RESVCHECK" replay "$ROOT/$trace" --adapter linux --kernel-src "$TREE" --quiet >"$d.pristine" 2>&1; then
    echo "PRISTINE-FAILS $name: $trace does not conform on $TREE:"; tail -5 "$d.pristine"; failed=1; continue
  fi
  if ! why=$("$(dirname "$0")/mutant_tree.sh" "$TREE" "$d/tree" "$file" "$script"); then
    echo "NOT-APPLIED $name: $why"; failed=1; continue
  fi
  "$RESVCHECK" replay "$ROOT/$trace" --adapter linux --kernel-src "$d/tree" --format json >"$d.json" 2>"$d.err"
  rc=$? rule=$(jq -r '.findings[0].rule // "none"' "$d.json" 2>/dev/null)
  if [ $rc -eq 1 ] && [ "$rule" = "$expected" ]; then
    printf 'CAUGHT   %-26s %-20s %s\n' "$name" "$rule" "$what"
  else
    printf 'MISSED   %-26s exit %d, rule %s (expected %s): %s\n' "$name" "$rc" "$rule" "$expected" "$(head -c 300 "$d.err")"
    failed=1
  fi
done <"$LIST"
echo "mutant traces: $total, $([ $failed -eq 0 ] && echo all caught || echo NOT all caught)"
exit $failed
