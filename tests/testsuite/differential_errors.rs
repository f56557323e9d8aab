//! The differential suite's error cases (issue 13): where Jekyll 4.3 (with
//! `liquid: error_mode: strict`) stops on a page, elementdocs must fail too,
//! with `path:line:col: error:` naming the page.
//!
//! One page per case under `tests/differential/errors/<site>/`, built alone
//! in a copy of `sites/<site>/` without its case pages (one Liquid syntax
//! error stops Jekyll's whole build, so the cases cannot share a site).
//! `expected/errors/<site>/<name>.error` holds Jekyll's message
//! (`regen-errors.sh` writes it), or `built` where Jekyll builds the page;
//! `errors/lenient.txt` lists the pages Jekyll refuses and elementdocs
//! builds, with the reason. Fails when an unlisted case builds, or a listed
//! one fails (so the list stays true).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// `<site>/<name>  reason` lines; `#` starts a comment.
fn lenient() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(suite().join("errors/lenient.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (case, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (case.to_string(), reason.trim().to_string())
        })
        .collect()
}

/// Build `page` alone in a copy of the site's configuration, includes and
/// data; the build's stderr, or None when it succeeded.
fn build_alone(site: &str, page: &Path, tmp: &Path) -> Option<String> {
    let src = tmp.join("src");
    let site_dir = suite().join("sites").join(site);
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(site_dir.join("_config.yml"), src.join("_config.yml")).unwrap();
    for d in ["_includes", "_data"] {
        if site_dir.join(d).is_dir() {
            copy_dir(&site_dir.join(d), &src.join(d));
        }
    }
    std::fs::copy(page, src.join(page.file_name().unwrap())).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--no-cache", "--source"])
        .arg(&src)
        .arg("--out")
        .arg(tmp.join("out"))
        .output()
        .unwrap();
    (!run.status.success()).then(|| String::from_utf8_lossy(&run.stderr).into_owned())
}

#[test]
fn pages_jekyll_refuses_are_errors_at_their_place() {
    let lenient = lenient();
    let mut problems = vec![];
    let mut cases = 0;
    for site in std::fs::read_dir(suite().join("errors")).unwrap() {
        let site = site.unwrap().path();
        if !site.is_dir() {
            continue;
        }
        let name = site.file_name().unwrap().to_string_lossy().into_owned();
        let mut pages: Vec<PathBuf> = std::fs::read_dir(&site)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        pages.sort();
        for page in pages {
            cases += 1;
            let stem = page.file_stem().unwrap().to_string_lossy().into_owned();
            let case = format!("{name}/{stem}");
            let expected = suite().join(format!("expected/errors/{case}.error"));
            let jekyll = std::fs::read_to_string(&expected)
                .unwrap_or_else(|_| panic!("{case}: no {}", expected.display()));
            let tmp = tempfile::tempdir().unwrap();
            let ours = build_alone(&name, &page, tmp.path());
            let located = regex::Regex::new(&format!(
                r"(?m)^{}\.md:\d+:\d+: error: ",
                regex::escape(&stem)
            ))
            .unwrap();
            let listed = lenient.contains_key(&case);
            match ours {
                Some(log) if located.is_match(&log) => {
                    if listed {
                        problems.push(format!(
                            "{case} is an error now: remove it from lenient.txt"
                        ));
                    }
                }
                Some(log) => problems.push(format!(
                    "{case}: the error names no {stem}.md:line:col:\n{log}"
                )),
                None if listed => {}
                None => problems.push(format!(
                    "{case}: Jekyll says `{}`, elementdocs builds the page",
                    jekyll.trim()
                )),
            }
        }
    }
    println!("error cases: {cases}; lenient: {}", lenient.len());
    assert!(cases > 0, "no error cases under tests/differential/errors");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
