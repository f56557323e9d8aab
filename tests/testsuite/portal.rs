//! The whole portal (`../shared/corpus/devportal-full`) builds as it is,
//! with its own `_config.yml` and our declarations of its Ruby plugins
//! (`tests/fixtures/devportal-full.yml`), with the site's layouts and with
//! the built-in theme; every page Jekyll wrote (the oracle's list) is
//! written at the same path.

use crate::common::{corpus, crate_root};
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

#[test]
fn the_portal_builds_with_its_layouts_every_page_at_its_path() {
    let (_tmp, out) = build(None);
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
        json.contains("\"url\"      : \"/docs/guides/index.html\""),
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
    assert_eq!(
        missing(&out),
        Vec::<String>::new(),
        "pages Jekyll writes that we do not"
    );
    let guide = std::fs::read_to_string(out.join("docs/guides/index.html")).unwrap();
    assert!(guide.contains("id=\"page-body\""), "the built-in theme");
}
