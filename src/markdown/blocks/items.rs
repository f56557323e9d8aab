//! List items as kramdown reads them, for `blocks`: where an item's
//! content starts, and where a fence opened in an item closes.

use super::{indent, is_fence_close, is_list_item, Line};

/// A fence opened at line `i` inside a list item, as kramdown reads it: it
/// takes the item's lines first (indented to the item's content, or lazy:
/// right after a non-blank line, until a less indented list item), strips
/// the content indent, and closes the fence at a fence line indented at
/// most three spaces more. (content indent, closing line); None when line
/// `i` is not in a list item or indented four or more in it.
pub(super) fn item_fence_close(
    lines: &[Line<'_>],
    i: usize,
    ch: u8,
    len: usize,
) -> Option<(usize, Option<usize>)> {
    let n = lines[i].indent;
    // The nearest list item above, past the item's own less indented text.
    let item = lines[..i]
        .iter()
        .rev()
        .filter(|l| !l.blank && l.indent < n)
        .find(|l| l.indent == 0 || is_list_item(l.text))?;
    let ci = item_content_indent(item.text)?;
    if in_item(lines[i].text, ci)? > 3 {
        return None;
    }
    for k in i + 1..lines.len() {
        let l = lines[k];
        if l.blank {
            continue;
        }
        let relative = match in_item(l.text, ci) {
            Some(r) => r,
            None if lines[k - 1].blank || is_list_item(l.text) => return Some((ci, None)),
            // A lazy line, taken as it is.
            None => columns(&l.text[..l.indent]),
        };
        if relative <= 3 && is_fence_close(l, ch, len) {
            return Some((ci, Some(k)));
        }
    }
    Some((ci, None))
}

/// The indent of `line` inside an item whose content is indented `ci`
/// (kramdown strips a tab or `ci` spaces), or None when it is less indented.
fn in_item(line: &str, ci: usize) -> Option<usize> {
    let rest = match line.strip_prefix('\t') {
        Some(rest) => rest,
        None if line.bytes().take(ci).filter(|&b| b == b' ').count() == ci => &line[ci..],
        None => return None,
    };
    Some(columns(&rest[..indent(rest)]))
}

/// The width of leading whitespace, tabs to the next multiple of four.
fn columns(lead: &str) -> usize {
    lead.bytes().fold(
        0,
        |col, b| if b == b'\t' { col / 4 * 4 + 4 } else { col + 1 },
    )
}

/// Where a list item's content starts: after its marker and the spaces
/// after it, however many (kramdown's `parse_first_list_line`).
fn item_content_indent(line: &str) -> Option<usize> {
    if !is_list_item(line) {
        return None;
    }
    let lead = indent(line);
    let t = &line[lead..];
    let marker = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len() + 1;
    let spaces = t[marker..].bytes().take_while(|&b| b == b' ').count();
    Some(lead + marker + spaces)
}

/// Whether line `i`, indented four or more, starts at most three columns
/// into the content of the list item above it (a nested list item there).
pub(super) fn nested_in_item(lines: &[Line<'_>], i: usize) -> bool {
    let n = lines[i].indent;
    let item = lines[..i]
        .iter()
        .rev()
        .filter(|l| !l.blank && l.indent < n)
        .find(|l| l.indent == 0 || is_list_item(l.text));
    item.and_then(|l| item_content_indent(l.text))
        .is_some_and(|ci| n >= ci && n - ci <= 3)
}
