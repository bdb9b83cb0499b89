#!/usr/bin/env bash
# kunit_check.sh BINARY KUNIT_TOOL_DIR EXPECTED_EXIT SUMMARY [ARGS...]
# Runs a shim KUnit binary (ARGS: suite or suite.case globs) and checks its exit status and what
# the kernel's kunit.py makes of its KTAP: the "Ran N tests: ..." line must contain SUMMARY.
set -euo pipefail
bin=$1 tool=$2 want=$3 summary=$4
shift 4
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
got=0
"$bin" "$@" >"$out/ktap" 2>"$out/kernel.log" || got=$?
python3 "$tool/tools/testing/kunit/kunit.py" parse "$out/ktap" >"$out/parsed" 2>&1 || true
cat "$out/parsed"
if [[ $got != "$want" ]]; then
  echo "kunit_check: $bin exited $got, expected $want; kernel log:" >&2
  tail -20 "$out/kernel.log" >&2
  exit 1
fi
ran=$(grep -o 'Ran [0-9]* tests: .*' "$out/parsed" | tail -1) || { echo "kunit_check: kunit.py found no results" >&2; exit 1; }
[[ $ran == *"$summary"* ]] || { echo "kunit_check: kunit.py says '$ran', expected '$summary'" >&2; exit 1; }
if [[ $want == 0 && $ran == *failed* ]]; then echo "kunit_check: the binary passed but kunit.py says '$ran'" >&2; exit 1; fi
