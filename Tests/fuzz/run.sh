#!/usr/bin/env bash
# Builds the libFuzzer binary (Swift -sanitize=fuzzer,address, the core compiled in) and runs
# every target: `run.sh quick` runs a short fixed number of runs per target (make test),
# `run.sh SECONDS` fuzzes each target for that long (make fuzz). Saved regressions are replayed
# first; a crash leaves its input in build/fuzz-artifacts/<target>/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-quick}
targets=${FUZZ_TARGETS:-$(sed -n 's/^ *case "\([a-z-]*\)":.*/\1/p' Tests/fuzz/FuzzTargets.swift | tr '\n' ' ')}
bin=build/fuzz-jcfed
mkdir -p build
srcs=$(find Sources/JCFedCore Tests/fuzz -name '*.swift' | sort)
if [ ! -x "$bin" ] || [ -n "$(find $srcs -newer "$bin" 2>/dev/null | head -1)" ]; then
  echo "building $bin"
  swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name JCFedFuzz -o "$bin" $srcs 2>&1 \
    | grep -v "Cannot export local symbol" || true
fi
for t in $targets; do
  corpus=Tests/fuzz/corpus/$t
  work=build/fuzz-work/$t
  art=build/fuzz-artifacts/$t/
  mkdir -p "$corpus" "$work" "$art"
  if [ -d Tests/fuzz/regressions/$t ] && [ -n "$(ls -A Tests/fuzz/regressions/$t 2>/dev/null)" ]; then
    JCFED_FUZZ_TARGET=$t "$bin" -runs=0 Tests/fuzz/regressions/$t/* >/dev/null 2>&1 \
      || { echo "fuzz $t: a saved regression fails again"; exit 1; }
  fi
  if [ "$mode" = quick ]; then
    args=(-runs=${FUZZ_RUNS:-3000})
  else
    args=(-max_total_time="$mode")
  fi
  if ! JCFED_FUZZ_TARGET=$t "$bin" "${args[@]}" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$art" "$work" "$corpus" > build/fuzz-$t.log 2>&1; then
    echo "fuzz $t: FAILED (see build/fuzz-$t.log, input in $art)"; tail -30 build/fuzz-$t.log; exit 1
  fi
  echo "fuzz $t: $(grep -Eo 'Done [0-9]+ runs' build/fuzz-$t.log | tail -1 || echo done)"
done
