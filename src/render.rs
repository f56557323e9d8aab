//! The theme: tera layouts (embedded in the binary, overridable from the
//! site's `templates/` folder) and the view handed to them.
//!
//! * Layouts are the top-level `*.html` files of `templates/`
//!   (`sidebarelementdoc`, `sidebarapidocs`, `swagger-only`, `default`, and
//!   `sidebarelementtile` for a page of element tiles);
//!   `templates/partials/` holds what they extend and include (`base.html`,
//!   the sidebar, the "On this page" list, the catalog page), and
//!   `templates/assets/` the CSS and JS written under `assets/elementdocs/`.
//! * A site's own `templates/` folder overrides any of these by relative path
//!   (`templates/partials/base.html`, `templates/assets/theme.css`) or adds
//!   layouts.
//! * Templates autoescape `.html` (quotes, `<`, `>`, `&`; not `/`, so URLs stay
//!   readable); the body and the sidebar are inserted with `| safe`.
//! * The sidebar of every guide is rendered once per build
//!   ([`Theme::render_sidebar`]) and inserted as a string into every page; the
//!   current guide is marked client-side (`body[data-guide]` + theme.js).
//! * Every root-relative URL in the templates is prefixed with `base_url`.

// The pipeline passes `Diagnostic` by value everywhere (see site.rs).
#![allow(clippy::result_large_err)]

use crate::diag::Diagnostic;
use crate::guide::{Catalog, Guide};
use crate::markdown::Heading;
use include_dir::{include_dir, Dir};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Output path of the generated catalog of all guides.
pub const CATALOG_PATH: &str = "elements/index.html";
/// Output folder of the theme's CSS and JS (and the highlight CSS).
pub const ASSETS_DIR: &str = "assets/elementdocs";
const SIDEBAR_TEMPLATE: &str = "partials/sidebar.html";
const CATALOG_TEMPLATE: &str = "partials/catalog.html";

/// What a layout sees. Borrowed: nothing big is cloned per page.
#[derive(Serialize)]
pub struct PageView<'a> {
    /// Front matter plus url/path.
    pub page: &'a Value,
    pub site: &'a Value,
    /// The rendered Markdown body: the whole content of `#page-body`.
    pub body: &'a str,
    pub headings: &'a [Heading],
    pub guide: Option<&'a Guide>,
    /// The sidebar of every guide, rendered once per build.
    pub sidebar: &'a str,
    /// Prefix for root-relative links (`""` or `/sub/path`).
    pub base_url: &'a str,
    /// Relative path from this page to the site root (`../../`), for assets.
    pub root_rel: &'a str,
}

pub struct Theme {
    tera: tera::Tera,
    /// Layout names (`default`, `sidebarelementdoc`...), sorted.
    layouts: Vec<String>,
    /// Files under `templates/assets/`, by path below it.
    assets: BTreeMap<String, Vec<u8>>,
    /// The keys of `site` and `page` the templates read (None: the whole
    /// value may be used); only these are copied into each page's context.
    site_keys: Option<Vec<String>>,
    page_keys: Option<Vec<String>>,
}

/// The keys of the object `var` that the templates read, when every use of
/// `var` inside a tag is `var.key`; None when `var` is used any other way
/// (bare, indexed, in a string) or the whole context may be dumped.
fn used_keys(templates: &[(String, String)], var: &str) -> Option<Vec<String>> {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut keys: Vec<String> = Vec::new();
    for (_, text) in templates {
        if text.contains("__tera_context") {
            return None;
        }
        let mut rest = text.as_str();
        while let Some(open) = rest.find(['{']) {
            let after = &rest[open + 1..];
            let close = match after.as_bytes().first() {
                Some(b'{') => "}}",
                Some(b'%') => "%}",
                _ => {
                    rest = after;
                    continue;
                }
            };
            // The end of the tag, outside string literals.
            let mut quote = None;
            let mut end = after.len();
            for (i, c) in after.char_indices().skip(1) {
                match quote {
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
                    None if after[i..].starts_with(close) => {
                        end = i;
                        break;
                    }
                    None => {}
                }
            }
            let tag = &after[1..end.max(1)];
            let b = tag.as_bytes();
            for (i, _) in tag.match_indices(var) {
                let j = i + var.len();
                if i > 0 && (ident(b[i - 1]) || b[i - 1] == b'.') {
                    continue;
                }
                if j < b.len() && ident(b[j]) {
                    continue;
                }
                if b.get(j) != Some(&b'.') {
                    return None;
                }
                let k = j + 1;
                let len = b[k..].iter().take_while(|&&c| ident(c)).count();
                if len == 0 {
                    return None;
                }
                keys.push(tag[k..k + len].to_string());
            }
            rest = &after[end.min(after.len())..];
        }
    }
    keys.sort();
    keys.dedup();
    Some(keys)
}

/// `v` itself, or only `keys` of it when known and `v` is an object.
fn only_keys(v: &Value, keys: &Option<Vec<String>>) -> Value {
    match (v, keys) {
        (Value::Object(m), Some(keys)) => Value::Object(
            keys.iter()
                .filter_map(|k| m.get(k).map(|x| (k.clone(), x.clone())))
                .collect(),
        ),
        _ => v.clone(),
    }
}

/// Escape for HTML text and double- or single-quoted attributes. Unlike
/// tera's default it leaves `/` alone, so URLs in the output stay readable.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
    out
}

/// Stand for the sidebar and the body while a page is laid out; the real
/// strings are put in their place afterwards (one copy each, instead of a
/// tera value per page and a copy through tera's output). The `<` makes sure
/// an escaped use never matches.
const SIDEBAR_MARK: &str = "<\u{1}ed-sidebar\u{1}>";
const BODY_MARK: &str = "<\u{1}ed-body\u{1}>";

/// `html` with every `mark` replaced by `with`; None if a mark is missing.
fn put_back(html: &str, marks: &[(&str, &str)]) -> Option<String> {
    let mut cuts: Vec<(usize, usize, &str)> = Vec::new();
    for (mark, with) in marks {
        let found: Vec<usize> = html.match_indices(mark).map(|(i, _)| i).collect();
        if found.is_empty() && !with.is_empty() {
            // The layout did not print the mark as it is.
            return None;
        }
        cuts.extend(found.into_iter().map(|i| (i, mark.len(), *with)));
    }
    // A mark used in some other way (escaped) leaves its control characters.
    if html.matches('\u{1}').count() != 2 * cuts.len() {
        return None;
    }
    cuts.sort_unstable_by_key(|c| c.0);
    let extra: usize = cuts.iter().map(|c| c.2.len()).sum();
    let mut out = String::with_capacity(html.len() + extra);
    let mut last = 0;
    for (at, len, with) in cuts {
        out.push_str(&html[last..at]);
        out.push_str(with);
        last = at + len;
    }
    out.push_str(&html[last..]);
    Some(out)
}

/// Every file of an embedded folder, recursively: (path with `/`, bytes).
fn embedded_files(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
    for f in dir.files() {
        out.push((f.path().to_string_lossy().replace('\\', "/"), f.contents()));
    }
    for d in dir.dirs() {
        embedded_files(d, out);
    }
}

/// The message of a tera error with its causes (tera puts the useful part,
/// such as the line and column, in the source chain).
fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// A diagnostic for a tera error, located at the template it names. A parse
/// error (` --> line:col` then pest's caret block and `= reason`) becomes
/// `templates/x.html:line:col: error: reason` with the template's line.
fn tera_diag(e: &tera::Error, templates: &[(&str, &str)]) -> Diagnostic {
    let msg = tera_message(e);
    let found = templates
        .iter()
        .find(|(n, _)| msg.contains(&format!("'{n}'")));
    let file = found
        .map(|(n, _)| format!("templates/{n}"))
        .unwrap_or_else(|| "templates".to_string());
    let Some((line, col, reason)) = parse_position(&msg) else {
        return Diagnostic::error(file, 0, 0, msg).with_help(
            "layouts see page, site, body, headings, toc, guide, sidebar, base_url, catalog_url \
             and layout; test optional keys with `{% if page.key %}`",
        );
    };
    let head = msg
        .split(" --> ")
        .next()
        .unwrap_or(&msg)
        .trim_end_matches([':', ' ']);
    let d = Diagnostic::error(file, line, col, format!("{head}: {reason}"));
    match found {
        Some((_, text)) => d.with_source(text),
        None => d,
    }
}

/// ` --> 3:7` and the `= reason` line of a pest error inside `msg`.
fn parse_position(msg: &str) -> Option<(usize, usize, String)> {
    let at = msg.find(" --> ")? + 5;
    let pos: String = msg[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let (line, col) = pos.split_once(':')?;
    let reason = msg[at..]
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("= "))
        .unwrap_or("syntax error")
        .to_string();
    Some((line.parse().ok()?, col.parse().ok()?, reason))
}

/// Files of the site's `templates/` folder: (relative path, bytes), sorted.
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

impl Theme {
    /// Load the built-in theme, then templates from `override_dir` on top.
    pub fn load(override_dir: Option<&Path>) -> Result<Theme, Vec<Diagnostic>> {
        let mut builtin = Vec::new();
        embedded_files(&BUILTIN, &mut builtin);
        let mut files: BTreeMap<String, Vec<u8>> =
            builtin.into_iter().map(|(p, b)| (p, b.to_vec())).collect();
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
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| {
                let all: Vec<(&str, &str)> = templates
                    .iter()
                    .map(|(n, t)| (n.as_str(), t.as_str()))
                    .collect();
                vec![tera_diag(&e, &all)]
            })?;
        let layouts = templates
            .iter()
            .filter(|(n, _)| !n.contains('/'))
            .filter_map(|(n, _)| n.strip_suffix(".html"))
            .map(String::from)
            .collect();
        Ok(Theme {
            tera,
            layouts,
            assets,
            site_keys: used_keys(&templates, "site"),
            page_keys: used_keys(&templates, "page"),
        })
    }

    /// Layouts the theme knows.
    pub fn has_layout(&self, layout: &str) -> bool {
        self.layouts.iter().any(|l| l == layout)
    }

    /// Names of the layouts, sorted (for messages).
    pub fn layouts(&self) -> &[String] {
        &self.layouts
    }

    fn render(&self, template: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        self.tera
            .render(template, ctx)
            .map_err(|e| tera_diag(&e, &[(template, "")]))
    }

    /// Render a page with `layout` (which must exist; see [`Theme::has_layout`]).
    pub fn render_page(&self, layout: &str, view: &PageView) -> Result<String, Diagnostic> {
        let name = format!("{layout}.html");
        // An empty string stands for itself (`{% if body %}` must see it empty).
        let mark = |m, real: &str| if real.is_empty() { "" } else { m };
        let ctx = self.page_context(
            layout,
            view,
            mark(SIDEBAR_MARK, view.sidebar),
            mark(BODY_MARK, view.body),
        )?;
        let html = self.render(&name, &ctx)?;
        let marks = [(SIDEBAR_MARK, view.sidebar), (BODY_MARK, view.body)];
        if let Some(done) = put_back(&html, &marks) {
            return Ok(done);
        }
        // The layout used the sidebar or the body in some other way
        // (escaped, filtered): render again with the real strings.
        let ctx = self.page_context(layout, view, view.sidebar, view.body)?;
        self.render(&name, &ctx)
    }

    /// The context of a page layout; `sidebar` is what the layout sees as the sidebar.
    fn page_context(
        &self,
        layout: &str,
        view: &PageView,
        sidebar: &str,
        body: &str,
    ) -> Result<tera::Context, Diagnostic> {
        // Values are cloned (not serialized again): `site` holds the data files.
        let s = |v: &str| Value::String(v.to_string());
        let val = |v: serde_json::Result<Value>| v.unwrap_or(Value::Null);
        let mut m = serde_json::Map::new();
        m.insert("page".into(), only_keys(view.page, &self.page_keys));
        m.insert("site".into(), only_keys(view.site, &self.site_keys));
        m.insert("body".into(), s(body));
        m.insert("headings".into(), val(serde_json::to_value(view.headings)));
        m.insert("guide".into(), val(serde_json::to_value(view.guide)));
        m.insert("sidebar".into(), s(sidebar));
        m.insert("base_url".into(), s(view.base_url));
        m.insert("root_rel".into(), s(view.root_rel));
        m.insert("layout".into(), s(layout));
        m.insert("catalog_url".into(), s(&format!("/{CATALOG_PATH}")));
        m.insert("toc".into(), val(serde_json::to_value(toc(view.headings))));
        tera::Context::from_value(Value::Object(m))
            .map_err(|e| Diagnostic::error("templates", 0, 0, tera_message(&e)))
    }

    /// The sidebar listing every guide, rendered once per build.
    pub fn render_sidebar(&self, catalog: &Catalog, base_url: &str) -> Result<String, Diagnostic> {
        let mut ctx = tera::Context::new();
        ctx.insert("catalog", catalog);
        ctx.insert("base_url", base_url);
        ctx.insert("catalog_url", &format!("/{CATALOG_PATH}"));
        self.render(SIDEBAR_TEMPLATE, &ctx)
    }

    /// Extra files the theme writes (the catalog page, CSS, JS): (output path, content).
    pub fn extra_files(
        &self,
        catalog: &Catalog,
        site: &Value,
        sidebar: &str,
        base_url: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
        let page = json!({
            "title": "All element guides",
            "url": format!("/{CATALOG_PATH}"),
            "path": CATALOG_PATH,
        });
        let view = PageView {
            page: &page,
            site,
            body: "",
            headings: &[],
            guide: None,
            sidebar,
            base_url,
            root_rel: "../",
        };
        let mut ctx = tera::Context::from_serialize(&view)
            .map_err(|e| Diagnostic::error("templates", 0, 0, tera_message(&e)))?;
        ctx.insert("layout", "catalog");
        ctx.insert("catalog_url", &format!("/{CATALOG_PATH}"));
        ctx.insert("toc", &Vec::<Heading>::new());
        ctx.insert("catalog", catalog);
        let mut files = vec![(
            CATALOG_PATH.to_string(),
            self.render(CATALOG_TEMPLATE, &ctx)?.into_bytes(),
        )];
        for (name, bytes) in &self.assets {
            files.push((format!("{ASSETS_DIR}/{name}"), bytes.clone()));
        }
        Ok(files)
    }
}

/// The headings of the "On this page" list: levels 2 and 3 that have an id.
pub fn toc(headings: &[Heading]) -> Vec<&Heading> {
    headings
        .iter()
        .filter(|h| (h.level == 2 || h.level == 3) && !h.id.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guide::PageMeta;

    fn catalog() -> Catalog {
        let meta = |path: &str, title: &str, order: f64| PageMeta {
            out_path: path.into(),
            dir: path.rsplit_once('/').unwrap().0.into(),
            layout: "sidebarelementdoc".into(),
            title: Some(title.into()),
            heading: Some("Acme & Co".into()),
            order: Some(order),
            hub: None,
            auth: None,
        };
        Catalog::build(&[
            meta("e/acme/index.html", "Overview", 1.0),
            meta("e/acme/setup.html", "Setup", 5.0),
        ])
    }

    #[test]
    fn builtin_layouts_exist() {
        let t = Theme::load(None).unwrap();
        assert_eq!(
            t.layouts(),
            [
                "default",
                "sidebarapidocs",
                "sidebarelementdoc",
                "sidebarelementtile",
                "swagger-only"
            ]
        );
        assert!(!t.has_layout("partials/base"));
        assert!(!t.has_layout("base"));
    }

    #[test]
    fn escape_keeps_slashes() {
        assert_eq!(
            escape_html("/a/b?x=1&y=\"<'>"),
            "/a/b?x=1&amp;y=&quot;&lt;&#39;&gt;"
        );
    }

    #[test]
    fn page_has_tabs_sidebar_and_one_body() {
        let t = Theme::load(None).unwrap();
        let cat = catalog();
        let sidebar = t.render_sidebar(&cat, "/sub").unwrap();
        assert!(
            sidebar.contains(r#"href="/sub/e/acme/index.html" data-guide="e/acme">Acme &amp; Co<"#)
        );
        let page = json!({"title": "Setup", "url": "/e/acme/setup.html"});
        let headings = vec![
            Heading {
                level: 1,
                text: "Top".into(),
                id: "top".into(),
            },
            Heading {
                level: 2,
                text: "Step <1>".into(),
                id: "step-1".into(),
            },
        ];
        let view = PageView {
            page: &page,
            site: &json!({}),
            body: "<p>BODY</p>",
            headings: &headings,
            guide: cat.guide_for("e/acme"),
            sidebar: &sidebar,
            base_url: "/sub",
            root_rel: "../../",
        };
        let html = t.render_page("sidebarelementdoc", &view).unwrap();
        assert_eq!(html.matches("id=\"page-body\"").count(), 1);
        assert!(html.contains(r#"id="page-body"><p>BODY</p></article>"#));
        assert!(html.contains(r#"<a href="/sub/e/acme/setup.html" aria-current="page">Setup</a>"#));
        assert!(html.contains(r#"<a href="/sub/e/acme/index.html">Overview</a>"#));
        assert!(html.contains(r##"<a href="#step-1">Step &lt;1&gt;</a>"##));
        assert!(!html.contains(r##"href="#top""##));
        assert!(html.contains(r#"data-guide="e/acme""#));
        assert!(html.contains("/sub/assets/elementdocs/theme.css"));
    }

    #[test]
    fn extra_files_have_catalog_and_assets() {
        let t = Theme::load(None).unwrap();
        let cat = catalog();
        let files = t.extra_files(&cat, &json!({}), "", "").unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                CATALOG_PATH,
                "assets/elementdocs/favicon.svg",
                "assets/elementdocs/theme.css",
                "assets/elementdocs/theme.js"
            ]
        );
        let page = String::from_utf8(files[0].1.clone()).unwrap();
        assert!(page.contains(r#"<a href="/e/acme/index.html">Acme &amp; Co</a>"#));
        assert_eq!(page.matches("id=\"page-body\"").count(), 1);
    }

    #[test]
    fn template_errors_name_the_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("broken.html"), "<p>\n  {% if %}\n").unwrap();
        let err = Theme::load(Some(dir.path())).err().unwrap();
        assert_eq!(err[0].file, Path::new("templates/broken.html"));
        assert_eq!((err[0].line, err[0].col), (2, 9));
        assert_eq!(err[0].source_line.as_deref(), Some("  {% if %}"));
        assert!(err[0].message.contains("expected"), "{}", err[0].message);
    }

    /// The body and sidebar marks give what tera gives with the real strings,
    /// whatever a layout does with them.
    #[test]
    fn marks_render_like_the_real_strings() {
        let dir = tempfile::tempdir().unwrap();
        let layouts = [
            (
                "raw",
                "[{{ body | safe }}|{{ sidebar | safe }}|{{ body | safe }}]",
            ),
            ("escaped", "[{{ body }}|{{ sidebar | safe }}]"),
            (
                "cond",
                "{% if body %}<main>{{ body | safe }}</main>{% endif %}{{ sidebar | safe }}",
            ),
            ("upper", "{{ body | upper | safe }}{{ sidebar | safe }}"),
            ("unused", "<p>nothing</p>"),
        ];
        for (name, text) in layouts {
            std::fs::write(dir.path().join(format!("{name}.html")), text).unwrap();
        }
        let t = Theme::load(Some(dir.path())).unwrap();
        let page = json!({"title": "T"});
        for body in ["<p>a & b</p>", ""] {
            let view = PageView {
                page: &page,
                site: &json!({}),
                body,
                headings: &[],
                guide: None,
                sidebar: "<nav>S</nav>",
                base_url: "",
                root_rel: "",
            };
            for (name, _) in layouts {
                let ctx = t
                    .page_context(name, &view, view.sidebar, view.body)
                    .unwrap();
                let want = t.render(&format!("{name}.html"), &ctx).unwrap();
                assert_eq!(t.render_page(name, &view).unwrap(), want, "{name} {body:?}");
            }
        }
    }
}

#[cfg(test)]
mod used_keys_tests {
    use super::used_keys;

    fn t(text: &str) -> Vec<(String, String)> {
        vec![("a.html".to_string(), text.to_string())]
    }

    #[test]
    fn dotted_uses_give_keys_and_others_give_none() {
        assert_eq!(
            used_keys(
                &t("<p>page {{ site.title }}{% if site.url %}x{% endif %}</p>"),
                "site"
            ),
            Some(vec!["title".to_string(), "url".to_string()])
        );
        assert_eq!(
            used_keys(&t("{{ page.title ~ \"}} site\" }}"), "page"),
            Some(vec!["title".to_string()])
        );
        assert_eq!(
            used_keys(&t("{% set s = site %}{{ s.title }}"), "site"),
            None
        );
        assert_eq!(used_keys(&t("{{ site[\"title\"] }}"), "site"), None);
        assert_eq!(used_keys(&t("{{ __tera_context }}"), "site"), None);
        assert_eq!(
            used_keys(&t("{{ mysite.a }}{{ x.site }}"), "site"),
            Some(vec![])
        );
    }
}
