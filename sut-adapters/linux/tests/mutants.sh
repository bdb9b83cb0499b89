#!/usr/bin/env bash
# mutants.sh RESVCHECK TREE MUTANTS_TXT WORKDIR [JOBS]
# Applies each mutant of MUTANTS_TXT to a fresh copy of the needed files of TREE (Linux 6.12) and
# asserts `resvcheck check --adapter linux --kernel-src COPY --max-findings 1 --json` finds it (exit 1),
# that the first finding names one of the mutant's expected root-cause rules, and that its shrunk
# trace has at most MUTANT_MAX_OPS ops (12). An optional sixth field names the rule the suite is
# known to name instead (a diagnosis weakness explained in mutants.txt): that rule is accepted and
# the line says DISCREPANCY, so a fix (or a new misnaming) shows. Prints one line per mutant (rule, ops, seconds), the
# median and maximum shrunk length, and exits 1 if any mutant fails (survives, is misnamed, too
# long, or does not apply). Plugins are built through resvcheck's cache (RESVCHECK_CACHE_DIR
# defaults to WORKDIR/cache); JOBS mutants run at a time. MUTANT_ARGS: more check flags (the
# concurrency mutants: --threads 2).
set -uo pipefail
RESVCHECK=$1 TREE=$2 LIST=$3 WORK=$4 JOBS=${5:-2}
TIME=${MUTANT_TIME:-20} SEED=${MUTANT_SEED:-1} MAX_OPS=${MUTANT_MAX_OPS:-12} ARGS=${MUTANT_ARGS:-}
export RESVCHECK_CACHE_DIR=${RESVCHECK_CACHE_DIR:-$WORK/cache}
rm -rf "$WORK/m" && mkdir -p "$WORK/m" "$RESVCHECK_CACHE_DIR"
MUTANT_TREE=$(dirname "$0")/mutant_tree.sh

one() {  # name file script expected what [known]
  local name=$1 file=$2 script=$3 expected=$4 what=$5 known=${6:-} d=$WORK/m/$1
  if ! why=$("$MUTANT_TREE" "$TREE" "$d/tree" "$file" "$script"); then
    echo "NOT-APPLIED $name: $why"; return
  fi
  local t0=$(date +%s.%N)
  "$RESVCHECK" check --adapter linux --kernel-src "$d/tree" --time "$TIME" --max-findings 1 --seed "$SEED" $ARGS --quiet --json \
    --findings "$d/findings" >"$d/out" 2>"$d/err"
  local rc=$? t=$(echo "$(date +%s.%N) - $t0" | bc)
  if [ $rc -eq 0 ]; then printf 'SURVIVED %-28s %s\n' "$name" "$what"; return; fi
  if [ $rc -ne 1 ]; then printf 'ERROR    %-28s exit %d: %s\n' "$name" "$rc" "$(head -c 600 "$d/err")"; return; fi
  local rule ops
  rule=$(jq -r '.findings[0].rule' "$d/out") ops=$(jq -r '.findings[0].ops' "$d/out")
  local verdict=CAUGHT
  if [[ ",$expected," != *",$rule,"* ]]; then
    if [ -n "$known" ] && [ "$rule" = "$known" ]; then verdict=DISCREPANCY; else verdict=MISNAMED; fi
  fi
  if [ "$verdict" != MISNAMED ] && [ "$ops" -gt "$MAX_OPS" ]; then verdict=TOO-LONG; fi
  printf '%-11s %-28s %-34s %2d ops %5.1fs  expected %s\n' "$verdict" "$name" "$rule" "$ops" "$t" "$expected"
}
export -f one; export WORK TREE RESVCHECK TIME SEED MAX_OPS MUTANT_TREE ARGS
grep -v '^\s*#' "$LIST" | grep -v '^\s*$' | tr '\n' '\0' |
  xargs -0 -P "$JOBS" -I{} bash -c 'IFS="|" read -r n f s e w k <<<"$1"; one "$n" "$f" "$s" "$e" "$w" "$k"' _ {} | tee "$WORK/results.txt"
caught=$(grep -c '^CAUGHT' "$WORK/results.txt")
known=$(grep -c '^DISCREPANCY' "$WORK/results.txt")
total=$(grep -c . "$WORK/results.txt")
lens=$(grep -o ' [0-9]* ops ' "$WORK/results.txt" | awk '{print $1}' | sort -n)
n=$(echo "$lens" | grep -c .)
[ "$n" -gt 0 ] && echo "shrunk length: median $(echo "$lens" | sed -n "$(( (n + 1) / 2 ))p"), max $(echo "$lens" | tail -1) ops over $n findings"
echo "mutants: $caught of $total caught under their expected rule, $known under a known other rule"
[ $((caught + known)) -eq "$total" ]
