#!/usr/bin/env bash
# Builds and runs the libFuzzer targets under Fuzz/.
#   scripts/fuzz.sh [NAME] [SECONDS]    NAME: one directory of Fuzz/ (default: all); SECONDS default 20
# Each Fuzz/NAME/ holds main.swift (with @_cdecl("LLVMFuzzerTestOneInput")), a `sources` file listing
# the project files compiled with it (one path per line, relative to the repository root), and
# optionally a seed `corpus/`. Binaries go to .build-fuzz/NAME, the working corpus to
# .build-fuzz/corpus/NAME, crash inputs to .build-fuzz/crashes/NAME/. Exits non-zero on a crash.
set -euo pipefail
# The Swift runtime's own crash handler trips AddressSanitizer; let libFuzzer report crashes.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")/.."

name="${1:-}"
seconds="${2:-20}"
if [[ "$name" =~ ^[0-9]+$ && -z "${2:-}" ]]; then seconds="$name"; name=""; fi

targets=()
if [[ -n "$name" ]]; then
  [[ -d "Fuzz/$name" ]] || { echo "fuzz.sh: no such target Fuzz/$name" >&2; exit 2; }
  targets=("$name")
else
  for dir in Fuzz/*/; do targets+=("$(basename "$dir")"); done
fi

mkdir -p .build-fuzz
status=0
for target in "${targets[@]}"; do
  dir="Fuzz/$target"
  sources=()
  if [[ -f "$dir/sources" ]]; then
    while IFS= read -r line; do
      [[ -z "$line" || "$line" == \#* ]] && continue
      sources+=("$line")
    done < "$dir/sources"
  fi
  echo "== building $target (${#sources[@]} project files)"
  swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "Fuzz${target}" \
    "${sources[@]}" "$dir/main.swift" -o ".build-fuzz/$target" 2> ".build-fuzz/$target.build.log" || {
      cat ".build-fuzz/$target.build.log" >&2; echo "fuzz.sh: build of $target failed" >&2; exit 1; }
  corpus=".build-fuzz/corpus/$target"
  crashes=".build-fuzz/crashes/$target"
  mkdir -p "$corpus" "$crashes"
  seeds=()
  [[ -d "$dir/corpus" ]] && seeds=("$dir/corpus")
  echo "== running $target for ${seconds}s (corpus $corpus)"
  if ! ".build-fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$crashes/" \
        "$corpus" "${seeds[@]}" 2> ".build-fuzz/$target.log"; then
    tail -40 ".build-fuzz/$target.log" >&2
    echo "fuzz.sh: $target CRASHED; inputs in $crashes/" >&2
    status=1
  else
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)" ".build-fuzz/$target.log" || true
    echo "== $target: no crash"
  fi
done
exit $status
