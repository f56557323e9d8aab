//! Headings: their ids (explicit `{#id}`, an IAL's, or made by `ids`),
//! classes and attributes, the text kept for the "On this page" list and
//! anchors, and the HTML a table of contents repeats.

use super::events::{Ctx, Inline, Spanned};
use super::Heading;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

impl Ctx<'_> {
    pub(super) fn heading<'s>(
        &mut self,
        src: &'s str,
        level: pulldown_cmark::HeadingLevel,
        inner: &[Spanned<'s>],
        st: &mut Inline,
        out: &mut Vec<Event<'s>>,
    ) {
        let ial = self.heading_ial.take();
        let mut body = Vec::with_capacity(inner.len());
        st.smart_boundary();
        // `inner` is a slice of the fragment's events: indices differ.
        let outer_block = self.html_block_end.take();
        self.process(src, inner, st, &mut body);
        self.html_block_end = outer_block;
        st.smart_boundary();
        let explicit = super::ids::take_explicit_id(&mut body);
        trim_heading_ends(&mut body);
        // kramdown's raw text of a heading: its text and code, not image alts.
        let mut text = String::new();
        let mut in_image = 0usize;
        for e in &body {
            match e {
                Event::Start(Tag::Image { .. }) => in_image += 1,
                Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
                Event::Text(t) | Event::Code(t) if in_image == 0 => text.push_str(t),
                Event::Html(h) if in_image == 0 && &**h == "&#42;" => text.push('*'),
                Event::Html(h) if in_image == 0 && &**h == "&#95;" => text.push('_'),
                _ => {}
            }
        }
        if !self.maths.is_empty() {
            // kramdown's raw text holds a math's TeX.
            text = super::math::plain(&text, &self.maths);
        }
        let ial_attrs = ial.map(|k| self.ials[k].attrs.clone());
        let explicit = ial_attrs.as_ref().and_then(|a| a.id.clone()).or(explicit);
        let id = if let Some(id) = explicit {
            id
        } else if !self.auto_ids {
            String::new()
        } else if self.in_element > 0 || !self.gfm {
            self.ids.kramdown(&text)
        } else {
            self.ids.next_id(&text)
        };
        let text = single_spaced(&text);
        if !id.is_empty() {
            self.out.ids.push(id.clone());
        }
        let (classes, attrs) = self.heading_attributes(ial_attrs);
        out.push(Event::Start(Tag::Heading {
            level,
            id: (!id.is_empty()).then(|| CowStr::from(id.clone())),
            classes,
            attrs,
        }));
        if !self.ials.is_empty() {
            self.keep_heading_html(&body);
        }
        out.extend(body);
        out.push(Event::End(TagEnd::Heading(level)));
        self.out.headings.push(Heading {
            level: level as u8,
            text,
            id,
        });
    }
}

/// `text`'s words joined by single spaces.
fn single_spaced(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// kramdown strips the whitespace around a heading's source text.
fn trim_heading_ends(body: &mut Vec<Event<'_>>) {
    if let Some(Event::Text(t)) = body.last_mut() {
        if t.ends_with(char::is_whitespace) {
            *t = CowStr::from(t.trim_end().to_string());
        }
    }
    if let Some(Event::Text(t)) = body.first_mut() {
        if t.starts_with(char::is_whitespace) {
            *t = CowStr::from(t.trim_start().to_string());
        }
    }
    body.retain(|e| !matches!(e, Event::Text(t) if t.is_empty()));
}
