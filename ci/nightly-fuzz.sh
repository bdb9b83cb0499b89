#!/usr/bin/env bash
# ci/nightly-fuzz.sh - time-boxed nightly fuzzing with a shared, persistent corpus.
#
#   ci/nightly-fuzz.sh [--engine libfuzzer|afl] [--time SECONDS] [--jobs N] [--targets "sim parser linux"]
#                      [--work DIR] [--fault F]
#
# For each target: several engine instances share one corpus (libFuzzer: -fork=N; AFL++: one -M
# and N-1 -S instances under one -o dir), for --time seconds each; then the corpus is minimised
# (libFuzzer -merge=1, afl-cmin) and kept under WORK/corpus/TARGET for the next night. Every crash
# of fuzz-sim / fuzz-linux goes through `resvcheck fuzz`'s finding pipeline (decode, replay, shrink,
# write under WORK/findings). WORK/summary.md says what happened; WORK/logs/TARGET.json per target.
# Exit: 0 no finding, 1 findings, 2 set-up error. Builds the presets it needs first.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENGINE=libfuzzer TIME=3600 JOBS=$(nproc) TARGETS="sim parser" WORK="$ROOT/fuzz-nightly" FAULT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) ENGINE=$2; shift 2 ;;
    --time) TIME=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --fault) FAULT=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "nightly-fuzz: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$ENGINE" in libfuzzer) PRESET=fuzz BUILD="$ROOT/build-fuzz" ;; afl) PRESET=afl BUILD="$ROOT/build-afl" ;;
  *) echo "nightly-fuzz: --engine libfuzzer|afl" >&2; exit 2 ;; esac

mkdir -p "$WORK/corpus" "$WORK/findings" "$WORK/logs"
WORK=$(cd "$WORK" && pwd)
LINUX_FLAG=""
case " $TARGETS " in *" linux "*) LINUX_FLAG="-DRESVCHECK_LINUX=ON" ;; esac

echo "== build ($PRESET preset$([ -n "$LINUX_FLAG" ] && echo ', linux adapter on'))"
cmake --preset "$PRESET" $LINUX_FLAG >"$WORK/logs/configure.log" 2>&1 && cmake --build --preset "$PRESET" >"$WORK/logs/build.log" 2>&1 || {
  echo "nightly-fuzz: build failed, see $WORK/logs/" >&2; exit 2; }
# the CLI that processes findings (any build with the sim adapter; the fuzz preset builds one)
CLI="$BUILD/resvcheck"
[ -x "$CLI" ] || { cmake --preset fuzz >/dev/null && cmake --build --preset fuzz --target resvcheck >/dev/null; CLI="$ROOT/build-fuzz/resvcheck"; }

status=0
: >"$WORK/summary.rows"
for t in $TARGETS; do
  bin="$BUILD/fuzz/fuzz-$t"
  [ -x "$bin" ] || { echo "nightly-fuzz: no $bin" >&2; status=2; continue; }
  corpus="$WORK/corpus/$t"
  seeds="$ROOT/corpora/seeds/$t"; [ -d "$seeds" ] || seeds="$ROOT/corpora/seeds/sim"
  mkdir -p "$corpus"
  [ -n "$(ls -A "$corpus")" ] || cp "$seeds"/* "$corpus"/
  start=$(date +%s)
  echo "== $t: $ENGINE, $JOBS job(s), ${TIME}s, corpus $(ls "$corpus" | wc -l) files"
  if [ "$t" = parser ]; then
    # parser: the engine alone (a crash is a parser bug, kept as is)
    arts="$WORK/findings/parser"; mkdir -p "$arts"
    if [ "$ENGINE" = libfuzzer ]; then
      "$bin" "$corpus" -dict="$ROOT/corpora/seeds/parser.dict" -fork="$JOBS" -ignore_crashes=1 -max_total_time="$TIME" \
        -artifact_prefix="$arts/" -print_final_stats=1 >"$WORK/logs/parser.log" 2>&1
    else
      rm -rf "$WORK/afl-parser"
      for j in $(seq 1 "$JOBS"); do
        role=$([ "$j" = 1 ] && echo "-M main" || echo "-S sec$j")
        AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
          afl-fuzz -i "$corpus" -o "$WORK/afl-parser" -x "$ROOT/corpora/seeds/parser.dict" -V "$TIME" $role -- "$bin" \
          >"$WORK/logs/parser-$j.log" 2>&1 &
      done
      wait
      cp "$WORK"/afl-parser/*/crashes/id:* "$arts"/ 2>/dev/null
      cp "$WORK"/afl-parser/*/queue/id:* "$corpus"/ 2>/dev/null
    fi
    n=$(ls "$arts" | grep -c -E '^(crash|timeout|oom|leak|id:)' || true)
    [ "$n" -gt 0 ] && status=1
    found="$n crash(es) in $arts"
  else
    fault_args=(); [ -n "$FAULT" ] && fault_args=(--fault "$FAULT")
    RESVCHECK_FUZZ_BUILD="$BUILD" "$CLI" fuzz --engine "$ENGINE" --adapter "$t" "${fault_args[@]}" --time "$TIME" --jobs "$JOBS" \
      --corpus "$corpus" --findings "$WORK/findings/$t" --json >"$WORK/logs/$t.json" 2>"$WORK/logs/$t.err"
    rc=$?
    [ "$rc" = 1 ] && status=1
    [ "$rc" = 2 ] && { status=2; echo "nightly-fuzz: $t: set-up error, see $WORK/logs/$t.err" >&2; }
    # the session's corpus becomes the shared corpus of the next night
    sess=$(ls -d "$WORK/findings/$t"/.fuzz/* 2>/dev/null | head -1)
    if [ "$ENGINE" = libfuzzer ]; then
      [ -n "$sess" ] && cp -n "$sess"/corpus/* "$corpus"/ 2>/dev/null
    else
      [ -n "$sess" ] && cp -n "$sess"/afl/*/queue/id:* "$corpus"/ 2>/dev/null
    fi
    # "rule":null is an adapter crash or hang that is not a divergence
    found=$(grep -o '"findings":\[.*\]' "$WORK/logs/$t.json" | grep -o '"rule":[^,]*' | tr '\n' ' ')
    [ -n "$found" ] || found="none"
  fi
  # corpus minimisation
  before=$(ls "$corpus" | wc -l)
  min="$WORK/corpus/$t.min"; rm -rf "$min"; mkdir -p "$min"
  if [ "$ENGINE" = libfuzzer ]; then
    "$bin" -merge=1 "$min" "$corpus" >"$WORK/logs/$t-merge.log" 2>&1
  else
    AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 afl-cmin -i "$corpus" -o "$min" -- "$bin" >"$WORK/logs/$t-cmin.log" 2>&1
  fi
  if [ -n "$(ls -A "$min")" ]; then rm -rf "$corpus"; mv "$min" "$corpus"; else rm -rf "$min"; fi
  after=$(ls "$corpus" | wc -l)
  execs=$(grep -o '"execs_per_sec":[0-9]*' "$WORK/logs/$t.json" 2>/dev/null | cut -d: -f2)
  [ -z "$execs" ] && execs=$(grep -o 'exec/s: [0-9]*' "$WORK/logs/parser.log" 2>/dev/null | tail -1 | cut -d' ' -f2)
  echo "| $t | $ENGINE | $JOBS | $(( $(date +%s) - start )) | ${execs:-?} | $before -> $after | $found |" >>"$WORK/summary.rows"
done

{
  echo "# resvcheck nightly fuzz, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
  echo
  echo "| target | engine | jobs | seconds | execs/s | corpus (minimised) | findings |"
  echo "|---|---|---|---|---|---|---|"
  cat "$WORK/summary.rows"
  echo
  echo "Findings (shrunk traces, replay commands in their headers): $WORK/findings/"
  ls "$WORK"/findings/*/*.trace 2>/dev/null | sed 's/^/- /'
} >"$WORK/summary.md"
rm -f "$WORK/summary.rows"
cat "$WORK/summary.md"
exit $status
