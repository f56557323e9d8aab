#!/usr/bin/env bash
# Build every fuzz target and run each for N seconds (default 30), one job each.
# Exits non-zero if a target fails to build or finds a crash (the input is left
# in fuzz/artifacts/<target>/; make it a regression test in tests/fuzz_regressions/).
#
#   fuzz/smoke.sh [SECONDS]        e.g. fuzz/smoke.sh 600 for a long run
#
# Works from a clean clone: installs cargo-fuzz if missing. The toolchain may be
# stable: cargo-fuzz needs nightly flags (-Zsanitizer), which RUSTC_BOOTSTRAP=1
# allows on stable.
set -euo pipefail

secs="${1:-30}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "smoke.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
cargo fuzz build

status=0
for target in $(cargo fuzz list); do
    mkdir -p "corpus/$target"
    echo "smoke.sh: fuzzing $target for ${secs}s" >&2
    log="$(mktemp)"
    if cargo fuzz run "$target" "corpus/$target" seeds -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
        >"$log" 2>&1; then
        grep -E "^(Done|stat::number_of_executed_units)" "$log" >&2 || true
    else
        status=1
        echo "smoke.sh: $target FAILED:" >&2
        tail -n 60 "$log" >&2
    fi
    rm -f "$log"
done
exit "$status"
