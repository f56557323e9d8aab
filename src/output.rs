//! Writing a finished build to disk.
//!
//! Nothing is written unless the whole build succeeded, so a failed build
//! leaves the previous output untouched. Writing then syncs the output
//! folder: a file whose bytes did not change is not rewritten (its mtime stays,
//! and so do hosting caches), a changed one is written to a temporary file and
//! renamed over the old one, and files the build no longer produces are removed.
//! The folder is marked as ours so a wrong `--out` never deletes someone's files.
//!
//! A manifest kept outside the output (in the user's cache folder, see
//! [`state_dir`], so the published files stay free of timestamps) lists the
//! length, modification time and content hash of every file the last write
//! left. A file that still has the length and time the manifest gives, and
//! whose new content has the same hash, is known unchanged without reading
//! it back; anything else is compared byte for byte. A copied file is known
//! unchanged when neither it nor its source changed since. Without a cache
//! folder, every file is compared. Each state folder names its output
//! folder; the first write into a new output folder removes the state
//! folders of output folders that are gone.
//!
//! Pages need not stay in memory until the end: a [`Stager`] takes each page
//! as soon as it is laid out (see [`crate::site::PageSink`]) and writes it to
//! a temporary file beside its destination (or notes that it is unchanged);
//! [`write_site_staged`] renames them into place with the other files once
//! the whole build succeeded, and dropping the stager removes them otherwise.

use crate::diag::Diagnostic;
use crate::site::SiteOutput;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Marks a folder as written by elementdocs (so stale files in it may be removed).
pub const MARKER: &str = ".elementdocs-output";

/// Where the bookkeeping of an output folder lives: a folder per output
/// folder (named by a hash of its absolute path) under
/// `$XDG_CACHE_HOME/elementdocs` or `~/.cache/elementdocs`; None without one.
pub fn state_dir(out: &Path) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let abs = absolute(out);
    let key = content_hash(abs.to_string_lossy().as_bytes());
    Some(base.join("elementdocs").join(format!("{key:032x}")))
}

/// The file of an output folder's bookkeeping named `name` (see [`state_dir`]).
pub fn state_file(out: &Path, name: &str) -> Option<PathBuf> {
    state_dir(out).map(|d| d.join(name))
}

const MANIFEST: &str = "manifest";

/// Prefix of the temporary files written beside their destination.
const TMP_PREFIX: &str = ".elementdocs-tmp";

/// Counts of what a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Write a successful build to `out` (and the expanded sources to `expanded`).
///
/// Two phases, so that a failure (disk full, an unreadable static file, a
/// file where a folder is needed) leaves both folders as they were: first
/// every changed file is written to a temporary file beside its destination;
/// only when all of them are ready are they renamed into place, and stale
/// files removed.
pub fn write_site(
    site: &SiteOutput,
    out: &Path,
    source_root: &Path,
    expanded: Option<&Path>,
) -> Result<WriteStats, Diagnostic> {
    write_site_staged(site, out, source_root, expanded, None)
}

/// [`write_site`] for a build whose pages went to `staged` while it ran:
/// their bytes wait there, not in the pages.
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
        let source = match staged {
            Some(st) if st.site.has(&s.out_rel) => FileSource::Staged(&st.site),
            _ => FileSource::Copy(&s.abs),
        };
        files.push((s.out_rel.clone(), source));
    }
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
    check_folders(out, expanded)?;
    let mut targets = vec![(out, files)];
    targets.extend(expanded.map(|dir| (dir, exp)));
    for (dir, _) in &targets {
        check_target(dir, source_root)?;
    }
    let mut stages = Vec::new();
    for (dir, files) in &targets {
        stages.push(stage_dir(dir, files)?); // on error, dropped stages clean up
    }
    let mut stats = WriteStats::default();
    for (i, stage) in stages.into_iter().enumerate() {
        let s = stage.commit()?;
        if i == 0 {
            stats = s;
        }
    }
    Ok(stats)
}

/// The expanded-sources folder must not overlap the output folder.
pub fn check_folders(out: &Path, expanded: Option<&Path>) -> Result<(), Diagnostic> {
    if let Some(dir) = expanded {
        let (a, b) = (absolute(out), absolute(dir));
        if a.starts_with(&b) || b.starts_with(&a) {
            return Err(Diagnostic::error(
                dir,
                0,
                0,
                "the expanded-sources folder and the output folder overlap",
            )
            .with_help("give --expanded-dir a folder of its own, outside --out"));
        }
    }
    Ok(())
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
    /// Handed to a stager during the build.
    Staged(&'a Stager),
}

fn io_err(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(path, 0, 0, format!("cannot write output: {e}")).with_help(
        "check the permissions and free space of the output folder; if a file of an \
         earlier build is in the way of a folder, remove the output folder and build again",
    )
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

// ---- the state folders ---------------------------------------------------

/// The file of a state folder that names the output folder it is kept for.
const OWNER: &str = "output";

/// Note in `dir`, the state folder of `out`, which output folder it belongs
/// to. When that is new (the first write into `out`), remove the state
/// folders of output folders that no longer exist, so that temporary builds
/// (test suites, previews) do not leave their bookkeeping behind forever.
/// State folders that name no owner (older elementdocs) are left alone.
fn claim_state_dir(dir: &Path, out: &Path) {
    let owner = dir.join(OWNER);
    if owner.exists() {
        return;
    }
    if fs::write(&owner, path_bytes(&absolute(out))).is_err() {
        return;
    }
    let Some(Ok(siblings)) = dir.parent().map(fs::read_dir) else {
        return;
    };
    for sibling in siblings.flatten() {
        let Ok(named) = fs::read(sibling.path().join(OWNER)) else {
            continue;
        };
        if !path_from_bytes(&named).exists() {
            let _ = fs::remove_dir_all(sibling.path());
        }
    }
}

#[cfg(unix)]
fn path_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> Vec<u8> {
    p.to_string_lossy().into_owned().into_bytes()
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

// ---- the manifest --------------------------------------------------------

/// What the last write left in a file: its length and modification time as
/// written, and a hash of the content (or, for a copied file, the length and
/// modification time of the source).
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

/// The manifest of `out` (empty when missing or unreadable).
fn load_manifest(out: &Path) -> Manifest {
    let Some(Ok(text)) = state_file(out, MANIFEST).map(fs::read_to_string) else {
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

fn manifest_text(entries: &[(String, Written)]) -> String {
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

/// 128-bit xxh3 of a file's bytes: equal hashes are taken as equal content
/// (the odds of a collision are negligible next to disk errors).
fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// The signature of a source file for a copy: its length and mtime.
fn copy_sig(meta: &fs::Metadata) -> u128 {
    (mtime_ns(meta) << 64) ^ u128::from(meta.len())
}

/// What the manifest should remember of `dest`, just written with content `sig`.
fn written(dest: &Path, sig: u128) -> Option<Written> {
    fs::metadata(dest).ok().map(|m| Written {
        len: m.len(),
        mtime: mtime_ns(&m),
        sig,
    })
}

/// The manifest entry when `dest` already holds `bytes` (content hash `sig`):
/// known from `last` without reading when the file is as last written.
fn unchanged(
    dest: &Path,
    bytes: &[u8],
    sig: u128,
    current: Option<&fs::Metadata>,
    last: Option<&Written>,
) -> Option<Written> {
    let m = current.filter(|m| m.is_file())?;
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

/// The number of files the manifest lists when every one of them is still
/// as the last write left it (same length and modification time) and the
/// folder holds nothing else; None otherwise.
pub fn intact(out: &Path) -> Option<usize> {
    let manifest = load_manifest(out);
    if manifest.is_empty() {
        return None;
    }
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || !KEEP.iter().any(|k| e.file_name() == *k))
    {
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
        if rel == MARKER {
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

// ---- staging -------------------------------------------------------------

/// One file of a stage.
enum Staged {
    /// The output already holds these bytes.
    Unchanged(Written),
    /// The new bytes wait in a temporary file beside the destination.
    Pending(tempfile::TempPath, u128),
}

/// `create_dir_all`, remembering which folders it made (to undo them).
fn make_dirs(dir: &Path, made: &mut Vec<PathBuf>) -> Result<(), Diagnostic> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        make_dirs(parent, made)?;
    }
    fs::create_dir(dir).map_err(|e| io_err(dir, e))?;
    made.push(dir.to_path_buf());
    Ok(())
}

/// Write `bytes` to a temporary file beside `dest` (its folder must exist).
fn temp_beside(dest: &Path, bytes: &[u8]) -> Result<tempfile::TempPath, Diagnostic> {
    let parent = dest.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(TMP_PREFIX);
    // Temporary files are created private (0600); a published file is world-readable.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(parent).map_err(|e| io_err(dest, e))?;
    tmp.write_all(bytes).map_err(|e| io_err(dest, e))?;
    Ok(tmp.into_temp_path())
}

/// Stage one file whose folder exists: unchanged, or its new bytes written beside it.
fn stage_file(
    rel: &str,
    dest: &Path,
    src: &FileSource,
    last: Option<&Written>,
) -> Result<Staged, Diagnostic> {
    // A staged page's destination was looked at when it was staged.
    let current = || fs::metadata(dest).ok();
    let (sig, owned, now);
    let bytes: &[u8] = match src {
        FileSource::Staged(st) => return st.take(rel, dest),
        FileSource::Bytes(b) => {
            now = current();
            sig = content_hash(b);
            b
        }
        FileSource::Copy(p) => {
            let meta = fs::metadata(p).map_err(|e| io_err(p, e))?;
            sig = copy_sig(&meta);
            now = current();
            if let (Some(w), Some(m)) = (last, now.as_ref().filter(|m| m.is_file())) {
                if w.sig == sig && w.len == m.len() && w.mtime == mtime_ns(m) {
                    return Ok(Staged::Unchanged(*w));
                }
            }
            owned = fs::read(p).map_err(|e| io_err(p, e))?;
            &owned
        }
    };
    // For a copy, `sig` is the source's: only the byte comparison applies.
    let last = last.filter(|_| !matches!(src, FileSource::Copy(_)));
    if let Some(w) = unchanged(dest, bytes, sig, now.as_ref(), last) {
        return Ok(Staged::Unchanged(w));
    }
    Ok(Staged::Pending(temp_beside(dest, bytes)?, sig))
}

/// One output folder, ready to be committed: every changed file is written
/// to a temporary file beside its destination. Dropping a stage without
/// committing it deletes the temporary files and the folders it made.
struct Stage {
    out: PathBuf,
    files: Vec<(String, PathBuf, Staged)>,
    made_dirs: Vec<PathBuf>,
    committed: bool,
}

impl Drop for Stage {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        self.files.clear(); // TempPath removes its file on drop
        for d in self.made_dirs.iter().rev() {
            let _ = fs::remove_dir(d); // only succeeds when empty
        }
    }
}

impl Stage {
    /// Rename every staged file into place, then remove stale files.
    fn commit(mut self) -> Result<WriteStats, Diagnostic> {
        self.committed = true;
        let marker = self.out.join(MARKER);
        if !marker.is_file() {
            fs::write(&marker, b"").map_err(|e| io_err(&self.out, e))?;
        }
        let mut stats = WriteStats::default();
        let mut entries = Vec::with_capacity(self.files.len());
        let mut wanted = HashSet::with_capacity(self.files.len());
        for (rel, dest, staged) in std::mem::take(&mut self.files) {
            let entry = match staged {
                Staged::Unchanged(w) => {
                    stats.unchanged += 1;
                    Some(w)
                }
                Staged::Pending(tmp, sig) => {
                    if dest.is_dir() {
                        // A stale folder of an earlier build: nothing wanted is inside it,
                        // as no output path is the folder of another (see `site`).
                        fs::remove_dir_all(&dest).map_err(|e| io_err(&dest, e))?;
                    }
                    tmp.persist(&dest).map_err(|e| io_err(&dest, e.error))?;
                    stats.written += 1;
                    written(&dest, sig)
                }
            };
            if let Some(e) = entry {
                entries.push((rel, e));
            }
            wanted.insert(dest);
        }
        stats.removed = remove_stale(&self.out, &wanted)?;
        // Bookkeeping only: without it the next write compares every file.
        if let Some(path) = state_file(&self.out, MANIFEST) {
            let text = manifest_text(&entries);
            if fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
                let _ = path.parent().map(fs::create_dir_all);
                let _ = fs::write(&path, text);
            }
            if let Some(dir) = path.parent() {
                claim_state_dir(dir, &self.out);
            }
        }
        Ok(stats)
    }
}

/// Phase one for one folder: stage every file (in parallel) whose bytes changed.
fn stage_dir(out: &Path, files: &[(String, FileSource)]) -> Result<Stage, Diagnostic> {
    let mut stage = Stage {
        out: out.to_path_buf(),
        files: Vec::with_capacity(files.len()),
        made_dirs: Vec::new(),
        committed: false,
    };
    make_dirs(out, &mut stage.made_dirs)?;
    let old = load_manifest(out);
    // Folders first (once each), then the files in parallel. A staged
    // file's folder was made (or found) when it was staged.
    let dirs: BTreeSet<&str> = files
        .iter()
        .filter(|(_, src)| !matches!(src, FileSource::Staged(_)))
        .filter_map(|(rel, _)| rel.rsplit_once('/').map(|(d, _)| d))
        .collect();
    // Looked at side by side (without a stager, every page's folder is
    // here); only the missing ones are made, in order.
    let missing: Vec<&str> = dirs
        .into_par_iter()
        .filter(|dir| !out.join(dir).is_dir())
        .collect();
    for dir in missing {
        make_dirs(&out.join(dir), &mut stage.made_dirs)?;
    }
    let results: Vec<Result<Staged, Diagnostic>> = files
        .par_iter()
        .map(|(rel, src)| stage_file(rel, &out.join(rel), src, old.get(rel.as_str())))
        .collect();
    for ((rel, _), r) in files.iter().zip(results) {
        // On an error, the files staged so far are removed with `stage`.
        stage.files.push((rel.clone(), out.join(rel), r?));
    }
    Ok(stage)
}

/// Takes the pages of one output folder while the build runs, so their HTML
/// need not stay in memory: an unchanged page is only noted, a changed one
/// waits in a temporary file beside its destination until
/// [`write_site_staged`] renames it into place. Dropping the stager removes
/// what still waits, and the folders it made.
pub struct Stager {
    out: PathBuf,
    old: Manifest,
    staged: Mutex<HashMap<String, Staged>>,
    made_dirs: Mutex<Vec<PathBuf>>,
    /// The marker this stager wrote into a new or empty folder.
    made_marker: bool,
}

impl Stager {
    /// Refuses the same folders as [`write_site`].
    pub fn new(out: &Path, source_root: &Path) -> Result<Stager, Diagnostic> {
        check_target(out, source_root)?;
        let mut made_dirs = Vec::new();
        make_dirs(out, &mut made_dirs)?;
        // Mark a new folder now: the pages staged in it must not make it look foreign.
        let marker = out.join(MARKER);
        let made_marker = !marker.exists();
        if made_marker {
            fs::write(&marker, b"").map_err(|e| io_err(out, e))?;
        }
        Ok(Stager {
            out: out.to_path_buf(),
            old: load_manifest(out),
            staged: Mutex::default(),
            made_dirs: Mutex::new(made_dirs),
            made_marker,
        })
    }

    fn has(&self, rel: &str) -> bool {
        lock(&self.staged).contains_key(rel)
    }

    /// Take the bytes of the file at `rel` (relative to the output folder).
    pub fn stage(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let dest = self.out.join(rel);
        let sig = content_hash(bytes);
        let current = fs::metadata(&dest).ok();
        let staged = match unchanged(&dest, bytes, sig, current.as_ref(), self.old.get(rel)) {
            Some(w) => Staged::Unchanged(w),
            None => {
                if let Some(parent) = dest.parent() {
                    make_dirs(parent, &mut lock(&self.made_dirs))?;
                }
                Staged::Pending(temp_beside(&dest, bytes)?, sig)
            }
        };
        lock(&self.staged).insert(rel.to_string(), staged);
        Ok(())
    }

    /// Look at the copy of the static file `src` to `rel` now (see
    /// [`stage_file`]): unchanged, or its bytes staged beside it.
    pub fn stage_copy(&self, rel: &str, src: &Path) -> Result<(), Diagnostic> {
        let dest = self.out.join(rel);
        if let Some(parent) = dest.parent() {
            make_dirs(parent, &mut lock(&self.made_dirs))?;
        }
        let staged = stage_file(rel, &dest, &FileSource::Copy(src), self.old.get(rel))?;
        lock(&self.staged).insert(rel.to_string(), staged);
        Ok(())
    }

    /// The staged file for `rel`, for the commit.
    fn take(&self, rel: &str, dest: &Path) -> Result<Staged, Diagnostic> {
        lock(&self.staged)
            .remove(rel)
            .ok_or_else(|| Diagnostic::error(dest, 0, 0, "internal error: page was not staged"))
    }
}

impl Drop for Stager {
    fn drop(&mut self) {
        // TempPath removes its file on drop.
        drop(std::mem::take(&mut *lock(&self.staged)));
        let dirs = lock(&self.made_dirs);
        for d in dirs.iter().rev() {
            let _ = fs::remove_dir(d); // only succeeds when empty
        }
        // Nothing was written into a folder this stager marked: unmark it.
        let marker = self.out.join(MARKER);
        if self.made_marker && fs::read_dir(&self.out).is_ok_and(|d| d.count() == 1) {
            let _ = fs::remove_file(&marker);
            if dirs.first() == Some(&self.out) {
                let _ = fs::remove_dir(&self.out);
            }
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

    fn take_static(&self, file: &crate::source::StaticFile) -> Result<(), Diagnostic> {
        self.site.stage_copy(&file.out_rel, &file.abs)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Folders at the top of the output that are never removed (Jekyll's default
/// `keep_files`): a deploy checkout of the site keeps working.
const KEEP: &[&str] = &[".git", ".svn"];

/// Remove files under `out` that this build did not produce, then empty folders.
fn remove_stale(out: &Path, wanted: &HashSet<PathBuf>) -> Result<usize, Diagnostic> {
    // A folder that holds a wanted file stays: no need to ask the disk.
    let kept: HashSet<&Path> = wanted
        .iter()
        .flat_map(|p| p.ancestors().skip(1).take_while(|a| *a != out))
        .collect();
    let sweep = Sweep {
        wanted,
        kept,
        marker: out.join(MARKER),
    };
    sweep.folder(out, true)
}

/// What [`remove_stale`] keeps.
struct Sweep<'a> {
    wanted: &'a HashSet<PathBuf>,
    kept: HashSet<&'a Path>,
    marker: PathBuf,
}

impl Sweep<'_> {
    /// Sweep one folder, its subfolders side by side (the walk is mostly
    /// waiting on the file system); a subfolder is removed once empty.
    /// Returns how many files were removed; on failures, the first in name order.
    fn folder(&self, dir: &Path, top: bool) -> Result<usize, Diagnostic> {
        let Ok(list) = fs::read_dir(dir) else {
            return Ok(0);
        };
        let mut entries: Vec<fs::DirEntry> = list
            .filter_map(Result::ok)
            .filter(|e| !(top && KEEP.iter().any(|k| e.file_name() == *k)))
            .collect();
        entries.sort_by_key(|e| e.file_name());
        let counts: Vec<Result<usize, Diagnostic>> =
            entries.par_iter().map(|e| self.entry(e)).collect();
        counts.into_iter().sum()
    }

    fn entry(&self, e: &fs::DirEntry) -> Result<usize, Diagnostic> {
        let p = e.path();
        // The entry's own type: a link is removed like a file, never followed.
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let removed = self.folder(&p, false)?;
            if !self.kept.contains(p.as_path()) {
                let _ = fs::remove_dir(&p); // only succeeds when empty
            }
            Ok(removed)
        } else if p != self.marker && !self.wanted.contains(&p) {
            fs::remove_file(&p).map_err(|err| io_err(&p, err))?;
            Ok(1)
        } else {
            Ok(0)
        }
    }
}
