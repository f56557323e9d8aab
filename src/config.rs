//! Site configuration, from either source layout.
//!
//! * native: `elementdocs.yml` at the root; pages in `content/`, partials in
//!   `includes/`, data files in `data/`, files copied as-is in `static/`, and an
//!   optional `templates/` folder overriding the built-in theme;
//! * Jekyll: `_config.yml` at the root; pages anywhere outside `_`-folders and
//!   `exclude:`, partials in `_includes/`, data in `_data/`, every other file
//!   copied as a static file.
//!
//! Both produce one [`Config`]. Every top-level key of the file is kept and
//! exposed to templates as `site.<key>`; the keys that change how the site is
//! built (`url`, `baseurl`, `exclude`, `kramdown.*`) are also read into fields.

use crate::diag::Diagnostic;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Name of the native configuration file.
pub const NATIVE_CONFIG: &str = "elementdocs.yml";
/// Name of the Jekyll configuration file.
pub const JEKYLL_CONFIG: &str = "_config.yml";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceLayout {
    Native,
    Jekyll,
}

/// How Markdown is rendered; mirrors the kramdown options the corpus sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// Give headings ids the way kramdown's `auto_ids` does.
    pub auto_ids: bool,
    /// Typographic quotes: the four entity names kramdown's `smart_quotes`
    /// takes (`lsquo,rsquo,ldquo,rdquo`), or None to keep straight quotes.
    pub smart_quotes: Option<[String; 4]>,
    /// kramdown `input: GFM` (hard line breaks off, GFM fences and tables).
    pub gfm: bool,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            auto_ids: true,
            smart_quotes: Some(["lsquo", "rsquo", "ldquo", "rdquo"].map(String::from)),
            gfm: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The source root (canonical).
    pub root: PathBuf,
    pub layout: SourceLayout,
    /// The configuration file, relative to the root (for diagnostics).
    pub file: PathBuf,
    /// `url`: scheme and host of the published site, no trailing slash.
    pub url: String,
    /// `baseurl`: the sub-path the site is served under, `""` or `/sub/path` (no trailing slash).
    pub baseurl: String,
    /// Paths (relative to the root) or glob-free names excluded from the build.
    pub exclude: Vec<String>,
    /// Folder holding pages: the root (Jekyll) or `content/` (native).
    pub content_dir: PathBuf,
    pub includes_dir: PathBuf,
    pub data_dir: PathBuf,
    /// Native `static/`; None for Jekyll (static files live among the pages).
    pub static_dir: Option<PathBuf>,
    /// Theme override folder, if present.
    pub templates_dir: Option<PathBuf>,
    pub markdown: MarkdownOptions,
    /// Every key of the configuration file, as `site.*`.
    pub site: Map<String, Value>,
    /// The configuration files read, absolute, in the order they were merged.
    pub files: Vec<PathBuf>,
}

impl Config {
    /// Read the configuration of the source tree at `root`.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        Self::load_with(root, &[])
    }

    /// Read the configuration of the source tree at `root` from `files`
    /// instead of its own file when any are given (Jekyll's `--config
    /// a.yml,b.yml`): each is read in order and merged key by key into the
    /// ones before (nested mappings merge too; any other value replaces).
    /// Paths are relative to the working folder, as Jekyll's are.
    pub fn load_with(root: &Path, files: &[PathBuf]) -> Result<Config, Diagnostic> {
        let root = root.canonicalize().map_err(|e| {
            Diagnostic::error(root, 0, 0, format!("cannot open source folder: {e}"))
                .with_help("pass --source with the site's root folder")
        })?;
        let (layout, own) = Self::own_file(&root)?;
        if files.is_empty() {
            let own = own.ok_or_else(|| Self::missing(&root))?;
            let real = root.join(&own).canonicalize().unwrap_or_default();
            if !real.starts_with(&root) {
                return Err(Diagnostic::error(
                    &own,
                    0,
                    0,
                    "the configuration is a symbolic link leading outside the source folder; it was not read",
                )
                .with_help("copy the configuration file into the source folder"));
            }
            let text = crate::read::read_text(&root.join(&own), &own)?;
            let site = parse_config_yaml(&text, &own)?;
            let mut cfg = Self::from_map(root.clone(), layout, own.clone(), site);
            cfg.files = vec![root.join(own)];
            return Ok(cfg);
        }
        let mut site = Map::new();
        let mut shown_first = None;
        let mut abs_files = Vec::new();
        for f in files {
            let abs = f.canonicalize().map_err(|e| {
                Diagnostic::error(f, 0, 0, format!("cannot read configuration file: {e}"))
                    .with_help(
                        "--config takes files separated by commas, relative to the working folder",
                    )
            })?;
            // Inside the source, shown relative to it, like the site's own file.
            let shown = abs
                .strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| f.clone());
            let text = crate::read::read_text(&abs, &shown)?;
            deep_merge(&mut site, parse_config_yaml(&text, &shown)?);
            shown_first.get_or_insert(shown);
            abs_files.push(abs);
        }
        let file = shown_first.expect("at least one file");
        let mut cfg = Self::from_map(root, layout, file, site);
        cfg.files = abs_files;
        Ok(cfg)
    }

    /// The source layout of `root` and its own configuration file, if any
    /// (a folder without one is Jekyll's when `--config` names the files).
    fn own_file(root: &Path) -> Result<(SourceLayout, Option<PathBuf>), Diagnostic> {
        Ok(if root.join(JEKYLL_CONFIG).is_file() {
            (SourceLayout::Jekyll, Some(PathBuf::from(JEKYLL_CONFIG)))
        } else if root.join(NATIVE_CONFIG).is_file() {
            (SourceLayout::Native, Some(PathBuf::from(NATIVE_CONFIG)))
        } else {
            (SourceLayout::Jekyll, None)
        })
    }

    fn missing(root: &Path) -> Diagnostic {
        Diagnostic::error(
            root,
            0,
            0,
            format!(
                "no site configuration found (neither `{NATIVE_CONFIG}` nor `{JEKYLL_CONFIG}`)"
            ),
        )
        .with_help("run elementdocs from the site's root folder, or pass --source DIR")
    }

    fn from_map(
        root: PathBuf,
        layout: SourceLayout,
        file: PathBuf,
        site: Map<String, Value>,
    ) -> Config {
        let (content_dir, includes_dir, data_dir, static_dir) = match layout {
            SourceLayout::Jekyll => (
                root.clone(),
                root.join("_includes"),
                root.join("_data"),
                None,
            ),
            SourceLayout::Native => (
                root.join("content"),
                root.join("includes"),
                root.join("data"),
                Some(root.join("static")),
            ),
        };
        let templates_dir = Some(root.join("templates")).filter(|p| p.is_dir());
        let str_key = |k: &str| {
            site.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let exclude = site
            .get("exclude")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        Config {
            url: str_key("url").trim_end_matches('/').to_string(),
            baseurl: normalize_baseurl(&str_key("baseurl")),
            exclude,
            markdown: markdown_options(site.get("kramdown")),
            root,
            layout,
            file,
            content_dir,
            includes_dir,
            data_dir,
            static_dir,
            templates_dir,
            site,
            files: Vec::new(),
        }
    }

    /// Override `baseurl` (from `--base-url`).
    pub fn set_baseurl(&mut self, base: &str) {
        self.baseurl = normalize_baseurl(base);
        self.site
            .insert("baseurl".into(), Value::String(self.baseurl.clone()));
    }
}

/// `/sub/path/`, `sub/path` and `/sub/path` all become `/sub/path`; `/` and `` become ``.
pub fn normalize_baseurl(base: &str) -> String {
    let trimmed = base.trim().trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

/// kramdown options: `auto_ids`, `smart_quotes`, `input`.
fn markdown_options(kramdown: Option<&Value>) -> MarkdownOptions {
    let mut opts = MarkdownOptions::default();
    let Some(k) = kramdown.and_then(Value::as_object) else {
        return opts;
    };
    if let Some(b) = k.get("auto_ids").and_then(Value::as_bool) {
        opts.auto_ids = b;
    }
    if let Some(input) = k.get("input").and_then(Value::as_str) {
        opts.gfm = input.eq_ignore_ascii_case("gfm");
    }
    match k.get("smart_quotes") {
        Some(Value::String(s)) => {
            let parts: Vec<String> = s.split(',').map(|p| p.trim().to_string()).collect();
            if let Ok(four) = <[String; 4]>::try_from(parts) {
                opts.smart_quotes = Some(four);
            }
        }
        Some(Value::Bool(false)) | Some(Value::Null) => opts.smart_quotes = None,
        _ => {}
    }
    opts
}

/// Merge `over` into `base`: mappings merge key by key, recursively; any
/// other value of `over` replaces the one in `base` (Jekyll's deep merge).
fn deep_merge(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => deep_merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Parse a YAML configuration file into a JSON object; errors point at the line.
pub fn parse_config_yaml(text: &str, file: &Path) -> Result<Map<String, Value>, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match crate::read::parse_yaml(text, file, 1).map_err(|d| d.with_source(text))? {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        _ => Err(Diagnostic::error(
            file,
            1,
            1,
            "the configuration must be a mapping of keys to values",
        )
        .with_source(text)
        .with_help("write one `key: value` per line")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseurl_forms() {
        assert_eq!(normalize_baseurl("/sub/path/"), "/sub/path");
        assert_eq!(normalize_baseurl("sub"), "/sub");
        assert_eq!(normalize_baseurl("/"), "");
        assert_eq!(normalize_baseurl(""), "");
    }

    #[test]
    fn later_configuration_files_override_earlier_ones_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("_config.yml"), "title: Own\n").unwrap();
        let a = dir.path().join("a.yml");
        let b = dir.path().join("b.yml");
        std::fs::write(
            &a,
            "title: A\nkramdown:\n  input: GFM\n  auto_ids: true\nlist: [1, 2]\n",
        )
        .unwrap();
        std::fs::write(&b, "kramdown:\n  auto_ids: false\nlist: [3]\nextra: true\n").unwrap();
        let cfg = Config::load_with(dir.path(), &[a.clone(), b.clone()]).unwrap();
        assert_eq!(cfg.site["title"], "A", "the site's own file is not read");
        assert_eq!(cfg.site["kramdown"]["input"], "GFM", "nested keys merge");
        assert!(!cfg.markdown.auto_ids, "a later file wins");
        assert_eq!(
            cfg.site["list"],
            serde_json::json!([3]),
            "lists are replaced"
        );
        assert_eq!(cfg.site["extra"], true);
        assert_eq!(
            cfg.file,
            PathBuf::from("a.yml"),
            "shown relative to the source"
        );
        assert_eq!(cfg.files.len(), 2);
        let missing = Config::load_with(dir.path(), &[dir.path().join("nope.yml")]).unwrap_err();
        assert!(
            missing.message.contains("cannot read configuration file"),
            "{}",
            missing.message
        );
    }

    #[test]
    fn kramdown_keys() {
        let v: Value = serde_json::json!({"auto_ids": false, "smart_quotes": "apos,apos,quot,quot", "input": "kramdown"});
        let o = markdown_options(Some(&v));
        assert!(!o.auto_ids);
        assert!(!o.gfm);
        assert_eq!(o.smart_quotes.unwrap()[2], "quot");
    }
}
