//! `elementdocs check` on fixture sites: links, anchors, images, redirects,
//! front matter and configuration rules, external links against a local server.
//! Expected positions are computed from the fixture text, not copied from output.

use elementdocs::check::{run, CheckOptions, CheckReport};
use elementdocs::diag::{line_col, Diagnostic, Severity};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn site(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sites")
        .join(name)
}

fn check(name: &str) -> CheckReport {
    run(&CheckOptions::new(site(name)))
}

/// 1-based (line, col) of the `nth` occurrence of `needle` in a fixture file.
fn pos(file: &Path, needle: &str, nth: usize) -> (usize, usize) {
    let text = std::fs::read_to_string(file).unwrap();
    let (at, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} not in {}", file.display()));
    line_col(&text, at)
}

fn find<'a>(r: &'a CheckReport, file: &str, msg: &str) -> &'a Diagnostic {
    r.diagnostics
        .iter()
        .find(|d| d.file == Path::new(file) && d.message.contains(msg))
        .unwrap_or_else(|| {
            let all: Vec<String> = r.diagnostics.iter().map(|d| d.to_string()).collect();
            panic!("no `{msg}` in {file}; got:\n{}", all.join("\n"))
        })
}

fn no_diag(r: &CheckReport, msg: &str) {
    assert!(
        !r.diagnostics.iter().any(|d| d.message.contains(msg)),
        "unexpected `{msg}`"
    );
}

const INDEX: &str = "docs/guide/index.md";

#[test]
fn broken_link_is_located_in_the_source_with_a_suggestion() {
    let r = check("check");
    let d = find(&r, INDEX, "`setp.html` does not resolve");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(
        (d.line, d.col),
        pos(&site("check").join(INDEX), "setp.html", 0)
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `setup.html`?"));
    assert!(r.has_errors());
}

#[test]
fn broken_anchors_in_markdown_and_raw_html() {
    let r = check("check");
    let d = find(&r, INDEX, "anchor `#configure-webhook` does not exist");
    let at = pos(
        &site("check").join(INDEX),
        "setup.html#configure-webhook)",
        0,
    );
    assert_eq!((d.line, d.col), at);
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `#configure-webhooks`?")
    );
    // A hand-written "On this page" callout in raw HTML, bare `#anchor`.
    let d = find(&r, INDEX, "anchor `#sumary` does not exist");
    assert_eq!(
        (d.line, d.col),
        pos(&site("check").join(INDEX), "#sumary", 0)
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `#summary`?"));
}

#[test]
fn good_links_images_and_anchors_pass() {
    let r = check("check");
    for good in [
        "`setup.html`",
        "#configure-webhooks`",
        "#intro`",
        "/assets/img/logo.png",
        "`img/shot.png`",
        "/docs/guide/",
        "example.com",
    ] {
        assert!(
            !r.diagnostics.iter().any(|d| d.message.contains(good)
                && (d.message.contains("does not resolve")
                    || d.message.contains("does not exist"))),
            "unexpected problem with {good}"
        );
    }
    assert!(r.internal >= 8, "counted {} internal links", r.internal);
}

#[test]
fn missing_image_suggests_the_near_file() {
    let r = check("check");
    let d = find(&r, INDEX, "image `img/shot.jpg` does not resolve");
    assert_eq!(
        (d.line, d.col),
        pos(&site("check").join(INDEX), "img/shot.jpg", 0)
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `img/shot.png`?"));
}

#[test]
fn redirect_from_over_an_existing_page_is_a_warning() {
    let r = check("check");
    let file = "docs/guide/events.md";
    let d = find(
        &r,
        file,
        "`redirect_from: /docs/guide/setup.html` would replace",
    );
    assert_eq!(
        (d.line, d.col),
        pos(&site("check").join(file), "/docs/guide/setup.html", 0)
    );
    no_diag(&r, "old-events");
}

#[test]
fn guide_front_matter_rules() {
    let r = check("check");
    let d = find(&r, "docs/guide/events.md", "has no `order`");
    assert_eq!(d.severity, Severity::Error);
    let d = find(&r, "docs/guide/setup.md", "have `order: 1`");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.line,
        pos(&site("check").join("docs/guide/setup.md"), "order: 1", 0).0
    );
    assert!(d.notes.iter().any(|n| n.contains(INDEX)));
}

#[test]
fn unknown_config_keys_warn_with_real_names() {
    let r = check("check");
    let cfg = site("check").join("_config.yml");
    let d = find(&r, "_config.yml", "`syntax_highligher`");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!((d.line, d.col), pos(&cfg, "syntax_highligher", 0));
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `syntax_highlighter`?")
    );
    let d = find(&r, "_config.yml", "`exlude`");
    assert!(d.help.as_deref().unwrap().contains("`exclude`"));
    // A site variable that is not near a Jekyll key is fine.
    no_diag(&r, "`console`");
}

#[test]
fn deny_warnings_turns_warnings_into_errors() {
    let mut o = CheckOptions::new(site("check"));
    o.deny_warnings = true;
    let r = run(&o);
    assert!(r.diagnostics.iter().all(|d| d.is_error()));
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.message.contains("syntax_highligher"))
        .unwrap();
    assert!(d.is_error());
}

#[test]
fn exit_codes() {
    let bin = env!("CARGO_BIN_EXE_elementdocs");
    let bad = std::process::Command::new(bin)
        .args(["check", "--source"])
        .arg(site("check"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    let (l, c) = pos(&site("check").join(INDEX), "setp.html", 0);
    assert!(
        err.contains(&format!("{INDEX}:{l}:{c}: error: link `setp.html`")),
        "{err}"
    );
    let good = std::process::Command::new(bin)
        .args(["check", "--source"])
        .arg(site("publish"))
        .output()
        .unwrap();
    assert_eq!(
        good.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
}

/// A tiny HTTP server on 127.0.0.1: `/ok*` answers 200, `/gone` 410, the
/// rest 404; it counts the requests per path.
fn serve() -> (String, Arc<Mutex<HashMap<String, usize>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let h = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let h = h.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                if reader.read_line(&mut first).is_err() {
                    return;
                }
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).unwrap_or(0) == 0 || l == "\r\n" {
                        break;
                    }
                }
                let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
                *h.lock().unwrap().entry(path.clone()).or_default() += 1;
                let status = if path.starts_with("/ok") {
                    "200 OK"
                } else if path == "/gone" {
                    "410 Gone"
                } else {
                    "404 Not Found"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                );
            });
        }
    });
    (base, hits)
}

#[test]
fn external_links_against_a_local_server_with_cache() {
    let (base, hits) = serve();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("_config.yml"), "url: https://docs.example.com\n").unwrap();
    let page = format!(
        "---\ntitle: Links\n---\n[fine]({base}/ok#part) and [again]({base}/ok)\n\n[missing]({base}/missing)\n\n<a href=\"{base}/gone\">gone</a>\n"
    );
    std::fs::write(src.join("index.md"), &page).unwrap();
    let mut o = CheckOptions::new(&src);
    o.external = true;
    o.external_opts.cache_dir = Some(dir.path().join("cache"));
    o.external_opts.concurrency = 2;

    // Without --external nothing is fetched.
    let plain = run(&CheckOptions::new(&src));
    assert!(!plain.has_errors());
    assert!(hits.lock().unwrap().is_empty());

    let r = run(&o);
    assert_eq!(r.external, 3, "three distinct URLs (fragments dropped)");
    let text = page.as_str();
    let d = find(
        &r,
        "index.md",
        &format!("`{base}/missing` failed: HTTP 404"),
    );
    let at = text.find(&format!("{base}/missing")).unwrap();
    assert_eq!((d.line, d.col), line_col(text, at));
    assert!(d.is_error());
    find(&r, "index.md", "/gone` failed: HTTP 410");
    no_diag(&r, "/ok");
    let first_ok = hits.lock().unwrap().get("/ok").copied().unwrap_or(0);
    assert!(first_ok >= 1);

    // Second run: the good URL comes from the cache, failures are asked again.
    let r2 = run(&o);
    assert!(r2.has_errors());
    let h = hits.lock().unwrap();
    assert_eq!(h.get("/ok").copied().unwrap_or(0), first_ok);
    assert!(h.get("/missing").copied().unwrap_or(0) >= 2);
    assert!(dir.path().join("cache/external-links.json").is_file());
}

#[test]
fn check_writes_nothing_into_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("site");
    for entry in walk(&site("publish")) {
        let rel = entry.strip_prefix(site("publish")).unwrap();
        std::fs::create_dir_all(src.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&entry, src.join(rel)).unwrap();
    }
    let before = walk(&src);
    let r = run(&CheckOptions::new(&src));
    assert!(!r.has_errors());
    assert_eq!(walk(&src), before);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn corpus_typos_are_found_where_they_are_written() {
    let root = crate::common::corpus("devportal");
    let r = run(&CheckOptions::new(&root));
    let d = find(&r, "_config.yml", "`syntax_highligher`");
    assert_eq!(
        (d.line, d.col),
        pos(&root.join("_config.yml"), "syntax_highligher", 0)
    );
    // A misspelt link target: found by scanning the source for `](x.hrml)`.
    let text = std::fs::read_to_string(root.join("docs/elements/mailchimp/events.md")).unwrap();
    if let Some(at) = text.find("](setup.hrml)") {
        let d = find(
            &r,
            "docs/elements/mailchimp/events.md",
            "`setup.hrml` does not resolve",
        );
        assert_eq!((d.line, d.col), line_col(&text, at + 2));
        assert_eq!(d.help.as_deref(), Some("did you mean `setup.html`?"));
    }
}
