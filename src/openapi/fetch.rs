//! `openapi_url:` documents, fetched only when the configuration says
//! `openapi: {fetch: true}`, and kept in the user's cache
//! (`$XDG_CACHE_HOME/elementdocs/openapi/` or `~/.cache/elementdocs/openapi/`),
//! one file per URL.
//!
//! A URL already in the cache is not fetched again: a build depends on the
//! network only the first time, and two builds of the same source give the
//! same pages. Deleting the cached file fetches the document anew.

use crate::diag::Diagnostic;
use std::path::{Path, PathBuf};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) struct Fetcher {
    dir: PathBuf,
}

impl Fetcher {
    /// None when there is no cache folder (no `HOME`, no `XDG_CACHE_HOME`).
    pub(crate) fn new() -> Option<Fetcher> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(Fetcher {
            dir: base.join("elementdocs").join("openapi"),
        })
    }

    /// The cached copy of the document at `url`, fetched first if there is none.
    /// An error's position is set by the caller (the page's `openapi_url` line).
    pub(crate) fn get(&self, url: &str) -> Result<PathBuf, Diagnostic> {
        let key = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(url.as_bytes()));
        for ext in ["json", "yaml"] {
            let cached = self.dir.join(format!("{key}.{ext}"));
            if cached.is_file() {
                return Ok(cached);
            }
        }
        let failed = |why: String| {
            Diagnostic::error(
                "",
                0,
                0,
                format!("cannot fetch the API document at `{url}`: {why}"),
            )
            .with_help(
                "check the URL, or save the document in the site and name it with `openapi: FILE`",
            )
        };
        let body = download(url).map_err(failed)?;
        // Documents served without a file name are told apart by their first byte.
        let ext = if body.trim_ascii_start().starts_with(b"{") {
            "json"
        } else {
            "yaml"
        };
        let cached = self.dir.join(format!("{key}.{ext}"));
        store(&cached, &body).map_err(|e| failed(format!("cannot keep it in the cache: {e}")))?;
        Ok(cached)
    }
}

fn download(url: &str) -> Result<Vec<u8>, String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("only http and https URLs are fetched".into());
    }
    // reqwest's blocking client runs a runtime of its own, which must not
    // start inside another (serve's): it gets a thread of its own.
    let url = url.to_string();
    let worker = std::thread::spawn(move || -> Result<Vec<u8>, String> {
        let client = reqwest::blocking::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .user_agent(concat!("elementdocs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        let resp = client.get(&url).send().map_err(|e| e.to_string())?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("the server answered {status}"));
        }
        resp.bytes().map(|b| b.to_vec()).map_err(|e| e.to_string())
    });
    worker
        .join()
        .unwrap_or_else(|_| Err("the download failed".into()))
}

/// Write `body` to `path` whole or not at all (a build killed halfway
/// leaves no truncated document in the cache).
fn store(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::fs::write(tmp.path(), body)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
