//! The pulldown-cmark event rewrite: heading ids, typographic text, code
//! blocks through the highlighter, `markdown="..."` HTML elements, and the
//! collection of headings, links, images and ids.

use super::attributes::{Attrs, BlockIal};
use super::extensions;
use super::footnotes::Notes;
use super::html_blocks::ContentMode;
use super::ids::IdGen;
use super::math::Math;
use super::scan::{self, Lines};
use super::smart::{Quotes, Smart};
use super::sub_str;
use super::{Link, LinkKind, Rendered};
use crate::config::MarkdownOptions;
use crate::diag::Diagnostic;
use crate::highlight::Highlighter;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

pub(super) type Spanned<'s> = (Event<'s>, Range<usize>);

/// How deep fragments may nest: the content of a `markdown="..."` element,
/// and the rest of the line after a block element, are rendered as
/// fragments of their own, each on the stack and holding its events while
/// the one inside it renders. Pages nest two or three; a hostile page
/// nesting thousands would overflow a worker thread's stack (and parse its
/// text once per level). Deeper elements are passed on as raw HTML.
const MAX_DEPTH: usize = 16;

/// Rendering state of one page.
pub struct Ctx<'a> {
    hl: &'a Highlighter,
    pub(super) file: &'a Path,
    pub(super) first_line: usize,
    pub(super) ids: IdGen,
    pub(super) quotes: Option<Quotes>,
    lines: Lines,
    /// How many `markdown="..."` HTML elements the current fragment is inside.
    pub(super) in_element: usize,
    /// How many fragments the current one is inside (see [`MAX_DEPTH`]).
    depth: usize,
    /// Whether the page was warned that it nests too deep (once is enough).
    warned_depth: bool,
    /// The `End(HtmlBlock)` ahead in the current fragment's events (index,
    /// byte end): found once per HTML block, not once per line of it.
    pub(super) html_block_end: Option<(usize, usize)>,
    /// The page's block IALs (see `attributes`), the one the heading being
    /// rendered takes, the language a code block's IAL gives.
    pub(super) ials: Vec<BlockIal>,
    pub(super) heading_ial: Option<usize>,
    pub(super) code_language: Option<String>,
    /// Headings (indices in `out.headings`) marked `no_toc`, and the
    /// `{:toc}` lists (IAL, ordered) in page order.
    pub(super) no_toc: Vec<usize>,
    pub(super) tocs: Vec<(usize, bool)>,
    /// Each heading's content as HTML, kept when the page has a `{:toc}`.
    pub(super) heading_html: Vec<String>,
    /// `{::nomarkdown}` blocks, put back in place by `finish`.
    pub(super) raw_blocks: Vec<String>,
    pub(super) notes: Notes,
    /// The page's abbreviations (`*[HTML]: ...`), longest first.
    pub(super) abbreviations: Vec<(String, String)>,
    /// The page's ALDs (`{:name: .x}`), which span IALs may name.
    pub(super) alds: HashMap<String, Attrs>,
    /// The page's maths, whose TeX is part of a heading's text.
    pub(super) maths: Vec<Math>,
    /// `auto_ids`, which a page's `{::options}` may turn off; the levels
    /// its `{:toc}` lists (None: all).
    pub(super) auto_ids: bool,
    pub(super) toc_levels: Option<Vec<u8>>,
    /// `input: GFM`; else kramdown's own syntax (its id rule, no `~~`).
    pub(super) gfm: bool,
    /// Inside a definition list's term (`<dt>`).
    in_term: bool,
    pub(super) out: Rendered,
}

/// GFM's strikethrough only with `input: GFM`: kramdown's own syntax has none.
fn parser_options(gfm: bool) -> Options {
    let strike = if gfm {
        Options::ENABLE_STRIKETHROUGH
    } else {
        Options::empty()
    };
    strike
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_DEFINITION_LIST
}

impl<'a> Ctx<'a> {
    pub fn new(
        opts: &'a MarkdownOptions,
        hl: &'a Highlighter,
        file: &'a Path,
        first_line: usize,
    ) -> Ctx<'a> {
        Ctx {
            hl,
            file,
            first_line,
            ids: IdGen::default(),
            quotes: opts.smart_quotes.as_ref().map(Quotes::from_names),
            lines: Lines::new(),
            in_element: 0,
            depth: 0,
            warned_depth: false,
            html_block_end: None,
            ials: Vec::new(),
            heading_ial: None,
            code_language: None,
            no_toc: Vec::new(),
            tocs: Vec::new(),
            heading_html: Vec::new(),
            raw_blocks: Vec::new(),
            notes: Notes::default(),
            abbreviations: Vec::new(),
            alds: HashMap::new(),
            maths: Vec::new(),
            auto_ids: opts.auto_ids,
            toc_levels: None,
            gfm: opts.gfm,
            in_term: false,
            out: Rendered::default(),
        }
    }

    /// Render the whole (prepared) page text.
    pub fn render_blocks(&mut self, src: &str, html: &mut String) {
        self.lines = Lines::new();
        self.fragment(src, 0..src.len(), ContentMode::Block, html);
    }

    pub fn finish(mut self, mut html: String) -> Rendered {
        if !self.ials.is_empty() {
            self.apply_attributes(&mut html);
        }
        if !self.raw_blocks.is_empty() {
            self.raw_blocks(&mut html);
        }
        self.footnotes_end(&mut html);
        self.out.html = html;
        self.out
    }

    /// Render `src[range]` as blocks, or as span content (no paragraphs).
    pub(super) fn fragment(
        &mut self,
        src: &str,
        mut range: Range<usize>,
        mode: ContentMode,
        html: &mut String,
    ) {
        if mode == ContentMode::Span {
            // Span content has no blocks: a leading `>`, `#`, `- ` or `1. ` is text.
            let lead = scan::span_block_marker(&src[range.clone()]);
            if lead > 0 {
                let marker = &src[range.start..range.start + lead];
                html.push_str(&html_escape::encode_text(marker));
                range.start += lead;
            }
        }
        let evs = parse(src, range, mode, self.gfm);
        // The rewrite adds a few events (a line break after each table
        // cell, three per code block): room for them up front spares a
        // regrowth that would move every event.
        let mut out = Vec::with_capacity(evs.len() + evs.len() / 4 + 4);
        let mut st = Inline::new(self.quotes);
        self.depth += 1;
        let outer_block = self.html_block_end.take();
        self.process(src, &evs, &mut st, &mut out);
        self.html_block_end = outer_block;
        self.depth -= 1;
        super::emphasis::strong_pairs(&mut out);
        super::emphasis::strong_outside(&mut out);
        super::urls::keep_written_urls(&mut out);
        if !self.abbreviations.is_empty() {
            extensions::abbreviate(&mut out, &self.abbreviations);
        }
        // One allocation of about the final size: growing the page's HTML
        // by doubling would copy it again and again.
        html.reserve(html_size_hint(&out));
        pulldown_cmark::html::push_html(html, out.into_iter());
    }

    pub(super) fn process<'s>(
        &mut self,
        src: &'s str,
        evs: &[Spanned<'s>],
        st: &mut Inline,
        out: &mut Vec<Event<'s>>,
    ) {
        let mut i = 0;
        while i < evs.len() {
            let (ev, range) = &evs[i];
            if !self.ials.is_empty() {
                if let Some(next) = self.block_attributes(src, evs, i, out) {
                    i = next;
                    continue;
                }
            }
            match ev {
                Event::Start(Tag::Heading { level, .. }) => {
                    let end = find_end(evs, i);
                    self.heading(src, *level, &evs[i + 1..end], st, out);
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Paragraph | Tag::Table(_))
                    if self.is_kramdown_table(src, evs, i) =>
                {
                    let end = find_end(evs, i);
                    self.table_from_lines(src, range.clone(), out);
                    st.smart_boundary();
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::DefinitionListDefinition)
                    if let Some(next) = self.definition(src, evs, i, st, out) =>
                {
                    i = next;
                    continue;
                }
                Event::Start(Tag::Item) => {
                    out.push(ev.clone());
                    st.smart_boundary();
                    i = self.tight_item_table(src, evs, i + 1, out);
                    continue;
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let end = find_end(evs, i);
                    self.code_block(src, kind, range.start, &evs[i + 1..end], out);
                    i = end + 1;
                    continue;
                }
                Event::Html(t) => {
                    st.smart_boundary();
                    i = match self.raw_element(src, evs, i, t, out) {
                        Some(next) => next,
                        None => self.raw_html(src, evs, i, t, out),
                    };
                    continue;
                }
                Event::FootnoteReference(name) => {
                    st.smart_boundary();
                    self.footnote_reference(name, out);
                    i += 1;
                    continue;
                }
                Event::Start(Tag::FootnoteDefinition(name)) => {
                    i = self.footnote_definition(src, name, evs, i, st);
                    continue;
                }
                Event::InlineHtml(_) => {
                    i = self.inline_html(src, evs, i, st, out);
                    continue;
                }
                _ => self.inline(src, ev, range, st, out),
            }
            i += 1;
        }
    }

    fn inline<'s>(
        &mut self,
        src: &'s str,
        ev: &Event<'s>,
        range: &Range<usize>,
        st: &mut Inline,
        out: &mut Vec<Event<'s>>,
    ) {
        match ev {
            Event::Text(t)
                if t.starts_with("mailto:")
                    && matches!(out.last(), Some(Event::Start(Tag::Link { link_type: LinkType::Autolink, dest_url, .. })) if dest_url == t) =>
            {
                // kramdown shows `<mailto:a@b.c>` as the address alone.
                out.push(Event::Text(sub_str(t, "mailto:".len()..t.len())));
                return;
            }
            Event::Text(t) if t.starts_with("{:") && is_verbatim(src, t, range) => {
                if let Some(rest) = self.span_ial(t, out) {
                    let at = range.end - rest.len();
                    if !rest.is_empty() {
                        self.text_piece(src, at..range.end, st, out);
                    }
                    return;
                }
                if let Some(text) = st.text(t, src, range) {
                    out.push(Event::Text(CowStr::from(text)));
                    return;
                }
            }
            Event::Text(t) => {
                if st.in_image == 0
                    && t.starts_with(['*', '_'])
                    && is_verbatim(src, t, range)
                    && scan::escaped_at(src, range.start)
                {
                    // An escaped emphasis delimiter is never paired later.
                    out.push(Event::Html(CowStr::Borrowed(if t.starts_with('*') {
                        "&#42;"
                    } else {
                        "&#95;"
                    })));
                    st.smart_boundary();
                    if t.len() > 1 {
                        self.text_piece(src, range.start + 1..range.end, st, out);
                    }
                    return;
                }
                if st.in_image == 0
                    && memchr::memchr(b'<', t.as_bytes()).is_some()
                    && is_verbatim(src, t, range)
                {
                    self.text_with_tags(src, range.clone(), st, out);
                    return;
                }
                if let Some(text) = st.text(t, src, range) {
                    out.push(Event::Text(CowStr::from(text)));
                    return;
                }
            }
            // kramdown: each line of a definition term is a term.
            Event::SoftBreak if self.in_term => {
                st.smart_boundary();
                out.push(Event::End(TagEnd::DefinitionListTitle));
                out.push(Event::Start(Tag::DefinitionListTitle));
                return;
            }
            Event::Start(Tag::DefinitionListTitle) => self.in_term = true,
            Event::End(TagEnd::DefinitionListTitle) => self.in_term = false,
            Event::SoftBreak => st.plain('\n'),
            Event::TaskListMarker(checked) => {
                self.task_marker(*checked, out);
                return;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.link(src, LinkKind::Link, dest_url, range.start);
                st.smart_boundary();
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                self.link(src, LinkKind::Image, dest_url, range.start);
                st.in_image += 1;
            }
            Event::End(TagEnd::Image) => st.in_image = st.in_image.saturating_sub(1),
            Event::End(TagEnd::TableCell) => {
                // kramdown writes each cell on its own line.
                st.smart_boundary();
                out.push(ev.clone());
                out.push(Event::Html(CowStr::Borrowed("\n")));
                return;
            }
            _ => st.smart_boundary(),
        }
        out.push(ev.clone());
    }

    /// Text that holds HTML tags CommonMark rejects but browsers read as
    /// tags (`<span style:"x">`, `<a href=a?b=c>`): the tags stay raw HTML.
    fn text_with_tags<'s>(
        &mut self,
        src: &'s str,
        range: Range<usize>,
        st: &mut Inline,
        out: &mut Vec<Event<'s>>,
    ) {
        let (start, end) = (range.start, range.end);
        let text = &src[range];
        let mut from = 0;
        for tag in scan::lenient_tags(text) {
            if tag.offset > from {
                self.text_piece(src, start + from..start + tag.offset, st, out);
            }
            st.smart_boundary();
            self.collect_tag(src, &tag, start);
            out.push(Event::InlineHtml(CowStr::Borrowed(
                &text[tag.offset..tag.end],
            )));
            from = tag.end;
        }
        if from < text.len() {
            self.text_piece(src, start + from..end, st, out);
        }
    }

    pub(super) fn text_piece<'s>(
        &mut self,
        src: &'s str,
        range: Range<usize>,
        st: &mut Inline,
        out: &mut Vec<Event<'s>>,
    ) {
        let t = &src[range.clone()];
        match st.text(t, src, &range) {
            Some(text) => out.push(Event::Text(CowStr::from(text))),
            None => out.push(Event::Text(CowStr::Borrowed(t))),
        }
    }

    pub(super) fn link(&mut self, src: &str, kind: LinkKind, href: &str, offset: usize) {
        let (line, col) = self.pos(src, offset);
        self.out.links.push(Link {
            kind,
            href: href.to_string(),
            line,
            col,
        });
    }

    /// Whether a fragment may start inside the current one at `offset` of
    /// `src`; if not (see [`MAX_DEPTH`]), the page is warned, at the first
    /// place where that happens.
    pub(super) fn may_nest(&mut self, src: &str, offset: usize) -> bool {
        if self.depth < MAX_DEPTH {
            return true;
        }
        if !self.warned_depth {
            self.warned_depth = true;
            let (line, col) = self.pos(src, offset);
            self.out.warnings.push(
                Diagnostic::warning(
                    self.file,
                    self.first_line + line - 1,
                    col,
                    format!(
                        "HTML elements nest more than {MAX_DEPTH} deep here (with Markdown \
                         inside, or one after another on a line): from here on they are \
                         left as raw HTML"
                    ),
                )
                .with_help("nest fewer elements, or put each on a line of its own"),
            );
        }
        false
    }

    /// 1-based (line, col) in the page text of a byte offset of the source.
    pub(super) fn pos(&mut self, src: &str, offset: usize) -> (usize, usize) {
        self.lines.line_col(src, offset)
    }

    fn code_block<'s>(
        &mut self,
        src: &str,
        kind: &CodeBlockKind<'s>,
        offset: usize,
        inner: &[Spanned<'s>],
        out: &mut Vec<Event<'s>>,
    ) {
        let src_offset = offset;
        let code = code_text(inner);
        let ial_language = self.code_language.take();
        let lang = match kind {
            CodeBlockKind::Fenced(info) => fence_language(info),
            CodeBlockKind::Indented => "",
        };
        // `{: .language-x}` names the language of a fence that has none.
        let lang = match &ial_language {
            Some(l) if lang.is_empty() => l.as_str(),
            _ => lang,
        };
        // Open tag, body and close tag go out as three raw events, so the
        // (possibly large) highlighted body is moved, never copied.
        let (open, body) = if lang.is_empty() {
            let escaped = html_escape::encode_text(&code).into_owned();
            (CowStr::Borrowed("<pre class=\"highlight\"><code>"), escaped)
        } else {
            let h = self.hl.highlight(lang, &code);
            if h.language.is_none() {
                let (line, col) = self.pos(src, src_offset);
                self.out.warnings.push(Diagnostic::warning(
                    self.file,
                    self.first_line + line - 1,
                    col,
                    format!("unknown code language `{lang}`; rendered as plain text"),
                ));
            }
            let l = escape_attr(lang);
            let open =
                format!("<pre class=\"highlight language-{l}\"><code class=\"language-{l}\">");
            (CowStr::from(open), h.html)
        };
        out.push(Event::Html(open));
        out.push(Event::Html(CowStr::from(body)));
        out.push(Event::Html(CowStr::Borrowed("</code></pre>\n")));
    }
}

/// About the length of the HTML `push_html` writes for `events`: their
/// text as it is plus a little for tags and escapes.
fn html_size_hint(events: &[Event<'_>]) -> usize {
    let text: usize = events
        .iter()
        .map(|e| match e {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => t.len(),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                dest_url.len() + 16
            }
            _ => 8,
        })
        .sum();
    text + text / 8
}

/// The text of a code block: its one text event as it is, or its text events joined.
fn code_text<'s>(inner: &'s [Spanned<'_>]) -> Cow<'s, str> {
    let mut texts = inner.iter().filter_map(|(e, _)| match e {
        Event::Text(t) => Some(&**t),
        _ => None,
    });
    let Some(first) = texts.next() else {
        return Cow::Borrowed("");
    };
    match texts.next() {
        None => Cow::Borrowed(first),
        Some(second) => {
            let mut code = String::from(first);
            code.push_str(second);
            texts.for_each(|t| code.push_str(t));
            Cow::Owned(code)
        }
    }
}

/// The language of a fence info string, as kramdown's GFM parser reads it:
/// the first word, up to a `?`.
fn fence_language(info: &str) -> &str {
    let word = info.split_whitespace().next().unwrap_or("");
    word.split('?').next().unwrap_or("")
}

fn escape_attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// The events of `src[range]` with their ranges in `src`, adjacent text
/// events that are verbatim slices of the source joined (pulldown-cmark
/// splits text at every delimiter it tried). Span content has no paragraphs.
fn parse<'s>(src: &'s str, range: Range<usize>, mode: ContentMode, gfm: bool) -> Vec<Spanned<'s>> {
    let base = range.start;
    let verbatim = |e: &Event<'_>, r: &Range<usize>| match e {
        Event::Text(t) => is_verbatim(src, t, r),
        _ => false,
    };
    // About one event per 16 bytes of source: few regrowths of the list.
    let mut out: Vec<Spanned<'s>> = Vec::with_capacity(range.len() / 16);
    for (e, r) in Parser::new_ext(&src[range], parser_options(gfm)).into_offset_iter() {
        if mode == ContentMode::Span
            && matches!(
                e,
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)
            )
        {
            continue;
        }
        let r = r.start + base..r.end + base;
        if let Some((last, lr)) = out.last_mut() {
            if lr.end == r.start && verbatim(last, lr) && verbatim(&e, &r) {
                lr.end = r.end;
                *last = Event::Text(CowStr::Borrowed(&src[lr.clone()]));
                continue;
            }
        }
        out.push((e, r));
    }
    out
}

/// Whether `t` is `src[range]` as written. Text borrowed from that very
/// place is, without comparing the bytes.
pub(super) fn is_verbatim(src: &str, t: &str, range: &Range<usize>) -> bool {
    let same_place = range.end <= src.len()
        && t.len() == range.len()
        && std::ptr::eq(t.as_ptr(), src.as_ptr().wrapping_add(range.start));
    same_place || src.get(range.clone()) == Some(t)
}

/// Index of the event closing the container started at `start`.
pub(super) fn find_end(evs: &[Spanned<'_>], start: usize) -> usize {
    let mut depth = 0usize;
    for (k, (e, _)) in evs.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    evs.len()
}

/// Per-fragment inline state: smart quotes, image nesting.
pub(super) struct Inline {
    smart: Option<Smart>,
    in_image: usize,
}

impl Inline {
    pub(super) fn new(quotes: Option<Quotes>) -> Inline {
        Inline {
            smart: quotes.map(Smart::new),
            in_image: 0,
        }
    }

    pub(super) fn smart_boundary(&mut self) {
        if let Some(s) = &mut self.smart {
            s.boundary();
        }
    }

    fn plain(&mut self, c: char) {
        if let Some(s) = &mut self.smart {
            s.plain(c);
        }
    }

    /// The typographic version of a text event, if it changes.
    pub(super) fn text(&mut self, t: &str, src: &str, range: &Range<usize>) -> Option<String> {
        if self.in_image > 0 {
            return None;
        }
        let smart = self.smart.as_mut()?;
        // `src.get(range).unwrap_or("") == t`, mostly without comparing bytes.
        let verbatim =
            is_verbatim(src, t, range) || (t.is_empty() && src.get(range.clone()).is_none());
        if verbatim {
            let escaped = scan::escaped_at(src, range.start);
            if !escaped && smart.skip_plain(t) {
                return None;
            }
            let mut out = String::with_capacity(t.len() + 8);
            let mut rest = t;
            if escaped {
                // pulldown-cmark drops the backslash of `\'`: the character stays as written.
                let c = t.chars().next().expect("non-empty text");
                out.push(c);
                smart.boundary();
                rest = &t[c.len_utf8()..];
            }
            smart.push(rest, &src[range.end..], &mut out);
            return (out != t).then_some(out);
        }
        let raw = src.get(range.clone()).unwrap_or("");
        if raw.starts_with('\\') || raw.starts_with('&') {
            // An escaped character or an entity: kept as written.
            smart.boundary();
            return None;
        }
        if smart.skip_plain(t) {
            return None;
        }
        let mut out = String::with_capacity(t.len() + 8);
        smart.push(t, "", &mut out);
        (out != t).then_some(out)
    }
}
