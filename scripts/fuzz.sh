#!/usr/bin/env bash
# A short fuzzing pass over every target in fuzz/, as CI runs it: each target
# for the given number of seconds (default 20), starting from its committed
# seed corpus. Exits non-zero if any target crashes, and prints how many
# inputs each target ran. See FUZZING.md for what each target feeds.
#
#   scripts/fuzz.sh            # 20 seconds per target
#   scripts/fuzz.sh 300        # five minutes per target
#
# cargo-fuzz needs compiler flags (sanitizers, coverage instrumentation) that
# only a nightly compiler accepts. RUSTC_BOOTSTRAP=1 lets the stable toolchain
# accept them too, so no nightly is needed; the stable toolchain ships the
# AddressSanitizer runtime that cargo-fuzz links by default.
#
# Set FUZZ_TARGETS to a space-separated list to run only some targets.
# Set FUZZ_DEV=1 to build the targets unoptimized: the build takes about a
# fifth of the time (the optimized, instrumented build of SQLCipher and
# OpenSSL is what makes the full one slow) and each input runs slower. The
# README's test command uses it for its short pass.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
case "$seconds" in
  '' | *[!0-9]*)
    echo "usage: scripts/fuzz.sh [seconds per target]" >&2
    exit 2
    ;;
esac

export RUSTC_BOOTSTRAP=1
profile=()
if [ "${FUZZ_DEV:-0}" = 1 ]; then
  profile=(--dev)
fi

toolchain=()
if command -v rustup >/dev/null 2>&1; then
  toolchain=(+stable)
fi

if ! cargo "${toolchain[@]}" fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked --quiet
fi

targets="${FUZZ_TARGETS:-$(cd fuzz && cargo "${toolchain[@]}" fuzz list)}"

# The committed seeds stay as they are: libFuzzer writes the inputs it finds
# interesting into the first corpus folder it is given, so each target gets a
# scratch folder first and its seeds second. Temporary campaigns go to a
# scratch folder too, which is removed at the end.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/tmp"

echo "== building the fuzz targets"
(cd fuzz && cargo "${toolchain[@]}" fuzz build "${profile[@]}")

failed=()
summary=()
for target in $targets; do
  echo
  echo "== fuzzing $target for ${seconds}s"
  mkdir -p "$scratch/corpus/$target"
  log="$scratch/$target.log"
  status=0
  # -print_final_stats=1 makes libFuzzer end with the number of inputs it
  # ran. An input that takes longer than -timeout seconds counts as a crash:
  # a hang on hostile input is as much a failure as a panic.
  (cd fuzz && TMPDIR="$scratch/tmp" cargo "${toolchain[@]}" fuzz run "${profile[@]}" "$target" \
    "$scratch/corpus/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=30) \
    >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  runs="${runs:-?}"
  if [ "$status" -ne 0 ]; then
    # Show what libFuzzer said about the crash, and where it kept the input.
    grep -v '^#[0-9]' "$log" | tail -n 60
    failed+=("$target")
    summary+=("$(printf '%-18s %12s runs  CRASHED (exit %s)' "$target" "$runs" "$status")")
  else
    summary+=("$(printf '%-18s %12s runs  ok' "$target" "$runs")")
  fi
  printf '%s\n' "${summary[-1]}"
done

echo
echo "== fuzzing summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) crashed: ${failed[*]}; inputs are in fuzz/artifacts/" >&2
  exit 1
fi
