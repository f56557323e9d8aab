//! kramdown's raw span elements: the content of an inline `<code>`,
//! `<kbd>`, `<samp>`, `<var>`, `<script>`, `<style>`, `<math>`, `<option>`
//! or `<textarea>` is text, not Markdown (its `HTML_CONTENT_MODEL_RAW`), so
//! `` <code>`a`</code> `` keeps its backticks and `*`, `--` or quotes in it
//! stay as written. CommonMark reads Markdown in there.

use super::events::{Ctx, Spanned};
use crate::html;
use pulldown_cmark::{CowStr, Event};
use std::borrow::Cow;

/// Span elements whose content kramdown keeps raw (`pre` is a block element,
/// text in a span).
const RAW_SPAN: &[&str] = &[
    "code", "kbd", "samp", "var", "script", "style", "math", "option", "textarea",
];

impl Ctx<'_> {
    /// Inline HTML event `i`, when it opens a raw span element closed in
    /// the same run of text: the element with its content as text. Returns
    /// the index of the event after the close tag, or None (nothing done)
    /// for anything else, and where the content holds tags or a
    /// `markdown` attribute asks for Markdown.
    pub(super) fn raw_span_element<'s>(
        &mut self,
        src: &'s str,
        evs: &[Spanned<'s>],
        i: usize,
        out: &mut Vec<Event<'s>>,
    ) -> Option<usize> {
        let (Event::InlineHtml(text), range) = &evs[i] else {
            return None;
        };
        if src.get(range.clone()) != Some(&**text) || text.ends_with("/>") {
            return None;
        }
        let tag = html::tags(text).next()?;
        if tag.offset != 0
            || tag.end != text.len()
            || !RAW_SPAN.iter().any(|n| tag.is(n))
            || tag.attr("markdown").is_some()
        {
            return None;
        }
        let close = close_of(evs, i, tag.name)?;
        let content = &src[range.end..evs[close].1.start];
        if has_markup(content) {
            return None;
        }
        // In a table row `blocks` escaped the pipes in the element (kramdown
        // keeps them in their cell): the backslashes are not the author's.
        let line_start = src[..range.start].rfind('\n').map_or(0, |k| k + 1);
        let content = if src[line_start..].trim_start().starts_with('|') {
            Cow::Owned(content.replace("\\|", "|"))
        } else {
            Cow::Borrowed(content)
        };
        self.collect_tag(src, &tag, range.start);
        out.push(Event::InlineHtml(text.clone()));
        out.push(Event::Html(CowStr::from(escape_text(&content))));
        out.push(evs[close].0.clone());
        Some(close + 1)
    }
}

/// The event closing element `name` opened at `i`, before the container
/// the opening tag is in ends (kramdown reads span content one block at a
/// time) and outside anything opened after it.
fn close_of(evs: &[Spanned<'_>], i: usize, name: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (k, (e, _)) in evs.iter().enumerate().skip(i + 1) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.checked_sub(1)?,
            Event::InlineHtml(t) if depth == 0 && is_close(t, name) => return Some(k),
            _ => {}
        }
    }
    None
}

/// `</name>`, `</NAME >`: kramdown's `</name\s*>`, without case for HTML names.
fn is_close(t: &str, name: &str) -> bool {
    let Some(rest) = t.strip_prefix("</") else {
        return false;
    };
    rest.len() > name.len()
        && rest.is_char_boundary(name.len())
        && rest[..name.len()].eq_ignore_ascii_case(name)
        && rest[name.len()..].trim_start() == ">"
}

/// Whether `content` holds what kramdown still reads in raw content: a tag,
/// a close tag, a comment or a processing instruction (`<` then a letter,
/// `/`, `!` or `?`). Those are left to the usual reading.
fn has_markup(content: &str) -> bool {
    content.match_indices('<').any(|(k, _)| {
        content[k + 1..].starts_with(|c: char| c.is_alphabetic() || "/!?_:".contains(c))
    })
}

/// kramdown's escaping of text: `<`, `>` and `&`, except the `&` of an
/// entity or character reference, kept as written.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (k, c) in s.char_indices() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if !is_reference(&s[k..]) => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// `&name;`, `&#123;` or `&#x1F;` at the start of `s` (REXML's `REFERENCE_RE`).
fn is_reference(s: &str) -> bool {
    let Some(end) = s.find(';') else {
        return false;
    };
    let body = &s[1..end];
    if let Some(num) = body.strip_prefix('#') {
        return match num.strip_prefix('x') {
            Some(hex) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            None => !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()),
        };
    }
    let mut chars = body.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || "-_.:".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_tags_are_matched_without_case() {
        assert!(is_close("</code>", "code"));
        assert!(is_close("</CODE >", "code"));
        assert!(!is_close("</codex>", "code"));
        assert!(!is_close("<code>", "code"));
    }

    #[test]
    fn text_is_escaped_but_references_are_kept() {
        assert_eq!(
            escape_text("a >= b & c &lt; &#60; &#x3c; &x"),
            "a &gt;= b &amp; c &lt; &#60; &#x3c; &amp;x"
        );
        assert!(has_markup("a <b>x</b>"));
        assert!(!has_markup("a < b"));
    }
}
