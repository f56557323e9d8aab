//! The manifest of an output folder: the length, modification time and
//! content hash of every file the last write left (kept in the state folder,
//! see [`super::state`]). A file that still has the length and time the
//! manifest gives, and whose new content has the same hash, is known
//! unchanged without reading it back; anything else is compared byte for
//! byte. A copied file is known unchanged when neither it nor its source
//! changed since. The manifest is only a cache: a damaged or stale one costs
//! comparisons, never a wrong output.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// What the last write left in a file: its length and modification time as
/// written, and a hash of the content (or, for a copied file, the length and
/// modification time of the source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Written {
    pub len: u64,
    pub mtime: u128,
    pub sig: u128,
}

pub(super) type Manifest = HashMap<String, Written>;

pub(super) const MANIFEST: &str = "manifest";

const HEADER: &str =
    "# elementdocs output folder: length, mtime, content hash and path of each file it wrote\n";

pub(super) fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// The manifest at `path` (empty when missing or unreadable).
pub(super) fn load(path: Option<&Path>) -> Manifest {
    let Some(Ok(text)) = path.map(fs::read_to_string) else {
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

/// The manifest's text for these entries, sorted by path.
pub(super) fn text(entries: &mut [(String, Written)]) -> String {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut text = String::from(HEADER);
    for (rel, w) in entries.iter() {
        if !rel.contains(['\n', '\t']) {
            text.push_str(&format!("{}\t{}\t{:x}\t{rel}\n", w.len, w.mtime, w.sig));
        }
    }
    text
}

/// 128-bit xxh3 of a file's bytes: equal hashes are taken as equal content
/// (the odds of a collision are negligible next to disk errors).
pub(crate) fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// The signature of a source file for a copy: its length and mtime.
pub(super) fn copy_sig(meta: &fs::Metadata) -> u128 {
    (mtime_ns(meta) << 64) ^ u128::from(meta.len())
}

/// What the manifest should remember of `path`, just written with content `sig`.
pub(super) fn written(path: &Path, sig: u128) -> Option<Written> {
    fs::symlink_metadata(path).ok().map(|m| Written {
        len: m.len(),
        mtime: mtime_ns(&m),
        sig,
    })
}

/// Whether `old` (a file of the last write, with metadata `meta`) holds
/// `bytes` (content hash `sig`): known from `last` without reading when the
/// file is as last written, else compared.
pub(super) fn holds(
    old: &Path,
    meta: &fs::Metadata,
    bytes: &[u8],
    sig: u128,
    last: Option<&Written>,
) -> bool {
    if !meta.is_file() {
        return false;
    }
    if let Some(w) = last {
        if w.sig == sig && w.len == meta.len() && w.mtime == mtime_ns(meta) {
            return true;
        }
    }
    meta.len() == bytes.len() as u64 && fs::read(old).is_ok_and(|o| o == bytes)
}

/// Whether `old` is the copy the last write made of a source whose
/// signature is still `sig` (and has not been touched since).
pub(super) fn holds_copy(meta: &fs::Metadata, sig: u128, last: Option<&Written>) -> bool {
    meta.is_file()
        && last.is_some_and(|w| w.sig == sig && w.len == meta.len() && w.mtime == mtime_ns(meta))
}
