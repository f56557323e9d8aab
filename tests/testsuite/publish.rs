//! Publishing on a fixture site: sitemap, redirect stubs, robots.txt, 404 and
//! the base-url rewrite, through the real `build` command.

use elementdocs::check::{run, CheckOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites/publish")
}

const URL: &str = "https://docs.example.com";

/// Build the fixture into a fresh folder, with optional extra arguments.
fn build(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let res = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .arg("build")
        .arg("--source")
        .arg(fixture())
        .arg("--out")
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    (dir, out)
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `<loc>` values of a sitemap.
fn locs(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().to_string())
        .collect()
}

#[test]
fn sitemap_lists_every_page_but_opted_out_ones() {
    let (_d, out) = build(&[]);
    let xml = read(&out, "sitemap.xml");
    let mut want: Vec<String> = ["/", "/docs/", "/docs/a.html", "/search.html"]
        .iter()
        .map(|p| format!("{URL}{p}"))
        .collect();
    want.sort();
    assert_eq!(locs(&xml), want);
    assert!(!xml.contains("hidden"));
    assert!(!xml.contains("old"), "redirect stubs are not listed");
    // Deterministic: a second build gives the same bytes.
    let (_d2, out2) = build(&[]);
    assert_eq!(xml, read(&out2, "sitemap.xml"));
}

#[test]
fn redirect_stubs_at_each_old_path() {
    let (_d, out) = build(&[]);
    // Old path → stub file, as Jekyll writes a permalink.
    let cases = [
        ("old/a.html", "/docs/a.html"),
        ("older/a/index.html", "/docs/a.html"),
        ("oldest/a.html", "/docs/a.html"),
        ("documentation/index.html", "/docs/"),
    ];
    for (stub, target) in cases {
        let h = read(&out, stub);
        let to = format!("{URL}{target}");
        assert!(
            h.contains(&format!("http-equiv=\"refresh\" content=\"0; url={to}\"")),
            "{stub}: {h}"
        );
        assert!(
            h.contains(&format!("<link rel=\"canonical\" href=\"{to}\">")),
            "{stub}"
        );
        assert!(h.contains(&format!("<a href=\"{to}\">")), "{stub}");
    }
}

#[test]
fn redirects_json_maps_each_old_path_as_jekyll_redirect_from_does() {
    let (_d, out) = build(&[]);
    let map: serde_json::Value = serde_json::from_str(&read(&out, "redirects.json")).unwrap();
    let want = serde_json::json!({
        "/old/a.html": format!("{URL}/docs/a.html"),
        "/older/a/": format!("{URL}/docs/a.html"),
        "/oldest/a": format!("{URL}/docs/a.html"),
        "/documentation/": format!("{URL}/docs/"),
    });
    assert_eq!(map, want);
}

#[test]
fn an_unpublished_page_is_not_written() {
    let (_d, out) = build(&[]);
    assert!(out.join("docs/a.html").is_file());
    assert!(!out.join("docs/draft.html").exists(), "`published: false`");
    assert!(!read(&out, "sitemap.xml").contains("draft"));
}

#[test]
fn robots_and_404() {
    let (_d, out) = build(&[]);
    let robots = read(&out, "robots.txt");
    assert!(robots.contains("User-agent: *"));
    assert!(robots.contains(&format!("Sitemap: {URL}/sitemap.xml")));
    let nf = read(&out, "404.html");
    assert!(nf.contains("Page not found"));
    assert!(
        nf.contains("href=\"/\""),
        "the site has a home page to link to"
    );
}

#[test]
fn base_url_moves_every_root_relative_url() {
    let (_d, out) = build(&["--base-url", "/sub/path/"]);
    let base = "/sub/path";
    let index = read(&out, "index.html");
    for url in ["/docs/a.html", "/docs/"] {
        assert!(
            index.contains(&format!("href=\"{base}{url}\"")),
            "{url}: {index}"
        );
    }
    let logo = format!("{base}/assets/logo.png");
    assert!(index.contains(&format!("src=\"{logo}\"")));
    assert!(index.contains(&format!("srcset=\"{logo} 1x, {logo} 2x\"")));
    assert!(index.contains(&format!("action=\"{base}/search.html\"")));
    // Relative and protocol-relative URLs are left alone.
    assert!(index.contains("href=\"docs/a.html\""));
    assert!(index.contains("src=\"//cdn.example.com/lib.js\""));
    assert!(!index.contains(&format!("{base}{base}")));
    // Generated pages too; sitemap, robots and stubs carry the full address.
    assert!(read(&out, "404.html").contains(&format!("href=\"{base}/\"")));
    let xml = read(&out, "sitemap.xml");
    assert!(locs(&xml).contains(&format!("{URL}{base}/docs/a.html")));
    assert!(read(&out, "robots.txt").contains(&format!("Sitemap: {URL}{base}/sitemap.xml")));
    assert!(read(&out, "old/a.html").contains(&format!("url={URL}{base}/docs/a.html")));
}

#[test]
fn check_passes_under_a_base_url() {
    let mut o = CheckOptions::new(fixture());
    o.base_url = Some("/sub/path/".into());
    let r = run(&o);
    let all: Vec<String> = r.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(!r.has_errors(), "{}", all.join("\n"));
    assert!(r.internal > 0);
}
