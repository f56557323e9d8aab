#!/usr/bin/env bash
# Side-by-side build speed against Hugo on the same Markdown pages.
#
# Hugo cannot read Liquid, so it gets each corpus page as elementdocs sees it
# after the Liquid stage (front matter + expanded body, from --expanded-dir),
# with a minimal layout; elementdocs builds the original corpus with Liquid,
# the full theme, the sidebar of every guide, search and sitemap. Runs
# alternate; medians of wall time and pages per second are printed.
#
# Usage (from the project root): benches/hugo-side-by-side.sh [RUNS]
# Needs: hugo (Debian: apt-get install hugo), ../shared/corpus.
set -euo pipefail
runs=${1:-7}
corpus=${CORPUS:-../shared/corpus/devportal}
bin=${ELEMENTDOCS_BIN:-target/release/elementdocs}
command -v hugo >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >/dev/null; }
[ -n "${ELEMENTDOCS_BIN:-}" ] || cargo build --release --quiet
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" build --source "$corpus" --out "$work/prep" --expanded-dir "$work/exp" 2>/dev/null
python3 - "$corpus" "$work" <<'PY'
import os, sys
corpus, work = sys.argv[1], sys.argv[2]
site = os.path.join(work, "hugo")
os.makedirs(os.path.join(site, "layouts", "_default"))
with open(os.path.join(site, "config.toml"), "w") as f:
    f.write('baseURL = "https://example.com/"\ndisableKinds = ["taxonomy", "term", "RSS"]\n'
            '[markup.goldmark.renderer]\nunsafe = true\n[markup.highlight]\nnoClasses = false\n')
layout = "<!doctype html><html><head><title>{{ .Title }}</title></head><body><main id=\"page-body\">{{ .Content }}</main></body></html>\n"
for name in ("single.html", "list.html"):
    with open(os.path.join(site, "layouts", "_default", name), "w") as f:
        f.write(layout)
exp = os.path.join(work, "exp")
n = 0
for dp, _, fs in os.walk(exp):
    for fn in fs:
        if not fn.endswith(".md"):
            continue
        rel = os.path.relpath(os.path.join(dp, fn), exp)
        src = os.path.join(corpus, rel)
        text = open(src, encoding="utf-8").read()
        front = text.split("\n---", 1)[0] + "\n---\n" if text.startswith("---") else ""
        body = open(os.path.join(dp, fn), encoding="utf-8").read()
        # index.md would become a Hugo section list; keep every page a single page.
        out_rel = rel[:-len("index.md")] + "overview.md" if fn == "index.md" else rel
        dest = os.path.join(site, "content", out_rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(front + body)
        n += 1
print(f"{n} pages prepared for hugo")
PY
python3 - "$runs" "$work" "$corpus" "$bin" <<'PY'
import os, statistics, subprocess, sys, time
runs, work, corpus, binary = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ours = [binary, "build", "--source", corpus, "--out", os.path.join(work, "ours-out")]
hugo = ["hugo", "--quiet", "-s", os.path.join(work, "hugo"), "-d", os.path.join(work, "hugo-out")]
def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - t0, usage.ru_maxrss
def pages(d):
    return sum(f.endswith(".html") for _, _, fs in os.walk(d) for f in fs)
timed(ours); timed(hugo)
o, h = [], []
for _ in range(runs):
    o.append(timed(ours)); h.append(timed(hugo))
po, ph = pages(os.path.join(work, "ours-out")), pages(os.path.join(work, "hugo-out"))
mo, mh = statistics.median(w for w, _ in o), statistics.median(w for w, _ in h)
print(f"ours  wall median {mo*1000:7.1f} ms, {po} html files, {po/mo:7.0f} pages/s, peak {statistics.median(k for _, k in o)/1024:4.0f} MiB")
print(f"hugo  wall median {mh*1000:7.1f} ms, {ph} html files, {ph/mh:7.0f} pages/s, peak {statistics.median(k for _, k in h)/1024:4.0f} MiB")
print(f"pages per second, ours / hugo: {(po/mo)/(ph/mh):.1f}x")
PY
