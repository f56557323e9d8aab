//! A small, forgiving scanner for the start tags of an HTML document.
//!
//! The one HTML scanner of the crate: what `check` (links, ids), the base-url
//! rewrite, and any other stage that reads HTML use. It gives the name of
//! each start tag and the byte spans of its attribute values. Comments,
//! doctypes, end tags and the raw text of `script`, `style`, `textarea` and
//! `title` are skipped, so an `<a href>` shown inside a script or a comment is
//! not a link. Malformed markup never panics: an unterminated tag ends the scan.

/// One attribute of a start tag. `value` is the raw (not entity-decoded) text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    /// Lower-cased name (ASCII), borrowed from the document when already lower case.
    pub name: &'a str,
    pub value: &'a str,
    /// Byte range of `value` in the document (empty range for a bare attribute).
    pub start: usize,
    pub end: usize,
}

/// One start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag<'a> {
    /// Tag name as written (compare with `eq_ignore_ascii_case`).
    pub name: &'a str,
    /// Byte offset of the `<`.
    pub offset: usize,
    /// Byte offset after the tag's `>`.
    pub end: usize,
    pub attrs: Vec<Attr<'a>>,
}

impl<'a> Tag<'a> {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The first attribute with this (lower-case) name.
    pub fn attr(&self, name: &str) -> Option<&Attr<'a>> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// Iterator over the start tags of `html`.
pub struct Tags<'a> {
    html: &'a str,
    pos: usize,
}

/// Scan `html` for start tags.
pub fn tags(html: &str) -> Tags<'_> {
    Tags { html, pos: 0 }
}

const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title"];

fn find_from(hay: &str, from: usize, needle: &str) -> Option<usize> {
    // One byte (`<`, `>`, a quote: most calls) with the crate's byte search.
    if let &[byte] = needle.as_bytes() {
        let rest = hay.as_bytes().get(from..)?;
        return memchr::memchr(byte, rest).map(|i| i + from);
    }
    hay.get(from..)?.find(needle).map(|i| i + from)
}

/// Position of the end tag `</name` (ASCII case-insensitive) at or after `from`.
fn find_end_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut i = from;
    while let Some(p) = find_from(html, i, "</") {
        let rest = &bytes[p + 2..];
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some(p);
        }
        i = p + 2;
    }
    None
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        let html = self.html;
        let bytes = html.as_bytes();
        loop {
            let lt = find_from(html, self.pos, "<")?;
            let next = bytes.get(lt + 1).copied();
            match next {
                Some(b'!') if html[lt..].starts_with("<!--") => {
                    self.pos = find_from(html, lt + 4, "-->").map(|e| e + 3)?;
                }
                Some(b'!') | Some(b'?') | Some(b'/') => {
                    self.pos = find_from(html, lt + 1, ">").map(|e| e + 1)?;
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    let (tag, end) = parse_tag(html, lt)?;
                    self.pos = end;
                    if let Some(raw) = RAW_TEXT.iter().find(|r| tag.is(r)) {
                        self.pos = find_end_tag(html, end, raw).unwrap_or(html.len());
                    }
                    return Some(tag);
                }
                _ => self.pos = lt + 1,
            }
        }
    }
}

/// The name of the start tag at `lt` and the offset after its `>`, as
/// [`parse_tag`] finds them, without collecting the attributes: quoted values
/// are skipped whole (a `>` inside one does not end the tag).
fn start_tag_end(html: &str, lt: usize) -> Option<(&str, usize)> {
    let bytes = html.as_bytes();
    let name_end = (lt + 1..bytes.len())
        .find(|&i| bytes[i].is_ascii_whitespace() || bytes[i] == b'>' || bytes[i] == b'/')
        .unwrap_or(bytes.len());
    let mut i = name_end;
    let mut after_equals = false;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'>' => return Some((&html[lt + 1..name_end], i + 1)),
            b'"' | b'\'' if after_equals => {
                let close = if c == b'"' { "\"" } else { "'" };
                i = find_from(html, i + 1, close)?;
            }
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            after_equals = c == b'=';
        }
        i += 1;
    }
    None
}

/// The start tag at `lt` (a `<`), if one starts there.
pub fn tag_at(html: &str, lt: usize) -> Option<Tag<'_>> {
    let next = html.as_bytes().get(lt + 1)?;
    if html.as_bytes()[lt] != b'<' || !next.is_ascii_alphabetic() {
        return None;
    }
    parse_tag(html, lt).map(|(tag, _)| tag)
}

/// Parse the start tag at `lt`; returns it and the offset after its `>`.
fn parse_tag(html: &str, lt: usize) -> Option<(Tag<'_>, usize)> {
    let bytes = html.as_bytes();
    let name_end = (lt + 1..bytes.len())
        .find(|&i| bytes[i].is_ascii_whitespace() || bytes[i] == b'>' || bytes[i] == b'/')
        .unwrap_or(bytes.len());
    let mut tag = Tag {
        name: &html[lt + 1..name_end],
        offset: lt,
        end: 0,
        attrs: Vec::new(),
    };
    let mut i = name_end;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => {
                tag.end = i + 1;
                return Some((tag, i + 1));
            }
            _ => {
                let n0 = i;
                while i < bytes.len()
                    && !bytes[i].is_ascii_whitespace()
                    && !matches!(bytes[i], b'=' | b'>')
                    && (bytes[i] != b'/' || bytes.get(i + 1) != Some(&b'>'))
                {
                    i += 1;
                }
                let name = &html[n0..i];
                let mut j = i;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                let (start, end) = if bytes.get(j) == Some(&b'=') {
                    j += 1;
                    while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    let (s, e, after) = attr_value(html, j)?;
                    i = after;
                    (s, e)
                } else {
                    (i, i)
                };
                if !name.is_empty() {
                    tag.attrs.push(Attr {
                        name,
                        value: &html[start..end],
                        start,
                        end,
                    });
                }
                if i == n0 {
                    i += 1; // a stray character: never loop on it
                }
            }
        }
    }
}

/// The value at `j`: (start, end, offset after it).
fn attr_value(html: &str, j: usize) -> Option<(usize, usize, usize)> {
    let bytes = html.as_bytes();
    match bytes.get(j)? {
        q @ (b'"' | b'\'') => {
            let close = find_from(html, j + 1, if *q == b'"' { "\"" } else { "'" })?;
            Some((j + 1, close, close + 1))
        }
        _ => {
            let mut e = j;
            while e < bytes.len() && !bytes[e].is_ascii_whitespace() && bytes[e] != b'>' {
                e += 1;
            }
            Some((j, e, e))
        }
    }
}

/// The runs of text between the markup of `html`, each with its byte offset,
/// raw (entities not decoded: see [`decode`]). Tags, end tags, comments,
/// doctypes and the content of raw-text elements (`script`, `style`...) are
/// not text; a `<` that opens no markup is. Used to read a page as plain text
/// (search) with the same idea of what is markup as [`tags`].
pub fn text_runs(html: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = html.as_bytes();
    // `run` is where the text not yet handed out starts, `pos` where to look
    // for the next markup.
    let (mut run, mut pos) = (0, 0);
    std::iter::from_fn(move || loop {
        let Some(lt) = find_from(html, pos, "<") else {
            let text = (run < html.len()).then(|| (run, &html[run..]));
            run = html.len();
            pos = html.len();
            return text;
        };
        let after = match bytes.get(lt + 1).copied() {
            Some(b'!') if html[lt..].starts_with("<!--") => {
                find_from(html, lt + 4, "-->").map_or(html.len(), |e| e + 3)
            }
            Some(b'!' | b'?' | b'/') => find_from(html, lt + 1, ">").map_or(html.len(), |e| e + 1),
            Some(c) if c.is_ascii_alphabetic() => match start_tag_end(html, lt) {
                Some((name, end)) => match RAW_TEXT.iter().find(|r| name.eq_ignore_ascii_case(r)) {
                    Some(raw) => find_end_tag(html, end, raw).unwrap_or(html.len()),
                    None => end,
                },
                None => html.len(),
            },
            _ => {
                pos = lt + 1;
                continue;
            }
        };
        let text = (run, &html[run..lt]);
        run = after;
        pos = after;
        if !text.1.is_empty() {
            return Some(text);
        }
    })
}

/// The URLs of a `srcset` value with their byte ranges inside it.
pub fn srcset_urls(value: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut end = i;
        // A URL ends at whitespace; a trailing comma separates candidates.
        while end > start && bytes[end - 1] == b',' {
            end -= 1;
        }
        if end > start {
            out.push((start, end));
        }
        // Skip the descriptor up to the next comma.
        if i > end {
            continue;
        }
        while i < bytes.len() && bytes[i] != b',' {
            i += 1;
        }
    }
    out
}

/// Decode the character references of an attribute value (`&amp;` → `&`).
pub fn decode(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains('&') {
        html_escape::decode_html_entities(value)
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// [`decode`] into `room` (cleared first), for a caller decoding many
/// short texts (search: every run of a page's text) without an allocation
/// for each.
pub fn decode_into<'a>(value: &'a str, room: &'a mut String) -> &'a str {
    if value.contains('&') {
        room.clear();
        html_escape::decode_html_entities_to_string(value, room)
    } else {
        value
    }
}

/// Every `id` (and `<a name>`) in the document, decoded.
pub fn ids(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in tags(html) {
        for a in &t.attrs {
            if a.name.eq_ignore_ascii_case("id")
                || (a.name.eq_ignore_ascii_case("name") && t.is("a"))
            {
                out.push(decode(a.value).into_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(html: &str) -> Vec<String> {
        tags(html).map(|t| t.name.to_string()).collect()
    }

    #[test]
    fn finds_start_tags_and_attributes() {
        let html = r#"<p class=x>hi <a href="/a b.html" title='t'>x</a><img src=/i.png alt></p>"#;
        let t: Vec<_> = tags(html).collect();
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].attr("href").unwrap().value, "/a b.html");
        assert_eq!(t[1].attr("title").unwrap().value, "t");
        let src = t[2].attr("src").unwrap();
        assert_eq!(&html[src.start..src.end], "/i.png");
        assert_eq!(t[2].attr("alt").unwrap().value, "");
        assert_eq!(t[0].attr("class").unwrap().value, "x");
    }

    #[test]
    fn skips_comments_scripts_and_end_tags() {
        let html = "<!-- <a href=x> --><script>var s = '<a href=y>';</script><STYLE>a{}</style><b>";
        assert_eq!(names(html), ["script", "STYLE", "b"]);
        assert_eq!(names("<!DOCTYPE html><html></html>"), ["html"]);
    }

    #[test]
    fn text_angle_brackets_are_not_tags() {
        assert_eq!(names("a < b and 3<4 <i>x</i>"), ["i"]);
    }

    #[test]
    fn malformed_input_ends_quietly() {
        assert_eq!(names("<a href=\"never closed"), Vec::<String>::new());
        assert_eq!(names("<a"), Vec::<String>::new());
        assert_eq!(names("<!-- open"), Vec::<String>::new());
        assert_eq!(names("<br/><hr />"), ["br", "hr"]);
    }

    #[test]
    fn text_runs_skip_markup_like_tags_does() {
        let html = "a<b>b</b><!-- c --> d<script>x<y</script>1 < 2<p class='q'>&amp;";
        let runs: Vec<(usize, &str)> = text_runs(html).collect();
        let texts: Vec<&str> = runs.iter().map(|r| r.1).collect();
        assert_eq!(texts, ["a", "b", " d", "1 < 2", "&amp;"]);
        for (at, text) in runs {
            assert_eq!(&html[at..at + text.len()], text);
        }
        assert_eq!(text_runs("<a href=\"open").count(), 0);
        assert_eq!(text_runs("").count(), 0);
        assert_eq!(text_runs("plain").collect::<Vec<_>>(), [(0, "plain")]);
        // A `>` inside a quoted value does not end the tag.
        let quoted: Vec<&str> = text_runs("<a title=\"x>y\" b='>'>t</a>")
            .map(|r| r.1)
            .collect();
        assert_eq!(quoted, ["t"]);
        let html = "x<h2 id=\"a\">";
        assert_eq!(tag_at(html, 1).unwrap().attr("id").unwrap().value, "a");
        assert!(tag_at(html, 0).is_none());
    }

    #[test]
    fn srcset_candidates() {
        let v = "/a.png 1x, /b.png 2x,/c.png";
        let urls: Vec<&str> = srcset_urls(v).iter().map(|&(s, e)| &v[s..e]).collect();
        assert_eq!(urls, ["/a.png", "/b.png", "/c.png"]);
        let v = "/a.png,/b.png";
        let urls: Vec<&str> = srcset_urls(v).iter().map(|&(s, e)| &v[s..e]).collect();
        assert_eq!(urls, ["/a.png,/b.png"]);
    }

    #[test]
    fn decoding_into_a_room_reuses_it() {
        let mut room = String::from("old");
        assert_eq!(decode_into("a &amp; b", &mut room), "a & b");
        assert_eq!(decode_into("&lt;x&gt;", &mut room), "<x>");
        assert_eq!(decode_into("plain", &mut room), "plain");
        assert_eq!(
            decode_into("&bogus; &#65;", &mut room),
            decode("&bogus; &#65;")
        );
    }

    #[test]
    fn collects_ids_and_anchor_names() {
        let html = r#"<h2 id="a&amp;b">x</h2><a name="old"></a><p name="no">"#;
        assert_eq!(ids(html), ["a&b", "old"]);
    }
}
