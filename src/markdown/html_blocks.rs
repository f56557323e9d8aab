//! HTML elements whose content kramdown renders as Markdown: an element with
//! `markdown="span"` has its content parsed as span-level Markdown,
//! `markdown="1"` or `markdown="block"` as block-level Markdown. The
//! attribute itself is removed from the output.

use crate::html::Tag;

/// How the content of an HTML element is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentMode {
    Span,
    Block,
}

/// The mode asked for by a start tag's `markdown` attribute, if any.
pub fn markdown_mode(tag: &Tag<'_>) -> Option<ContentMode> {
    match tag.attr("markdown")?.value {
        "span" => Some(ContentMode::Span),
        // `1` means the element's own content model: span for these.
        "1" if SPAN_CONTENT
            .iter()
            .any(|n| tag.name.eq_ignore_ascii_case(n))
            || !is_block_element(tag.name) =>
        {
            Some(ContentMode::Span)
        }
        "1" | "block" => Some(ContentMode::Block),
        _ => None,
    }
}

/// kramdown's elements whose content is span-level (a subset of its
/// `HTML_CONTENT_MODEL_SPAN`: those that open a block).
const SPAN_CONTENT: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "th", "caption", "legend",
];

/// kramdown's span-level HTML elements (and void elements): everything else
/// opening an HTML block is a block element whose content stays raw.
const NOT_BLOCK: &[&str] = &[
    "a", "abbr", "acronym", "area", "b", "base", "bdo", "big", "br", "button", "cite", "code",
    "col", "del", "dfn", "em", "embed", "hr", "i", "img", "input", "ins", "kbd", "label", "link",
    "meta", "option", "param", "q", "rb", "rbc", "rp", "rt", "rtc", "ruby", "samp", "select",
    "small", "source", "span", "strong", "sub", "sup", "track", "tt", "u", "var", "wbr",
];

/// Whether an element opening an HTML block keeps its content raw.
pub fn is_block_element(name: &str) -> bool {
    // The list is sorted lowercase: compare with `name` lowercased, byte by byte.
    let lower = name.bytes().map(|b| b.to_ascii_lowercase());
    NOT_BLOCK
        .binary_search_by(|probe| probe.bytes().cmp(lower.clone()))
        .is_err()
}

/// The start tag written again without its `markdown` attribute.
pub fn tag_without_markdown(tag: &Tag<'_>, text: &str) -> String {
    let mut out = String::with_capacity(tag.end - tag.offset);
    out.push('<');
    out.push_str(tag.name);
    // The attribute list: after the name, before `>` or `/>`.
    let attrs_start = tag.offset + 1 + tag.name.len();
    let close = if text[..tag.end - 1].ends_with('/') {
        2
    } else {
        1
    };
    let attrs_end = (tag.end - close).max(attrs_start);
    let mut rest = &text[attrs_start..attrs_end];
    // Copy the attribute list, dropping `markdown=...` with its leading space.
    while let Some(pos) = find_markdown_attr(rest) {
        out.push_str(&rest[..pos.0]);
        rest = &rest[pos.1..];
    }
    out.push_str(rest);
    out.push_str(&text[attrs_end..tag.end]);
    out
}

/// Byte range (with the preceding whitespace) of a `markdown=` attribute.
fn find_markdown_attr(attrs: &str) -> Option<(usize, usize)> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("markdown") {
        let i = from + i;
        let before_ok = i == 0 || attrs.as_bytes()[i - 1].is_ascii_whitespace();
        let after = attrs[i + 8..].trim_start();
        if before_ok && after.starts_with('=') {
            let v = after[1..].trim_start();
            let vstart = attrs.len() - v.len();
            let vlen = match v.as_bytes().first() {
                Some(q @ (b'"' | b'\'')) => v[1..].find(*q as char).map_or(v.len(), |e| e + 2),
                _ => v.find(|c: char| c.is_whitespace()).unwrap_or(v.len()),
            };
            let start = attrs[..i].trim_end().len();
            return Some((start, vstart + vlen));
        }
        from = i + 8;
    }
    None
}

/// Byte range of the close tag matching an element `name` whose content
/// starts at `from` in `src` (nested elements of the same name are counted).
pub fn matching_close(src: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut i = from;
    while let Some(at) = src
        .as_bytes()
        .get(i..)
        .and_then(|r| memchr::memchr(b'<', r))
        .map(|p| i + p)
    {
        let rest = &src[at + 1..];
        let (closing, rest) = match rest.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let n = name.len();
        let named = rest.len() >= n
            // Bytes first: `n` may fall inside a multi-byte character after `<`.
            && rest.as_bytes()[..n].eq_ignore_ascii_case(name.as_bytes())
            && rest.is_char_boundary(n)
            && rest[n..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c.is_whitespace() || c == '/');
        if named {
            let end = src[at..].find('>').map_or(src.len(), |e| at + e + 1);
            if closing {
                if depth == 0 {
                    return Some((at, end));
                }
                depth -= 1;
            } else if !src[at..end].ends_with("/>") {
                depth += 1;
            }
            i = end;
        } else {
            i = at + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::tags as start_tags;

    #[test]
    fn removes_the_markdown_attribute() {
        let t = r#"<div markdown="span" class="note">"#;
        let tag = start_tags(t).next().unwrap();
        assert_eq!(markdown_mode(&tag), Some(ContentMode::Span));
        assert_eq!(tag_without_markdown(&tag, t), r#"<div class="note">"#);
        let t = r#"<section class="a" markdown=1>"#;
        let tag = start_tags(t).next().unwrap();
        assert_eq!(markdown_mode(&tag), Some(ContentMode::Block));
        assert_eq!(tag_without_markdown(&tag, t), r#"<section class="a">"#);
    }

    #[test]
    fn block_elements() {
        assert!(is_block_element("div") && is_block_element("TABLE"));
        assert!(!is_block_element("span") && !is_block_element("img"));
        let mut sorted = NOT_BLOCK.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, NOT_BLOCK);
    }

    #[test]
    fn finds_the_matching_close_tag() {
        let s = "a <div>b</div> c</DIV> d";
        let (a, b) = matching_close(s, 0, "div").unwrap();
        assert_eq!(&s[a..b], "</DIV>");
    }
}
