#!/usr/bin/env bash
# Two builds of ours, paired: clean builds (empty output folder, empty cache
# folder, as bench-clean.sh's "ours clean") of binary A and binary B,
# interleaved, so a busy moment of the machine falls on both. Prints each
# median and the median of the per-pair ratio B/A, i.e. what B costs or saves
# against A as a share of A's clean build. For deciding whether a fast path
# pays its way: A with it, B with the crate alone.
# Usage (from the project root): benches/paired-clean.sh A B [RUNS] [SOURCE]
# SOURCE defaults to ../shared/corpus/devportal; ELEMENTDOCS_ARGS as bench-clean.
set -euo pipefail
a=$(realpath "$1"); b=$(realpath "$2"); runs=${3:-11}
src=${4:-$(cd "$(dirname "$0")/.." && pwd)/../shared/corpus/devportal}
work=$(mktemp -d /tmp/paired-clean.XXXX); trap 'rm -rf "$work"' EXIT
python3 - "$a" "$b" "$src" "$work" "$runs" <<'PY'
import os, shlex, shutil, statistics, subprocess, sys, time
a, b, src, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
extra = shlex.split(os.environ.get("ELEMENTDOCS_ARGS", ""))
def clean(binary, tag):
    out, cache = f"{work}/out-{tag}", f"{work}/cache-{tag}"
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "build", "--source", src, "--out", out] + extra,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, st, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(st) != 0: sys.exit(f"failed: {binary}")
    shutil.rmtree(out, ignore_errors=True); shutil.rmtree(cache, ignore_errors=True)
    return wall, ru.ru_maxrss / 1024
clean(a, "w"); clean(b, "w")
ra, rb = [], []
for i in range(runs):
    first, second = ((a, ra), (b, rb)) if i % 2 == 0 else ((b, rb), (a, ra))
    for binary, r in (first, second):
        r.append(clean(binary, i))
med = statistics.median
print(f"A clean wall median {med([w for w, _ in ra])*1000:7.1f} ms, peak {med([m for _, m in ra]):5.0f} MiB  ({a})")
print(f"B clean wall median {med([w for w, _ in rb])*1000:7.1f} ms, peak {med([m for _, m in rb]):5.0f} MiB  ({b})")
ratio = med([y[0] / x[0] for x, y in zip(ra, rb)])
print(f"B/A per pair, median: {ratio:.3f} (B {'slower' if ratio > 1 else 'faster'} by {abs(ratio-1)*100:.1f}% of A)")
PY
