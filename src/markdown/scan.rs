//! What the Markdown stage reads in raw HTML: start tags (through
//! [`crate::html`]), the HTML elements a browser takes for tags where
//! CommonMark saw text, line/column positions, and two scans of span
//! text (a block marker at its start, an escaped character).

/// HTML elements: text that opens one of these is a tag for a browser even
/// when CommonMark rejects its attribute syntax.
const ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "big",
    "blockquote",
    "br",
    "button",
    "caption",
    "center",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figure",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
];

use crate::html::{self, Tag};

/// Start tags of known HTML elements in text (CommonMark left them as text).
pub fn lenient_tags(text: &str) -> impl Iterator<Item = Tag<'_>> {
    html::tags(text).filter(|t| {
        ELEMENTS
            .binary_search(&t.name.to_ascii_lowercase().as_str())
            .is_ok()
    })
}

/// Offset → (line, column) for positions asked in (mostly) increasing
/// order: the newlines are counted from the last position asked, so a page
/// is scanned about once however many links it has, and not at all without.
#[derive(Debug, Default)]
pub struct Lines {
    /// The last offset asked, its 1-based line and column, and the offset
    /// where that line starts.
    at: usize,
    line: usize,
    col: usize,
    line_start: usize,
}

impl Lines {
    pub fn new() -> Lines {
        Lines {
            at: 0,
            line: 1,
            col: 1,
            line_start: 0,
        }
    }

    /// 1-based line and column (in characters) of byte `offset` of `text`
    /// (always the same text). Offsets are mostly asked in increasing
    /// order: only the text since the last one is counted, so a page of
    /// one long line with many links costs one pass, not one per link.
    pub fn line_col(&mut self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        if offset < self.at {
            *self = Lines::new();
        }
        let skipped = &text.as_bytes()[self.at..offset];
        self.line += count_newlines(skipped);
        let counted_from = match skipped.iter().rposition(|&b| b == b'\n') {
            Some(nl) => {
                self.line_start = self.at + nl + 1;
                self.col = 1;
                self.line_start
            }
            None => self.at,
        };
        self.col += text
            .get(counted_from..offset)
            .map_or(offset - counted_from, |s| s.chars().count());
        self.at = offset;
        (self.line, self.col)
    }
}

/// The number of `\n` in `b`, counted in byte-sized sums the compiler vectorizes.
fn count_newlines(b: &[u8]) -> usize {
    b.chunks(255)
        .map(|chunk| {
            let n = chunk.iter().fold(0u8, |n, &c| n + u8::from(c == b'\n'));
            usize::from(n)
        })
        .sum()
}

/// Length of a block marker (with the whitespace before it) at the start of
/// span content, which a block parser would read as a quote, heading or list.
pub(super) fn span_block_marker(s: &str) -> usize {
    let t = s.trim_start();
    let ws = s.len() - t.len();
    let b = t.as_bytes();
    let spaced = |k: usize| b.get(k).is_none_or(|c| c.is_ascii_whitespace());
    let len = match b.first() {
        Some(b'>') => 1,
        Some(b'#') if spaced(b.iter().take_while(|&&c| c == b'#').count()) => {
            b.iter().take_while(|&&c| c == b'#').count()
        }
        Some(b'-' | b'+' | b'*' | b'=') if spaced(1) => 1,
        Some(c) if c.is_ascii_digit() => {
            let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
            if matches!(b.get(d), Some(b'.' | b')')) && spaced(d + 1) {
                d + 1
            } else {
                0
            }
        }
        _ => 0,
    };
    if len == 0 {
        return 0;
    }
    // The spaces after the marker are text too (a paragraph would drop them).
    let after = t[len..].len() - t[len..].trim_start_matches([' ', '\t']).len();
    ws + len + after
}

/// Whether the character at `at` is escaped by an odd run of backslashes.
pub(super) fn escaped_at(src: &str, at: usize) -> bool {
    let run = src.as_bytes()[..at]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    run % 2 == 1 && src[at..].starts_with(|c: char| c.is_ascii_punctuation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_and_attributes() {
        let html = r#"x <a href=#top class='c'>t</a><img src="i.png" alt="a b"/><br/>"#;
        let tags: Vec<_> = html::tags(html).collect();
        assert_eq!(tags.len(), 3);
        assert_eq!(tags[0].name, "a");
        assert_eq!(tags[0].attr("href").map(|a| a.value), Some("#top"));
        let src = tags[1].attr("src").unwrap();
        assert_eq!(&html[src.start..src.end], "i.png");
    }

    #[test]
    fn lenient_tags_are_known_elements() {
        let t = r#"<span style:"color:red">x <filename.pdf> <a href=https://a/?b=c&d=/e>y"#;
        let tags: Vec<_> = lenient_tags(t).map(|t| t.name).collect();
        assert_eq!(tags, ["span", "a"]);
        let a = lenient_tags(t).nth(1).unwrap();
        assert_eq!(a.attr("href").map(|a| a.value), Some("https://a/?b=c&d=/e"));
        let mut sorted = ELEMENTS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, ELEMENTS);
    }

    #[test]
    fn line_and_column() {
        let t = "ab\ncdé\nf";
        let mut l = Lines::new();
        assert_eq!(l.line_col(t, 0), (1, 1));
        assert_eq!(l.line_col(t, 3), (2, 1));
        assert_eq!(l.line_col(t, 8), (3, 1));
        assert_eq!(l.line_col(t, 5), (2, 3));
        assert_eq!(l.line_col(t, 7), (2, 4));
        assert_eq!(l.line_col(t, 99), (3, 2));
        assert_eq!(l.line_col(t, 2), (1, 3));
    }

    /// Every char boundary, in order and in a shuffled order, as counted
    /// from the start of the text each time.
    #[test]
    fn line_and_column_like_a_full_count() {
        let t = "a é\n\nxy\u{a0}z \nlast line é é\n";
        let full = |offset: usize| {
            let before = &t[..offset];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |k| k + 1);
            (line, before[start..].chars().count() + 1)
        };
        let mut offsets: Vec<usize> = (0..=t.len()).filter(|&k| t.is_char_boundary(k)).collect();
        let mut l = Lines::new();
        for &o in &offsets {
            assert_eq!(l.line_col(t, o), full(o), "{o}");
        }
        offsets.sort_by_key(|&o| (o * 7) % 11);
        for &o in &offsets {
            assert_eq!(l.line_col(t, o), full(o), "{o}");
        }
    }
}
