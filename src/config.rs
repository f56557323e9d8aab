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
}

impl Config {
    /// Read the configuration of the source tree at `root`.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let root = root.canonicalize().map_err(|e| {
            Diagnostic::error(root, 0, 0, format!("cannot open source folder: {e}"))
                .with_help("pass --source with the site's root folder")
        })?;
        let (layout, file) = if root.join(JEKYLL_CONFIG).is_file() {
            (SourceLayout::Jekyll, PathBuf::from(JEKYLL_CONFIG))
        } else if root.join(NATIVE_CONFIG).is_file() {
            (SourceLayout::Native, PathBuf::from(NATIVE_CONFIG))
        } else {
            return Err(Diagnostic::error(
                &root,
                0,
                0,
                format!(
                    "no site configuration found (neither `{NATIVE_CONFIG}` nor `{JEKYLL_CONFIG}`)"
                ),
            )
            .with_help("run elementdocs from the site's root folder, or pass --source DIR"));
        };
        let real = root.join(&file).canonicalize().unwrap_or_default();
        if !real.starts_with(&root) {
            return Err(Diagnostic::error(
                &file,
                0,
                0,
                "the configuration is a symbolic link leading outside the source folder; it was not read",
            )
            .with_help("copy the configuration file into the source folder"));
        }
        let text = crate::read::read_text(&root.join(&file), &file)?;
        let site = parse_config_yaml(&text, &file)?;
        Ok(Self::from_map(root, layout, file, site))
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
    fn kramdown_keys() {
        let v: Value = serde_json::json!({"auto_ids": false, "smart_quotes": "apos,apos,quot,quot", "input": "kramdown"});
        let o = markdown_options(Some(&v));
        assert!(!o.auto_ids);
        assert!(!o.gfm);
        assert_eq!(o.smart_quotes.unwrap()[2], "quot");
    }
}
