//! Raw HTML in the page: the links, images and ids it holds, the
//! `markdown="span"`/`markdown="1"` elements whose content is Markdown, and
//! kramdown's reading of block-level elements (their whole content raw, the
//! rest of their closing line Markdown).

use super::events::{Ctx, Inline, Spanned};
use super::html_blocks::{self, ContentMode};
use super::scan::escaped_at;
use super::sub_str;
use super::LinkKind;
use crate::html;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::ops::Range;

impl Ctx<'_> {
    /// kramdown keeps the whole content of a block-level HTML element raw,
    /// blank lines included, where CommonMark ends the HTML block at the
    /// first blank line and reads the rest as Markdown. When the element
    /// starting HTML event `i` closes past its CommonMark block, the whole
    /// element is passed on as raw HTML (its `markdown="..."` children are
    /// still rendered). Returns the index of the next event, or None.
    pub(super) fn raw_element<'s>(
        &mut self,
        src: &'s str,
        evs: &[Spanned<'s>],
        i: usize,
        text: &str,
        out: &mut Vec<Event<'s>>,
    ) -> Option<usize> {
        let mut range = evs[i].1.clone();
        // Too deep already: no element is looked for (nor its close, a scan
        // of the rest of the page), the event is raw HTML as CommonMark reads it.
        if !self.may_nest(src, range.start) {
            return None;
        }
        // An indented HTML block line: the event text is the line after its indent.
        let raw = src.get(range.clone())?;
        if raw != text {
            if !raw.ends_with(text) || !raw[..raw.len() - text.len()].trim().is_empty() {
                return None;
            }
            range.start = range.end - text.len();
        }
        let block_end = self.html_block_end(evs, i).unwrap_or(range.end);
        let first_of_block = evs[..i]
            .iter()
            .rev()
            .find(|(e, _)| !matches!(e, Event::Text(t) if t.trim().is_empty()))
            .is_some_and(|(e, _)| matches!(e, Event::Start(Tag::HtmlBlock)));
        let indent = text.len() - text.trim_start().len();
        let (end, markdown) = if text[indent..].starts_with("<!--") {
            let close = src[range.start..].find("-->")?;
            (range.start + close + 3, false)
        } else {
            let tag = html::tags(text).next()?;
            if tag.offset != indent || !html_blocks::is_block_element(tag.name) {
                return None;
            }
            let (_, close_end) = html_blocks::matching_close(src, range.start + tag.end, tag.name)?;
            (close_end, html_blocks::markdown_mode(&tag).is_some())
        };
        if end > block_end && !markdown {
            let whole = CowStr::Borrowed(&src[range.start..end]);
            let one = [(Event::Html(whole.clone()), range.start..end)];
            self.raw_html(src, &one, 0, &whole, out);
            return Some(self.skip_covered(src, evs, i + 1, range.start..end, out));
        }
        // kramdown: the rest of the line after the element is Markdown.
        let line_end = src[end..].find('\n').map_or(src.len(), |k| end + k);
        if !first_of_block
            || end > block_end
            || src[end..line_end].trim().is_empty()
            || !self.may_nest(src, end)
        {
            return None;
        }
        let whole = CowStr::Borrowed(&src[range.start..end]);
        let one = [(Event::Html(whole.clone()), range.start..end)];
        self.raw_html(src, &one, 0, &whole, out);
        out.push(Event::Html(CowStr::Borrowed("\n")));
        let mut rest = String::new();
        self.fragment(src, end..block_end, ContentMode::Block, &mut rest);
        out.push(Event::Html(CowStr::from(rest)));
        Some(self.skip_covered(src, evs, i + 1, range.start..block_end, out))
    }

    /// Inline HTML event `i`: a raw span element (`raw_span`), or raw HTML
    /// unless a `<` just before it
    /// makes kramdown's `<<` (its typographic symbols are tried where the
    /// tag would start): `<</br>` is `«/br>`, the rest of the tag text.
    pub(super) fn inline_html<'s>(
        &mut self,
        src: &'s str,
        evs: &[Spanned<'s>],
        i: usize,
        st: &mut Inline,
        out: &mut Vec<Event<'s>>,
    ) -> usize {
        let (Event::InlineHtml(text), range) = &evs[i] else {
            unreachable!("inline_html is given inline HTML");
        };
        let lt = range.start.checked_sub(1);
        let laquo = self.quotes.is_some()
            && src.get(range.clone()) == Some(&**text)
            && lt.is_some_and(|k| src.as_bytes()[k] == b'<' && !escaped_at(src, k));
        if let Some(Event::Text(before)) = out.last_mut().filter(|_| laquo) {
            if before.ends_with('<') {
                let kept = &before[..before.len() - 1];
                *before = CowStr::from(format!("{kept}«"));
                st.smart_boundary();
                self.text_piece(src, range.start + 1..range.end, st, out);
                return i + 1;
            }
        }
        st.smart_boundary();
        match self.raw_span_element(src, evs, i, out) {
            Some(next) => next,
            None => self.raw_html(src, evs, i, text, out),
        }
    }

    /// Raw HTML event `i`: collect links and ids, render `markdown="..."`
    /// elements. Returns the index of the next event to process.
    pub(super) fn raw_html<'s>(
        &mut self,
        src: &'s str,
        evs: &[Spanned<'s>],
        i: usize,
        text: &CowStr<'s>,
        out: &mut Vec<Event<'s>>,
    ) -> usize {
        let range = &evs[i].1;
        // Where `text` starts in `src` (HTML inside list items loses its indent).
        let base = if src.get(range.clone()) == Some(&**text) {
            Some(range.start)
        } else {
            src[range.start..].find(&**text).map(|k| range.start + k)
        };
        let mut from = 0;
        for tag in html::tags(text) {
            if tag.offset < from {
                continue;
            }
            self.collect_tag(src, &tag, base.unwrap_or(range.start));
            let Some(mode) = html_blocks::markdown_mode(&tag) else {
                if tag.attr("markdown").is_some() {
                    // `markdown="0"`: raw content, and the attribute is kramdown's, not HTML.
                    out.push(Event::Html(sub_str(text, from..tag.offset)));
                    let bare = html_blocks::tag_without_markdown(&tag, text);
                    out.push(Event::Html(CowStr::from(bare)));
                    from = tag.end;
                }
                continue;
            };
            let Some(b) = base else { continue };
            if !self.may_nest(src, b + tag.offset) {
                continue;
            }
            let inner_start = b + tag.end;
            let Some((close_start, close_end)) =
                html_blocks::matching_close(src, inner_start, tag.name)
            else {
                continue;
            };
            out.push(Event::Html(sub_str(text, from..tag.offset)));
            out.push(Event::Html(CowStr::from(
                html_blocks::tag_without_markdown(&tag, text),
            )));
            let mut inner = String::new();
            self.in_element += 1;
            self.fragment(src, inner_start..close_start, mode, &mut inner);
            self.in_element -= 1;
            if mode == ContentMode::Span {
                let trimmed = inner.trim_end_matches('\n').len();
                inner.truncate(trimmed);
            }
            out.push(Event::Html(CowStr::from(inner)));
            out.push(Event::Html(CowStr::Borrowed(&src[close_start..close_end])));
            if close_end <= b + text.len() {
                from = close_end - b;
                continue;
            }
            // The element goes on past this event: skip what it covered.
            return self.skip_covered(src, evs, i + 1, inner_start..close_end, out);
        }
        out.push(Event::Html(sub_str(text, from..text.len())));
        i + 1
    }

    /// The byte end of the `End(HtmlBlock)` at or after event `i`, if any
    /// (the one found for an earlier event is reused while it is ahead).
    fn html_block_end(&mut self, evs: &[Spanned<'_>], i: usize) -> Option<usize> {
        if let Some((k, end)) = self.html_block_end {
            if k >= i {
                return Some(end);
            }
        }
        let k = i + evs[i..]
            .iter()
            .position(|(e, _)| matches!(e, Event::End(TagEnd::HtmlBlock)))?;
        let end = evs[k].1.end;
        self.html_block_end = Some((k, end));
        Some(end)
    }

    /// Skip the events that lie before `end` (content already rendered),
    /// keeping container events that reach past it and the rest of a raw
    /// HTML event that straddles it.
    fn skip_covered<'s>(
        &mut self,
        src: &'s str,
        evs: &[Spanned<'s>],
        mut j: usize,
        covered: Range<usize>,
        out: &mut Vec<Event<'s>>,
    ) -> usize {
        let end = covered.end;
        while j < evs.len() && evs[j].1.start < end {
            let (e, r) = &evs[j];
            if r.start < covered.start || r.end > end {
                match e {
                    Event::Html(_) | Event::InlineHtml(_) => {
                        let rest = CowStr::Borrowed(&src[end..r.end]);
                        let tmp = [(Event::Html(rest.clone()), end..r.end)];
                        self.raw_html(src, &tmp, 0, &rest, out);
                    }
                    Event::End(TagEnd::TableCell) => {
                        // As `inline` ends a cell: kramdown writes each on its line.
                        out.push(e.clone());
                        out.push(Event::Html(CowStr::Borrowed("\n")));
                    }
                    Event::Start(_) | Event::End(_) => out.push(e.clone()),
                    _ => {}
                }
            }
            j += 1;
        }
        j
    }

    /// Record the link, image and id of a raw HTML start tag.
    pub(super) fn collect_tag(&mut self, src: &str, tag: &html::Tag<'_>, base: usize) {
        // Names compared without case, with no lowercased copies.
        let is = |s: &str, lower: &str| s.eq_ignore_ascii_case(lower);
        for a in &tag.attrs {
            let (attr, value, off) = (a.name, a.value, a.start);
            let kind = if is(tag.name, "a") && is(attr, "href") {
                Some(LinkKind::Link)
            } else if is(tag.name, "img") && is(attr, "src") {
                Some(LinkKind::Image)
            } else {
                None
            };
            if let Some(kind) = kind {
                let href = html_escape::decode_html_entities(value);
                self.link(src, kind, &href, base + off);
            } else if is(attr, "id") && !value.is_empty() {
                self.out.ids.push(value.to_string());
            }
        }
    }
}
