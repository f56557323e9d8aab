#!/usr/bin/env python3
"""Make a synthetic corpus N times the size of the devportal corpus, for the
linear-scale check (issue 4): every element guide is copied N-1 times under a
new name (docs/elements/<name>-copyK/), everything else is kept once.

Usage: benches/make-synthetic.py [N] [DEST]
  N     how many times the corpus (default 10)
  DEST  new folder to write (default /tmp/elementdocs-synthetic-<N>x)
The corpus is read from $ELEMENTDOCS_CORPUS, else ../shared/corpus/devportal
(relative to the repository, or to its parent folder). It is only read: the
copy goes to DEST, never into the corpus or the repository.

A copy's `redirect_from` entries get the copy's folder, so no two pages claim
the same redirect; links between guides keep pointing at the originals.
"""
import os
import re
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
candidates = [os.environ.get("ELEMENTDOCS_CORPUS", "")] + [
    os.path.join(repo, up, "shared", "corpus", "devportal") for up in ("..", "../..")
]
corpus = next((c for c in candidates if c and os.path.isdir(c)), None)
if corpus is None:
    sys.exit("make-synthetic: corpus not found (set ELEMENTDOCS_CORPUS)")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
dest = sys.argv[2] if len(sys.argv) > 2 else f"/tmp/elementdocs-synthetic-{n}x"
corpus = os.path.realpath(corpus)
if os.path.realpath(dest).startswith(corpus) or os.path.realpath(dest).startswith(repo):
    sys.exit("make-synthetic: DEST must be outside the corpus and the repository")
if os.path.exists(dest):
    shutil.rmtree(dest)
shutil.copytree(corpus, dest)

elements = os.path.join(dest, "docs", "elements")
guides = sorted(
    g for g in os.listdir(elements) if os.path.isdir(os.path.join(elements, g))
)
for name in guides:
    src = os.path.join(elements, name)
    for k in range(1, n):
        copy = f"{name}-copy{k}"
        target = os.path.join(elements, copy)
        shutil.copytree(src, target)
        for folder, _, files in os.walk(target):
            for f in files:
                if not f.endswith((".md", ".markdown", ".html")):
                    continue
                path = os.path.join(folder, f)
                with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                    text = fh.read()
                if not text.startswith("---"):
                    continue
                end = text.find("\n---", 3)
                if end < 0:
                    continue
                front, body = text[:end], text[end:]
                # Redirect entries name a guide folder: give it the copy's suffix.
                front = re.sub(
                    r"(^\s*-\s*/?docs/elements/)([^/\s]+)/",
                    rf"\g<1>\g<2>-copy{k}/",
                    front,
                    flags=re.M,
                )
                with open(path, "w", encoding="utf-8", errors="surrogateescape") as fh:
                    fh.write(front + body)
pages = sum(
    f.endswith((".md", ".markdown"))
    for _, _, fs in os.walk(os.path.join(dest, "docs"))
    for f in fs
)
print(f"{dest}: {len(guides)} guides x {n}, {pages} Markdown files")
