//! Small scanners over raw HTML: start tags with their attributes (for the
//! links, images and ids of raw HTML) and line/column positions.

use once_cell::sync::Lazy;
use regex::Regex;

/// A start tag `<name attr=...>` (or `<name .../>`), read as leniently as
/// browsers do (unquoted values may hold `=` or `/`, odd attribute names).
static START_TAG: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"<([A-Za-z][A-Za-z0-9-]*)((?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?)/?>"#)
        .expect("start tag regex")
});

static ATTR: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?"#)
        .expect("attribute regex")
});

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
        ATTR.captures_iter(self.attrs).map(move |c| {
            let name = c.get(1).map_or("", |m| m.as_str());
            let val = c.get(2).or_else(|| c.get(3)).or_else(|| c.get(4));
            let off = self.attrs_start + val.or(c.get(1)).map_or(0, |m| m.start());
            (name, val.map_or("", |m| m.as_str()), off)
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
    START_TAG.captures_iter(html).map(|c| {
        let all = c.get(0).expect("match");
        let attrs = c.get(2).expect("attrs group");
        StartTag {
            start: all.start(),
            end: all.end(),
            name: c.get(1).expect("name").as_str(),
            attrs_start: attrs.start(),
            attrs: attrs.as_str(),
        }
    })
}

/// The byte offsets where lines start, for offset → (line, column).
#[derive(Debug)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    /// 1-based line and column (in characters) of byte `offset` of `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let end = offset.min(text.len()).max(start);
        let col = text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line, col + 1)
    }
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

    #[test]
    fn line_and_column() {
        let t = "ab\ncdé\nf";
        let l = Lines::new(t);
        assert_eq!(l.line_col(t, 0), (1, 1));
        assert_eq!(l.line_col(t, 3), (2, 1));
        assert_eq!(l.line_col(t, 8), (3, 1));
    }
}
