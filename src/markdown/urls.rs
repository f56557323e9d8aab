//! Link and image URLs as the author wrote them. kramdown writes a URL into
//! `href`/`src` with only `&`, `<`, `>` and `"` escaped; pulldown-cmark's
//! writer percent-encodes everything outside its safe set (`[`, `]`, `|`,
//! non-ASCII...), so `https://cl.ly/x/[15013e]_shot.png` would become
//! `.../%5B15013e%5D_shot.png`. Only the links and images whose URL the two
//! write differently are written here, as pulldown-cmark would write them
//! otherwise; every other event is left to it.

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

/// Would pulldown-cmark's `escape_href` change `url` beyond the escapes an
/// attribute needs anyway?
fn percent_encoded(url: &str) -> bool {
    url.bytes()
        .any(|b| b >= 0x80 || matches!(b, b'[' | b']' | b'\\' | b'{' | b'|' | b'}' | b'`' | b' '))
}

fn attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// Rewrite the links and images of `events` whose URL pulldown-cmark would
/// percent-encode into raw HTML with the URL kept.
pub(super) fn keep_written_urls(events: &mut Vec<Event<'_>>) {
    if !events.iter().any(|e| {
        matches!(e, Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) if percent_encoded(dest_url))
    }) {
        return;
    }
    let mut out = Vec::with_capacity(events.len());
    // For each open link: was its start rewritten (so its end must be too)?
    let mut links: Vec<bool> = Vec::new();
    let mut it = std::mem::take(events).into_iter();
    while let Some(ev) = it.next() {
        match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) if percent_encoded(&dest_url) => {
                let mailto = if link_type == LinkType::Email {
                    "mailto:"
                } else {
                    ""
                };
                let title = if title.is_empty() {
                    String::new()
                } else {
                    format!("\" title=\"{}", attr(&title))
                };
                out.push(Event::Html(CowStr::from(format!(
                    "<a href=\"{mailto}{}{title}\">",
                    attr(&dest_url)
                ))));
                links.push(true);
            }
            Event::Start(Tag::Link { .. }) => {
                links.push(false);
                out.push(ev);
            }
            Event::End(TagEnd::Link) => {
                if links.pop() == Some(true) {
                    out.push(Event::Html(CowStr::Borrowed("</a>")));
                } else {
                    out.push(ev);
                }
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) if percent_encoded(&dest_url) => {
                let alt = alt_text(&mut it);
                let title = if title.is_empty() {
                    String::new()
                } else {
                    format!("\" title=\"{}", attr(&title))
                };
                out.push(Event::Html(CowStr::from(format!(
                    "<img src=\"{}\" alt=\"{}{title}\" />",
                    attr(&dest_url),
                    attr(&alt)
                ))));
            }
            other => out.push(other),
        }
    }
    *events = out;
}

/// The plain text of an image's description, up to its end (consumed), as
/// pulldown-cmark writes an `alt`: text and code as they are, breaks as spaces.
fn alt_text<'a>(it: &mut impl Iterator<Item = Event<'a>>) -> String {
    let mut alt = String::new();
    let mut depth = 0usize;
    for ev in it {
        match ev {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) if depth == 0 => break,
            Event::End(TagEnd::Image) => depth -= 1,
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                alt.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }
    alt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        let mut evs: Vec<Event> = pulldown_cmark::Parser::new(md).collect();
        keep_written_urls(&mut evs);
        let mut s = String::new();
        pulldown_cmark::html::push_html(&mut s, evs.into_iter());
        s
    }

    #[test]
    fn urls_are_kept_as_written_where_pulldown_would_encode_them() {
        let cases = [
            (
                "![Shot *one*](https://cl.ly/x/[15e]_a%2520b.png)",
                "<p><img src=\"https://cl.ly/x/[15e]_a%2520b.png\" alt=\"Shot one\" /></p>\n",
            ),
            (
                "[the *docs*](/a/[b]?q=\"x\"&y \"T\")",
                "<p><a href=\"/a/[b]?q=&quot;x&quot;&amp;y\" title=\"T\">the <em>docs</em></a></p>\n",
            ),
            ("[é](/café.html)", "<p><a href=\"/café.html\">é</a></p>\n"),
            // Nothing to keep: pulldown-cmark writes it.
            ("[a](/b.html) ![c](d.png)", "<p><a href=\"/b.html\">a</a> <img src=\"d.png\" alt=\"c\" /></p>\n"),
            (
                "[out [in]](/x) [b](/[y])",
                "<p><a href=\"/x\">out [in]</a> <a href=\"/[y]\">b</a></p>\n",
            ),
        ];
        for (md, want) in cases {
            assert_eq!(html(md), want, "{md}");
        }
    }
}
