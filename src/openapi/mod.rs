//! API reference pages: the OpenAPI document an API Docs page names,
//! rendered at build time beside the page's Markdown (never into
//! `#page-body`, which stays the Markdown's alone).
//!
//! A page names its document in front matter:
//!
//! * `openapi: spec.yaml`: a Swagger 2.0 or OpenAPI 3.0 file (YAML, or JSON
//!   when it ends in `.json`), relative to the page's folder, or to the
//!   site's root when it starts with `/`;
//! * `openapi_url: https://…`: a document fetched when the site's
//!   configuration allows it (`openapi: {fetch: true}`; see [`fetch`]), and
//!   kept in the cache so later builds neither fetch nor change;
//! * nothing, on a page of an API layout (`swagger-only`,
//!   `sidebarapidocs`): a placeholder says where the reference lives (the
//!   document Cloud Elements serves for the page's `elementId`) and what to
//!   add; `check` warns about it ([`missing_document`]).
//!
//! A page of a translation (`guide/ko/api-documentation.md`) that names no
//! document shows its original's (`guide/api-documentation.md`).
//!
//! Each document is read and rendered once per build however many pages
//! show it (the cache is checked against the file's bytes, so `serve` sees
//! edits); the templates are the theme's `partials/openapi/*.html`.

mod example;
mod fetch;
mod load;
mod schema;
mod swagger2;
mod view;

use crate::config::{Config, MarkdownOptions, SourceLayout};
use crate::diag::Diagnostic;
use crate::highlight::Highlighter;
use crate::markdown::Heading;
use crate::publish::redirects::front_line;
use crate::render::Theme;
use crate::source::SourcePage;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The layouts of API Docs pages: without a document they show the placeholder.
pub const API_LAYOUTS: &[&str] = &["swagger-only", "sidebarapidocs"];
/// The front matter key naming a document file.
pub const FILE_KEY: &str = "openapi";
/// The front matter key naming a document URL.
pub const URL_KEY: &str = "openapi_url";
const REFERENCE_TEMPLATE: &str = "partials/openapi/reference.html";
const PLACEHOLDER_TEMPLATE: &str = "partials/openapi/placeholder.html";
/// Where Cloud Elements serves an element's document (what the portal's
/// Swagger UI loads), unless the configuration's `openapi.element_url` says
/// otherwise.
const ELEMENT_URL: &str =
    "https://api.cloud-elements.com/elements/api-v2/elements/{elementId}/docs?version=-1";

/// What a page shows beside its Markdown.
#[derive(Debug, Clone)]
pub struct ApiReference {
    pub html: Arc<str>,
    /// Its headings, for the "On this page" list.
    pub headings: Vec<Heading>,
    /// Files it was made from (the document, an original page), relative to the root.
    pub deps: Vec<PathBuf>,
    pub warnings: Vec<Diagnostic>,
}

/// The documents of one build, each rendered once.
pub struct ApiDocs {
    root: PathBuf,
    published: Vec<PathBuf>,
    jekyll: bool,
    markdown: MarkdownOptions,
    base_url: String,
    element_url: Option<String>,
    fetcher: Option<fetch::Fetcher>,
    rendered: Mutex<HashMap<PathBuf, Arc<Slot>>>,
    /// Placeholders by (element id, document URL).
    placeholders: Mutex<HashMap<PlaceholderKey, Arc<str>>>,
}

/// What a placeholder differs by: the page's `elementId` and `openapi_url`.
type PlaceholderKey = (Option<String>, Option<String>);

/// One document's rendering, made by the first page that needs it.
struct Slot {
    /// Hash of the bytes it was made from.
    hash: u64,
    done: OnceLock<Result<Rendered, Diagnostic>>,
}

#[derive(Clone)]
struct Rendered {
    html: Arc<str>,
    headings: Vec<Heading>,
    warnings: Vec<Diagnostic>,
}

/// Where a page's document is, as its front matter (or its original's) says.
enum Named {
    File { value: String, base: PathBuf },
    Url(String),
}

/// A page's document, and the page whose front matter named it.
struct Found {
    named: Named,
    /// The original page it was inherited from (a dependency).
    from: Option<SourcePage>,
}

impl ApiDocs {
    pub fn new(config: &Config) -> ApiDocs {
        let settings = config.site.get("openapi").and_then(Value::as_object);
        let setting = |k: &str| settings.and_then(|s| s.get(k));
        let element_url = match setting("element_url") {
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            _ => Some(ELEMENT_URL.to_string()),
        };
        let fetcher = (setting("fetch") == Some(&Value::Bool(true)))
            .then(fetch::Fetcher::new)
            .flatten();
        let mut published = vec![config.content_dir.clone()];
        published.extend(config.static_dir.iter().cloned());
        ApiDocs {
            root: config.root.clone(),
            published,
            jekyll: config.layout == SourceLayout::Jekyll,
            markdown: config.markdown.clone(),
            base_url: config.baseurl.clone(),
            element_url,
            fetcher,
            rendered: Mutex::new(HashMap::new()),
            placeholders: Mutex::new(HashMap::new()),
        }
    }

    /// What `p` shows beside its Markdown: the reference of its document,
    /// the placeholder, or nothing (a page that is no API page).
    pub fn reference(
        &self,
        p: &SourcePage,
        theme: &Theme,
        hl: &Highlighter,
    ) -> Result<Option<ApiReference>, Vec<Diagnostic>> {
        let found = find(&self.root, p);
        let mut deps: Vec<PathBuf> = found
            .as_ref()
            .and_then(|f| f.from.as_ref())
            .map(|o| PathBuf::from(&o.rel))
            .into_iter()
            .collect();
        let Some(found) = found else {
            if !is_api_page(p) {
                return Ok(None);
            }
            let html = self.placeholder(p, theme, None).map_err(|d| vec![d])?;
            return Ok(Some(self.placeholder_reference(html, deps, Vec::new())));
        };
        let named_by = found.from.as_ref().unwrap_or(p);
        let (abs, shown, source_url) = match &found.named {
            Named::File { value, base } => {
                let abs = self.resolve(named_by, value, base).map_err(|d| vec![d])?;
                let rel = abs.strip_prefix(&self.root).unwrap_or(&abs).to_path_buf();
                deps.push(rel.clone());
                let url = self.published_url(&abs);
                (abs, rel, url)
            }
            Named::Url(url) => match &self.fetcher {
                Some(f) => {
                    let abs = f
                        .get(url)
                        .map_err(|d| vec![key_error(named_by, URL_KEY, d)])?;
                    (abs.clone(), abs, Some(url.clone()))
                }
                None => {
                    let warn = not_fetched(named_by, url);
                    let html = self.placeholder(p, theme, Some(url)).map_err(|d| vec![d])?;
                    return Ok(Some(self.placeholder_reference(html, deps, vec![warn])));
                }
            },
        };
        let r = self.render_document(&abs, &shown, source_url, theme, hl)?;
        Ok(Some(ApiReference {
            html: r.html,
            headings: r.headings,
            deps,
            warnings: r.warnings,
        }))
    }

    fn placeholder_reference(
        &self,
        html: Arc<str>,
        deps: Vec<PathBuf>,
        warnings: Vec<Diagnostic>,
    ) -> ApiReference {
        ApiReference {
            html,
            headings: vec![Heading {
                level: 2,
                text: "API reference".into(),
                id: view::REFERENCE_ID.into(),
            }],
            deps,
            warnings,
        }
    }

    fn placeholder(
        &self,
        p: &SourcePage,
        theme: &Theme,
        url: Option<&str>,
    ) -> Result<Arc<str>, Diagnostic> {
        let element = p.front.get("elementId").and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        // Pages of one element (a guide and its translations) share it.
        let key = (element.clone(), url.map(String::from));
        let cached = |map: &HashMap<_, Arc<str>>| map.get(&key).cloned();
        if let Some(html) = cached(&self.placeholders.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(html);
        }
        let element_url = match (&self.element_url, &element) {
            (Some(pattern), Some(id)) => Some(pattern.replace("{elementId}", id)),
            _ => None,
        };
        let mut ctx = tera::Context::new();
        ctx.insert("id", view::REFERENCE_ID);
        ctx.insert("element_id", &element);
        ctx.insert("element_url", &element_url);
        ctx.insert("openapi_url", &url);
        ctx.insert("base_url", &self.base_url);
        ctx.insert(
            "config_file",
            if self.jekyll {
                "_config.yml"
            } else {
                "elementdocs.yml"
            },
        );
        let html: Arc<str> = theme.render_partial(PLACEHOLDER_TEMPLATE, &ctx)?.into();
        let mut map = self.placeholders.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(key, html.clone());
        Ok(html)
    }

    /// The document file `value` names, from `named_by`'s front matter.
    fn resolve(
        &self,
        named_by: &SourcePage,
        value: &str,
        base: &Path,
    ) -> Result<PathBuf, Diagnostic> {
        let path = match value.strip_prefix('/') {
            Some(from_root) => self.root.join(from_root),
            None => base.join(value),
        };
        let real = path.canonicalize().map_err(|e| {
            key_error(
                named_by,
                FILE_KEY,
                Diagnostic::error(
                    &named_by.rel,
                    0,
                    0,
                    format!("API document `{value}` cannot be read: {e}"),
                )
                .with_help(format!(
                    "the path is relative to the page's folder, or to the site's root when it starts with `/` (looked for {})",
                    crate::diag::display_path(&path)
                )),
            )
        })?;
        if !real.starts_with(&self.root) || !real.is_file() {
            return Err(key_error(
                named_by,
                FILE_KEY,
                Diagnostic::error(
                    &named_by.rel,
                    0,
                    0,
                    format!("API document `{value}` is not a file inside the site"),
                )
                .with_help("keep API documents in the site's source folder"),
            ));
        }
        Ok(real)
    }

    /// The document's URL in the built site, when the build copies it there.
    fn published_url(&self, abs: &Path) -> Option<String> {
        let rel = self
            .published
            .iter()
            .find_map(|d| abs.strip_prefix(d).ok())?;
        let hidden = rel.components().any(|c| {
            let c = c.as_os_str().to_string_lossy();
            c.starts_with('.') || (self.jekyll && c.starts_with('_'))
        });
        (!hidden).then(|| format!("/{}", rel.to_string_lossy().replace('\\', "/")))
    }

    /// The reference of the document at `abs` (`shown` in messages),
    /// rendered once per content.
    fn render_document(
        &self,
        abs: &Path,
        shown: &Path,
        source_url: Option<String>,
        theme: &Theme,
        hl: &Highlighter,
    ) -> Result<Rendered, Vec<Diagnostic>> {
        let bytes = std::fs::read(abs).map_err(|e| {
            vec![Diagnostic::error(
                shown,
                0,
                0,
                format!("cannot read this API document: {e}"),
            )]
        })?;
        let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
        let slot = {
            let mut map = self.rendered.lock().unwrap_or_else(|e| e.into_inner());
            let slot = map.entry(abs.to_path_buf()).or_insert_with(|| {
                Arc::new(Slot {
                    hash,
                    done: OnceLock::new(),
                })
            });
            if slot.hash != hash {
                *slot = Arc::new(Slot {
                    hash,
                    done: OnceLock::new(),
                });
            }
            slot.clone()
        };
        slot.done
            .get_or_init(|| self.render_bytes(bytes, shown, source_url, theme, hl))
            .clone()
            .map_err(|d| vec![d])
    }

    fn render_bytes(
        &self,
        bytes: Vec<u8>,
        shown: &Path,
        source_url: Option<String>,
        theme: &Theme,
        hl: &Highlighter,
    ) -> Result<Rendered, Diagnostic> {
        let text = crate::source::decode_text(bytes, shown)?;
        let doc = load::parse(shown, &text)?;
        let tools = view::Tools {
            markdown: &self.markdown,
            highlighter: hl,
            file: shown,
        };
        let (api, headings, warnings) = view::build(&doc, &tools, source_url);
        let mut ctx = tera::Context::new();
        ctx.insert("api", &api);
        ctx.insert("base_url", &self.base_url);
        let html = theme.render_partial(REFERENCE_TEMPLATE, &ctx)?;
        Ok(Rendered {
            html: html.into(),
            headings,
            warnings,
        })
    }
}

fn is_api_page(p: &SourcePage) -> bool {
    let layout = p.front.get("layout").and_then(Value::as_str).unwrap_or("");
    API_LAYOUTS.contains(&layout)
}

/// The document `p` names, or its original names when `p` is an API page
/// of a translation naming none.
fn find(root: &Path, p: &SourcePage) -> Option<Found> {
    if let Some(named) = named(root, p) {
        return Some(Found { named, from: None });
    }
    if !is_api_page(p) {
        return None;
    }
    let original = original_page(root, p)?;
    let named = named(root, &original)?;
    Some(Found {
        named,
        from: Some(original),
    })
}

fn named(root: &Path, p: &SourcePage) -> Option<Named> {
    let text = |k: &str| match p.front.get(k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    };
    if let Some(value) = text(FILE_KEY) {
        let dir = Path::new(&p.rel).parent().unwrap_or(Path::new(""));
        return Some(Named::File {
            value,
            base: root.join(dir),
        });
    }
    text(URL_KEY).map(Named::Url)
}

/// `guide/x.md` for `guide/ko/x.md`, read from disk (so it is current in
/// `serve` too).
fn original_page(root: &Path, p: &SourcePage) -> Option<SourcePage> {
    let (dir, file) = p.rel.rsplit_once('/')?;
    let (parent, lang) = dir.rsplit_once('/')?;
    if !crate::guide::is_language_folder(lang) {
        return None;
    }
    let rel = format!("{parent}/{file}");
    let content_rel = match p.content_rel.rsplit_once('/') {
        Some((cdir, cfile)) => {
            let cparent = cdir.rsplit_once('/').map_or("", |(d, _)| d);
            if cparent.is_empty() {
                cfile.to_string()
            } else {
                format!("{cparent}/{cfile}")
            }
        }
        None => return None,
    };
    crate::source::load_page(&root.join(&rel), &rel, &content_rel).ok()
}

/// `d` placed at `key`'s line in `p`'s front matter.
fn key_error(p: &SourcePage, key: &str, mut d: Diagnostic) -> Diagnostic {
    let (line, col) = front_line(p, key, None);
    d.file = PathBuf::from(&p.rel);
    d.line = line;
    d.col = col;
    d.with_source(&p.text)
}

fn not_fetched(p: &SourcePage, url: &str) -> Diagnostic {
    key_error(
        p,
        URL_KEY,
        Diagnostic::warning(
            &p.rel,
            0,
            0,
            format!("the API document at `{url}` is not fetched: the page shows a placeholder"),
        )
        .with_help(
            "builds fetch API documents only when the configuration says `openapi: {fetch: true}`; \
             or save the document in the site and name it with `openapi: FILE`",
        ),
    )
}

/// The `check` warning for an API page that shows the placeholder: it
/// names no document, and neither does its original. None otherwise.
pub fn missing_document(root: &Path, p: &SourcePage) -> Option<Diagnostic> {
    if !is_api_page(p) || find(root, p).is_some() {
        return None;
    }
    let (line, col) = if p.front.contains_key("elementId") {
        front_line(p, "elementId", None)
    } else {
        front_line(p, "layout", None)
    };
    Some(
        Diagnostic::warning(
            &p.rel,
            line,
            col,
            "this API Docs page names no OpenAPI document: it shows a placeholder, not the API reference",
        )
        .with_source(&p.text)
        .with_help(
            "save the element's OpenAPI or Swagger document in the site and add `openapi: FILE` \
             (relative to this page) to the front matter",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn page(root: &Path, rel: &str, content_rel: &str) -> SourcePage {
        crate::source::load_page(&root.join(rel), rel, content_rel).unwrap()
    }

    #[test]
    fn a_translation_finds_its_original_in_a_native_site() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let api = "---\nlayout: swagger-only\nopenapi: spec.yaml\n---\n";
        write(root, "content/docs/g/api.md", api);
        write(
            root,
            "content/docs/g/ko/api.md",
            "---\nlayout: swagger-only\n---\n",
        );
        write(
            root,
            "content/docs/g/ko/other.md",
            "---\nlayout: default\n---\n",
        );
        let ko = page(root, "content/docs/g/ko/api.md", "docs/g/ko/api.md");
        let original = original_page(root, &ko).unwrap();
        assert_eq!(original.rel, "content/docs/g/api.md");
        assert_eq!(original.content_rel, "docs/g/api.md");
        let found = find(root, &ko).unwrap();
        match found.named {
            Named::File { value, base } => {
                assert_eq!(value, "spec.yaml");
                assert_eq!(base, root.join("content/docs/g"));
            }
            Named::Url(u) => panic!("a URL: {u}"),
        }
        // Not a language folder, or not an API page: nothing is inherited.
        write(
            root,
            "content/docs/g/sub/api.md",
            "---\nlayout: swagger-only\n---\n",
        );
        let sub = page(root, "content/docs/g/sub/api.md", "docs/g/sub/api.md");
        assert!(original_page(root, &sub).is_none());
        let other = page(root, "content/docs/g/ko/other.md", "docs/g/ko/other.md");
        assert!(find(root, &other).is_none());
        assert!(missing_document(root, &other).is_none());
        assert!(missing_document(root, &ko).is_none());
        assert!(missing_document(root, &sub).is_some());
    }
}
