//! Headless Chromium through chromedriver's WebDriver HTTP API (no crate),
//! and a static file server on loopback, for the search box's browser tests.
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (or `CHROMIUM` /
//! `CHROMEDRIVER`).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

impl Driver {
    pub fn start() -> Driver {
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
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
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

    fn url(&self, path: &str) -> String {
        if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        }
    }

    fn answer(path: &str, text: reqwest::Result<String>) -> Value {
        let text = text.unwrap_or_else(|e| panic!("{path}: {e}"));
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"));
        assert!(v["value"].get("error").is_none(), "{path}: {v}");
        v["value"].clone()
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        let sent = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send();
        Driver::answer(path, sent.and_then(|r| r.text()))
    }

    pub fn get(&self, path: &str) -> Value {
        let sent = self.http.get(self.url(path)).send();
        Driver::answer(path, sent.and_then(|r| r.text()))
    }

    pub fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    pub fn js(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }

    /// Runs an async script: it calls `arguments[0]` with its answer.
    pub fn js_async(&self, script: &str) -> Value {
        self.post("/execute/async", json!({"script": script, "args": []}))
    }

    pub fn window_size(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height}));
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let b64 = self.get("/screenshot");
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("base64 text"))
            .expect("a PNG in base64")
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
    pub fn keys(&self, text: &str) {
        let id = self.search_box();
        self.post(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    /// Clear the search box and type `text` into it, key by key.
    pub fn type_query(&self, text: &str) {
        let id = self.search_box();
        self.post(&format!("/element/{id}/clear"), json!({}));
        self.post(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    /// Waits until the results list settles; returns each result as (link
    /// href, link text, texts of its <mark>s).
    pub fn results(&self) -> Vec<(String, String, Vec<String>)> {
        let started = Instant::now();
        let script = "var r = document.getElementById('ed-search-results');\
            return r ? Array.from(r.querySelectorAll('li')).map(function (li) { var a = li.querySelector('a'); \
              return [a.href, a.textContent, Array.from(li.querySelectorAll('mark')).map(function (m) { return m.textContent; })]; }) \
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
        let s = |v: &Value| v.as_str().unwrap_or("").to_string();
        last.as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let marks = p[2].as_array().map(|m| m.iter().map(s).collect());
                        (s(&p[0]), s(&p[1]), marks.unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The text of the results panel.
    pub fn results_text(&self) -> String {
        let v = self.js("return document.getElementById('ed-search-results').textContent;");
        v.as_str().unwrap_or("").to_string()
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

/// Paths served, with their sizes, in order.
pub type ServedLog = std::sync::Arc<std::sync::Mutex<Vec<(String, usize)>>>;

/// Serves `root` under the URL prefix `prefix` (`/sub/`) on a loopback port,
/// for the life of the test process; GET only, nothing cached. Returns the
/// site's URL.
pub fn serve(root: PathBuf, prefix: &'static str) -> String {
    serve_logged(root, prefix).0
}

/// [`serve`], and the log of what it served.
pub fn serve_logged(root: PathBuf, prefix: &'static str) -> (String, ServedLog) {
    use std::io::{BufRead, BufReader};
    let log = ServedLog::default();
    let served = log.clone();
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
            let path = line.split(' ').nth(1).unwrap_or("/");
            let path = path.split('?').next().unwrap();
            let path = percent_decode(path);
            let file = path
                .strip_prefix(prefix)
                .filter(|p| !p.split('/').any(|s| s == ".."))
                .map(|p| root.join(if p.is_empty() { "index.html" } else { p }));
            let size = respond(&stream, file.as_deref());
            served.lock().unwrap().push((path, size));
        }
    });
    (format!("http://{addr}{prefix}"), log)
}

/// Answers with the file (or a 404); returns the body's size.
fn respond(mut out: &std::net::TcpStream, file: Option<&Path>) -> usize {
    use std::io::Write;
    match file.and_then(|f| Some((std::fs::read(f).ok()?, f))) {
        Some((bytes, f)) => {
            let ct = match f.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            let _ = write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\
                 Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = out.write_all(&bytes);
            bytes.len()
        }
        None => {
            let _ = write!(
                out,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            0
        }
    }
}

fn percent_decode(path: &str) -> String {
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn copy_dir(from: &Path, to: &Path) {
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
