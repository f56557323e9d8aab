#!/usr/bin/env bash
# Regenerates tests/differential/expected/ with the installed Jekyll (4.3):
# each site under sites/ is built into a temporary folder with the capture
# plugin, and the captured stages of its case pages replace expected/<site>/.
# Writes nothing else; running it twice gives the same files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for site in "$here"/sites/*/; do
  name=$(basename "$site")
  cp -r "$site" "$work/$name"
  DIFF_CAPTURE_DIR="$work/capture/$name" jekyll build --quiet \
    --source "$work/$name" --destination "$work/site-$name" \
    --plugins "$here/capture" --disable-disk-cache 2> "$work/$name.log" || {
    cat "$work/$name.log"; echo "regen: jekyll failed on $name"; exit 1; }
  # kramdown's warnings are kept: a case may check that a construct warns.
  # Hand-written *.author.* files (bugs.yml) are not Jekyll's: kept.
  mkdir -p "$here/expected/$name"
  find "$here/expected/$name" -type f ! -name '*.author.*' -delete
  find "$here/expected/$name" -type d -empty -delete
  mkdir -p "$here/expected/$name"
  if [ -d "$work/capture/$name" ]; then
    cp -r "$work/capture/$name/." "$here/expected/$name/"
  fi
done
echo "regen: expectations written to $here/expected"
