#!/usr/bin/env bash
# benches/portal-screenshots.sh JEKYLL_OUT OURS_OUT SHOTS_DIR: the same three
# pages of the whole portal (a guide page, the release notes, an element
# page), as built by Jekyll and by elementdocs with the site's layouts, each
# served over HTTP (python3 -m http.server, the pages load /assets/... by
# absolute path) and shot by headless Chromium at 1280x900, light.
set -euo pipefail
jek=$(realpath "$1"); ours=$(realpath "$2"); shots=$3; mkdir -p "$shots"
pages=(
  "guide docs/guides/elements/custom-elements.html"
  "release-notes docs/release-notes/index.html"
  "element docs/elements/box/authenticate.html"
)
python3 -m http.server 4101 --bind 127.0.0.1 --directory "$jek" >/dev/null 2>&1 & j=$!
python3 -m http.server 4102 --bind 127.0.0.1 --directory "$ours" >/dev/null 2>&1 & o=$!
trap 'kill $j $o' EXIT
sleep 1
for entry in "${pages[@]}"; do
  set -- $entry
  for side in jekyll:4101 elementdocs:4102; do
    prof=$(mktemp -d)
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$prof" \
      --virtual-time-budget=5000 --window-size=1280,900 \
      --screenshot="$shots/$1-${side%%:*}.png" "http://127.0.0.1:${side##*:}/$2" >/dev/null 2>&1 \
      || echo "failed $1 ${side%%:*}"
    rm -rf "$prof"
  done
done
