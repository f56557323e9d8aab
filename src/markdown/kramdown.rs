//! The rendering side of kramdown's extensions, on the page's `Ctx`:
//! block and span IALs put as markers before their elements, `{:toc}`
//! lists replaced, task list markup, footnote references and definitions,
//! what `extensions` read before parsing handed over. The data and the
//! pure steps live in `attributes`, `extensions` and `footnotes`, which
//! `events` uses; this module uses `events`, so none of them needs to.

use super::attributes::{marker, parse_attrs, toc_marker, Attrs, BlockIal};
use super::events::{find_end, Ctx, Inline, Spanned};
use super::extensions::Extracted;
use crate::diag::Diagnostic;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::ops::Range;

impl Ctx<'_> {
    /// A definition (`<dd>`) at `evs[i]` whose `:` line follows a line of
    /// text: kramdown shows its first paragraph without `<p>` (only a blank
    /// line before the `:` makes it a paragraph), where pulldown-cmark
    /// gives every definition of a loose list paragraphs. Returns the index
    /// after that paragraph, or None.
    pub(super) fn definition<'s>(
        &mut self,
        src: &'s str,
        evs: &[Spanned<'s>],
        i: usize,
        st: &mut Inline,
        out: &mut Vec<Event<'s>>,
    ) -> Option<usize> {
        let (Event::Start(Tag::DefinitionListDefinition), range) = &evs[i] else {
            return None;
        };
        if !matches!(evs.get(i + 1), Some((Event::Start(Tag::Paragraph), _))) {
            return None;
        }
        let line_end = src.get(..range.start)?.rfind('\n')?;
        let prev = src[..line_end].rfind('\n').map_or(0, |k| k + 1);
        if src[prev..line_end].trim().is_empty() {
            return None;
        }
        let end = find_end(evs, i + 1);
        out.push(evs[i].0.clone());
        self.process(src, &evs[i + 2..end], st, out);
        Some(end + 1)
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
        parse_attrs(inner, &self.alds, &mut attrs);
        self.ials.push(BlockIal {
            after: None,
            before: None,
            attrs,
            used: true,
            item: false,
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
            item: false,
        });
        out.insert(at, Event::Html(CowStr::from(marker(self.ials.len() - 1))));
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
        let item = matches!(ev, Event::Start(Tag::Item));
        let k = self.ials.iter().position(|b| {
            !b.used
                && b.item == item
                && (b.before == Some(first_line) || (!b.item && b.after == Some(last_line)))
        })?;
        self.ials[k].used = true;
        Some(k)
    }
}

impl Ctx<'_> {
    /// The page's block IALs, and a warning for each kramdown construct
    /// it has that is not rendered.
    pub(in crate::markdown) fn attributes(&mut self, found: Extracted) {
        self.ials = found.ials;
        self.abbreviations = found.abbreviations;
        self.alds = found.alds;
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

    /// The placeholders of `{::nomarkdown}` blocks replaced by their text.
    pub(super) fn raw_blocks(&self, html: &mut String) {
        for (k, raw) in self.raw_blocks.iter().enumerate() {
            *html = html.replacen(&format!("<!--\u{E004}{k}-->"), raw.trim_end(), 1);
        }
    }
}

impl<'a> Ctx<'a> {
    /// A footnote reference: kramdown's markup for it.
    pub(super) fn footnote_reference<'s>(&mut self, name: &str, out: &mut Vec<Event<'s>>) {
        let (id, html) = self.notes.reference(name);
        self.out.ids.push(id);
        out.push(Event::Html(CowStr::from(html)));
    }

    /// A footnote definition at `evs[i]`: rendered and kept for the end of
    /// the page. The index after it.
    pub(super) fn footnote_definition<'s>(
        &mut self,
        src: &'s str,
        name: &str,
        evs: &[Spanned<'s>],
        i: usize,
        st: &mut Inline,
    ) -> usize {
        let end = find_end(evs, i);
        let mut body = Vec::new();
        st.smart_boundary();
        self.process(src, &evs[i + 1..end.min(evs.len())], st, &mut body);
        st.smart_boundary();
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, body.into_iter());
        self.notes.defs.entry(name.to_string()).or_insert(html);
        end + 1
    }

    /// The notes' block appended to the page.
    pub(super) fn footnotes_end(&mut self, html: &mut String) {
        if self.notes.order.is_empty() {
            return;
        }
        for name in &self.notes.order {
            self.out.ids.push(format!("fn:{name}"));
        }
        html.push_str(&self.notes.block());
    }
}
