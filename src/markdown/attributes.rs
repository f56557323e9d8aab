//! kramdown's attribute lists: a block IAL (`{: .class #id key="v"}` alone
//! on a line, found by `extensions`) gives its attributes to the block it
//! follows directly, or else to the next block; a span IAL (`*a*{: .x}`)
//! to the span before it. `events` puts a marker before the element's
//! start tag, which [`apply`] replaces by the attributes once the page is
//! written. An ALD (`{:name: .x}`) defines attributes an IAL names.
//! GFM task lists reuse the markers for kramdown's classes.

use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The attributes of one IAL, ALD references resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub pairs: Vec<(String, String)>,
    /// `{:toc}`: the list it is on is the table of contents.
    pub toc: bool,
}

impl Attrs {
    /// The `language-x` class of a code block's IAL.
    pub fn language(&self) -> Option<&str> {
        self.classes
            .iter()
            .find_map(|c| c.strip_prefix("language-"))
    }
}

/// One block IAL: the 1-based line of the block it belongs to.
#[derive(Debug, Clone)]
pub struct BlockIal {
    /// The block ending on this line (the IAL follows it)...
    pub after: Option<usize>,
    /// ...or else the block starting on this line.
    pub before: Option<usize>,
    pub attrs: Attrs,
    pub used: bool,
    /// An IAL at the start of a list item (`* {: .x} text`): it belongs to
    /// the item starting on `before`, not to its list or paragraph.
    pub item: bool,
}

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\.([^\s.#=]+)|#([^\s.#=]+)|([\w:-]+)=(?:"((?:\\.|[^"])*)"|'((?:\\.|[^'])*)'|(\S+))|([\w-]+)"#)
        .unwrap()
});
/// Parse the inside of `{: ... }`; names of ALDs are looked up in `alds`.
pub(super) fn parse_attrs(text: &str, alds: &HashMap<String, Attrs>, into: &mut Attrs) {
    for t in TOKEN.captures_iter(text) {
        if let Some(c) = t.get(1) {
            into.classes.push(c.as_str().to_string());
        } else if let Some(id) = t.get(2) {
            into.id = Some(id.as_str().to_string());
        } else if let Some(k) = t.get(3) {
            let v = t
                .get(4)
                .or(t.get(5))
                .or(t.get(6))
                .map_or("", |v| v.as_str());
            // kramdown's escapes in a value: `\}` and the quote.
            let v = v
                .replace("\\\"", "\"")
                .replace("\\'", "'")
                .replace("\\}", "}");
            let k = k.as_str().to_string();
            into.pairs.retain(|(key, _)| *key != k);
            into.pairs.push((k, v));
        } else if let Some(name) = t.get(7) {
            let name = name.as_str();
            if name == "toc" {
                into.toc = true;
            } else if let Some(ald) = alds.get(name) {
                into.classes.extend(ald.classes.iter().cloned());
                if ald.id.is_some() {
                    into.id.clone_from(&ald.id);
                }
                into.pairs.extend(ald.pairs.iter().cloned());
            }
        }
    }
}

/// The marker `events` writes before a block's start tag for IAL `k`.
pub fn marker(k: usize) -> String {
    format!("\u{E000}{k}\u{E001}")
}

/// The marker `events` writes where the table of contents goes.
pub fn toc_marker(k: usize) -> String {
    format!("\u{E002}{k}\u{E003}")
}

/// Replace the markers in `html`: attributes merged into the next start
/// tag, tables of contents by `toc(k)`.
pub fn apply(html: &mut String, ials: &[BlockIal], toc: impl Fn(usize) -> String) {
    if !html.contains(['\u{E000}', '\u{E002}']) {
        return;
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html.as_str();
    while let Some(at) = rest.find(['\u{E000}', '\u{E002}']) {
        out.push_str(&rest[..at]);
        let is_toc = rest[at..].starts_with('\u{E002}');
        let close = if is_toc { '\u{E003}' } else { '\u{E001}' };
        let body_start = at + '\u{E000}'.len_utf8();
        let Some(len) = rest[body_start..].find(close) else {
            rest = &rest[body_start..];
            continue;
        };
        let k: usize = rest[body_start..body_start + len]
            .parse()
            .unwrap_or(usize::MAX);
        rest = &rest[body_start + len + close.len_utf8()..];
        if is_toc {
            out.push_str(&toc(k));
            continue;
        }
        let Some(attrs) = ials.get(k).map(|i| &i.attrs) else {
            continue;
        };
        // The next start tag: `<` and a letter.
        let Some(lt) = rest.match_indices('<').map(|(p, _)| p).find(|&p| {
            rest.as_bytes()
                .get(p + 1)
                .is_some_and(u8::is_ascii_alphabetic)
        }) else {
            continue;
        };
        let gt = tag_end(rest, lt);
        out.push_str(&rest[..lt]);
        out.push_str(&merge(&rest[lt..gt], attrs));
        rest = &rest[gt..];
    }
    out.push_str(rest);
    *html = out;
}

/// Offset of the `>` (or `/>`) ending the tag that starts at `lt`.
fn tag_end(s: &str, lt: usize) -> usize {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate().skip(lt) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => {
                return if s.as_bytes()[i - 1] == b'/' {
                    i - 1
                } else {
                    i
                };
            }
            _ => {}
        }
    }
    s.len()
}

static ATTR_IN_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\s([\w:-]+)="([^"]*)""#).unwrap());

/// `tag` (a start tag without its `>`) with `attrs` merged in: classes
/// added, an id or another attribute replaced.
pub(super) fn merge(tag: &str, attrs: &Attrs) -> String {
    let mut existing: Vec<(String, String)> = ATTR_IN_TAG
        .captures_iter(tag)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    let name_end = tag[1..]
        .find(|c: char| c.is_whitespace() || c == '/')
        .map_or(tag.len(), |p| p + 1);
    let old_classes: Vec<String> = existing
        .iter()
        .find(|(k, _)| k == "class")
        .map(|(_, v)| v.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    let mut set = |k: &str, v: String| match existing.iter_mut().find(|(key, _)| key == k) {
        Some(e) => e.1 = v,
        None => existing.push((k.to_string(), v)),
    };
    if !attrs.classes.is_empty() {
        let mut classes = old_classes;
        classes.extend(attrs.classes.iter().cloned());
        set("class", classes.join(" "));
    }
    if let Some(id) = &attrs.id {
        set(
            "id",
            html_escape::encode_double_quoted_attribute(id).into_owned(),
        );
    }
    for (k, v) in &attrs.pairs {
        set(
            k,
            html_escape::encode_double_quoted_attribute(v).into_owned(),
        );
    }
    let mut s = tag[..name_end].to_string();
    for (k, v) in existing {
        s.push_str(&format!(" {k}=\"{v}\""));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_into_the_next_start_tag() {
        let ials = vec![BlockIal {
            after: None,
            before: None,
            attrs: Attrs {
                id: Some("x".into()),
                classes: vec!["c".into()],
                ..Default::default()
            },
            used: true,
            item: false,
        }];
        let mut html = format!("{}<h2 id=\"auto\" class=\"a\">T</h2><hr />", marker(0));
        apply(&mut html, &ials, |_| String::new());
        assert_eq!(html, "<h2 id=\"x\" class=\"a c\">T</h2><hr />");
    }
}
