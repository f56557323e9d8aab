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
//! * What many pages share is rendered once per build ([`Theme::render_shared`])
//!   and inserted into each page as a string: the sidebar of every guide (the
//!   current guide is marked client-side, `body[data-guide]` + theme.js), and
//!   per guide `partials/guide.html` (heading, badges, tab bar; it sees
//!   `guide`, `site`, `base_url`, `catalog_url` and `tabs`), whose tab list is
//!   put together per page from `partials/tab.html` rendered once per tab as
//!   current and as not current (it sees `tab`, `current` and `base_url`).
//!   Page templates print it as `guide_html`.
//! * Every root-relative URL in the templates is prefixed with `base_url`.

// The pipeline passes `Diagnostic` by value everywhere (see site.rs).
#![allow(clippy::result_large_err)]

use crate::diag::Diagnostic;
use crate::guide::Tab;
use crate::guide::{Catalog, Guide};
use crate::markdown::Heading;
use include_dir::{include_dir, Dir};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Output path of the generated catalog of all guides.
pub const CATALOG_PATH: &str = "elements/index.html";
/// Output folder of the theme's CSS and JS (and the highlight CSS).
pub const ASSETS_DIR: &str = "assets/elementdocs";
const SIDEBAR_TEMPLATE: &str = "partials/sidebar.html";
const CATALOG_TEMPLATE: &str = "partials/catalog.html";
const GUIDE_TEMPLATE: &str = "partials/guide.html";
const TAB_TEMPLATE: &str = "partials/tab.html";
/// Renders `partials/tab.html` for every tab of `tabs`, each followed by
/// [`TAB_END`]: one render per guide instead of one per tab.
const TABS_DRIVER: &str = "elementdocs/tabs.html";
const TABS_DRIVER_TEXT: &str =
    "{% for tab in tabs %}{% include \"partials/tab.html\" %}\u{1}{% endfor %}";
const TAB_END: char = '\u{1}';

/// What a layout sees. Borrowed: nothing big is cloned per page.
pub struct PageView<'a> {
    /// Front matter plus url/path.
    pub page: &'a Value,
    pub site: &'a Value,
    /// The rendered Markdown body: the whole content of `#page-body`.
    pub body: &'a str,
    pub headings: &'a [Heading],
    pub guide: Option<&'a Guide>,
    /// The sidebar and the guides' heads, rendered once per build.
    pub shared: &'a Shared,
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
    /// How the templates read `site` and `page`; only what they read is
    /// copied into each context.
    site: VarKeys,
    page: VarKeys,
    /// How page templates read `guide`, and how all templates do (the
    /// guide's head templates, rendered once per guide).
    page_guide: VarKeys,
    guide: VarKeys,
    /// Whether any template reads `headings` / `guide_html` (else they are
    /// left out of the context, and the guides' heads are not rendered).
    headings_used: bool,
    guide_html_used: bool,
}

/// How the templates read one of the objects `page`, `site` and `guide`.
struct VarKeys {
    /// The keys read (None: the object may be used whole).
    keys: Option<Vec<String>>,
    /// When the templates were [`flatten`]ed for it, the name of each key
    /// (`page__title`): a context then holds each key read under its name,
    /// and `var` only for truth tests.
    flat: Option<Vec<String>>,
}

impl VarKeys {
    fn new(var: &str, keys: Option<Vec<String>>, flat: bool) -> VarKeys {
        let names = |keys: &Vec<String>| keys.iter().map(|k| format!("{var}__{k}")).collect();
        VarKeys {
            flat: keys.as_ref().filter(|_| flat).map(names),
            keys,
        }
    }

    /// Put `v` into a context as `var` (`tera::Context::insert` copies).
    fn insert(&self, ctx: &mut tera::Context, var: &str, v: &Value) {
        match (&self.keys, &self.flat) {
            (Some(keys), Some(names)) => {
                for (k, name) in keys.iter().zip(names) {
                    if let Some(x) = v.get(k.as_str()) {
                        ctx.insert(name.as_str(), x);
                    }
                }
                ctx.insert(var, &truthy(v));
            }
            (keys, _) => {
                // Cloned, not serialized again (slower): `site` holds the data files.
                let one = serde_json::Map::from_iter([(var.to_string(), only_keys(v, keys))]);
                if let Ok(one) = tera::Context::from_value(Value::Object(one)) {
                    ctx.extend(one);
                }
            }
        }
    }
}

/// Whether tera takes `v` as true (`{% if v %}`).
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The variables whose `var.key` uses may be [`flatten`]ed.
const FLAT_VARS: [&str; 3] = ["page", "site", "guide"];

/// What the theme renders once per build rather than once per page.
pub struct Shared {
    /// The sidebar listing every guide.
    pub sidebar: String,
    /// The head of each guide (translations included), by folder.
    guides: HashMap<String, GuideParts>,
}

/// A guide's part of its pages' head. Only which tab is the current one
/// differs from page to page, so the pieces are rendered once per build.
struct GuideParts {
    /// The guide as templates see it, serialized once.
    value: Value,
    /// `partials/guide.html`, with [`TABS_MARK`] standing for the tab list.
    html: String,
    tabs: Vec<TabParts>,
}

/// One tab rendered by `partials/tab.html`, both ways.
struct TabParts {
    url: String,
    /// As the tab of another page.
    other: String,
    /// As the tab of the page being laid out.
    current: String,
}

impl GuideParts {
    /// The tab list of the page at `url`: its own tab rendered as current.
    fn tab_list(&self, url: Option<&str>) -> String {
        let mut out = String::with_capacity(self.tabs.iter().map(|t| t.current.len()).sum());
        for t in &self.tabs {
            let own = url == Some(t.url.as_str());
            out.push_str(if own { &t.current } else { &t.other });
        }
        out
    }
}

/// The strings a layout prints whole: rendered elsewhere and put into the
/// layout's output afterwards (see [`put_back`]).
#[derive(Clone, Copy)]
struct Slots<'s> {
    sidebar: &'s str,
    body: &'s str,
    guide_html: &'s str,
}

impl<'s> Slots<'s> {
    /// The marks standing for these strings; an empty string stands for
    /// itself (`{% if body %}` must see it empty).
    fn marks(&self) -> Slots<'static> {
        let mark = |m: &'static str, real: &str| if real.is_empty() { "" } else { m };
        Slots {
            sidebar: mark(SIDEBAR_MARK, self.sidebar),
            body: mark(BODY_MARK, self.body),
            guide_html: mark(GUIDE_MARK, self.guide_html),
        }
    }

    /// (mark, real string) pairs for [`put_back`].
    fn pairs(&self) -> [(&'static str, &'s str); 3] {
        [
            (SIDEBAR_MARK, self.sidebar),
            (BODY_MARK, self.body),
            (GUIDE_MARK, self.guide_html),
        ]
    }
}

/// The byte ranges of the insides of a template's tags (`{{ … }}`,
/// `{% … %}`), `{% raw %}` blocks left out.
fn tag_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut in_raw = false;
    let mut from = 0;
    while let Some(open) = text[from..].find('{') {
        let start = from + open + 2;
        let close = match text.as_bytes().get(from + open + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                from += open + 1;
                continue;
            }
        };
        // The end of the tag, outside string literals.
        let mut quote = None;
        let mut end = text.len();
        for (i, c) in text[start..].char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
                None if text[start + i..].starts_with(close) => {
                    end = start + i;
                    break;
                }
                None => {}
            }
        }
        let word = text[start..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if close == "%}" && (word == "raw" || word == "endraw") {
            in_raw = word == "raw";
        } else if !in_raw {
            ranges.push((start, end));
        }
        from = end;
    }
    ranges
}

/// A mention of a variable in a tag.
enum Use {
    /// `var.key`: the key, and where `var` starts in the tag.
    Key(String, usize),
    /// Bare, in a truth test (`{% if var %}`).
    Tested,
    /// Any other way (bare, indexed, passed along).
    Other,
}

/// The mentions of `var` in `tag` (the inside of a tag).
fn uses(tag: &str, var: &str) -> Vec<Use> {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let tag = blank_strings(tag);
    let b = tag.as_bytes();
    let mut found = Vec::new();
    for (i, _) in tag.match_indices(var) {
        let j = i + var.len();
        if i > 0 && (ident(b[i - 1]) || b[i - 1] == b'.') || j < b.len() && ident(b[j]) {
            continue;
        }
        let key_len = b[j..].iter().skip(1).take_while(|&&c| ident(c)).count();
        found.push(if b.get(j) == Some(&b'.') && key_len > 0 {
            Use::Key(tag[j + 1..j + 1 + key_len].to_string(), i)
        } else if only_tested(&tag, i, j) {
            Use::Tested
        } else {
            Use::Other
        });
    }
    found
}

/// The keys of the object `var` that the templates read, when every use of
/// `var` inside a tag is `var.key` or a truth test; None when `var` is used
/// any other way (bare, indexed) or the whole context may be dumped.
fn used_keys(templates: &[(String, String)], var: &str) -> Option<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    for (_, text) in templates {
        if text.contains("__tera_context") {
            return None;
        }
        for (start, end) in tag_ranges(text) {
            for u in uses(&text[start..end], var) {
                match u {
                    Use::Key(key, _) => keys.push(key),
                    Use::Tested => {}
                    Use::Other => return None,
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    Some(keys)
}

/// `text` with every `var.key` of `vars` inside its tags written `var__key`:
/// tera finds a plain name in the context much faster than it follows a
/// dotted path (which it splits and copies on every lookup), so contexts
/// hold each key read of these variables under such a name (see
/// [`Theme::insert_var`]). Only for variables that [`used_keys`] accepts.
fn flatten(text: &str, vars: &[&str]) -> String {
    let mut cuts: Vec<usize> = Vec::new();
    for (start, end) in tag_ranges(text) {
        for var in vars {
            for u in uses(&text[start..end], var) {
                if let Use::Key(_, at) = u {
                    cuts.push(start + at + var.len());
                }
            }
        }
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len() + cuts.len());
    let mut last = 0;
    for dot in cuts {
        out.push_str(&text[last..dot]);
        out.push_str("__");
        last = dot + 1;
    }
    out.push_str(&text[last..]);
    out
}

/// The templates that may be rendered with a page's context: all but the
/// guide's head ones, unless another template names them (includes them).
fn page_templates(templates: &[(String, String)]) -> Vec<(String, String)> {
    let named = |name: &str| {
        templates
            .iter()
            .any(|(other, text)| other != name && text.contains(name))
    };
    templates
        .iter()
        .filter(|(name, _)| ![GUIDE_TEMPLATE, TAB_TEMPLATE].contains(&name.as_str()) || named(name))
        .cloned()
        .collect()
}

/// `tag` with the inside of its string literals blanked out (same length),
/// so a name in a string (`{% include "partials/guide.html" %}`) is no use.
fn blank_strings(tag: &str) -> String {
    let mut quote = None;
    let bytes: Vec<u8> = tag
        .bytes()
        .map(|c| match quote {
            Some(q) if c == q => {
                quote = None;
                c
            }
            Some(_) => b' ',
            None => {
                if matches!(c, b'"' | b'\'' | b'`') {
                    quote = Some(c);
                }
                c
            }
        })
        .collect();
    // Only ASCII bytes of the original are kept, so this is still UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// Is the bare name at `tag[i..j]` only tested for truth (`if guide`,
/// `guide and x`, `not guide`)? Then any non-empty part of the value will do.
fn only_tested(tag: &str, i: usize, j: usize) -> bool {
    let before = tag[..i].trim_end();
    let word = before
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let after = tag[j..].trim_start();
    matches!(word, "if" | "elif" | "and" | "or" | "not")
        && (matches!(after, "" | "-") || after.starts_with("and ") || after.starts_with("or "))
}

/// `v` itself, or only `keys` of it when known and `v` is an object (all
/// of it if none of the keys is there, so that `{% if v %}` still holds).
fn only_keys(v: &Value, keys: &Option<Vec<String>>) -> Value {
    match (v, keys) {
        (Value::Object(m), Some(keys)) => {
            let part: serde_json::Map<String, Value> = keys
                .iter()
                .filter_map(|k| m.get(k).map(|x| (k.clone(), x.clone())))
                .collect();
            if part.is_empty() {
                v.clone()
            } else {
                Value::Object(part)
            }
        }
        _ => v.clone(),
    }
}

/// Escape for HTML text and double- or single-quoted attributes. Unlike
/// tera's default it leaves `/` alone, so URLs in the output stay readable.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'\'' => "&#39;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&s[rest..i]);
        out.push_str(entity);
        rest = i + 1;
    }
    out.push_str(&s[rest..]);
    out
}

/// Stand for the sidebar and the body while a page is laid out; the real
/// strings are put in their place afterwards (one copy each, instead of a
/// tera value per page and a copy through tera's output). The `<` makes sure
/// an escaped use never matches.
const SIDEBAR_MARK: &str = "<\u{1}ed-sidebar\u{1}>";
const BODY_MARK: &str = "<\u{1}ed-body\u{1}>";
const GUIDE_MARK: &str = "<\u{1}ed-guide\u{1}>";
/// Stands for the tab list while a guide's head is rendered.
const TABS_MARK: &str = "<\u{1}ed-tabs\u{1}>";

/// `html` with every `mark` replaced by `with`; None if a mark whose string
/// is not empty is missing, or a mark was used some other way (a stray
/// control character is left). Marks are `<\u{1}name\u{1}>`: one search
/// for the control character finds them all.
fn put_back(html: &str, marks: &[(&str, &str)]) -> Option<String> {
    let mut found = vec![false; marks.len()];
    let mut pieces: Vec<&str> = Vec::new();
    let mut last = 0;
    while let Some(k) = html[last..].find('\u{1}') {
        let at = (last + k).checked_sub(1)?;
        let (n, (mark, with)) = marks
            .iter()
            .enumerate()
            .find(|(_, (mark, _))| html.as_bytes()[at..].starts_with(mark.as_bytes()))?;
        found[n] = true;
        pieces.push(&html[last..at]);
        pieces.push(with);
        last = at + mark.len();
    }
    pieces.push(&html[last..]);
    if marks
        .iter()
        .zip(&found)
        .any(|((_, with), f)| !f && !with.is_empty())
    {
        // The layout did not print the mark as it is.
        return None;
    }
    Some(pieces.concat())
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
    // Name flattened variables the way the templates write them.
    for var in FLAT_VARS {
        msg = msg.replace(&format!("{var}__"), &format!("{var}."));
    }
    msg
}

/// The diagnostic for templates that tera cannot parse, reported on their
/// own text (not the flattened one).
fn parse_diag(templates: &[(String, String)], compiled_err: tera::Error) -> Diagnostic {
    let all: Vec<(&str, &str)> = templates
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let err = tera::Tera::default()
        .add_raw_templates(all.iter().copied())
        .err()
        .unwrap_or(compiled_err);
    tera_diag(&err, &all)
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
        let all_keys = FLAT_VARS.map(|var| used_keys(&templates, var));
        let flat: Vec<&str> = FLAT_VARS
            .iter()
            .zip(&all_keys)
            .filter(|(_, keys)| keys.is_some())
            .map(|(var, _)| *var)
            .collect();
        let compiled: Vec<(String, String)> = templates
            .iter()
            .map(|(n, t)| (n.clone(), flatten(t, &flat)))
            .collect();
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        tera.add_raw_templates(compiled.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| vec![parse_diag(&templates, e)])?;
        tera.add_raw_template(TABS_DRIVER, TABS_DRIVER_TEXT)
            .map_err(|e| vec![tera_diag(&e, &[])])?;
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
            page_guide: VarKeys::new(
                "guide",
                used_keys(&page_templates(&templates), "guide"),
                flat.contains(&"guide"),
            ),
            page: VarKeys::new("page", all_keys[0].clone(), true),
            site: VarKeys::new("site", all_keys[1].clone(), true),
            guide: VarKeys::new("guide", all_keys[2].clone(), true),
            headings_used: used_keys(&templates, "headings") != Some(vec![]),
            guide_html_used: used_keys(&templates, "guide_html") != Some(vec![]),
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
        let guide_html = self.guide_html(view)?;
        let real = Slots {
            sidebar: &view.shared.sidebar,
            body: view.body,
            guide_html: &guide_html,
        };
        let ctx = self.page_context(layout, view, real.marks());
        let html = self.render(&name, &ctx)?;
        if let Some(done) = put_back(&html, &real.pairs()) {
            return Ok(done);
        }
        // The layout used a slot in some other way (escaped, filtered):
        // render again with the real strings.
        let ctx = self.page_context(layout, view, real);
        self.render(&name, &ctx)
    }

    /// The context of a page layout; `slots` are what the layout sees as the
    /// sidebar, the body and the guide's head.
    fn page_context(&self, layout: &str, view: &PageView, slots: Slots) -> tera::Context {
        let fresh;
        let guide = match view.guide {
            Some(g) => match view.shared.guides.get(&g.dir) {
                Some(parts) => &parts.value,
                None => {
                    fresh = serde_json::to_value(g).unwrap_or(Value::Null);
                    &fresh
                }
            },
            None => &Value::Null,
        };
        let mut ctx = tera::Context::new();
        self.page.insert(&mut ctx, "page", view.page);
        self.site.insert(&mut ctx, "site", view.site);
        self.page_guide.insert(&mut ctx, "guide", guide);
        ctx.insert("body", slots.body);
        if self.headings_used {
            ctx.insert("headings", view.headings);
        }
        if self.guide_html_used {
            ctx.insert("guide_html", slots.guide_html);
        }
        ctx.insert("sidebar", slots.sidebar);
        ctx.insert("base_url", view.base_url);
        ctx.insert("root_rel", view.root_rel);
        ctx.insert("layout", layout);
        ctx.insert("catalog_url", &catalog_url());
        ctx.insert("toc", &toc(view.headings));
        ctx
    }

    /// The guide's part of the page's head (`""` outside guides).
    fn guide_html(&self, view: &PageView) -> Result<String, Diagnostic> {
        let Some(guide) = view.guide.filter(|_| self.guide_html_used) else {
            return Ok(String::new());
        };
        let fresh;
        let parts = match view.shared.guides.get(&guide.dir) {
            Some(parts) => parts,
            None => {
                // A guide from another catalog than the shared parts'.
                fresh = self.guide_parts(guide, view.site, view.base_url)?;
                &fresh
            }
        };
        let tabs = parts.tab_list(view.page.get("url").and_then(Value::as_str));
        if let Some(done) = put_back(&parts.html, &[(TABS_MARK, &tabs)]) {
            return Ok(done);
        }
        // The template used the tab list in some other way: render it with the real one.
        self.render_guide(&parts.value, view.site, view.base_url, &tabs)
    }

    /// What the pages share, rendered once per build: the sidebar and the
    /// head of every guide.
    pub fn render_shared(
        &self,
        catalog: &Catalog,
        site: &Value,
        base_url: &str,
    ) -> Result<Shared, Diagnostic> {
        use rayon::prelude::*;
        // The guides' heads are independent: rendered on every core, before
        // any page needs them. Results are kept in catalog order, so the
        // first error reported is the same on every run.
        let guides: Vec<&Guide> = if self.guide_html_used {
            catalog.guides.iter().chain(&catalog.translations).collect()
        } else {
            Vec::new()
        };
        let (sidebar, parts) = rayon::join(
            || self.render_sidebar(catalog, base_url),
            || {
                guides
                    .par_iter()
                    .map(|g| self.guide_parts(g, site, base_url))
                    .collect::<Vec<_>>()
            },
        );
        let sidebar = sidebar?;
        let mut heads = HashMap::with_capacity(parts.len());
        for (g, part) in guides.iter().zip(parts) {
            heads.insert(g.dir.clone(), part?);
        }
        Ok(Shared {
            sidebar,
            guides: heads,
        })
    }

    /// Render the pieces of a guide's head.
    fn guide_parts(
        &self,
        guide: &Guide,
        site: &Value,
        base_url: &str,
    ) -> Result<GuideParts, Diagnostic> {
        let value = serde_json::to_value(guide).unwrap_or(Value::Null);
        let tabs = self.tab_parts(guide, &value, base_url)?;
        let mark = if tabs.is_empty() { "" } else { TABS_MARK };
        let html = self.render_guide(&value, site, base_url, mark)?;
        Ok(GuideParts { value, html, tabs })
    }

    /// Every tab of `guide` (`value` serialized), both ways.
    fn tab_parts(
        &self,
        guide: &Guide,
        value: &Value,
        base_url: &str,
    ) -> Result<Vec<TabParts>, Diagnostic> {
        let mut ctx = tera::Context::new();
        ctx.insert("tabs", &value["tabs"]);
        ctx.insert("base_url", base_url);
        let mut both = Vec::new();
        for current in [false, true] {
            ctx.insert("current", &current);
            let html = self.render(TABS_DRIVER, &ctx)?;
            let items: Vec<&str> = html.split(TAB_END).collect();
            if items.len() != guide.tabs.len() + 1 {
                // A tab printed the end mark itself: render them one by one.
                return guide
                    .tabs
                    .iter()
                    .map(|t| self.tab_alone(t, base_url))
                    .collect();
            }
            both.push(items.into_iter().map(String::from).collect::<Vec<_>>());
        }
        let [other, current] = [both.remove(0), both.remove(0)];
        Ok(guide
            .tabs
            .iter()
            .zip(other.into_iter().zip(current))
            .map(|(tab, (other, current))| TabParts {
                url: tab.url.clone(),
                other,
                current,
            })
            .collect())
    }

    fn tab_alone(&self, tab: &Tab, base_url: &str) -> Result<TabParts, Diagnostic> {
        let mut ctx = tera::Context::new();
        ctx.insert("tab", tab);
        ctx.insert("base_url", base_url);
        ctx.insert("current", &false);
        let other = self.render(TAB_TEMPLATE, &ctx)?;
        ctx.insert("current", &true);
        let current = self.render(TAB_TEMPLATE, &ctx)?;
        Ok(TabParts {
            url: tab.url.clone(),
            other,
            current,
        })
    }

    /// `partials/guide.html` for `guide` (serialized), with `tabs` as the tab list.
    fn render_guide(
        &self,
        guide: &Value,
        site: &Value,
        base_url: &str,
        tabs: &str,
    ) -> Result<String, Diagnostic> {
        let mut ctx = tera::Context::new();
        self.guide.insert(&mut ctx, "guide", guide);
        self.site.insert(&mut ctx, "site", site);
        ctx.insert("base_url", base_url);
        ctx.insert("catalog_url", &catalog_url());
        ctx.insert("tabs", tabs);
        self.render(GUIDE_TEMPLATE, &ctx)
    }

    /// The sidebar listing every guide, rendered once per build.
    pub fn render_sidebar(&self, catalog: &Catalog, base_url: &str) -> Result<String, Diagnostic> {
        let mut ctx = tera::Context::new();
        ctx.insert("catalog", catalog);
        ctx.insert("base_url", base_url);
        ctx.insert("catalog_url", &catalog_url());
        self.render(SIDEBAR_TEMPLATE, &ctx)
    }

    /// Extra files the theme writes (the catalog page, CSS, JS): (output path, content).
    pub fn extra_files(
        &self,
        catalog: &Catalog,
        site: &Value,
        shared: &Shared,
        base_url: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
        let page = json!({
            "title": "All element guides",
            "url": catalog_url(),
            "path": CATALOG_PATH,
        });
        let view = PageView {
            page: &page,
            site,
            body: "",
            headings: &[],
            guide: None,
            shared,
            base_url,
            root_rel: "../",
        };
        let slots = Slots {
            sidebar: &shared.sidebar,
            body: "",
            guide_html: "",
        };
        let mut ctx = self.page_context("catalog", &view, slots);
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

/// Root-relative URL of the catalog page (before base-url).
fn catalog_url() -> String {
    format!("/{CATALOG_PATH}")
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
        let shared = t.render_shared(&cat, &json!({}), "/sub").unwrap();
        assert!(shared
            .sidebar
            .contains(r#"href="/sub/e/acme/index.html" data-guide="e/acme">Acme &amp; Co<"#));
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
            shared: &shared,
            base_url: "/sub",
            root_rel: "../../",
        };
        let html = t.render_page("sidebarelementdoc", &view).unwrap();
        // The guide's head rendered for this page alone is the same.
        let alone = Shared {
            sidebar: shared.sidebar.clone(),
            guides: HashMap::new(),
        };
        let view_alone = PageView {
            shared: &alone,
            ..view
        };
        assert_eq!(
            t.render_page("sidebarelementdoc", &view_alone).unwrap(),
            html
        );
        assert_eq!(html.matches("id=\"page-body\"").count(), 1);
        assert!(html.contains(r#"id="page-body"><p>BODY</p></article>"#));
        assert!(html.contains(r#"<a href="/sub/e/acme/setup.html" aria-current="page">Setup</a>"#));
        assert!(html.contains(r#"<a href="/sub/e/acme/index.html">Overview</a>"#));
        assert!(html.contains(r##"<a href="#step-1">Step &lt;1&gt;</a>"##));
        assert!(!html.contains(r##"href="#top""##));
        assert!(html.contains(r#"data-guide="e/acme""#));
        assert!(html.contains("/sub/assets/elementdocs/theme.css"));
    }

    /// Tabs rendered together (one render per guide) are those rendered
    /// alone, also when a title holds the control character that ends each.
    #[test]
    fn tabs_rendered_together_match_tabs_rendered_alone() {
        let t = Theme::load(None).unwrap();
        for title in ["Set <up>", "Set\u{1}up"] {
            let mut cat = catalog();
            cat.guides[0].tabs[1].title = title.into();
            let guide = &cat.guides[0];
            let value = serde_json::to_value(guide).unwrap();
            let together = t.tab_parts(guide, &value, "/sub").unwrap();
            assert_eq!(together.len(), 2);
            for (tab, parts) in guide.tabs.iter().zip(&together) {
                let alone = t.tab_alone(tab, "/sub").unwrap();
                assert_eq!(
                    (&parts.other, &parts.current),
                    (&alone.other, &alone.current)
                );
                assert!(parts.current.contains("aria-current"));
                assert!(!parts.other.contains("aria-current"));
            }
        }
    }

    #[test]
    fn extra_files_have_catalog_and_assets() {
        let t = Theme::load(None).unwrap();
        let cat = catalog();
        let shared = t.render_shared(&cat, &json!({}), "").unwrap();
        let files = t.extra_files(&cat, &json!({}), &shared, "").unwrap();
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
        let shared = Shared {
            sidebar: "<nav>S</nav>".into(),
            guides: HashMap::new(),
        };
        for body in ["<p>a & b</p>", ""] {
            let view = PageView {
                page: &page,
                site: &json!({}),
                body,
                headings: &[],
                guide: None,
                shared: &shared,
                base_url: "",
                root_rel: "",
            };
            let real = Slots {
                sidebar: &shared.sidebar,
                body,
                guide_html: "",
            };
            for (name, _) in layouts {
                let ctx = t.page_context(name, &view, real);
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

    #[test]
    fn truth_tests_and_names_in_strings_are_no_use() {
        let text = "{% if guide and guide.lang %}{{ guide.heading }}{% endif %}\
                    {%- if not guide -%}{% include \"partials/guide-head.html\" %}{% endif %}";
        assert_eq!(
            used_keys(&t(text), "guide"),
            Some(vec!["heading".to_string(), "lang".to_string()])
        );
        assert_eq!(
            used_keys(&t("{% if guide == x %}{% endif %}"), "guide"),
            None
        );
        assert_eq!(
            used_keys(&t("{% if guide | length %}{% endif %}"), "guide"),
            None
        );
    }
}

#[cfg(test)]
mod flatten_tests {
    use super::*;

    #[test]
    fn dotted_uses_become_plain_names_outside_strings_and_raw_blocks() {
        let text = "<p>page.title {{ page.title ~ \"page.x\" }}{% if page and site.a.b %}\
                    {% raw %}{{ page.title }}{% endraw %}{{ mypage.title }}{% endif %}</p>";
        assert_eq!(
            flatten(text, &["page", "site"]),
            "<p>page.title {{ page__title ~ \"page.x\" }}{% if page and site__a.b %}\
             {% raw %}{{ page.title }}{% endraw %}{{ mypage.title }}{% endif %}</p>"
        );
    }

    /// A theme renders the same with and without flattening.
    #[test]
    fn flattened_templates_render_like_the_originals() {
        let dir = tempfile::tempdir().unwrap();
        let layout = "{% if page.seo %}{{ page.seo }}{% else %}{{ page.title }}{% endif %}\
                      |{% if guide and guide.lang %}{{ guide.lang }}{% endif %}\
                      |{% if not guide %}none{% endif %}|{{ site.data.x }}";
        std::fs::write(dir.path().join("flat.html"), layout).unwrap();
        // `set` uses `page` whole: nothing is flattened for it.
        std::fs::write(
            dir.path().join("whole.html"),
            format!("{{% set p = page %}}{layout}"),
        )
        .unwrap();
        let t = Theme::load(Some(dir.path())).unwrap();
        let shared = Shared {
            sidebar: String::new(),
            guides: HashMap::new(),
        };
        let site = json!({"data": {"x": "<x>"}});
        for page in [json!({"title": "T"}), json!({"title": "T", "seo": "S & S"})] {
            let view = PageView {
                page: &page,
                site: &site,
                body: "",
                headings: &[],
                guide: None,
                shared: &shared,
                base_url: "",
                root_rel: "",
            };
            let flat = t.render_page("flat", &view).unwrap();
            let whole = t.render_page("whole", &view).unwrap();
            assert_eq!(flat, whole);
        }
        assert_eq!(
            t.render_page(
                "flat",
                &PageView {
                    page: &json!({"seo": "S"}),
                    site: &site,
                    body: "",
                    headings: &[],
                    guide: None,
                    shared: &shared,
                    base_url: "",
                    root_rel: "",
                }
            )
            .unwrap(),
            "S||none|&lt;x&gt;"
        );
    }
}

#[cfg(test)]
mod put_back_tests {
    use super::*;

    #[test]
    fn marks_are_replaced_and_misuses_detected() {
        let marks = [(SIDEBAR_MARK, "<nav/>"), (BODY_MARK, "<p>é</p>")];
        let html = format!("é<a>{SIDEBAR_MARK}|{BODY_MARK}|{SIDEBAR_MARK}");
        assert_eq!(
            put_back(&html, &marks).as_deref(),
            Some("é<a><nav/>|<p>é</p>|<nav/>")
        );
        // A mark that is missing, or changed (a stray control character).
        assert_eq!(put_back(SIDEBAR_MARK, &marks), None);
        let upper = format!("{}{BODY_MARK}", SIDEBAR_MARK.to_uppercase());
        assert_eq!(put_back(&upper, &marks), None);
        // A mark for an empty string need not be there.
        assert_eq!(put_back("x", &[(BODY_MARK, "")]).as_deref(), Some("x"));
    }
}
