#!/usr/bin/env bash
# Regenerates tests/differential/expected/errors/: each page under
# errors/<site>/ is built alone by the installed Jekyll (4.3), in a copy of
# sites/<site>/ without its case pages (its _config.yml, _includes/,
# _data/), because one Liquid syntax error stops Jekyll's whole build.
# Jekyll's error line (`Liquid syntax error (line N): ...`) is written to
# expected/errors/<site>/<name>.error; a page Jekyll builds without an error
# gets `built` instead: elementdocs is stricter there (the test checks it
# still errors and names file:line:col).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for dir in "$here"/errors/*/; do
  site=$(basename "$dir")
  out="$here/expected/errors/$site"
  rm -rf "$out"; mkdir -p "$out"
  for page in "$dir"*.md; do
    name=$(basename "$page" .md)
    rm -rf "$work/s" "$work/o"; mkdir -p "$work/s"
    cp "$here/sites/$site/_config.yml" "$work/s/"
    for d in _includes _data; do
      [ -d "$here/sites/$site/$d" ] && cp -r "$here/sites/$site/$d" "$work/s/"
    done
    cp "$page" "$work/s/"
    if jekyll build --quiet -s "$work/s" -d "$work/o" --disable-disk-cache > "$work/log" 2>&1; then
      echo "built" > "$out/$name.error"
    else
      # The first line naming the error, without colours, paths or the page name.
      grep -m1 -E 'Exception|Error|error' "$work/log" | sed -E 's/\x1b\[[0-9;]*m//g; s/^ *//; s/ in \/?[^ ]*\.md$//; s|'"$work"'/s/?|<site>/|g' > "$out/$name.error"
    fi
  done
done
echo "regen-errors: expectations written to $here/expected/errors"
