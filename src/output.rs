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
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
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
    write_site_staged(site, out, source_root, expanded, None)
}

/// [`write_site`] for a build whose pages went to `staged` while it ran
/// (see [`Staging`]): their HTML is taken from there.
pub fn write_site_staged(
    site: &SiteOutput,
    out: &Path,
    source_root: &Path,
    expanded: Option<&Path>,
    staged: Option<&Staging>,
) -> Result<WriteStats, Diagnostic> {
    let mut files: Vec<(String, FileSource)> = Vec::new();
    for p in &site.pages {
        files.push(page_source(
            staged.map(|s| &s.site),
            p.out_path.clone(),
            &p.html,
        ));
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
                page_source(
                    staged.and_then(|s| s.expanded.as_ref()),
                    expanded_path(&p.out_path),
                    &p.expanded,
                )
            })
            .collect();
        sync_dir(dir, source_root, &exp)?;
    }
    Ok(stats)
}

/// A page file: staged during the build, or in memory.
fn page_source<'a>(
    st: Option<&'a Stager>,
    rel: String,
    bytes: &'a str,
) -> (String, FileSource<'a>) {
    match st {
        Some(st) if st.has(&rel) => (rel, FileSource::Staged(st)),
        _ => (rel, FileSource::Bytes(bytes.as_bytes())),
    }
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
    /// Handed to the stager during the build.
    Staged(&'a Stager),
}

/// What the last successful build into a folder recorded (see [`crate::fresh`]).
pub const BUILD_RECORD: &str = ".elementdocs-build";

/// The number of files the manifest lists when every one of them is still
/// as the last build left it (same length and modification time) and the
/// folder holds nothing else; None otherwise.
pub fn intact(out: &Path) -> Option<usize> {
    let manifest = load_manifest(out);
    if manifest.is_empty() {
        return None;
    }
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(out)
            .ok()?
            .to_str()?
            .replace('\\', "/");
        if rel == MARKER || rel == BUILD_RECORD {
            continue;
        }
        let w = manifest.get(&rel)?;
        let m = entry.metadata().ok()?;
        if !m.is_file() || m.len() != w.len || mtime_ns(&m) != w.mtime {
            return None;
        }
        seen += 1;
    }
    (seen == manifest.len()).then_some(seen)
}

/// Hidden folder of the output where pages wait until the build succeeds.
const STAGING: &str = ".elementdocs-staging";

/// A page file handed over during the build.
enum Staged {
    /// The output already holds these bytes.
    Unchanged(Written),
    /// The new bytes wait in the staging folder.
    Pending { tmp: PathBuf, sig: u128 },
}

/// Takes the pages of one output folder while the build runs, so their HTML
/// need not stay in memory: an unchanged page is only noted, a changed one
/// waits in a hidden staging folder and is renamed into place by
/// [`write_site_staged`] once the whole build succeeded. Dropping the stager
/// removes what waits (a failed build leaves the output as it was).
pub struct Stager {
    out: PathBuf,
    staging: PathBuf,
    old: Manifest,
    next: std::sync::atomic::AtomicUsize,
    staged: std::sync::Mutex<HashMap<String, Staged>>,
    /// The output folder did not exist before: removed again if still empty.
    created_out: bool,
}

impl Stager {
    /// Refuses the same folders as [`write_site`].
    pub fn new(out: &Path, source_root: &Path) -> Result<Stager, Diagnostic> {
        check_target(out, source_root)?;
        let created_out = !out.exists();
        let staging = out.join(STAGING);
        if staging.exists() {
            let _ = fs::remove_dir_all(&staging);
        }
        fs::create_dir_all(&staging).map_err(|e| io_err(&staging, e))?;
        Ok(Stager {
            out: out.to_path_buf(),
            staging,
            old: load_manifest(out),
            next: Default::default(),
            staged: Default::default(),
            created_out,
        })
    }

    fn has(&self, rel: &str) -> bool {
        lock(&self.staged).contains_key(rel)
    }

    /// Take the bytes of the file at `rel` (relative to the output folder).
    pub fn stage(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let dest = self.out.join(rel);
        let sig = content_hash(bytes);
        let current = fs::metadata(&dest).ok().filter(|m| m.is_file());
        let staged = match unchanged(&dest, bytes, sig, current.as_ref(), self.old.get(rel)) {
            Some(w) => Staged::Unchanged(w),
            None => {
                let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let tmp = self.staging.join(n.to_string());
                write_new(&tmp, bytes).map_err(|e| io_err(&dest, e))?;
                Staged::Pending { tmp, sig }
            }
        };
        lock(&self.staged).insert(rel.to_string(), staged);
        Ok(())
    }

    /// Put the file staged for `dest` (relative `rel`) in place.
    fn finish(&self, rel: &str, dest: &Path) -> Result<(bool, Option<Written>), Diagnostic> {
        match lock(&self.staged).remove(rel) {
            Some(Staged::Unchanged(w)) => Ok((false, Some(w))),
            Some(Staged::Pending { tmp, sig }) => {
                fs::rename(&tmp, dest).map_err(|e| io_err(dest, e))?;
                Ok((true, written(dest, sig)))
            }
            None => Err(Diagnostic::error(
                dest,
                0,
                0,
                "internal error: page was not staged",
            )),
        }
    }
}

impl Drop for Stager {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.staging);
        if self.created_out {
            let _ = fs::remove_dir(&self.out); // only when nothing was written
        }
    }
}

/// The stagers of one build: the site, and the expanded sources if asked for.
pub struct Staging {
    pub site: Stager,
    pub expanded: Option<Stager>,
}

impl crate::site::PageSink for Staging {
    fn take(&self, page: &mut crate::site::PageOutput) -> Result<(), Diagnostic> {
        self.site.stage(&page.out_path, page.html.as_bytes())?;
        page.html = String::new();
        if let Some(exp) = &self.expanded {
            exp.stage(&expanded_path(&page.out_path), page.expanded.as_bytes())?;
        }
        page.expanded = String::new();
        Ok(())
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the manifest should remember of `dest` just written with content `sig`.
fn written(dest: &Path, sig: u128) -> Option<Written> {
    fs::metadata(dest).ok().map(|m| Written {
        len: m.len(),
        mtime: mtime_ns(&m),
        sig,
    })
}

/// A new file with these bytes, readable by the web server (0644 under the
/// usual umask, as any file a tool writes).
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o644);
    }
    options.open(path)?.write_all(bytes)
}

/// Some(manifest entry) when `dest` already holds `bytes` (content hash `sig`):
/// known from the manifest without reading when the file is as last written.
fn unchanged(
    dest: &Path,
    bytes: &[u8],
    sig: u128,
    current: Option<&fs::Metadata>,
    last: Option<&Written>,
) -> Option<Written> {
    let m = current?;
    if let Some(w) = last {
        if w.sig == sig && w.len == m.len() && w.mtime == mtime_ns(m) {
            return Some(*w);
        }
    }
    (m.len() == bytes.len() as u64 && fs::read(dest).is_ok_and(|old| old == bytes)).then(|| {
        Written {
            len: m.len(),
            mtime: mtime_ns(m),
            sig,
        }
    })
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
            .map(|d| d.flatten().any(|e| e.file_name() != STAGING))
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

/// What the last write left in a file, kept in the marker file so a later
/// build can tell an unchanged file without reading it back: its length and
/// modification time as written, and a hash of the content (or, for a copied
/// file, the length and modification time of the source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Written {
    len: u64,
    mtime: u128,
    sig: u128,
}

type Manifest = HashMap<String, Written>;

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// The manifest in the marker file (empty when missing or unreadable).
fn load_manifest(out: &Path) -> Manifest {
    let Ok(text) = fs::read_to_string(out.join(MARKER)) else {
        return Manifest::new();
    };
    text.lines()
        .filter_map(|l| {
            let mut parts = l.splitn(4, '\t');
            let len = parts.next()?.parse().ok()?;
            let mtime = parts.next()?.parse().ok()?;
            let sig = u128::from_str_radix(parts.next()?, 16).ok()?;
            Some((parts.next()?.to_string(), Written { len, mtime, sig }))
        })
        .collect()
}

fn manifest_text(entries: &[(&str, Written)]) -> String {
    let mut text = String::from(MANIFEST_HEADER);
    for (rel, w) in entries {
        if !rel.contains(['\n', '\t']) {
            text.push_str(&format!("{}\t{}\t{:x}\t{rel}\n", w.len, w.mtime, w.sig));
        }
    }
    text
}

const MANIFEST_HEADER: &str =
    "# elementdocs output folder: length, mtime, content hash and path of each file it wrote\n";

/// A 128-bit hash of `bytes` (two independent multiply-rotate lanes): a
/// change detector, not a cryptographic hash.
fn content_hash(bytes: &[u8]) -> u128 {
    const K1: u64 = 0x9e37_79b9_7f4a_7c15;
    const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;
    let (mut a, mut b) = (0x243f_6a88_85a3_08d3u64, 0x1319_8a2e_0370_7344u64);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        a = (a ^ w).wrapping_mul(K1).rotate_left(29);
        b = (b ^ w.rotate_left(32)).wrapping_mul(K2).rotate_left(31);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    let w = u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 3);
    a = (a ^ w).wrapping_mul(K1).rotate_left(29);
    b = (b ^ w).wrapping_mul(K2).rotate_left(31);
    let fin = |mut x: u64| {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    };
    (u128::from(fin(a ^ b.rotate_left(17))) << 64) | u128::from(fin(b ^ a.rotate_left(41)))
}

/// The signature of a source file for a copy: its length and mtime.
fn copy_sig(meta: &fs::Metadata) -> u128 {
    (mtime_ns(meta) << 64) ^ u128::from(meta.len())
}

fn sync_dir(
    out: &Path,
    source_root: &Path,
    files: &[(String, FileSource)],
) -> Result<WriteStats, Diagnostic> {
    check_target(out, source_root)?;
    fs::create_dir_all(out).map_err(|e| io_err(out, e))?;
    let old = load_manifest(out);
    let marker = out.join(MARKER);
    if !marker.exists() {
        fs::write(&marker, MANIFEST_HEADER).map_err(|e| io_err(out, e))?;
    }
    // Folders first (once each), then the files in parallel.
    let mut dirs: BTreeSet<&str> = BTreeSet::new();
    for (rel, _) in files {
        if let Some((dir, _)) = rel.rsplit_once('/') {
            dirs.insert(dir);
        }
    }
    for dir in &dirs {
        let d = out.join(dir);
        if !d.is_dir() {
            fs::create_dir_all(&d).map_err(|e| io_err(&d, e))?;
        }
    }
    let results: Vec<Result<(bool, Option<Written>), Diagnostic>> = files
        .par_iter()
        .map(|(rel, src)| write_if_changed(rel, &out.join(rel), src, old.get(rel.as_str())))
        .collect();
    let mut stats = WriteStats::default();
    let mut entries = Vec::with_capacity(files.len());
    for ((rel, _), r) in files.iter().zip(results) {
        let (written, entry) = r?;
        if written {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
        if let Some(e) = entry {
            entries.push((rel.as_str(), e));
        }
    }
    let text = manifest_text(&entries);
    if fs::read(&marker).ok().as_deref() != Some(text.as_bytes()) {
        fs::write(&marker, text).map_err(|e| io_err(out, e))?;
    }
    let _ = fs::remove_dir_all(out.join(STAGING));
    let wanted: HashSet<PathBuf> = files.iter().map(|(rel, _)| out.join(rel)).collect();
    stats.removed = remove_stale(out, &wanted)?;
    Ok(stats)
}

/// Write `dest` unless it already holds these bytes; true if written. Also
/// returns what the manifest should remember of the file.
fn write_if_changed(
    rel: &str,
    dest: &Path,
    src: &FileSource,
    last: Option<&Written>,
) -> Result<(bool, Option<Written>), Diagnostic> {
    let current = fs::metadata(dest).ok().filter(|m| m.is_file());
    let (sig, owned);
    let bytes: &[u8] = match src {
        FileSource::Staged(st) => return st.finish(rel, dest),
        FileSource::Bytes(b) => {
            sig = content_hash(b);
            b
        }
        FileSource::Copy(p) => {
            let meta = fs::metadata(p).map_err(|e| io_err(p, e))?;
            sig = copy_sig(&meta);
            if let (Some(w), Some(m)) = (last, &current) {
                if w.sig == sig && w.len == m.len() && w.mtime == mtime_ns(m) {
                    return Ok((false, Some(*w)));
                }
            }
            owned = fs::read(p).map_err(|e| io_err(p, e))?;
            &owned
        }
    };
    // For a copy, `sig` is the source's, so the manifest check above is the
    // only one that may skip reading; the byte comparison still applies.
    let last = if matches!(src, FileSource::Copy(_)) {
        None
    } else {
        last
    };
    if let Some(w) = unchanged(dest, bytes, sig, current.as_ref(), last) {
        return Ok((false, Some(w)));
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(|e| io_err(dest, e))?;
    tmp.write_all(bytes).map_err(|e| io_err(dest, e))?;
    #[cfg(unix)]
    {
        // Readable by the web server, like any file written with the usual umask.
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(fs::Permissions::from_mode(0o644));
    }
    tmp.persist(dest).map_err(|e| io_err(dest, e.error))?;
    Ok((true, written(dest, sig)))
}

/// Remove files under `out` that this build did not produce, then empty folders.
fn remove_stale(out: &Path, wanted: &HashSet<PathBuf>) -> Result<usize, Diagnostic> {
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
        } else if p != marker && p != out.join(BUILD_RECORD) && !wanted.contains(p) {
            fs::remove_file(p).map_err(|err| io_err(p, err))?;
            removed += 1;
        }
    }
    Ok(removed)
}
