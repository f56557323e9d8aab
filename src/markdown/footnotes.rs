//! Footnotes in kramdown's markup, not pulldown-cmark's: a reference is
//! `<sup id="fnref:name" role="doc-noteref"><a href="#fn:name"
//! class="footnote" rel="footnote">n</a></sup>` numbered in the order of
//! first reference (a repeated one gets the id `fnref:name:k`), and the
//! notes referenced go in one `<div class="footnotes">` at the end of the
//! page, each ending with a link back to every reference of it.

use std::collections::HashMap;

/// The footnotes of one page.
#[derive(Debug, Default)]
pub struct Notes {
    /// Names in the order of their first reference.
    pub(super) order: Vec<String>,
    /// How often each name was referenced.
    pub(super) refs: HashMap<String, usize>,
    /// Each definition's rendered HTML.
    pub(super) defs: HashMap<String, String>,
}

fn attr(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_double_quoted_attribute(s)
}

impl Notes {
    /// The markup of the next reference to `name`.
    pub(super) fn reference(&mut self, name: &str) -> (String, String) {
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
    pub(super) fn block(&self) -> String {
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
