//! Source rewrites where kramdown reads blocks differently from CommonMark.
//! Every rewrite keeps the number of lines, so positions found in the
//! rewritten text are positions in the author's text.
//!
//! * Tables: kramdown gives a table as many columns as its longest row and
//!   pads the other rows with empty cells; GFM drops the cells beyond the
//!   header's. The header and delimiter rows are widened to the longest row.

use memchr::{memchr, memchr2, memchr3, memchr_iter};
use std::borrow::Cow;

/// Rewrite `md` for pulldown-cmark (line count preserved).
pub fn prepare(md: &str) -> Cow<'_, str> {
    let lines = split_lines(md);
    let mut edits: Vec<Option<String>> = vec![None; lines.len()];
    let mut in_code = fences(&lines, &mut edits);
    lazy_code_lines(&lines, &mut in_code, &mut edits);
    marker_only_lines(&lines, &in_code, &mut edits);
    empty_headings(&lines, &in_code, &mut edits);
    if has_spaced_backtick(md) {
        lone_backticks(&lines, &in_code, &mut edits);
    }
    ordered_lists_interrupt(&lines, &in_code, &mut edits);
    tables(&lines, &in_code, &mut edits);
    if md.contains("+ ") || md.contains("- ") || md.contains("* ") {
        mixed_bullets(&lines, &in_code, &mut edits);
    }
    if md.contains("\n=") {
        setext_single_line(&lines, &in_code, &mut edits);
    }
    if md.contains("<<") {
        tight_guillemets(&lines, &in_code, &mut edits);
    }
    if md.contains("\\\\\n") {
        backslash_breaks(&lines, &in_code, &mut edits);
    }
    if md.contains("\n<") || md.starts_with('<') {
        span_tag_lines(&lines, &in_code, &mut edits);
    }
    if edits.iter().all(Option::is_none) {
        return Cow::Borrowed(md);
    }
    let mut out = String::with_capacity(md.len() + 64);
    for (l, e) in lines.iter().zip(&edits) {
        out.push_str(e.as_deref().unwrap_or(l.text));
    }
    Cow::Owned(out)
}

/// One line of the page, with what the passes below ask of every line
/// (found once here, not once per pass).
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// The line with its `\n`.
    text: &'a str,
    /// Spaces and tabs before the first other byte.
    indent: usize,
    /// The first byte after the indent (0 if none): each pass looks closer
    /// only at the few lines that can start what it rewrites.
    first: u8,
    blank: bool,
}

impl<'a> Line<'a> {
    fn new(text: &'a str) -> Line<'a> {
        let indent = indent(text);
        let first = text.as_bytes().get(indent).copied().unwrap_or(0);
        Line {
            text,
            indent,
            first,
            // A visible first byte is never blank: no need to look further.
            blank: !first.is_ascii_graphic() && is_blank(text),
        }
    }
}

/// The lines of `md`, each with its `\n` (like `split_inclusive('\n')`).
fn split_lines(md: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::with_capacity(md.len() / 32 + 1);
    let mut start = 0;
    for nl in memchr_iter(b'\n', md.as_bytes()) {
        lines.push(Line::new(&md[start..=nl]));
        start = nl + 1;
    }
    if start < md.len() {
        lines.push(Line::new(&md[start..]));
    }
    lines
}

fn indent(line: &str) -> usize {
    line.bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count()
}

/// Whether `md` has a backtick after a space and before a space or line
/// end (`md.contains(" ` ") || md.contains(" `\n")`, in one pass): only
/// then can a paragraph hold a lone backtick.
fn has_spaced_backtick(md: &str) -> bool {
    let b = md.as_bytes();
    memchr_iter(b'`', b)
        .any(|at| at > 0 && b[at - 1] == b' ' && matches!(b.get(at + 1), Some(b' ' | b'\n')))
}

fn is_blank(line: &str) -> bool {
    // Most lines start with a visible ASCII character: no need to trim them.
    match line
        .bytes()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        None => true,
        Some(b) if b.is_ascii_graphic() => false,
        Some(_) => line.trim().is_empty(),
    }
}

/// A list item line: `-`, `+`, `*` or `1.` followed by a space or tab.
fn is_list_item(line: &str) -> bool {
    let t = line.trim_start();
    let rest = if let Some(r) = t.strip_prefix(['-', '+', '*']) {
        r
    } else {
        let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match t[digits..].strip_prefix('.') {
            Some(r) if digits > 0 => r,
            _ => return false,
        }
    };
    rest.starts_with([' ', '\t'])
}

/// kramdown needs a space or tab after a list marker: a line that is only
/// `6.` or `*` is text (usually the lazy end of the paragraph above), not
/// an empty list item. The marker is escaped so CommonMark reads it as text.
fn marker_only_lines(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    for (i, line) in lines.iter().enumerate() {
        if in_code[i] || !matches!(line.first, b'*' | b'+' | b'0'..=b'9') {
            continue;
        }
        let l = line.text;
        let body = l.trim_end_matches(['\n', '\r']);
        let t = body.trim_start_matches(' ');
        if body.len() - t.len() > 3 {
            continue;
        }
        let marker = match t {
            "*" | "+" => 0,
            _ if t.len() > 1
                && t.ends_with('.')
                && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit()) =>
            {
                t.len() - 1
            }
            _ => continue,
        };
        let at = body.len() - t.len() + marker;
        edits[i] = Some(format!("{}\\{}", &l[..at], &l[at..]));
    }
}

/// In kramdown a single backtick with whitespace on both sides never opens
/// a code span (`wrap the value in the ` character`); CommonMark pairs it
/// with the next backtick of the paragraph. Such backticks are escaped.
/// Code spans are followed across the lines of a paragraph.
fn lone_backticks(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    let mut i = 0;
    while i < lines.len() {
        if in_code[i] || lines[i].blank {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !in_code[i] && !lines[i].blank {
            i += 1;
        }
        let first = lines[start].text.trim_start();
        if first.starts_with('<') || lines[start].indent >= 4 {
            continue;
        }
        let para_lines = &lines[start..i];
        // Most paragraphs have no backtick at all.
        if !para_lines
            .iter()
            .any(|l| memchr(b'`', l.text.as_bytes()).is_some())
        {
            continue;
        }
        let para: Cow<'_, str> = match para_lines {
            [one] => Cow::Borrowed(one.text),
            many => Cow::Owned(many.iter().map(|l| l.text).collect()),
        };
        let lone = lone_backtick_offsets(&para);
        if lone.is_empty() {
            continue;
        }
        // Map paragraph offsets back to lines and escape them.
        let mut line_start = 0;
        for (k, l) in para_lines.iter().map(|l| l.text).enumerate() {
            let here: Vec<usize> = lone
                .iter()
                .filter(|&&o| o >= line_start && o < line_start + l.len())
                .map(|&o| o - line_start)
                .collect();
            if !here.is_empty() && edits[start + k].is_none() {
                edits[start + k] = Some(backslash_at(l, &here));
            }
            line_start += l.len();
        }
    }
}

/// Offsets of the lone backticks of a paragraph, following code spans the
/// way kramdown does (a run opens a span only if the same run closes it).
fn lone_backtick_offsets(para: &str) -> Vec<usize> {
    let b = para.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    // From escape to backtick: nothing else matters.
    while let Some(at) = b
        .get(k..)
        .and_then(|r| memchr2(b'\\', b'`', r))
        .map(|p| k + p)
    {
        k = at;
        match b[k] {
            b'\\' => k += 2,
            b'`' => {
                let run = b[k..].iter().take_while(|&&c| c == b'`').count();
                let before = k.checked_sub(1).map(|p| b[p]);
                let after = b.get(k + run).copied();
                let spaced = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_whitespace());
                if run == 1 && spaced(before) && spaced(after) {
                    out.push(k);
                    k += 1;
                    continue;
                }
                let delim = &para[k..k + run];
                let mut j = k + run;
                let mut close = None;
                while let Some(p) = para[j..].find(delim) {
                    let at = j + p;
                    let len = b[at..].iter().take_while(|&&c| c == b'`').count();
                    if len == run {
                        close = Some(at);
                        break;
                    }
                    j = at + len;
                }
                k = close.map_or(k + run, |c| c + run);
            }
            _ => k += 1,
        }
    }
    out
}

/// kramdown has no empty ATX headings: `#` with nothing after it is text,
/// and in `##### #` the lone `#` is the heading's text (CommonMark reads
/// both as empty headings).
fn empty_headings(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    for (i, line) in lines.iter().enumerate() {
        if in_code[i] || edits[i].is_some() || line.first != b'#' {
            continue;
        }
        let l = line.text;
        let n = l.len() - l.trim_start_matches(' ').len();
        let level = l[n..].bytes().take_while(|&b| b == b'#').count();
        if n > 3 || level == 0 || level > 6 {
            continue;
        }
        let rest = l[n + level..].trim_end_matches(['\n', '\r']);
        let content = rest.trim_matches([' ', '\t']);
        if content.is_empty() {
            edits[i] = Some(format!("{}\\{}", &l[..n], &l[n..]));
        } else if content.bytes().all(|b| b == b'#') && rest.starts_with([' ', '\t']) {
            let at = n + level + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
            edits[i] = Some(format!("{}\\{}", &l[..at], &l[at..]));
        }
    }
}

/// In kramdown (GFM quirks) any list item line ends a paragraph; in
/// CommonMark an ordered list may interrupt a paragraph only when it starts
/// at 1. kramdown ignores start numbers, so such an item is renumbered 1.
fn ordered_lists_interrupt(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    for i in 1..lines.len() {
        if !lines[i].first.is_ascii_digit()
            || in_code[i]
            || edits[i].is_some()
            || lines[i - 1].blank
            || in_code[i - 1]
        {
            continue;
        }
        let (l, n) = (lines[i].text, lines[i].indent);
        let digits = l[n..].bytes().take_while(u8::is_ascii_digit).count();
        if (n > 3 && !nested_in_item(lines, i))
            || digits == 0
            || digits > 9
            || !l[n + digits..].starts_with(". ")
        {
            continue;
        }
        if l[n + digits + 2..].trim().is_empty() || l[n..n + digits].parse() == Ok(1u32) {
            continue;
        }
        edits[i] = Some(format!("{}1{}", &l[..n], &l[n + digits..]));
    }
}

/// Fences the kramdown way:
/// * a fence without a closing fence is not a code block but text;
/// * kramdown reads a list item's lines lazily: a fence opened inside a list
///   item may close (and its lines may sit) at a smaller indent. Such lines
///   are indented to the opening fence's column so the fence stays in the item.
///
/// * outside list items a fence line indented four or more opens nothing.
///
/// Returns which lines are inside fenced code blocks.
fn fences(lines: &[Line<'_>], edits: &mut [Option<String>]) -> Vec<bool> {
    let mut in_code = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let Some((n, ch, len)) = fence_open(lines[i]) else {
            i += 1;
            continue;
        };
        if n >= 4 && !in_list_item(lines, i, n) {
            // Indented code or paragraph text, at the top level.
            i += 1;
            continue;
        }
        let in_item = if n > 0 {
            item_fence_close(lines, i, ch, len)
        } else {
            None
        };
        if let Some((ci, None)) = in_item {
            // Unclosed in its item: paragraph text, where a later fence
            // line may close the code span its backticks open.
            let l = lines[i];
            edits[i] = Some(format!("{}{SPAN_LINE}{}", &l.text[..n], &l.text[n..]));
            i += 1;
            while i < lines.len()
                && !lines[i].blank
                && fence_open(lines[i]).is_none_or(|(m, _, _)| m.saturating_sub(ci) > 3)
            {
                i += 1;
            }
            continue;
        }
        let close = match in_item {
            Some((_, close)) => close,
            None => (i + 1..lines.len()).find(|&k| is_fence_close(lines[k], ch, len)),
        };
        let Some(close) = close.or_else(|| fence_on_content(lines, i, ch, len, edits)) else {
            // kramdown needs the closing fence: without one the line is text.
            edits[i] = Some(escape_fence(lines[i].text, n, len));
            i += 1;
            continue;
        };
        in_code[i..=close].iter_mut().for_each(|c| *c = true);
        if let Some((ci, _)) = in_item.filter(|&(ci, _)| ci < n && !lines[i].text.contains('\t')) {
            // kramdown keeps the content's indent past the item's content
            // column (it strips only that); CommonMark would also strip the
            // fence's own indent. The fence moves to the content column.
            edits[i] = Some(format!("{}{}", " ".repeat(ci), &lines[i].text[n..]));
            for k in i + 1..=close {
                let l = lines[k];
                if !l.blank && l.indent < ci {
                    let body = l.text.trim_start_matches([' ', '\t']);
                    edits[k] = Some(format!("{}{}", " ".repeat(ci), body));
                }
            }
        } else if n > 0 && in_list_item(lines, i, n) {
            for k in i + 1..=close {
                let l = lines[k];
                if !l.blank && l.indent < n {
                    let body = l.text.trim_start_matches([' ', '\t']);
                    edits[k] = Some(format!("{}{}", " ".repeat(n), body));
                }
            }
        }
        i = close + 1;
    }
    in_code
}

/// The fence line with each fence character escaped.
fn escape_fence(line: &str, n: usize, len: usize) -> String {
    let mut s = String::with_capacity(line.len() + len);
    s.push_str(&line[..n]);
    for c in line[n..n + len].chars() {
        s.push('\\');
        s.push(c);
    }
    s.push_str(&line[n + len..]);
    s
}

/// An opening fence: (indent, fence char, fence length).
fn fence_open(line: Line<'_>) -> Option<(usize, u8, usize)> {
    if !matches!(line.first, b'`' | b'~') {
        return None;
    }
    let (n, line) = (line.indent, line.text);
    let t = &line.as_bytes()[n..];
    let ch = *t.first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = t.iter().take_while(|&&b| b == ch).count();
    let info = &line[n + len..];
    (len >= 3 && !(ch == b'`' && info.contains('`'))).then_some((n, ch, len))
}

fn is_fence_close(line: Line<'_>, ch: u8, len: usize) -> bool {
    if line.first.is_ascii_graphic() && line.first != ch {
        // Most lines of a code block: visibly not a fence, no need to trim.
        return false;
    }
    let t = line.text.trim();
    t.len() >= len && t.bytes().all(|b| b == ch)
}

/// Whether the line `i` (indented by `n`) belongs to a list item: the
/// nearest less-indented non-blank line above it is a list item.
fn in_list_item(lines: &[Line<'_>], i: usize, n: usize) -> bool {
    lines[..i]
        .iter()
        .rev()
        .find(|l| !l.blank && l.indent < n)
        .is_some_and(|l| is_list_item(l.text))
}

/// GFM tables, read the kramdown way:
/// * kramdown gives a table as many columns as its longest row and pads the
///   other rows; GFM drops the cells beyond the header's, so the header and
///   delimiter rows are widened to the longest row;
/// * a kramdown table starts after a blank line and ends before one (or the
///   end of its container); otherwise its lines are paragraph text, so the
///   delimiter row is escaped; so is a table without body rows.
fn tables(lines: &[Line<'_>], in_code: &[bool], edits: &mut [Option<String>]) {
    let mut i = 0;
    while i + 1 < lines.len() {
        // The cheap test first: the next line may be a delimiter row.
        if !may_be_delimiter_row(lines[i + 1])
            || in_code[i]
            || in_code[i + 1]
            || memchr(b'|', lines[i].text.as_bytes()).is_none()
            || !is_delimiter_row(lines[i + 1].text)
            || edits[i + 1].is_some()
        {
            i += 1;
            continue;
        }
        let mut end = i + 2;
        while end < lines.len()
            && !in_code[end]
            && !lines[end].blank
            && memchr(b'|', lines[end].text.as_bytes()).is_some()
        {
            end += 1;
        }
        let n = lines[i].indent;
        let starts = i == 0 || lines[i - 1].blank;
        let ends = end == lines.len() || lines[end].blank || lines[end].indent < n;
        let has_body = end > i + 2;
        if !starts || !ends || !has_body {
            // Every delimiter row of the block, not only the first: GFM
            // would start a table at a later one (kramdown's tables with
            // several header rows or bodies are read from the paragraph).
            for k in i + 1..end {
                let l = lines[k].text;
                if k == i + 1 || (edits[k].is_none() && is_delimiter_row(l)) {
                    let at = l.find('|').unwrap_or(0);
                    edits[k] = Some(format!("{}\\{}", &l[..at], &l[at..]));
                }
            }
            i = end;
            continue;
        }
        // kramdown never splits a cell inside code: escape those pipes for GFM.
        let rows: Vec<Cow<'_, str>> = lines[i..end]
            .iter()
            .map(|l| protect_code_pipes(l.text).map_or(Cow::Borrowed(l.text), Cow::Owned))
            .collect();
        for (k, row) in (i..end).zip(&rows) {
            if let Cow::Owned(row) = row {
                edits[k] = Some(row.clone());
            }
        }
        let header = count_cells(&rows[0]);
        let widest = rows
            .iter()
            .skip(2)
            .map(|r| count_cells(r))
            .fold(header, usize::max);
        if widest > header {
            edits[i] = Some(widen(&rows[0], widest - header, "  |"));
            edits[i + 1] = Some(widen(lines[i + 1].text, widest - header, " --- |"));
        }
        i = end;
    }
}

/// The line with every `|` inside a code span (backticks or `<code>`)
/// escaped, if it has any.
fn protect_code_pipes(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let has_code = memchr(b'`', b).is_some() || line.contains("<code");
    if !has_code {
        return None;
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    // From escape to backtick to `<`: nothing else matters.
    while let Some(at) = b
        .get(k..)
        .and_then(|r| memchr3(b'\\', b'`', b'<', r))
        .map(|p| k + p)
    {
        k = at;
        match b[k] {
            b'\\' => k += 2,
            b'`' => {
                let run = b[k..].iter().take_while(|&&c| c == b'`').count();
                let delim = &line[k..k + run];
                match line[k + run..].find(delim) {
                    Some(p) => {
                        spans.push((k + run, k + run + p));
                        k += run + p + run;
                    }
                    None => k += run,
                }
            }
            b'<' if line[k..].starts_with("<code") => match line[k..].find("</code>") {
                Some(p) => {
                    spans.push((k, k + p));
                    k += p + 7;
                }
                None => k += 1,
            },
            _ => k += 1,
        }
    }
    let pipes: Vec<usize> = spans
        .iter()
        .flat_map(|&(a, z)| (a..z).filter(|&p| b[p] == b'|' && (p == 0 || b[p - 1] != b'\\')))
        .collect();
    if pipes.is_empty() {
        return None;
    }
    Some(backslash_at(line, &pipes))
}

/// `line` with a backslash inserted before each of the (ascending) byte offsets.
fn backslash_at(line: &str, offsets: &[usize]) -> String {
    let mut out = String::with_capacity(line.len() + offsets.len());
    let mut from = 0;
    for &o in offsets {
        out.push_str(&line[from..o]);
        out.push('\\');
        from = o;
    }
    out.push_str(&line[from..]);
    out
}

/// False for lines that cannot be a delimiter row, from their first byte:
/// a visible one other than `|`, `:` or `-`.
fn may_be_delimiter_row(line: Line<'_>) -> bool {
    matches!(line.first, b'|' | b':' | b'-') || !line.first.is_ascii_graphic()
}

/// A GFM table delimiter row: `| :--- | ---: |`.
fn is_delimiter_row(line: &str) -> bool {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    !t.is_empty()
        && t.split('|').all(|c| {
            let c = c.trim();
            let c = c.strip_prefix(':').unwrap_or(c);
            let c = c.strip_suffix(':').unwrap_or(c);
            !c.is_empty() && c.bytes().all(|b| b == b'-')
        })
}

/// Cells of a table row as GFM splits it (outer pipes dropped, `\|` kept).
fn count_cells(line: &str) -> usize {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let b = t.as_bytes();
    // A backslash escapes the byte after it: a pipe after an odd run of
    // backslashes is text.
    let escaped = |p: usize| b[..p].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1;
    let pipes = memchr_iter(b'|', b).filter(|&p| !escaped(p)).count();
    let trailing = t.ends_with('|') && !t.ends_with("\\|");
    pipes + 1 - usize::from(trailing)
}

/// `line` with `extra` more cells written as `cell`.
fn widen(line: &str, extra: usize, cell: &str) -> String {
    let body = line.trim_end_matches(['\n', '\r']);
    let eol = &line[body.len()..];
    let trimmed = body.trim_end();
    let mut s = String::with_capacity(line.len() + extra * cell.len() + 2);
    s.push_str(trimmed);
    if !trimmed.ends_with('|') || trimmed.ends_with("\\|") {
        s.push_str(" |");
    }
    for _ in 0..extra {
        s.push_str(cell);
    }
    s.push_str(eol);
    s
}

mod kramdown;

use items::{item_fence_close, nested_in_item};
pub use kramdown::lists_after_paragraphs;
pub use kramdown::SPAN_LINE;
use kramdown::{
    backslash_breaks, fence_on_content, lazy_code_lines, mixed_bullets, setext_single_line,
    span_tag_lines, tight_guillemets,
};

mod items;
#[cfg(test)]
mod tests;
