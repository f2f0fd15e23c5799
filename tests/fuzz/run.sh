#!/usr/bin/env bash
# Runs every built libFuzzer target for a bounded time, one at a time; builds nothing (make
# fuzz-test builds first). Each target starts from its committed corpus, tests/fuzz/corpus/
# <name without the fuzz_ prefix>/ (or corpus/<full name>/), and writes the inputs it
# discovers to a temporary directory. By default the repository is never written. Exits
# non-zero when any target crashes, leaks, times out or cannot run; the crashing input is
# kept and its path printed.
#
#   FUZZ_SECONDS   seconds per target (default 20)
#   FUZZ_BUILD_DIR where the fuzz_* binaries are (default build/fuzz/tests/fuzz)
#   FUZZ_TARGETS   space-separated subset of targets to run (default: all built)
#   FUZZ_MERGE     1 (make fuzz-long): after a target passes, merge the inputs it found into
#                  its committed corpus with libFuzzer's -merge=1. Only inputs that add
#                  features over the corpus are added, named by their SHA-1; the committed
#                  seeds (named regressions among them) are kept as they are.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${FUZZ_SECONDS:-20}
merge=${FUZZ_MERGE:-0}
bin_dir=${FUZZ_BUILD_DIR:-$root/build/fuzz/tests/fuzz}
corpus_root=$root/tests/fuzz/corpus

if [[ ! -d $bin_dir ]]; then
  echo "fuzz: no fuzz build in $bin_dir; build it first: make build-fuzz" >&2
  exit 1
fi

targets=()
if [[ -n ${FUZZ_TARGETS:-} ]]; then
  for t in $FUZZ_TARGETS; do targets+=("$bin_dir/$t"); done
else
  for f in "$bin_dir"/fuzz_*; do
    [[ -f $f && -x $f ]] && targets+=("$f")
  done
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz_* binaries in $bin_dir; build them first: make build-fuzz" >&2
  exit 1
fi

count() { [[ -d $1 ]] && find "$1" -type f | wc -l || echo 0; }
field() { grep -o "$1: [0-9]*" <<<"$2" | cut -d' ' -f2; }  # field cov "a libFuzzer status line"

work=$(mktemp -d "${TMPDIR:-/tmp}/airlock-fuzz.XXXXXX")
failed=0
rows=()
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  if [[ ! -x $bin ]]; then
    rows+=("FAIL|$name|-|-|-|-|not built")
    failed=1
    continue
  fi
  corpus=$corpus_root/${name#fuzz_}
  [[ -d $corpus || ! -d $corpus_root/$name ]] || corpus=$corpus_root/$name
  seeds=()
  [[ -d $corpus ]] && seeds=("$corpus")
  out=$work/$name
  mkdir -p "$out/new" "$out/artifacts"
  log=$out/log.txt
  before=$(count "$corpus")
  echo "fuzz: $name for ${seconds}s (corpus: ${seeds[*]:-none}, $before files)"
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-60}" \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
    "$out/new" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  inited=$(grep -m1 'INITED cov' "$log")
  last=$(grep ' cov: ' "$log" | tail -1)
  cov="$(field cov "$inited") -> $(field cov "$last")"
  ft="$(field ft "$inited") -> $(field ft "$last")"
  found=$(count "$out/new")
  if ((rc != 0)); then
    failed=1
    artifacts=$(ls "$out/artifacts" 2>/dev/null | tr '\n' ' ')
    rows+=("FAIL|$name|${execs:-?}|${cov:-?}|${ft:-?}|$before|exit $rc; artifacts in\
 $out/artifacts/: ${artifacts:-(none)}; log $log")
    echo "fuzz: $name failed; last lines of its log:" >&2
    tail -n 40 "$log" >&2
    continue
  fi
  res=ok note="new inputs $found" size=$before
  if [[ $merge == 1 ]]; then
    mkdir -p "$corpus"
    if "$bin" -merge=1 -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-60}" \
         -artifact_prefix="$out/artifacts/" "$corpus" "$out/new" >"$out/merge.txt" 2>&1; then
      size="$before -> $(count "$corpus")"
      note="$note; merged $(grep -o '[0-9]* new files with .*' "$out/merge.txt")"
    else
      failed=1 res=FAIL note="$note; merge failed, log $out/merge.txt"
    fi
  fi
  rows+=("$res|$name|${execs:-?}|${cov:-?}|${ft:-?}|$size|$note")
done

echo "fuzz summary (${seconds}s per target; cov and ft: libFuzzer's status once the corpus is"\
  "loaded -> at the end):"
printf '  %-4s %-20s %10s %-15s %-15s %-12s  %s\n' result target execs cov ft corpus notes
for row in "${rows[@]}"; do
  IFS='|' read -r res tname texecs tcov tft tbefore tnote <<<"$row"
  printf '  %-4s %-20s %10s %-15s %-15s %-12s  %s\n' "$res" "$tname" "$texecs" "$tcov" "$tft" \
    "$tbefore" "$tnote"
done
if ((failed)); then
  echo "fuzz: FAILED (work dir kept: $work)" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: all targets passed"
