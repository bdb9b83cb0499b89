#!/usr/bin/env bash
# export_kunit.sh RESVCHECK TREE WORK KUNIT_BUILD KUNIT_TOOL_DIR
# A finding becomes a kernel test that fails on the kernel it came from and passes on the fixed
# one: the 6.12 mutant seqno-no-wrap (mutants.txt) is found by check, its shrunk trace exported with
# `export --kunit`, and the case, built against the shim's KUnit runtime, fails on the mutant tree
# and passes on the pristine TREE, as kunit.py reads their KTAP. The --selftest and --gtest
# renderings of the same trace are written too (and must not be empty).
set -euo pipefail
rc_bin=$1 tree=$2 work=$3 build=$4 tool=$5
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "export_kunit: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
line=$(grep '^seqno-no-wrap|' "$here/mutants.txt")
IFS='|' read -r _ file script _ <<<"$line"
"$here/mutant_tree.sh" "$tree" "$work/mutant" "$file" "$script" >/dev/null
got=0
"$rc_bin" check --adapter linux --kernel-src "$work/mutant" --time 20 --seed 1 --max-findings 1 --quiet --json \
  --findings "$work/findings" >"$work/check.json" 2>"$work/check.err" || got=$?
[[ $got == 1 ]] || fail "check of the mutant exited $got, expected 1: $(tail -3 "$work/check.err")"
trace=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["findings"][0]["trace"])' "$work/check.json")
"$rc_bin" export --kunit "$trace" --out "$work/case.c"
"$rc_bin" export --selftest "$trace" --out "$work/selftest.c"
"$rc_bin" export --gtest "$trace" --out "$work/gtest.cpp"
grep -q 'SUBTEST(' "$work/selftest.c" && grep -q 'TEST(resvcheck_export' "$work/gtest.cpp" || fail "selftest or gtest rendering incomplete"
grep -q 'KUNIT_CASE(' "$work/case.c" || fail "no KUnit case in $work/case.c"

for t in pristine mutant; do
  src=$tree
  [[ $t == mutant ]] && src=$work/mutant
  "$build" "$src" "$work/case-$t" "$work/case.c" 2>"$work/build-$t.log" || fail "building the case against $t failed: $(tail -5 "$work/build-$t.log")"
  got=0
  "$work/case-$t" >"$work/$t.ktap" 2>"$work/$t.log" || got=$?
  python3 "$tool/tools/testing/kunit/kunit.py" parse "$work/$t.ktap" >"$work/$t.parsed" 2>&1 || true
  echo "$t: exit $got; $(grep -o 'Ran .*' "$work/$t.parsed" | tail -1)"
  want=0 summary='Ran 1 tests: passed: 1'
  [[ $t == mutant ]] && want=1 summary='Ran 1 tests: failed: 1'
  [[ $got == "$want" ]] || fail "the exported case exited $got on the $t tree, expected $want: $(cat "$work/$t.ktap")"
  grep -q "$summary" "$work/$t.parsed" || fail "kunit.py on the $t tree: $(tail -3 "$work/$t.parsed")"
done
grep -q 'EXPECTATION FAILED' "$work/mutant.ktap" || fail "the mutant's KTAP does not say which expectation failed"
