//! kramdown tables that GFM does not see: in kramdown any block of lines
//! that all hold a `|` (outside code spans) is a table, with or without a
//! header and delimiter row (`| 404 | Not found |` lines alone, or even
//! `GET | POST` in a list item). Such blocks reach us as paragraphs; this
//! module splits their lines into cells the way kramdown does.

use super::events::{find_end, Ctx, Spanned};
use super::html_blocks::ContentMode;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::ops::Range;

impl Ctx<'_> {
    /// Whether event `i` starts what kramdown reads as a table GFM does
    /// not: a paragraph of pipe lines, or a table with parts.
    pub(super) fn is_kramdown_table(&self, src: &str, evs: &[Spanned<'_>], i: usize) -> bool {
        match evs[i].0 {
            Event::Start(Tag::Paragraph) => self.is_headerless_table(src, evs, i),
            Event::Start(Tag::Table(_)) => self.is_sectioned_table(src, evs, i),
            _ => false,
        }
    }

    /// Whether paragraph `i` is a kramdown table without header: all its
    /// lines hold a `|`, and it stands between block boundaries.
    fn is_headerless_table(&self, src: &str, evs: &[Spanned<'_>], i: usize) -> bool {
        let r = &evs[i].1;
        if !src[r.clone()].contains('|') {
            return false;
        }
        let line_start = src[..r.start].rfind('\n').map_or(0, |k| k + 1);
        let before_ok = i == 0
            || matches!(evs[i - 1].0, Event::Start(Tag::Item | Tag::BlockQuote(_)))
            || line_start == 0
            || src[..line_start - 1]
                .rsplit('\n')
                .next()
                .is_some_and(|l| l.trim().is_empty());
        let end = find_end(evs, i);
        let after_line = if src[..r.end].ends_with('\n') {
            r.end
        } else {
            src[r.end..].find('\n').map_or(src.len(), |k| r.end + k + 1)
        };
        let after_ok = matches!(
            evs.get(end + 1).map(|e| &e.0),
            None | Some(Event::End(TagEnd::Item | TagEnd::BlockQuote(_)))
        ) || src[after_line..]
            .split('\n')
            .next()
            .is_none_or(|l| l.trim().is_empty());
        before_ok && after_ok && kramdown_table(src, r.clone()).is_some()
    }

    /// The text of a tight list item (no paragraph events) that is all pipe
    /// lines is a kramdown table too. Returns the next event to process.
    pub(super) fn tight_item_table<'s>(
        &mut self,
        src: &'s str,
        evs: &[Spanned<'s>],
        first: usize,
        out: &mut Vec<Event<'s>>,
    ) -> usize {
        let Some(end) = inline_run_end(evs, first) else {
            return first;
        };
        let para = evs[first].1.start..evs[end - 1].1.end;
        if !src[para.clone()].contains('|') || kramdown_table(src, para.clone()).is_none() {
            return first;
        }
        self.table_from_lines(src, para, out);
        end
    }

    /// Render the lines at `para` (a paragraph, or a table pulldown-cmark
    /// read) as the kramdown table they are.
    pub(super) fn table_from_lines<'s>(
        &mut self,
        src: &'s str,
        para: Range<usize>,
        out: &mut Vec<Event<'s>>,
    ) {
        let Some(table) = kramdown_table(src, para) else {
            return;
        };
        let columns = table.columns();
        let mut html = String::from("<table>\n");
        for (part, rows) in &table.sections {
            let (tag, cell_tag) = match part {
                Part::Head => ("thead", "th"),
                Part::Body => ("tbody", "td"),
                Part::Foot => ("tfoot", "td"),
            };
            html.push_str(&format!("<{tag}>\n"));
            for row in rows {
                html.push_str("<tr>\n");
                for k in 0..columns {
                    html.push('<');
                    html.push_str(cell_tag);
                    if let Some(a) = table.align.get(k).copied().flatten() {
                        html.push_str(&format!(" style=\"text-align: {a}\""));
                    }
                    html.push('>');
                    if let Some(cell) = row.get(k) {
                        let mut inner = String::new();
                        self.fragment(src, cell.clone(), ContentMode::Span, &mut inner);
                        html.push_str(inner.trim_end_matches('\n'));
                    }
                    html.push_str(&format!("</{cell_tag}>\n"));
                }
                html.push_str("</tr>\n");
            }
            html.push_str(&format!("</{tag}>\n"));
        }
        html.push_str("</table>\n");
        out.push(Event::Html(CowStr::from(html)));
    }

    /// Whether the table pulldown-cmark read at `evs[i]` has what GFM has
    /// not (body separators `|---|`, a footer `|===|`): then it is rendered
    /// by [`Ctx::table_from_lines`] from its lines.
    fn is_sectioned_table(&self, src: &str, evs: &[Spanned<'_>], i: usize) -> bool {
        let r = &evs[i].1;
        let Some(text) = src.get(r.clone()) else {
            return false;
        };
        let separators = text
            .lines()
            .filter(|l| is_separator(unescaped(l), b'-') || is_separator(unescaped(l), b'='))
            .count();
        separators > 1 && kramdown_table(src, r.clone()).is_some()
    }
}

/// The end of the inline content that fills a tight list item starting at
/// `first`: the index of its `End(Item)` (or nested list), if nothing but
/// inline events lead there.
fn inline_run_end(evs: &[Spanned<'_>], first: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, (e, _)) in evs.iter().enumerate().skip(first) {
        match e {
            // kramdown ends the item's text block before a nested list too.
            Event::End(TagEnd::Item) | Event::Start(Tag::List(_)) if depth == 0 => {
                return (k > first).then_some(k)
            }
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Image { .. },
            ) => depth += 1,
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image,
            ) => depth = depth.saturating_sub(1),
            Event::Text(_)
            | Event::Code(_)
            | Event::InlineHtml(_)
            | Event::SoftBreak
            | Event::HardBreak => {}
            _ => return None,
        }
    }
    None
}

/// The parts of a kramdown table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Head,
    Body,
    Foot,
}

/// A kramdown table: its column alignments (from the first separator
/// line after rows) and its parts in order, each a list of rows of cells
/// (byte ranges in the source, trimmed).
#[derive(Debug, Default)]
pub struct Table {
    pub align: Vec<Option<&'static str>>,
    pub sections: Vec<(Part, Vec<Vec<Range<usize>>>)>,
}

impl Table {
    /// kramdown pads every row to the longest one.
    fn columns(&self) -> usize {
        let rows = self.sections.iter().flat_map(|(_, rows)| rows);
        rows.map(Vec::len).max().unwrap_or(0)
    }
}

/// The lines at `para` read as kramdown reads a table (its parser's
/// rules): a separator line (`|---|`) after the first rows makes them the
/// header and gives the alignments, a later one starts a new body; a
/// footer line (`|===|`) ends the body and makes the rows after it the
/// footer; separators before any row are ignored. None if a line has no
/// `|`, or the table has no body.
pub fn kramdown_table(src: &str, para: Range<usize>) -> Option<Table> {
    let text = src.get(para.clone())?;
    if !text.contains('|') {
        return None;
    }
    let mut table = Table::default();
    let mut rows: Vec<Vec<Range<usize>>> = Vec::new();
    let mut aligned = false;
    let mut footer = false;
    let mut leading_pipe = None;
    let mut line_start = para.start;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let start = line_start;
        line_start += line.len();
        let plain = unescaped(body);
        let lead = *leading_pipe.get_or_insert_with(|| plain.trim_start().starts_with('|'));
        if is_separator(plain, b'-') {
            if rows.is_empty() {
                // Separators before any row (or right after another) are ignored.
            } else if !aligned && !footer {
                table.sections.push((Part::Head, std::mem::take(&mut rows)));
                table.align = alignments(plain);
                aligned = true;
            } else if !footer {
                table.sections.push((Part::Body, std::mem::take(&mut rows)));
            }
            continue;
        }
        if is_separator(plain, b'=') {
            if !rows.is_empty() {
                table.sections.push((Part::Body, std::mem::take(&mut rows)));
            }
            footer = true;
            continue;
        }
        let pipes = pipe_positions(body);
        if pipes.is_empty() {
            return None;
        }
        let mut cells: Vec<Range<usize>> = Vec::with_capacity(pipes.len() + 1);
        let mut from = 0;
        for p in pipes.iter().copied().chain(std::iter::once(body.len())) {
            cells.push(trimmed(body, from..p, start));
            from = p + 1;
        }
        if lead && cells.first().is_some_and(|c| c.is_empty()) {
            cells.remove(0);
        }
        if cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        rows.push(cells);
    }
    if !rows.is_empty() {
        let part = if footer { Part::Foot } else { Part::Body };
        table.sections.push((part, rows));
    }
    if !table.sections.iter().any(|(p, _)| *p == Part::Body) {
        return None;
    }
    let columns = table.columns();
    table.align.resize(columns, None);
    Some(table)
}

/// A line with the backslash `blocks` puts before the first `|` of a
/// delimiter row it keeps from GFM (the row is kramdown's to read) removed.
fn unescaped(line: &str) -> &str {
    let t = line.trim_start();
    match t.strip_prefix('\\') {
        Some(rest) if rest.starts_with('|') && is_separator(rest, b'-') => rest,
        _ => line,
    }
}

/// kramdown's separator lines: `|`, `+`, `:`, spaces and at least one
/// `ch` (`-` between parts, `=` before the footer), with a `|`.
fn is_separator(line: &str, ch: u8) -> bool {
    let t = line.trim();
    t.contains('|')
        && t.as_bytes().contains(&ch)
        && t.bytes().all(|b| b == ch || b"|+: \t".contains(&b))
}

/// The alignment of each column of a separator line (`:--`, `--:`, `:-:`).
fn alignments(line: &str) -> Vec<Option<&'static str>> {
    line.split(['|', '+'])
        .filter(|c| c.contains('-'))
        .map(|c| {
            let c = c.trim();
            match (c.starts_with(':'), c.ends_with(':')) {
                (true, true) => Some("center"),
                (true, false) => Some("left"),
                (false, true) => Some("right"),
                (false, false) => None,
            }
        })
        .collect()
}

/// Byte offsets of the cell-separating pipes of a line: not escaped, not
/// inside a code span.
fn pipe_positions(line: &str) -> Vec<usize> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            b'`' => {
                let run = b[k..].iter().take_while(|&&c| c == b'`').count();
                let delim = &line[k..k + run];
                match line[k + run..].find(delim) {
                    Some(close) => k += run + close + run,
                    None => k += run,
                }
            }
            b'|' => {
                out.push(k);
                k += 1;
            }
            _ => k += 1,
        }
    }
    out
}

fn trimmed(line: &str, r: Range<usize>, base: usize) -> Range<usize> {
    let cell = &line[r.clone()];
    let lead = cell.len() - cell.trim_start().len();
    let len = cell.trim().len();
    base + r.start + lead..base + r.start + lead + len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(src: &str) -> Option<Vec<Vec<&str>>> {
        kramdown_table(src, 0..src.len()).map(|t| {
            let rows = t.sections.into_iter().flat_map(|(_, rows)| rows);
            rows.into_iter()
                .map(|r| r.into_iter().map(|c| &src[c]).collect())
                .collect()
        })
    }

    #[test]
    fn rows_and_cells() {
        assert_eq!(
            cells("| 404 | Not found |\n| 405 | Not `a|b` allowed |\n"),
            Some(vec![
                vec!["404", "Not found"],
                vec!["405", "Not `a|b` allowed"]
            ])
        );
        assert_eq!(
            cells("Choose read | write."),
            Some(vec![vec!["Choose read", "write."]])
        );
        assert_eq!(cells("a | b\nno pipe\n"), None);
        assert_eq!(cells("Use `a|b` here.\n"), None);
        assert_eq!(cells("| a | b |\n\\|---|---|\n"), None);
    }

    #[test]
    fn parts_the_kramdown_way() {
        let src = "|---|\n| h |\n| h2 |\n|:-:|\n| a |\n|---|\n|---|\n| b |\n|===|\n| f |\n";
        let t = kramdown_table(src, 0..src.len()).expect("a table");
        let parts: Vec<(Part, usize)> = t.sections.iter().map(|(p, r)| (*p, r.len())).collect();
        assert_eq!(
            parts,
            [
                (Part::Head, 2),
                (Part::Body, 1),
                (Part::Body, 1),
                (Part::Foot, 1)
            ]
        );
        assert_eq!(t.align, [Some("center")]);
        // A footer line forces the rows before it into a body.
        let src = "| a |\n|===|\n| f |\n|---|\n| g |\n|===|\n| h |\n";
        let t = kramdown_table(src, 0..src.len()).expect("a table");
        let parts: Vec<(Part, usize)> = t.sections.iter().map(|(p, r)| (*p, r.len())).collect();
        assert_eq!(parts, [(Part::Body, 1), (Part::Body, 2), (Part::Foot, 1)]);
    }
}
