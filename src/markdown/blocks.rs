//! Source rewrites where kramdown reads blocks differently from CommonMark.
//! Every rewrite keeps the number of lines, so positions found in the
//! rewritten text are positions in the author's text.

/// Rewrite `md` for pulldown-cmark (line count preserved).
pub fn prepare(md: &str) -> String {
    md.to_string()
}
