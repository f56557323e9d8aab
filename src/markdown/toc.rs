//! `{:toc}`: kramdown's table of contents, built once the page's headings
//! are known, in place of the marker `attributes` left for it.

use super::attributes::{apply, merge, Attrs};
use super::events::Ctx;
use pulldown_cmark::{Event, Tag, TagEnd};

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
}
