//! The differential suite (issue 13): small Jekyll sites under
//! `tests/differential/sites/`, one feature per page, built by elementdocs
//! and compared with Jekyll 4.3's two stages checked in under
//! `tests/differential/expected/<site>/` (`regen.sh` regenerates them):
//! the page after Liquid (`.liquid.md`, as text, whitespace that Markdown
//! ignores normalised) and the body after Markdown (`.html`, as a tree: see
//! `html_tree`). No Ruby is needed here.
//!
//! Where Jekyll is wrong, `bugs.yml` says why and `<case>.author.html` (or
//! `.author.liquid.md`) beside Jekyll's file is what we match instead. Cases
//! we do not match are listed in `known-failures.txt` with the reason; a
//! reason starting `warns:` means elementdocs reports the construct as
//! unsupported, and the case counts as matching when the build printed a
//! warning at `<site-relative path>:<line>:<col>` for that page.
//!
//! Fails when under 99% of cases match, when an unlisted case fails, or
//! when a listed one passes (so the list stays true).

mod html_tree;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const MIN_PERCENT: f64 = 99.0;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential")
}

/// One stage of one case: what Jekyll gave (or the author meant) and what we gave.
struct Stage {
    case: String,
    stage: &'static str,
    expected: String,
    actual: Option<String>,
}

/// Liquid-stage text with what Markdown ignores normalised: trailing
/// spaces, runs of blank lines, blank lines at either end.
fn norm_liquid(s: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for line in s.replace("\r\n", "\n").split('\n') {
        let line = line.trim_end();
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line.to_string());
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// The first differing line of two normal forms, or None when equal.
fn first_difference(expected: &[String], actual: &[String]) -> Option<String> {
    let i = (0..expected.len().max(actual.len())).find(|&i| expected.get(i) != actual.get(i))?;
    let show = |v: &[String]| {
        v.get(i)
            .map_or("(end)".to_string(), |l| l.trim().to_string())
    };
    Some(format!(
        "line {}: jekyll {} / ours {}",
        i + 1,
        show(expected),
        show(actual)
    ))
}

fn compare(s: &Stage) -> Option<String> {
    let Some(actual) = &s.actual else {
        return Some("elementdocs wrote no such page".into());
    };
    if s.stage == "liquid" {
        first_difference(&norm_liquid(&s.expected), &norm_liquid(actual))
    } else {
        first_difference(
            &html_tree::canonical(&s.expected),
            &html_tree::canonical(actual),
        )
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// `case<TAB or spaces>reason` lines; `#` starts a comment.
fn known_failures() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(suite().join("known-failures.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (case, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (case.to_string(), reason.trim().to_string())
        })
        .collect()
}

/// The cases bugs.yml marks (`- case: gfm/kramdown/x`).
fn marked_bugs() -> BTreeSet<String> {
    let text = std::fs::read_to_string(suite().join("bugs.yml")).unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- case:"))
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect()
}

/// Build one site; the stages of its cases and what the build printed.
fn build_site(site: &str, tmp: &Path) -> (Vec<Stage>, String) {
    let src = suite().join("sites").join(site);
    let (out, exp, bodies) = (tmp.join("out"), tmp.join("exp"), tmp.join("bodies"));
    let run = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--no-cache", "--source"])
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .arg("--expanded-dir")
        .arg(&exp)
        .arg("--bodies-dir")
        .arg(&bodies)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(
        run.status.success(),
        "elementdocs failed on the {site} site:\n{log}"
    );
    let expected_dir = suite().join("expected").join(site);
    let mut files = vec![];
    files_under(&expected_dir, &mut files);
    let mut stages = vec![];
    for f in &files {
        let rel = f
            .strip_prefix(&expected_dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.contains(".author.") {
            continue;
        }
        let (base, stage, ours) = if let Some(b) = rel.strip_suffix(".liquid.md") {
            (b, "liquid", exp.join(format!("{b}.md")))
        } else if let Some(b) = rel.strip_suffix(".html") {
            (b, "html", bodies.join(format!("{b}.html")))
        } else {
            continue;
        };
        let author = f.with_file_name(f.file_name().unwrap().to_string_lossy().replacen(
            if stage == "liquid" {
                ".liquid.md"
            } else {
                ".html"
            },
            if stage == "liquid" {
                ".author.liquid.md"
            } else {
                ".author.html"
            },
            1,
        ));
        let expected = std::fs::read_to_string(if author.exists() { &author } else { f }).unwrap();
        stages.push(Stage {
            case: format!("{site}/{base}"),
            stage,
            expected,
            actual: std::fs::read_to_string(ours).ok(),
        });
    }
    (stages, log)
}

/// Did the build warn at a line and column of this case's page?
fn warned(log: &str, case: &str) -> bool {
    let rel = case.split_once('/').map_or(case, |(_, r)| r);
    let re = regex::Regex::new(&format!(r"{}\.md:\d+:\d+: warning:", regex::escape(rel))).unwrap();
    re.is_match(log)
}

#[test]
fn differential_suite_matches_jekyll() {
    let mut sites: Vec<String> = std::fs::read_dir(suite().join("sites"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    sites.sort();
    let tmp = tempfile::tempdir().unwrap();
    let known = known_failures();
    let bugs = marked_bugs();
    // case -> first difference of its first failing stage (None: matches)
    let mut results: BTreeMap<String, Option<(String, String)>> = BTreeMap::new();
    let mut logs = String::new();
    for site in &sites {
        let (stages, log) = build_site(site, &tmp.path().join(site));
        for s in &stages {
            let diff = compare(s).map(|d| (s.stage.to_string(), d));
            let entry = results.entry(s.case.clone()).or_insert(None);
            if entry.is_none() {
                *entry = diff;
            }
        }
        logs.push_str(&log);
    }
    let mut problems = vec![];
    let mut matching = 0;
    println!("{:<50} {:<7} first difference", "case", "stage");
    for (case, diff) in &results {
        let listed = known.get(case);
        let warns = listed.is_some_and(|r| r.starts_with("warns:"));
        match diff {
            None => {
                matching += 1;
                if listed.is_some() {
                    problems.push(format!("{case} passes but is listed in known-failures.txt"));
                }
            }
            Some(_) if warns && warned(&logs, case) => matching += 1,
            Some((stage, d)) => {
                println!("{case:<50} {stage:<7} {d}");
                match listed {
                    None => problems.push(format!(
                        "{case} fails ({stage}: {d}) and is not in known-failures.txt"
                    )),
                    Some(_) if warns => problems.push(format!(
                        "{case} is listed as warning, but no warning names its page"
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    for case in known.keys().filter(|c| !results.contains_key(*c)) {
        problems.push(format!(
            "known-failures.txt lists {case}, which has no expectation"
        ));
    }
    let mut authored = vec![];
    files_under(&suite().join("expected"), &mut authored);
    for f in authored
        .iter()
        .filter(|f| f.to_string_lossy().contains(".author."))
    {
        let rel = f
            .strip_prefix(suite().join("expected"))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let case = rel.split(".author.").next().unwrap().to_string();
        if !bugs.contains(&case) {
            problems.push(format!(
                "{rel} overrides Jekyll, but bugs.yml does not say why"
            ));
        }
    }
    let n = results.len();
    let percent = if n == 0 {
        0.0
    } else {
        100.0 * matching as f64 / n as f64
    };
    println!("cases: {n}; matching: {matching} ({percent:.1}%)");
    assert!(n > 0, "no cases under tests/differential/expected");
    if percent < MIN_PERCENT {
        problems.push(format!(
            "{percent:.1}% of cases match (minimum {MIN_PERCENT}%)"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn liquid_stage_ignores_only_what_markdown_ignores() {
    assert_eq!(norm_liquid("\na  \n\n\n\nb\n\n"), norm_liquid("a\n\nb"));
    assert_ne!(norm_liquid("a\nb"), norm_liquid("a\n\nb"));
    assert_ne!(norm_liquid("  a"), norm_liquid("a"));
}
