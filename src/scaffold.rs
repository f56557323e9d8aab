//! `elementdocs new element`: a whole element guide from the scaffold templates.
//!
//! The templates live in `scaffold/element/` and are embedded in the binary.
//! A template named `NAME.basic.EXT` or `NAME.oauth2.EXT` is used only for that
//! kind of authentication and written as `NAME.EXT`; the others are written
//! for every guide. Placeholders (`@KEY@`, `@NAME_Q@`, `@AUTH_LABEL@`) are
//! replaced; the Liquid in the pages is left for the build, so each page reads
//! its facts from its own front matter. `TODO:` marks what a writer must add.
//!
//! The guide goes into the site's guide folder: `content/docs/elements/KEY/`
//! in the native layout, `docs/elements/KEY/` in a Jekyll portal. An existing
//! guide is never overwritten.

use crate::config::{Config, SourceLayout};
use crate::diag::Diagnostic;
use include_dir::{include_dir, Dir, DirEntry};
use std::path::{Path, PathBuf};

static SCAFFOLD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scaffold/element");

/// Where element guides live, below the site's content folder.
pub const GUIDES_DIR: &str = "docs/elements";

/// How the provider authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Auth {
    /// HTTP Basic: a username and a password (or an API key in their place).
    Basic,
    /// OAuth 2.0 authorization code flow: an app's client id, secret and callback URL.
    Oauth2,
}

impl Auth {
    /// The suffix of the templates particular to this kind (`basic`, `oauth2`).
    pub fn suffix(self) -> &'static str {
        match self {
            Auth::Basic => "basic",
            Auth::Oauth2 => "oauth2",
        }
    }

    /// How guides name it (`auth:` front matter).
    pub fn label(self) -> &'static str {
        match self {
            Auth::Basic => "Basic",
            Auth::Oauth2 => "OAuth 2.0",
        }
    }

    const ALL: [Auth; 2] = [Auth::Basic, Auth::Oauth2];
}

/// What to scaffold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementSpec {
    pub key: String,
    pub name: String,
    pub auth: Auth,
}

/// An element key: lowercase ASCII letters, digits and single hyphens inside,
/// starting with a letter or digit (`acme-crm`, `box2`).
pub fn validate_key(key: &str) -> Result<String, String> {
    let ok_chars = key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if key.is_empty() {
        return Err("the element key is empty".into());
    }
    if !ok_chars {
        let fixed: String = key
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        return Err(format!(
            "an element key has only lowercase letters, digits and hyphens (try `{}`)",
            fixed.trim_matches('-')
        ));
    }
    if key.starts_with('-') || key.ends_with('-') || key.contains("--") {
        return Err("an element key starts and ends with a letter or digit, with single hyphens between words".into());
    }
    Ok(key.to_string())
}

/// A provider name: any text on one line.
pub fn validate_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the provider name is empty".into());
    }
    if name.chars().any(char::is_control) {
        return Err("the provider name must be one line of text".into());
    }
    Ok(name.to_string())
}

/// Escape `s` for the inside of a double-quoted YAML string.
fn yaml_quoted_inner(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The template path with its auth suffix removed, or None when the template
/// belongs to another kind of authentication.
fn output_name(template: &str, auth: Auth) -> Option<String> {
    let (dir, file) = template.rsplit_once('/').unwrap_or(("", template));
    let mut parts: Vec<&str> = file.split('.').collect();
    if parts.len() >= 3 {
        let variant = parts[parts.len() - 2];
        if let Some(kind) = Auth::ALL.iter().find(|a| a.suffix() == variant) {
            if *kind != auth {
                return None;
            }
            parts.remove(parts.len() - 2);
        }
    }
    let file = parts.join(".");
    Some(if dir.is_empty() {
        file
    } else {
        format!("{dir}/{file}")
    })
}

fn template_files<'a>(dir: &'a Dir<'a>, out: &mut Vec<(String, &'a str)>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => template_files(d, out),
            DirEntry::File(f) => {
                let path = f.path().to_string_lossy().replace('\\', "/");
                out.push((path, f.contents_utf8().unwrap_or_default()));
            }
        }
    }
}

/// The files of a new guide: (path relative to the guide folder, content), sorted.
pub fn render_files(spec: &ElementSpec) -> Vec<(String, String)> {
    let mut templates = Vec::new();
    template_files(&SCAFFOLD, &mut templates);
    let name_q = yaml_quoted_inner(&spec.name);
    let mut files: Vec<(String, String)> = templates
        .into_iter()
        .filter_map(|(path, text)| {
            let out = output_name(&path, spec.auth)?;
            let text = text
                .replace("@KEY@", &spec.key)
                .replace("@NAME_Q@", &name_q)
                .replace("@AUTH_LABEL@", spec.auth.label());
            Some((out, text))
        })
        .collect();
    files.sort();
    files
}

/// The folder of guide `key` in the site `config` describes.
pub fn guide_dir(config: &Config, key: &str) -> PathBuf {
    let base = match config.layout {
        SourceLayout::Native => config.content_dir.clone(),
        SourceLayout::Jekyll => config.root.clone(),
    };
    base.join(GUIDES_DIR).join(key)
}

/// What [`create`] wrote.
#[derive(Debug)]
pub struct Created {
    /// The guide folder, relative to the site root.
    pub dir: PathBuf,
    /// The files written, relative to the guide folder.
    pub files: Vec<String>,
}

/// Write a new guide into the site at `source`. Refuses when the guide folder
/// already exists and is not empty; nothing is written then.
pub fn create(source: &Path, spec: &ElementSpec) -> Result<Created, Diagnostic> {
    let config = Config::load(source)?;
    let dir = guide_dir(&config, &spec.key);
    let shown = dir.strip_prefix(&config.root).unwrap_or(&dir).to_path_buf();
    let occupied = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some());
    if occupied || dir.is_file() {
        return Err(Diagnostic::error(
            &shown,
            0,
            0,
            format!("a guide `{}` already exists; nothing was written", spec.key),
        )
        .with_help("choose another KEY, or move the existing folder away first"));
    }
    let files = render_files(spec);
    for (rel, text) in &files {
        let path = dir.join(rel);
        let write = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&path, text));
        if let Err(e) = write {
            return Err(Diagnostic::error(
                shown.join(rel),
                0,
                0,
                format!("cannot write: {e}"),
            ));
        }
    }
    Ok(Created {
        dir: shown,
        files: files.into_iter().map(|(rel, _)| rel).collect(),
    })
}

/// `elementdocs new ...`: start something new from the scaffold templates.
#[derive(clap::Args, Debug, Clone)]
pub struct NewArgs {
    #[command(subcommand)]
    pub what: NewCommand,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum NewCommand {
    /// Scaffold a whole element guide (Overview, API Provider Setup,
    /// Authenticate, Events, Bulk, Querying, API Docs) into the site.
    Element(NewElementArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct NewElementArgs {
    /// The element key: lowercase letters, digits and hyphens (`acme-crm`).
    #[arg(value_parser = validate_key)]
    pub key: String,
    /// The provider's name as readers know it ("Acme CRM").
    #[arg(long, value_parser = validate_name)]
    pub name: String,
    /// How the provider authenticates.
    #[arg(long, value_enum, default_value = "oauth2")]
    pub auth: Auth,
    /// The site's source folder.
    #[arg(long, default_value = ".")]
    pub source: PathBuf,
}

impl NewArgs {
    /// Run the subcommand; returns the diagnostics and whether it succeeded.
    pub fn run(&self) -> (Vec<Diagnostic>, bool) {
        match &self.what {
            NewCommand::Element(args) => args.run(),
        }
    }
}

impl NewElementArgs {
    pub fn run(&self) -> (Vec<Diagnostic>, bool) {
        let spec = ElementSpec {
            key: self.key.clone(),
            name: self.name.clone(),
            auth: self.auth,
        };
        match create(&self.source, &spec) {
            Ok(created) => {
                eprintln!(
                    "created the {} guide in {}:",
                    spec.name,
                    crate::diag::display_path(&created.dir)
                );
                for f in &created.files {
                    eprintln!("  {f}");
                }
                eprintln!(
                    "next: replace every `TODO:` with the provider's facts, then build the site"
                );
                (Vec::new(), true)
            }
            Err(d) => (vec![d], false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn spec(auth: Auth) -> ElementSpec {
        ElementSpec {
            key: "acme-crm".into(),
            name: "Acme \"Cloud\" CRM: Pro".into(),
            auth,
        }
    }

    /// Every page of the guide the brief lists, by file.
    const PAGES: [&str; 7] = [
        "index.md",
        "setup.md",
        "authenticate.md",
        "events.md",
        "bulk.md",
        "ceql.md",
        "api-documentation.md",
    ];

    fn front(text: &str) -> serde_json::Map<String, Value> {
        let split = crate::source::split_front_matter(text, Path::new("p.md"))
            .unwrap()
            .expect("front matter");
        match crate::source::parse_yaml(split.yaml, Path::new("p.md"), split.yaml_line).unwrap() {
            Value::Object(m) => m,
            v => panic!("{v}"),
        }
    }

    #[test]
    fn keys() {
        for ok in ["acme", "acme-crm", "box2", "3scale"] {
            assert_eq!(validate_key(ok).as_deref(), Ok(ok));
        }
        for bad in [
            "", "Acme", "acme_crm", "acme crm", "-acme", "acme-", "a--b", "é",
        ] {
            assert!(validate_key(bad).is_err(), "{bad}");
        }
        assert!(validate_key("Acme CRM").unwrap_err().contains("`acme-crm`"));
    }

    #[test]
    fn names() {
        assert_eq!(validate_name("  Acme ").as_deref(), Ok("Acme"));
        assert!(validate_name(" ").is_err());
        assert!(validate_name("a\nb").is_err());
    }

    #[test]
    fn variant_names() {
        assert_eq!(
            output_name("setup.basic.md", Auth::Basic).as_deref(),
            Some("setup.md")
        );
        assert_eq!(output_name("setup.basic.md", Auth::Oauth2), None);
        assert_eq!(
            output_name("includes/config-fields.oauth2.md", Auth::Oauth2).as_deref(),
            Some("includes/config-fields.md")
        );
        assert_eq!(
            output_name("bulk.md", Auth::Basic).as_deref(),
            Some("bulk.md")
        );
    }

    #[test]
    fn every_page_with_its_front_matter() {
        for auth in Auth::ALL {
            let s = spec(auth);
            let files = render_files(&s);
            let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
            for page in PAGES {
                assert!(names.contains(&page), "{auth:?}: {page} in {names:?}");
            }
            assert!(names.contains(&"includes/config-fields.md"));
            assert!(names.contains(&"includes/config-example.md"));
            assert_eq!(names.len(), PAGES.len() + 2, "{names:?}");
            let mut orders = Vec::new();
            for (name, text) in &files {
                for p in ["@KEY@", "@NAME_Q@", "@AUTH_LABEL@"] {
                    assert!(!text.contains(p), "{name} keeps {p}");
                }
                if !PAGES.contains(&name.as_str()) {
                    continue;
                }
                let f = front(text);
                assert_eq!(f["heading"], s.name.as_str(), "{name}");
                assert_eq!(f["apiProvider"], s.name.as_str(), "{name}");
                assert_eq!(f["elementKey"], s.key.as_str(), "{name}");
                assert_eq!(f["layout"], "sidebarelementdoc", "{name}");
                for key in ["title", "seo", "description"] {
                    assert!(
                        f[key].as_str().is_some_and(|v| !v.is_empty()),
                        "{name} {key}"
                    );
                }
                assert!(f["seo"].as_str().unwrap().contains(&s.name));
                orders.push(f["order"].as_f64().expect("order"));
                assert!(text.contains("TODO:"), "{name} marks what to write");
            }
            let mut sorted = orders.clone();
            sorted.sort_by(f64::total_cmp);
            sorted.dedup();
            assert_eq!(sorted.len(), PAGES.len(), "distinct orders {orders:?}");
        }
    }

    #[test]
    fn auth_specific_content() {
        let get = |auth: Auth, file: &str| {
            render_files(&spec(auth))
                .into_iter()
                .find(|(n, _)| n == file)
                .unwrap()
                .1
        };
        let oauth = get(Auth::Oauth2, "authenticate.md");
        let basic = get(Auth::Basic, "authenticate.md");
        for page in [&oauth, &basic] {
            assert!(page.contains("{% include_relative includes/config-fields.md %}"));
            assert!(page.contains("{% include_relative includes/config-example.md %}"));
        }
        assert!(front(&oauth).contains_key("callbackURL"));
        assert!(!front(&basic).contains_key("callbackURL"));
        assert!(front(&basic).contains_key("username"));
        assert!(get(Auth::Oauth2, "includes/config-fields.md").contains("oauth.api.key"));
        assert!(get(Auth::Basic, "includes/config-fields.md").contains("\"username\""));
        assert_eq!(
            front(&get(Auth::Basic, "index.md"))["auth"],
            Auth::Basic.label()
        );
        // The fields the snippets use are in the front matter of the page that includes them.
        for auth in Auth::ALL {
            let page = front(&get(auth, "authenticate.md"));
            let fields = get(auth, "includes/config-fields.md");
            for var in fields.split("{{ page.").skip(1) {
                let var = var.split(' ').next().unwrap();
                assert!(page.contains_key(var), "{auth:?}: page.{var}");
            }
        }
    }
}
