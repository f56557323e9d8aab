//! kramdown's block attribute lists, read before the page is parsed.
//!
//! * A block IAL (`{: .class #id key="v"}` alone on a line) gives its
//!   attributes to the block it follows directly, or else to the next
//!   block. Its line is blanked (same length, so every offset stays), and
//!   `events` puts a marker before the block's start tag that [`apply`]
//!   replaces by the attributes once the page is written.
//! * An ALD (`{:name: .x}`) defines attributes an IAL names (`{: name}`).
//! * `{:toc}` on a list replaces the list by the table of contents.
//! * `{::comment}`...`{:/comment}` becomes an HTML comment, as kramdown
//!   writes it.
//!
//! Constructs of kramdown that elementdocs does not render (span IALs,
//! `{::nomarkdown}`, `{::options}`, abbreviations, `$$` math) are warned
//! at their line and column instead of being left silently as text.

use super::events::{find_end, Ctx, Spanned};
use crate::diag::Diagnostic;
use pulldown_cmark::{CowStr, Event, Tag};
use regex::Regex;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
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
}

/// A construct read here but not rendered: (1-based line, column, what).
pub type Unsupported = (usize, usize, &'static str);

static IAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\{:(\s*[^:}\s][^}]*|\s*)\}\s*$").unwrap());
static ALD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\{:([\w-]+):([^}]*)\}\s*$").unwrap());
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\.([^\s.#=]+)|#([^\s.#=]+)|([\w:-]+)=(?:"((?:\\.|[^"])*)"|'((?:\\.|[^'])*)'|(\S+))|([\w-]+)"#)
        .unwrap()
});
static SPAN_IAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[*_`)\]]\{:[^}]*\}").unwrap());

/// Parse the inside of `{: ... }`; names of ALDs are looked up in `alds`.
fn parse_attrs(text: &str, alds: &HashMap<String, Attrs>, into: &mut Attrs) {
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
            let v = v.replace("\\\"", "\"").replace("\\'", "'");
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

fn fence_marker(line: &str) -> Option<(u8, usize)> {
    let t = line.trim_start();
    let ch = *t.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let n = t.bytes().take_while(|&b| b == ch).count();
    (n >= 3).then_some((ch, n))
}

/// The page with IAL, ALD and comment-extension lines rewritten (every
/// offset kept), its block IALs, and the kramdown constructs not rendered.
pub fn extract(md: &str) -> (Cow<'_, str>, Vec<BlockIal>, Vec<Unsupported>) {
    let mut ials = vec![];
    let mut unsupported = vec![];
    // Cheap test first: most pages have none of these.
    if !md.contains("{:") && !md.contains("*[") && !md.contains("$$") {
        return (Cow::Borrowed(md), ials, unsupported);
    }
    let lines: Vec<&str> = md.split_inclusive('\n').collect();
    let mut out: Vec<Cow<'_, str>> = lines.iter().map(|l| Cow::Borrowed(*l)).collect();
    let mut alds: HashMap<String, Attrs> = HashMap::new();
    let mut fence: Option<(u8, usize)> = None;
    let blank = |l: &str| l.trim().is_empty();
    let mut comment_from: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some((ch, n)) = fence {
            if fence_marker(line).is_some_and(|(c, m)| c == ch && m >= n) {
                fence = None;
            }
            continue;
        }
        if let Some(f) = fence_marker(line) {
            fence = Some(f);
            continue;
        }
        let content = line.trim_end_matches(['\n', '\r']);
        if comment_from.is_some() {
            let t = content.trim();
            if t == "{:/comment}" || t == "{:/}" {
                out[i] = Cow::Owned(blanked(line, "-->"));
                comment_from = None;
            }
            continue;
        }
        if content.trim() == "{::comment}" {
            out[i] = Cow::Owned(blanked(line, "<!--"));
            comment_from = Some(i);
            continue;
        }
        if let Some(c) = ALD.captures(content) {
            let mut a = Attrs::default();
            parse_attrs(&c[2], &alds, &mut a);
            alds.insert(c[1].to_string(), a);
            out[i] = Cow::Owned(blanked(line, ""));
            continue;
        }
        if let Some(c) = IAL.captures(content) {
            let mut attrs = Attrs::default();
            parse_attrs(&c[1], &alds, &mut attrs);
            let prev = i.checked_sub(1).filter(|&p| !blank(lines[p]));
            let next = (i + 1..lines.len()).find(|&k| !blank(lines[k]));
            ials.push(BlockIal {
                after: prev.map(|p| p + 1),
                before: if prev.is_none() {
                    next.map(|k| k + 1)
                } else {
                    None
                },
                attrs,
                used: false,
            });
            out[i] = Cow::Owned(blanked(line, ""));
            continue;
        }
        note_unsupported(content, i + 1, &mut unsupported);
    }
    if let Some(from) = comment_from {
        // Never closed: kramdown keeps the rest of the page as the comment.
        out.push(Cow::Borrowed(if md.ends_with('\n') {
            "-->\n"
        } else {
            "\n-->\n"
        }));
        let _ = from;
    }
    let text: String = out.concat();
    (Cow::Owned(text), ials, unsupported)
}

/// `line` with `keep` at its start and spaces for the rest of it (its end
/// of line kept), so offsets after it do not move.
fn blanked(line: &str, keep: &str) -> String {
    let eol = &line[line.trim_end_matches(['\n', '\r']).len()..];
    let body = line.len() - eol.len();
    let mut s = String::with_capacity(line.len().max(keep.len()));
    s.push_str(keep);
    for _ in keep.len()..body {
        s.push(' ');
    }
    s.push_str(eol);
    s
}

fn note_unsupported(line: &str, n: usize, out: &mut Vec<Unsupported>) {
    let col = |at: usize| line[..at].chars().count() + 1;
    if let Some(m) = SPAN_IAL.find(line) {
        out.push((n, col(m.start() + 1), "a span IAL (`{: ...}` after a span)"));
    }
    for (ext, what) in [
        ("{::nomarkdown", "the `{::nomarkdown}` extension"),
        ("{::options", "the `{::options}` extension"),
        ("{::comment}", "an inline `{::comment}` extension"),
    ] {
        if let Some(at) = line.find(ext) {
            out.push((n, col(at), what));
        }
    }
    if line.starts_with("*[") && line.contains("]:") {
        out.push((n, 1, "an abbreviation definition (`*[ABBR]: ...`)"));
    }
    if let Some(at) = line.find("$$") {
        out.push((n, col(at), "kramdown math (`$$...$$`)"));
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
fn merge(tag: &str, attrs: &Attrs) -> String {
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

/// kramdown's table of contents for `{:toc}`: the page's headings
/// (level, text, id; those without id or marked `no_toc` left out) as
/// nested lists, each entry linking its heading and carrying the id
/// `markdown-toc-<id>`.
pub fn toc(headings: &[(u8, &str, &str)], ordered: bool, attrs: &Attrs) -> String {
    let tag = if ordered { "ol" } else { "ul" };
    let mut own = attrs.clone();
    own.id = Some("markdown-toc".into());
    let mut out = merge(&format!("<{tag}"), &own);
    out.push_str(
        ">
",
    );
    toc_level(headings, tag, &mut out);
    out.push_str(&format!("</{tag}>\n"));
    out
}

fn toc_level(headings: &[(u8, &str, &str)], tag: &str, out: &mut String) {
    let mut i = 0;
    while i < headings.len() {
        let (level, text, id) = headings[i];
        // Its children: the headings after it, down to one as high as it.
        let end = headings[i + 1..]
            .iter()
            .position(|h| h.0 <= level)
            .map_or(headings.len(), |p| i + 1 + p);
        let id = html_escape::encode_double_quoted_attribute(id);
        out.push_str(&format!(
            "<li><a href=\"#{id}\" id=\"markdown-toc-{id}\">{}</a>",
            html_escape::encode_text(text)
        ));
        if end > i + 1 {
            out.push_str(&format!("\n<{tag}>\n"));
            toc_level(&headings[i + 1..end], tag, out);
            out.push_str(&format!("</{tag}>\n"));
        }
        out.push_str("</li>\n");
        i = end;
    }
}

impl Ctx<'_> {
    /// The page's block IALs, and a warning for each kramdown construct
    /// it has that is not rendered.
    pub(in crate::markdown) fn attributes(
        &mut self,
        ials: Vec<BlockIal>,
        unsupported: &[Unsupported],
    ) {
        self.ials = ials;
        for &(line, col, what) in unsupported {
            self.out.warnings.push(
                Diagnostic::warning(
                    self.file,
                    self.first_line + line - 1,
                    col,
                    format!("kramdown's {what} is not supported: left as text"),
                )
                .with_help("write the HTML it stands for, or leave it out"),
            );
        }
    }

    /// The markers `process` left replaced: attributes into tags, the
    /// tables of contents built from the page's headings.
    pub(super) fn apply_attributes(&mut self, html: &mut String) {
        let tocs: Vec<String> = self
            .tocs
            .iter()
            .map(|&(k, ordered)| {
                let entries: Vec<(u8, &str, &str)> = self
                    .out
                    .headings
                    .iter()
                    .enumerate()
                    .filter(|(n, h)| !h.id.is_empty() && !self.no_toc.contains(n))
                    .map(|(_, h)| (h.level, h.text.as_str(), h.id.as_str()))
                    .collect();
                toc(&entries, ordered, &self.ials[k].attrs)
            })
            .collect();
        apply(html, &self.ials, |t| {
            tocs.get(t).cloned().unwrap_or_default()
        });
    }

    /// Before the block at `evs[i]`, the marker of its IAL; a `{:toc}`
    /// list is replaced by the marker of the table of contents, and the
    /// index after it returned.
    pub(super) fn block_attributes<'s>(
        &mut self,
        src: &str,
        evs: &[Spanned<'s>],
        i: usize,
        out: &mut Vec<Event<'s>>,
    ) -> Option<usize> {
        let (ev, range) = &evs[i];
        let k = self.take_ial(src, ev, range)?;
        let attrs = &self.ials[k].attrs;
        match ev {
            Event::Start(Tag::Heading { .. }) => self.heading_ial = Some(k),
            Event::Start(Tag::List(first)) if attrs.toc => {
                let marker = toc_marker(self.tocs.len());
                self.tocs.push((k, first.is_some()));
                out.push(Event::Html(CowStr::from(marker)));
                return Some(find_end(evs, i) + 1);
            }
            _ => {
                if matches!(ev, Event::Start(Tag::CodeBlock(_))) {
                    self.code_language = attrs.language().map(String::from);
                }
                out.push(Event::Html(CowStr::from(marker(k))));
            }
        }
        None
    }

    /// The classes and attributes of the heading about to be added, from
    /// its IAL; `no_toc` keeps it out of the table of contents.
    #[allow(clippy::type_complexity)]
    pub(super) fn heading_attributes(
        &mut self,
        attrs: Option<Attrs>,
    ) -> (
        Vec<CowStr<'static>>,
        Vec<(CowStr<'static>, Option<CowStr<'static>>)>,
    ) {
        let Some(a) = attrs else {
            return (Vec::new(), Vec::new());
        };
        if a.classes.iter().any(|c| c == "no_toc") {
            self.no_toc.push(self.out.headings.len());
        }
        let pairs = a.pairs.into_iter();
        let pairs = pairs.map(|(k, v)| (CowStr::from(k), Some(CowStr::from(v))));
        (
            a.classes.into_iter().map(CowStr::from).collect(),
            pairs.collect(),
        )
    }

    /// The unused block IAL of the block `ev` starts, if any: the one
    /// before its first line or after its last.
    pub(super) fn take_ial(
        &mut self,
        src: &str,
        ev: &Event<'_>,
        range: &Range<usize>,
    ) -> Option<usize> {
        let block = matches!(
            ev,
            Event::Rule
                | Event::Start(
                    Tag::Paragraph
                        | Tag::Heading { .. }
                        | Tag::BlockQuote(_)
                        | Tag::CodeBlock(_)
                        | Tag::List(_)
                        | Tag::Item
                        | Tag::Table(_)
                        | Tag::DefinitionList
                )
        );
        if !block || self.ials.iter().all(|b| b.used) {
            return None;
        }
        let text = src.get(range.clone()).unwrap_or("");
        let last = range.start + text.trim_end().len().saturating_sub(1);
        let (first_line, _) = self.pos(src, range.start);
        let (last_line, _) = self.pos(src, last);
        let k = self.ials.iter().position(|b| {
            !b.used && (b.before == Some(first_line) || b.after == Some(last_line))
        })?;
        self.ials[k].used = true;
        Some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ials_attach_to_the_block_before_or_after() {
        let (text, ials, _) = extract("para\n{: .a #b k=\"v w\"}\n\n{: .c}\nnext\n");
        assert_eq!(
            text.len(),
            "para\n{: .a #b k=\"v w\"}\n\n{: .c}\nnext\n".len()
        );
        assert!(!text.contains("{:"));
        assert_eq!(ials[0].after, Some(1));
        assert_eq!(ials[0].attrs.id.as_deref(), Some("b"));
        assert_eq!(ials[0].attrs.pairs, [("k".to_string(), "v w".to_string())]);
        assert_eq!((ials[1].after, ials[1].before), (None, Some(5)));
    }

    #[test]
    fn alds_are_referenced_and_fences_left_alone() {
        let (_, ials, _) = extract("{:x: .warn}\n\np\n{: x .y}\n\n```\n{: .no}\n```\n");
        assert_eq!(ials.len(), 1);
        assert_eq!(ials[0].attrs.classes, ["warn", "y"]);
    }

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
        }];
        let mut html = format!("{}<h2 id=\"auto\" class=\"a\">T</h2><hr />", marker(0));
        apply(&mut html, &ials, |_| String::new());
        assert_eq!(html, "<h2 id=\"x\" class=\"a c\">T</h2><hr />");
    }

    #[test]
    fn unsupported_constructs_are_located() {
        let (_, _, u) = extract("a *b*{: .x}\n\n*[HTML]: Hyper\n");
        assert_eq!(u[0].0, 1);
        assert_eq!(u[0].1, 6, "the column of the brace");
        assert_eq!(u[1].0, 3);
    }
}
