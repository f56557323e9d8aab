//! Search: the files a build writes, and the search box in a real browser.
//!
//! The browser tests drive headless Chromium (see `search/driver.rs`); they
//! are `#[ignore]`d, and `.ci/run` installs Chromium and runs them
//! (`cargo test -- --include-ignored`). The box is checked over HTTP under a
//! base URL (the built-in theme), under `elementdocs serve`, and from
//! `file://` (the fixture's own templates, which link the script relative to
//! the page: a root-absolute path cannot resolve from a folder on disk).
//! `search/quality.rs` measures the 20 queries of
//! `tests/sites/search/queries.yml`.

mod driver;
mod quality;

use crate::common::copy_dir;
use crate::static_host::serve;
use crate::webdriver::Browser;
use elementdocs::search::{INDEX_DIR, SCRIPT_PATH, STYLE_PATH};
use elementdocs::site::{build_site, BuildOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites/search")
}

/// Build the site at `src` into `out` (with an optional base URL); panics on any diagnostic.
fn build_fixture(src: &Path, out: &Path, base_url: Option<&str>) {
    let opts = BuildOptions {
        source: src.to_path_buf(),
        out: Some(out.to_path_buf()),
        base_url: base_url.map(String::from),
        ..Default::default()
    };
    let site = build_site(&opts).unwrap_or_else(|d| panic!("{d:?}"));
    assert!(!site.has_errors(), "{:#?}", site.diagnostics);
    let root = src.canonicalize().unwrap();
    elementdocs::output::write_site(&site, out, &root, None).unwrap();
}

/// A page of the fixture, read from its Markdown source.
struct FixturePage {
    /// Output path (`docs/acme/events.html`).
    out: String,
    title: String,
    body: String,
}

/// The Markdown pages of the fixture that are searched (not `search: false`).
fn fixture_pages() -> Vec<FixturePage> {
    let content = fixture().join("content");
    let mut pages = Vec::new();
    for e in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let (front, body) = text[4..].split_once("\n---\n").unwrap();
            let front: Value = serde_yaml_ng::from_str(front).unwrap();
            let rel = e.path().strip_prefix(&content).unwrap().to_string_lossy();
            if front.get("search") != Some(&json!(false)) {
                pages.push(FixturePage {
                    out: rel.replace(".md", ".html"),
                    title: front["title"].as_str().unwrap().to_string(),
                    body: body.to_string(),
                });
            }
        }
    }
    pages
}

/// The data an index file hands the client (`manifest`, `s0`, `f0`).
fn index_data(out: &Path, name: &str) -> Value {
    let js = std::fs::read_to_string(out.join(INDEX_DIR).join(format!("{name}.js"))).unwrap();
    let json = js
        .strip_prefix(&format!("elementdocsSearch({name:?},"))
        .and_then(|s| s.strip_suffix(");\n"))
        .expect("an index file calls elementdocsSearch");
    serde_json::from_str(json).unwrap()
}

#[test]
fn build_writes_the_index_and_the_box_files() {
    let tmp = tempfile::tempdir().unwrap();
    build_fixture(&fixture(), tmp.path(), None);
    assert!(tmp.path().join(SCRIPT_PATH).is_file());
    assert!(tmp.path().join(STYLE_PATH).is_file());
    let manifest = index_data(tmp.path(), "manifest");
    let bundles = manifest["fragments"].as_array().unwrap().len();
    let fragments: Vec<Value> = (0..bundles)
        .flat_map(|b| {
            index_data(tmp.path(), &format!("f{b}"))
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    let mut urls: Vec<&str> = fragments.iter().map(|f| f["u"].as_str().unwrap()).collect();
    urls.sort();
    let expected = fixture_pages();
    let mut want: Vec<&str> = expected.iter().map(|p| p.out.as_str()).collect();
    want.sort();
    assert_eq!(urls, want, "every page but the `search: false` one");
    assert_eq!(manifest["pages"], want.len());
    for page in &expected {
        let f = fragments
            .iter()
            .find(|f| f["u"] == page.out.as_str())
            .unwrap();
        assert_eq!(f["t"], page.title.as_str());
        let lang = if page.out.contains("/ko/") {
            "ko"
        } else {
            "en"
        };
        assert_eq!(f["l"], lang, "{}", page.out);
        // A section per `##` heading (and one for the text above them).
        let headings = page.body.lines().filter(|l| l.starts_with("## ")).count();
        assert_eq!(
            f["s"].as_array().unwrap().len(),
            headings + 1,
            "{}",
            page.out
        );
    }
}

// ---- the browser tests ----

/// The fixture page whose source contains `needle`.
fn page_with(needle: &str) -> FixturePage {
    let mut pages = fixture_pages();
    let at = pages
        .iter()
        .position(|p| p.body.contains(needle))
        .unwrap_or_else(|| panic!("no fixture page contains {needle}"));
    pages.swap_remove(at)
}

fn assert_finds(driver: &Browser, query: &str, needle: &str) {
    let page = page_with(needle);
    driver.type_query(query);
    let results = driver.results();
    assert!(
        results.iter().any(
            |(href, text, _)| href.split('#').next().unwrap().ends_with(&page.out)
                && text.contains(&page.title)
        ),
        "query {query:?} should find {} ({}); got {results:?}; the panel shows {:?}",
        page.out,
        page.title,
        driver.results_text()
    );
}

/// The first result of `query`: (href, link text, marked words).
fn first_result(driver: &Browser, query: &str) -> (String, String, Vec<String>) {
    driver.type_query(query);
    let results = driver.results();
    results
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no result for {query:?}: {}", driver.results_text()))
}

/// Every check the search box must pass, on the page `page` of the site at `root`.
fn check_search_box(driver: &Browser, root: &str, page: &str) {
    driver.goto(&format!("{root}{page}"));
    assert_finds(driver, "authorization", "authorization");
    assert_finds(driver, "webhooks", "webhooks");
    // A Korean word, found through its prefix (the page writes 토큰을).
    assert_finds(driver, "토큰", "토큰을");
    assert_finds(driver, "매개변수", "매개변수");
    // Nothing found: a message, no links.
    driver.type_query("zzzznotaword");
    std::thread::sleep(Duration::from_millis(600));
    assert!(
        driver.results_text().contains("No results"),
        "{}",
        driver.results_text()
    );
    // A result link opens the page; the arrow key reaches it from the box.
    driver.type_query("webhooks");
    let (href, _, _) = driver.results().into_iter().next().unwrap();
    driver.keys("\u{E015}"); // WebBrowser's ArrowDown
    let focused = driver.js("return document.activeElement && document.activeElement.href;");
    assert_eq!(
        focused.as_str(),
        Some(href.as_str()),
        "ArrowDown focuses the first result"
    );
    assert!(href.starts_with(root), "{href} is under {root}");
    driver.goto(&href);
    let body = driver.js("return document.getElementById('page-body').textContent;");
    assert!(body.as_str().unwrap().contains("webhooks"), "{body}");
}

/// Results are sections, their matched words marked; typos are forgiven;
/// the page with every word of a mixed English and Korean query ranks first.
fn check_results(driver: &Browser, root: &str) {
    driver.goto(&format!("{root}docs/acme/events.html"));
    // A section: the link goes to the heading's anchor, the result shows it.
    let (href, text, marks) = first_result(driver, "authentication parameters");
    assert!(href.contains("docs/acme/authenticate.html#"), "{href}");
    let anchor = href.rsplit('#').next().unwrap();
    driver.goto(&href);
    let heading = driver.js(&format!(
        "var h = document.getElementById({anchor:?}); if (!h) return null; \
         var c = h.cloneNode(true); c.querySelectorAll('.ed-anchor').forEach(function (a) {{ a.remove(); }}); \
         return c.textContent;"
    ));
    assert_eq!(heading, "Authentication parameters", "{href}");
    assert!(text.contains("Authentication parameters"), "{text}");
    let lower: Vec<String> = marks.iter().map(|m| m.to_lowercase()).collect();
    assert!(lower.contains(&"authentication".to_string()), "{marks:?}");
    assert!(lower.contains(&"parameters".to_string()), "{marks:?}");
    // The snippet marks a word of the body too (the title has no "token").
    let (_, text, marks) = first_result(driver, "token request");
    assert!(!text.to_lowercase().contains("token"), "{text}");
    assert!(
        marks.iter().any(|m| m.eq_ignore_ascii_case("token")),
        "{marks:?}"
    );
    // One letter missing, one swapped.
    for typo in ["webhoks", "authetnication"] {
        let (href, _, _) = first_result(driver, typo);
        let want = if typo == "webhoks" {
            "events.html"
        } else {
            "authenticate.html"
        };
        assert!(
            href.contains(&format!("docs/acme/{want}")),
            "{typo}: {href}"
        );
    }
    // Both words on one page only: that page first.
    let (href, _, marks) = first_result(driver, "SmartRecruiters 인증");
    assert!(
        href.contains("docs/smartrecruiters/ko/authenticate.html"),
        "{href}"
    );
    assert!(marks.iter().any(|m| m.starts_with("인증")), "{marks:?}");
}

/// The built-in theme's box (without the fixture's own templates), built
/// under a base URL.
fn built_under_sub(out: &Path) {
    let src = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), src.path());
    std::fs::remove_dir_all(src.path().join("templates")).unwrap();
    build_fixture(src.path(), out, Some("/sub/"));
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn search_box_works_over_http_under_a_base_url() {
    let tmp = tempfile::tempdir().unwrap();
    built_under_sub(tmp.path());
    let url = serve(tmp.path().to_path_buf(), "/sub/");
    let driver = Browser::start();
    check_search_box(&driver, &url, "docs/acme/events.html");
    check_results(&driver, &url);
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn search_box_works_under_serve() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
    let server = crate::common::start_in(dir);
    let driver = Browser::start();
    let root = format!("{}/", server.base);
    check_search_box(&driver, &root, "docs/acme/events.html");
    check_results(&driver, &root);
    // An edit reaches the index: a new word is found once the page is rebuilt.
    let events = server.root.join("content/docs/acme/events.md");
    let text = std::fs::read_to_string(&events).unwrap();
    server.write(
        "content/docs/acme/events.md",
        &text.replace("contact", "zebracontact"),
    );
    let started = std::time::Instant::now();
    loop {
        driver.goto(&format!("{root}docs/acme/events.html"));
        driver.type_query("zebracontact");
        std::thread::sleep(Duration::from_millis(500));
        let found = driver
            .results()
            .iter()
            .any(|r| r.0.contains("docs/acme/events.html"));
        if found {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{}",
            driver.results_text()
        );
    }
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn search_box_works_from_files_without_a_server() {
    // Over file:// a root-absolute `/assets/...` cannot resolve: a theme that
    // links the script relative to the page (`root_rel`) works from a folder.
    let src = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), src.path());
    for e in std::fs::read_dir(src.path().join("templates")).unwrap() {
        let p = e.unwrap().path();
        let t = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, t.replace("{{ base_url }}/", "{{ root_rel }}")).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    build_fixture(src.path(), out.path(), None);
    let driver = Browser::start();
    let root = format!("file://{}/", out.path().display());
    check_search_box(&driver, &root, "docs/acme/ko/authenticate.html");
    check_results(&driver, &root);
}

/// The fixture with `n` more pages, each with words of its own, so that the
/// index has many shards and fragment bundles.
fn fixture_with_many_pages(n: usize) -> tempfile::TempDir {
    let src = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), src.path());
    std::fs::remove_dir_all(src.path().join("templates")).unwrap();
    for i in 0..n {
        let words: String = (0..150).map(|w| format!("w{i}x{w} ")).collect();
        let page =
            format!("---\ntitle: Page {i}\n---\n\nNumber{i} {words}\n\n## Part\n\n{words}\n");
        let path = src.path().join(format!("content/many/p{i:03}.md"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, page).unwrap();
    }
    src
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn a_query_loads_only_the_files_it_needs() {
    let src = fixture_with_many_pages(120);
    let out = tempfile::tempdir().unwrap();
    build_fixture(src.path(), out.path(), None);
    let manifest = index_data(out.path(), "manifest");
    let shards = manifest["shards"].as_array().unwrap().len();
    let bundles = manifest["fragments"].as_array().unwrap().len();
    assert!(
        shards > 20 && bundles > 10,
        "{shards} shards, {bundles} bundles"
    );
    let url = serve(out.path().to_path_buf(), "/");
    let driver = Browser::start();
    driver.goto(&format!("{url}many/p007.html"));
    let loaded = |d: &Browser| {
        let v = d.js(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; })\
            .filter(function (n) { return n.indexOf('/assets/elementdocs/search/') >= 0; });",
        );
        crate::common::strs(&v)
    };
    assert!(
        loaded(&driver).is_empty(),
        "nothing is loaded before the box is used"
    );
    let (href, _, _) = first_result(&driver, "number42");
    assert!(href.ends_with("many/p042.html"), "{href}");
    let files = loaded(&driver);
    let count = |kind: &str| {
        files
            .iter()
            .filter(|f| f.contains(&format!("/search/{kind}")))
            .count()
    };
    assert_eq!(count("manifest"), 1, "{files:?}");
    assert!((1..=3).contains(&count("s")), "{files:?}");
    assert_eq!(count("f"), 1, "{files:?}");
    assert_eq!(
        count("w-"),
        0,
        "no typo list for a word that is found: {files:?}"
    );
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn screenshots_of_the_results_desktop_and_phone_light_and_dark() {
    let tmp = tempfile::tempdir().unwrap();
    built_under_sub(tmp.path());
    let url = serve(tmp.path().to_path_buf(), "/sub/");
    let driver = Browser::start();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (size, (w, h)) in [("desktop", (1280, 800)), ("390px", (390, 844))] {
        for theme in ["light", "dark"] {
            driver.window_size(w, h);
            driver.goto(&format!("{url}docs/acme/events.html"));
            driver.js(&format!("localStorage.setItem('ed-theme', '{theme}');"));
            driver.goto(&format!("{url}docs/acme/events.html"));
            let (href, _, marks) = first_result(&driver, "authentication token");
            assert!(!marks.is_empty(), "{href}");
            let png = driver.screenshot();
            assert!(png.starts_with(b"\x89PNG"), "a PNG");
            std::fs::write(shots.join(format!("search-{size}-{theme}.png")), png).unwrap();
        }
    }
    eprintln!("screenshots in {}", shots.display());
}
