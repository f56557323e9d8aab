//! Small scanners over raw HTML: start tags with their attributes (for the
//! links, images and ids of raw HTML) and line/column positions.
//!
//! The tag and attribute scanners are hand-written byte scans: they run on
//! every raw HTML event of every page, where a regex with captures cost more
//! than the rest of the HTML handling. They match exactly what these regexes
//! (leftmost-first) match, which the tests check:
//! start tag `<([A-Za-z][A-Za-z0-9-]*)((?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?)/?>`,
//! attribute `([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?`.

use std::ops::Range;

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

/// Start tags of known HTML elements in text (CommonMark left them as text).
pub fn lenient_tags(text: &str) -> impl Iterator<Item = StartTag<'_>> {
    start_tags(text).filter(|t| {
        ELEMENTS
            .binary_search(&t.name.to_ascii_lowercase().as_str())
            .is_ok()
    })
}

/// One start tag found in raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTag<'a> {
    /// Byte range of the whole tag in the scanned text.
    pub start: usize,
    pub end: usize,
    pub name: &'a str,
    /// Byte range of the attribute list (after the name).
    pub attrs_start: usize,
    pub attrs: &'a str,
}

impl<'a> StartTag<'a> {
    /// The attributes: (name, value, byte offset of the value or name in the scanned text).
    pub fn attributes(&self) -> impl Iterator<Item = (&'a str, &'a str, usize)> + '_ {
        let attrs = self.attrs;
        let mut at = 0;
        std::iter::from_fn(move || {
            let (name, value, next) = next_attribute(attrs, at)?;
            at = next;
            let off = self.attrs_start + value.as_ref().unwrap_or(&name).start;
            let value = value.map_or("", |v| &attrs[v]);
            Some((&attrs[name], value, off))
        })
    }

    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.attributes()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v, _)| v)
    }
}

/// Every start tag in `html`, in order.
pub fn start_tags(html: &str) -> impl Iterator<Item = StartTag<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(rel) = html.as_bytes()[from..].iter().position(|&b| b == b'<') {
            let lt = from + rel;
            match start_tag_at(html, lt) {
                Some(tag) => {
                    from = tag.end;
                    return Some(tag);
                }
                None => from = lt + 1,
            }
        }
        from = html.len();
        None
    })
}

/// The start tag beginning with the `<` at `lt`, if one does.
fn start_tag_at(html: &str, lt: usize) -> Option<StartTag<'_>> {
    let b = html.as_bytes();
    let name_start = lt + 1;
    if !b.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let name_end = name_start
        + b[name_start..]
            .iter()
            .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'-')
            .count();
    let attrs_start = name_end;
    let mut k = name_end;
    // The attribute list starts with whitespace; the name may not end otherwise.
    if let Some(c) = html[k..].chars().next().filter(|c| c.is_whitespace()) {
        k += c.len_utf8();
        k = skip_attribute_text(html, k);
    }
    let attrs_end = k;
    if b.get(k) == Some(&b'/') {
        k += 1;
    }
    if b.get(k) != Some(&b'>') {
        return None;
    }
    Some(StartTag {
        start: lt,
        end: k + 1,
        name: &html[name_start..name_end],
        attrs_start,
        attrs: &html[attrs_start..attrs_end],
    })
}

/// Skip `(?:[^<>"']|"[^"]*"|'[^']*')*` from `k`: up to a `<`, a `>` or a
/// quote that is never closed.
fn skip_attribute_text(html: &str, mut k: usize) -> usize {
    let b = html.as_bytes();
    while let Some(&c) = b.get(k) {
        match c {
            b'<' | b'>' => break,
            b'"' | b'\'' => match b[k + 1..].iter().position(|&q| q == c) {
                Some(close) => k += close + 2,
                None => break,
            },
            _ => k += 1,
        }
    }
    k
}

/// A character that may be part of an attribute name.
fn is_attr_name_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '"' | '\'' | '=' | '<' | '>' | '/' | '`')
}

/// The next attribute of `attrs` from byte `from`: the ranges of its name
/// and value (None without `=`) and where the scan goes on.
type AttrRanges = (Range<usize>, Option<Range<usize>>, usize);

fn next_attribute(attrs: &str, mut from: usize) -> Option<AttrRanges> {
    // Skip to the first character that can start a name.
    loop {
        let c = attrs[from..].chars().next()?;
        if is_attr_name_char(c) {
            break;
        }
        from += c.len_utf8();
    }
    let name_end = attrs[from..]
        .char_indices()
        .find(|&(_, c)| !is_attr_name_char(c))
        .map_or(attrs.len(), |(k, _)| from + k);
    match attribute_value(attrs, name_end) {
        Some((value, end)) => Some((from..name_end, Some(value), end)),
        None => Some((from..name_end, None, name_end)),
    }
}

/// `\s*=\s*` then a quoted or unquoted value at `k`: (value range, end).
fn attribute_value(attrs: &str, k: usize) -> Option<(Range<usize>, usize)> {
    let skip_ws = |k: usize| {
        attrs[k..]
            .char_indices()
            .find(|&(_, c)| !c.is_whitespace())
            .map_or(attrs.len(), |(n, _)| k + n)
    };
    let k = skip_ws(k);
    if attrs.as_bytes().get(k) != Some(&b'=') {
        return None;
    }
    let k = skip_ws(k + 1);
    let b = attrs.as_bytes();
    let q = *b.get(k)?;
    if q == b'"' || q == b'\'' {
        if let Some(close) = b[k + 1..].iter().position(|&c| c == q) {
            let end = k + 1 + close;
            return Some((k + 1..end, end + 1));
        }
    }
    // Unquoted (an unclosed quote is part of the value): `[^\s>]+`.
    let end = attrs[k..]
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || c == '>')
        .map_or(attrs.len(), |(n, _)| k + n);
    (end > k).then_some((k..end, end))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_and_attributes() {
        let html = r#"x <a href=#top class='c'>t</a><img src="i.png" alt="a b"/><br/>"#;
        let tags: Vec<_> = start_tags(html).collect();
        assert_eq!(tags.len(), 3);
        assert_eq!(tags[0].name, "a");
        assert_eq!(tags[0].attr("href"), Some("#top"));
        assert_eq!(tags[1].attr("src"), Some("i.png"));
        let (_, v, off) = tags[1].attributes().next().unwrap();
        assert_eq!(&html[off..off + v.len()], "i.png");
    }

    #[test]
    fn lenient_tags_are_known_elements() {
        let t = r#"<span style:"color:red">x <filename.pdf> <a href=https://a/?b=c&d=/e>y"#;
        let tags: Vec<_> = lenient_tags(t).map(|t| t.name).collect();
        assert_eq!(tags, ["span", "a"]);
        let a = lenient_tags(t).nth(1).unwrap();
        assert_eq!(a.attr("href"), Some("https://a/?b=c&d=/e"));
        let mut sorted = ELEMENTS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, ELEMENTS);
    }

    /// The regexes the scanners stand for, as reference.
    fn regex_tags(html: &str) -> Vec<ScannedTag> {
        use std::sync::OnceLock;
        static RES: OnceLock<(regex::Regex, regex::Regex)> = OnceLock::new();
        let (tag_re, attr_re) = RES.get_or_init(|| {
            let tag = r#"<([A-Za-z][A-Za-z0-9-]*)((?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?)/?>"#;
            let attr = r#"([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?"#;
            (
                regex::Regex::new(tag).unwrap(),
                regex::Regex::new(attr).unwrap(),
            )
        });
        tag_re
            .captures_iter(html)
            .map(|c| {
                let all = c.get(0).unwrap();
                let attrs = c.get(2).unwrap();
                let list = attr_re
                    .captures_iter(attrs.as_str())
                    .map(|a| {
                        let val = a.get(2).or_else(|| a.get(3)).or_else(|| a.get(4));
                        let off = attrs.start() + val.or(a.get(1)).unwrap().start();
                        let v = val.map_or("", |m| m.as_str());
                        (a[1].to_string(), v.to_string(), off)
                    })
                    .collect();
                (
                    all.start(),
                    all.end(),
                    c[1].to_string(),
                    attrs.start(),
                    list,
                )
            })
            .collect()
    }

    /// (start, end, name, attrs_start, attributes) of a tag.
    type ScannedTag = (usize, usize, String, usize, Vec<(String, String, usize)>);

    fn scanned_tags(html: &str) -> Vec<ScannedTag> {
        start_tags(html)
            .map(|t| {
                let list = t
                    .attributes()
                    .map(|(n, v, o)| (n.to_string(), v.to_string(), o))
                    .collect();
                (t.start, t.end, t.name.to_string(), t.attrs_start, list)
            })
            .collect()
    }

    #[test]
    fn scanners_match_the_regexes() {
        let cases = [
            r#"x <a href=#top class='c'>t</a><img src="i.png" alt="a b"/><br/>"#,
            r#"<div markdown="span" class="note">a</div> <p/> <p / > <x-y>"#,
            r#"<a href="x>y" title='q"r'> <b c="unclosed> <i d='e'>"#,
            "<span\tstyle:\"color:red\">x <filename.pdf> <a href=https://a/?b=c&d=/e>y",
            "<a\u{a0}href=x> <a\u{3000}b = \"c\" d= e f =g h=>i> <a =x> <a \"q\" r>",
            "<a href=\"unclosed x=y z='w'> <a href= > <a b=\n'c'\n>",
            "<1a> <a1-b2 c> <<a b>> <a b<c> <a b=\"<\"> <a/b> <a /b=c/>",
            "<é> <aé b=é> <a b=`c`> <a `b`=c> <a b='' c=\"\"> <a\u{2028}b>",
            "<a b=c/> <a b=\"c\"/> <a\n> <a\r\nb\r\n=\r\nc> <a b=\u{a0}c> <a b\u{85}=c>",
            "<a b=\"c\"d=e'f'> <a 'x> <a x='> <a x=\"'\" y='\"'>",
        ];
        for html in cases {
            assert_eq!(scanned_tags(html), regex_tags(html), "{html}");
        }
        // And on pseudo-random strings of the characters that matter.
        let alphabet: Vec<char> = "<>aB1-=\"'/` \n\u{a0}éx".chars().collect();
        let mut seed = 12345u64;
        for _ in 0..3000 {
            let mut html = String::new();
            for _ in 0..(seed >> 60) * 3 + 2 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                html.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            assert_eq!(scanned_tags(&html), regex_tags(&html), "{html:?}");
        }
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
