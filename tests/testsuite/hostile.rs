//! Hostile Markdown and YAML: each input of issue 15's list, in a page (or a
//! data or config file) of a small temp site built by the real binary, must
//! end well within 30 s with bounded memory and no panic or stack overflow,
//! and where a limit is hit, with a diagnostic at the file and line.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The time every build here must end in (the debug binary, a busy machine).
const LIMIT: Duration = Duration::from_secs(30);
/// Peak resident memory allowed (debug binary), in KiB.
const MAX_RSS_KIB: u64 = 300 << 10;

/// What one build did.
struct Run {
    code: i32,
    stderr: String,
    elapsed: Duration,
    /// The largest VmHWM seen while it ran (KiB), a lower bound of its peak.
    peak_kib: u64,
    out: PathBuf,
    _tmp: tempfile::TempDir,
}

/// Build a Jekyll-layout site made of `files` (path, content).
fn build(files: &[(&str, &str)]) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let config = "title: T\nurl: https://docs.example.com\nbaseurl: \"\"\n";
    let config =
        (!files.iter().any(|(p, _)| *p == "_config.yml")).then_some(("_config.yml", config));
    for (rel, text) in files.iter().copied().chain(config) {
        let p = src.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = tmp.path().join("out");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--no-cache", "--source"])
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).unwrap();
        s
    });
    let mut peak_kib = 0;
    let status = loop {
        peak_kib = peak_kib.max(vm_hwm_kib(child.id()).unwrap_or(0));
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the build did not finish in {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stderr: reader.join().unwrap(),
        elapsed: started.elapsed(),
        peak_kib,
        out,
        _tmp: tmp,
    }
}

/// The peak resident set of process `pid` so far, from `/proc` (Linux).
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Run {
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
        let found = self.stderr.lines().any(|l| {
            l.split_once(place).is_some_and(|(before, after)| {
                (before.is_empty() || before.ends_with('/'))
                    && after.starts_with(':')
                    && after.contains(&format!(" {kind}: "))
                    && l.contains(what)
            })
        });
        assert!(
            found,
            "no {kind} at {place} naming {what:?}:\n{}",
            self.stderr
        );
    }

    fn page(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out.join(rel)).unwrap()
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
    let mut laughs =
        String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (name, prev) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
    ] {
        let refs = vec![format!("*{prev}"); 9].join(",");
        laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
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
