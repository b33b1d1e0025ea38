#!/usr/bin/env bash
# Builds the fuzz targets on stable Rust and runs each for a while, one after another.
#
#   scripts/fuzz-run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 240 s, every target)
#
# Stable rustc has no libFuzzer sanitizer flags of its own, but cargo-fuzz's coverage
# instrumentation (`-Cpasses=sancov-module`, `-Cllvm-args=...`) is plain LLVM; only the
# `-Zsanitizer` flag needs nightly, so `-s none` plus RUSTC_BOOTSTRAP=1 (for the `--cfg fuzzing`
# build of libfuzzer-sys) builds everything on 1.95. Needs `cargo install cargo-fuzz`.
#
# The committed seeds (fuzz/corpus/<target>) are read, never written: what the fuzzer finds goes to
# fuzz/target/work-corpus/<target>, crashes to fuzz/artifacts/<target>. One line per target is
# appended to fuzz/target/results.tsv: target, seconds, executions, exec/s, corpus size, crashes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/fuzz"
seconds="${1:-240}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none -O
mkdir -p target/work-corpus
for t in "${targets[@]}"; do
    mkdir -p "target/work-corpus/$t" "artifacts/$t"
    log="target/fuzz-$t.log"
    status=0
    # -rss_limit_mb: a parser that allocates gigabytes on a small input is a finding too.
    # The binary built above, run directly: `cargo fuzz run` would rebuild whenever a crate
    # changed meanwhile, and the targets of one run should test the same code.
    "target/x86_64-unknown-linux-gnu/release/$t" "target/work-corpus/$t" "corpus/$t" \
        -artifact_prefix="artifacts/$t/" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    size=$(find "target/work-corpus/$t" -type f | wc -l)
    crashes=$(find "artifacts/$t" -type f | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\texit=%s\n' "$t" "$seconds" "$runs" "$speed" "$size" "$crashes" "$status" \
        | tee -a target/results.tsv
done
