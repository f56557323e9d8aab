//! kramdown's lines read before the page is parsed (every offset kept,
//! so positions stay the author's): IAL and ALD lines (their attributes go
//! to `attributes`), `{::comment}`, `{::nomarkdown}` and `{::options}`,
//! abbreviation definitions, IALs at the start of list items, `^` lines
//! (end of block). Constructs of kramdown that elementdocs does not render
//! (other options, extensions not closed on their line) are warned at
//! their line and column instead of being left silently different.

use super::attributes::{parse_attrs, Attrs, BlockIal};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use regex::Regex;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// A construct read here but not rendered: (1-based line, column, what).
pub type Unsupported = (usize, usize, &'static str);

static IAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\{:(\s*[^:}\s](?:\\\}|[^}])*|\s*)\}\s*$").unwrap());
static ALD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\{:([\w-]+):((?:\\\}|[^}])*)\}\s*$").unwrap());
/// kramdown's IAL at the start of a list item: the marker, then `{:...}`
/// (not `{::`, `{:/` or an ALD `{:name:`), then the spaces after it.
static ITEM_IAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*(?:[*+-]|\d+\.)[ \t]+)\{:((?:\\\}|[^}])+)\}[ \t]*").unwrap()
});
static ALD_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:\w[\w-]*)?:|^/").unwrap());
static SPAN_EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{::(comment|nomarkdown)\}(.*?)\{:/(?:comment|nomarkdown)?\}").unwrap()
});
static OPTIONS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\{::options\s+([^}]*?)\s*/?\}\s*$").unwrap());
static ABBREVIATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\*\[([^\]]+)\]:[ \t]*(.*?)\s*$").unwrap());

fn fence_marker(line: &str) -> Option<(u8, usize)> {
    let t = line.trim_start();
    let ch = *t.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let n = t.bytes().take_while(|&b| b == ch).count();
    (n >= 3).then_some((ch, n))
}

/// What [`extract`] read from a page.
#[derive(Debug, Default)]
pub struct Extracted {
    pub ials: Vec<BlockIal>,
    /// Abbreviations (`*[HTML]: title`): the word and its title.
    pub abbreviations: Vec<(String, String)>,
    pub unsupported: Vec<Unsupported>,
    /// `{::options auto_ids="false" /}`.
    pub auto_ids: Option<bool>,
    /// `{::options toc_levels="2..3" /}`: the heading levels of a `{:toc}`.
    pub toc_levels: Option<Vec<u8>>,
    /// The content of `{::nomarkdown}` blocks, written as it is.
    pub raw_blocks: Vec<String>,
    /// The ALDs, for the span IALs that name them.
    pub alds: HashMap<String, Attrs>,
}

/// The page with IAL, ALD, abbreviation and comment-extension lines
/// rewritten (every offset kept), and what they hold.
pub fn extract(md: &str) -> (Cow<'_, str>, Extracted) {
    let mut found = Extracted::default();
    // Cheap test first: most pages have none of these.
    if !md.contains("{:") && !md.contains("*[") && !md.contains("\n^") && !md.starts_with('^') {
        return (Cow::Borrowed(md), found);
    }
    let Extracted {
        ials,
        abbreviations,
        unsupported,
        auto_ids,
        toc_levels,
        raw_blocks,
        alds,
    } = &mut found;
    let lines: Vec<&str> = md.split_inclusive('\n').collect();
    let mut out: Vec<Cow<'_, str>> = lines.iter().map(|l| Cow::Borrowed(*l)).collect();
    let mut fence: Option<(u8, usize)> = None;
    let blank = |l: &str| l.trim().is_empty();
    let mut comment_from: Option<usize> = None;
    // The line after the last block IAL line.
    let mut last_ial: Option<usize> = None;
    let mut raw_from: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some((ch, n)) = fence {
            if fence_marker(line).is_some_and(|(c, m)| c == ch && m >= n) {
                fence = None;
            }
            continue;
        }
        if let Some(f) = fence_marker(line) {
            fence = Some(f);
            continue;
        }
        let content = line.trim_end_matches(['\n', '\r']);
        if comment_from.is_some() {
            let t = content.trim();
            if t == "{:/comment}" || t == "{:/}" {
                out[i] = Cow::Owned(blanked(line, "-->"));
                comment_from = None;
            }
            continue;
        }
        if let Some(from) = raw_from {
            let t = content.trim();
            if t == "{:/nomarkdown}" || t == "{:/}" {
                // The lines between go out as written, in place of a
                // placeholder comment (an HTML block of its own line).
                raw_blocks.push(lines[from + 1..i].concat());
                let k = raw_blocks.len() - 1;
                out[from] = Cow::Owned(format!("<!--\u{E004}{k}-->\n"));
                for l in &mut out[from + 1..=i] {
                    *l = Cow::Owned(blanked(l, ""));
                }
                raw_from = None;
            }
            continue;
        }
        if content.trim_end() == "^" {
            // kramdown's end-of-block marker: the block (a list, a
            // paragraph) ends here, and nothing is written; an empty raw
            // block ends it for CommonMark too.
            raw_blocks.push(String::new());
            let k = raw_blocks.len() - 1;
            out[i] = Cow::Owned(format!("<!--\u{E004}{k}-->\n"));
            continue;
        }
        if content.trim() == "{::nomarkdown}" {
            raw_from = Some(i);
            continue;
        }
        if content.trim() == "{::comment}" {
            out[i] = Cow::Owned(blanked(line, "<!--"));
            comment_from = Some(i);
            continue;
        }
        if let Some(c) = ALD.captures(content) {
            let mut a = Attrs::default();
            parse_attrs(&c[2], alds, &mut a);
            alds.insert(c[1].to_string(), a);
            out[i] = Cow::Owned(blanked(line, ""));
            continue;
        }
        if let Some(c) = OPTIONS.captures(content) {
            let mut a = Attrs::default();
            parse_attrs(&c[1], &HashMap::new(), &mut a);
            for (k, v) in a.pairs {
                match k.as_str() {
                    "auto_ids" => *auto_ids = Some(v == "true"),
                    "toc_levels" => *toc_levels = Some(levels(&v)),
                    _ => unsupported.push((i + 1, 1, "option (only auto_ids and toc_levels are)")),
                }
            }
            out[i] = Cow::Owned(blanked(line, ""));
            continue;
        }
        if let Some(c) = ABBREVIATION.captures(content) {
            abbreviations.retain(|(w, _)| *w != c[1]);
            abbreviations.push((c[1].to_string(), c[2].to_string()));
            out[i] = Cow::Owned(blanked(line, ""));
            continue;
        }
        if let Some(c) = IAL.captures(content) {
            out[i] = Cow::Owned(blanked(line, ""));
            // IAL lines one after another are one list of attributes.
            if let Some(last) = ials.last_mut().filter(|_| last_ial == Some(i)) {
                parse_attrs(&c[1], alds, &mut last.attrs);
                last_ial = Some(i + 1);
                continue;
            }
            last_ial = Some(i + 1);
            let mut attrs = Attrs::default();
            parse_attrs(&c[1], alds, &mut attrs);
            let prev = i.checked_sub(1).filter(|&p| !blank(lines[p]));
            let next = (i + 1..lines.len()).find(|&k| !blank(lines[k]));
            ials.push(BlockIal {
                after: prev.map(|p| p + 1),
                before: if prev.is_none() {
                    next.map(|k| k + 1)
                } else {
                    None
                },
                attrs,
                used: false,
                item: false,
            });
            continue;
        }
        if content.contains("{::") && SPAN_EXTENSION.is_match(content) {
            let rewritten = SPAN_EXTENSION.replace_all(content, |c: &regex::Captures<'_>| {
                if &c[1] == "comment" {
                    format!("<!-- {} -->", c[2].replace("--", "- -"))
                } else {
                    markdown_escaped(&c[2])
                }
            });
            let eol = &line[content.len()..];
            // A line opening with the comment right after paragraph text
            // continues the paragraph (kramdown reads it as span text): an
            // indent keeps CommonMark from starting an HTML block there.
            let indent = if rewritten.starts_with("<!--") && continues_paragraph(&lines[..i]) {
                "    "
            } else {
                ""
            };
            out[i] = Cow::Owned(format!("{indent}{rewritten}{eol}"));
            note_unsupported(&out[i].clone(), i + 1, unsupported);
            continue;
        }
        if let Some(c) = ITEM_IAL
            .captures(content)
            .filter(|c| !ALD_START.is_match(&c[2]))
        {
            // The IAL goes to the item; the line keeps its marker and text
            // (shorter by the IAL: columns after it move on this line only).
            let mut attrs = Attrs::default();
            parse_attrs(&c[2], alds, &mut attrs);
            ials.push(BlockIal {
                after: None,
                before: Some(i + 1),
                attrs,
                used: false,
                item: true,
            });
            let whole = c.get(0).expect("match");
            let eol = &line[content.len()..];
            out[i] = Cow::Owned(format!("{}{}{eol}", &c[1], &content[whole.end()..]));
            note_unsupported(&out[i].clone(), i + 1, unsupported);
            continue;
        }
        note_unsupported(content, i + 1, unsupported);
    }
    if let Some(from) = comment_from {
        // Never closed: kramdown keeps the rest of the page as the comment.
        out.push(Cow::Borrowed(if md.ends_with('\n') {
            "-->\n"
        } else {
            "\n-->\n"
        }));
        let _ = from;
    }
    // Longest first: `HTML5` before `HTML`.
    abbreviations.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    if out.len() == lines.len() && out.iter().all(|l| matches!(l, Cow::Borrowed(_))) {
        return (Cow::Borrowed(md), found);
    }
    let text: String = out.concat();
    (Cow::Owned(text), found)
}

/// Whether a line after `before` continues a paragraph: the line before it
/// is text, not blank, a heading or a setext underline.
fn continues_paragraph(before: &[&str]) -> bool {
    let Some(prev) = before.last().map(|l| l.trim()) else {
        return false;
    };
    !prev.is_empty()
        && !prev.starts_with(['#', '<', '`', '~', '|', '{'])
        && !prev.chars().all(|c| matches!(c, '=' | '-' | ' '))
}

/// `s` with every ASCII punctuation character Markdown reads escaped, so
/// it shows as written (`{::nomarkdown}` in a line); HTML stays raw.
fn markdown_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii_punctuation()
            && !matches!(
                c,
                '<' | '>' | '&' | '"' | '\'' | '=' | '/' | ':' | ';' | '.' | ','
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// kramdown's `toc_levels`: `2..4`, `1,3` or `2`.
fn levels(v: &str) -> Vec<u8> {
    if let Some((a, b)) = v.split_once("..") {
        let (a, b) = (a.trim().parse().unwrap_or(1), b.trim().parse().unwrap_or(6));
        return (a..=b).collect();
    }
    v.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

/// `line` with `keep` at its start and spaces for the rest of it (its end
/// of line kept), so offsets after it do not move.
fn blanked(line: &str, keep: &str) -> String {
    let eol = &line[line.trim_end_matches(['\n', '\r']).len()..];
    let body = line.len() - eol.len();
    let mut s = String::with_capacity(line.len().max(keep.len()));
    s.push_str(keep);
    for _ in keep.len()..body {
        s.push(' ');
    }
    s.push_str(eol);
    s
}

fn note_unsupported(line: &str, n: usize, out: &mut Vec<Unsupported>) {
    let col = |at: usize| line[..at].chars().count() + 1;
    for (ext, what) in [
        (
            "{::nomarkdown",
            "a `{::nomarkdown}` extension not closed on its line",
        ),
        (
            "{::comment}",
            "a `{::comment}` extension not closed on its line",
        ),
    ] {
        if let Some(at) = line.find(ext) {
            out.push((n, col(at), what));
        }
    }
}

/// Wrap each abbreviation in the text of `events` (not in code, not in an
/// image's alt text) in `<abbr title="...">`, as a whole word.
pub fn abbreviate(events: &mut Vec<Event<'_>>, abbreviations: &[(String, String)]) {
    let words: Vec<String> = abbreviations
        .iter()
        .map(|(w, _)| regex::escape(w))
        .collect();
    let Ok(re) = Regex::new(&format!(r"\b({})\b", words.join("|"))) else {
        return;
    };
    let mut image = 0usize;
    let mut out = Vec::with_capacity(events.len());
    for e in events.drain(..) {
        match &e {
            Event::Start(Tag::Image { .. }) => image += 1,
            Event::End(TagEnd::Image) => image = image.saturating_sub(1),
            Event::Text(t) if image == 0 && re.is_match(t) => {
                let t = t.to_string();
                let mut from = 0;
                for c in re.captures_iter(&t) {
                    let m = c.get(1).expect("group");
                    if m.start() > from {
                        out.push(Event::Text(CowStr::from(t[from..m.start()].to_string())));
                    }
                    let title = abbreviations
                        .iter()
                        .find(|(w, _)| w == m.as_str())
                        .map_or("", |a| a.1.as_str());
                    out.push(Event::Html(CowStr::from(if title.is_empty() {
                        "<abbr>".to_string()
                    } else {
                        format!(
                            "<abbr title=\"{}\">",
                            html_escape::encode_double_quoted_attribute(title)
                        )
                    })));
                    out.push(Event::Text(CowStr::from(m.as_str().to_string())));
                    out.push(Event::Html(CowStr::Borrowed("</abbr>")));
                    from = m.end();
                }
                if from < t.len() {
                    out.push(Event::Text(CowStr::from(t[from..].to_string())));
                }
                continue;
            }
            _ => {}
        }
        out.push(e);
    }
    *events = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ials_attach_to_the_block_before_or_after() {
        let (text, found) = extract("para\n{: .a #b k=\"v w\"}\n\n{: .c}\nnext\n");
        let ials = found.ials;
        assert_eq!(
            text.len(),
            "para\n{: .a #b k=\"v w\"}\n\n{: .c}\nnext\n".len()
        );
        assert!(!text.contains("{:"));
        assert_eq!(ials[0].after, Some(1));
        assert_eq!(ials[0].attrs.id.as_deref(), Some("b"));
        assert_eq!(ials[0].attrs.pairs, [("k".to_string(), "v w".to_string())]);
        assert_eq!((ials[1].after, ials[1].before), (None, Some(5)));
    }

    #[test]
    fn alds_are_referenced_and_fences_left_alone() {
        let (_, found) = extract("{:x: .warn}\n\np\n{: x .y}\n\n```\n{: .no}\n```\n");
        let ials = found.ials;
        assert_eq!(ials.len(), 1);
        assert_eq!(ials[0].attrs.classes, ["warn", "y"]);
    }

    #[test]
    fn unsupported_constructs_are_located() {
        let (text, found) = extract(
            "* {: .x} item\n\n*[HTML]: Hyper\n\n{::options a=\"b\" auto_ids=\"false\" /}\n",
        );
        assert_eq!(found.auto_ids, Some(false));
        let u = found.unsupported;
        assert_eq!((u[0].0, u[0].1), (5, 1));
        assert_eq!(found.ials[0].attrs.classes, ["x"]);
        assert!(found.ials[0].item);
        assert!(text.starts_with("* item\n"));
        assert_eq!(
            found.abbreviations,
            [("HTML".to_string(), "Hyper".to_string())]
        );
        assert!(!text.contains("*[HTML]"));
    }
}
