//! Jekyll's Liquid, rendered through tera.
//!
//! Pages and includes are written in Liquid (Jekyll 4.3 / Liquid 4-5
//! semantics). The stage runs in four steps:
//!
//! 1. [`lexer`]: text, `{{ }}` and `{% %}` tokens with byte spans (positions
//!    in the page file, or in the include file for an include), whitespace
//!    control, `raw` and `comment` bodies;
//! 2. [`parser`] (with [`expr`] for expressions and tag markup): a validated
//!    AST ([`ast`]); unknown tags and filters, unclosed blocks and stray end
//!    tags are errors with a did-you-mean;
//! 3. [`translate`] (with its parts, [`mod@include`], [`fold`]...): one tera template per page. Includes
//!    are inlined (each file parsed once per build), their parameters become
//!    uniquely named variables; Liquid's truthiness, comparisons, `forloop`,
//!    `case`, `capture`, `assign` are mapped onto tera with the helpers of
//!    [`filters`]. Text never goes through tera's parser (a side table holds
//!    it). Values known at build time (`page`, `site`, literal include
//!    parameters) are folded into the text, and a page that needs nothing
//!    else skips tera altogether;
//! 4. tera renders the template, given to it as source through its public
//!    API (`Tera::add_raw_template`; parsed once per distinct template and
//!    tera instance), within the [`limits`] of one page.
//!
//! Beside the steps: [`filters`] (the registry and dispatch) over
//! `filters_std`, `filters_jekyll` and `filter_args` (how a filter is
//! called); `values` (Liquid's value semantics: text, truthiness, compare,
//! lookup), `numbers`, `strftime`, `slug`; `helpers` (the tera helpers);
//! [`plugins`] (declared plugin tags and filters) over [`plugin_registry`]
//! (what the parser knows of them); [`globals`] (`content`, `layout`,
//! `paginator`). Dependencies go one way: the parser does not know the
//! translator, the filter modules do not know the registry that calls
//! them (`tests/testsuite/module_graph.rs` keeps it so).
//!
//! Deliberate differences from Jekyll (the author's intent wins):
//! - `{{ }}` inside a quoted include parameter is resolved (Jekyll 4.3 rejects
//!   the tag with "Invalid syntax for include tag");
//! - `{% highlight lang %}` becomes a Markdown fence, highlighted by the
//!   Markdown stage like any other code block.

pub mod ast;
pub mod expr;
mod filter_args;
pub mod filters;
mod filters_jekyll;
mod filters_std;
mod helpers;
pub mod lexer;
pub mod limits;
mod numbers;
pub mod parser;
pub mod plugin_registry;
pub mod plugins;
mod slug;
mod strftime;
pub mod translate;
mod values;

// Parts of the translator, still named from here (`liquid::globals::KEY`
// by the site stage, `liquid::include::Cache` by the engine).
pub use translate::{fold, globals, include};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_diag;

use crate::diag::{line_col, Diagnostic};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Renders Markdown to HTML for the `markdownify` filter.
pub type MarkdownifyFn = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// Makes the `site` keys that list pages (see [`LiquidEngine::with_lists`]).
pub type ListsFn = Box<dyn Fn() -> serde_json::Map<String, Value> + Send + Sync>;

/// Site-wide state shared by every page's expansion. Built once per build; `Sync`.
pub struct LiquidEngine {
    /// The source root: no file outside it is ever read.
    pub root: PathBuf,
    /// Where `{% include name %}` looks.
    pub includes_dir: PathBuf,
    /// The `site` object: config keys, `data`... but not the lists of
    /// [`LiquidEngine::with_lists`] (see [`LiquidEngine::site_for`]).
    pub site: Value,
    /// The keys the lists add to `site` (`pages`, `posts`, generators'...).
    heavy: Vec<String>,
    /// Makes those lists; they hold every page (its text included), so
    /// they are made the first time a template names one, and a build
    /// whose templates never do never holds them.
    make_lists: Option<ListsFn>,
    /// `site` with the lists, once made.
    full_site: std::sync::OnceLock<Value>,
    pub markdownify: MarkdownifyFn,
    /// Undefined variables are errors instead of warnings.
    pub strict: bool,
    /// `root`, canonicalized (the fence every include must stay inside).
    pub canon_root: PathBuf,
    /// Include files, parsed once per build.
    pub cache: include::Cache,
    /// Fold values known at build time into the text (off only in tests, to
    /// check both paths agree).
    pub(crate) fold: bool,
    /// The tags and filters the configuration declares (see [`plugins`]).
    pub plugins: Arc<plugins::Plugins>,
    /// tera instances with the Liquid filters and the templates parsed so
    /// far, reused by the pages that need rendering (registering every
    /// filter per page costs more than the rendering); at most one per thread.
    teras: std::sync::Mutex<Vec<Renderer>>,
}

/// A tera instance with Liquid's helpers, the templates it has parsed, and
/// the counters its renders are bounded by.
struct Renderer {
    tera: tera::Tera,
    /// Template source → its name in `tera` (pages translated to the same
    /// source, the same includes around other text, share one parse).
    names: std::collections::HashMap<String, String>,
    /// A tera context per set of the site's lists templates name (by their
    /// positions in `heavy`), holding `site`: made once, not per render.
    sites: std::collections::HashMap<Vec<usize>, tera::Context>,
    budget: Arc<limits::Budget>,
}

/// How a render failed.
enum RenderError {
    /// A limit of [`limits`], hit at a site (None: not known) with this message.
    Limit(Option<usize>, String),
    /// Anything else: a bug of the translation.
    Bug(String),
}

/// One page to expand.
pub struct PageInput<'a> {
    /// Path of the page relative to the source root (for diagnostics and `include_relative`).
    pub rel: &'a Path,
    /// The whole page file (for source lines in diagnostics).
    pub text: &'a str,
    /// Byte offset of the body in `text`.
    pub body_offset: usize,
    /// The `page` object (front matter plus url, path, content).
    pub page: &'a Value,
}

/// The result of expanding one page.
#[derive(Debug, Clone, Default)]
pub struct Expanded {
    pub text: String,
    /// Every file read while expanding (includes, relative includes), relative to the root.
    pub deps: Vec<PathBuf>,
    /// Warnings (undefined variables...), located in the file that contains them.
    pub warnings: Vec<Diagnostic>,
}

impl LiquidEngine {
    pub fn new(
        root: PathBuf,
        includes_dir: PathBuf,
        site: Value,
        markdownify: MarkdownifyFn,
        strict: bool,
    ) -> Self {
        let canon_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        LiquidEngine {
            root,
            includes_dir,
            site,
            heavy: Vec::new(),
            make_lists: None,
            full_site: Default::default(),
            markdownify,
            strict,
            canon_root,
            cache: include::Cache::default(),
            fold: true,
            plugins: Default::default(),
            teras: Default::default(),
        }
    }

    /// The same engine with the site's plugin declarations.
    pub fn with_plugins(mut self, plugins: plugins::Plugins) -> Self {
        self.plugins = Arc::new(plugins);
        self
    }

    /// The same engine with `site` keys (`keys`) that `make` makes when a
    /// template first names one of them.
    pub fn with_lists(mut self, keys: Vec<String>, make: ListsFn) -> Self {
        self.heavy = keys;
        self.make_lists = Some(make);
        self.full_site = Default::default();
        self
    }

    /// The `site` object to read `site.<key>` from: with the lists when
    /// `key` is one of them, or not known (`site[name]`).
    pub fn site_for(&self, key: Option<&str>) -> &Value {
        let listed = key.is_none_or(|k| self.heavy.iter().any(|h| h == k));
        match &self.make_lists {
            Some(make) if listed => self.full_site.get_or_init(|| {
                let mut site = self.site.clone();
                if let Value::Object(m) = &mut site {
                    m.extend(make());
                }
                site
            }),
            _ => &self.site,
        }
    }

    /// Forget the parsed include files and templates (serve calls this when
    /// files change).
    pub fn clear_cache(&self) {
        self.cache.clear();
        if let Ok(mut v) = self.teras.lock() {
            v.clear();
        }
    }

    /// Expand the Liquid of one page body.
    pub fn expand(&self, input: &PageInput) -> Result<Expanded, Vec<Diagnostic>> {
        let body = &input.text[input.body_offset.min(input.text.len())..];
        if !body.contains("{{") && !body.contains("{%") {
            return Ok(Expanded {
                text: body.to_string(),
                ..Default::default()
            });
        }
        // Blocks, includes and expressions nest at most `limits::MAX_NESTING`
        // levels: the recursion fits in any thread's stack.
        self.expand_here(input)
    }

    /// Parse and translate a page (a translation of `wanted_site` also
    /// makes the diagnostic of that limit site).
    fn translate<'s>(
        &'s self,
        input: &PageInput<'s>,
        wanted_site: Option<usize>,
    ) -> translate::Translator<'s> {
        let text: Arc<str> = input.text.into();
        let (nodes, errs) =
            parser::parse_with(input.text, input.body_offset, &self.plugins.registry);
        let top = include::Frame {
            rel: input.rel.to_path_buf(),
            canon: self
                .cache
                .canonical_page(&self.root.join(input.rel))
                .unwrap_or_else(|| input.rel.to_path_buf()),
            text,
            params: Default::default(),
            from: None,
        };
        let page_dir = input
            .rel
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut tr = translate::Translator::new(self, input.page, page_dir, top);
        tr.wanted_site = wanted_site;
        for e in &errs {
            tr.error(e.offset, e.message.clone(), e.help.clone());
        }
        tr.nodes(&nodes);
        tr.flush();
        tr
    }

    fn expand_here(&self, input: &PageInput) -> Result<Expanded, Vec<Diagnostic>> {
        let mut tr = self.translate(input, None);
        let deps: Vec<PathBuf> = std::mem::take(&mut tr.deps).into_iter().collect();
        let mut diags = std::mem::take(&mut tr.diags);
        diags.sort_by_key(|d| (d.file != input.rel, d.sort_key()));
        diags.dedup();
        if diags.iter().any(|d| d.is_error()) {
            return Err(diags);
        }
        if !tr.dynamic {
            return Ok(Expanded {
                text: std::mem::take(&mut tr.plain),
                deps,
                warnings: diags,
            });
        }
        match self.render(&mut tr, input.page) {
            Ok(text) => Ok(Expanded {
                text,
                deps,
                warnings: diags,
            }),
            Err(RenderError::Limit(site, msg)) => {
                diags.push(self.limit_diagnostic(input, site, msg));
                Err(diags)
            }
            Err(RenderError::Bug(msg)) => {
                let (l, c) = line_col(input.text, input.body_offset);
                diags.push(
                    Diagnostic::error(input.rel, l, c, format!("rendering the page failed: {msg}"))
                        .with_help(
                            "this is a bug in elementdocs' Liquid translation; please report it",
                        ),
                );
                Err(diags)
            }
        }
    }

    /// The error of a limit hit at `site`: at its tag, found by translating
    /// the page again (the same input numbers the sites the same way), or at
    /// the start of the page's body.
    fn limit_diagnostic(&self, input: &PageInput, site: Option<usize>, msg: String) -> Diagnostic {
        let help = format!(
            "a page's Liquid may run {} loop iterations and make values and output of {} MiB at most",
            limits::MAX_ITERATIONS,
            limits::MAX_OUTPUT >> 20
        );
        let at = site.and_then(|k| self.translate(input, Some(k)).site_diag);
        let mut d = at.unwrap_or_else(|| {
            let (l, c) = line_col(input.text, input.body_offset);
            Diagnostic::error(input.rel, l, c, String::new()).with_source(input.text)
        });
        d.message = msg;
        d.help = Some(help);
        d
    }

    fn render(&self, tr: &mut translate::Translator, page: &Value) -> Result<String, RenderError> {
        if std::env::var_os("ELEMENTDOCS_LIQUID_DEBUG").is_some() {
            eprintln!(
                "--- tera source ---\n{}\n--- texts ---\n{:?}",
                tr.out, tr.texts
            );
        }
        let reused = self.teras.lock().ok().and_then(|mut v| v.pop());
        let mut r = reused.unwrap_or_else(|| {
            let mut tera = tera::Tera::default();
            let budget = Arc::new(limits::Budget::default());
            helpers::register(&mut tera, &tr.url, &self.markdownify, &budget);
            self.plugins.register(&mut tera);
            Renderer {
                tera,
                names: Default::default(),
                sites: Default::default(),
                budget,
            }
        });
        // The site's lists of pages and posts are large: a page whose
        // template never names them gets the site without them.
        let lists: Vec<usize> = (0..self.heavy.len())
            .filter(|&i| tr.out.contains(&format!("site.{}", self.heavy[i])))
            .collect();
        let make_site = |lists: &[usize]| {
            let mut site = self.site.clone();
            for k in lists.iter().map(|&i| &self.heavy[i]) {
                if let (Value::Object(m), Some(v)) = (&mut site, self.site_for(Some(k)).get(k)) {
                    m.insert(k.clone(), v.clone());
                }
            }
            site
        };
        let out = r.render(tr, page, lists, make_site);
        if let Ok(mut v) = self.teras.lock() {
            v.push(r);
        }
        out
    }
}

impl Renderer {
    fn render(
        &mut self,
        tr: &mut translate::Translator,
        page: &Value,
        lists: Vec<usize>,
        make_site: impl FnOnce(&[usize]) -> Value,
    ) -> Result<String, RenderError> {
        let bug = |e: tera::Error| RenderError::Bug(chain(e));
        let name = match self.names.get(tr.out.as_str()) {
            Some(name) => name.clone(),
            None => {
                let name = format!("lq{}", self.names.len());
                self.tera.add_raw_template(&name, &tr.out).map_err(bug)?;
                self.names.insert(tr.out.clone(), name.clone());
                name
            }
        };
        let ctx = match self.sites.entry(lists) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut vars = serde_json::Map::new();
                vars.insert("site".into(), make_site(e.key()));
                vars.insert("lq_nil".into(), Value::Null);
                e.insert(tera::Context::from_value(Value::Object(vars)).map_err(bug)?)
            }
        };
        // Built as a JSON object: the side table moves in instead of being copied.
        let mut vars = serde_json::Map::new();
        vars.insert("page".into(), page.clone());
        vars.insert(
            "lq_texts".into(),
            Value::Array(std::mem::take(&mut tr.texts)),
        );
        ctx.extend(tera::Context::from_value(Value::Object(vars)).map_err(bug)?);
        self.budget.reset();
        let mut out = limits::CappedOutput::default();
        let rendered = self.tera.render_to(&name, ctx, &mut out);
        // The next render brings its own page and texts.
        ctx.remove("page");
        ctx.remove("lq_texts");
        match rendered {
            Ok(()) => String::from_utf8(out.bytes)
                .map_err(|e| RenderError::Bug(format!("the output is not UTF-8: {e}"))),
            Err(_) if out.overflowed => Err(RenderError::Limit(
                self.budget.last_loop(),
                limits::output_message(),
            )),
            Err(e) => match limits::find_limit(&e) {
                Some((site, msg)) => Err(RenderError::Limit(site, msg)),
                None => Err(bug(e)),
            },
        }
    }
}

/// A tera error with its causes.
fn chain(e: tera::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}
