#!/usr/bin/env bash
# Fidelity gate for the whole portal: build ../shared/corpus/devportal-full
# with its own _config.yml and our declarations of its Ruby plugins
# (tests/fixtures/devportal-full.yml), with the site's layouts and with the
# built-in theme, and compare each against Jekyll's output with compat.py
# (--bodies: the site's layouts have no page-body element). Fails when
# fewer than MIN_PERCENT (default 99.5) of the pages fully match in either.
# Skips (exit 0, with a message) when ../shared is not there.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED_DIR:-../shared}
min=${MIN_PERCENT:-99.5}
src="$shared/corpus/devportal-full"
if [ ! -d "$src" ]; then
  echo "corpus-full gate: $src not found; skipped"
  exit 0
fi
cargo build --release --quiet
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
printf 'elementdocs:\n  theme: builtin\n' > "$work/builtin.yml"
for mode in site builtin; do
  extra=""
  [ "$mode" = builtin ] && extra=",$work/builtin.yml"
  out="$work/$mode"
  target/release/elementdocs build --source "$src" \
    --config "$src/_config.yml,tests/fixtures/devportal-full.yml$extra" \
    --out "$out/out" --expanded-dir "$out/exp" --bodies-dir "$out/bodies" 2> "$out.log" || {
    tail -50 "$out.log"; echo "corpus-full gate ($mode): the build failed"; exit 1; }
  python3 "$shared/tools/compat.py" --oracle "$shared/corpus/devportal-full-oracle" \
    --site "$out/out" --expanded "$out/exp" --bodies "$out/bodies" --show 30 | tee "$out.compat"
  percent=$(sed -n 's/^pages: [0-9]*; fully matching: [0-9]* (\([0-9.]*\)%).*/\1/p' "$out.compat")
  python3 - "$percent" "$min" "$mode" <<'PY'
import sys
got, want, mode = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"corpus-full gate ({mode} layouts): {got:.1f}% of pages fully matching (minimum {want:.1f}%)")
sys.exit(0 if got >= want else 1)
PY
done
