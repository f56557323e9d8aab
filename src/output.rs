//! Writing a finished build to disk.
//!
//! Nothing is written unless the whole build succeeded in memory, so a failed
//! build leaves the previous output untouched. Writing then syncs the output
//! folder: a file whose bytes did not change is not rewritten (its mtime stays,
//! and so do hosting caches), a changed one is written to a temporary file and
//! renamed over the old one, and files the build no longer produces are removed.
//! The folder is marked as ours so a wrong `--out` never deletes someone's files.

use crate::diag::Diagnostic;
use crate::site::SiteOutput;
use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Marks a folder as written by elementdocs (so stale files in it may be removed).
pub const MARKER: &str = ".elementdocs-output";

/// Counts of what a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Write a successful build to `out` (and the expanded sources to `expanded`).
pub fn write_site(
    site: &SiteOutput,
    out: &Path,
    source_root: &Path,
    expanded: Option<&Path>,
) -> Result<WriteStats, Diagnostic> {
    let mut files: Vec<(String, FileSource)> = Vec::new();
    for p in &site.pages {
        files.push((p.out_path.clone(), FileSource::Bytes(p.html.as_bytes())));
    }
    for (path, bytes) in &site.generated {
        files.push((path.clone(), FileSource::Bytes(bytes)));
    }
    for s in &site.statics {
        files.push((s.out_rel.clone(), FileSource::Copy(&s.abs)));
    }
    let stats = sync_dir(out, source_root, &files)?;
    if let Some(dir) = expanded {
        let exp: Vec<(String, FileSource)> = site
            .pages
            .iter()
            .map(|p| {
                (
                    expanded_path(&p.out_path),
                    FileSource::Bytes(p.expanded.as_bytes()),
                )
            })
            .collect();
        sync_dir(dir, source_root, &exp)?;
    }
    Ok(stats)
}

/// `a/b.html` → `a/b.md`: where the expanded source of a page goes.
pub fn expanded_path(out_path: &str) -> String {
    match out_path.strip_suffix(".html") {
        Some(stem) => format!("{stem}.md"),
        None => format!("{out_path}.md"),
    }
}

enum FileSource<'a> {
    Bytes(&'a [u8]),
    Copy(&'a Path),
}

fn io_err(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(path, 0, 0, format!("cannot write output: {e}"))
}

/// Refuse output folders that would overwrite the source or foreign files.
fn check_target(out: &Path, source_root: &Path) -> Result<(), Diagnostic> {
    let abs_out = absolute(out);
    if source_root.starts_with(&abs_out) {
        return Err(Diagnostic::error(
            out,
            0,
            0,
            "the output folder contains the source folder; refusing to write there",
        )
        .with_help("pass --out with a folder of its own, e.g. --out public"));
    }
    if out.exists()
        && !out.join(MARKER).exists()
        && fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        return Err(Diagnostic::error(out, 0, 0, "the output folder is not empty and was not written by elementdocs; refusing to replace its files")
            .with_help("choose an empty folder, or remove this one first"));
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    std::env::current_dir()
        .map(|d| d.join(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

fn sync_dir(
    out: &Path,
    source_root: &Path,
    files: &[(String, FileSource)],
) -> Result<WriteStats, Diagnostic> {
    check_target(out, source_root)?;
    fs::create_dir_all(out).map_err(|e| io_err(out, e))?;
    fs::write(out.join(MARKER), b"").map_err(|e| io_err(out, e))?;
    let mut stats = WriteStats::default();
    let mut wanted: BTreeSet<PathBuf> = BTreeSet::new();
    for (rel, src) in files {
        let dest = out.join(rel);
        wanted.insert(dest.clone());
        if write_if_changed(&dest, src)? {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
    }
    stats.removed = remove_stale(out, &wanted)?;
    Ok(stats)
}

/// Write `dest` unless it already holds these bytes; true if written.
fn write_if_changed(dest: &Path, src: &FileSource) -> Result<bool, Diagnostic> {
    let bytes: std::borrow::Cow<[u8]> = match src {
        FileSource::Bytes(b) => std::borrow::Cow::Borrowed(b),
        FileSource::Copy(p) => std::borrow::Cow::Owned(fs::read(p).map_err(|e| io_err(p, e))?),
    };
    if let Ok(meta) = fs::metadata(dest) {
        if meta.len() == bytes.len() as u64
            && fs::read(dest).map(|old| old == *bytes).unwrap_or(false)
        {
            return Ok(false);
        }
    }
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(|e| io_err(dest, e))?;
    tmp.write_all(&bytes).map_err(|e| io_err(dest, e))?;
    // Temporary files are created private (0600); a published file is world-readable.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(|e| io_err(dest, e))?;
    }
    tmp.persist(dest).map_err(|e| io_err(dest, e.error))?;
    Ok(true)
}

/// Remove files under `out` that this build did not produce, then empty folders.
fn remove_stale(out: &Path, wanted: &BTreeSet<PathBuf>) -> Result<usize, Diagnostic> {
    let mut removed = 0;
    let marker = out.join(MARKER);
    let entries: Vec<_> = walkdir::WalkDir::new(out)
        .contents_first(true)
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    for e in entries {
        let p = e.path();
        if e.file_type().is_dir() {
            if p != out {
                let _ = fs::remove_dir(p); // only succeeds when empty
            }
        } else if p != marker && !wanted.contains(p) {
            fs::remove_file(p).map_err(|err| io_err(p, err))?;
            removed += 1;
        }
    }
    Ok(removed)
}
