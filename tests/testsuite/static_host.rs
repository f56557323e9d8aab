//! A static host on loopback for the browser tests, as a reader's web server
//! would serve a built site: the file at the request's path under a URL
//! prefix (`index.html` for a folder), the site's `404.html` with status 404
//! for anything else, nothing cached. It logs what it served, so tests can
//! count the bytes a page loads.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Paths served, with their body sizes (0 for a 404), in order.
pub type ServedLog = Arc<Mutex<Vec<(String, usize)>>>;

/// Serves `root` under `prefix` (`/` or `/sub/`) for the life of the test
/// process; returns the site's URL.
pub fn serve(root: PathBuf, prefix: &'static str) -> String {
    serve_logged(root, prefix).0
}

/// [`serve`], and the log of what it served.
pub fn serve_logged(root: PathBuf, prefix: &'static str) -> (String, ServedLog) {
    let root = root.canonicalize().expect("the served folder exists");
    let log = ServedLog::default();
    let served = log.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (root, served) = (root.clone(), served.clone());
            std::thread::spawn(move || answer(stream, &root, prefix, &served));
        }
    });
    (format!("http://{addr}{prefix}"), log)
}

fn answer(mut stream: TcpStream, root: &Path, prefix: &str, log: &ServedLog) {
    let Some(path) = request_path(&stream) else {
        return;
    };
    let (status, file) = match find(root, prefix, &path) {
        Some(f) => ("200 OK", f),
        None => ("404 Not Found", root.join("404.html")),
    };
    let bytes = std::fs::read(&file).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {}\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n",
        content_type(&file),
        bytes.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&bytes);
    let size = if status.starts_with("200") {
        bytes.len()
    } else {
        0
    };
    log.lock().unwrap().push((path, size));
}

/// The request line's path, percent-decoded, without query or fragment;
/// the headers are read and dropped.
fn request_path(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_or(true, |n| n == 0) || header.trim().is_empty() {
            break;
        }
    }
    let raw = line.split_whitespace().nth(1)?;
    let raw = raw.split(['?', '#']).next()?;
    Some(
        percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// The file a path names under `root`, never outside it.
fn find(root: &Path, prefix: &str, path: &str) -> Option<PathBuf> {
    let rel = path
        .strip_prefix(prefix)
        .or_else(|| (path == prefix.trim_end_matches('/')).then_some(""))?;
    let mut file = root.join(rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let file = file.canonicalize().ok()?;
    (file.starts_with(root) && file.is_file()).then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}
