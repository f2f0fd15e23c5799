#!/usr/bin/env bash
# Runs every built libFuzzer target for a bounded time; builds nothing (make fuzz-test builds
# first). Each target starts from its committed corpus, tests/fuzz/corpus/<name without the
# fuzz_ prefix>/ (or corpus/<full name>/), and writes the inputs it discovers to a temporary
# directory, never into the repository. Exits non-zero when any target crashes, leaks, times
# out or cannot run; the crashing input is kept and its path printed.
#
#   FUZZ_SECONDS   seconds per target (default 20)
#   FUZZ_BUILD_DIR where the fuzz_* binaries are (default build/fuzz/tests/fuzz)
#   FUZZ_TARGETS   space-separated subset of targets to run (default: all built)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${FUZZ_SECONDS:-20}
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

work=$(mktemp -d "${TMPDIR:-/tmp}/airlock-fuzz.XXXXXX")
failed=0
summary=()
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  if [[ ! -x $bin ]]; then
    summary+=("FAIL $name: not built")
    failed=1
    continue
  fi
  corpus=$corpus_root/${name#fuzz_}
  [[ -d $corpus ]] || corpus=$corpus_root/$name
  seeds=()
  [[ -d $corpus ]] && seeds=("$corpus")
  out=$work/$name
  mkdir -p "$out/new" "$out/artifacts"
  log=$out/log.txt
  echo "fuzz: $name for ${seconds}s (corpus: ${seeds[*]:-none})"
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-60}" \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
    "$out/new" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if ((rc != 0)); then
    failed=1
    artifacts=$(ls "$out/artifacts" 2>/dev/null | tr '\n' ' ')
    summary+=("FAIL $name: exit $rc, execs ${execs:-?}, ${cov:-cov: ?}; artifacts in\
 $out/artifacts/: ${artifacts:-(none)}; log $log")
    echo "fuzz: $name failed; last lines of its log:" >&2
    tail -n 40 "$log" >&2
  else
    summary+=("ok   $name: execs ${execs:-?}, ${cov:-cov: ?}, new inputs $(ls "$out/new" | wc -l)")
  fi
done

echo "fuzz summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
if ((failed)); then
  echo "fuzz: FAILED (work dir kept: $work)" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: all targets passed"
