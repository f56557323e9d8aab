//! Live reload in a real browser: headless Chromium driven over WebDriver
//! (chromedriver), with plain HTTP requests (no WebDriver crate needed).
//!
//! `#[ignore]`d: it needs Debian's `chromium` and `chromium-driver` (override
//! with `CHROMIUM` and `CHROMEDRIVER`), which `.ci/run` installs before it runs
//! the ignored tests (see also `tests/serve_browser.sh`).
//! The test never reloads or navigates after the first load: every change
//! it sees comes from the injected live-reload script.

use crate::common;

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver {
    child: Child,
    url: String,
    session: Option<String>,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            // Best effort: close the browser before stopping the driver.
            let url = format!("{}/session/{id}", self.url);
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let _ = reqwest::Client::new().delete(url).send().await;
                });
            })
            .join();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    async fn start() -> Driver {
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        let mut d = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            session: None,
            http: reqwest::Client::new(),
            _profile: tempfile::tempdir().unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = d.http.get(format!("{}/status", d.url)).send().await {
                let v: Value = serde_json::from_str(&r.text().await.unwrap_or_default())
                    .unwrap_or(Value::Null);
                if v["value"]["ready"] == true {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let profile = d._profile.path().to_string_lossy().into_owned();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", format!("--user-data-dir={profile}")]
            }
        }}});
        let v = d.call("POST", "/session", caps).await;
        d.session = Some(
            v["sessionId"]
                .as_str()
                .unwrap_or_else(|| panic!("no session: {v}"))
                .to_string(),
        );
        d
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.url);
        let req = match method {
            "POST" => self.http.post(url).body(body.to_string()),
            "GET" => self.http.get(url),
            _ => self.http.delete(url),
        };
        let text = req
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        if let Some(err) = v["value"].get("error") {
            panic!("webdriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    fn sid(&self) -> &str {
        self.session.as_deref().unwrap()
    }

    async fn goto(&self, url: &str) {
        self.call(
            "POST",
            &format!("/session/{}/url", self.sid()),
            json!({ "url": url }),
        )
        .await;
    }

    async fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            &format!("/session/{}/execute/sync", self.sid()),
            json!({"script": script, "args": []}),
        )
        .await
    }

    /// Poll `script` (which returns a boolean) until it is true.
    async fn wait_for(&self, what: &str, script: &str) {
        let deadline = Instant::now() + common::WAIT;
        loop {
            // A page being reloaded by the live script may refuse a moment.
            let ok = self.try_eval(script).await == Some(Value::Bool(true));
            if ok {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn try_eval(&self, script: &str) -> Option<Value> {
        let url = format!("{}/session/{}/execute/sync", self.url, self.sid());
        let body = json!({"script": script, "args": []}).to_string();
        let r = self.http.post(url).body(body).send().await.ok()?;
        let v: Value = serde_json::from_str(&r.text().await.ok()?).ok()?;
        if v["value"].get("error").is_some() {
            return None;
        }
        Some(v["value"].clone())
    }
}

const CONNECTED: &str = "return !!(window.__elementdocsLast && window.__elementdocsLast.type);";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn browser_shows_edits_without_the_test_reloading() {
    let s = common::start();
    let d = Driver::start().await;
    let page = format!("{}/docs/guide/setup.html", s.base);
    d.goto(&page).await;
    d.wait_for("the live-reload connection", CONNECTED).await;
    let text = d.eval("return document.body.innerText;").await;
    assert!(text.as_str().unwrap().contains("SETUP-V1"), "{text}");

    // 1. Edit the page's source: the text changes, the browser stays on the page.
    s.write(
        "docs/guide/setup.md",
        "---\ntitle: Setup\norder: 2\n---\nSETUP-BROWSER-V2\n",
    );
    d.wait_for(
        "the edited text",
        "return document.body.innerText.includes('SETUP-BROWSER-V2');",
    )
    .await;
    let path = d.eval("return location.pathname;").await;
    assert_eq!(path, "/docs/guide/setup.html");

    // 2. Break it: the overlay shows over the last good page; fix it: it goes.
    d.wait_for("the live-reload connection", CONNECTED).await;
    s.write("docs/guide/setup.md", "---\ntitle: Setup\nSETUP-BROKEN\n");
    d.wait_for(
        "the error overlay",
        "var o = document.getElementById('__elementdocs_overlay'); \
         return !!o && o.innerText.includes('never closed');",
    )
    .await;
    assert!(d
        .eval("return document.body.innerText.includes('SETUP-BROWSER-V2');")
        .await
        .as_bool()
        .unwrap());
    s.write(
        "docs/guide/setup.md",
        "---\ntitle: Setup\norder: 2\n---\nSETUP-BROWSER-V3\n",
    );
    d.wait_for(
        "the fixed page without overlay",
        "return document.body.innerText.includes('SETUP-BROWSER-V3') && \
         !document.getElementById('__elementdocs_overlay');",
    )
    .await;

    // 3. A stylesheet change is swapped in without reloading the page.
    d.goto(&format!("{}/docs/styled.html", s.base)).await;
    d.wait_for("the live-reload connection", CONNECTED).await;
    d.eval("window.__notReloaded = true; return true;").await;
    let color = "return getComputedStyle(document.getElementById('styled')).color;";
    assert_eq!(d.eval(color).await, "rgb(0, 0, 0)");
    s.write("assets/site.css", "body { color: rgb(255, 0, 0); }\n");
    d.wait_for(
        "the new style",
        "return getComputedStyle(document.getElementById('styled')).color === 'rgb(255, 0, 0)';",
    )
    .await;
    assert_eq!(
        d.eval("return window.__notReloaded === true;").await,
        true,
        "the CSS was swapped without a reload"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
async fn a_page_shows_its_warnings_and_the_reader_can_dismiss_them() {
    let s = common::start();
    let d = Driver::start().await;
    let page = format!("{}/docs/other.html", s.base);
    d.goto(&page).await;
    d.wait_for("the live-reload connection", CONNECTED).await;
    let panel = "var w = document.getElementById('__elementdocs_warnings'); \
                 return !!w && w.innerText.includes('page.titel');";
    s.write(
        "docs/other.md",
        "---\ntitle: Other\n---\nOTHER {{ page.titel }}\n",
    );
    d.wait_for("the warnings panel", panel).await;
    d.eval("document.querySelector('#__elementdocs_warnings button').click(); return true;")
        .await;
    let gone = "return !document.getElementById('__elementdocs_warnings');";
    assert_eq!(d.eval(gone).await, true, "dismissed");
    // Dismissed, it stays away when the page loads again with the same warnings...
    d.goto(&page).await;
    d.wait_for("the live-reload connection", CONNECTED).await;
    assert_eq!(d.eval(gone).await, true, "still dismissed after a reload");
    // ...and comes back when they change.
    s.write(
        "docs/other.md",
        "---\ntitle: Other\n---\nOTHER {{ page.titel }} {{ page.ordr }}\n",
    );
    d.wait_for(
        "the new warnings",
        "var w = document.getElementById('__elementdocs_warnings'); \
         return !!w && w.innerText.includes('page.ordr');",
    )
    .await;
}
