#!/usr/bin/env bash
# mutants.sh RESVCHECK TREE MUTANTS_TXT WORKDIR [JOBS]
# Applies each mutant of MUTANTS_TXT to a fresh copy of the needed files of TREE (Linux 6.12) and
# asserts `resvcheck check --adapter linux --kernel-src COPY` finds it (exit 1). Prints the first
# finding's rule and trace size per mutant; exits 1 if any mutant survives (or fails to apply).
# Plugins are built through resvcheck's cache (RESVCHECK_CACHE_DIR defaults to WORKDIR/cache).
set -uo pipefail
RESVCHECK=$1 TREE=$2 LIST=$3 WORK=$4 JOBS=${5:-2}
TIME=${MUTANT_TIME:-30}
export RESVCHECK_CACHE_DIR=${RESVCHECK_CACHE_DIR:-$WORK/cache}
rm -rf "$WORK/m" && mkdir -p "$WORK/m" "$RESVCHECK_CACHE_DIR"
MUTANT_TREE=$(dirname "$0")/mutant_tree.sh

one() {  # name file script what
  local name=$1 file=$2 script=$3 what=$4 d=$WORK/m/$1
  if ! why=$("$MUTANT_TREE" "$TREE" "$d/tree" "$file" "$script"); then
    echo "NOT-APPLIED $name: $why"; return
  fi
  local t0=$(date +%s.%N)
  "$RESVCHECK" check --adapter linux --kernel-src "$d/tree" --time "$TIME" --max-findings 1 --seed 1 --quiet \
    --findings "$d/findings" >"$d/out" 2>&1
  local rc=$? t=$(echo "$(date +%s.%N) - $t0" | bc)
  if [ $rc -eq 1 ]; then
    local f=$(ls "$d"/findings/*.trace 2>/dev/null | head -1)
    local rule=$(basename "$f" | sed 's/-[0-9a-f]*\.trace$//')
    local ops=$(grep -cv '^\s*#\|^\s*$' "$f")
    printf 'CAUGHT   %-26s %-30s %2d ops  %5.1fs  (%s)\n' "$name" "$rule" "$ops" "$t" "$what"
  elif [ $rc -eq 0 ]; then
    printf 'SURVIVED %-26s %s\n' "$name" "$what"
  else
    printf 'ERROR    %-26s exit %d: %s\n' "$name" "$rc" "$(head -c 600 "$d/out")"
  fi
}
export -f one; export WORK TREE RESVCHECK TIME MUTANT_TREE
grep -v '^\s*#' "$LIST" | grep -v '^\s*$' | tr '\n' '\0' |
  xargs -0 -P "$JOBS" -I{} bash -c 'IFS="|" read -r n f s w <<<"$1"; one "$n" "$f" "$s" "$w"' _ {} | tee "$WORK/results.txt"
caught=$(grep -c '^CAUGHT' "$WORK/results.txt")
total=$(grep -c . "$WORK/results.txt")
echo "mutants: $caught of $total caught"
[ "$caught" -eq "$total" ]
