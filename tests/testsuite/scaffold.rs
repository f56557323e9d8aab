//! `elementdocs new element`: a scaffolded guide builds straight away, in
//! both source layouts, and an existing guide is never overwritten.

use elementdocs::scaffold::{create, render_files, Auth, ElementSpec};
use elementdocs::site::{build_site, BuildOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_site(name: &str) -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sites")
        .join(name);
    let tmp = tempfile::tempdir().unwrap();
    for e in walkdir::WalkDir::new(&from) {
        let e = e.unwrap();
        let dest = tmp.path().join(e.path().strip_prefix(&from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
    tmp
}

fn spec(key: &str, name: &str, auth: Auth) -> ElementSpec {
    ElementSpec {
        key: key.into(),
        name: name.into(),
        auth,
    }
}

/// Scaffold `spec` into a copy of the site `site`, build it, and return the
/// guide's output folder (the build must have no error and no warning).
fn scaffold_and_build(
    site: &str,
    spec: &ElementSpec,
    guide_dir: &str,
) -> (tempfile::TempDir, PathBuf) {
    let src = copy_site(site);
    let created = create(src.path(), spec).unwrap();
    assert_eq!(created.dir, Path::new(guide_dir).join(&spec.key));
    let out = src.path().join("_out");
    let opts = BuildOptions {
        source: src.path().to_path_buf(),
        out: Some(out.clone()),
        ..Default::default()
    };
    let built = build_site(&opts).unwrap_or_else(|d| panic!("{d:?}"));
    let shown: Vec<String> = built.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        shown.is_empty(),
        "the new guide builds cleanly:\n{}",
        shown.join("\n\n")
    );
    let root = src.path().canonicalize().unwrap();
    elementdocs::output::write_site(&built, &out, &root, None).unwrap();
    (src, out.join("docs/elements").join(&spec.key))
}

fn check_guide(out_dir: &Path, spec: &ElementSpec) {
    for (file, text) in render_files(spec) {
        if file.starts_with("includes/") {
            continue;
        }
        let html_path = out_dir.join(file.replace(".md", ".html"));
        let html = std::fs::read_to_string(&html_path)
            .unwrap_or_else(|e| panic!("{}: {e}", html_path.display()));
        assert!(
            !html.contains("{{") && !html.contains("{%"),
            "{file}: Liquid left unexpanded"
        );
        if text.contains("{{ page.heading }}") {
            let escaped = html_escape::encode_text(&spec.name);
            assert!(
                html.contains(&spec.name) || html.contains(escaped.as_ref()),
                "{file} names the provider"
            );
        }
        if text.contains("{{ page.elementKey }}") {
            assert!(html.contains(&spec.key), "{file} shows the key");
        }
        if text.contains("include_relative includes/config-fields.md") {
            let field = if spec.auth == Auth::Oauth2 {
                "oauth.api.key"
            } else {
                "\"username\""
            };
            let escaped = field.replace('"', "&quot;");
            assert!(
                html.contains(field) || html.contains(&escaped),
                "{file} includes the config fields"
            );
        }
        assert!(html.contains("TODO:"), "{file} shows what to write");
    }
}

#[test]
fn oauth2_guide_builds_cleanly_in_a_native_site() {
    let s = spec("acme-crm", "Acme CRM", Auth::Oauth2);
    let (_src, out) = scaffold_and_build("scaffold-native", &s, "content/docs/elements");
    check_guide(&out, &s);
}

#[test]
fn basic_guide_builds_cleanly_in_a_jekyll_portal() {
    let s = spec("widgets2", "Widgets & Co", Auth::Basic);
    let (_src, out) = scaffold_and_build("scaffold-jekyll", &s, "docs/elements");
    check_guide(&out, &s);
}

#[test]
fn an_existing_guide_is_not_overwritten() {
    let src = copy_site("scaffold-native");
    let s = spec("acme", "Acme", Auth::Oauth2);
    create(src.path(), &s).unwrap();
    let index = src.path().join("content/docs/elements/acme/index.md");
    std::fs::write(&index, "mine").unwrap();
    let err = create(src.path(), &spec("acme", "Other", Auth::Basic)).unwrap_err();
    assert!(err.message.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&index).unwrap(), "mine");
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_elementdocs"))
}

#[test]
fn command_line_exit_codes() {
    let src = copy_site("scaffold-native");
    let run = |args: &[&str]| {
        let o = bin()
            .args(args)
            .arg("--source")
            .arg(src.path())
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = run(&[
        "new", "element", "acme", "--name", "Acme", "--auth", "basic",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(src
        .path()
        .join("content/docs/elements/acme/authenticate.md")
        .is_file());
    let (code, err) = run(&["new", "element", "acme", "--name", "Acme"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("already exists"), "{err}");
    let (code, err) = run(&["new", "element", "Acme_CRM", "--name", "Acme"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("acme-crm"), "suggests a key: {err}");
    let (code, _) = run(&["new", "element", "ok", "--name", "Acme", "--auth", "saml"]);
    assert_eq!(code, Some(2));
    let empty = tempfile::tempdir().unwrap();
    let o = bin()
        .args(["new", "element", "ok", "--name", "Ok", "--source"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "no site there");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}
