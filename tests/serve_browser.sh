#!/usr/bin/env bash
# Browser test of `elementdocs serve` (live reload, overlay, CSS swap) in
# headless Chromium driven over WebDriver by tests/serve_browser.rs.
# Needs Debian's `chromium` and `chromium-driver`; installs them when run as
# root without them (CI). Usage: bash tests/serve_browser.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  else
    echo "browser test needs chromium and chromium-driver (apt-get install chromium chromium-driver)" >&2
    exit 1
  fi
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
cargo test --test testsuite serve_browser -- --include-ignored --nocapture
