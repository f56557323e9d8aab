//! Footnotes in kramdown's markup, not pulldown-cmark's: a reference is
//! `<sup id="fnref:name" role="doc-noteref"><a href="#fn:name"
//! class="footnote" rel="footnote">n</a></sup>` numbered in the order of
//! first reference (a repeated one gets the id `fnref:name:k`), and the
//! notes referenced go in one `<div class="footnotes">` at the end of the
//! page, each ending with a link back to every reference of it.

use super::events::{find_end, Ctx, Inline, Spanned};
use pulldown_cmark::{CowStr, Event};
use std::collections::HashMap;

/// The footnotes of one page.
#[derive(Debug, Default)]
pub struct Notes {
    /// Names in the order of their first reference.
    order: Vec<String>,
    /// How often each name was referenced.
    refs: HashMap<String, usize>,
    /// Each definition's rendered HTML.
    defs: HashMap<String, String>,
}

fn attr(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_double_quoted_attribute(s)
}

impl Notes {
    /// The markup of the next reference to `name`.
    fn reference(&mut self, name: &str) -> (String, String) {
        let seen = self.refs.entry(name.to_string()).or_insert(0);
        if *seen == 0 {
            self.order.push(name.to_string());
        }
        *seen += 1;
        let n = self
            .order
            .iter()
            .position(|o| o == name)
            .map_or(0, |p| p + 1);
        let id = if *seen == 1 {
            format!("fnref:{name}")
        } else {
            format!("fnref:{name}:{}", *seen - 1)
        };
        let html = format!(
            "<sup id=\"{}\" role=\"doc-noteref\"><a href=\"#fn:{}\" class=\"footnote\" rel=\"footnote\">{n}</a></sup>",
            attr(&id),
            attr(name)
        );
        (id, html)
    }

    /// The notes' block, or nothing when no note was referenced.
    fn block(&self) -> String {
        if self.order.is_empty() {
            return String::new();
        }
        let mut out = String::from("<div class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n");
        for name in &self.order {
            let Some(def) = self.defs.get(name) else {
                continue;
            };
            let mut back = String::new();
            for k in 0..self.refs[name] {
                let (id, mark) = if k == 0 {
                    (format!("fnref:{name}"), String::new())
                } else {
                    (format!("fnref:{name}:{k}"), format!("<sup>{}</sup>", k + 1))
                };
                back.push_str(&format!(
                    "\u{a0}<a href=\"#{}\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;{mark}</a>",
                    attr(&id)
                ));
            }
            let def = def.trim_end();
            let body = match def.strip_suffix("</p>") {
                Some(p) => format!("{p}{back}</p>"),
                None => format!("{def}\n<p>{}</p>", back.trim_start()),
            };
            out.push_str(&format!(
                "<li id=\"fn:{}\" role=\"doc-endnote\">\n{body}\n</li>\n",
                attr(name)
            ));
        }
        out.push_str("</ol>\n</div>\n");
        out
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
