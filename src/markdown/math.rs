//! kramdown's math, as its MathJax engine writes it: `$$...$$` at block
//! boundaries is a math block, `\[...\]`; anywhere else in text it is inline
//! math, `\(...\)`. The content is raw TeX (no Markdown inside, only `<`,
//! `>` and `&` escaped), so it is taken out of the page before pulldown-cmark
//! sees it: each math becomes one private-use character (a marker) in the
//! text, and [`restore`] writes the math in place of the markers once the
//! page is HTML. The line count is kept; columns after a math on its line
//! may move (a marker is shorter or longer than the math it stands for).

use super::extensions::Unsupported;
use std::borrow::Cow;

const UNSUPPORTED: &str = "inline math (`$$...$$`) running over lines";

/// One math of the page: its TeX (stripped, as kramdown strips it) and
/// whether it is a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Math {
    pub tex: String,
    pub block: bool,
}

/// Inline math `k` is marker `INLINE + k`, block math `BLOCK + k`
/// (plane 15, private use: never in an author's text).
const INLINE: u32 = 0xF0000;
const BLOCK: u32 = 0xF8000;
const MAX: usize = 0x7FFF;

fn marker(k: usize, block: bool) -> char {
    let base = if block { BLOCK } else { INLINE };
    char::from_u32(base + k as u32).expect("plane 15")
}

/// The page with each math replaced by its marker, and the maths.
pub fn extract(md: &str) -> (Cow<'_, str>, Vec<Math>, Vec<Unsupported>) {
    let mut unsupported = Vec::new();
    if !md.contains("$$") {
        return (Cow::Borrowed(md), Vec::new(), unsupported);
    }
    let lines: Vec<&str> = md.split_inclusive('\n').collect();
    let mut out: Vec<Cow<'_, str>> = lines.iter().map(|l| Cow::Borrowed(*l)).collect();
    let mut maths = Vec::new();
    let skip = skipped_lines(&lines);
    let mut i = 0;
    while i < lines.len() {
        if skip[i] || is_blank(lines[i]) {
            i += 1;
            continue;
        }
        // A run of text lines (a paragraph, or the lines of list items and
        // quotes): block math is looked for at its boundaries, inline math
        // in the rest.
        let end = (i..lines.len())
            .find(|&k| skip[k] || is_blank(lines[k]))
            .unwrap_or(lines.len());
        let mut k = i;
        while k < end {
            if maths.len() >= MAX {
                break;
            }
            if let Some(next) = block_math(&lines, &mut out, k, i, &skip, &mut maths) {
                k = next;
                continue;
            }
            k = inline_math(&lines, &mut out, k, end, &mut maths, &mut unsupported);
        }
        i = end.max(k);
    }
    if maths.is_empty() {
        return (Cow::Borrowed(md), maths, unsupported);
    }
    (Cow::Owned(out.concat()), maths, unsupported)
}

/// The container markers at the start of a line (indent, `>`, a list
/// marker) and whether one of them opens a block (so the text after it
/// stands at a block boundary).
fn container_prefix(line: &str) -> (usize, bool) {
    let b = line.as_bytes();
    let mut at = 0;
    let mut opens = false;
    loop {
        let start = at;
        while at < b.len() && (b[at] == b' ' || b[at] == b'\t') {
            at += 1;
        }
        if at < b.len() && b[at] == b'>' {
            at += 1;
            opens = true;
            continue;
        }
        if let Some(n) = list_marker(&line[at..]) {
            at += n;
            opens = true;
            continue;
        }
        if at == start || at >= b.len() {
            return (at.min(b.len()), opens);
        }
        return (at, opens);
    }
}

/// The length of a list marker and the spaces after it (`* `, `12. `).
fn list_marker(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let n = if matches!(b.first(), Some(b'*' | b'+' | b'-')) {
        1
    } else {
        let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if d == 0 || b.get(d) != Some(&b'.') {
            return None;
        }
        d + 1
    };
    let spaces = b[n..]
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count();
    (spaces > 0).then_some(n + spaces)
}

fn is_list_item(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    list_marker(t).is_some()
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// A block IAL line (`{: .x}`), which is a block boundary for kramdown.
fn is_ial(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("{:") && t.ends_with('}') && !t.starts_with("{::")
}

/// Block math at line `k` of the run starting at `run`: `$$` first in the
/// line (after its containers), at a block boundary, closed by `$$` at
/// the end of a line followed by a boundary. Returns the line after it.
fn block_math<'a>(
    lines: &[&'a str],
    out: &mut [Cow<'a, str>],
    k: usize,
    run: usize,
    skip: &[bool],
    maths: &mut Vec<Math>,
) -> Option<usize> {
    let line = lines[k];
    let (prefix, opens) = container_prefix(line);
    let before = k == run || opens || is_ial(lines[k - 1]);
    let rest = &line[prefix..];
    if !before {
        return None;
    }
    if let Some(r) = rest.strip_prefix("\\$$") {
        // `\$$` escapes the block; a math alone on its line is then inline
        // math (kramdown drops the backslash only then).
        if let Some(close) = r.find("$$") {
            if r[close + 2..].trim().is_empty() {
                let at = prefix;
                out[k] = Cow::Owned(format!("{}{}", &line[..at], &line[at + 1..]));
            }
        }
        return None;
    }
    let body = rest.strip_prefix("$$")?;
    // The closing `$$`: on this line or a later one (the math may hold
    // blank lines).
    let strip = |l: &'a str| {
        let (p, _) = container_prefix(l);
        let p = if opens || prefix > 0 {
            p.min(prefix)
        } else {
            0
        };
        &l[p..]
    };
    let mut tex = String::new();
    let mut last = k;
    let mut piece = body;
    loop {
        if let Some(close) = piece.find("$$") {
            tex.push_str(&piece[..close]);
            if !piece[close + 2..].trim().is_empty() {
                return None;
            }
            break;
        }
        tex.push_str(piece);
        last += 1;
        if last >= lines.len() || skip[last] {
            return None;
        }
        piece = strip(lines[last]);
    }
    let after = lines.get(last + 1);
    let in_list = opens && !line[..prefix].contains('>') || prefix > 0;
    let boundary = after.is_none_or(|l| {
        is_blank(l) || is_ial(l) || (in_list && (is_list_item(l) || container_prefix(l).0 < prefix))
    });
    if !boundary {
        return None;
    }
    let m = marker(maths.len(), true);
    maths.push(Math {
        tex: tex.trim().to_string(),
        block: true,
    });
    let eol = |l: &str| l.len() - l.trim_end_matches(['\n', '\r']).len();
    out[k] = Cow::Owned(format!(
        "{}{m}{}",
        &line[..prefix],
        &line[line.len() - eol(line)..]
    ));
    for (n, l) in lines.iter().enumerate().take(last + 1).skip(k + 1) {
        // Only the containers stay: a quote's `>` keeps the quote open.
        let (p, _) = container_prefix(l);
        let keep = if line[..prefix].contains('>') {
            l[..p].trim_end_matches([' ', '\t'])
        } else {
            ""
        };
        out[n] = Cow::Owned(format!("{keep}{}", &l[l.len() - eol(l)..]));
    }
    Some(last + 1)
}

/// Inline math from line `k` on (a math may span the lines of its run up
/// to `end`); code spans and escaped characters are passed over. Returns
/// the next line to look at.
fn inline_math<'a>(
    lines: &[&'a str],
    out: &mut [Cow<'a, str>],
    k: usize,
    end: usize,
    maths: &mut Vec<Math>,
    unsupported: &mut Vec<Unsupported>,
) -> usize {
    let line = out[k].to_string();
    if !line.contains("$$") {
        return k + 1;
    }
    // In a table row, cells are split before math is read: no math spans
    // a `|` there.
    let table_row = lines[k].trim_start().starts_with('|');
    let b = line.as_bytes();
    let mut at = 0;
    let mut written = String::new();
    let mut from = 0;
    let mut changed = false;
    while at < b.len() {
        match b[at] {
            b'\\' => at += 2,
            b'`' => {
                let run = b[at..].iter().take_while(|&&c| c == b'`').count();
                let delim = &line[at..at + run];
                at += run + line[at + run..].find(delim).map_or(0, |c| c + run);
            }
            b'$' if b.get(at + 1) == Some(&b'$') => {
                let Some(close) = line[at + 2..].find("$$") else {
                    // kramdown reads a math over the lines of a paragraph;
                    // here a math is read within one line, and one running
                    // over lines is warned.
                    if lines[k + 1..end].iter().any(|l| l.contains("$$")) {
                        unsupported.push((k + 1, line[..at].chars().count() + 1, UNSUPPORTED));
                    }
                    break;
                };
                let tex = &line[at + 2..at + 2 + close];
                if table_row && tex.contains('|') {
                    at += 2;
                    continue;
                }
                written.push_str(&line[from..at]);
                written.push(marker(maths.len(), false));
                maths.push(Math {
                    tex: tex.trim().to_string(),
                    block: false,
                });
                at += close + 4;
                from = at;
                changed = true;
                if maths.len() >= MAX {
                    break;
                }
            }
            _ => at += 1,
        }
    }
    if changed {
        written.push_str(&line[from.min(line.len())..]);
        out[k] = Cow::Owned(written);
    }
    k + 1
}

/// Lines no math is read in: fenced and indented code, HTML comments and
/// HTML blocks.
fn skipped_lines(lines: &[&str]) -> Vec<bool> {
    let mut skip = vec![false; lines.len()];
    let mut fence: Option<(u8, usize)> = None;
    let mut comment = false;
    let mut list_open = false;
    let mut prev_blank = true;
    let mut prev_code = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if let Some((ch, n)) = fence {
            skip[i] = true;
            let m = t.bytes().take_while(|&b| b == ch).count();
            if m >= n && t[m..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        if comment {
            skip[i] = true;
            comment = !line.contains("-->");
            continue;
        }
        let blank = is_blank(line);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let code = !blank && indent >= 4 && !list_open && (prev_blank || prev_code);
        if code {
            skip[i] = true;
        } else if !blank {
            if let Some(ch) = t.bytes().next().filter(|&c| c == b'`' || c == b'~') {
                let n = t.bytes().take_while(|&b| b == ch).count();
                if n >= 3 {
                    fence = Some((ch, n));
                    skip[i] = true;
                }
            }
            if t.starts_with("<!--") {
                skip[i] = true;
                comment = !line.contains("-->");
            } else if prev_blank && t.starts_with('<') && !t.starts_with("<span") {
                // An HTML block: kramdown leaves its content alone.
                skip[i] = true;
            }
            if is_list_item(line) {
                list_open = true;
            } else if prev_blank && indent == 0 {
                list_open = false;
            }
        }
        prev_blank = blank;
        prev_code = code || (prev_code && blank);
    }
    skip
}

/// The HTML of the page with each marker replaced by its math.
pub fn restore(html: &str, maths: &[Math]) -> String {
    let mut out = String::with_capacity(html.len() + maths.len() * 8);
    let mut rest = html;
    while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_marker(c)) {
        let (k, block) = index(c);
        let Some(m) = maths.get(k) else {
            out.push_str(&rest[..at + c.len_utf8()]);
            rest = &rest[at + c.len_utf8()..];
            continue;
        };
        let tex = html_escape::encode_text(&m.tex);
        let mut after = &rest[at + c.len_utf8()..];
        if block {
            // A block math alone in a paragraph is the block itself (with
            // the paragraph's attributes from an IAL, on a `<div>`).
            let head = &rest[..at];
            let open = head.rfind("<p").filter(|&p| {
                head[p..].ends_with('>')
                    && matches!(head.as_bytes().get(p + 2), Some(b'>' | b' '))
                    && !head[p..].contains('\n')
            });
            match open.filter(|_| after.starts_with("</p>")) {
                Some(p) => {
                    out.push_str(&head[..p]);
                    let attrs = &head[p + 2..at - 1];
                    after = &after["</p>".len()..];
                    if attrs.trim().is_empty() {
                        out.push_str(&format!("\\[{tex}\\]\n"));
                    } else {
                        out.push_str(&format!("<div{attrs}>\\[{tex}\\]\n</div>"));
                    }
                }
                None => {
                    out.push_str(head);
                    out.push_str(&format!("\\[{tex}\\]\n"));
                }
            }
        } else {
            out.push_str(&rest[..at]);
            out.push_str(&format!("\\({tex}\\)"));
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `s` with each marker replaced by its TeX (heading texts).
pub fn plain(s: &str, maths: &[Math]) -> String {
    s.chars()
        .map(|c| {
            if is_marker(c) {
                maths
                    .get(index(c).0)
                    .map_or(String::new(), |m| m.tex.clone())
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn is_marker(c: char) -> bool {
    (INLINE..BLOCK + MAX as u32).contains(&(c as u32))
}

fn index(c: char) -> (usize, bool) {
    let v = c as u32;
    if v >= BLOCK {
        ((v - BLOCK) as usize, true)
    } else {
        ((v - INLINE) as usize, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kd(md: &str) -> (String, Vec<Math>) {
        let (t, m, _) = extract(md);
        (t.into_owned(), m)
    }

    #[test]
    fn blocks_at_boundaries_inline_elsewhere() {
        let (t, m) = kd("$$\na < b\n$$\n\npara\n$$x$$\nmore\n");
        assert_eq!(t.lines().count(), 7);
        assert_eq!(
            m[0],
            Math {
                tex: "a < b".into(),
                block: true
            }
        );
        assert_eq!(
            m[1],
            Math {
                tex: "x".into(),
                block: false
            }
        );
        let html = format!(
            "<p>{}</p>\n<p>para\n{}\nmore</p>",
            marker(0, true),
            marker(1, false)
        );
        assert_eq!(
            restore(&html, &m),
            "\\[a &lt; b\\]\n\n<p>para\n\\(x\\)\nmore</p>"
        );
    }

    #[test]
    fn escapes_code_and_tables() {
        let (_, m) = kd("\\$$x$$\n\n\\$$y$$ text\n\n`$$c$$` and $$z$$\n\n| $$a|b$$ | c |\n");
        let tex: Vec<_> = m.iter().map(|m| (m.tex.as_str(), m.block)).collect();
        assert_eq!(tex, [("x", false), ("z", false)]);
    }

    #[test]
    fn block_math_in_lists_and_quotes() {
        let (t, m) = kd("* $$x$$\n* b\n\n> $$\n> q\n> $$\n");
        assert!(m.iter().all(|m| m.block));
        assert_eq!(m[1].tex, "q");
        assert_eq!(t.lines().nth(4), Some(">"));
    }
}
