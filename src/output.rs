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
    let mut targets = vec![(out, files)];
    targets.extend(expanded.map(|dir| (dir, exp)));
    for (dir, _) in &targets {
        check_target(dir, source_root)?;
    }
    let mut staged = Vec::new();
    for (dir, files) in &targets {
        staged.push(stage_dir(dir, files)?); // on error, dropped stages clean up
    }
    let mut stats = WriteStats::default();
    for (i, stage) in staged.into_iter().enumerate() {
        let s = stage.commit()?;
        if i == 0 {
            stats = s;
        }
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

/// One output folder, ready to be committed: every changed file is written
/// to a temporary file beside its destination. Dropping a stage without
/// committing it deletes the temporary files and the folders it made.
struct Stage {
    out: PathBuf,
    renames: Vec<(tempfile::TempPath, PathBuf)>,
    made_dirs: Vec<PathBuf>,
    wanted: BTreeSet<PathBuf>,
    unchanged: usize,
    committed: bool,
}

impl Drop for Stage {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        self.renames.clear(); // TempPath removes its file on drop
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
        let written = self.renames.len();
        for (tmp, dest) in std::mem::take(&mut self.renames) {
            if dest.is_dir() {
                // A stale folder of an earlier build: nothing wanted is inside it,
                // as no output path is the folder of another (see `site`).
                fs::remove_dir_all(&dest).map_err(|e| io_err(&dest, e))?;
            }
            tmp.persist(&dest).map_err(|e| io_err(&dest, e.error))?;
        }
        Ok(WriteStats {
            written,
            unchanged: self.unchanged,
            removed: remove_stale(&self.out, &self.wanted)?,
        })
    }
}

/// Phase one for one folder: stage every file whose bytes changed.
fn stage_dir(out: &Path, files: &[(String, FileSource)]) -> Result<Stage, Diagnostic> {
    let mut stage = Stage {
        out: out.to_path_buf(),
        renames: Vec::new(),
        made_dirs: Vec::new(),
        wanted: BTreeSet::new(),
        unchanged: 0,
        committed: false,
    };
    make_dirs(out, &mut stage.made_dirs)?;
    for (rel, src) in files {
        let dest = out.join(rel);
        stage.wanted.insert(dest.clone());
        match stage_file(&dest, src, &mut stage.made_dirs)? {
            Some(tmp) => stage.renames.push((tmp, dest)),
            None => stage.unchanged += 1,
        }
    }
    Ok(stage)
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

/// Write `dest`'s new bytes to a temporary file beside it, unless it already
/// holds them (None).
fn stage_file(
    dest: &Path,
    src: &FileSource,
    made: &mut Vec<PathBuf>,
) -> Result<Option<tempfile::TempPath>, Diagnostic> {
    let bytes: std::borrow::Cow<[u8]> = match src {
        FileSource::Bytes(b) => std::borrow::Cow::Borrowed(b),
        FileSource::Copy(p) => std::borrow::Cow::Owned(fs::read(p).map_err(|e| io_err(p, e))?),
    };
    if let Ok(meta) = fs::metadata(dest) {
        if meta.is_file()
            && meta.len() == bytes.len() as u64
            && fs::read(dest).map(|old| old == *bytes).unwrap_or(false)
        {
            return Ok(None);
        }
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    make_dirs(parent, made)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".elementdocs-tmp")
        .tempfile_in(parent)
        .map_err(|e| io_err(dest, e))?;
    tmp.write_all(&bytes).map_err(|e| io_err(dest, e))?;
    // Temporary files are created private (0600); a published file is world-readable.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(|e| io_err(dest, e))?;
    }
    Ok(Some(tmp.into_temp_path()))
}

/// Folders at the top of the output that are never removed (Jekyll's default
/// `keep_files`): a deploy checkout of the site keeps working.
const KEEP: &[&str] = &[".git", ".svn"];

/// Remove files under `out` that this build did not produce, then empty folders.
fn remove_stale(out: &Path, wanted: &BTreeSet<PathBuf>) -> Result<usize, Diagnostic> {
    let mut removed = 0;
    let marker = out.join(MARKER);
    let entries: Vec<_> = walkdir::WalkDir::new(out)
        .contents_first(true)
        .into_iter()
        .filter_map(Result::ok)
        // Not `filter_entry`: with `contents_first` it sees a folder after its contents.
        .filter(|e| {
            let top = e
                .path()
                .strip_prefix(out)
                .ok()
                .and_then(|r| r.iter().next());
            !top.is_some_and(|t| KEEP.iter().any(|k| t == *k))
        })
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
