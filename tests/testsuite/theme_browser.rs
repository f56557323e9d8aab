//! The built-in theme in a real browser (headless Chromium over WebDriver,
//! see `webdriver.rs`): accessibility (axe-core on ten pages, light and
//! dark), keyboard reach, heading anchors, code blocks' label and copy
//! button, breadcrumbs, previous/next, edit and last-updated lines, the
//! language switcher, the catalog on a phone and the navigation drawer
//! without script.
//!
//! The site is `tests/sites/theme`, built with `build` and served as static
//! files. axe-core comes from npm: `.ci/run` runs `npm ci` in `tests/browser`
//! (or set `AXE_CORE` to an `axe.min.js`).

use crate::webdriver::{Browser, ENTER, TAB};
use elementdocs::site::{build_site, BuildOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The ten pages axe checks: every layout and generated page of the fixture.
const PAGES: [&str; 10] = [
    "/",
    "/elements/index.html",
    "/docs/elements/acme/index.html",
    "/docs/elements/acme/authenticate.html",
    "/docs/elements/acme/ko/index.html",
    "/docs/elements/beta/api.html",
    "/docs/guides/index.html",
    "/docs/guides/bulk.html",
    "/docs/elements.html",
    "/404.html",
];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites/theme")
}

/// Build the fixture into a temporary folder and serve it over HTTP.
struct Served {
    base: String,
    _out: tempfile::TempDir,
}

fn serve_fixture() -> Served {
    let out = tempfile::tempdir().unwrap();
    let site = build_site(&BuildOptions {
        source: fixture(),
        out: Some(out.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap_or_else(|d| panic!("{d:?}"));
    assert!(!site.has_errors(), "{:#?}", site.diagnostics);
    let root = fixture().canonicalize().unwrap();
    elementdocs::output::write_site(&site, out.path(), &root, None).unwrap();
    let base = crate::static_host::serve(out.path().to_path_buf(), "/");
    let base = base.trim_end_matches('/').to_string();
    Served { base, _out: out }
}

fn axe_source() -> String {
    let path = std::env::var("AXE_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/browser/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `npm ci` in tests/browser (as .ci/run does)",
            path.display()
        )
    })
}

/// The serious and critical violations axe finds on the current page, code
/// tokens' colours (highlight.css) included.
fn axe_violations(b: &Browser, axe: &str) -> Vec<String> {
    b.js(&format!("{axe}\nreturn true;"));
    let found = b.js_async(
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) {\
           done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })\
             .map(function (v) { return v.id + ': ' + v.help + ' at ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); }));\
         }, function (e) { done(['axe failed: ' + e]); });",
    );
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn set_theme(b: &Browser, theme: &str) {
    b.js(&format!(
        "localStorage.setItem('ed-theme', '{theme}'); document.documentElement.setAttribute('data-theme', '{theme}'); return true;"
    ));
}

#[test]
#[ignore = "needs chromium, chromedriver and tests/browser's axe-core (.ci/run installs them)"]
fn ten_pages_have_no_serious_accessibility_violation_in_light_and_dark() {
    let axe = axe_source();
    let site = serve_fixture();
    let b = Browser::start();
    let mut problems = Vec::new();
    for (width, height) in [(1280, 900), (390, 844)] {
        b.viewport(width, height);
        for theme in ["light", "dark"] {
            for page in PAGES {
                b.goto(&format!("{}{page}", site.base));
                set_theme(&b, theme);
                let shown = b.js("return getComputedStyle(document.body).backgroundColor;");
                let dark = shown.as_str().is_some_and(|c| c != "rgb(255, 255, 255)");
                assert_eq!(
                    dark,
                    theme == "dark",
                    "{page} in {theme}: background {shown}"
                );
                for v in axe_violations(&b, &axe) {
                    problems.push(format!("{page} ({theme}, {width}px): {v}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn every_page_has_one_h1_and_the_content_is_three_tab_stops_away() {
    let site = serve_fixture();
    let b = Browser::start();
    for page in PAGES {
        b.goto(&format!("{}{page}", site.base));
        assert_eq!(
            b.js("return document.querySelectorAll('h1').length;"),
            1,
            "{page}"
        );
        // Tab to the skip link, follow it, Tab once more: inside the main content.
        b.press(TAB);
        assert_eq!(
            b.js("return document.activeElement.className;"),
            "ed-skip",
            "{page}: the first tab stop"
        );
        b.press(ENTER);
        b.press(TAB);
        let inside = b.js("var m = document.getElementById('ed-main'); var a = document.activeElement; return m.contains(a) && a !== m;");
        assert_eq!(
            inside, true,
            "{page}: the third tab stop is not in the content"
        );
    }
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn headings_get_anchors_and_code_blocks_a_label_and_a_visible_copy_button() {
    let site = serve_fixture();
    let b = Browser::start();
    b.goto(&format!(
        "{}/docs/elements/acme/authenticate.html",
        site.base
    ));
    let anchors = b.js(
        "return Array.from(document.querySelectorAll('#page-body h2[id], #page-body h3[id]')).map(function (h) {\
           var a = h.querySelector('a.ed-anchor'); return [h.id, a ? a.getAttribute('href') : null]; });",
    );
    let anchors = anchors.as_array().unwrap();
    assert_eq!(anchors.len(), 2, "{anchors:?}");
    for pair in anchors {
        assert_eq!(
            pair[1].as_str().unwrap(),
            format!("#{}", pair[0].as_str().unwrap())
        );
    }
    b.js("document.querySelector('#page-body h2 a.ed-anchor').click(); return true;");
    let hash = b.js("return location.hash;");
    assert_eq!(
        hash.as_str().unwrap(),
        format!("#{}", anchors[0][0].as_str().unwrap())
    );

    let labels = b.js("return Array.from(document.querySelectorAll('.ed-code-lang')).map(function (l) { return l.textContent; });");
    assert_eq!(labels, serde_json::json!(["Shell", "JSON"]));
    // Visible without hovering: opaque, on screen, not hidden.
    let copy = b.js(
        "var c = document.querySelector('.ed-copy'); var s = getComputedStyle(c); var r = c.getBoundingClientRect();\
         return [s.opacity, s.visibility, r.width > 0 && r.height > 0];",
    );
    assert_eq!(copy, serde_json::json!(["1", "visible", true]));
    b.click(".ed-copy");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let text = b.js("return document.querySelector('.ed-copy').textContent;");
    assert_eq!(text, "Copied");
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn breadcrumbs_pager_edit_link_last_updated_and_languages() {
    let site = serve_fixture();
    let b = Browser::start();
    b.goto(&format!("{}/docs/elements/acme/setup.html", site.base));
    let crumbs = b.js("return Array.from(document.querySelectorAll('.ed-breadcrumbs li')).map(function (l) { return l.textContent; });");
    assert_eq!(
        crumbs,
        serde_json::json!(["Home", "Element guides", "Acme CRM", "API Provider Setup"])
    );
    let edit = b.js("return document.querySelector('.ed-edit').href;");
    assert_eq!(
        edit,
        "https://git.acme.example/docs/edit/main/content/docs/elements/acme/setup.md"
    );
    let updated = b.js(
        "var t = document.querySelector('.ed-updated time'); return [t.dateTime, t.textContent];",
    );
    assert_eq!(
        updated,
        serde_json::json!(["2024-03-05T10:20:00Z", "2024-03-05"])
    );
    // Next is the following tab; following it lands there.
    b.js("document.querySelector('.ed-pager a[rel=next]').click(); return true;");
    wait_for(&b, "/docs/elements/acme/authenticate.html");
    b.js("document.querySelector('.ed-pager a[rel=prev]').click(); return true;");
    wait_for(&b, "/docs/elements/acme/setup.html");
    // The language switcher leads to the translation and back.
    b.goto(&format!("{}/docs/elements/acme/index.html", site.base));
    b.js("document.querySelector('.ed-languages a[hreflang=ko]').click(); return true;");
    wait_for(&b, "/docs/elements/acme/ko/index.html");
    assert_eq!(b.js("return document.documentElement.lang;"), "ko");
    b.js("document.querySelector('.ed-languages a[hreflang=en]').click(); return true;");
    wait_for(&b, "/docs/elements/acme/index.html");
}

fn wait_for(b: &Browser, path: &str) {
    let started = std::time::Instant::now();
    loop {
        let now: Value = b.js("return location.pathname;");
        if now == path {
            return;
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "still at {now}, not {path}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn the_catalog_fits_a_phone_and_the_drawer_opens_without_script() {
    let site = serve_fixture();
    let b = Browser::start();
    b.viewport(390, 844);
    for page in PAGES {
        b.goto(&format!("{}{page}", site.base));
        let fits = b.js("return document.documentElement.scrollWidth <= window.innerWidth;");
        assert_eq!(fits, true, "{page} scrolls sideways at 390px");
    }
    // The drawer is hidden, and shown by its link's target alone (the
    // script is not involved when the page is loaded at #ed-sidebar).
    let page = format!("{}/docs/guides/bulk.html", site.base);
    b.goto(&page);
    let shown = "var r = document.getElementById('ed-sidebar').getBoundingClientRect(); return r.right > 0 && getComputedStyle(document.getElementById('ed-sidebar')).visibility === 'visible';";
    assert_eq!(b.js(shown), false);
    assert_eq!(
        b.js("return document.querySelector('.ed-menu').getAttribute('href');"),
        "#ed-sidebar"
    );
    b.goto(&format!("{page}#ed-sidebar"));
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert_eq!(b.js(shown), true, "the drawer opens at #ed-sidebar");
    let current =
        b.js("return document.querySelector('#ed-sidebar a[aria-current=page]').textContent;");
    assert_eq!(current, "Bulk operations");
}
