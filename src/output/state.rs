//! The bookkeeping of an output folder, kept outside it so the published
//! files stay free of timestamps: a folder per output folder (named by a hash
//! of its absolute path) under `$XDG_CACHE_HOME/elementdocs` or
//! `~/.cache/elementdocs`, holding the manifest of what the last write left,
//! the highlight cache and the `--skip-unchanged` record. Each state folder
//! names its output folder; the first write into a new output folder removes
//! the state folders of output folders that are gone.

use super::manifest::content_hash;
use std::fs;
use std::path::{Path, PathBuf};

/// Where the bookkeeping of an output folder lives; None without a cache folder.
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

/// `p` made absolute: canonical when it exists, else joined to the working folder.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    std::env::current_dir()
        .map(|d| d.join(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// The file of a state folder that names the output folder it is kept for.
const OWNER: &str = "output";

/// Note in `dir`, the state folder of `out`, which output folder it belongs
/// to. When that is new (the first write into `out`), remove the state
/// folders of output folders that no longer exist, so that temporary builds
/// (test suites, previews) do not leave their bookkeeping behind forever.
/// State folders that name no owner (older elementdocs) are left alone.
pub(super) fn claim_state_dir(dir: &Path, out: &Path) {
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
