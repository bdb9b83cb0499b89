#!/usr/bin/env bash
# html_report.sh RESVCHECK WORKDIR FUZZ_JSON KUNIT_TOOL_DIR [LINUX_VERSION...]
# The report of a run over sim (clean and with a fault), a replay, each linux tree given and a fuzz
# run renders in headless chromium: the matrix cells, a finding's trace with its failing op and the
# fuzz plot are in the rendered DOM, and the screenshot shows the violated cell's, a conforming
# cell's and the plot's colours. JUnit of the same results is checked by an XML parser, KTAP by
# the kernel's kunit.py. FUZZ_JSON is a recorded `fuzz --json` result (the fuzz build is not default).
set -euo pipefail
rc_bin=$1 work=$2 fuzz_json=$3 kunit_tool=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
fail() { echo "html_report: $*" >&2; exit 1; }
run() {  # run EXPECTED_EXIT OUT.json ARGS...
  local want=$1 out=$2 got=0
  shift 2
  "$rc_bin" "$@" --json --findings "$work/findings" >"$out" 2>"$out.err" || got=$?
  [[ $got == "$want" ]] || fail "$* exited $got, expected $want: $(tail -5 "$out.err")"
}
run 0 "$work/sim.json" check --adapter sim --time 2 --seed 3 --quiet
run 1 "$work/sim-fault.json" check --adapter sim --fault seqno32-no-wrap --time 10 --seed 1 --max-findings 1 --quiet
run 1 "$work/replay.json" replay tests/data/corrupted-pin.trace --adapter model
results=("$work/sim.json" "$work/sim-fault.json" "$work/replay.json")
for v in "$@"; do
  [[ -n $v ]] || continue
  run 0 "$work/linux-$v.json" check --adapter linux --profile "linux-$v" --time 3 --seed 3 --quiet
  results+=("$work/linux-$v.json")
done
results+=("$fuzz_json")
"$rc_bin" report "${results[@]}" --html "$work/report.html" --junit "$work/report.xml" --ktap "$work/report.ktap"

browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || fail "chromium is not installed (ci/setup.sh installs it)"
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$work/profile")
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/report.html" >"$work/dom.html" 2>"$work/chromium.log"
timeout 120 "$browser" "${flags[@]}" --window-size=1500,2600 --screenshot="$work/report.png" "file://$work/report.html" \
  >>"$work/chromium.log" 2>&1
[[ -s $work/report.png ]] || fail "no screenshot: $(tail -5 "$work/chromium.log")"

rules=$("$rc_bin" list-rules | grep -c '^[A-Z][A-Z0-9-]* ')
python3 - "$work/dom.html" "$rules" "${#results[@]}" <<'PY'
import sys
from html.parser import HTMLParser
dom, rules, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.cells = {}; s.fail_steps = []; s.polylines = []; s.in_fail = False; s.fail_text = ''
    def handle_starttag(s, tag, attrs):
        a = dict(attrs); s.stack.append(tag)
        if tag == 'td' and 'data-rule' in a: s.cells[(a['data-rule'], a['data-run'])] = a.get('class', '')
        if tag == 'li' and 'fail' in a.get('class', '').split(): s.in_fail = True; s.fail_text = ''
        if tag == 'polyline': s.polylines.append((a.get('class'), len(a.get('points', '').split())))
    def handle_endtag(s, tag):
        if tag == 'li' and s.in_fail: s.fail_steps.append(s.fail_text); s.in_fail = False
    def handle_data(s, d):
        if s.in_fail: s.fail_text += d
p = P(); p.feed(open(dom).read())
assert len(p.cells) == rules * runs, f'matrix has {len(p.cells)} cells, expected {rules} rules x {runs} runs'
assert p.cells[('FENCE-SEQNO-LATER-32', '2')] == 'violated', 'sim --fault seqno32-no-wrap: FENCE-SEQNO-LATER-32 not violated in the matrix'
assert p.cells[('FENCE-SIGNAL-ONCE', '3')] == 'violated', 'replay of corrupted-pin: FENCE-SIGNAL-ONCE not violated'
assert p.cells[('FENCE-SEQNO-LATER-32', '1')] == 'ok', 'clean sim run: FENCE-SEQNO-LATER-32 not conforming'
kinds = set(p.cells.values())
assert {'ok', 'violated', 'na', 'uncounted'} <= kinds, f'matrix states: {kinds}'
assert any('fence_' in t or 'resv_' in t for t in p.fail_steps), f'no trace with a failing op marked: {p.fail_steps}'
plot = {c: n for c, n in p.polylines}
assert plot.get('cov', 0) >= 2 and plot.get('corpus', 0) >= 2 and plot.get('findings', 0) >= 2, f'fuzz plot: {p.polylines}'
print(f'dom: {len(p.cells)} matrix cells ({sorted(kinds)}), {len(p.fail_steps)} failing ops marked, plot {plot}')
PY
# violated cell, conforming cell, coverage line of the plot
python3 "$here/png_colours.py" "$work/report.png" f4b6b0 cdeccd 1565c0

python3 - "$work/report.xml" "$rules" "${#results[@]}" <<'PY'
import sys, xml.etree.ElementTree as ET
root, rules, runs = ET.parse(sys.argv[1]).getroot(), int(sys.argv[2]), int(sys.argv[3])
suites = root.findall('testsuite')
assert len(suites) == runs, f'{len(suites)} suites'
cases = root.findall('testsuite/testcase')
assert len(cases) == rules * runs and len({(c.get('classname'), c.get('name')) for c in cases}) == rules * runs, 'one case per rule per run'
fails = [(c.get('classname'), c.get('name')) for c in cases if c.find('failure') is not None]
assert any(n == 'FENCE-SEQNO-LATER-32' and 'seqno32-no-wrap' in cl for cl, n in fails), fails
print(f'junit: {len(suites)} suites, {len(cases)} cases, {len(fails)} failures')
PY

# KTAP: kunit.py counts what the results say (every rule of every run; skips = not exercised or n/a)
python3 "$kunit_tool/tools/testing/kunit/kunit.py" parse "$work/report.ktap" >"$work/kunit.txt" 2>&1 || true
summary=$(grep -o 'Ran [0-9]* tests: passed: [0-9]*, failed: [0-9]*, skipped: [0-9]*' "$work/kunit.txt") ||
  fail "kunit.py did not parse the KTAP: $(tail -5 "$work/kunit.txt")"
expected=$(python3 - "$rules" "${results[@]}" <<'PY'
import json, sys
rules, total, failed = int(sys.argv[1]), 0, 0
for f in sys.argv[2:]:
    d = json.load(open(f))
    total += rules
    failed += len({x['rule'] for x in d['findings'] if x['rule']})
print(total, failed)
PY
)
read -r want_total want_failed <<<"$expected"
[[ $summary == "Ran $want_total tests: passed: "*", failed: $want_failed, skipped: "* ]] ||
  fail "kunit.py: '$summary', expected $want_total tests, $want_failed failed"
grep -q "Failures: .*seqno32-no-wrap.*FENCE-SEQNO-LATER-32" "$work/kunit.txt" || fail "kunit.py does not name the failing rule"
echo "ktap: kunit.py: $summary"
