//! Jekyll's Liquid, rendered through tera.
//!
//! Pages and includes are written in Liquid (Jekyll 4.3 / Liquid 4-5
//! semantics). The stage runs in four steps:
//!
//! 1. [`lexer`]: text, `{{ }}` and `{% %}` tokens with byte spans (positions
//!    in the page file, or in the include file for an include), whitespace
//!    control, `raw` and `comment` bodies;
//! 2. [`parser`]: a validated AST; unknown tags and filters, unclosed blocks
//!    and stray end tags are errors with a did-you-mean;
//! 3. [`translate`] (with [`mod@include`]): one tera template per page. Includes
//!    are inlined (each file parsed once per build), their parameters become
//!    uniquely named variables; Liquid's truthiness, comparisons, `forloop`,
//!    `case`, `capture`, `assign` are mapped onto tera with the helpers of
//!    [`filters`]. Text never goes through tera's parser (a side table holds
//!    it). Values known at build time (`page`, `site`, literal include
//!    parameters) are folded into the text, and a page that needs nothing
//!    else skips tera altogether;
//! 4. tera renders the template, read into tera's AST by [`teraparse`] (a
//!    parser for the few forms the translation writes; tera's own parser
//!    costs thousands of instructions per byte).
//!
//! Deliberate differences from Jekyll (the author's intent wins):
//! - `{{ }}` inside a quoted include parameter is resolved (Jekyll 4.3 rejects
//!   the tag with "Invalid syntax for include tag");
//! - `{% highlight lang %}` becomes a Markdown fence, highlighted by the
//!   Markdown stage like any other code block.

pub mod expr;
pub mod filters;
pub mod fold;
pub mod globals;
pub mod include;
pub mod lexer;
pub mod parser;
mod plugin_call;
pub mod plugins;
pub mod teraparse;
pub mod translate;

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

/// Site-wide state shared by every page's expansion. Built once per build; `Sync`.
pub struct LiquidEngine {
    /// The source root: no file outside it is ever read.
    pub root: PathBuf,
    /// Where `{% include name %}` looks.
    pub includes_dir: PathBuf,
    /// The `site` object: config keys, `data`, `pages`...
    pub site: Value,
    /// `site` without its lists of pages and posts (see `render`).
    site_light: Value,
    /// The keys `site_light` lacks.
    heavy: Vec<String>,
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
    teras: std::sync::Mutex<Vec<tera::Tera>>,
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
        let heavy: Vec<String> = ["pages", "posts", "html_pages", "categories", "tags"]
            .map(String::from)
            .to_vec();
        let site_light = light(&site, &heavy);
        LiquidEngine {
            root,
            includes_dir,
            site,
            site_light,
            heavy,
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
        self.heavy.extend(plugins.generators.iter().cloned());
        self.site_light = light(&self.site, &self.heavy);
        self.plugins = Arc::new(plugins);
        self
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
        if !body.contains("{%") {
            return self.expand_here(input);
        }
        // Blocks and includes nest (up to the limits in `parser`, `include`
        // and `translate`); the recursion runs on a thread with room for it:
        // this one when it has that room, else a new one.
        if ROOMY_STACK.with(std::cell::Cell::get) {
            return self.expand_here(input);
        }
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("liquid".into())
                .stack_size(STACK_SIZE)
                .spawn_scoped(s, || self.expand_here(input))
                .map(|h| h.join())
        })
        .unwrap_or_else(|_| Ok(self.expand_here(input)))
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    fn expand_here(&self, input: &PageInput) -> Result<Expanded, Vec<Diagnostic>> {
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
        let mut tr = translate::Tr::new(self, input.page, page_dir, top);
        for e in &errs {
            tr.error(e.offset, e.message.clone(), e.help.clone());
        }
        tr.nodes(&nodes);
        tr.flush();
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
            Err(msg) => {
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

    fn render(&self, tr: &mut translate::Tr, page: &Value) -> Result<String, String> {
        if std::env::var_os("ELEMENTDOCS_LIQUID_DEBUG").is_some() {
            eprintln!(
                "--- tera source ---\n{}\n--- texts ---\n{:?}",
                tr.out, tr.texts
            );
        }
        let reused = self.teras.lock().ok().and_then(|mut v| v.pop());
        let mut t = reused.unwrap_or_else(|| {
            let mut t = tera::Tera::default();
            filters::register(&mut t, &tr.url, &self.markdownify);
            self.plugins.register(&mut t);
            t
        });
        // Pages translated to the same text (the same includes around other
        // text) share one parsed template: its source is its key in `t`.
        let key = if t.templates.contains_key(tr.out.as_str()) {
            tr.out.as_str()
        } else if let Some(ast) = teraparse::parse(&tr.out) {
            add_parsed(&mut t, &tr.out, ast).map_err(chain)?;
            tr.out.as_str()
        } else {
            // Never a key above: those hold tags, hence `{`.
            t.add_raw_template("lq", &tr.out).map_err(chain)?;
            "lq"
        };
        // Built as a JSON object: the side table moves in instead of being copied.
        let mut vars = serde_json::Map::new();
        vars.insert("page".into(), page.clone());
        // The site's lists of pages and posts are large: a page whose
        // template never names them gets the site without them.
        let mut site = self.site_light.clone();
        for k in &self.heavy {
            if tr.out.contains(&format!("site.{k}")) {
                if let (Value::Object(m), Some(v)) = (&mut site, self.site.get(k)) {
                    m.insert(k.clone(), v.clone());
                }
            }
        }
        vars.insert("site".into(), site);
        vars.insert("lq_t".into(), Value::Array(std::mem::take(&mut tr.texts)));
        vars.insert("lq_nil".into(), Value::Null);
        let ctx = tera::Context::from_value(Value::Object(vars)).map_err(chain)?;
        let out = t.render(key, &ctx).map_err(chain);
        if let Ok(mut v) = self.teras.lock() {
            v.push(t);
        }
        out
    }
}

/// `site` without the keys `heavy`.
fn light(site: &Value, heavy: &[String]) -> Value {
    match site {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !heavy.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Stack of the thread a page with tags is expanded on (reserved, not committed).
pub const STACK_SIZE: usize = 256 << 20;

thread_local! {
    static ROOMY_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Declare that the current thread has a stack of [`STACK_SIZE`]: pages are
/// then expanded on it, without a thread of their own (the build's worker
/// threads are made so; see `site`).
pub fn set_roomy_stack() {
    ROOMY_STACK.with(|r| r.set(true));
}

/// Add the template `src`, already parsed by [`teraparse`], under the key
/// `src` (named `lq` in tera's messages, as a template added by
/// `add_raw_template("lq", src)`; the rest of what that does after parsing
/// is for parents, blocks and macros, which these templates never have).
fn add_parsed(t: &mut tera::Tera, src: &str, ast: Vec<tera::ast::Node>) -> tera::Result<()> {
    if cfg!(debug_assertions) {
        let slow = tera::Template::new("lq", None, src).map(|t| t.ast);
        assert_eq!(
            slow.ok().as_ref(),
            Some(&ast),
            "teraparse differs from tera on:\n{src}"
        );
    }
    let mut tpl = tera::Template::new("lq", None, "")?;
    tpl.ast = ast;
    t.templates.insert(src.to_string(), tpl);
    t.build_inheritance_chains()
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
