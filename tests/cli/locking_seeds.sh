#!/usr/bin/env bash
# locking_seeds.sh RESVCHECK ADAPTER: `check` on clean code exits 0 for seeds 1-5 and exercises
# every rule of the lock.* areas (lock order and fence signalling, issue 13) under each seed.
set -uo pipefail
RESVCHECK=$1 ADAPTER=$2 TIME=${LOCKING_SEED_TIME:-2}
fail=0
for seed in 1 2 3 4 5; do
  out=$("$RESVCHECK" check --adapter "$ADAPTER" --time "$TIME" --seed "$seed" --quiet --json --findings "$(mktemp -d)")
  rc=$?
  if [ $rc -ne 0 ]; then echo "seed $seed: exit $rc"; fail=1; continue; fi
  idle=$(jq -r '[.rules[] | select(.area | startswith("lock.")) | select(.exercised == 0) | .id] | join(" ")' <<<"$out")
  n=$(jq -r '[.rules[] | select(.area | startswith("lock."))] | length' <<<"$out")
  if [ "$n" -lt 10 ] || [ -n "$idle" ]; then echo "seed $seed: $n lock rules, not exercised: $idle"; fail=1; continue; fi
  echo "seed $seed: exit 0, $n lock rules exercised"
done
exit $fail
