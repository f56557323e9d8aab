//! Where a link of the output HTML was written: a `path:line:col` in the page
//! source, in one of its includes, in the Liquid-expanded text, or (when none
//! of those has it) in the layout.

use crate::diag::line_col;

/// A place a link was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// In a source file (the page or an include), with its 1-based position.
    Source {
        file: String,
        line: usize,
        col: usize,
    },
    /// Built by Liquid: only the expanded page has it, at this line.
    Expanded { line: usize },
    /// In the layout (not in the page's source at all).
    Layout,
}

fn is_before(c: char) -> bool {
    matches!(c, '(' | '"' | '\'' | '<' | '=' | ':' | '[') || c.is_whitespace()
}

fn is_after(c: char) -> bool {
    matches!(c, ')' | '"' | '\'' | '>' | ']' | '|') || c.is_whitespace()
}

/// Byte offsets in `text[from..]` (as offsets of `text`) where one of the
/// `needles` stands as a whole link target: after `(`, a quote, `<`, `=`, `:`
/// or a space, and before `)`, a quote, `>` or a space.
pub fn occurrences(text: &str, from: usize, needles: &[String]) -> Vec<usize> {
    let mut found = Vec::new();
    let hay = text.get(from..).unwrap_or("");
    for n in needles.iter().filter(|n| !n.is_empty()) {
        for (i, _) in hay.match_indices(n.as_str()) {
            let before = hay[..i].chars().next_back();
            let after = hay[i + n.len()..].chars().next();
            if before.is_none_or(is_before) && after.is_none_or(is_after) {
                found.push(from + i);
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The spellings a link may have in the source: as in the HTML, decoded,
/// percent-decoded, and without the base URL the build added.
pub fn needles(raw: &str, decoded: &str, baseurl: &str) -> Vec<String> {
    let mut v = vec![raw.to_string(), decoded.to_string()];
    let pd = crate::publish::urls::percent_decode(decoded);
    v.push(pd);
    if !baseurl.is_empty() {
        let more: Vec<String> = v
            .iter()
            .filter_map(|s| s.strip_prefix(baseurl).filter(|r| r.starts_with('/')))
            .map(String::from)
            .collect();
        v.extend(more);
    }
    v.sort();
    v.dedup();
    v
}

/// Every place (file, line, col) a link spelled one of `needles` appears in
/// `files` (the page first, from its body, then its includes).
pub fn find_in_sources(files: &[(&str, &str, usize)], needles: &[String]) -> Vec<Origin> {
    let mut out = Vec::new();
    for (file, text, from) in files {
        for at in occurrences(text, *from, needles) {
            let (line, col) = line_col(text, at);
            out.push(Origin::Source {
                file: file.to_string(),
                line,
                col,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_link_targets_only() {
        let text = "---\nt: 1\n---\nSee [a](setup.html#auth) and <a href=\"setup.html#auth\">x</a>\nnot setup.html#authentication\n[r]: setup.html#auth\n";
        let n = needles("setup.html#auth", "setup.html#auth", "");
        let got = find_in_sources(&[("p.md", text, 13)], &n);
        let want: Vec<Origin> = [(4, 9), (4, 39), (6, 6)]
            .iter()
            .map(|&(line, col)| Origin::Source {
                file: "p.md".into(),
                line,
                col,
            })
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn spellings_cover_entities_escapes_and_base() {
        let n = needles("/sub/a%20b.html?x=1&amp;y", "/sub/a%20b.html?x=1&y", "/sub");
        for want in [
            "/a b.html?x=1&y",
            "/a%20b.html?x=1&amp;y",
            "/sub/a%20b.html?x=1&y",
        ] {
            assert!(n.iter().any(|s| s == want), "{want} in {n:?}");
        }
    }
}
