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
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
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
static ITEM_IAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:[*+-]|\d+\.)\s+\{:[^}]*\}").unwrap());
static SPAN_EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{::(comment|nomarkdown)\}(.*?)\{:/(?:comment|nomarkdown)?\}").unwrap()
});
static OPTIONS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\{::options\s+([^}]*?)\s*/?\}\s*$").unwrap());
static ABBREVIATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\*\[([^\]]+)\]:[ \t]*(.*?)\s*$").unwrap());

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

/// What [`extract`] read from a page.
#[derive(Debug, Default)]
pub struct Extracted {
    pub ials: Vec<BlockIal>,
    /// Abbreviations (`*[HTML]: title`): the word and its title.
    pub abbreviations: Vec<(String, String)>,
    pub unsupported: Vec<Unsupported>,
    /// `{::options auto_ids="false" /}`.
    pub auto_ids: Option<bool>,
    /// `{::options toc_levels="2..3" /}`: the heading levels of a `{:toc}`.
    pub toc_levels: Option<Vec<u8>>,
    /// The content of `{::nomarkdown}` blocks, written as it is.
    pub raw_blocks: Vec<String>,
}

/// The page with IAL, ALD, abbreviation and comment-extension lines
/// rewritten (every offset kept), and what they hold.
pub fn extract(md: &str) -> (Cow<'_, str>, Extracted) {
    let mut found = Extracted::default();
    // Cheap test first: most pages have none of these.
    if !md.contains("{:")
        && !md.contains("*[")
        && !md.contains("$$")
        && !md.contains("|=")
        && !md.contains("|-")
    {
        return (Cow::Borrowed(md), found);
    }
    let Extracted {
        ials,
        abbreviations,
        unsupported,
        auto_ids,
        toc_levels,
        raw_blocks,
    } = &mut found;
    let lines: Vec<&str> = md.split_inclusive('\n').collect();
    let mut out: Vec<Cow<'_, str>> = lines.iter().map(|l| Cow::Borrowed(*l)).collect();
    let mut alds: HashMap<String, Attrs> = HashMap::new();
    let mut fence: Option<(u8, usize)> = None;
    let blank = |l: &str| l.trim().is_empty();
    let mut comment_from: Option<usize> = None;
    let mut raw_from: Option<usize> = None;
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
        if let Some(from) = raw_from {
            let t = content.trim();
            if t == "{:/nomarkdown}" || t == "{:/}" {
                // The lines between go out as written, in place of a
                // placeholder comment (an HTML block of its own line).
                raw_blocks.push(lines[from + 1..i].concat());
                let k = raw_blocks.len() - 1;
                out[from] = Cow::Owned(format!("<!--\u{E004}{k}-->\n"));
                for l in &mut out[from + 1..=i] {
                    *l = Cow::Owned(blanked(l, ""));
                }
                raw_from = None;
            }
            continue;
        }
        if content.trim() == "{::nomarkdown}" {
            raw_from = Some(i);
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
        if let Some(c) = OPTIONS.captures(content) {
            let mut a = Attrs::default();
            parse_attrs(&c[1], &HashMap::new(), &mut a);
            for (k, v) in a.pairs {
                match k.as_str() {
                    "auto_ids" => *auto_ids = Some(v == "true"),
                    "toc_levels" => *toc_levels = Some(levels(&v)),
                    _ => unsupported.push((i + 1, 1, "option (only auto_ids and toc_levels are)")),
                }
            }
            out[i] = Cow::Owned(blanked(line, ""));
            continue;
        }
        if let Some(c) = ABBREVIATION.captures(content) {
            abbreviations.retain(|(w, _)| *w != c[1]);
            abbreviations.push((c[1].to_string(), c[2].to_string()));
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
        if content.contains("{::") && SPAN_EXTENSION.is_match(content) {
            let rewritten = SPAN_EXTENSION.replace_all(content, |c: &regex::Captures<'_>| {
                if &c[1] == "comment" {
                    format!("<!-- {} -->", c[2].replace("--", "- -"))
                } else {
                    markdown_escaped(&c[2])
                }
            });
            let eol = &line[content.len()..];
            out[i] = Cow::Owned(format!("{rewritten}{eol}"));
            note_unsupported(&out[i].clone(), i + 1, unsupported);
            continue;
        }
        if let Some(what) = table_separator(&lines, i) {
            unsupported.push((i + 1, 1, what));
        }
        note_unsupported(content, i + 1, unsupported);
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
    // Longest first: `HTML5` before `HTML`.
    abbreviations.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    if out.len() == lines.len() && out.iter().all(|l| matches!(l, Cow::Borrowed(_))) {
        return (Cow::Borrowed(md), found);
    }
    let text: String = out.concat();
    (Cow::Owned(text), found)
}

/// `s` with every ASCII punctuation character Markdown reads escaped, so
/// it shows as written (`{::nomarkdown}` in a line); HTML stays raw.
fn markdown_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii_punctuation()
            && !matches!(
                c,
                '<' | '>' | '&' | '"' | '\'' | '=' | '/' | ':' | ';' | '.' | ','
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// kramdown's table rows that split a table: a footer (`|===|`) or a
/// separator between bodies (`|---|` after the first body row).
fn table_separator(lines: &[&str], i: usize) -> Option<&'static str> {
    let t = lines[i].trim();
    if !t.starts_with('|') || !t.bytes().all(|b| b"|=-:+ \t".contains(&b)) {
        return None;
    }
    if t.contains('=') {
        return Some("table footer row (`|===|`)");
    }
    let row = |k: Option<usize>| k.is_some_and(|k| lines[k].trim_start().starts_with('|'));
    (t.contains('-') && row(i.checked_sub(1)) && row(i.checked_sub(2)) && row(i.checked_sub(3)))
        .then_some("table separator row between bodies (`|---|` inside a table)")
}

/// kramdown's `toc_levels`: `2..4`, `1,3` or `2`.
fn levels(v: &str) -> Vec<u8> {
    if let Some((a, b)) = v.split_once("..") {
        let (a, b) = (a.trim().parse().unwrap_or(1), b.trim().parse().unwrap_or(6));
        return (a..=b).collect();
    }
    v.split(',').filter_map(|x| x.trim().parse().ok()).collect()
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
    if let Some(m) = ITEM_IAL.find(line) {
        let at = m.as_str().find("{:").unwrap_or(0);
        out.push((n, col(at), "IAL at the start of a list item"));
    }
    for (ext, what) in [
        (
            "{::nomarkdown",
            "a `{::nomarkdown}` extension not closed on its line",
        ),
        (
            "{::comment}",
            "a `{::comment}` extension not closed on its line",
        ),
    ] {
        if let Some(at) = line.find(ext) {
            out.push((n, col(at), what));
        }
    }
    if let Some(at) = line.find("$$") {
        out.push((n, col(at), "math (`$$...$$`)"));
    }
}

/// Wrap each abbreviation in the text of `events` (not in code, not in an
/// image's alt text) in `<abbr title="...">`, as a whole word.
pub fn abbreviate(events: &mut Vec<Event<'_>>, abbreviations: &[(String, String)]) {
    let words: Vec<String> = abbreviations
        .iter()
        .map(|(w, _)| regex::escape(w))
        .collect();
    let Ok(re) = Regex::new(&format!(r"\b({})\b", words.join("|"))) else {
        return;
    };
    let mut image = 0usize;
    let mut out = Vec::with_capacity(events.len());
    for e in events.drain(..) {
        match &e {
            Event::Start(Tag::Image { .. }) => image += 1,
            Event::End(TagEnd::Image) => image = image.saturating_sub(1),
            Event::Text(t) if image == 0 && re.is_match(t) => {
                let t = t.to_string();
                let mut from = 0;
                for c in re.captures_iter(&t) {
                    let m = c.get(1).expect("group");
                    if m.start() > from {
                        out.push(Event::Text(CowStr::from(t[from..m.start()].to_string())));
                    }
                    let title = abbreviations
                        .iter()
                        .find(|(w, _)| w == m.as_str())
                        .map_or("", |a| a.1.as_str());
                    out.push(Event::Html(CowStr::from(if title.is_empty() {
                        "<abbr>".to_string()
                    } else {
                        format!(
                            "<abbr title=\"{}\">",
                            html_escape::encode_double_quoted_attribute(title)
                        )
                    })));
                    out.push(Event::Text(CowStr::from(m.as_str().to_string())));
                    out.push(Event::Html(CowStr::Borrowed("</abbr>")));
                    from = m.end();
                }
                if from < t.len() {
                    out.push(Event::Text(CowStr::from(t[from..].to_string())));
                }
                continue;
            }
            _ => {}
        }
        out.push(e);
    }
    *events = out;
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
/// (level, HTML, id; those without id or marked `no_toc` left out) as
/// nested lists, each entry linking its heading and carrying the id
/// `markdown-toc-<id>`.
pub fn toc(headings: &[(u8, &str, &str)], ordered: bool, attrs: &Attrs) -> String {
    if headings.is_empty() {
        // kramdown writes no list at all.
        return String::new();
    }
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
            "<li><a href=\"#{id}\" id=\"markdown-toc-{id}\">{text}</a>"
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
    pub(in crate::markdown) fn attributes(&mut self, found: Extracted) {
        self.ials = found.ials;
        self.abbreviations = found.abbreviations;
        self.auto_ids = found.auto_ids.unwrap_or(self.auto_ids);
        self.toc_levels = found.toc_levels;
        self.raw_blocks = found.raw_blocks;
        for (line, col, what) in found.unsupported {
            self.out.warnings.push(
                Diagnostic::warning(
                    self.file,
                    self.first_line + line - 1,
                    col,
                    format!("kramdown's {what} is not supported: rendered unlike Jekyll here"),
                )
                .with_help("write the HTML it stands for, or leave it out"),
            );
        }
    }

    /// The markers `process` left replaced: attributes into tags, the
    /// tables of contents built from the page's headings.
    pub(super) fn apply_attributes(&mut self, html: &mut String) {
        self.heading_html
            .resize(self.out.headings.len(), String::new());
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
                    .filter(|(_, h)| {
                        self.toc_levels
                            .as_ref()
                            .is_none_or(|l| l.contains(&h.level))
                    })
                    .map(|(n, h)| (h.level, self.heading_html[n].as_str(), h.id.as_str()))
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

    /// A span IAL (`*a*{: .x}`, `` `c`{: .x}``, `[l](u){: .x}`): text
    /// starting `{:` right after a span gets a marker before that span's
    /// start; the text after the `}` is returned. None when `t` is no IAL.
    pub(super) fn span_ial<'t>(&mut self, t: &'t str, out: &mut Vec<Event<'_>>) -> Option<&'t str> {
        let close = t.find('}')?;
        let inner = t.get(2..close)?;
        if inner.starts_with(':') || inner.contains('{') {
            return None;
        }
        let start = match out.last()? {
            Event::Code(_) => out.len() - 1,
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Strikethrough,
            ) => {
                let mut depth = 0usize;
                let mut at = None;
                for (j, e) in out.iter().enumerate().rev() {
                    match e {
                        Event::End(_) => depth += 1,
                        Event::Start(_) => {
                            depth -= 1;
                            if depth == 0 {
                                at = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                at?
            }
            _ => return None,
        };
        let mut attrs = Attrs::default();
        parse_attrs(inner, &HashMap::new(), &mut attrs);
        self.ials.push(BlockIal {
            after: None,
            before: None,
            attrs,
            used: true,
        });
        out.insert(
            start,
            Event::Html(CowStr::from(marker(self.ials.len() - 1))),
        );
        Some(&t[close + 1..])
    }

    /// A GFM task list item: kramdown's markup, classes `task-list` on
    /// the list, `task-list-item` on the item, and its checkbox.
    pub(super) fn task_marker(&mut self, checked: bool, out: &mut Vec<Event<'_>>) {
        let checked = if checked { " checked=\"checked\"" } else { "" };
        let input = format!(
            "<input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled=\"disabled\"{checked} />"
        );
        let item = out
            .iter()
            .rposition(|e| matches!(e, Event::Start(Tag::Item)));
        if let Some(item) = item {
            let mut depth = 0usize;
            let list = out[..item].iter().rposition(|e| match e {
                Event::End(_) => {
                    depth += 1;
                    false
                }
                Event::Start(Tag::List(_)) if depth == 0 => true,
                Event::Start(_) => {
                    depth = depth.saturating_sub(1);
                    false
                }
                _ => false,
            });
            self.class_before(out, item, "task-list-item");
            if let Some(list) = list {
                let marked = list > 0
                    && matches!(&out[list - 1], Event::Html(h) if h.starts_with('\u{E000}'));
                if !marked {
                    self.class_before(out, list, "task-list");
                }
            }
        }
        out.push(Event::Html(CowStr::from(input)));
    }

    fn class_before(&mut self, out: &mut Vec<Event<'_>>, at: usize, class: &str) {
        self.ials.push(BlockIal {
            after: None,
            before: None,
            attrs: Attrs {
                classes: vec![class.to_string()],
                ..Default::default()
            },
            used: true,
        });
        out.insert(at, Event::Html(CowStr::from(marker(self.ials.len() - 1))));
    }

    /// Keep a heading's content as HTML for a table of contents (links
    /// left out, as kramdown does), when the page has one.
    pub(super) fn keep_heading_html(&mut self, body: &[Event<'_>]) {
        if !self.ials.iter().any(|b| b.attrs.toc) {
            return;
        }
        let inner = body
            .iter()
            .filter(|e| !matches!(e, Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link)))
            .cloned();
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, inner);
        self.heading_html
            .resize(self.out.headings.len(), String::new());
        self.heading_html.push(html);
    }

    /// The placeholders of `{::nomarkdown}` blocks replaced by their text.
    pub(super) fn raw_blocks(&self, html: &mut String) {
        for (k, raw) in self.raw_blocks.iter().enumerate() {
            *html = html.replacen(&format!("<!--\u{E004}{k}-->"), raw.trim_end(), 1);
        }
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
        let (text, found) = extract("para\n{: .a #b k=\"v w\"}\n\n{: .c}\nnext\n");
        let ials = found.ials;
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
        let (_, found) = extract("{:x: .warn}\n\np\n{: x .y}\n\n```\n{: .no}\n```\n");
        let ials = found.ials;
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
        let (text, found) = extract(
            "* {: .x} item\n\n*[HTML]: Hyper\n\n{::options a=\"b\" auto_ids=\"false\" /}\n",
        );
        assert_eq!(found.auto_ids, Some(false));
        let u = found.unsupported;
        assert_eq!((u[0].0, u[0].1), (1, 3), "the column of the brace");
        assert_eq!(u[1].0, 5);
        assert_eq!(
            found.abbreviations,
            [("HTML".to_string(), "Hyper".to_string())]
        );
        assert!(!text.contains("*[HTML]"));
    }
}
