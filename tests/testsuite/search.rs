//! Search: the index a build writes, and the search box in a real browser.
//!
//! The browser test drives headless Chromium through chromedriver's WebDriver
//! HTTP API. It needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (or
//! `CHROMIUM` / `CHROMEDRIVER`), so it is `#[ignore]`d; `.ci/run` installs
//! them and runs it (`cargo test -- --include-ignored`).
//! Over HTTP under a base URL it uses the built-in theme's search box; from
//! `file://` it uses the fixture's own templates, which link the script
//! relative to the page (`root_rel`), as a root-absolute path cannot resolve
//! from a folder on disk.

use elementdocs::search::{INDEX_PATH, SCRIPT_PATH};
use elementdocs::site::{build_site, BuildOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// The Markdown pages of the fixture: (output path, title from the front matter, body).
fn fixture_pages() -> Vec<(String, String, String)> {
    let content = fixture().join("content");
    let mut pages = Vec::new();
    for e in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let (front, body) = text[4..].split_once("\n---\n").unwrap();
            let front: Value = serde_yaml_ng::from_str(front).unwrap();
            let rel = e.path().strip_prefix(&content).unwrap().to_string_lossy();
            let out = rel.replace(".md", ".html");
            let title = front["title"].as_str().unwrap().to_string();
            let hidden = front.get("search") == Some(&json!(false));
            if !hidden {
                pages.push((out, title, body.to_string()));
            }
        }
    }
    pages
}

fn read_index(out: &Path) -> Value {
    let js = std::fs::read_to_string(out.join(INDEX_PATH)).unwrap();
    let json = js
        .strip_prefix("window.elementdocsSearchIndex = ")
        .and_then(|s| s.trim_end().strip_suffix(';'))
        .expect("the index assigns a global");
    serde_json::from_str(json).unwrap()
}

#[test]
fn build_writes_the_index_and_the_script() {
    let tmp = tempfile::tempdir().unwrap();
    build_fixture(&fixture(), tmp.path(), None);
    assert!(tmp.path().join(SCRIPT_PATH).is_file());
    let index = read_index(tmp.path());
    let docs = index["docs"].as_array().unwrap();
    let expected = fixture_pages();
    let mut urls: Vec<&str> = docs.iter().map(|d| d["u"].as_str().unwrap()).collect();
    urls.sort();
    let mut want: Vec<&str> = expected.iter().map(|(o, _, _)| o.as_str()).collect();
    want.sort();
    assert_eq!(urls, want, "every page but the `search: false` one");
    for (out, title, _) in &expected {
        let n = docs.iter().position(|d| d["u"] == out.as_str()).unwrap();
        assert_eq!(docs[n]["t"], title.as_str());
        let lang = if out.contains("/ko/") { "ko" } else { "en" };
        assert_eq!(docs[n]["l"], lang, "{out}");
        let doc_info = &index["indexes"][lang]["documentStore"]["docInfo"];
        assert!(
            doc_info.get(n.to_string()).is_some(),
            "{out} in the {lang} index"
        );
    }
}

// ---- the browser test ----

/// Headless Chromium through chromedriver (the API reference's browser test uses it too).
pub(crate) struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

impl Driver {
    pub(crate) fn start() -> Driver {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let mut d = Driver {
            child,
            base,
            session: String::new(),
            http,
            _profile: profile,
        };
        let v = d.post("/session", caps);
        d.session = v["sessionId"].as_str().expect("a session id").to_string();
        d
    }

    pub(crate) fn post(&self, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let text = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .and_then(|r| r.text())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"));
        assert!(v["value"].get("error").is_none(), "{path}: {v}");
        v["value"].clone()
    }

    /// A WebDriver GET on the session (`/screenshot`...): its `value`.
    pub(crate) fn get(&self, path: &str) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let text = self
            .http
            .get(url)
            .send()
            .and_then(|r| r.text())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"));
        assert!(v["value"].get("error").is_none(), "{path}: {v}");
        v["value"].clone()
    }

    pub(crate) fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    pub(crate) fn js(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }

    fn search_box(&self) -> String {
        let el = self.post(
            "/element",
            json!({"using": "css selector", "value": "#ed-search"}),
        );
        el.as_object()
            .and_then(|m| m.values().next())
            .and_then(Value::as_str)
            .expect("the page has #ed-search")
            .to_string()
    }

    /// Send keys to the search box without clearing it.
    fn keys(&self, text: &str) {
        let id = self.search_box();
        self.post(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    /// Clear the search box and type `text` into it, key by key.
    fn type_query(&self, text: &str) {
        let id = self.search_box();
        self.post(&format!("/element/{id}/clear"), json!({}));
        self.post(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    /// Wait until the results list settles; returns (link href, link text) pairs.
    fn results(&self) -> Vec<(String, String)> {
        let started = Instant::now();
        let script = "var r = document.getElementById('ed-search-results');\
            return r ? Array.from(r.querySelectorAll('a')).map(function (a) { return [a.href, a.textContent]; }) \
                     : null;";
        let mut last = Value::Null;
        loop {
            let v = self.js(script);
            if v.as_array().is_some_and(|a| !a.is_empty()) && v == last {
                break;
            }
            if started.elapsed() > Duration::from_secs(10) {
                break;
            }
            last = v;
            std::thread::sleep(Duration::from_millis(250));
        }
        last.as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        (
                            p[0].as_str().unwrap_or("").to_string(),
                            p[1].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .http
                .delete(format!("{}/session/{}", self.base, self.session))
                .send();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The output page of the fixture page whose body contains `needle`.
fn page_with(needle: &str) -> (String, String) {
    let pages = fixture_pages();
    let (out, title, _) = pages
        .iter()
        .find(|(_, _, body)| body.contains(needle))
        .unwrap_or_else(|| panic!("no fixture page contains {needle}"));
    (out.clone(), title.clone())
}

fn assert_finds(driver: &Driver, query: &str, needle: &str) {
    let (out, title) = page_with(needle);
    driver.type_query(query);
    let results = driver.results();
    assert!(
        results
            .iter()
            .any(|(href, text)| href.ends_with(&out) && text.contains(&title)),
        "query {query:?} should find {out} ({title}); got {results:?}; the page shows {}",
        driver.js("var r = document.getElementById('ed-search-results'); \
            return [r && r.textContent, typeof elasticlunr, typeof window.elementdocsSearchIndex, \
            document.getElementById('ed-search').value];")
    );
    // Only pages that contain the word are listed.
    for (href, _) in &results {
        let hit = fixture_pages()
            .into_iter()
            .find(|(o, _, _)| href.ends_with(o.as_str()))
            .unwrap_or_else(|| panic!("{href} is not a fixture page"));
        assert!(
            hit.2.contains(needle) || hit.1.contains(needle),
            "{href} for {query:?}"
        );
    }
}

/// Serve `root` under the URL prefix `prefix` (`/sub/`) on a loopback port, for the
/// life of the test process; GET only. Returns the site's URL.
pub(crate) fn serve(root: PathBuf, prefix: &'static str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).map_or(true, |n| n == 0) || h.trim().is_empty() {
                    break;
                }
            }
            let path = line
                .split(' ')
                .nth(1)
                .unwrap_or("/")
                .split('?')
                .next()
                .unwrap();
            let file = path
                .strip_prefix(prefix)
                .filter(|p| !p.split('/').any(|s| s == ".."))
                .map(|p| root.join(if p.is_empty() { "index.html" } else { p }));
            let mut out = &stream;
            match file.and_then(|f| Some((std::fs::read(&f).ok()?, f))) {
                Some((bytes, f)) => {
                    let ct = match f.extension().and_then(|e| e.to_str()) {
                        Some("html") => "text/html; charset=utf-8",
                        Some("js") => "text/javascript; charset=utf-8",
                        Some("css") => "text/css; charset=utf-8",
                        _ => "application/octet-stream",
                    };
                    let _ = write!(
                        out,
                        "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        bytes.len()
                    );
                    let _ = out.write_all(&bytes);
                }
                None => {
                    let _ = write!(
                        out,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
            }
        }
    });
    format!("http://{addr}{prefix}")
}

/// Every check the search box must pass, on the page `page` of the site at `root`.
fn check_search_box(driver: &Driver, root: &str, page: &str) {
    driver.goto(&format!("{root}{page}"));
    assert_finds(driver, "authorization", "authorization");
    assert_finds(driver, "webhooks", "webhooks");
    // A Korean word, found through its prefix (the page writes 토큰을).
    assert_finds(driver, "토큰", "토큰을");
    assert_finds(driver, "매개변수", "매개변수");
    // Nothing found: a message, no links.
    driver.type_query("zzzznotaword");
    std::thread::sleep(Duration::from_millis(600));
    let text = driver.js("return document.getElementById('ed-search-results').textContent;");
    assert!(text.as_str().unwrap_or("").contains("No results"), "{text}");
    // A result link opens the page; the arrow key reaches it from the box.
    driver.type_query("webhooks");
    let (href, _) = driver.results().into_iter().next().unwrap();
    driver.keys("\u{E015}"); // WebDriver's ArrowDown
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

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn search_box_finds_english_and_korean_pages_over_http_under_a_base_url() {
    // The built-in theme's search box, without the fixture's own templates.
    let src = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), src.path());
    std::fs::remove_dir_all(src.path().join("templates")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    build_fixture(src.path(), tmp.path(), Some("/sub/"));
    let url = serve(tmp.path().to_path_buf(), "/sub/");
    let driver = Driver::start();
    check_search_box(&driver, &url, "docs/acme/events.html");
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
    let driver = Driver::start();
    let root = format!("file://{}/", out.path().display());
    check_search_box(&driver, &root, "docs/acme/ko/authenticate.html");
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}
