//! kramdown's block rules that CommonMark lacks, as line rewrites of
//! `blocks` (each keeps the number of lines): bullets that change within
//! a list, one-line setext headings, `<<word>>` guillemets, `\\` line
//! breaks, a fence closed on its content line, and (`input: kramdown`)
//! no list or fence right after a paragraph.

use super::{escape_fence, fence_open, fences, is_list_item, split_lines, Line};
use std::borrow::Cow;

/// With kramdown's own syntax (`input: kramdown`) a list or a fence cannot
/// interrupt a paragraph: such a marker line is paragraph text, its marker
/// escaped (and so is every fence line up to the paragraph's end).
pub fn lists_after_paragraphs(md: &str) -> Cow<'_, str> {
    let lines = split_lines(md);
    let mut edits: Vec<Option<String>> = vec![None; lines.len()];
    let in_code = fences(&lines, &mut edits);
    let mut block_start = 0;
    let mut changed = false;
    let mut fence_text = false;
    for i in 0..lines.len() {
        let l = lines[i];
        if l.blank {
            block_start = i + 1;
            fence_text = false;
            continue;
        }
        let opens_block = matches!(
            lines[block_start].first,
            b'#' | b'<' | b'|' | b'>' | b'`' | b'~'
        ) || is_list_item(lines[block_start].text)
            || lines[block_start].indent >= 4;
        let in_para = i > block_start && !opens_block && l.indent < 4;
        if let Some((n, _, len)) =
            fence_open(l).filter(|_| in_para && (fence_text || !in_code[i - 1]))
        {
            edits[i] = Some(escape_fence(l.text, n, len));
            fence_text = true;
            changed = true;
            continue;
        }
        if !in_para || in_code[i] || !is_list_item(l.text) {
            continue;
        }
        let t = l.text;
        let at = if matches!(l.first, b'*' | b'+' | b'-') {
            l.indent
        } else {
            l.indent + t[l.indent..].bytes().take_while(u8::is_ascii_digit).count()
        };
        edits[i] = Some(format!("{}\\{}", &t[..at], &t[at..]));
        changed = true;
    }
    if !changed {
        return Cow::Borrowed(md);
    }
    let mut out = String::with_capacity(md.len() + 8);
    for (l, e) in lines.iter().zip(&edits) {
        out.push_str(e.as_deref().unwrap_or(l.text));
    }
    Cow::Owned(out)
}

/// kramdown keeps one list when its bullets change (`*`, then `+`);
/// CommonMark starts a new list. Later bullets of a list are written as
/// its first one.
pub(super) fn mixed_bullets(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    // The first bullet of the list open at each indent.
    let mut open: Vec<(usize, u8)> = Vec::new();
    let mut after_blank = false;
    for (i, l) in lines.iter().enumerate() {
        if l.blank {
            after_blank = true;
            continue;
        }
        let bullet = matches!(l.first, b'*' | b'+' | b'-') && is_list_item(l.text) && !in_code[i];
        if !bullet {
            // A line less indented than a list's items, after a blank, ends it.
            if after_blank || is_list_item(l.text) {
                open.retain(|&(n, _)| n < l.indent);
            }
            after_blank = false;
            continue;
        }
        after_blank = false;
        let is_rule = l.text.bytes().filter(|&b| b == l.first).count() >= 3
            && l.text
                .bytes()
                .all(|b| b == l.first || b.is_ascii_whitespace());
        if is_rule || edits[i].is_some() {
            continue;
        }
        open.retain(|&(n, _)| n <= l.indent);
        match open.last() {
            Some(&(n, b)) if n == l.indent && b != l.first => {
                let mut s = l.text.to_string();
                s.replace_range(l.indent..l.indent + 1, (b as char).encode_utf8(&mut [0; 4]));
                edits[i] = Some(s);
            }
            Some(&(n, _)) if n == l.indent => {}
            _ => open.push((l.indent, l.first)),
        }
    }
}

/// kramdown's setext heading is one line of text: under a paragraph of
/// two or more lines, a `===` line is text too (CommonMark makes it all an h1).
pub(super) fn setext_single_line(
    lines: &[Line<'_>],
    in_code: &[bool],
    edits: &mut [Option<String>],
) {
    for i in 2..lines.len() {
        let l = lines[i];
        let underline = l.first == b'=' && l.indent < 4 && l.text.trim().bytes().all(|b| b == b'=');
        if underline
            && !in_code[i]
            && edits[i].is_none()
            && !lines[i - 1].blank
            && !lines[i - 2].blank
        {
            edits[i] = Some(format!("\\{}", l.text.trim_start()));
        }
    }
}

/// `<<word>>`: kramdown's guillemets, which CommonMark would read as the
/// tag `<word>` between two `<`/`>`. Written as the entities here (lines
/// with code spans are left alone).
pub(super) fn tight_guillemets(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    static TIGHT: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"<<([A-Za-z][^<>]*)>>").unwrap());
    for (i, l) in lines.iter().enumerate() {
        if in_code[i] || edits[i].is_some() || l.indent >= 4 || l.text.contains('`') {
            continue;
        }
        if let std::borrow::Cow::Owned(s) = TIGHT.replace_all(l.text, "&laquo;$1&raquo;") {
            edits[i] = Some(s);
        }
    }
}

/// kramdown's line break `\\` at the end of a line is CommonMark's `\`
/// there (CommonMark reads `\\` as one escaped backslash).
pub(super) fn backslash_breaks(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    for (i, l) in lines.iter().enumerate() {
        let next_text = lines.get(i + 1).is_some_and(|n| !n.blank);
        if in_code[i] || edits[i].is_some() || !next_text || l.indent >= 4 {
            continue;
        }
        let body = l.text.trim_end_matches(['\n', '\r']);
        let slashes = body.len() - body.trim_end_matches('\\').len();
        if slashes == 2 && body.len() > 2 && !body.trim_start().starts_with('|') {
            edits[i] = Some(format!(
                "{}{}",
                &body[..body.len() - 1],
                &l.text[body.len()..]
            ));
        }
    }
}

/// A fence closed at the end of its last content line (`}```` after a
/// JSON body): kramdown reads the whole block as one code span, which no
/// author means (bugs.yml). The fence moves to the blank line after it
/// (or after the page's last line), so the line count stays; the index of
/// the closing line, or None when no such line is followed by a blank.
pub(super) fn fence_on_content(
    lines: &[Line<'_>],
    open: usize,
    ch: u8,
    len: usize,
    edits: &mut [Option<String>],
) -> Option<usize> {
    let fence = (ch as char).to_string().repeat(len);
    let k = (open + 1..lines.len()).find(|&k| {
        let t = lines[k].text.trim_end();
        t.ends_with(&fence) && !t.trim_start().trim_end_matches(ch as char).is_empty()
    })?;
    let body = lines[k].text.trim_end().trim_end_matches(ch as char);
    let indent = " ".repeat(lines[open].indent);
    match lines.get(k + 1) {
        Some(next) if next.blank => {
            edits[k] = Some(format!("{body}\n"));
            edits[k + 1] = Some(format!("{indent}{fence}\n"));
            Some(k + 1)
        }
        None => {
            edits[k] = Some(format!("{body}\n{indent}{fence}\n"));
            Some(k)
        }
        Some(_) => None,
    }
}

/// Put at the start of a line that is one span-level tag; removed from the
/// page's HTML once it is written (see [`SPAN_LINE`]'s use in `markdown`).
pub const SPAN_LINE: char = '\u{E008}';

/// kramdown's span-level HTML elements (its parser's list): a line that
/// starts with one of them is paragraph text, never an HTML block.
const SPAN_ELEMENTS: &[&str] = &[
    "a", "abbr", "acronym", "b", "big", "bdo", "br", "button", "cite", "code", "del", "dfn", "em",
    "i", "img", "input", "ins", "kbd", "label", "mark", "option", "q", "rb", "rbc", "rp", "rt",
    "rtc", "ruby", "samp", "select", "small", "span", "strong", "sub", "sup", "tt", "u", "var",
];

/// A span-level tag alone on its line (`<img src="a.png">`, `<br>`) is an
/// HTML block for CommonMark (its raw lines up to a blank line) and text
/// of a paragraph for kramdown (`<p><img ... /></p>`, Markdown read on the
/// lines after it). A marker before the tag makes it text for CommonMark
/// too. Where the line sits inside raw HTML or code the marker changes
/// nothing: it is removed from the output wherever it ends up.
pub(super) fn span_tag_lines(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    static TAG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^<([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>\s*$").unwrap()
    });
    for (i, l) in lines.iter().enumerate() {
        if l.first != b'<' || l.indent >= 4 || in_code[i] || edits[i].is_some() {
            continue;
        }
        let t = &l.text[l.indent..];
        let Some(c) = TAG.captures(t) else {
            continue;
        };
        let name = c[1].to_ascii_lowercase();
        // `markdown="..."` elements are `html_blocks`' to read.
        if !SPAN_ELEMENTS.contains(&name.as_str()) || t.contains("markdown=") {
            continue;
        }
        edits[i] = Some(format!("{}{SPAN_LINE}{t}", &l.text[..l.indent]));
    }
}

/// kramdown's indented code block takes the non-blank lines right after
/// its lines into it, lazily, each joined to the line before with a space
/// (`parse_codeblock`: `gsub(/\n( {0,3}\S)/, ' \1')`): a heading or text
/// under the code without a blank line is code. CommonMark ends the block
/// there. A run of such lines that ends at a blank line or the end of the
/// page is moved onto the code line above it, and the lines it leaves are
/// blank (a code block's trailing blank lines are not part of it). Only
/// outside list items and fences; a run that holds kramdown's exceptions
/// (an IAL, `^`, an HTML tag) or goes on into more code is left.
pub(super) fn lazy_code_lines(
    lines: &[Line<'_>],
    in_code: &mut [bool],
    edits: &mut [Option<String>],
) {
    let mut k = 1;
    while k < lines.len() {
        let (above, l) = (lines[k - 1], lines[k]);
        if l.blank || is_code(&l) || !is_code(&above) || in_code[k - 1] || in_code[k] {
            k += 1;
            continue;
        }
        let end = (k..lines.len())
            .find(|&e| lines[e].blank || is_code(&lines[e]))
            .unwrap_or(lines.len());
        let ends_blank = end == lines.len() || lines[end].blank;
        if ends_blank
            && top_level_code(lines, k - 1)
            && (k..end).all(|e| edits[e].is_none() && !in_code[e] && lazy(lines[e].text))
            && edits[k - 1].is_none()
        {
            let mut joined = above.text.trim_end_matches('\n').to_string();
            for e in k..end {
                joined.push(' ');
                joined.push_str(lines[e].text.trim_end_matches('\n'));
                edits[e] = Some("\n".to_string());
                in_code[e] = true;
            }
            joined.push('\n');
            edits[k - 1] = Some(joined);
        }
        k = end;
    }
}

/// A line kramdown takes lazily into a code block: not an IAL, an
/// end-of-block `^` or a line starting with an HTML tag.
fn lazy(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    !(t.starts_with("{:")
        || t.trim_end() == "^"
        || t.strip_prefix('<')
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')))
}

/// A line of an indented code block (kramdown's `INDENT`, then text).
fn is_code(l: &Line<'_>) -> bool {
    !l.blank && (l.text.starts_with('\t') || l.text.starts_with("    "))
}

/// Whether code line `i` is in an indented code block at the top level:
/// the block starts after a blank line or a heading (after a paragraph
/// line it is the paragraph's), and no list item above may hold it.
fn top_level_code(lines: &[Line<'_>], i: usize) -> bool {
    let mut s = i;
    while s > 0 && (lines[s - 1].blank || is_code(&lines[s - 1])) {
        s -= 1;
    }
    if s > 0 && !lines[s].blank && lines[s - 1].first != b'#' {
        return false;
    }
    // Up to the nearest line at column 0, none is a list item.
    for l in lines[..s].iter().rev().filter(|l| !l.blank) {
        if is_list_item(l.text) {
            return false;
        }
        if l.indent == 0 {
            return true;
        }
    }
    true
}
