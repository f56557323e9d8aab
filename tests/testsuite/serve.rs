//! `elementdocs serve` end to end: the binary is started on an ephemeral port
//! over a small fixture site copied into a temporary folder, then edited.
//! Every wait is bounded by a timeout; nothing asserts on a fixed sleep.

use crate::common;

use common::{fixture, next_json, start, strs, Ws, WAIT};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The next rebuild message satisfying `pred` (earlier ones are skipped:
/// a save can arrive as more than one batch of events).
async fn wait_rebuild(ws: &mut Ws, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        assert!(Instant::now() < deadline, "no matching rebuild message");
        let m = next_json(ws).await;
        if m["type"] == "rebuild" && pred(&m) {
            return m;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn edit_page_serves_new_html_and_sends_reload() {
    let s = start();
    let (status, html) = s.get("/docs/other.html").await;
    assert_eq!(status, 200);
    assert!(html.contains("OTHER-V1"));
    assert!(
        html.contains("data-elementdocs-live"),
        "live script injected"
    );
    let mut ws = s.ws().await;
    s.write("docs/other.md", "---\ntitle: Other\n---\nOTHER-V2 edited\n");
    let m = wait_rebuild(&mut ws, |m| !strs(&m["changed"]).is_empty()).await;
    assert_eq!(strs(&m["changed"]), ["/docs/other.html"]);
    assert_eq!(strs(&m["rebuilt"]), ["docs/other.md"]);
    assert_eq!(m["full"], false);
    assert!(m["errors"].is_null());
    let (_, html) = s.get("/docs/other.html").await;
    assert!(html.contains("OTHER-V2 edited"), "{html}");
    // Other pages were not touched.
    let (_, idx) = s.get("/docs/guide/index.html").await;
    assert!(idx.contains("GUIDE-INDEX-V1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn edit_include_rebuilds_only_dependent_pages() {
    let s = start();
    let (_, html) = s.get("/docs/guide/setup.html").await;
    assert!(html.contains("NOTE-V1"), "the include is expanded: {html}");
    let mut ws = s.ws().await;
    s.write(
        "_includes/note.html",
        "<div class=\"note\">NOTE-V2 {{ include.text }}</div>\n",
    );
    let m = wait_rebuild(&mut ws, |m| !strs(&m["rebuilt"]).is_empty()).await;
    assert_eq!(
        strs(&m["rebuilt"]),
        ["docs/guide/index.md", "docs/guide/setup.md"],
        "only the pages that include note.html"
    );
    assert_eq!(
        strs(&m["changed"]),
        ["/docs/guide/index.html", "/docs/guide/setup.html"]
    );
    let (_, html) = s.get("/docs/guide/setup.html").await;
    assert!(html.contains("NOTE-V2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_mode_sees_edits() {
    let s = common::start_with(fixture(), &["--poll"]);
    let mut ws = s.ws().await;
    s.write("docs/other.md", "---\ntitle: Other\n---\nOTHER-POLLED\n");
    // notify's poll watcher compares modification times in whole seconds:
    // date this save a few seconds later instead of waiting for the clock.
    let f = std::fs::File::options()
        .write(true)
        .open(s.root.join("docs/other.md"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(3))
        .unwrap();
    drop(f);
    let m = wait_rebuild(&mut ws, |m| !strs(&m["changed"]).is_empty()).await;
    assert_eq!(strs(&m["rebuilt"]), ["docs/other.md"]);
    let (_, html) = s.get("/docs/other.html").await;
    assert!(html.contains("OTHER-POLLED"));
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_page_shows_overlay_over_last_good_content_until_fixed() {
    let s = start();
    let mut ws = s.ws().await;
    // Front matter opened and never closed.
    s.write("docs/other.md", "---\ntitle: Other\nOTHER-BROKEN\n");
    let m = wait_rebuild(&mut ws, |m| !m["errors"].is_null()).await;
    let overlay = m["errors"].as_str().unwrap();
    assert!(overlay.contains("docs/other.md:1:1"), "{overlay}");
    assert!(overlay.contains("never closed"), "{overlay}");
    for page in ["/docs/other.html", "/docs/guide/index.html"] {
        let (status, html) = s.get(page).await;
        assert_eq!(status, 200);
        assert!(html.contains("<div id=\"__elementdocs_overlay\""), "{page}");
    }
    let (_, html) = s.get("/docs/other.html").await;
    assert!(html.contains("OTHER-V1"), "the last good content stays");
    assert!(!html.contains("OTHER-BROKEN"));

    s.write("docs/other.md", "---\ntitle: Other\n---\nOTHER-FIXED\n");
    let m = wait_rebuild(&mut ws, |m| m["errors"].is_null()).await;
    assert_eq!(strs(&m["changed"]), ["/docs/other.html"]);
    let (_, html) = s.get("/docs/other.html").await;
    assert!(html.contains("OTHER-FIXED"));
    assert!(!html.contains("<div id=\"__elementdocs_overlay\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn css_change_is_sent_as_a_stylesheet_swap() {
    let s = start();
    let mut ws = s.ws().await;
    s.write("assets/site.css", "body { color: red; }\n");
    let m = wait_rebuild(&mut ws, |m| !strs(&m["css"]).is_empty()).await;
    assert_eq!(strs(&m["css"]), ["/assets/site.css"]);
    assert!(strs(&m["changed"]).is_empty(), "no page reloads");
    assert!(strs(&m["rebuilt"]).is_empty());
    let r = reqwest::get(format!("{}/assets/site.css", s.base))
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(r.text().await.unwrap(), "body { color: red; }\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn new_and_removed_pages() {
    let s = start();
    let mut ws = s.ws().await;
    assert_eq!(s.get("/docs/new.html").await.0, 404);
    s.write("docs/new.md", "---\ntitle: New\n---\nNEW-PAGE\n");
    wait_rebuild(&mut ws, |m| {
        strs(&m["changed"]).contains(&"/docs/new.html".into())
    })
    .await;
    let (status, html) = s.get("/docs/new.html").await;
    assert_eq!(status, 200);
    assert!(html.contains("NEW-PAGE"));
    std::fs::remove_file(s.root.join("docs/new.md")).unwrap();
    wait_rebuild(&mut ws, |m| {
        strs(&m["changed"]).contains(&"/docs/new.html".into())
    })
    .await;
    assert_eq!(s.get("/docs/new.html").await.0, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn editor_temp_files_do_not_rebuild() {
    let s = start();
    let mut ws = s.ws().await;
    // Noise first, then a real edit: the first rebuild must be the real one.
    for noise in [
        "docs/.other.md.swp",
        "docs/other.md~",
        "docs/4913",
        "docs/.#other.md",
    ] {
        s.write(noise, "x");
    }
    s.write("docs/other.md", "---\ntitle: Other\n---\nOTHER-V3\n");
    let m = wait_rebuild(&mut ws, |_| true).await;
    assert_eq!(strs(&m["rebuilt"]), ["docs/other.md"]);
    assert!(strs(&m["assets"]).is_empty(), "{m}");
}

/// Send a raw request (clients would normalize these paths) and return the status line and body.
fn raw(addr: &str, request: &str) -> (String, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.lines().next().unwrap_or("").to_string();
    (status, text)
}

fn get_raw(addr: &str, path: &str) -> (String, String) {
    raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn traversal_and_malformed_requests_are_refused() {
    let s = start();
    let addr = s.addr.clone();
    // A secret next to the site root: it must never be served.
    let secret: &Path = &s.root.parent().unwrap().join("elementdocs-secret.txt");
    let _ = std::fs::write(secret, "SECRET");
    tokio::task::spawn_blocking(move || {
        for path in [
            "/../_config.yml",
            "/docs/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/docs/..%2f..%2felementdocs-secret.txt",
            "/..%5c..%5cetc%5cpasswd",
            "/docs/other.html%00.png",
            "/%zz",
            "/%c0%ae%c0%ae/etc/passwd",
        ] {
            let (status, text) = get_raw(&addr, path);
            assert!(
                status.contains(" 400 ") || status.contains(" 404 "),
                "{path}: {status}"
            );
            assert!(!text.contains("SECRET") && !text.contains("root:"), "{path}");
        }
        // Absolute paths stay inside the root.
        let (status, _) = get_raw(&addr, "//etc/passwd");
        assert!(status.contains(" 404 "), "{status}");
        let (status, _) = get_raw(&addr, "/_config.yml");
        assert!(status.contains(" 404 "), "{status}");
        // Methods other than GET and HEAD.
        let (status, text) = raw(
            &addr,
            &format!("POST /docs/other.html HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        );
        assert!(status.contains(" 405 "), "{status}");
        assert!(text.to_ascii_lowercase().contains("allow: get, head"));
        // HEAD: headers, no body.
        let (status, text) = raw(
            &addr,
            &format!("HEAD /docs/other.html HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        );
        assert!(status.contains(" 200 "), "{status}");
        assert!(text.contains("text/html"));
        assert!(!text.contains("OTHER-V1"));
        // DNS rebinding: a foreign Host name is refused; so is a websocket
        // opened from a foreign page.
        let (status, _) = raw(
            &addr,
            "GET /docs/other.html HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        );
        assert!(status.contains(" 403 "), "{status}");
        let (status, _) = raw(
            &addr,
            &format!("GET /__elementdocs/ws HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://evil.example\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"),
        );
        assert!(status.contains(" 403 "), "{status}");
        // Garbage.
        let (status, _) = raw(&addr, "NOT HTTP AT ALL\r\n\r\n");
        assert!(status.is_empty() || status.contains(" 400 "), "{status}");
    })
    .await
    .unwrap();
    let _ = std::fs::remove_file(secret);
    // A miss gets the 404 page, with the live script.
    let (status, html) = s.get("/no/such/page.html").await;
    assert_eq!(status, 404);
    assert!(
        html.contains("Page not found") && html.contains("data-elementdocs-live"),
        "the theme's 404 page, with the live script: {html}"
    );
    // `/dir/` serves `dir/index.html`; `/dir` redirects there.
    let (status, html) = s.get("/docs/guide/").await;
    assert_eq!(status, 200);
    assert!(html.contains("GUIDE-INDEX-V1"));
    let png = reqwest::get(format!("{}/assets/img/dot.png", s.base))
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
}

#[test]
fn built_files_carry_no_live_reload_script() {
    let dir = fixture();
    let out = dir.path().join("public");
    let st = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--source"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    let html = std::fs::read_to_string(out.join("docs/other.html")).unwrap();
    assert!(html.contains("OTHER-V1"));
    assert!(!html.contains("elementdocs-live") && !html.contains("__elementdocs"));
}

#[test]
fn a_non_loopback_host_prints_a_warning() {
    use std::io::BufRead;
    let dir = fixture();
    let mut child = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["serve", "--host", "0.0.0.0", "--port", "0", "--source"])
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + WAIT;
    let mut warned = false;
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if line.contains("warning: serving on `0.0.0.0`") {
            warned = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned);
}

/// Warnings show as in `build`: on the terminal, and on the page itself in a
/// panel the reader can dismiss.
#[tokio::test(flavor = "multi_thread")]
async fn warnings_show_on_the_terminal_and_on_the_page() {
    let s = start();
    let mut ws = s.ws().await;
    s.write(
        "docs/other.md",
        "---\ntitle: Other\n---\nOTHER {{ page.titel }}\n",
    );
    let m = wait_rebuild(&mut ws, |m| !strs(&m["rebuilt"]).is_empty()).await;
    assert_eq!(strs(&m["rebuilt"]), ["docs/other.md"]);
    let printed = s.wait_for_stderr("page.titel").join("\n");
    assert!(printed.contains("docs/other.md:4:"), "{printed}");
    let (_, html) = s.get("/docs/other.html").await;
    assert!(html.contains("__elementdocs_warnings"), "{html}");
    assert!(html.contains("1 warning on this page"), "{html}");
    assert!(html.contains("page.titel"), "{html}");
    assert!(html.contains("Dismiss the warnings"), "{html}");
    // Other pages carry no panel; the fixed page neither.
    let (_, idx) = s.get("/docs/guide/index.html").await;
    assert!(!idx.contains("__elementdocs_warnings"));
    s.write(
        "docs/other.md",
        "---\ntitle: Other\n---\nOTHER {{ page.title }}\n",
    );
    wait_rebuild(&mut ws, |m| !strs(&m["rebuilt"]).is_empty()).await;
    let (_, html) = s.get("/docs/other.html").await;
    assert!(!html.contains("__elementdocs_warnings"), "{html}");
}
