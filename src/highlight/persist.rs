//! The highlighted blocks of the last build into an output folder, kept in
//! that folder's state directory (see [`crate::output::state_dir`]) so that
//! the next build parses no code block it has already seen, as Jekyll's
//! `.jekyll-cache` keeps its converted Markdown between builds.
//!
//! The file is a cache, never a source of truth:
//! * it is stamped with this binary's version, size and modification time,
//!   so a rebuilt or upgraded `elementdocs` (other grammars, other HTML)
//!   ignores it;
//! * it ends with a checksum of everything before it; a file that is short,
//!   damaged or from another format is ignored, and the blocks are
//!   highlighted again;
//! * it is replaced whole (written beside, then renamed), so a build that
//!   stops half-way leaves the previous file.
//!
//! Layout: the magic line, then length-prefixed strings (little-endian
//! `u32` lengths): the stamp, the CSS, the number of blocks, each block's
//! fence language, code, canonical language (empty: none) and HTML; last,
//! the xxh3 of all of it.

use super::Highlighted;
use std::io::Write;
use std::path::Path;

const MAGIC: &[u8] = b"elementdocs highlight cache 1\n";

/// One cached block: the (lowercased) fence word and code it was asked for,
/// and what highlighting them gave.
pub(super) struct Record {
    pub lang: String,
    pub code: String,
    pub result: Highlighted,
}

/// What a cache file holds.
pub(super) struct Contents {
    pub css: String,
    pub records: Vec<Record>,
}

/// What identifies this binary's output: a file written by another build of
/// elementdocs is not read. None when the binary cannot be looked at (then
/// nothing is cached).
pub(super) fn stamp() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!(
        "{} {} {mtime}",
        env!("CARGO_PKG_VERSION"),
        meta.len()
    ))
}

/// The contents of the cache file at `path` if it is whole and was written
/// by a binary with this `stamp`.
pub(super) fn read(path: &Path, stamp: &str) -> Option<Contents> {
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(MAGIC)?;
    let (body, sum) = body.split_at(body.len().checked_sub(8)?);
    if xxhash_rust::xxh3::xxh3_64(body).to_le_bytes() != sum {
        return None;
    }
    let mut r = Reader(body);
    if r.str()? != stamp {
        return None;
    }
    let css = r.str()?.to_string();
    let count = r.u32()? as usize;
    // Each record takes at least 16 bytes: a damaged count cannot make a huge Vec.
    let mut records = Vec::with_capacity(count.min(r.0.len() / 16));
    for _ in 0..count {
        let lang = r.str()?.to_string();
        let code = r.str()?.to_string();
        let language = r.str()?;
        let html = r.str()?.to_string();
        records.push(Record {
            lang,
            code,
            result: Highlighted {
                html,
                language: (!language.is_empty()).then(|| language.to_string()),
            },
        });
    }
    r.0.is_empty().then_some(Contents { css, records })
}

/// Replace the cache file at `path` with `records` (and the CSS).
pub(super) fn write<'a>(
    path: &Path,
    stamp: &str,
    css: &str,
    records: impl ExactSizeIterator<Item = (&'a str, &'a str, &'a Highlighted)>,
) -> std::io::Result<()> {
    let mut out = MAGIC.to_vec();
    put_str(&mut out, stamp);
    put_str(&mut out, css);
    put_u32(&mut out, records.len());
    for (lang, code, result) in records {
        put_str(&mut out, lang);
        put_str(&mut out, code);
        put_str(&mut out, result.language.as_deref().unwrap_or(""));
        put_str(&mut out, &result.html);
    }
    let sum = xxhash_rust::xxh3::xxh3_64(&out[MAGIC.len()..]);
    out.extend_from_slice(&sum.to_le_bytes());
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&out)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    // Blocks above 64 KiB are never cached; the CSS is a few KiB.
    let n = u32::try_from(n).expect("cache strings are far below 4 GiB");
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Reads the strings back; None as soon as something does not fit.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_le_bytes(*head))
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.u32()? as usize;
        if len > self.0.len() {
            return None;
        }
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        std::str::from_utf8(s).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        vec![
            Record {
                lang: "json".into(),
                code: "{\"a\": 1}\n".into(),
                result: Highlighted {
                    html: "<span class=\"hl-source hl-json\">{</span>".into(),
                    language: Some("json".into()),
                },
            },
            Record {
                lang: "".into(),
                code: "plain <text>\n".into(),
                result: Highlighted {
                    html: "plain &lt;text&gt;\n".into(),
                    language: None,
                },
            },
        ]
    }

    fn write_sample(path: &Path, stamp: &str) {
        let records = sample();
        let iter = records.iter().map(|r| (&*r.lang, &*r.code, &r.result));
        write(path, stamp, ".hl-a{}", iter).unwrap();
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/highlight");
        write_sample(&path, "v1");
        let back = read(&path, "v1").expect("written file reads back");
        assert_eq!(back.css, ".hl-a{}");
        let want = sample();
        assert_eq!(back.records.len(), want.len());
        for (got, want) in back.records.iter().zip(&want) {
            assert_eq!(
                (&got.lang, &got.code, &got.result),
                (&want.lang, &want.code, &want.result)
            );
        }
    }

    #[test]
    fn another_binary_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("highlight");
        write_sample(&path, "v1");
        assert!(read(&path, "v2").is_none());
    }

    #[test]
    fn damaged_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("highlight");
        write_sample(&path, "v1");
        let whole = std::fs::read(&path).unwrap();
        // Every truncation and every single flipped byte is refused.
        for cut in 0..whole.len() {
            std::fs::write(&path, &whole[..cut]).unwrap();
            assert!(read(&path, "v1").is_none(), "truncated at {cut}");
        }
        for at in 0..whole.len() {
            let mut bad = whole.clone();
            bad[at] ^= 0x20;
            std::fs::write(&path, &bad).unwrap();
            assert!(read(&path, "v1").is_none(), "byte {at} flipped");
        }
        assert!(read(&dir.path().join("missing"), "v1").is_none());
    }

    #[test]
    fn stamp_names_this_binary() {
        let s = stamp().expect("the test binary can be looked at");
        assert!(s.starts_with(env!("CARGO_PKG_VERSION")));
        assert_eq!(stamp().as_deref(), Some(&*s), "stable within a process");
    }
}
