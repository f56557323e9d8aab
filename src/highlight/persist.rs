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
//! Layout, all text (so one UTF-8 check covers the file, and the blocks are
//! used in place, never copied out): the magic line, the stamp line, a line
//! with the CSS length and the block count, the CSS; then per block a line
//! with four lengths (fence word, code, canonical language or 0 for none,
//! HTML) followed by those four strings; last, a line with the xxh3 of
//! everything after the magic line, in hex.

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

const MAGIC: &str = "elementdocs highlight cache 2\n";

/// One cached block, as ranges of the file's text: the (lowercased) fence
/// word and code it was asked for, and what highlighting them gave.
pub(super) struct Record {
    pub lang: Range<usize>,
    pub code: Range<usize>,
    pub language: Option<Range<usize>>,
    pub html: Range<usize>,
}

/// What a cache file holds: its text and where each part is in it.
pub(super) struct Contents {
    pub text: Arc<str>,
    pub css: Range<usize>,
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
    let text = String::from_utf8(std::fs::read(path).ok()?).ok()?;
    let body_end = text.len().checked_sub(17)?;
    let body = text
        .get(MAGIC.len()..body_end)
        .filter(|_| text.starts_with(MAGIC))?;
    let sum = text.get(body_end..)?;
    if sum != format!("{:016x}\n", xxhash_rust::xxh3::xxh3_64(body.as_bytes())) {
        return None;
    }
    let mut r = Reader {
        text: &text,
        at: MAGIC.len(),
        end: body_end,
    };
    if r.line()? != stamp {
        return None;
    }
    let [css_len, count] = r.numbers()?;
    let css = r.take(css_len)?;
    // Each block takes at least 8 bytes: a damaged count cannot make a huge Vec.
    let mut records = Vec::with_capacity(count.min(body.len() / 8));
    for _ in 0..count {
        let [lang, code, language, html] = r.numbers()?;
        records.push(Record {
            lang: r.take(lang)?,
            code: r.take(code)?,
            language: match r.take(language)? {
                empty if empty.is_empty() => None,
                range => Some(range),
            },
            html: r.take(html)?,
        });
    }
    (r.at == r.end).then(|| Contents {
        text: text.into(),
        css,
        records,
    })
}

/// A block to write: fence word, code, canonical language and HTML.
pub(super) type Block<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);

/// Replace the cache file at `path` with `blocks` and the CSS. The file is
/// streamed (checksummed on the way): a build's blocks are megabytes, and
/// this runs while the pages' memory is still held.
pub(super) fn write<'a>(
    path: &Path,
    stamp: &str,
    css: &str,
    blocks: impl ExactSizeIterator<Item = Block<'a>>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut out = Summed {
        file: std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut()),
        sum: xxhash_rust::xxh3::Xxh3Default::new(),
    };
    out.file.write_all(MAGIC.as_bytes())?;
    let head = format!("{stamp}\n{} {}\n", css.len(), blocks.len());
    for part in [&*head, css] {
        out.put(part)?;
    }
    for (lang, code, language, html) in blocks {
        let language = language.unwrap_or("");
        let lens = format!(
            "{} {} {} {}\n",
            lang.len(),
            code.len(),
            language.len(),
            html.len()
        );
        for part in [&*lens, lang, code, language, html] {
            out.put(part)?;
        }
    }
    let sum = format!("{:016x}\n", out.sum.digest());
    out.file.write_all(sum.as_bytes())?;
    out.file.flush()?;
    drop(out);
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A buffered file with the checksum of what is put into it.
struct Summed<W: Write> {
    file: W,
    sum: xxhash_rust::xxh3::Xxh3Default,
}

impl<W: Write> Summed<W> {
    fn put(&mut self, s: &str) -> std::io::Result<()> {
        self.sum.update(s.as_bytes());
        self.file.write_all(s.as_bytes())
    }
}

/// Reads the parts of the file's text back; None as soon as something does
/// not fit.
struct Reader<'a> {
    text: &'a str,
    at: usize,
    end: usize,
}

impl Reader<'_> {
    /// The text up to the next newline (not included).
    fn line(&mut self) -> Option<&str> {
        let rest = self.text.get(self.at..self.end)?;
        let len = rest.find('\n')?;
        self.at += len + 1;
        Some(&rest[..len])
    }

    /// A line of `N` decimal numbers separated by spaces.
    fn numbers<const N: usize>(&mut self) -> Option<[usize; N]> {
        let line = self.line()?;
        let mut numbers = [0; N];
        let mut words = line.split(' ');
        for n in &mut numbers {
            *n = words.next()?.parse().ok()?;
        }
        words.next().is_none().then_some(numbers)
    }

    /// The next `len` bytes, which must end on a character boundary.
    fn take(&mut self, len: usize) -> Option<Range<usize>> {
        let range = self.at..self.at.checked_add(len)?;
        self.text
            .get(range.clone())
            .filter(|_| range.end <= self.end)?;
        self.at = range.end;
        Some(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::Highlighted;

    struct Sample {
        lang: String,
        code: String,
        result: Highlighted,
    }

    fn sample() -> Vec<Sample> {
        vec![
            Sample {
                lang: "json".into(),
                code: "{\"a\": 1}\n".into(),
                result: Highlighted {
                    html: "<span class=\"hl-source hl-json\">{</span>".into(),
                    language: Some("json".into()),
                },
            },
            Sample {
                lang: "".into(),
                code: "plain <tëxt> ü\n".into(),
                result: Highlighted {
                    html: "plain &lt;text&gt;\n".into(),
                    language: None,
                },
            },
        ]
    }

    fn write_sample(path: &Path, stamp: &str) {
        let records = sample();
        let iter = records.iter().map(|r| {
            let language = r.result.language.as_deref();
            (&*r.lang, &*r.code, language, &*r.result.html)
        });
        write(path, stamp, ".hl-a{}", iter).unwrap();
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/highlight");
        write_sample(&path, "v1");
        let back = read(&path, "v1").expect("written file reads back");
        let text = &back.text;
        assert_eq!(&text[back.css.clone()], ".hl-a{}");
        let want = sample();
        assert_eq!(back.records.len(), want.len());
        for (got, want) in back.records.iter().zip(&want) {
            assert_eq!(&text[got.lang.clone()], want.lang);
            assert_eq!(&text[got.code.clone()], want.code);
            assert_eq!(
                got.language.clone().map(|r| &text[r]),
                want.result.language.as_deref()
            );
            assert_eq!(&text[got.html.clone()], want.result.html);
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
