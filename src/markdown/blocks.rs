//! Source rewrites where kramdown reads blocks differently from CommonMark.
//! Every rewrite keeps the number of lines, so positions found in the
//! rewritten text are positions in the author's text.
//!
//! * Tables: kramdown gives a table as many columns as its longest row and
//!   pads the other rows with empty cells; GFM drops the cells beyond the
//!   header's. The header and delimiter rows are widened to the longest row.

use std::borrow::Cow;

/// Rewrite `md` for pulldown-cmark (line count preserved).
pub fn prepare(md: &str) -> Cow<'_, str> {
    if !md.contains('|') {
        return Cow::Borrowed(md);
    }
    let lines: Vec<&str> = md.split_inclusive('\n').collect();
    let widen_at = narrow_table_headers(&lines);
    if widen_at.is_empty() {
        return Cow::Borrowed(md);
    }
    let mut out = String::with_capacity(md.len() + 64);
    let mut next = widen_at.iter().peekable();
    for (i, l) in lines.iter().enumerate() {
        match next.peek() {
            Some(&&(h, extra)) if h == i => out.push_str(&widen(l, extra, "  |")),
            Some(&&(h, extra)) if h + 1 == i => {
                out.push_str(&widen(l, extra, " --- |"));
                next.next();
            }
            _ => out.push_str(l),
        }
    }
    Cow::Owned(out)
}

/// Header lines of tables with rows longer than the header: (line, missing cells).
fn narrow_table_headers(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        if !lines[i].contains('|') || !is_delimiter_row(lines[i + 1]) {
            i += 1;
            continue;
        }
        let header = count_cells(lines[i]);
        let mut end = i + 2;
        let mut widest = header;
        while end < lines.len() && !lines[end].trim().is_empty() && lines[end].contains('|') {
            widest = widest.max(count_cells(lines[end]));
            end += 1;
        }
        if widest > header {
            found.push((i, widest - header));
        }
        i = end;
    }
    found
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
    let bytes = t.as_bytes();
    let mut pipes = 0;
    let mut k = 0;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 1,
            b'|' => pipes += 1,
            _ => {}
        }
        k += 1;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_take_the_width_of_their_longest_row() {
        let md = "x\n\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n\nafter\n";
        assert_eq!(
            prepare(md),
            "x\n\n| a | b |  |\n|---|---| --- |\n| 1 | 2 | 3 |\n\nafter\n"
        );
        let plain = "| a | b |\n|---|---|\n| 1 | 2 |\n";
        assert!(matches!(prepare(plain), Cow::Borrowed(_)));
    }

    #[test]
    fn counts_cells_like_gfm() {
        assert_eq!(count_cells("| a | b |\n"), 2);
        assert_eq!(count_cells("a | b\n"), 2);
        assert_eq!(count_cells("| a \\| b | c |  | d |\n"), 4);
    }
}
