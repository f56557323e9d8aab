//! Hostile Markdown and YAML: each input of issue 15's list, in a page (or a
//! data or config file) of a small temp site built by the real binary, must
//! end well within 30 s with bounded memory and no panic or stack overflow,
//! and where a limit is hit, with a diagnostic at the file and line.

use super::hardening::{billion_laughs, Run, Site};
use std::time::Duration;

/// The time every build here must end in (the debug binary, a busy machine).
const LIMIT: Duration = Duration::from_secs(30);
/// Peak resident memory allowed (debug binary), in KiB.
const MAX_RSS_KIB: u64 = 300 << 10;

/// One build of a small site, and what it did.
struct Built {
    site: Site,
    run: Run,
}

impl std::ops::Deref for Built {
    type Target = Run;
    fn deref(&self) -> &Run {
        &self.run
    }
}

/// Build a Jekyll-layout site with `files` (path, content) added to it (a
/// `_config.yml` among them replaces the default one).
fn build(files: &[(&str, &str)]) -> Built {
    let site = Site::jekyll();
    for (rel, text) in files {
        site.write(rel, text);
    }
    let run = site.build(&["--no-cache"]);
    Built { site, run }
}

impl Built {
    /// Ended in time, within memory, without a panic or a signal.
    #[track_caller]
    fn assert_bounded(&self) {
        assert!(
            self.code == 0 || self.code == 1,
            "exit {}: {}",
            self.code,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(self.elapsed < LIMIT, "{:?}", self.elapsed);
        assert!(self.peak_kib < MAX_RSS_KIB, "peak {} KiB", self.peak_kib);
    }

    /// Built, with a warning at `place` (`path:line`) naming `what`.
    #[track_caller]
    fn assert_warned_at(&self, place: &str, what: &str) {
        self.assert_bounded();
        assert_eq!(self.code, 0, "{}", self.stderr);
        self.assert_diagnostic(place, "warning", what);
    }

    /// Failed, with an error at `place` (`path:line`) naming `what`.
    #[track_caller]
    fn assert_error_at(&self, place: &str, what: &str) {
        self.assert_bounded();
        assert_eq!(self.code, 1, "{}", self.stderr);
        self.assert_diagnostic(place, "error", what);
    }

    #[track_caller]
    fn assert_diagnostic(&self, place: &str, kind: &str, what: &str) {
        assert!(
            self.diagnostics(place, kind).any(|l| l.contains(what)),
            "no {kind} at {place} naming {what:?}:\n{}",
            self.stderr
        );
    }

    fn page(&self, rel: &str) -> String {
        self.site.out_file(rel)
    }
}

/// A page `docs/p.md` whose body starts at line 4 with `body`.
fn page(body: &str) -> String {
    format!("---\ntitle: P\n---\nIntro\n\n{body}")
}

#[test]
fn long_runs_of_brackets_quotes_lists_and_delimiters_build() {
    for body in [
        "[".repeat(100_000),
        "> ".repeat(50_000) + "x",
        "- ".repeat(10_000) + "x",
        "*".repeat(100_000),
        "_".repeat(100_000),
        "*a _b ".repeat(50_000),
    ] {
        let run = build(&[("docs/p.md", &page(&(body + "\n")))]);
        run.assert_bounded();
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.page("docs/p.html").contains("Intro"));
    }
}

#[test]
fn nested_blockquotes_are_all_rendered() {
    let run = build(&[("docs/p.md", &page(&("> ".repeat(50_000) + "x\n")))]);
    run.assert_bounded();
    assert_eq!(
        run.page("docs/p.html").matches("<blockquote>").count(),
        50_000
    );
}

#[test]
fn a_ten_megabyte_line_of_links_builds_in_one_pass() {
    // Each link's column was counted from the start of its line: quadratic.
    let run = build(&[("docs/p.md", &page(&("[a](u) ".repeat(300_000) + "\n")))]);
    run.assert_bounded();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = build(&[("docs/p.md", &page(&("word ".repeat(2_000_000) + "\n")))]);
    run.assert_bounded();
}

#[test]
fn markdown_elements_nested_thousands_deep_are_left_raw_with_a_warning() {
    let body = "<div markdown=\"1\">\n".repeat(5000) + "x\n" + &"</div>\n".repeat(5000);
    let run = build(&[("docs/p.md", &page(&body))]);
    // Line 6 holds the first element; the 17th is too deep.
    run.assert_warned_at("docs/p.md:21:1", "nest more than 16 deep");
    let body = "<span markdown=\"span\">".repeat(5000) + "x" + &"</span>".repeat(5000);
    let run = build(&[("docs/p.md", &page(&(body + "\n")))]);
    run.assert_warned_at("docs/p.md:6", "nest more than 16 deep");
}

#[test]
fn elements_one_after_another_on_a_line_are_bounded() {
    // kramdown reads the rest of the line after a block element as Markdown:
    // one fragment inside the other, once per element.
    for body in [
        "<div>x</div> ",
        "<!-- c --> ",
        "<div markdown=\"1\">x</div> ",
    ] {
        let run = build(&[("docs/p.md", &page(&(body.repeat(30_000) + "\n")))]);
        run.assert_warned_at("docs/p.md:6", "nest more than 16 deep");
    }
}

#[test]
fn long_html_blocks_are_read_in_one_pass() {
    for line in ["<p>x</p>\n", "<!-- x -->\n"] {
        let body = "<div>\n".to_string() + &line.repeat(50_000);
        let run = build(&[("docs/p.md", &page(&body))]);
        run.assert_bounded();
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
}

#[test]
fn a_megabyte_table_row_builds() {
    let body = "| a | b |\n|---|---|\n| ".to_string() + &"x | ".repeat(250_000) + "\n";
    let run = build(&[("docs/p.md", &page(&body))]);
    run.assert_bounded();
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn yaml_bombs_in_data_and_config_are_errors_at_the_file() {
    let laughs = billion_laughs(7);
    let deep = format!("a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let p = page("x\n");
    let run = build(&[("docs/p.md", &p), ("_data/bomb.yml", &laughs)]);
    run.assert_error_at("_data/bomb.yml:1", "repetition limit");
    let run = build(&[("docs/p.md", &p), ("_data/deep.yml", &deep)]);
    run.assert_error_at("_data/deep.yml:1:131", "recursion limit");
    let config = format!("title: T\n{laughs}");
    let run = build(&[("docs/p.md", &p), ("_config.yml", &config)]);
    run.assert_error_at("_config.yml:1", "repetition limit");
    let json = "[".repeat(100_000) + &"]".repeat(100_000);
    let run = build(&[("docs/p.md", &p), ("_data/deep.json", &json)]);
    run.assert_error_at("_data/deep.json:1:128", "recursion limit");
}
