//! Live reload in a real browser: headless Chromium driven over WebDriver
//! (chromedriver), with plain HTTP requests (no WebDriver crate needed).
//!
//! `#[ignore]`d: it needs Debian's `chromium` and `chromium-driver` (override
//! with `CHROMIUM` and `CHROMEDRIVER`), which `.ci/run` installs before it runs
//! the ignored tests (see also `tests/serve_browser.sh`).
//! The test never reloads or navigates after the first load: every change
//! it sees comes from the injected live-reload script.

use crate::common;

use crate::webdriver::Browser;

fn wait_for(b: &Browser, what: &str, script: &str) {
    b.wait_for(what, script, common::WAIT);
}

const CONNECTED: &str = "return !!(window.__elementdocsLast && window.__elementdocsLast.type);";

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn browser_shows_edits_without_the_test_reloading() {
    let s = common::start();
    let d = Browser::start();
    let page = format!("{}/docs/guide/setup.html", s.base);
    d.goto(&page);
    wait_for(&d, "the live-reload connection", CONNECTED);
    let text = d.js("return document.body.innerText;");
    assert!(text.as_str().unwrap().contains("SETUP-V1"), "{text}");

    // 1. Edit the page's source: the text changes, the browser stays on the page.
    s.write(
        "docs/guide/setup.md",
        "---\ntitle: Setup\norder: 2\n---\nSETUP-BROWSER-V2\n",
    );
    wait_for(
        &d,
        "the edited text",
        "return document.body.innerText.includes('SETUP-BROWSER-V2');",
    );
    let path = d.js("return location.pathname;");
    assert_eq!(path, "/docs/guide/setup.html");

    // 2. Break it: the overlay shows over the last good page; fix it: it goes.
    wait_for(&d, "the live-reload connection", CONNECTED);
    s.write("docs/guide/setup.md", "---\ntitle: Setup\nSETUP-BROKEN\n");
    wait_for(
        &d,
        "the error overlay",
        "var o = document.getElementById('__elementdocs_overlay'); \
         return !!o && o.innerText.includes('never closed');",
    );
    assert!(d
        .js("return document.body.innerText.includes('SETUP-BROWSER-V2');")
        .as_bool()
        .unwrap());
    s.write(
        "docs/guide/setup.md",
        "---\ntitle: Setup\norder: 2\n---\nSETUP-BROWSER-V3\n",
    );
    wait_for(
        &d,
        "the fixed page without overlay",
        "return document.body.innerText.includes('SETUP-BROWSER-V3') && \
         !document.getElementById('__elementdocs_overlay');",
    );

    // 3. A stylesheet change is swapped in without reloading the page.
    d.goto(&format!("{}/docs/styled.html", s.base));
    wait_for(&d, "the live-reload connection", CONNECTED);
    d.js("window.__notReloaded = true; return true;");
    let color = "return getComputedStyle(document.getElementById('styled')).color;";
    assert_eq!(d.js(color), "rgb(0, 0, 0)");
    s.write("assets/site.css", "body { color: rgb(255, 0, 0); }\n");
    wait_for(
        &d,
        "the new style",
        "return getComputedStyle(document.getElementById('styled')).color === 'rgb(255, 0, 0)';",
    );
    assert_eq!(
        d.js("return window.__notReloaded === true;"),
        true,
        "the CSS was swapped without a reload"
    );
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn a_page_shows_its_warnings_and_the_reader_can_dismiss_them() {
    let s = common::start();
    let d = Browser::start();
    let page = format!("{}/docs/other.html", s.base);
    d.goto(&page);
    wait_for(&d, "the live-reload connection", CONNECTED);
    let panel = "var w = document.getElementById('__elementdocs_warnings'); \
                 return !!w && w.innerText.includes('page.titel');";
    s.write(
        "docs/other.md",
        "---\ntitle: Other\n---\nOTHER {{ page.titel }}\n",
    );
    wait_for(&d, "the warnings panel", panel);
    d.js("document.querySelector('#__elementdocs_warnings button').click(); return true;");
    let gone = "return !document.getElementById('__elementdocs_warnings');";
    assert_eq!(d.js(gone), true, "dismissed");
    // Dismissed, it stays away when the page loads again with the same warnings...
    d.goto(&page);
    wait_for(&d, "the live-reload connection", CONNECTED);
    assert_eq!(d.js(gone), true, "still dismissed after a reload");
    // ...and comes back when they change.
    s.write(
        "docs/other.md",
        "---\ntitle: Other\n---\nOTHER {{ page.titel }} {{ page.ordr }}\n",
    );
    wait_for(
        &d,
        "the new warnings",
        "var w = document.getElementById('__elementdocs_warnings'); \
         return !!w && w.innerText.includes('page.ordr');",
    );
}
