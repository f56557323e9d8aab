//! Shared by the serve and browser tests: a fixture site in a temporary
//! folder and `elementdocs serve` running on it on an ephemeral port.
#![allow(dead_code)]

use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Set to stop echoing the server's console (long runs).
pub static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub const WAIT: Duration = Duration::from_secs(30);

/// The fixture: a Jekyll-layout site with two guide pages (one includes
/// `note.html`), a page without includes, an HTML page linking the
/// stylesheet, the stylesheet and an image.
pub fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files: &[(&str, &str)] = &[
        ("_config.yml", "title: Fixture\n"),
        ("_includes/note.html", "<div class=\"note\">NOTE-V1 {{ include.text }}</div>\n"),
        (
            "docs/guide/index.md",
            "---\ntitle: Overview\norder: 1\n---\nGUIDE-INDEX-V1\n\n{% include note.html text=\"hi\" %}\n",
        ),
        (
            "docs/guide/setup.md",
            "---\ntitle: Setup\norder: 2\n---\nSETUP-V1\n\n{% include note.html text=\"setup\" %}\n",
        ),
        ("docs/other.md", "---\ntitle: Other\n---\nOTHER-V1\n"),
        (
            "docs/styled.html",
            "---\ntitle: Styled\n---\n<link rel=\"stylesheet\" href=\"/assets/site.css\">\n<p id=\"styled\">STYLED</p>\n",
        ),
        ("assets/site.css", "body { color: black; }\n"),
        ("assets/img/dot.png", "\u{89}PNG-not-really\n"),
    ];
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

pub struct Server {
    child: Child,
    pub base: String,
    pub addr: String,
    pub root: PathBuf,
    _dir: tempfile::TempDir,
    _lines: mpsc::Receiver<String>,
    /// What serve printed to the terminal's error stream (diagnostics).
    err_lines: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start() -> Server {
    start_in(fixture())
}

/// Start `elementdocs serve --port 0` on the site in `dir` and wait for its address.
pub fn start_in(dir: tempfile::TempDir) -> Server {
    start_with(dir, &[])
}

/// [`start_in`] with extra arguments (`--poll`...).
pub fn start_with(dir: tempfile::TempDir, extra: &[&str]) -> Server {
    let root = dir.path().canonicalize().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["serve", "--port", "0", "--source"])
        .arg(&root)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start elementdocs serve");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (etx, err_lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
                eprintln!("[serve!] {line}");
            }
            if etx.send(line).is_err() {
                break;
            }
        }
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
                eprintln!("[serve] {line}");
            }
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let url = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("serve printed its address");
        if let Some(rest) = line.strip_prefix("serving at ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let base = url.trim_end_matches('/').to_string();
    let addr = base.trim_start_matches("http://").to_string();
    Server {
        child,
        base,
        addr,
        root,
        _dir: dir,
        _lines: rx,
        err_lines,
    }
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Wait until serve prints a line to its error stream that contains
    /// `needle`; the lines it printed until then.
    pub fn wait_for_stderr(&self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .err_lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("serve never printed `{needle}`; it printed {seen:#?}"));
            let found = line.contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
    }

    /// Connect and wait for the `hello`: from then on every rebuild reaches us.
    pub async fn ws(&self) -> Ws {
        let url = format!("ws://{}/__elementdocs/ws", self.addr);
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let hello = next_json(&mut ws).await;
        assert_eq!(hello["type"], "hello");
        ws
    }

    /// Save `rel` the way many editors do: write a temporary file, rename it
    /// over the original (so the watcher never sees a half-written file).
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = path.with_file_name(format!(".{name}.elementdocs-test~"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
}

pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a websocket message in time")
            .expect("websocket open")
            .unwrap();
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// The strings of a JSON array (an empty list for anything else).
#[allow(dead_code)] // not every test binary that includes `common` uses it
pub fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The crate root (where `Cargo.toml` is).
pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the crate root: the project's test data and tools
/// (read-only). Panics, never skips, when it is missing: every machine this
/// project builds on has it.
pub fn shared() -> PathBuf {
    let dir = crate_root().join("../shared");
    assert!(
        dir.is_dir(),
        "{} not found: this test needs the shared corpus beside the checkout",
        dir.display()
    );
    dir
}

/// `../shared/corpus/<name>` (see [`shared`]).
pub fn corpus(name: &str) -> PathBuf {
    let dir = shared().join("corpus").join(name);
    assert!(dir.is_dir(), "{} not found", dir.display());
    dir
}

/// Copy a folder tree (a fixture site into a temporary folder).
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
