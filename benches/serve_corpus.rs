//! `serve` on the devportal corpus: edit-to-visible latency, and requests
//! under load during continuous edits. A measurement, not a test:
//! `cargo bench --bench serve_corpus` (the corpus is `../shared/corpus/devportal`
//! beside the crate root, or `$ELEMENTDOCS_CORPUS`). The corpus is copied to
//! a temporary folder; the original is never touched.

#[path = "../tests/testsuite/common.rs"]
mod common;

use common::{next_json, strs, Server, Ws};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn corpus() -> PathBuf {
    let dir = std::env::var_os("ELEMENTDOCS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/devportal")
        });
    assert!(dir.is_dir(), "{} not found", dir.display());
    dir
}

fn copy_tree(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = e.path().strip_prefix(from).unwrap();
        let to = dir.path().join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
    dir
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Pages (source, URL path) that contain `needle`.
fn pages_containing(root: &Path, needle: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for e in walkdir::WalkDir::new(root.join("docs"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("md") {
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap_or_default();
        if text.starts_with("---") && text.contains(needle) {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let url = format!("/{}", rel.trim_end_matches(".md").to_owned() + ".html");
            v.push((rel, url));
        }
    }
    v
}

/// Write, then wait until a GET of `url` shows `marker`; returns (ms to the
/// reload message, ms until visible or None, the message).
async fn edit_and_see(
    s: &Server,
    ws: &mut Ws,
    rel: &str,
    text: &str,
    url: &str,
    marker: &str,
) -> (f64, Option<f64>, Value) {
    // Drop messages of earlier saves (one save can come as two batches of events).
    while let Ok(m) = tokio::time::timeout(Duration::from_millis(30), next_json(ws)).await {
        let _ = m;
    }
    let t0 = Instant::now();
    s.write(rel, text);
    let msg = loop {
        let m = next_json(ws).await;
        if m["type"] == "rebuild" && !m["cause"].as_array().unwrap().is_empty() {
            break m;
        }
    };
    let t_msg = t0.elapsed().as_secs_f64() * 1000.0;
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut seen = None;
    while Instant::now() < deadline {
        let (_, body) = s.get(url).await;
        if body.contains(marker) {
            seen = Some(t0.elapsed().as_secs_f64() * 1000.0);
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    (t_msg, seen, msg)
}

async fn corpus_edit_latency() {
    let src = corpus();
    common::QUIET.store(true, Ordering::Relaxed);
    let s = common::start_in(copy_tree(&src));
    let mut ws = s.ws().await;
    let users = pages_containing(&s.root, "include note.html");
    let (page, page_url) = pages_containing(&s.root, "")
        .into_iter()
        .find(|(r, _)| r.ends_with("/setup.md"))
        .expect("a setup page");
    let (_, note_user_url) = users.first().cloned().expect("a page including note.html");
    println!(
        "{} pages include _includes/note.html (by text); watching {note_user_url}",
        users.len()
    );
    let page_text = std::fs::read_to_string(s.root.join(&page)).unwrap();
    let note_text = std::fs::read_to_string(s.root.join("_includes/note.html")).unwrap();
    for (what, rel, url, base) in [
        ("page", page.as_str(), page_url.as_str(), &page_text),
        (
            "include",
            "_includes/note.html",
            note_user_url.as_str(),
            &note_text,
        ),
    ] {
        let mut visible = Vec::new();
        let mut messages = Vec::new();
        println!("\n== 20 edits of {rel} (visible at {url})");
        println!("edit  reload-msg-ms  visible-ms  server-ms  rebuilt  changed");
        for i in 0..20 {
            let marker = format!("LATENCYMARK{i}X");
            let text = if what == "page" {
                format!("{base}\n\n{marker}\n")
            } else {
                format!("{base}<span>{marker}</span>\n")
            };
            let (t_msg, seen, m) = edit_and_see(&s, &mut ws, rel, &text, url, &marker).await;
            println!(
                "{i:>4}  {t_msg:>13.1}  {:>10}  {:>9}  {:>7}  {:>7}",
                seen.map(|v| format!("{v:.1}"))
                    .unwrap_or_else(|| "-".into()),
                m["ms"],
                strs(&m["rebuilt"]).len(),
                strs(&m["changed"]).len()
            );
            messages.push(t_msg);
            if let Some(v) = seen {
                visible.push(v);
            }
        }
        println!(
            "{rel}: median edit-to-reload-message {:.1} ms; median edit-to-visible {} over {} edits",
            median(&mut messages),
            if visible.is_empty() {
                "n/a (the edit never showed in the page)".to_string()
            } else {
                format!("{:.1} ms", median(&mut visible))
            },
            visible.len()
        );
        s.write(rel, base);
        // Let the restore's rebuild go by.
        loop {
            let m = next_json(&mut ws).await;
            if m["type"] == "rebuild" {
                break;
            }
        }
    }
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn corpus_load_during_continuous_edits() {
    let src = corpus();
    common::QUIET.store(true, Ordering::Relaxed);
    let s = common::start_in(copy_tree(&src));
    let pid = s.pid();
    let mut ws = s.ws().await;
    let mut urls: Vec<String> = pages_containing(&s.root, "")
        .into_iter()
        .map(|(_, u)| u)
        .collect();
    urls.push("/assets/elementdocs/highlight.css".into());
    for e in walkdir::WalkDir::new(s.root.join("assets/img"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .take(50)
    {
        let rel = e
            .path()
            .strip_prefix(&s.root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        urls.push(format!("/{rel}"));
    }
    let urls = Arc::new(urls);
    let (edited, _) = pages_containing(&s.root, "")
        .into_iter()
        .find(|(r, _)| r.ends_with("/setup.md"))
        .unwrap();
    let original = std::fs::read_to_string(s.root.join(&edited)).unwrap();

    // The editor: one save every 100 ms until 1,000 rebuilds are counted.
    let stop = Arc::new(AtomicBool::new(false));
    let editor = {
        let (stop, path) = (stop.clone(), s.root.join(&edited));
        tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let tmp = path.with_extension("md~");
                std::fs::write(&tmp, format!("{original}\n\nEDIT {i}\n")).unwrap();
                std::fs::rename(&tmp, &path).unwrap();
                i += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            i
        })
    };
    let mut rebuilds = 0usize;
    let mut rss_after_50 = 0;
    let mut rss_samples = Vec::new();
    let mut max_ms: f64 = 0.0;

    // 50 clients, 20,000 requests over about 20 s, while the edits go on.
    let failures = Arc::new(AtomicUsize::new(0));
    let not_found = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for c in 0..50usize {
        let (client, urls, failures, not_found, base) = (
            client.clone(),
            urls.clone(),
            failures.clone(),
            not_found.clone(),
            s.base.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(400);
            for i in 0..400usize {
                let n = c * 400 + i;
                let deliberate_404 = n % 20 == 0;
                let path = if deliberate_404 {
                    format!("/no/such/page-{n}.html")
                } else {
                    urls[(n * 7919) % urls.len()].clone()
                };
                let t = Instant::now();
                let ok = match client.get(format!("{base}{path}")).send().await {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body = r.bytes().await;
                        match (deliberate_404, status, body) {
                            (true, 404, Ok(_)) => {
                                not_found.fetch_add(1, Ordering::Relaxed);
                                true
                            }
                            // A page is always whole (never a torn or empty rebuild).
                            (false, 200, Ok(b)) => {
                                !path.ends_with(".html")
                                    || b.windows(7).any(|w| w.eq_ignore_ascii_case(b"</html>"))
                            }
                            _ => false,
                        }
                    }
                    Err(_) => false,
                };
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                // Spread the load over the edits (about 1,000 requests/s).
                tokio::time::sleep(Duration::from_millis(40)).await;
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                    eprintln!("failed: {path}");
                }
            }
            lat
        }));
    }
    // Traversal and malformed requests, refused, alongside.
    let addr = s.addr.clone();
    let bad = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut refused = 0;
        let paths = [
            "/../_config.yml",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/docs/..%2f..%2f_config.yml",
            "/..%5c..%5cetc%5cpasswd",
            "/a%00b",
            "/%zz",
        ];
        for i in 0..600 {
            let req = if i % 7 == 6 {
                "GARBAGE\r\n\r\n".to_string()
            } else {
                format!(
                    "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                    paths[i % paths.len()]
                )
            };
            let mut c = std::net::TcpStream::connect(&addr).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            c.write_all(req.as_bytes()).unwrap();
            let mut out = Vec::new();
            let _ = c.read_to_end(&mut out);
            let t = String::from_utf8_lossy(&out);
            let status = t.lines().next().unwrap_or("");
            assert!(
                status.is_empty() || status.contains(" 400 ") || status.contains(" 404 "),
                "{req:?}: {status}"
            );
            assert!(!t.contains("root:") && !t.contains("kramdown"));
            refused += 1;
        }
        refused
    });

    // Count rebuilds while the load runs, and beyond, up to 1,000.
    let rss_start = rss_kb(pid);
    let mut requests_done = None;
    let mut all_lat = Vec::new();
    while rebuilds < 1000 {
        let m = tokio::time::timeout(Duration::from_secs(30), next_json(&mut ws))
            .await
            .expect("rebuilds keep coming");
        if m["type"] == "rebuild" {
            rebuilds += 1;
            max_ms = max_ms.max(m["ms"].as_f64().unwrap_or(0.0));
            if rebuilds == 50 {
                rss_after_50 = rss_kb(pid);
            }
            if rebuilds.is_multiple_of(250) {
                rss_samples.push((rebuilds, rss_kb(pid) / 1024));
            }
        }
        if requests_done.is_none() && tasks.iter().all(|t| t.is_finished()) {
            requests_done = Some(started.elapsed());
            for t in tasks.drain(..) {
                all_lat.extend(t.await.unwrap());
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let saves = editor.await.unwrap();
    for t in tasks.drain(..) {
        all_lat.extend(t.await.unwrap());
    }
    let requests_done = requests_done.unwrap_or_else(|| started.elapsed());
    let refused = bad.await.unwrap();
    let rss_end = rss_kb(pid);
    let n = all_lat.len();
    let p50 = median(&mut all_lat.clone());
    all_lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p99 = all_lat[(n * 99) / 100];
    println!(
        "requests: {n} from 50 clients in {:.1} s ({:.0}/s), {} failed, {} deliberate 404s; latency p50 {p50:.1} ms, p99 {p99:.1} ms, max {:.1} ms",
        requests_done.as_secs_f64(),
        n as f64 / requests_done.as_secs_f64(),
        failures.load(Ordering::Relaxed),
        not_found.load(Ordering::Relaxed),
        all_lat[n - 1],
    );
    println!("refused traversal/malformed requests: {refused}/600");
    println!(
        "edits: {saves} saves, {rebuilds} rebuilds (slowest {max_ms:.1} ms) in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "server RSS: {} MB at start of load, {} MB after 50 rebuilds, {} MB after {rebuilds} rebuilds",
        rss_start / 1024,
        rss_after_50 / 1024,
        rss_end / 1024
    );
    println!("server RSS by rebuild (count, MB): {rss_samples:?}");
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert_eq!(n, 20_000);
    assert!(
        rss_end < rss_after_50 + 64 * 1024,
        "memory grew from {rss_after_50} kB to {rss_end} kB"
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(corpus_edit_latency());
    rt.block_on(corpus_load_during_continuous_edits());
}
