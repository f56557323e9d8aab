//! The user documentation in `docs/` is tested: it builds cleanly with
//! elementdocs itself, and every command it shows runs.
//!
//! Conventions of the documentation pages (`docs/content/**/*.md`):
//! * a fenced ```` ```console ```` block holds commands, each on a line that
//!   starts with `$ ` (a line ending in `\` continues on the next one); the
//!   other lines are sample output and are not compared;
//! * `<!-- file: PATH -->` just before a fenced block: the block is a file the
//!   reader creates; the test writes it to PATH before running later commands;
//! * `<!-- exit: N -->` just before a console block: its commands are expected
//!   to exit with N (0 otherwise).
//!
//! Each page runs in a fresh temporary folder, in page order, with the built
//! `elementdocs` binary first on `PATH`.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::path::{Path, PathBuf};
use std::process::Command;

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Write a file (path relative to the working folder).
    File { path: String, text: String },
    /// Run a shell command and expect this exit code.
    Run { cmd: String, exit: i32, line: usize },
}

/// The steps of one page, in order.
fn steps(md: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut file: Option<String> = None;
    let mut exit: Option<i32> = None;
    let mut block: Option<(String, usize, String)> = None;
    for (event, range) in Parser::new(md).into_offset_iter() {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.trim();
                if let Some(p) = marker(h, "file:") {
                    file = Some(p.to_string());
                } else if let Some(n) = marker(h, "exit:") {
                    exit = Some(n.parse().expect("an exit code"));
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = md[..range.start].matches('\n').count() + 1;
                let lang = info.split_whitespace().next().unwrap_or("").to_string();
                block = Some((lang, line, String::new()));
            }
            Event::Text(t) => {
                if let Some((_, _, text)) = block.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((lang, line, text)) = block.take() else {
                    continue;
                };
                if let Some(path) = file.take() {
                    out.push(Step::File { path, text });
                } else if lang == "console" {
                    let code = exit.take().unwrap_or(0);
                    for (offset, cmd) in commands(&text) {
                        out.push(Step::Run {
                            cmd,
                            exit: code,
                            line: line + 1 + offset,
                        });
                    }
                }
                exit = None;
            }
            _ => {}
        }
    }
    out
}

/// `<!-- file: x -->` → `x` for `key` = `file:`.
fn marker<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    let inner = html.strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    Some(inner.strip_prefix(key)?.trim())
}

/// The commands of a console block, with their line offset in the block.
fn commands(block: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut continuing = false;
    for (i, line) in block.lines().enumerate() {
        if continuing {
            let last = out.last_mut().unwrap();
            last.1.push('\n');
            last.1.push_str(line);
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            out.push((i, cmd.to_string()));
        } else {
            continue;
        }
        continuing = line.ends_with('\\');
    }
    out
}

fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(docs_dir().join("content"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_elementdocs"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Run the steps of one page in a fresh folder; returns the number of commands run.
fn run_page(page: &Path) -> usize {
    let md = std::fs::read_to_string(page).unwrap();
    let work = tempfile::tempdir().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let shown = page.strip_prefix(docs_dir()).unwrap().display().to_string();
    let mut ran = 0;
    for step in steps(&md) {
        match step {
            Step::File { path, text } => {
                let dest = work.path().join(&path);
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::write(&dest, text).unwrap();
            }
            Step::Run { cmd, exit, line } => {
                let out = Command::new("bash")
                    .arg("-c")
                    .arg(&cmd)
                    .current_dir(work.path())
                    .env("PATH", &path)
                    .output()
                    .unwrap();
                assert_eq!(
                    out.status.code(),
                    Some(exit),
                    "{shown}:{line}: `{cmd}` should exit with {exit}\nstdout:\n{}\nstderr:\n{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                ran += 1;
            }
        }
    }
    ran
}

#[test]
fn every_command_in_the_docs_runs() {
    let mut total = 0;
    let mut with_commands = Vec::new();
    for page in pages() {
        let n = run_page(&page);
        if n > 0 {
            with_commands.push(page.file_name().unwrap().to_string_lossy().into_owned());
        }
        total += n;
    }
    // The pages that teach commands all have some (so a broken marker is noticed).
    for p in [
        "getting-started.md",
        "writing-guides.md",
        "configuration.md",
        "migrating.md",
        "publishing.md",
        "commands.md",
    ] {
        assert!(with_commands.iter().any(|w| w == p), "{p} runs no command");
    }
    assert!(total >= 20, "only {total} commands ran");
}

#[test]
fn the_docs_site_builds_without_errors_or_warnings() {
    let out = tempfile::tempdir().unwrap();
    let opts = elementdocs::site::BuildOptions {
        source: docs_dir(),
        out: Some(out.path().to_path_buf()),
        ..Default::default()
    };
    let site = elementdocs::site::build_site(&opts).unwrap_or_else(|d| panic!("{d:?}"));
    let shown: Vec<String> = site.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(shown.is_empty(), "{}", shown.join("\n\n"));
    let built: Vec<&str> = site.pages.iter().map(|p| p.out_path.as_str()).collect();
    for page in pages() {
        let rel = page
            .strip_prefix(docs_dir().join("content"))
            .unwrap()
            .to_string_lossy()
            .replace(".md", ".html");
        assert!(built.contains(&rel.as_str()), "{rel} in {built:?}");
    }
}

#[test]
fn marker_parsing() {
    let md = "<!-- file: a/b.yml -->\n```yaml\nx: 1\n```\n\n<!-- exit: 1 -->\n```console\n$ false\noutput\n$ echo a \\\n  b\n```\n\n```console\n$ true\n```\n\n```yaml\nnot: a file\n```\n";
    assert_eq!(
        steps(md),
        vec![
            Step::File {
                path: "a/b.yml".into(),
                text: "x: 1\n".into()
            },
            Step::Run {
                cmd: "false".into(),
                exit: 1,
                line: 8
            },
            Step::Run {
                cmd: "echo a \\\n  b".into(),
                exit: 1,
                line: 10
            },
            Step::Run {
                cmd: "true".into(),
                exit: 0,
                line: 15
            },
        ]
    );
}
