//! The whole portal (`../shared/corpus/devportal-full`) builds as it is,
//! with its own `_config.yml` and our declarations of its Ruby plugins
//! (`tests/fixtures/devportal-full.yml`), with the site's layouts and with
//! the built-in theme; every file Jekyll 4.3 writes for it
//! (`tests/fixtures/devportal-full-files.txt`, pages, posts, pagination
//! pages, search.json, redirects, static files) is written at the same
//! path, and each other difference is explained in
//! `tests/fixtures/devportal-full-files.explained`.

use crate::common::{corpus, crate_root};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Build the portal into a temporary folder, with `extra` configuration.
fn build(extra: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus("devportal-full");
    let mut config = format!(
        "{},{}",
        src.join("_config.yml").display(),
        crate_root()
            .join("tests/fixtures/devportal-full.yml")
            .display()
    );
    if let Some(text) = extra {
        let f = tmp.path().join("extra.yml");
        std::fs::write(&f, text).unwrap();
        config = format!("{config},{}", f.display());
    }
    let out = tmp.path().join("out");
    let res = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--source"])
        .arg(&src)
        .args(["--config", &config, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "the portal did not build:\n{}",
        String::from_utf8_lossy(&res.stderr)
    );
    (tmp, out)
}

/// Every `<page>.html` of the oracle (Jekyll's pages and posts), relative.
fn oracle_pages() -> Vec<String> {
    let root = corpus("devportal-full-oracle");
    walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| rel(&root, e.path()))
        .filter(|r| r.ends_with(".html"))
        .collect()
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn missing(out: &Path) -> Vec<String> {
    oracle_pages()
        .into_iter()
        .filter(|p| !out.join(p).is_file())
        .collect()
}

/// The files under `out`, relative, sorted.
fn written(out: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| rel(out, e.path()))
        .collect()
}

/// Does an entry of the explained list (`path` or `folder/**`) match `p`?
fn matches(pattern: &str, p: &str) -> bool {
    match pattern.strip_suffix("/**") {
        Some(dir) => p.starts_with(&format!("{dir}/")),
        None => pattern == p,
    }
}

/// The differences between Jekyll's files (the fixture) and ours that
/// `devportal-full-files.explained` does not explain, and its entries that
/// explain nothing: both must be empty.
fn unexplained_differences(out: &Path) -> (Vec<String>, Vec<String>) {
    let fixtures = crate_root().join("tests/fixtures");
    let jekyll: BTreeSet<String> =
        std::fs::read_to_string(fixtures.join("devportal-full-files.txt"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
    assert!(jekyll.len() > 2000, "the fixture lists Jekyll's output");
    let explained =
        std::fs::read_to_string(fixtures.join("devportal-full-files.explained")).unwrap();
    let entries: Vec<(char, &str)> = explained
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (head, _reason) = l.split_once("  ").expect("an entry gives its reason");
            let (sign, path) = head.split_at(1);
            (sign.chars().next().unwrap(), path.trim())
        })
        .collect();
    let ours = written(out);
    let diffs = ours
        .difference(&jekyll)
        .map(|p| ('+', p))
        .chain(jekyll.difference(&ours).map(|p| ('-', p)));
    let mut used = vec![false; entries.len()];
    let mut left = Vec::new();
    for (sign, p) in diffs {
        match entries
            .iter()
            .position(|(s, pat)| *s == sign && matches(pat, p))
        {
            Some(i) => used[i] = true,
            None => left.push(format!("{sign} {p}")),
        }
    }
    let idle = entries
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|((s, p), _)| format!("{s} {p}"))
        .collect();
    (left, idle)
}

fn assert_same_files_as_jekyll(out: &Path) {
    let (left, idle) = unexplained_differences(out);
    assert_eq!(
        left,
        Vec::<String>::new(),
        "files that differ from Jekyll's, unexplained (+ ours only, - Jekyll's only)"
    );
    assert_eq!(
        idle,
        Vec::<String>::new(),
        "entries of devportal-full-files.explained that match nothing"
    );
}

#[test]
fn the_portal_builds_with_its_layouts_every_page_at_its_path() {
    let (_tmp, out) = build(None);
    assert_same_files_as_jekyll(&out);
    let pages = oracle_pages();
    assert_eq!(pages.len(), 1405, "the oracle's pages and posts");
    assert_eq!(
        missing(&out),
        Vec::<String>::new(),
        "pages Jekyll writes that we do not"
    );
    // What Jekyll writes beside the oracle's pages: search.json (Liquid),
    // the jekyll-paginate pages, the posts.
    let json = std::fs::read_to_string(out.join("search.json")).unwrap();
    assert!(
        json.trim_start().starts_with('['),
        "search.json is rendered, no front matter"
    );
    assert!(
        json.contains("\"url\"      : \"/docs/guides/\""),
        "from site.pages"
    );
    for n in 2..=18 {
        let p = format!("docs/release-notes/page{n}/index.html");
        assert!(out.join(&p).is_file(), "{p}");
    }
    // The site's own layouts: its header, banner and section navigation.
    let guide = std::fs::read_to_string(out.join("docs/guides/index.html")).unwrap();
    assert!(
        guide.contains("The docs are moving!"),
        "the portal's banner"
    );
    assert!(
        !guide.contains("id=\"page-body\""),
        "not the built-in theme"
    );
}

#[test]
fn the_portal_builds_with_the_builtin_theme() {
    let (_tmp, out) = build(Some("elementdocs:\n  theme: builtin\n"));
    assert_same_files_as_jekyll(&out);
    assert_eq!(
        missing(&out),
        Vec::<String>::new(),
        "pages Jekyll writes that we do not"
    );
    let guide = std::fs::read_to_string(out.join("docs/guides/index.html")).unwrap();
    assert!(guide.contains("id=\"page-body\""), "the built-in theme");
}
