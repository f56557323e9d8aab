//! External links (`--external`): each distinct http(s) URL is fetched once,
//! a few at a time, with a timeout; answers that worked are cached on disk
//! (in the system temp folder by default, never in the source) so a second
//! check does not ask again until the cache entry is a day old.
//!
//! A definite "not there" (HTTP 404, 410 and other 4xx but 403 and 429) is an
//! error; what may pass by itself (timeouts, refused connections, 5xx, rate
//! limits, bot walls) is a warning.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How external links are fetched.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per request (connect and read).
    pub timeout: Duration,
    /// Where the cache file goes; None: `<system temp>/elementdocs-cache`.
    pub cache_dir: Option<PathBuf>,
    /// How long a good answer is trusted.
    pub max_age: Duration,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            concurrency: 8,
            timeout: Duration::from_secs(10),
            cache_dir: None,
            max_age: Duration::from_secs(24 * 3600),
        }
    }
}

/// Why a URL failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    pub reason: String,
}

impl Failure {
    /// A definite answer that the page is not there.
    pub fn is_error(&self) -> bool {
        matches!(self.status, Some(s) if (400..500).contains(&s) && s != 403 && s != 429)
    }
}

/// The URL without its `#fragment` (what is fetched).
pub fn without_fragment(url: &str) -> String {
    url.split('#').next().unwrap_or(url).to_string()
}

const CACHE_FILE: &str = "external-links.json";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn cache_path(opts: &ExternalOptions) -> PathBuf {
    opts.cache_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("elementdocs-cache"))
        .join(CACHE_FILE)
}

/// URL → unix time it last answered well.
fn load_cache(opts: &ExternalOptions) -> BTreeMap<String, u64> {
    let Ok(text) = std::fs::read_to_string(cache_path(opts)) else {
        return BTreeMap::new();
    };
    let map: BTreeMap<String, u64> = serde_json::from_str(&text).unwrap_or_default();
    let oldest = now().saturating_sub(opts.max_age.as_secs());
    map.into_iter().filter(|(_, t)| *t >= oldest).collect()
}

/// Best effort: a cache that cannot be written only costs time next run.
fn save_cache(opts: &ExternalOptions, cache: &BTreeMap<String, u64>) {
    let path = cache_path(opts);
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
        use std::io::Write;
        let json = serde_json::to_string_pretty(cache).unwrap_or_default();
        if tmp.write_all(json.as_bytes()).is_ok() {
            let _ = tmp.persist(&path);
        }
    }
}

/// Fetch every URL (deduplicated by the caller), at most `concurrency` at once.
pub fn check_all(urls: &[String], opts: &ExternalOptions) -> HashMap<String, Result<u16, Failure>> {
    let mut cache = load_cache(opts);
    let mut results: HashMap<String, Result<u16, Failure>> = HashMap::new();
    let todo: Vec<&String> = urls
        .iter()
        .filter(|u| {
            let hit = cache.contains_key(*u);
            if hit {
                results.insert((*u).clone(), Ok(200));
            }
            !hit
        })
        .collect();
    let client = match reqwest::blocking::Client::builder()
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .user_agent(concat!(
            "elementdocs-link-check/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            for u in todo {
                results.insert(
                    u.clone(),
                    Err(Failure {
                        status: None,
                        reason: e.to_string(),
                    }),
                );
            }
            return results;
        }
    };
    let next = AtomicUsize::new(0);
    let fetched: Mutex<Vec<(String, Result<u16, Failure>)>> = Mutex::new(Vec::new());
    // A host that could not be reached is not asked again in this run.
    let dead: Mutex<HashMap<String, Failure>> = Mutex::new(HashMap::new());
    std::thread::scope(|s| {
        for _ in 0..opts.concurrency.clamp(1, 64).min(todo.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(u) = todo.get(i) else { break };
                let host = host_of(u);
                let known_dead = dead
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&host)
                    .cloned();
                let r = match known_dead {
                    Some(f) => Err(f),
                    None => fetch(&client, u),
                };
                if let Err(f) = &r {
                    if f.status.is_none() {
                        dead.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(host, f.clone());
                    }
                }
                fetched
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(((*u).clone(), r));
            });
        }
    });
    let stamp = now();
    for (u, r) in fetched.into_inner().unwrap_or_else(|e| e.into_inner()) {
        if r.is_ok() {
            cache.insert(u.clone(), stamp);
        }
        results.insert(u, r);
    }
    save_cache(opts, &cache);
    results
}

/// HEAD, then GET when the server answers HEAD with an error status (some
/// servers do not implement HEAD). A connection failure is not retried.
fn fetch(client: &reqwest::blocking::Client, url: &str) -> Result<u16, Failure> {
    let answer = match client.head(url).send() {
        Ok(r) if r.status().is_success() => return Ok(r.status().as_u16()),
        Ok(_) => client.get(url).send(),
        Err(e) => Err(e),
    };
    match answer {
        Ok(r) if r.status().is_success() => Ok(r.status().as_u16()),
        Ok(r) => Err(Failure {
            status: Some(r.status().as_u16()),
            reason: format!("HTTP {}", r.status()),
        }),
        Err(e) => Err(Failure {
            status: None,
            reason: if e.is_timeout() {
                "no answer before the timeout".to_string()
            } else {
                error_chain(&e)
            },
        }),
    }
}

/// The host part of an http(s) URL (with port), lower-cased.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    host.rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(host)
        .to_ascii_lowercase()
}

/// The causes of an error on one line (the outer "error sending request for
/// url (...)" repeats the URL the diagnostic already shows).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut cur = e.source();
    while let Some(c) = cur {
        parts.push(c.to_string());
        cur = c.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_definite_answers_are_errors() {
        let f = |status| Failure {
            status,
            reason: String::new(),
        };
        assert!(f(Some(404)).is_error());
        assert!(f(Some(410)).is_error());
        assert!(!f(Some(403)).is_error());
        assert!(!f(Some(429)).is_error());
        assert!(!f(Some(503)).is_error());
        assert!(!f(None).is_error());
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://u:p@Ex.com:8080/a?b"), "ex.com:8080");
        assert_eq!(host_of("http://ex.com"), "ex.com");
    }

    #[test]
    fn fragments_are_not_fetched() {
        assert_eq!(without_fragment("https://a/b?c#d"), "https://a/b?c");
    }
}
