//! Loading the theme's files: the built-in ones (embedded in the binary),
//! then the site's `templates/` folder over them by relative path. `.html`
//! files become tera templates, given to tera as they are written; files
//! under `assets/` are kept as bytes for the output.

use super::errors::tera_diag;
use crate::diag::Diagnostic;
use include_dir::{include_dir, Dir};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The theme's files, parsed.
pub(crate) struct Loaded {
    pub tera: tera::Tera,
    /// Layout names (top-level templates without `.html`), sorted.
    pub layouts: Vec<String>,
    /// Files under `templates/assets/`, by path below it.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// The keys of `site` the templates read (see [`site_keys`]).
    pub site_keys: Option<BTreeSet<String>>,
}

/// Escape for HTML text and for double- or single-quoted attributes (the
/// one escaper of the theme: templates autoescape with it).
pub fn escape_html(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// The built-in theme, then the templates of `override_dir` over it.
pub(crate) fn load(override_dir: Option<&Path>) -> Result<Loaded, Vec<Diagnostic>> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    embedded_files(&BUILTIN, &mut files);
    if let Some(dir) = override_dir {
        files.extend(override_files(dir)?);
    }
    let mut templates: Vec<(String, String)> = Vec::new();
    let mut assets = BTreeMap::new();
    let mut diags = Vec::new();
    for (path, bytes) in files {
        if let Some(asset) = path.strip_prefix("assets/") {
            assets.insert(asset.to_string(), bytes);
        } else if path.ends_with(".html") {
            match crate::source::decode_text(bytes, Path::new(&format!("templates/{path}"))) {
                Ok(text) => templates.push((path, text)),
                Err(d) => diags.push(d),
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    let named: Vec<(&str, &str)> = templates
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    tera.add_raw_templates(named.iter().copied())
        .map_err(|e| vec![tera_diag(&e, &named)])?;
    let site_keys = site_keys(templates.iter().map(|(_, t)| t.as_str()));
    let layouts = templates
        .iter()
        .filter(|(n, _)| !n.contains('/'))
        .filter_map(|(n, _)| n.strip_suffix(".html"))
        .map(String::from)
        .collect();
    Ok(Loaded {
        tera,
        layouts,
        assets,
        site_keys,
    })
}

/// The keys of `site` that `templates` read, when they read it only as
/// `site.KEY` inside `{{ }}` and `{% %}`; None (all of it) when one uses it
/// any other way (`site[...]`, `site | filter`, a loop over it, the context
/// dump). A page's context then holds only those keys: copying the whole
/// `site` (every config key and `site.data`) for every page, and dropping
/// it, cost more than the rest of the context.
pub(crate) fn site_keys<'t>(
    templates: impl IntoIterator<Item = &'t str>,
) -> Option<BTreeSet<String>> {
    static TAG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}").expect("a valid regex")
    });
    static SITE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(^|[^A-Za-z0-9_.])site\b(\s*\.\s*([A-Za-z_][A-Za-z0-9_]*))?")
            .expect("a valid regex")
    });
    let mut keys = BTreeSet::new();
    for text in templates {
        for tag in TAG.find_iter(text) {
            let tag = tag.as_str();
            if tag.contains("__tera_context") {
                return None;
            }
            for m in SITE.captures_iter(tag) {
                let key = m.get(3)?;
                keys.insert(key.as_str().to_string());
            }
        }
    }
    Some(keys)
}

/// Every file of an embedded folder, recursively, by path with `/`.
fn embedded_files(dir: &'static Dir<'static>, out: &mut BTreeMap<String, Vec<u8>>) {
    for f in dir.files() {
        let path = f.path().to_string_lossy().replace('\\', "/");
        out.insert(path, f.contents().to_vec());
    }
    for d in dir.dirs() {
        embedded_files(d, out);
    }
}

/// Files of the site's `templates/` folder: (relative path, bytes), sorted;
/// hidden files and folders left out.
fn override_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(Diagnostic::error("templates", 0, 0, e.to_string()));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if rel.split('/').any(|c| c.starts_with('.')) {
            continue;
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => files.push((rel, bytes)),
            Err(e) => errors.push(Diagnostic::error(
                format!("templates/{rel}"),
                0,
                0,
                format!("cannot read template: {e}"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_text_and_both_quotes_and_keeps_slashes() {
        assert_eq!(
            escape_html("/a/b?x=1&y=\"<'>"),
            "/a/b?x=1&amp;y=&quot;&lt;&#x27;&gt;"
        );
    }

    #[test]
    fn overrides_replace_builtin_files_and_add_layouts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("landing.html"), "<p>{{ page.title }}</p>").unwrap();
        std::fs::write(dir.path().join("assets/theme.css"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden.html"), "{% if %}").unwrap();
        let t = load(Some(dir.path())).unwrap();
        assert!(t.layouts.contains(&"landing".to_string()));
        assert!(t.layouts.contains(&"default".to_string()));
        assert_eq!(t.assets["theme.css"], b"x");
    }

    #[test]
    fn the_site_keys_read_are_those_of_site_dot_key_in_tags() {
        let keys =
            |ts: &[&str]| site_keys(ts.iter().copied()).map(|k| k.into_iter().collect::<Vec<_>>());
        let builtin = load(None).unwrap().site_keys.unwrap();
        assert!(
            builtin.contains("title") && builtin.contains("lang"),
            "{builtin:?}"
        );
        assert!(!builtin.contains("data"), "{builtin:?}");
        assert_eq!(
            keys(&[
                "This site's text {{ site.title }}{% if site . logo %}",
                "{{ page.site }}{{ mysite }}"
            ]),
            Some(vec!["logo".to_string(), "title".to_string()])
        );
        assert_eq!(
            keys(&["{{ site.data.glossary.x }}"]),
            Some(vec!["data".to_string()])
        );
        for all in [
            "{{ site['title'] }}",
            "{{ site | json_encode }}",
            "{% for k, v in site %}{% endfor %}",
            "{{ __tera_context }}",
        ] {
            assert_eq!(keys(&[all]), None, "{all}");
        }
    }
}
