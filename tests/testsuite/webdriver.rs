//! The one WebDriver client of the tests: a headless Chromium driven through
//! chromedriver's HTTP API (no client crate: a handful of endpoints). Needs
//! `/usr/bin/chromium` and `/usr/bin/chromedriver` (or `CHROMIUM` /
//! `CHROMEDRIVER`); tests using it are `#[ignore]`d and run by `.ci/run`.
//! Helpers for one part of the site (the search box) live beside its tests
//! as further `impl Browser` blocks.

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    child: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

/// WebDriver's key for Tab and Enter.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

impl Browser {
    /// Start chromedriver on a free port and open a headless session.
    pub fn start() -> Browser {
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
        let args: Vec<String> = [
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
        .collect();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let mut b = Browser {
            child,
            base,
            session: String::new(),
            http,
            _profile: profile,
        };
        let v = b.post("/session", caps);
        b.session = v["sessionId"].as_str().expect("a session id").to_string();
        b
    }

    fn url(&self, path: &str) -> String {
        if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        }
    }

    fn answer(path: &str, text: &str) -> Value {
        Self::try_answer(text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The answer's value, or what went wrong.
    fn try_answer(text: &str) -> Result<Value, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("{e}: {text}"))?;
        match v["value"].get("error") {
            Some(e) => Err(format!("{e}: {}", v["value"]["message"])),
            None => Ok(v["value"].clone()),
        }
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        let text = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .and_then(|r| r.text())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        Self::answer(path, &text)
    }

    pub fn get(&self, path: &str) -> Value {
        let text = self
            .http
            .get(self.url(path))
            .send()
            .and_then(|r| r.text())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        Self::answer(path, &text)
    }

    pub fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    /// Run `script` (a function body) in the page; its `return` value.
    pub fn js(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }

    /// [`Browser::js`], or `None` when the page refuses (one being reloaded
    /// by the live-reload script may, for a moment).
    pub fn try_js(&self, script: &str) -> Option<Value> {
        let body = json!({"script": script, "args": []}).to_string();
        let sent = self
            .http
            .post(self.url("/execute/sync"))
            .header("content-type", "application/json")
            .body(body)
            .send();
        Self::try_answer(&sent.and_then(|r| r.text()).ok()?).ok()
    }

    /// Poll `script` (which returns a boolean) until it is true; panics
    /// naming `what` after `limit`.
    pub fn wait_for(&self, what: &str, script: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.try_js(script) != Some(Value::Bool(true)) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Run `script`, which calls `done(value)` (the last argument) when finished.
    pub fn js_async(&self, script: &str) -> Value {
        let wrapped = format!("var done = arguments[arguments.length - 1];\n{script}");
        self.post("/execute/async", json!({"script": wrapped, "args": []}))
    }

    /// [`Browser::post`], or `None` when WebDriver answers with an error
    /// (an element gone stale because the page was reloaded, say).
    pub fn try_post(&self, path: &str, body: &Value) -> Option<Value> {
        let sent = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send();
        Self::try_answer(&sent.and_then(|r| r.text()).ok()?).ok()
    }

    /// The WebDriver id of the first element matching `css`, waiting up to
    /// 10 s for it: a page that live reload is replacing has none for a
    /// moment.
    pub fn element(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let body = json!({"using": "css selector", "value": css});
        loop {
            let found = self
                .try_post("/element", &body)
                .and_then(|v| Some(v.as_object()?.values().next()?.as_str()?.to_string()));
            if let Some(id) = found {
                return id;
            }
            assert!(Instant::now() < deadline, "no element {css}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Click the first element matching `css`, as a user would (a trusted
    /// click, unlike a script's `click()`).
    pub fn click(&self, css: &str) {
        let id = self.element(css);
        self.post(&format!("/element/{id}/click"), json!({}));
    }

    /// Press and release a key (see [`TAB`], [`ENTER`]).
    pub fn press(&self, key: &str) {
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
        ]}]});
        self.post("/actions", actions);
    }

    /// Resize the window (its outer size).
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

    /// Resize the window so that the page's viewport is `width` × `height`.
    pub fn viewport(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height}));
        let inner = self.js("return [window.innerWidth, window.innerHeight];");
        let dw = width as i64 - inner[0].as_i64().unwrap_or(width as i64);
        let dh = height as i64 - inner[1].as_i64().unwrap_or(height as i64);
        if dw != 0 || dh != 0 {
            self.post(
                "/window/rect",
                json!({"width": width as i64 + dw, "height": height as i64 + dh}),
            );
        }
    }
}

impl Drop for Browser {
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
