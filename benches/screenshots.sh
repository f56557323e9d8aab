#!/usr/bin/env bash
# benches/screenshots.sh OUTDIR URL NAME: four PNGs of URL (1280 and 390 px wide, light and dark)
set -euo pipefail
out=$1; url=$2; name=$3; mkdir -p "$out"
for w in 1280 390; do
  h=$([ $w = 1280 ] && echo 900 || echo 844)
  for mode in light dark; do
    extra=(); [ $mode = dark ] && extra=(--force-dark-mode --blink-settings=preferredColorScheme=0)
    prof=$(mktemp -d)
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$prof" "${extra[@]}" \
      --window-size=$w,$h --screenshot="$out/$name-$w-$mode.png" "$url" >/dev/null 2>&1 || echo "failed $name $w $mode"
    rm -rf "$prof"
  done
done
