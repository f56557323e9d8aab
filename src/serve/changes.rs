//! Sorting a batch of changed files into what a rebuild must redo, and which
//! data keys a page reads (so a data edit re-renders only its readers).

use crate::config::Config;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Which data keys (`site.data.<key>`) a page uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DataUse {
    #[default]
    None,
    Keys(BTreeSet<String>),
    /// The page reaches `site.data` without a literal key: any data change.
    All,
}

impl DataUse {
    /// Scan Liquid source for `site.data.<key>`; `site.data` followed by
    /// anything but `.key` (an index, an assignment) means every key.
    pub fn scan(text: &str, into: &mut DataUse) {
        let mut rest = text;
        while let Some(at) = rest.find("site.data") {
            rest = &rest[at + "site.data".len()..];
            if matches!(into, DataUse::All) {
                return;
            }
            let key = rest.strip_prefix('.').map(|r| {
                r.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    .collect::<String>()
            });
            match key {
                Some(k) if !k.is_empty() => match into {
                    DataUse::None => *into = DataUse::Keys(BTreeSet::from([k])),
                    DataUse::Keys(s) => {
                        s.insert(k);
                    }
                    DataUse::All => {}
                },
                _ => *into = DataUse::All,
            }
        }
    }

    pub fn uses_any(&self, keys: &BTreeSet<String>) -> bool {
        match self {
            DataUse::None => false,
            DataUse::All => !keys.is_empty(),
            DataUse::Keys(k) => k.iter().any(|x| keys.contains(x)),
        }
    }
}

/// What a batch of changed files asks of a rebuild.
#[derive(Debug, Default)]
pub struct Changes {
    /// Why, for the console ("page", "include", "data"...).
    pub cause: BTreeSet<&'static str>,
    /// The configuration or the theme changed: everything is redone.
    pub full: bool,
    /// Files appeared or disappeared: the tree is walked again.
    pub rediscover: bool,
    /// Pages whose own file was edited (source paths).
    pub edited: BTreeSet<String>,
    /// Files pages read while expanding that changed (source paths).
    pub deps: BTreeSet<String>,
    /// Data keys whose files changed (`site.data.<key>`).
    pub data_keys: BTreeSet<String>,
    /// Static files that changed (output paths).
    pub statics: Vec<String>,
}

/// What [`classify`] needs to know of the site.
pub struct SiteFacts<'a> {
    pub config: &'a Config,
    /// Source paths of the pages.
    pub pages: &'a BTreeSet<&'a str>,
    /// Every file some page read while expanding (source paths).
    pub deps: &'a BTreeSet<&'a str>,
    /// Static files: absolute source path → output path.
    pub statics: &'a HashMap<&'a Path, &'a str>,
}

/// Sort `paths` (absolute, as the watcher reports them) by what they are.
pub fn classify(paths: &[PathBuf], site: &SiteFacts) -> Changes {
    let mut c = Changes::default();
    let cfg = site.config;
    for abs in paths {
        let Ok(rel_path) = abs.strip_prefix(&cfg.root) else {
            // Configuration files from --config may live outside the source.
            if cfg.files.iter().any(|f| f == abs) {
                c.cause.insert("config or theme");
                c.full = true;
            }
            continue;
        };
        let rel = rel_path.to_string_lossy().replace('\\', "/");
        if is_config_or_theme(cfg, abs, rel_path) {
            c.cause.insert("config or theme");
            c.full = true;
        } else if abs.starts_with(&cfg.data_dir) {
            c.cause.insert("data");
            c.data_keys
                .insert(data_key(abs.strip_prefix(&cfg.data_dir).unwrap_or(abs)));
        } else if rel.starts_with("_posts/") {
            // A post is in site.posts, site.categories, its neighbours'
            // previous/next and the jekyll-paginate pages (made when the
            // site is read): all of them are rebuilt, as after a config edit.
            c.cause.insert("post");
            c.full = true;
        } else if site.pages.contains(rel.as_str()) {
            if abs.is_file() {
                c.cause.insert("page");
                c.edited.insert(rel.clone());
            } else {
                c.cause.insert("removed files");
                c.rediscover = true;
            }
            if site.deps.contains(rel.as_str()) {
                c.deps.insert(rel);
            }
        } else if site.deps.contains(rel.as_str()) {
            c.cause.insert("include");
            if let Some(out) = site.statics.get(abs.as_path()) {
                c.statics.push(out.to_string());
            }
            c.deps.insert(rel);
        } else if let Some(out) = site.statics.get(abs.as_path()) {
            let page_like = matches!(
                abs.extension().and_then(|e| e.to_str()),
                Some("md" | "markdown" | "mkdown" | "mkdn" | "mkd" | "html")
            );
            if !abs.is_file() || page_like {
                // Removed, or it may have become a page.
                c.cause.insert("new or removed files");
                c.rediscover = true;
            }
            c.cause.insert("static file");
            c.statics.push(out.to_string());
        } else if abs.starts_with(&cfg.includes_dir) {
            // An include no page reads: only pages in error may want it.
            c.cause.insert("include");
        } else {
            c.cause.insert("new or removed files");
            c.rediscover = true;
        }
    }
    c
}

fn is_config_or_theme(cfg: &Config, abs: &Path, rel: &Path) -> bool {
    rel == cfg.file
        || cfg.files.iter().any(|f| f == abs)
        || cfg
            .templates_dir
            .as_ref()
            .is_some_and(|t| abs.starts_with(t))
        || (rel.components().count() == 1 && rel == Path::new("templates"))
        // A Jekyll site's own layouts lay out any page; its plugins are only
        // read for their names, but a change to them may change an error.
        || (cfg.layout == crate::config::SourceLayout::Jekyll
            && (rel.starts_with("_layouts") || rel.starts_with("_plugins")))
}

/// The `site.data` key of a data file: its name without extension, or the
/// first folder under the data folder.
fn data_key(under: &Path) -> String {
    let first = under
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    if under.components().count() > 1 {
        first
    } else {
        first
            .rsplit_once('.')
            .map(|(s, _)| s.to_string())
            .unwrap_or(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_use_scan() {
        let mut u = DataUse::None;
        DataUse::scan(
            "{{ site.data.glossary.x }} {% for r in site.data.table-desc %}",
            &mut u,
        );
        assert_eq!(
            u,
            DataUse::Keys(BTreeSet::from(["glossary".into(), "table-desc".into()]))
        );
        assert!(u.uses_any(&BTreeSet::from(["glossary".into()])));
        assert!(!u.uses_any(&BTreeSet::from(["other".into()])));
        DataUse::scan("{% assign d = site.data %}", &mut u);
        assert_eq!(u, DataUse::All);
        let mut n = DataUse::None;
        DataUse::scan("no data here", &mut n);
        assert!(!n.uses_any(&BTreeSet::from(["glossary".into()])));
    }

    #[test]
    fn jekyll_layouts_and_plugins_redo_everything() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("_config.yml"), "").unwrap();
        let cfg = Config::load(dir.path()).unwrap();
        let yes = |rel: &str| is_config_or_theme(&cfg, &cfg.root.join(rel), Path::new(rel));
        assert!(yes("_layouts/default.html"));
        assert!(yes("_plugins/fa.rb"));
        assert!(yes("_config.yml"));
        assert!(!yes("_posts/2020-01-01-a.md"));
        assert!(!yes("docs/a.md"));
    }

    #[test]
    fn data_keys_are_file_stems_or_folders() {
        assert_eq!(data_key(Path::new("glossary.yml")), "glossary");
        assert_eq!(data_key(Path::new("tables/x.yml")), "tables");
    }
}
