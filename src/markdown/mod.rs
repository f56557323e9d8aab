//! Markdown to HTML the way the portal's authors wrote it: pulldown-cmark with
//! GFM extensions, plus kramdown's rules where the corpus relies on them
//! (heading ids, smart quotes, `markdown="span"` blocks, fences in lists).
//!
//! The stage runs in four steps: `extensions` reads kramdown's own lines
//! (IALs, ALDs, `{::comment}`, `{::nomarkdown}`, `{::options}`,
//! abbreviations) and warns at those it does not render; `math` takes
//! `$$` math out (markers, written back at the end); `blocks` rewrites the source where
//! kramdown reads blocks differently from CommonMark (bare list markers,
//! fences in list items, unclosed fences, table boundaries and widths, empty
//! headings, lone backticks, span tags alone on a line), keeping every line where it was; pulldown-cmark
//! parses it; then `events` rewrites the events: heading ids (`ids`),
//! typographic text (`smart`), kramdown's looser emphasis (`emphasis`),
//! code blocks through the highlighter, raw HTML and `markdown="..."`
//! elements (`raw`, `html_blocks`, `raw_span`), tables without header or with parts (`tables`),
//! while links, images and ids are collected (`scan`); kramdown's
//! attribute lists, tables of contents, footnotes and task lists are put in
//! (`kramdown`, over `attributes`, `toc`, `footnotes`), headings in
//! `headings`.
//!
//! Where kramdown's output is a Jekyll bug the authors did not mean (escaped
//! HTML inside `markdown="span"`, placeholders like `<filename.pdf>` read as
//! tags) the author's intent is kept.
//!
//! OWNER: markdown helper.

mod attributes;
mod blocks;
mod emphasis;
mod events;
mod extensions;
mod footnotes;
mod headings;
mod html_blocks;
mod ids;
mod kramdown;
mod math;
mod raw;
mod raw_span;
mod scan;
pub(crate) mod smart;
mod tables;
mod toc;
mod urls;

use crate::config::MarkdownOptions;
use crate::diag::Diagnostic;
use crate::highlight::Highlighter;
use pulldown_cmark::CowStr;
use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

pub use ids::base_id;

/// A heading of the rendered page, for the "On this page" list and anchors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    /// Plain text of the heading.
    pub text: String,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum LinkKind {
    Link,
    Image,
}

/// A link or image found in the page (Markdown or raw HTML), with its place
/// in the Markdown text that was rendered (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    pub kind: LinkKind,
    pub href: String,
    pub line: usize,
    pub col: usize,
}

/// The result of rendering one page body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// Every `id` attribute in the output (headings and raw HTML), for anchor checks.
    pub ids: Vec<String>,
    /// Unknown code languages and the like; positions are in `file`.
    pub warnings: Vec<Diagnostic>,
}

/// Render `md`. `file` and `first_line` locate warnings (line 1 of `md` is
/// line `first_line` of the file).
pub fn render(
    md: &str,
    opts: &MarkdownOptions,
    hl: &Highlighter,
    file: &Path,
    first_line: usize,
) -> Rendered {
    let md = if opts.gfm {
        Cow::Borrowed(md)
    } else {
        blocks::lists_after_paragraphs(md)
    };
    let (md, mut found) = extensions::extract(&md);
    let (md, maths, unsupported) = math::extract(&md);
    found.unsupported.extend(unsupported);
    let mut ctx = events::Ctx::new(opts, hl, file, first_line);
    ctx.attributes(found);
    ctx.maths.clone_from(&maths);
    let prepared = blocks::prepare(&md);
    // Sized once the events are known (see `Ctx::fragment`).
    let mut html = String::new();
    ctx.render_blocks(&prepared, &mut html);
    let mut rendered = ctx.finish(html);
    if prepared.contains(blocks::SPAN_LINE) {
        rendered.html = rendered.html.replace(blocks::SPAN_LINE, "");
    }
    if !maths.is_empty() {
        rendered.html = math::restore(&rendered.html, &maths);
    }
    rendered
}

/// `s[range]` for an event: borrowed (no copy) when `s` borrows the source.
/// Here, not in `events`, so that `emphasis` (which `events` calls) need
/// not import `events` back.
fn sub_str<'s>(s: &CowStr<'s>, range: Range<usize>) -> CowStr<'s> {
    match s {
        CowStr::Borrowed(b) => CowStr::Borrowed(&b[range]),
        _ => CowStr::from(s[range].to_string()),
    }
}
