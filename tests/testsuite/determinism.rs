//! Two builds of the same source are byte-identical: sorted iteration, no
//! timestamps, parallel rendering that does not leak its order into output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every file under `dir` (relative path → bytes).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn build(source: &Path, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--source"])
        .arg(source)
        .arg("--out")
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success(), "build of {} failed", source.display());
}

/// Build `source` into two fresh folders and compare every file.
fn assert_deterministic(source: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build(source, &a);
    build(source, &b);
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    let differing: Vec<&PathBuf> = sa
        .iter()
        .filter(|(k, v)| sb[*k] != **v)
        .map(|(k, _)| k)
        .collect();
    assert!(
        differing.is_empty(),
        "files differ between two builds: {differing:?}"
    );
    assert!(sa.len() > 5, "expected a real site, got {} files", sa.len());
}

#[test]
fn the_bundled_site_builds_byte_identically() {
    assert_deterministic(Path::new(env!("CARGO_MANIFEST_DIR")));
}

#[test]
fn the_corpus_builds_byte_identically() {
    let corpus = crate::common::corpus("devportal");
    assert_deterministic(&corpus);
}

/// `elementdocs build` with `args`, its cache under `cache` (XDG_CACHE_HOME).
fn build_cached(source: &Path, out: &Path, cache: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--source"])
        .arg(source)
        .arg("--out")
        .arg(out)
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .status()
        .unwrap();
    assert!(status.success(), "build of {} failed", source.display());
}

/// The highlight cache files under `cache`.
fn highlight_caches(cache: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(cache)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "highlight")
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn builds_from_the_highlight_cache_are_byte_identical() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));

    build_cached(source, &b, &cache, &["--no-cache"]);
    assert!(
        highlight_caches(&cache).is_empty(),
        "--no-cache writes none"
    );
    let plain = snapshot(&b);

    build_cached(source, &a, &cache, &[]);
    let files = highlight_caches(&cache);
    assert_eq!(files.len(), 1, "the first build keeps its blocks");
    let kept = std::fs::read(&files[0]).unwrap();
    assert!(kept.len() > 1000, "the bundled site has highlighted blocks");

    // Read back by the next build: same output, same file.
    build_cached(source, &a, &cache, &[]);
    assert!(snapshot(&a) == plain, "output from the cache differs");
    assert_eq!(std::fs::read(&files[0]).unwrap(), kept);

    // A damaged file is ignored and written whole again.
    std::fs::write(&files[0], &kept[..kept.len() / 2]).unwrap();
    build_cached(source, &a, &cache, &[]);
    assert!(
        snapshot(&a) == plain,
        "output after a damaged cache differs"
    );
    assert_eq!(std::fs::read(&files[0]).unwrap(), kept);
}

/// The state folders under `cache` (one per output folder).
fn state_dirs(cache: &Path) -> Vec<PathBuf> {
    let base = cache.join("elementdocs");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn state_folders_of_removed_outputs_are_pruned() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("content")).unwrap();
    std::fs::write(site.join("elementdocs.yml"), "title: T\n").unwrap();
    std::fs::write(site.join("content/index.md"), "# Hello\n").unwrap();
    let cache = tmp.path().join("cache");
    let out = |n: u32| tmp.path().join(format!("out{n}"));

    build_cached(&site, &out(1), &cache, &[]);
    build_cached(&site, &out(2), &cache, &[]);
    let both = state_dirs(&cache);
    assert_eq!(both.len(), 2);

    // Only the first write into a new output folder looks for stale ones.
    std::fs::remove_dir_all(out(1)).unwrap();
    build_cached(&site, &out(2), &cache, &[]);
    assert_eq!(state_dirs(&cache), both);

    build_cached(&site, &out(3), &cache, &[]);
    let left = state_dirs(&cache);
    assert_eq!(left.len(), 2, "out1's state folder is gone: {left:?}");
    let owners: Vec<String> = left
        .iter()
        .map(|d| std::fs::read_to_string(d.join("output")).unwrap())
        .collect();
    assert!(owners.iter().any(|o| o.ends_with("out2")), "{owners:?}");
    assert!(owners.iter().any(|o| o.ends_with("out3")), "{owners:?}");
}
