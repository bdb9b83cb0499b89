#!/usr/bin/env bash
# contract_deviations.sh RESVCHECK CHECK-ARGS...: runs `resvcheck check --profile contract CHECK-ARGS
# --json` against a pristine kernel tree and passes iff everything it reports is documented
# (spec/README.md): violations only of the kernel quirk RESV-ITER-NO-LIST-KEEPS-FENCE, which the
# contract names by its symptoms, and "does not provide" only for the newer dma_fence API ops and
# (6.1) the deadline op and drm_exec's. Its first output line is the run's summary (exit, traces, ops,
# findings, problems; kernel_matrix.sh reads it).
set -uo pipefail
RESVCHECK=$1; shift
err=$(mktemp) && trap 'rm -f "$err"' EXIT
out=$("$RESVCHECK" check --profile contract --json --max-findings 5 "$@" 2>"$err")
rc=$?
documented='RESV-ITER-ONCE-PER-ENTRY|RESV-ITER-RESTART-FLAG'
newer_api='resv_set_deadline|fence_check_and_signal|fence_driver_name|fence_timeline_name|fence_was_initialized|fence_dedup_array|fence_init_inline|drm_exec_[a-z_]*|drm_gem_object_refs'
bad=$(echo "$out" | jq -r '.findings[].rule' | grep -vxE "$documented")
lacks=$(echo "$out" | jq -r '.problems[]? // empty' | grep -v -E "does not provide ($newer_api):")
echo "exit $rc; traces $(echo "$out" | jq -r '.traces // 0'); ops $(echo "$out" | jq -r '.ops // 0'); findings: $(echo "$out" | jq -r '[.findings[].rule] | join(", ")'); problems: $(echo "$out" | jq -r '(.problems // []) | length')"
# a run that died before its report (a sanitizer abort exits 1 too) must not pass as "nothing found"
verdict=$(echo "$out" | jq -r '.verdict // empty' 2>/dev/null)
if [ $rc -ne 0 ] && [ $rc -ne 1 ] && [ $rc -ne 3 ] || [ -z "$verdict" ]; then
  echo "unexpected exit $rc or no report; its stderr ends:"; tail -n 20 "$err"; exit 1
fi
if [ -n "$bad" ]; then echo "undocumented deviation(s): $bad"; exit 1; fi
if [ -n "$lacks" ]; then echo "undocumented problem(s): $lacks"; exit 1; fi
