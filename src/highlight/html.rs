//! Class-based HTML of a code block, as syntect writes it: the grammar's
//! scope operations line by line (syntect's parser, or [`super::json`] for
//! JSON), each line turned into spans by syntect's
//! `line_tokens_to_classed_spans`, which also escapes the text.

use super::json;
use std::sync::LazyLock;
use syntect::html::{line_tokens_to_classed_spans, ClassStyle};
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Every class is a scope atom with this prefix (`hl-string hl-json`).
pub(super) const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// syntect's grammars, decoded once per process on first use: they never
/// change, and decoding them costs more than highlighting a page.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

pub(super) fn syntaxes() -> &'static SyntaxSet {
    &SYNTAXES
}

/// The HTML of `code` in `syntax`, or None when syntect fails on it (the
/// caller renders the block as plain text).
pub(super) fn classed_html(syntax: &SyntaxReference, code: &str) -> Option<String> {
    if syntax.name == "JSON" {
        if let Some(ops) = json::block_ops(code) {
            #[cfg(debug_assertions)]
            json::check(code, &ops, syntax, syntaxes());
            let lines = LinesWithEndings::from(code).zip(ops.lines());
            return spans(code.len(), lines.map(Some));
        }
    }
    let mut state = ParseState::new(syntax);
    let lines = LinesWithEndings::from(code)
        .map(|line| Some((line, state.parse_line(line, syntaxes()).ok()?)));
    spans(code.len(), lines)
}

/// The spans of each line with its scope operations, and the closing tags
/// of the spans still open at the end (what syntect's
/// `ClassedHTMLGenerator` writes).
fn spans<'a, Ops: AsRef<[(usize, ScopeStackOp)]>>(
    len: usize,
    lines: impl Iterator<Item = Option<(&'a str, Ops)>>,
) -> Option<String> {
    let mut html = String::with_capacity(len * 8);
    let mut stack = ScopeStack::new();
    let mut open_spans = 0;
    for line in lines {
        let (line, ops) = line?;
        let (line_html, delta) =
            line_tokens_to_classed_spans(line, ops.as_ref(), CLASS_STYLE, &mut stack).ok()?;
        html.push_str(&line_html);
        open_spans += delta;
    }
    for _ in 0..open_spans {
        html.push_str("</span>");
    }
    Some(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::html::ClassedHTMLGenerator;

    /// What syntect's own generator writes for `code`.
    fn syntect_html(syntax: &SyntaxReference, code: &str) -> String {
        let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            gen.parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        gen.finalize()
    }

    fn syntax(token: &str) -> &'static SyntaxReference {
        syntaxes().find_syntax_by_token(token).unwrap()
    }

    #[test]
    fn blocks_match_syntect_generator() {
        for (lang, code) in [
            (
                "bash",
                "cat <<EOF\n\"a\": [1, 2],\nEOF\necho \"a\": [1, 2],\n",
            ),
            ("bash", "curl -X GET \\\n  -H 'a: b' \\\n  'https://x/y'\n"),
            ("js", "/* open\n\"a\": [1, 2],\n*/ var x = `t\n${y}`;\n"),
            ("js", "var s = `a ${b} c`;\nf(`<${'&'}>`, \"'\");\n"),
            (
                "json",
                "// a comment: syntect parses this one\n{\"a\": 1}\n",
            ),
        ] {
            assert_eq!(
                classed_html(syntax(lang), code).unwrap(),
                syntect_html(syntax(lang), code),
                "{lang}: {code}"
            );
        }
    }

    /// JSON blocks the fast path takes (closed or cut off, so spans are
    /// left open) give the HTML syntect's generator gives.
    #[test]
    fn json_fast_path_matches_syntect_generator() {
        for code in [
            "{\n  \"a\": [1, -2.5e3, {\"b\": \"<&'\\\"\\u00e9>\"}],\n  \"c\": null\n}\n",
            "[\n  {\"open\": [true,\n",
            "\n\n\"s\"\n",
        ] {
            assert!(json::block_ops(code).is_some(), "{code}");
            assert_eq!(
                classed_html(syntax("json"), code).unwrap(),
                syntect_html(syntax("json"), code),
                "{code}"
            );
        }
    }
}
