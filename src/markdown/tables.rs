//! kramdown tables that GFM does not see: in kramdown any block of lines
//! that all hold a `|` (outside code spans) is a table, with or without a
//! header and delimiter row (`| 404 | Not found |` lines alone, or even
//! `GET | POST` in a list item). Such blocks reach us as paragraphs; this
//! module splits their lines into cells the way kramdown does.

use std::ops::Range;

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
