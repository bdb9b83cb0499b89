#!/usr/bin/env bash
# tsan_check.sh RESVCHECK TREE WORK (a ThreadSanitizer build: the tsan preset)
# The linux adapter's concurrent blocks on real threads (--adapter linux,realthreads) under
# ThreadSanitizer. Clean: check --threads 2, then 3, on TREE's code exits 0 with no report
# (tsan.supp lists the kernel's own intended races, with why).
# Control (so the check can fail): the same with dma_fence_is_signaled reading the signalled bit
# with a plain load instead of test_bit(), racing with the atomic set_bit() of a concurrent
# dma_fence_signal. Nothing else changes, so only ThreadSanitizer can see it: it must report a data
# race in dma_fence_is_signaled.
set -uo pipefail
RESVCHECK=$1 TREE=$2 WORK=$3
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(dirname "$0")/tsan.supp ${TSAN_OPTIONS:-}"
export RESVCHECK_CACHE_DIR=$WORK/cache
rm -rf "$WORK/findings" "$WORK/racy" && mkdir -p "$WORK"
fail() { echo "FAIL: $*"; exit 1; }

for n in 2 3; do
  "$RESVCHECK" check --adapter linux,realthreads --kernel-src "$TREE" --threads $n --time 10 --seed 1 --isolate off \
    --findings "$WORK/findings" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  grep -E "schedules run|verdict" "$WORK/out"
  grep -q "ThreadSanitizer" "$WORK/err" && { tail -40 "$WORK/err"; fail "$n threads: a ThreadSanitizer report on clean code"; }
  [[ $rc == 0 ]] || { tail -20 "$WORK/err"; fail "$n threads: exit $rc"; }
done

line=$(grep -n "^dma_fence_is_signaled(struct dma_fence \*fence)" "$TREE/include/linux/dma-fence.h" | cut -d: -f1)
[[ -n $line ]] || fail "no dma_fence_is_signaled in $TREE"
"$(dirname "$0")/mutant_tree.sh" "$TREE" "$WORK/racy" include/linux/dma-fence.h \
  "$line,+3s/test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags)/(fence->flags \& BIT(DMA_FENCE_FLAG_SIGNALED_BIT))/" || fail "mutant"
"$RESVCHECK" check --adapter linux,realthreads --kernel-src "$WORK/racy" --threads 2 --time 60 --seed 1 --isolate off \
  --findings "$WORK/findings" >"$WORK/out" 2>"$WORK/err"
rc=$?
grep -q "WARNING: ThreadSanitizer: data race" "$WORK/err" || { tail -20 "$WORK/err"; fail "control: no data race reported (exit $rc)"; }
grep -q "dma_fence_is_signaled" "$WORK/err" || fail "control: the report does not name dma_fence_is_signaled"
echo "control: $(grep -m1 "WARNING: ThreadSanitizer" "$WORK/err") ($(grep -m1 -o "dma_fence_is_signaled .*dma-fence.h:[0-9]*" "$WORK/err"))"
echo "OK: no report on clean code, the racy control reported"
