#!/usr/bin/env bash
# kernel_matrix.sh BUILD [WORKDIR]: the linux adapter's full check matrix (issue 10) on a build
# directory (the default or the asan preset's): for each default tree, seeds 1..5 of 20 s of
# `check --adapter linux --profile linux-V` (must exit 0) and of the version-neutral contract on the
# same tree (contract_deviations.sh: nothing but the documented deviations). Every run must also
# have checked some ops. Prints one row per run (tree, profile, seed, exit, traces, ops, findings)
# and the wall time per tree; exits 1 if any run breaks its expectation, 2 on bad arguments.
# Too long for the default ctest run (30 runs of 20 s); KM_TREES, KM_SEEDS and KM_TIME make a
# smaller one (the ctest smoke test linux.kernel-matrix-smoke).
set -uo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: kernel_matrix.sh BUILD [WORKDIR]" >&2; exit 2; fi
BUILD=$(realpath -m "$1") WORK=${2:-$1/kernel-matrix}
TREES=${KM_TREES:-6.1 6.12 7.2} SEEDS=${KM_SEEDS:-1 2 3 4 5} TIME=${KM_TIME:-20}
RC=$BUILD/resvcheck DEV=$(dirname "$0")/contract_deviations.sh
if [ ! -x "$RC" ]; then echo "kernel_matrix.sh: no $RC (build the resvcheck target first)" >&2; exit 2; fi
for v in $TREES; do
  if [ ! -f "$BUILD/kernel-src/$v/Makefile" ]; then
    echo "kernel_matrix.sh: $BUILD was configured without the $v tree ($BUILD/kernel-src/$v)" >&2; exit 2
  fi
done
rm -rf "$WORK" && mkdir -p "$WORK"

failed=0 times=""
row() {  # tree profile seed exit traces ops findings verdict
  printf '%-5s %-10s %4s %4s %9s %10s  %-5s %s\n' "$@"
}
row tree profile seed exit traces ops ok findings
for v in $TREES; do
  t0=$(date +%s)
  for s in $SEEDS; do
    d=$WORK/$v-exact-$s
    "$RC" check --adapter linux --profile "linux-$v" --seed "$s" --time "$TIME" --max-findings 5 --json \
      --findings "$d" >"$d.json" 2>"$d.err"
    rc=$? ok=ok
    traces=$(jq -r '.traces' "$d.json" 2>/dev/null) ops=$(jq -r '.ops' "$d.json" 2>/dev/null)
    found=$(jq -r '[.findings[].rule] | join(",")' "$d.json" 2>/dev/null)
    if [ $rc -ne 0 ] || ! [ "${ops:-0}" -gt 0 ] 2>/dev/null; then ok=FAIL failed=1; fi
    row "$v" "linux-$v" "$s" "$rc" "${traces:-?}" "${ops:-?}" "$ok" "${found:--}"
    [ $ok = ok ] || sed -n '1,5p' "$d.err" | sed 's/^/      /'
  done
  for s in $SEEDS; do
    d=$WORK/$v-contract-$s
    "$DEV" "$RC" --adapter linux --kernel-src "$BUILD/kernel-src/$v" --seed "$s" --time "$TIME" \
      --findings "$d" >"$d.out" 2>&1
    rc=$? ok=ok
    # its summary line: "exit E; traces T; ops O; findings: R, R; problems: N"
    IFS=';' read -r e traces ops found problems <"$d.out"
    e=${e#exit } traces=${traces# traces } ops=${ops# ops } found=${found# findings: } problems=${problems# problems: }
    if [ $rc -ne 0 ] || ! [ "${ops:-0}" -gt 0 ] 2>/dev/null; then ok=FAIL failed=1; fi
    row "$v" contract "$s" "$e" "$traces" "$ops" "$ok" "${found:--} (documented lacks: $problems)"
    [ $ok = ok ] || sed -n '2,6p' "$d.out" | sed 's/^/      /'
  done
  times+="tree $v: $(( $(date +%s) - t0 )) s wall for $(( 2 * $(echo $SEEDS | wc -w) )) runs of $TIME s"$'\n'
done
printf '%s' "$times"
if [ $failed -ne 0 ]; then echo "kernel_matrix.sh: some runs broke their expectation (FAIL rows; reports in $WORK)"; fi
exit $failed
