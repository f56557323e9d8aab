#!/usr/bin/env bash
# Fidelity gate: build the devportal corpus (../shared beside the clone) with
# the release binary and compare it against Jekyll's output with compat.py.
# Fails when fewer than MIN_PERCENT (default 99.5) of the pages fully match.
# Skips (exit 0, with a message) when ../shared is not there.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED_DIR:-../shared}
min=${MIN_PERCENT:-99.5}
if [ ! -d "$shared/corpus/devportal" ]; then
  echo "corpus gate: $shared/corpus not found; skipped"
  exit 0
fi
cargo build --release --quiet
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
target/release/elementdocs build --source "$shared/corpus/devportal" --out "$work/out" --expanded-dir "$work/exp" 2> "$work/build.log" || {
  tail -50 "$work/build.log"; echo "corpus gate: the corpus build failed"; exit 1; }
python3 "$shared/tools/compat.py" --oracle "$shared/corpus/devportal-oracle" --site "$work/out" --expanded "$work/exp" --show 20 | tee "$work/compat.txt"
percent=$(sed -n 's/^pages: [0-9]*; fully matching: [0-9]* (\([0-9.]*\)%).*/\1/p' "$work/compat.txt")
python3 - "$percent" "$min" <<'PY'
import sys
got, want = float(sys.argv[1]), float(sys.argv[2])
print(f"corpus gate: {got:.1f}% of pages fully matching (minimum {want:.1f}%)")
sys.exit(0 if got >= want else 1)
PY
