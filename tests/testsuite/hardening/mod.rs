//! Hardening: every bad input ends in exit code 1 with `path:line:col` (where
//! a position exists), a `help:` line, and the previous output untouched; odd
//! but valid input builds; usage errors exit 2. Each test makes its own small
//! site in a temp folder and runs the real binary on it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

mod build;
mod input;
mod library;
mod liquid_stage;

/// A site under `<tmp>/src`, built into `<tmp>/out` (and `<tmp>/exp`).
pub(super) struct Site {
    tmp: tempfile::TempDir,
}

/// What one run of the binary did.
pub(super) struct Run {
    pub(super) code: i32,
    pub(super) stderr: String,
    pub(super) elapsed: Duration,
    /// The largest VmHWM seen while it ran (KiB): a lower bound of its peak.
    pub(super) peak_kib: u64,
}

impl Site {
    /// A Jekyll-layout site (`_config.yml`), the corpus's kind.
    pub(super) fn jekyll() -> Site {
        let s = Site {
            tmp: tempfile::tempdir().unwrap(),
        };
        s.write(
            "_config.yml",
            "title: Test site\nurl: https://docs.example.com\nbaseurl: \"\"\n",
        );
        s
    }

    /// A native-layout site (`elementdocs.yml`, `content/`).
    fn native() -> Site {
        let s = Site {
            tmp: tempfile::tempdir().unwrap(),
        };
        s.write("elementdocs.yml", "title: Test site\n");
        std::fs::create_dir_all(s.src().join("content")).unwrap();
        s
    }

    fn src(&self) -> PathBuf {
        self.tmp.path().join("src")
    }

    fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    fn exp(&self) -> PathBuf {
        self.tmp.path().join("exp")
    }

    pub(super) fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.src().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    #[cfg(unix)]
    fn symlink(&self, rel: &str, target: impl AsRef<Path>) {
        let p = self.src().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
    }

    /// `elementdocs build --source src --out out --expanded-dir exp <extra>`.
    pub(super) fn build(&self, extra: &[&str]) -> Run {
        let src = self.src();
        let out = self.out();
        let exp = self.exp();
        let mut args: Vec<&str> = vec![
            "build",
            "--source",
            src.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--expanded-dir",
            exp.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run_bin(&args, Duration::from_secs(120))
    }

    pub(super) fn out_file(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out().join(rel))
            .unwrap_or_else(|e| panic!("output {rel} missing: {e}"))
    }

    /// Every file under the output folders: path → (bytes, mtime).
    fn snapshot(&self) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
        let mut files = BTreeMap::new();
        for dir in [self.out(), self.exp()] {
            if !dir.exists() {
                continue;
            }
            for e in walkdir::WalkDir::new(&dir) {
                let e = e.unwrap();
                if e.file_type().is_file() {
                    let meta = e.metadata().unwrap();
                    files.insert(
                        e.path().to_path_buf(),
                        (std::fs::read(e.path()).unwrap(), meta.modified().unwrap()),
                    );
                }
            }
        }
        files
    }

    /// The stderr with the temp folder replaced by `[TMP]`, for snapshots.
    fn normalize(&self, text: &str) -> String {
        let tmp = self.tmp.path().to_string_lossy().to_string();
        let canon = self.tmp.path().canonicalize().unwrap();
        text.replace(&*canon.to_string_lossy(), "[TMP]")
            .replace(&tmp, "[TMP]")
    }
}

/// Run the binary with a time limit (a hang is a failure, not a stuck test).
fn run_bin(args: &[&str], limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(args)
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
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("elementdocs {args:?} did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stderr: reader.join().unwrap(),
        elapsed: started.elapsed(),
        peak_kib,
    }
}

/// The peak resident set of process `pid` so far, from `/proc` (Linux).
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// YAML whose aliases expand to 9^`levels` strings ("billion laughs"), one
/// anchor per line from the first.
pub(super) fn billion_laughs(levels: usize) -> String {
    let mut yaml = format!("a: &a [{}]\n", ["\"x\""; 9].join(","));
    let names: Vec<char> = ('a'..='z').take(levels).collect();
    for pair in names.windows(2) {
        let (prev, name) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    yaml
}

impl Run {
    /// The first diagnostic line of `kind` (`error`, `warning`) at `place`:
    /// `path`, `path:line` or `path:line:col`; a shorter place matches any
    /// line/column, and the path may be preceded by folders (`/tmp/x/out/`).
    fn find<'r>(&'r self, place: &'r str, kind: &str) -> Option<&'r str> {
        self.diagnostics(place, kind).next()
    }

    /// Every diagnostic line of `kind` at `place` (as [`Run::find`] reads it).
    pub(super) fn diagnostics<'r>(
        &'r self,
        place: &'r str,
        kind: &str,
    ) -> impl Iterator<Item = &'r str> + 'r {
        let tail = format!(" {kind}:");
        self.stderr.lines().filter(move |line| {
            line.match_indices(place).any(|(i, _)| {
                let after = &line[i + place.len()..];
                let rest = after.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit());
                (i == 0 || line[..i].ends_with('/'))
                    && after.starts_with(':')
                    && rest.starts_with(&tail)
            })
        })
    }

    /// Exit 1, with an error at `place` (see [`Run::find`]) and a help line.
    #[track_caller]
    pub(super) fn assert_error_at(&self, place: &str) {
        assert_eq!(self.code, 1, "expected exit 1; stderr:\n{}", self.stderr);
        assert!(
            self.find(place, "error").is_some(),
            "expected an error at `{place}`; stderr:\n{}",
            self.stderr
        );
        assert!(
            self.stderr.contains("= help:"),
            "expected a help line; stderr:\n{}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "panic; stderr:\n{}",
            self.stderr
        );
    }

    #[track_caller]
    fn assert_ok(&self) {
        assert_eq!(self.code, 0, "expected success; stderr:\n{}", self.stderr);
    }

    /// The diagnostic block (message, source line, caret, notes, help) at `place`.
    pub(super) fn block(&self, place: &str) -> String {
        let line = self
            .find(place, "error")
            .or_else(|| self.find(place, "warning"))
            .unwrap_or_else(|| panic!("no diagnostic at `{place}` in:\n{}", self.stderr));
        let start = self.stderr.find(line).unwrap();
        let rest = &self.stderr[start..];
        rest.split("\n\n").next().unwrap_or(rest).to_string()
    }
}

const PAGE: &str = "---\ntitle: Fine\n---\n# Fine page\n\nSome *text*.\n";

/// A site with one good page, built once successfully.
fn built_site() -> Site {
    let s = Site::jekyll();
    s.write("docs/good.md", PAGE);
    s.build(&[]).assert_ok();
    s
}

/// Break the site with `break_it`, build again: the error must be at `place`,
/// and every output file must be byte-identical (and not rewritten).
#[track_caller]
pub(super) fn assert_breaks_at(break_it: impl FnOnce(&Site), place: &str) -> (Site, Run) {
    let s = built_site();
    let before = s.snapshot();
    assert!(!before.is_empty());
    break_it(&s);
    let run = s.build(&[]);
    run.assert_error_at(place);
    assert!(
        s.snapshot() == before,
        "the output changed after a failed build"
    );
    (s, run)
}
