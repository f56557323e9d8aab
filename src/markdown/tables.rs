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
    /// Whether paragraph `i` is a kramdown table without header: all its
    /// lines hold a `|`, and it stands between block boundaries.
    pub(super) fn is_headerless_table(&self, src: &str, evs: &[Spanned<'_>], i: usize) -> bool {
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
        before_ok && after_ok && headerless_rows(src, r.clone()).is_some()
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
        if !src[para.clone()].contains('|') || headerless_rows(src, para.clone()).is_none() {
            return first;
        }
        self.headerless_table(src, para, out);
        end
    }

    /// Render paragraph `para` as a kramdown table without header.
    pub(super) fn headerless_table<'s>(
        &mut self,
        src: &'s str,
        para: Range<usize>,
        out: &mut Vec<Event<'s>>,
    ) {
        let rows = headerless_rows(src, para).unwrap_or_default();
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut html = String::from("<table>\n<tbody>\n");
        for row in &rows {
            html.push_str("<tr>\n");
            for k in 0..columns {
                html.push_str("<td>");
                if let Some(cell) = row.get(k) {
                    let mut inner = String::new();
                    self.fragment(src, cell.clone(), ContentMode::Span, &mut inner);
                    html.push_str(inner.trim_end_matches('\n'));
                }
                html.push_str("</td>\n");
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</tbody>\n</table>\n");
        out.push(Event::Html(CowStr::from(html)));
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

/// The cells (byte ranges in `src`, trimmed) of each line of the paragraph
/// at `para`, if kramdown reads it as a table without a header.
pub fn headerless_rows(src: &str, para: Range<usize>) -> Option<Vec<Vec<Range<usize>>>> {
    let text = src.get(para.clone())?;
    if !text.contains('|') {
        return None;
    }
    let mut rows = Vec::new();
    let mut leading_pipe = None;
    let mut line_start = para.start;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let start = line_start;
        line_start += line.len();
        if is_delimiter_like(body) {
            return None;
        }
        let pipes = pipe_positions(body);
        if pipes.is_empty() {
            return None;
        }
        let lead = *leading_pipe.get_or_insert_with(|| body.trim_start().starts_with('|'));
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
    Some(rows)
}

/// A GFM delimiter row (possibly with an escaped first pipe).
fn is_delimiter_like(line: &str) -> bool {
    let t = line.trim().trim_start_matches('\\');
    !t.is_empty() && t.contains('-') && t.bytes().all(|b| b"|:- \t".contains(&b))
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
        headerless_rows(src, 0..src.len()).map(|rows| {
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
}
