//! Diagnostics: every problem the build finds, with the place it comes from.
//!
//! A [`Diagnostic`] names a file (relative to the source root), a 1-based line
//! and column, a message and an optional help line. It renders in the
//! `path:line:col: error: message` form editors can jump to, followed by the
//! source line with a caret, any notes (such as the chain of includes that led
//! to an error) and a `help:` line.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is. Errors fail the build; warnings do not (unless `--strict`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located in a source file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path shown to the user, relative to the source root when possible.
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
    pub message: String,
    /// The text of the offending source line, shown under the message with a caret.
    pub source_line: Option<String>,
    /// Extra context lines, e.g. "included from a.md:3:1".
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        file: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            file: file.into(),
            line,
            col,
            message: message.into(),
            source_line: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn error(
        file: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Error, file, line, col, message)
    }

    pub fn warning(
        file: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, file, line, col, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Attach the source line from the full text of `file`, so the caret can be drawn.
    pub fn with_source(mut self, text: &str) -> Self {
        if self.line > 0 {
            self.source_line = text
                .lines()
                .nth(self.line - 1)
                .map(|l| l.trim_end_matches('\r').to_string());
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: by file, then position, errors before warnings at the same place.
    pub fn sort_key(&self) -> (PathBuf, usize, usize, Severity, String) {
        (
            self.file.clone(),
            self.line,
            self.col,
            self.severity,
            self.message.clone(),
        )
    }
}

/// Sort diagnostics by path and position, dropping exact duplicates
/// (an include used by many pages reports its problem once).
///
/// A problem inside an include is found once per page that uses it, each time
/// with its own "included from" notes: those collapse into the first one, with
/// a note counting the other places, so one bad include is one diagnostic.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    // Notes break ties so the chain kept is the same in every build.
    diags.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.notes.cmp(&b.notes))
    });
    diags.dedup();
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    let mut repeats = 0usize;
    for d in diags.drain(..) {
        match merged.last_mut() {
            Some(last) if last.sort_key() == d.sort_key() && last.help == d.help => repeats += 1,
            _ => {
                note_repeats(merged.last_mut(), repeats);
                repeats = 0;
                merged.push(d);
            }
        }
    }
    note_repeats(merged.last_mut(), repeats);
    *diags = merged;
}

fn note_repeats(d: Option<&mut Diagnostic>, repeats: usize) {
    if let (Some(d), 1..) = (d, repeats) {
        let s = if repeats == 1 { "" } else { "s" };
        d.notes
            .push(format!("and through {repeats} other include chain{s}"));
    }
}

/// 1-based (line, column) of a byte offset in `text`; the column counts characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Display path with forward slashes, as editors and the docs expect.
pub fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = display_path(&self.file);
        match (self.line, self.col) {
            (0, _) => write!(f, "{path}: {kind}: {}", self.message)?,
            (l, 0) => write!(f, "{path}:{l}: {kind}: {}", self.message)?,
            (l, c) => write!(f, "{path}:{l}:{c}: {kind}: {}", self.message)?,
        }
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string();
            let pad = " ".repeat(gutter.len());
            let (src, col) = window(src, self.col);
            write!(f, "\n{pad} |\n{gutter} | {src}")?;
            if col > 0 {
                // Tabs keep their width so the caret lines up under the character.
                let lead: String = src
                    .chars()
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{pad} | {lead}^")?;
            }
        }
        for note in &self.notes {
            write!(f, "\n  = note: {note}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Longest source line shown whole, in characters.
const MAX_SHOWN: usize = 120;

/// A long source line (minified JSON, a generated table) is cut to a window of
/// [`MAX_SHOWN`] characters around the column, with `…` where it was cut.
/// Returns the text to show and the column of the caret in it.
fn window(src: &str, col: usize) -> (std::borrow::Cow<'_, str>, usize) {
    let len = src.chars().count();
    if len <= MAX_SHOWN {
        return (src.into(), col);
    }
    let start = col
        .saturating_sub(MAX_SHOWN / 2)
        .min(len.saturating_sub(MAX_SHOWN));
    let mut shown: String = src.chars().skip(start).take(MAX_SHOWN).collect();
    let mut col = if col > 0 { col - start } else { 0 };
    if start > 0 {
        shown.insert(0, '…');
        col += usize::from(col > 0);
    }
    if start + MAX_SHOWN < len {
        shown.push('…');
    }
    (shown.into(), col)
}

/// The closest candidate to `name` by edit distance, for "did you mean" help lines.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, c)| *score > 0.8 && *c != name)
        .max_by(|a, b| {
            a.0.partial_cmp(&b.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.1.cmp(a.1))
        })
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let t = "ab\ncdé f\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        // 'f' is after "cdé " (é is two bytes).
        assert_eq!(line_col(t, 3 + "cdé ".len()), (2, 5));
    }

    #[test]
    fn renders_with_caret_and_help() {
        let d = Diagnostic::error("a/b.md", 2, 4, "unknown tag `foo`")
            .with_source("x\nab {% foo %}\n")
            .with_help("did you mean `for`?");
        let s = d.to_string();
        assert_eq!(s, "a/b.md:2:4: error: unknown tag `foo`\n  |\n2 | ab {% foo %}\n  |    ^\n  = help: did you mean `for`?");
    }

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let d = Diagnostic::error("f.json", 1, 501, "here").with_source(&line);
        let s = d.to_string();
        let shown: Vec<&str> = s.lines().collect();
        assert!(shown[2].chars().count() < 140, "{s}");
        assert!(
            shown[2].contains("…aaa") && shown[2].ends_with("bbb…"),
            "{s}"
        );
        let caret = shown[3].chars().position(|c| c == '^').unwrap();
        assert_eq!(shown[2].chars().nth(caret), Some('X'), "{s}");
        // Near the end and without a column.
        for col in [0, 1, 1001, 5000] {
            let d = Diagnostic::error("f", 1, col, "m").with_source(&line);
            assert!(d.to_string().lines().nth(2).unwrap().chars().count() < 140);
        }
    }

    #[test]
    fn the_same_problem_through_many_pages_is_reported_once() {
        let at = |page: &str| {
            Diagnostic::warning("_includes/x.md", 3, 5, "undefined variable `id`")
                .with_note(format!("included from {page}:1:1"))
        };
        let mut diags = vec![
            at("b.md"),
            at("a.md"),
            at("c.md"),
            Diagnostic::warning("a.md", 1, 1, "other"),
        ];
        sort_and_dedup(&mut diags);
        assert_eq!(diags.len(), 2);
        let inc = diags
            .iter()
            .find(|d| d.file == Path::new("_includes/x.md"))
            .unwrap();
        assert_eq!(
            inc.notes,
            [
                "included from a.md:1:1",
                "and through 2 other include chains"
            ]
        );
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            did_you_mean("elementkey", ["elementKey", "heading"]),
            Some("elementKey")
        );
        assert_eq!(did_you_mean("zzz", ["elementKey", "heading"]), None);
    }
}
