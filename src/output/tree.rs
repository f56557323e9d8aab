//! The new tree of an output folder and the one atomic step that publishes it.
//!
//! A build never writes into the output folder it replaces. Beside it (same
//! parent, so the same file system) it fills a work tree,
//! `.<name>.elementdocs-new/`: changed files written, unchanged ones
//! hard-linked from the current output (same bytes, same inode, same mtime:
//! hosting caches and rsync see no change). Then one
//! `renameat2(RENAME_EXCHANGE)` swaps the two folders, so whatever instant
//! the process dies, the output folder is the complete old site or the
//! complete new one, and no temporary file is ever inside it. The old tree
//! is then removed. Where the file system cannot exchange (it answers
//! EINVAL), the old folder is renamed aside and the new one into place: for
//! that instant the output folder does not exist, but it is never mixed.
//!
//! A build killed before the exchange leaves its work tree; the next build
//! into the same folder removes it (and gives back a deploy checkout it had
//! moved, see [`KEEP`]).

use crate::diag::Diagnostic;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Folders at the top of the output that a build keeps (Jekyll's default
/// `keep_files`): a deploy checkout of the site keeps working. They are
/// moved into the new tree just before the exchange.
pub(super) const KEEP: &[&str] = &[".git", ".svn"];

/// The folders and files a build keeps beside an output folder `out`.
#[derive(Debug, Clone)]
pub(super) struct Beside {
    pub out: PathBuf,
    /// The tree being built.
    pub work: PathBuf,
    /// Where the replaced tree goes when the file system cannot exchange.
    pub old: PathBuf,
}

impl Beside {
    pub fn new(out: &Path) -> Result<Beside, Diagnostic> {
        let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
            return Err(Diagnostic::error(
                out,
                0,
                0,
                "the output folder must have a parent folder",
            )
            .with_help("pass --out with a folder of its own, e.g. --out public"));
        };
        let name = name.to_string_lossy();
        let at = |what: &str| parent.join(format!(".{name}.elementdocs-{what}"));
        Ok(Beside {
            out: out.to_path_buf(),
            work: at("new"),
            old: at("old"),
        })
    }

    /// Clean up after a build that was killed: give back the deploy
    /// checkout its work tree held, and remove what it left beside.
    pub fn recover(&self) -> Result<(), Diagnostic> {
        for keep in KEEP {
            let moved = self.work.join(keep);
            let home = self.out.join(keep);
            if moved.exists() && !home.exists() && self.out.is_dir() {
                fs::rename(&moved, &home).map_err(|e| io_err(&home, e))?;
            }
        }
        for stale in [&self.work, &self.old] {
            match fs::symlink_metadata(stale) {
                Ok(m) if m.is_dir() => remove_tree(stale)?,
                Ok(_) => fs::remove_file(stale).map_err(|e| io_err(stale, e))?,
                Err(_) => {}
            }
        }
        Ok(())
    }

    /// Put the finished work tree in place of the output folder (see the
    /// module doc), then remove the old tree.
    pub fn publish(&self) -> Result<(), Diagnostic> {
        if !self.out.exists() {
            return fs::rename(&self.work, &self.out).map_err(|e| io_err(&self.out, e));
        }
        for keep in KEEP {
            let from = self.out.join(keep);
            if from.exists() {
                fs::rename(&from, self.work.join(keep)).map_err(|e| io_err(&from, e))?;
            }
        }
        match exchange(&self.work, &self.out) {
            Ok(()) => remove_tree(&self.work),
            Err(e) if cannot_exchange(&e) => {
                fs::rename(&self.out, &self.old).map_err(|e| io_err(&self.out, e))?;
                fs::rename(&self.work, &self.out).map_err(|e| io_err(&self.out, e))?;
                remove_tree(&self.old)
            }
            Err(e) => Err(io_err(&self.out, e)),
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The file system (or the platform) has no atomic exchange of two folders.
fn cannot_exchange(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(code) if code == rustix::io::Errno::INVAL.raw_os_error()
            || code == rustix::io::Errno::NOSYS.raw_os_error()
            || code == rustix::io::Errno::OPNOTSUPP.raw_os_error())
}

fn remove_tree(dir: &Path) -> Result<(), Diagnostic> {
    fs::remove_dir_all(dir).map_err(|e| io_err(dir, e))
}

/// Write `bytes` as a new file at `dest` (its folder exists), readable by
/// the web server whatever the build's umask.
pub(super) fn write_new(dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o644);
    }
    let mut f = opts.open(dest)?;
    f.write_all(bytes)?;
    world_readable(&f)
}

/// Copy the static file `src` to a new file `dest` (the kernel copies, or
/// shares the blocks where the file system can: copy_file_range).
pub(super) fn copy_new(src: &Path, dest: &Path) -> std::io::Result<()> {
    if fs::symlink_metadata(dest).is_ok() {
        return Err(std::io::ErrorKind::AlreadyExists.into());
    }
    fs::copy(src, dest)?;
    world_readable(&fs::File::open(dest)?)
}

#[cfg(unix)]
fn world_readable(f: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = f.metadata()?.permissions().mode();
    if mode & 0o044 != 0o044 {
        f.set_permissions(fs::Permissions::from_mode((mode | 0o644) & 0o7777))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn world_readable(_f: &fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Another output is in the way of this one (two sources for one path, a
/// file where a folder is needed).
pub(super) fn in_the_way(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), AlreadyExists | NotADirectory | IsADirectory)
}

/// Hard-link the unchanged file `old` at `dest` (bytes and mtime kept).
pub(super) fn link(old: &Path, dest: &Path) -> Result<(), Diagnostic> {
    fs::hard_link(old, dest).map_err(|e| io_err(dest, e))
}

/// Every file under `out` that a build would replace or remove (relative
/// paths with `/`), without the marker and the kept folders; None when `out`
/// does not exist.
pub(super) fn files_in(out: &Path, marker: &str) -> Option<Vec<String>> {
    if !out.is_dir() {
        return None;
    }
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || !KEEP.iter().any(|k| e.file_name() == *k));
    for entry in walk.flatten() {
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(out) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel != marker {
            files.push(rel);
        }
    }
    Some(files)
}

pub(super) fn io_err(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(path, 0, 0, format!("cannot write output: {e}")).with_help(
        "check the permissions and free space of the output folder and the folder that holds it",
    )
}
