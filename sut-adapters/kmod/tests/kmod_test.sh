#!/usr/bin/env bash
# ctest (label kmod): the kmod adapter on a booted kernel. Exit 77 (skipped) when qemu or the
# kernel cannot be used here, saying why.
# Usage: kmod_test.sh RESVCHECK SOURCE_DIR WORK_DIR CASE [ARGS]
#   CASE: replay VERSION | check VERSION | broken | oops | hang
set -uo pipefail
bin=$1 src=$2 work=$3 case=$4
shift 4
skip() { echo "SKIPPED: $*"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (ci/setup.sh --vm)"
profile() { [[ $1 == 6.12 ]] && echo linux-6.12 || echo linux-6.1; }
have_kernel() {
  if [[ $1 == 6.12 ]]; then compgen -G "/var/cache/resvcheck/kmod/6.12/boot/vmlinuz-6.12.*" >/dev/null
  else compgen -G "/boot/vmlinuz-6.1.*" >/dev/null; fi || skip "no $1 kernel image (ci/setup.sh --vm installs it)"
}
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

# The module has every op a stock kernel can run; what the kernel cannot have (fail_alloc without
# fault injection, the lock-order ops without lockdep, drm_exec from a module the guest does not
# load) the adapter declares, and the rules only those show are n/a (adapter): a run exits 0.
judged() {  # judged RC OUT MIN_OK
  local rc=$1 out=$2 min=$3
  cat "$out"
  [[ $rc == 0 ]] || fail "exit $rc (0: conforms)"
  grep -q "^unsupported:" "$out" && fail "ops the adapter lacks"
  grep -q "the adapter cannot observe" "$out" || fail "no rule is n/a (adapter)"
  local ok
  ok=$(sed -n 's/^rules: \([0-9]*\) ok, 0 violated.*/\1/p' "$out" | head -1)
  [[ -n $ok ]] && ((ok >= min)) || fail "too few rules judged (${ok:-none}, want $min)"
  echo "conforms on $ok rules"
}

case $case in
replay)
  have_kernel "$1"
  # the whole corpus, fence containers included; traces that need what the kernel cannot have are skipped
  "$bin" replay "$src/corpora/regressions" --adapter kmod --profile "$(profile "$1")" --quiet >"$work/out" 2>&1
  judged $? "$work/out" 90
  grep -q "skipped .*/fence-container/" "$work/out" && fail "a fence-container trace was skipped"
  grep -q "skipped .*/alloc/.*cannot have fail_alloc" "$work/out" || fail "the alloc traces were not skipped as not applicable"
  ;;
check)
  have_kernel "$1"
  "$bin" check --adapter kmod --profile "$(profile "$1")" --time "${2:-10}" --seed 1 --findings "$work/findings" --quiet >"$work/out" 2>&1
  judged $? "$work/out" 105
  ;;
broken)
  # one op mapped to the wrong usage: WRITE fences added as READ
  have_kernel 6.1
  rel=$(basename /boot/vmlinuz-6.1.* | sed 's/^vmlinuz-//' | sort | tail -1)
  ko=$("$src/sut-adapters/kmod/build-module.sh" "/usr/src/linux-headers-$rel" "$work/module" -DRESVCHECK_KMOD_BREAK_USAGE) || fail "variant build"
  "$bin" check --adapter "kmod,module=$ko" --time 30 --seed 1 --max-findings 1 --findings "$work/findings" --quiet >"$work/out" 2>&1
  rc=$?
  cat "$work/out"
  [[ $rc == 1 ]] || fail "expected exit 1 (a violation), got $rc"
  trace=$(ls "$work"/findings/*.trace | head -1)
  [[ -n $trace ]] || fail "no finding written"
  grep -q "^# RESV-" "$trace" || fail "the finding does not name a dma_resv rule: $(head -1 "$trace")"
  ops=$(grep -cv '^#' "$trace")
  ((ops <= 12)) || fail "the trace was not shrunk ($ops ops)"
  grep -q "resv_add_fence .* WRITE" "$trace" || fail "the shrunk trace does not add a WRITE fence"
  echo "caught: $(head -1 "$trace") in $ops ops"
  ;;
oops)
  # a locked walk of two or more fences oopses: a finding with the console log, and the run goes on
  have_kernel 6.1
  rel=$(basename /boot/vmlinuz-6.1.* | sed 's/^vmlinuz-//' | sort | tail -1)
  ko=$("$src/sut-adapters/kmod/build-module.sh" "/usr/src/linux-headers-$rel" "$work/module" -DRESVCHECK_KMOD_OOPS_WALK) || fail "variant build"
  start=$(date +%s)
  "$bin" check --adapter "kmod,module=$ko" --time 40 --seed 1 --findings "$work/findings" --quiet >"$work/out" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  cat "$work/out"
  [[ $rc == 1 ]] || fail "expected exit 1 (a finding), got $rc"
  trace=$(ls "$work"/findings/ADAPTER-CRASH-*.trace 2>/dev/null | head -1)
  [[ -n $trace ]] || fail "no ADAPTER-CRASH finding"
  grep -q "resv_for_each_fence" "$trace" || fail "the finding does not end at the walk"
  grep -q "NULL pointer dereference" "$trace" || fail "the finding lacks the oops"
  log=$(ls "$work"/findings/kmod-console/*.log 2>/dev/null | head -1)
  [[ -n $log ]] && grep -q "RIP: .*op_resv_for_each_fence" "$log" || fail "no console log with the oops beside the trace"
  # the op a batch died in comes back from the guest: resvcheck.ko's panic notifier names its frame
  grep -q "resvcheck: died in frame [0-9]* ([0-9]* unsent reply bytes)" "$log" || fail "the console log does not name the frame the kernel died in"
  # the run went on after the finding, in fresh VMs (each dead VM leaves its console log)
  found=$(sed -n 's/.*found: *after \([0-9.]*\) s.*/\1/p' "$work/out" | head -1)
  total=$(sed -n 's/.* ops in \([0-9.]*\) s.*/\1/p' "$work/out" | head -1)
  traces=$(sed -n 's/.*: \([0-9]*\) traces.*/\1/p' "$work/out" | head -1)
  [[ -n $found && -n $total ]] || fail "no finding time or run time in the report"
  (( $(echo "$total - $found >= 5" | bc) )) || fail "the run did not go on after the oops (found after $found s, ran $total s)"
  echo "oops reported with the console log after $found s; the run went on to $total s ($traces traces, $took s wall)"
  ;;
hang)
  # dma_resv_usage_rw(true) spins with interrupts off: the host watchdog makes it a hang finding
  have_kernel 6.1
  rel=$(basename /boot/vmlinuz-6.1.* | sed 's/^vmlinuz-//' | sort | tail -1)
  ko=$("$src/sut-adapters/kmod/build-module.sh" "/usr/src/linux-headers-$rel" "$work/module" -DRESVCHECK_KMOD_HANG_USAGE_RW) || fail "variant build"
  "$bin" check --adapter "kmod,module=$ko" --time 20 --watchdog 3 --seed 1 --findings "$work/findings" --quiet >"$work/out" 2>&1
  rc=$?
  cat "$work/out"
  [[ $rc == 1 ]] || fail "expected exit 1 (a finding), got $rc"
  trace=$(ls "$work"/findings/ADAPTER-HANG-*.trace 2>/dev/null | head -1)
  [[ -n $trace ]] || fail "no ADAPTER-HANG finding"
  grep -q "observed: resv_usage_rw in the kmod VM.*no answer from the guest" "$trace" || fail "the hang does not name resv_usage_rw"
  [[ $(grep -v '^#' "$trace" | tail -1) == resv_usage_rw* ]] || fail "the trace does not end at resv_usage_rw"
  echo "hang reported at resv_usage_rw"
  ;;
*) echo "unknown case $case"; exit 2 ;;
esac
