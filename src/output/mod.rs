//! Writing a finished build: atomic at any moment, and only after the whole
//! build succeeded.
//!
//! Each output folder (the site, and `--expanded-dir` / `--bodies-dir` when
//! asked for) is a [`Target`]. While the pages render, each page is handed
//! to the [`Writer`] (a [`PageSink`]): a page whose bytes the output already
//! holds is only noted; a changed one is written into a work tree beside the
//! output folder, never into it ([`tree`]). When the build has succeeded,
//! [`Writer::commit`] adds the generated files, hard-links every unchanged
//! file into the work tree and swaps the two folders in one atomic step; a
//! build with nothing to change (and nothing stale to remove) touches nothing
//! at all. A failed or killed build leaves the output folder as it was.
//!
//! What a deploy script may rely on:
//! * the output folder is, at every instant, the complete previous site or
//!   the complete new one, with no temporary file in it; a build killed at
//!   any point leaves only `.<name>.elementdocs-new` beside it, removed by the
//!   next build;
//! * unchanged files keep their bytes, inode and mtime; files the build no
//!   longer makes are gone; `.git` and `.svn` at the top are kept: they move
//!   into the new tree just before the exchange (a build killed between the
//!   two leaves them in its work tree, and the next build gives them back);
//! * the folder itself is replaced (a new inode): serve it by path, not from
//!   a process whose working folder is inside it;
//! * one build at a time writes into a folder: a second one waits for the
//!   lock (on the folder that holds it) and says so;
//! * the output is complete after the build exits, not durable against power
//!   loss before the file system flushes (no fsync: a build is repeatable).
//!
//! The folder is marked as ours ([`MARKER`]) so a wrong `--out` never
//! replaces someone's files; `--out` equal to or above the source is refused.

mod manifest;
mod state;
mod tree;

pub use state::{state_dir, state_file};

use crate::diag::Diagnostic;
use crate::site::{PageOutput, PageSink, SiteOutput};
use crate::source::StaticFile;
use manifest::{Manifest, Written};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use tree::{io_err, Beside};

/// Marks a folder as written by elementdocs (so it may be replaced).
pub const MARKER: &str = ".elementdocs-output";

/// Counts of what a write did (of the site's folder).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// One file of a target, as staged.
#[derive(Debug, Clone, Copy)]
enum Staged {
    /// The output already holds these bytes: linked at commit.
    Unchanged(Written),
    /// Written into the work tree; the content's signature.
    New(u128),
    /// Claimed, not yet written (another thread is writing it).
    Claimed,
    /// Could not be written because another output is in its way (two
    /// sources for one path, a file where a folder is needed): the build
    /// reports it with both sources, so it never reaches the commit.
    InTheWay,
}

/// One output folder being written.
pub struct Target {
    beside: Beside,
    /// The manifest of the last write, and where it is kept.
    last: Manifest,
    manifest_path: Option<PathBuf>,
    staged: Mutex<HashMap<String, Staged>>,
    /// Folders made in the work tree (the tree itself once made).
    made: Mutex<HashSet<PathBuf>>,
    committed: bool,
}

impl Target {
    /// Open `out` for writing: refuse folders that are not ours or hold the
    /// source, clean up after a killed build. The caller holds the lock of
    /// `out`'s parent (see [`lock`]).
    fn open(out: &Path, source_root: &Path) -> Result<Target, Diagnostic> {
        let out = state::absolute(out);
        check_target(&out, source_root)?;
        let beside = Beside::new(&out)?;
        beside.recover()?;
        let manifest_path = state_file(&out, manifest::MANIFEST);
        Ok(Target {
            last: manifest::load(manifest_path.as_deref()),
            manifest_path,
            beside,
            staged: Mutex::default(),
            made: Mutex::default(),
            committed: false,
        })
    }

    /// The folder this target writes.
    pub fn out(&self) -> &Path {
        &self.beside.out
    }

    /// `rel`'s place in the work tree, its folder made.
    fn work_path(&self, rel: &str) -> std::io::Result<PathBuf> {
        let dest = self.beside.work.join(rel);
        let parent = dest.parent().unwrap_or(&self.beside.work).to_path_buf();
        let mut made = lock_ok(&self.made);
        if !made.contains(&parent) {
            fs::create_dir_all(&parent)?;
            for a in parent.ancestors() {
                if !made.insert(a.to_path_buf()) || a == self.beside.work {
                    break;
                }
            }
        }
        Ok(dest)
    }

    /// Take the bytes of the file at `rel` (relative to the output folder).
    pub fn stage(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        check_rel(rel)?;
        if !self.claim(rel) {
            return Ok(());
        }
        let old = self.beside.out.join(rel);
        let sig = manifest::content_hash(bytes);
        let staged = match fs::symlink_metadata(&old) {
            Ok(m) if manifest::holds(&old, &m, bytes, sig, self.last.get(rel)) => {
                Staged::Unchanged(Written {
                    len: m.len(),
                    mtime: manifest::mtime_ns(&m),
                    sig,
                })
            }
            _ => self.in_the_way(
                rel,
                self.work_path(rel).and_then(|p| tree::write_new(&p, bytes)),
                sig,
            )?,
        };
        lock_ok(&self.staged).insert(rel.to_string(), staged);
        Ok(())
    }

    /// Claim `rel` for this thread; false when another source has it (the
    /// build reports both).
    fn claim(&self, rel: &str) -> bool {
        let mut staged = lock_ok(&self.staged);
        if staged.contains_key(rel) {
            return false;
        }
        staged.insert(rel.to_string(), Staged::Claimed);
        true
    }

    /// What a write into the work tree gave: a new file, or another output
    /// in its way (see [`Staged::InTheWay`]), or a real failure.
    fn in_the_way(
        &self,
        rel: &str,
        wrote: std::io::Result<()>,
        sig: u128,
    ) -> Result<Staged, Diagnostic> {
        match wrote {
            Ok(()) => Ok(Staged::New(sig)),
            Err(e) if tree::in_the_way(&e) => Ok(Staged::InTheWay),
            Err(e) => Err(io_err(&self.beside.out.join(rel), e)),
        }
    }

    /// Take a copy of the static file `src` at `rel`: unchanged when the
    /// output's copy is as the last write left it and the source did not
    /// change since (or their bytes are equal), copied otherwise.
    pub fn stage_copy(&self, rel: &str, src: &Path) -> Result<(), Diagnostic> {
        check_rel(rel)?;
        if !self.claim(rel) {
            return Ok(());
        }
        let src_meta = fs::metadata(src)
            .map_err(|e| Diagnostic::error(src, 0, 0, format!("cannot read static file: {e}")))?;
        let sig = manifest::copy_sig(&src_meta);
        let old = self.beside.out.join(rel);
        let unchanged = fs::symlink_metadata(&old).ok().filter(|m| {
            manifest::holds_copy(m, sig, self.last.get(rel))
                || (m.is_file() && m.len() == src_meta.len() && same_bytes(&old, src))
        });
        let staged = match unchanged {
            Some(m) => Staged::Unchanged(Written {
                len: m.len(),
                mtime: manifest::mtime_ns(&m),
                sig,
            }),
            None => {
                let copied = self.work_path(rel).and_then(|p| tree::copy_new(src, &p));
                match copied {
                    Err(e) if !tree::in_the_way(&e) => {
                        return Err(Diagnostic::error(
                            src,
                            0,
                            0,
                            format!("cannot copy to the output: {e}"),
                        )
                        .with_help(
                            "check that the file is readable and the output folder has room",
                        ));
                    }
                    copied => self.in_the_way(rel, copied, sig)?,
                }
            }
        };
        lock_ok(&self.staged).insert(rel.to_string(), staged);
        Ok(())
    }

    /// Put the staged files in place (see the module doc); `false` when the
    /// output already was exactly this.
    fn commit(mut self) -> Result<WriteStats, Diagnostic> {
        let staged = std::mem::take(&mut *lock_ok(&self.staged));
        let mut stats = WriteStats::default();
        let present = tree::files_in(&self.beside.out, MARKER);
        let stale: Vec<&String> = present
            .iter()
            .flatten()
            .filter(|f| !staged.contains_key(*f))
            .collect();
        stats.removed = stale.len();
        for (rel, s) in &staged {
            match s {
                Staged::Unchanged(_) => stats.unchanged += 1,
                Staged::New(_) => stats.written += 1,
                Staged::Claimed | Staged::InTheWay => {
                    return Err(Diagnostic::error(
                        rel,
                        0,
                        0,
                        "internal error: this output was not written",
                    )
                    .with_help("this is a bug in elementdocs; please report it"))
                }
            }
        }
        let marked = self.beside.out.join(MARKER).is_file();
        if stats.written == 0 && stale.is_empty() && present.is_some() && marked {
            self.committed = true;
            self.save_manifest(&staged, |_, w| Some(*w));
            return Ok(stats);
        }
        self.link_unchanged(&staged)?;
        let marker = self
            .work_path(MARKER)
            .map_err(|e| io_err(&self.beside.work, e))?;
        tree::write_new(&marker, b"").map_err(|e| io_err(&marker, e))?;
        self.beside.publish()?;
        self.committed = true;
        let out = self.beside.out.clone();
        self.save_manifest(&staged, |rel, w| manifest::written(&out.join(rel), w.sig));
        Ok(stats)
    }

    /// Hard-link every unchanged file from the output into the work tree.
    fn link_unchanged(&self, staged: &HashMap<String, Staged>) -> Result<(), Diagnostic> {
        let unchanged: Vec<&String> = staged
            .iter()
            .filter(|(_, s)| matches!(s, Staged::Unchanged(_)))
            .map(|(rel, _)| rel)
            .collect();
        // The tree exists even when nothing was written (files only removed).
        fs::create_dir_all(&self.beside.work).map_err(|e| io_err(&self.beside.work, e))?;
        unchanged.par_iter().try_for_each(|rel| {
            let dest = self
                .work_path(rel)
                .map_err(|e| io_err(&self.beside.work, e))?;
            tree::link(&self.beside.out.join(rel), &dest)
        })
    }

    /// Write the manifest of what the output now holds (bookkeeping only:
    /// without it the next write compares every file).
    fn save_manifest(
        &self,
        staged: &HashMap<String, Staged>,
        entry: impl Fn(&str, &Written) -> Option<Written>,
    ) {
        let Some(path) = &self.manifest_path else {
            return;
        };
        let mut entries: Vec<(String, Written)> = staged
            .iter()
            .filter_map(|(rel, s)| {
                let w = match s {
                    Staged::Unchanged(w) => *w,
                    Staged::New(sig) => Written {
                        len: 0,
                        mtime: 0,
                        sig: *sig,
                    },
                    Staged::Claimed | Staged::InTheWay => return None,
                };
                Some((rel.clone(), entry(rel, &w)?))
            })
            .collect();
        let text = manifest::text(&mut entries);
        if fs::read(path).ok().as_deref() != Some(text.as_bytes()) {
            let _ = path.parent().map(fs::create_dir_all);
            let tmp = path.with_extension("tmp");
            if fs::write(&tmp, &text).is_ok() {
                let _ = fs::rename(&tmp, path);
            }
        }
        if let Some(dir) = path.parent() {
            state::claim_state_dir(dir, &self.beside.out);
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if !self.committed && self.beside.work.exists() {
            let _ = fs::remove_dir_all(&self.beside.work);
        }
    }
}

/// The folders one build writes: the site, and the expanded sources and
/// page bodies when asked for. It takes each page as it is rendered.
pub struct Writer {
    pub site: Target,
    pub expanded: Option<Target>,
    pub bodies: Option<Target>,
    /// The locks of the folders that hold them, until the writer is done.
    _locks: Vec<fs::File>,
}

/// Where a build writes.
#[derive(Debug, Clone, Copy)]
pub struct Folders<'a> {
    pub site: &'a Path,
    pub expanded: Option<&'a Path>,
    pub bodies: Option<&'a Path>,
}

impl Writer {
    /// Open every folder of the build (see [`Target::open`]); they must not overlap.
    pub fn open(folders: Folders, source_root: &Path) -> Result<Writer, Diagnostic> {
        check_folders(folders)?;
        // Each parent once, in order: a second lock of one folder would wait
        // for the first, and two builds take them in the same order.
        let parents: BTreeSet<PathBuf> = [Some(folders.site), folders.expanded, folders.bodies]
            .into_iter()
            .flatten()
            .filter_map(|d| Some(state::absolute(d).parent()?.to_path_buf()))
            .collect();
        let mut locks = Vec::new();
        for parent in &parents {
            fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
            locks.push(lock(parent)?);
        }
        let open = |dir: Option<&Path>| dir.map(|d| Target::open(d, source_root)).transpose();
        Ok(Writer {
            site: Target::open(folders.site, source_root)?,
            expanded: open(folders.expanded)?,
            bodies: open(folders.bodies)?,
            _locks: locks,
        })
    }

    /// Write what the build made and was not handed over while it ran
    /// (pages kept in memory, generated files), then put each folder in
    /// place: the bodies and expanded sources first, the site last.
    pub fn commit(self, site: &SiteOutput) -> Result<WriteStats, Diagnostic> {
        site.pages.par_iter().try_for_each(|p| {
            if !lock_ok(&self.site.staged).contains_key(&p.out_path) {
                self.take_page(p)?;
            }
            Ok::<_, Diagnostic>(())
        })?;
        site.statics.par_iter().try_for_each(|s| {
            if lock_ok(&self.site.staged).contains_key(&s.out_rel) {
                return Ok(());
            }
            self.site.stage_copy(&s.out_rel, &s.abs)
        })?;
        site.generated
            .par_iter()
            .try_for_each(|(rel, bytes)| self.site.stage(rel, bytes))?;
        if let Some(b) = self.bodies {
            b.commit()?;
        }
        if let Some(e) = self.expanded {
            e.commit()?;
        }
        self.site.commit()
    }

    fn take_page(&self, page: &PageOutput) -> Result<(), Diagnostic> {
        self.site.stage(&page.out_path, page.html.as_bytes())?;
        if let Some(exp) = &self.expanded {
            exp.stage(&expanded_path(&page.out_path), page.expanded.as_bytes())?;
        }
        if let Some(bodies) = &self.bodies {
            bodies.stage(&page.out_path, page.rendered.html.as_bytes())?;
        }
        Ok(())
    }
}

impl PageSink for Writer {
    fn take(&self, page: &mut PageOutput) -> Result<(), Diagnostic> {
        self.take_page(page)?;
        page.html = String::new();
        page.expanded = String::new();
        Ok(())
    }

    fn take_static(&self, file: &StaticFile) -> Result<(), Diagnostic> {
        self.site.stage_copy(&file.out_rel, &file.abs)
    }
}

/// Write a successful build to `out` (and the expanded sources to
/// `expanded`): [`Writer::open`] then [`Writer::commit`].
pub fn write_site(
    site: &SiteOutput,
    out: &Path,
    source_root: &Path,
    expanded: Option<&Path>,
) -> Result<WriteStats, Diagnostic> {
    let folders = Folders {
        site: out,
        expanded,
        bodies: None,
    };
    Writer::open(folders, source_root)?.commit(site)
}

/// Whether a file name is one a build keeps beside an output folder (its
/// work tree, lock...): never an input of the site.
pub fn is_beside_output(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') && name.contains(".elementdocs-")
}

/// `a/b.html` → `a/b.md`: where the expanded source of a page goes.
pub fn expanded_path(out_path: &str) -> String {
    match out_path.strip_suffix(".html") {
        Some(stem) => format!("{stem}.md"),
        None => format!("{out_path}.md"),
    }
}

/// The folders of one build must not overlap.
pub fn check_folders(f: Folders) -> Result<(), Diagnostic> {
    let named = [
        (Some(f.site), "--out"),
        (f.expanded, "--expanded-dir"),
        (f.bodies, "--bodies-dir"),
    ];
    let dirs: Vec<(PathBuf, &str)> = named
        .iter()
        .filter_map(|(d, n)| Some((state::absolute((*d)?), *n)))
        .collect();
    for (i, (a, an)) in dirs.iter().enumerate() {
        for (b, bn) in &dirs[i + 1..] {
            if a.starts_with(b) || b.starts_with(a) {
                return Err(Diagnostic::error(
                    b,
                    0,
                    0,
                    format!("the {bn} folder and the {an} folder overlap"),
                )
                .with_help(format!("give {bn} a folder of its own, outside {an}")));
            }
        }
    }
    Ok(())
}

/// An output path must stay inside its folder: relative, plain names only.
fn check_rel(rel: &str) -> Result<(), Diagnostic> {
    let p = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains(['\\', '\0'])
        && p.components().all(|c| matches!(c, Component::Normal(_)))
        && !rel
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if plain {
        Ok(())
    } else {
        Err(Diagnostic::error(
            rel,
            0,
            0,
            format!("`{rel}` is not a path inside the output folder; nothing was written"),
        )
        .with_help("output paths are relative, without `..`, `.`, backslashes or empty parts"))
    }
}

/// Refuse output folders that would replace the source or foreign files.
fn check_target(out: &Path, source_root: &Path) -> Result<(), Diagnostic> {
    if source_root.starts_with(out) {
        return Err(Diagnostic::error(
            out,
            0,
            0,
            "the output folder is the source folder or contains it; refusing to write there",
        )
        .with_help("pass --out with a folder of its own, e.g. --out public"));
    }
    match fs::symlink_metadata(out) {
        Ok(m) if !m.is_dir() => Err(Diagnostic::error(
            out,
            0,
            0,
            "the output folder is a file; refusing to replace it",
        )
        .with_help("choose a folder, or remove this file first")),
        Ok(_) if !out.join(MARKER).exists() && fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) => {
            Err(Diagnostic::error(out, 0, 0, "the output folder is not empty and was not written by elementdocs; refusing to replace its files")
                .with_help("choose an empty folder, or remove this one first"))
        }
        _ => Ok(()),
    }
}

/// Take the lock of the output folder, waiting (and saying so) while
/// another build holds it. The lock is on the folder that holds the output
/// folder (a lock on the output folder itself would not survive its
/// exchange, and a lock file would be left behind), so builds into two
/// folders of one parent also take turns.
fn lock(parent: &Path) -> Result<fs::File, Diagnostic> {
    let f = fs::File::open(parent).map_err(|e| io_err(parent, e))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(fs::TryLockError::WouldBlock) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "waiting for another build writing into {} to finish",
                parent.display()
            );
            f.lock().map_err(|e| io_err(parent, e))?;
            Ok(f)
        }
        Err(fs::TryLockError::Error(e)) => Err(io_err(parent, e)),
    }
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    matches!((fs::read(a), fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn lock_ok<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The number of files the manifest lists when every one of them is still
/// as the last write left it (same length and modification time) and the
/// folder holds nothing else; None otherwise.
pub fn intact(out: &Path) -> Option<usize> {
    let manifest = manifest::load(state_file(out, manifest::MANIFEST).as_deref());
    if manifest.is_empty() {
        return None;
    }
    let files = tree::files_in(out, MARKER)?;
    let listed: BTreeSet<&str> = manifest.keys().map(String::as_str).collect();
    if files.len() != listed.len() {
        return None;
    }
    for rel in &files {
        let w = manifest.get(rel)?;
        let m = fs::symlink_metadata(out.join(rel)).ok()?;
        if !m.is_file() || m.len() != w.len || manifest::mtime_ns(&m) != w.mtime {
            return None;
        }
    }
    Some(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_stay_inside_the_folder() {
        for ok in [
            "index.html",
            "a/b/c.html",
            "assets/x.min.js",
            ".well-known/security.txt",
        ] {
            assert!(check_rel(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x.html",
            "a/../../x",
            "a/./b",
            "a//b",
            "a\\b",
            "a\0b",
            "a/",
        ] {
            assert!(check_rel(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_source_or_a_folder_above_it_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("site");
        std::fs::create_dir_all(&src).unwrap();
        for out in [src.clone(), tmp.path().to_path_buf()] {
            let e = check_target(&out, &src).unwrap_err();
            assert!(e.message.contains("contains it"), "{}", e.message);
        }
        assert!(
            check_target(&src.join("public"), &src).is_ok(),
            "a new folder inside is ours"
        );
        std::fs::create_dir_all(src.join("docs")).unwrap();
        std::fs::write(src.join("docs/a.md"), "x").unwrap();
        let e = check_target(&src.join("docs"), &src).unwrap_err();
        assert!(
            e.message.contains("not written by elementdocs"),
            "{}",
            e.message
        );
    }
}
