//! Tera's errors as diagnostics: the template file, line and column, the
//! template's line with a caret, and a `help:` naming what layouts see.

use crate::diag::Diagnostic;

/// What every layout sees, for the help line of a rendering error.
const LAYOUT_VARIABLES: &str = "layouts see page, url, site, body, headings, toc, guide, nav, \
    breadcrumbs, prev, next, title, head_title, kicker, description, has_h1, last_updated, edit_url, base_url, catalog_url, \
    home_url and layout; test optional keys with `{% if page.key %}`";

/// The message of a tera error with its causes (tera puts the useful part,
/// such as the line and column, in the source chain).
fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// A diagnostic for a tera error, located at the template it names among
/// `templates` (name, text). A parse error (` --> line:col` then pest's
/// caret block and `= reason`) becomes `templates/x.html:line:col: error:
/// reason` with the template's line.
pub(crate) fn tera_diag(e: &tera::Error, templates: &[(&str, &str)]) -> Diagnostic {
    let msg = tera_message(e);
    let found = templates
        .iter()
        .find(|(n, _)| msg.contains(&format!("'{n}'")));
    let file = found
        .map(|(n, _)| format!("templates/{n}"))
        .unwrap_or_else(|| "templates".to_string());
    let Some((line, col, reason)) = parse_position(&msg) else {
        return Diagnostic::error(file, 0, 0, msg).with_help(LAYOUT_VARIABLES);
    };
    let head = msg
        .split(" --> ")
        .next()
        .unwrap_or(&msg)
        .trim_end_matches([':', ' ']);
    let d = Diagnostic::error(file, line, col, format!("{head}: {reason}"));
    match found {
        Some((_, text)) if !text.is_empty() => d.with_source(text),
        _ => d,
    }
}

/// ` --> 3:7` and the `= reason` line of a pest error inside `msg`.
fn parse_position(msg: &str) -> Option<(usize, usize, String)> {
    let at = msg.find(" --> ")? + 5;
    let pos: String = msg[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let (line, col) = pos.split_once(':')?;
    let reason = msg[at..]
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("= "))
        .unwrap_or("syntax error")
        .to_string();
    Some((line.parse().ok()?, col.parse().ok()?, reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn parse_errors_name_template_line_and_column() {
        let text = "<p>\n  {% if %}\n";
        let err = tera::Tera::default()
            .add_raw_templates([("broken.html", text)])
            .unwrap_err();
        let d = tera_diag(&err, &[("broken.html", text)]);
        assert_eq!(d.file, Path::new("templates/broken.html"));
        assert_eq!((d.line, d.col), (2, 9));
        assert_eq!(d.source_line.as_deref(), Some("  {% if %}"));
        assert!(d.message.contains("expected"), "{}", d.message);
    }

    #[test]
    fn render_errors_name_the_template_and_help() {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("a.html", "{{ missing.key }}")
            .unwrap();
        let err = tera.render("a.html", &tera::Context::new()).unwrap_err();
        let d = tera_diag(&err, &[("a.html", "")]);
        assert_eq!(d.file, Path::new("templates/a.html"));
        assert!(d.message.contains("missing"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("breadcrumbs"));
    }
}
