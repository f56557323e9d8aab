//! No injection through content values: front matter and configuration
//! values reach the theme (titles, navigation, breadcrumbs, catalog, home
//! page), the search index and its result list, the sitemap and the redirect
//! stubs; each is escaped for where it lands. A site whose values are markup
//! is built, and every output file is checked; the search box is tried in
//! Chromium with the same values as queries.

use crate::static_host::serve;
use crate::webdriver::Browser;
use std::path::{Path, PathBuf};

/// Markup that would run if it reached a page unescaped.
const IN_ATTRIBUTE: &str = "\"><img src=x onerror=window.__pwned=1>";
const IN_SCRIPT: &str = "</script><script>window.__pwned=2</script>";

fn payload(tag: &str) -> String {
    format!("{tag} {IN_ATTRIBUTE} {IN_SCRIPT}")
}

/// YAML double-quoted string of `s`.
fn yaml(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "elementdocs.yml",
        &format!(
            "title: {}\ndescription: {}\nurl: https://docs.example.com\nedit_url: {}\n\
             nav_links:\n  - title: {}\n    url: /docs/acme/index.html\n",
            yaml(&payload("SiteTitle")),
            yaml(&payload("SiteDescription")),
            yaml("https://example.com/edit/{path}?\"><img src=x onerror=window.__pwned=3>"),
            yaml(&payload("NavLink")),
        ),
    );
    let front = |title: &str, order: u32, extra: &str| {
        format!(
            "---\nlayout: sidebarelementdoc\ntitle: {}\nheading: {}\ndescription: {}\n\
             hub: {}\nauth: {}\napiProvider: {}\nseo: {}\norder: {order}\n{extra}---\n",
            yaml(&payload(title)),
            yaml(&payload("Heading")),
            yaml(&payload("Description")),
            yaml(&payload("Hub")),
            yaml(&payload("Auth")),
            yaml(&payload("Provider")),
            yaml(&payload("Seo")),
        )
    };
    write(
        "content/docs/acme/index.md",
        &format!(
            "{}# Overview\n\nSearchable words about webhooks.\n",
            front("Overview", 1, "redirect_from:\n  - /old/acme.html\n")
        ),
    );
    write(
        "content/docs/acme/setup.md",
        &format!("{}## Setting up\n\nMore words.\n", front("Setup", 2, "")),
    );
    write(
        "content/docs/acme/moved.md",
        &format!(
            "---\ntitle: {}\nredirect_to: {}\n---\n",
            yaml(&payload("Moved")),
            yaml("https://example.com/new?\"><img src=x onerror=window.__pwned=4>"),
        ),
    );
    write(
        "content/guides/intro.md",
        &format!(
            "---\ntitle: {}\nlast_modified_at: 2026-01-02\n---\n# Intro\n\nA guide page.\n",
            yaml(&payload("SectionPage"))
        ),
    );
    dir
}

fn build(src: &Path, out: &Path) {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--source"])
        .arg(src)
        .arg("--out")
        .arg(out)
        .env("XDG_CACHE_HOME", out.with_extension("cache"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn every_output_file_escapes_markup_from_content_values() {
    let src = site();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build(src.path(), &out);
    let mut checked = 0;
    let mut seen_values = 0;
    for f in files(&out) {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let name = f.strip_prefix(&out).unwrap().display().to_string();
        if text.contains("Heading") || text.contains("SiteTitle") || text.contains("Moved") {
            seen_values += 1;
        }
        match f.extension().and_then(|e| e.to_str()) {
            // Markup: neither payload may open a tag.
            Some("html" | "xml" | "txt" | "svg") => {
                for bad in ["<img src=x", "<script>window.__pwned"] {
                    assert!(!text.contains(bad), "{name} has `{bad}` unescaped");
                }
                checked += 1;
            }
            // Scripts (the search index...) and styles: a value is only text
            // inside a string, and never `</script`, which would close the
            // script were the file inlined.
            Some("js" | "json" | "css") => {
                assert!(!text.to_ascii_lowercase().contains("</script"), "{name}");
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked >= 10, "only {checked} files checked");
    assert!(
        seen_values >= 5,
        "the values must reach the output to test it: {seen_values}"
    );
    // The values do reach the pages, escaped.
    let page = std::fs::read_to_string(out.join("docs/acme/setup.html")).unwrap();
    assert!(
        page.contains("&lt;img src=x onerror=window.__pwned=1&gt;"),
        "{page}"
    );
    let stub = std::fs::read_to_string(out.join("docs/acme/moved.html")).unwrap();
    assert!(stub.contains("https://example.com/new?"), "{stub}");
}

#[test]
fn a_redirect_to_a_script_url_is_an_error_at_its_line() {
    let src = site();
    std::fs::write(
        src.path().join("content/docs/acme/moved.md"),
        "---\ntitle: Moved\nredirect_to: javascript:alert(1)\n---\n",
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--source"])
        .arg(src.path())
        .arg("--out")
        .arg(tmp.path().join("out"))
        .env("XDG_CACHE_HOME", tmp.path().join("cache"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("content/docs/acme/moved.md:3:"), "{err}");
    assert!(err.contains("must be an http(s) URL"), "{err}");
    assert!(!tmp.path().join("out").exists(), "nothing written");
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn pages_and_search_results_run_no_injected_script() {
    let src = site();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build(src.path(), &out);
    let root = serve(out.clone(), "/");
    let d = Browser::start();
    for page in [
        "docs/acme/setup.html",
        "elements/index.html",
        "index.html",
        "guides/intro.html",
    ] {
        d.goto(&format!("{root}{page}"));
        assert_eq!(d.js("return window.__pwned || 0;"), 0, "{page}");
        assert_eq!(
            d.js("return document.querySelectorAll('img[src=\"x\"]').length;"),
            0,
            "{page}"
        );
    }
    d.goto(&format!("{root}docs/acme/setup.html"));
    for query in ["Setup", "webhooks", "onerror", "pwned", "script"] {
        d.type_query(query);
        let results = d.results();
        if matches!(query, "Setup" | "webhooks") {
            assert!(!results.is_empty(), "`{query}` finds the pages");
        }
        assert_eq!(
            d.js("return window.__pwned || 0;"),
            0,
            "results of `{query}`"
        );
        assert_eq!(
            d.js("return document.querySelectorAll('img[src=\"x\"]').length;"),
            0,
            "results of `{query}`"
        );
    }
}
