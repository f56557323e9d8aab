//! Skipping a build whose inputs did not change (like `make` or `cargo`).
//!
//! After a successful `build`, a record kept with the output folder's
//! bookkeeping ([`crate::output::state_dir`]) keeps a fingerprint of everything the
//! build read: the path, length and modification time of every file under
//! the source root (and of the folders the configuration names outside it),
//! the options, and the binary itself; with it the page count and the
//! warnings. The next build with the same fingerprint, into an output folder
//! that is still exactly as that build left it ([`crate::output::intact`]),
//! has nothing to do: it reports the recorded warnings and writes nothing.
//! It is opt-in (`build --skip-unchanged`); without it, or after any change,
//! everything is rendered again.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::site::BuildOptions;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

const RECORD: &str = "build";

/// What a successful build leaves for the next one.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record {
    /// Hex of the inputs' fingerprint.
    pub fingerprint: String,
    pub pages: usize,
    pub diagnostics: Vec<Diagnostic>,
}

fn mtime_ns(m: &std::fs::Metadata) -> u128 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// The fingerprint of a build's inputs. `skip`: canonical folders not read
/// (the output folders).
pub fn fingerprint(cfg: &Config, opts: &BuildOptions, skip: &[PathBuf]) -> String {
    let mut text = String::with_capacity(1 << 16);
    let _ = writeln!(
        text,
        "elementdocs {} base_url={:?} strict={} expanded={:?}",
        env!("CARGO_PKG_VERSION"),
        opts.base_url,
        opts.strict,
        opts.expanded_dir
    );
    if let Some(m) = std::env::current_exe()
        .ok()
        .and_then(|e| std::fs::metadata(e).ok())
    {
        let _ = writeln!(text, "exe {} {}", m.len(), mtime_ns(&m));
    }
    // Configuration files from `--config` may live outside the source.
    for f in &cfg.files {
        if let Ok(m) = std::fs::metadata(f) {
            let _ = writeln!(
                text,
                "config {}\t{}\t{}",
                f.display(),
                m.len(),
                mtime_ns(&m)
            );
        }
    }
    let mut roots = vec![cfg.root.clone()];
    for d in [
        Some(&cfg.includes_dir),
        Some(&cfg.data_dir),
        Some(&cfg.content_dir),
        cfg.templates_dir.as_ref(),
        cfg.static_dir.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if !d.starts_with(&cfg.root) {
            roots.push(d.clone());
        }
    }
    for root in roots {
        let walker = walkdir::WalkDir::new(&root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.file_name() != ".git"
                    && !crate::output::is_beside_output(e.file_name())
                    && !skip.iter().any(|s| e.path().starts_with(s))
            });
        for entry in walker {
            let Ok(entry) = entry else {
                let _ = writeln!(text, "unreadable");
                continue;
            };
            // Files only: a folder's time changes when the output is made in it.
            let Ok(m) = entry.metadata() else {
                continue;
            };
            if m.is_dir() {
                continue;
            }
            let _ = writeln!(
                text,
                "{}\t{}\t{}",
                entry.path().display(),
                m.len(),
                mtime_ns(&m)
            );
        }
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    let a = h.finish();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (a, &text).hash(&mut h);
    format!("{a:016x}{:016x}", h.finish())
}

/// The record of the last build into `out`, if that build had `fingerprint`
/// and its output is untouched.
pub fn unchanged(out: &Path, fingerprint: &str) -> Option<(Record, usize)> {
    let text = std::fs::read_to_string(crate::output::state_file(out, RECORD)?).ok()?;
    let record: Record = serde_json::from_str(&text).ok()?;
    if record.fingerprint != fingerprint {
        return None;
    }
    let files = crate::output::intact(out)?;
    Some((record, files))
}

/// Keep the record of a successful build into `out`.
pub fn record(out: &Path, record: &Record) {
    let Some(path) = crate::output::state_file(out, RECORD) else {
        return;
    };
    if let Ok(text) = serde_json::to_string(record) {
        let _ = path.parent().map(std::fs::create_dir_all);
        let _ = std::fs::write(path, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::BuildArgs;

    #[test]
    fn a_second_build_is_skipped_until_something_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("elementdocs.yml"), "title: T\n").unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let page = root.join("content/index.md");
        std::fs::write(&page, "---\ntitle: A\n---\n# A\n").unwrap();
        let out = root.join("public");
        let args = BuildArgs {
            config: Vec::new(),
            bodies_dir: None,
            source: root.clone(),
            out: None,
            expanded_dir: None,
            base_url: None,
            strict: false,
            skip_unchanged: true,
            no_cache: false,
        };
        let fp = |args: &BuildArgs| {
            let cfg = Config::load(&root).unwrap();
            fingerprint(&cfg, &args.options(), std::slice::from_ref(&out))
        };
        assert!(args.run().1);
        let first = fp(&args);
        assert!(unchanged(&out, &first).is_some());
        // The output folder is not an input.
        assert_eq!(fp(&args), first);
        // A changed page changes the fingerprint.
        std::fs::write(&page, "---\ntitle: B\n---\n# B, longer\n").unwrap();
        let second = fp(&args);
        assert_ne!(second, first);
        assert!(unchanged(&out, &second).is_none());
        assert!(args.run().1);
        assert!(std::fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("B, longer"));
        assert!(unchanged(&out, &second).is_some());
        // A file touched in the output makes the next build a full one.
        std::fs::write(out.join("index.html"), "edited").unwrap();
        assert!(unchanged(&out, &second).is_none());
        assert!(args.run().1);
        assert!(std::fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("B, longer"));
        // So does a stray file.
        std::fs::write(out.join("stray.txt"), "x").unwrap();
        assert!(unchanged(&out, &second).is_none());
    }
}
