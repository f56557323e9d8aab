//! The whole build: load → expand Liquid → Markdown → layout → output.
//!
//! [`build_site`] renders everything in memory and returns a [`SiteOutput`];
//! nothing is written unless the build has no errors (see [`crate::output`]).
//! Pages are rendered in parallel; everything is sorted so two builds of the
//! same source are byte-identical.

use crate::config::Config;
use crate::data::load_data;
use crate::diag::{sort_and_dedup, Diagnostic};
use crate::guide::{Catalog, PageMeta};
use crate::highlight::Highlighter;
use crate::liquid::{LiquidEngine, PageInput};
use crate::markdown::{self, Rendered};
use crate::render::{PageView, Shared, Theme};
use crate::source::{discover, SourcePage, StaticFile};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a build is asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub source: PathBuf,
    /// Output folder; None: `public/` in the source root.
    pub out: Option<PathBuf>,
    /// Also write each page's post-Liquid source here.
    pub expanded_dir: Option<PathBuf>,
    /// Overrides the config's `baseurl`.
    pub base_url: Option<String>,
    /// Warnings become errors.
    pub strict: bool,
    /// The process ends after this build (`elementdocs build`): caches that
    /// only speed up a later build are dropped once the pages are rendered,
    /// so the rest of the build reuses their memory.
    pub one_shot: bool,
    /// Where highlighted code blocks are kept between builds (see
    /// [`Highlighter::load_persisted`]); None: every block is highlighted.
    pub highlight_cache: Option<PathBuf>,
}

impl BuildOptions {
    pub fn out_dir(&self, cfg: &Config) -> PathBuf {
        self.out.clone().unwrap_or_else(|| cfg.root.join("public"))
    }
}

/// One rendered page.
#[derive(Debug, Clone)]
pub struct PageOutput {
    /// Source path relative to the root.
    pub source: String,
    /// Output path relative to the output root.
    pub out_path: String,
    pub html: String,
    /// The post-Liquid Markdown.
    pub expanded: String,
    pub rendered: Rendered,
    /// Files this page read (includes, data is implicit), relative to the root.
    pub deps: Vec<PathBuf>,
}

/// Everything a build produces, in memory.
#[derive(Debug, Default)]
pub struct SiteOutput {
    pub pages: Vec<PageOutput>,
    /// Generated files that are not pages (CSS, catalog, sitemap...): path → bytes.
    pub generated: BTreeMap<String, Vec<u8>>,
    pub statics: Vec<StaticFile>,
    /// The source pages (front matter included), sorted by path.
    pub sources: Vec<SourcePage>,
    /// Warnings and errors, sorted by path.
    pub diagnostics: Vec<Diagnostic>,
}

impl SiteOutput {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Shared, read-only state of one build, handed to every page.
pub struct BuildContext {
    pub config: Config,
    pub site: Value,
    pub theme: Theme,
    pub catalog: Catalog,
    /// The sidebar and the guides' heads, rendered once per build.
    pub shared: Shared,
    pub liquid: LiquidEngine,
    pub highlighter: &'static Highlighter,
    pub strict: bool,
}

/// Takes each page as soon as it is rendered (the writer stages it), so the
/// build need not keep every page's HTML in memory. A sink may empty the
/// page's `html` and `expanded`.
pub trait PageSink: Sync {
    fn take(&self, page: &mut PageOutput) -> Result<(), Diagnostic>;

    /// Takes a static file (to be copied) while the pages render.
    fn take_static(&self, _file: &StaticFile) -> Result<(), Diagnostic> {
        Ok(())
    }
}

/// Load the configuration and render the whole site in memory.
pub fn build_site(opts: &BuildOptions) -> Result<SiteOutput, Vec<Diagnostic>> {
    build_site_into(opts, None)
}

/// [`build_site`], handing each page to `sink` as soon as it is laid out
/// (when the site has no base URL: publish rewrites pages otherwise). The
/// pages of the result then hold no HTML and no body HTML.
pub fn build_site_into(
    opts: &BuildOptions,
    sink: Option<&dyn PageSink>,
) -> Result<SiteOutput, Vec<Diagnostic>> {
    let mut config = Config::load(&opts.source).map_err(|d| vec![d])?;
    if let Some(b) = &opts.base_url {
        config.set_baseurl(b);
    }
    let mut skip = vec![opts.out_dir(&config)];
    skip.extend(opts.expanded_dir.iter().cloned());
    let skip: Vec<PathBuf> = skip
        .iter()
        .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
        .collect();
    let run = Run {
        strict: opts.strict,
        one_shot: opts.one_shot,
        highlight_cache: opts.highlight_cache.as_deref(),
    };
    Ok(build_into(config, &skip, &run, sink))
}

/// How one build runs (from [`BuildOptions`]).
struct Run<'a> {
    strict: bool,
    one_shot: bool,
    highlight_cache: Option<&'a Path>,
}

/// Render a site from an already loaded configuration.
pub fn build_with(config: Config, skip: &[PathBuf], strict: bool) -> SiteOutput {
    let run = Run {
        strict,
        one_shot: false,
        highlight_cache: None,
    };
    build_into(config, skip, &run, None)
}

/// The worker threads of a build: stacks with room for Liquid's recursion,
/// so a page is expanded on the thread that renders it (see
/// [`crate::liquid::set_roomy_stack`]); None if the threads cannot be made.
fn build_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(crate::liquid::STACK_SIZE)
        .start_handler(|_| crate::liquid::set_roomy_stack())
        .build()
        .ok()
}

fn build_into(
    config: Config,
    skip: &[PathBuf],
    run: &Run,
    sink: Option<&dyn PageSink>,
) -> SiteOutput {
    match build_pool() {
        Some(pool) => pool.install(|| build_on_pool(config, skip, run, sink)),
        None => build_on_pool(config, skip, run, sink),
    }
}

fn build_on_pool(
    config: Config,
    skip: &[PathBuf],
    run: &Run,
    sink: Option<&dyn PageSink>,
) -> SiteOutput {
    let Run {
        strict, one_shot, ..
    } = *run;
    crate::timing::stage("start");
    // The walk waits on the disk and on YAML; what needs no page (the data
    // files, the theme, the syntax definitions) loads beside it meanwhile.
    let (found, ((data, data_diags), theme)) = rayon::join(
        || discover(&config, skip),
        || {
            // Code blocks kept by the last build need no syntax definitions.
            let hl = Highlighter::global();
            if !run.highlight_cache.is_some_and(|p| hl.load_persisted(p)) {
                hl.preload();
            }
            crate::timing::stage("preload");
            let data = load_data(&config.root, &config.data_dir);
            let theme = Theme::load(config.templates_dir.as_deref());
            crate::timing::stage("theme");
            (data, theme)
        },
    );
    crate::timing::stage("discover");
    let mut diagnostics = found.diagnostics;
    diagnostics.extend(data_diags);
    let ctx = match theme
        .and_then(|theme| context_with_theme(config, data, &found.pages, strict, theme))
    {
        Ok(ctx) => ctx,
        Err(d) => {
            diagnostics.extend(d);
            return SiteOutput {
                diagnostics,
                ..Default::default()
            };
        }
    };
    crate::timing::stage("context");
    let sink = sink.filter(|_| ctx.config.baseurl.is_empty());
    let site_lang = ctx.config.site.get("lang").and_then(Value::as_str);
    // Each page is indexed for search on the thread that rendered it, while
    // its body is at hand, then handed to the sink.
    type PageResult = Result<(PageOutput, Option<crate::search::Prepared>), Vec<Diagnostic>>;
    // What needs no page body (the theme's files, the static files handed
    // to the sink) is made meanwhile, by whichever thread is free.
    let (results, (theme_files, static_diags)): (Vec<PageResult>, _) = rayon::join(
        || {
            found
                .pages
                .par_iter()
                .map(|p| {
                    let mut page = render_page_guarded(&ctx, p)?;
                    let to_index = crate::search::PageToIndex {
                        out_path: &page.out_path,
                        front: &p.front,
                        body_html: &page.rendered.html,
                        headings: &page.rendered.headings,
                    };
                    let doc = crate::search::prepare(&to_index, site_lang);
                    if let Some(sink) = sink {
                        sink.take(&mut page).map_err(|d| vec![d])?;
                        page.rendered.html = String::new();
                    }
                    Ok((page, doc))
                })
                .collect()
        },
        || {
            let statics: Vec<Diagnostic> = match sink {
                Some(sink) => found
                    .statics
                    .par_iter()
                    .filter_map(|s| sink.take_static(s).err())
                    .collect(),
                None => Vec::new(),
            };
            (generated_files(&ctx), statics)
        },
    );
    diagnostics.extend(static_diags);
    crate::timing::stage("pages");
    if let Some(path) = run.highlight_cache {
        ctx.highlighter.save_persisted(path);
    }
    if one_shot {
        ctx.highlighter.forget();
    }
    let mut pages = Vec::with_capacity(results.len());
    let mut docs = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok((p, doc)) => {
                diagnostics.extend(p.rendered.warnings.iter().cloned());
                pages.push(p);
                docs.extend(doc);
            }
            Err(d) => diagnostics.extend(d),
        }
    }
    let search_files = crate::search::files(&docs);
    let mut generated = match theme_files {
        Ok(g) => g,
        Err(d) => {
            diagnostics.push(d);
            BTreeMap::new()
        }
    };
    // Search first: its files must exist when publish checks links and
    // applies the base URL, and 404.html (added by publish) is not indexed.
    generated.extend(search_files);
    crate::timing::stage("search");
    diagnostics.extend(crate::publish::publish(
        &ctx,
        &found.pages,
        &mut pages,
        &found.statics,
        &mut generated,
    ));
    crate::timing::stage("publish");
    diagnostics.extend(duplicate_outputs(&pages, &found.statics, &generated));
    if strict {
        for d in diagnostics.iter_mut() {
            d.severity = crate::diag::Severity::Error;
        }
    }
    relative_to_root(&mut diagnostics, &ctx.config.root);
    sort_and_dedup(&mut diagnostics);
    if one_shot {
        // The process exits after this build: freeing the context's many
        // small allocations (templates, caches) one by one would only delay it.
        std::mem::forget(ctx);
    }
    SiteOutput {
        pages,
        generated,
        statics: found.statics,
        sources: found.pages,
        diagnostics,
    }
}

/// The `site` object: every config key, plus `data`.
fn site_value(config: &Config, data: Value) -> Value {
    let mut site = config.site.clone();
    site.insert("data".into(), data);
    site.insert("url".into(), Value::String(config.url.clone()));
    site.insert("baseurl".into(), Value::String(config.baseurl.clone()));
    Value::Object(site)
}

/// The shared state of a build (theme, catalog, sidebar, Liquid engine).
pub fn make_context(
    config: Config,
    data: Value,
    pages: &[SourcePage],
    strict: bool,
) -> Result<BuildContext, Vec<Diagnostic>> {
    let theme = Theme::load(config.templates_dir.as_deref())?;
    context_with_theme(config, data, pages, strict, theme)
}

/// [`make_context`] with the theme already loaded.
fn context_with_theme(
    config: Config,
    data: Value,
    pages: &[SourcePage],
    strict: bool,
    theme: Theme,
) -> Result<BuildContext, Vec<Diagnostic>> {
    let site = site_value(&config, data);
    let catalog = Catalog::build(&pages.iter().map(page_meta).collect::<Vec<_>>());
    let shared = theme
        .render_shared(&catalog, &site, &config.baseurl)
        .map_err(|d| vec![d])?;
    let highlighter = Highlighter::global();
    let md_opts = config.markdown.clone();
    let markdownify = Arc::new(move |s: &str| {
        markdown::render(
            s,
            &md_opts,
            Highlighter::global(),
            Path::new("markdownify"),
            1,
        )
        .html
    });
    let liquid = LiquidEngine::new(
        config.root.clone(),
        config.includes_dir.clone(),
        site.clone(),
        markdownify,
        strict,
    );
    Ok(BuildContext {
        config,
        site,
        theme,
        catalog,
        shared,
        liquid,
        highlighter,
        strict,
    })
}

fn str_field(front: &Map<String, Value>, key: &str) -> Option<String> {
    match front.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The front matter facts the guide model needs.
pub fn page_meta(p: &SourcePage) -> PageMeta {
    let dir = p
        .content_rel
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    PageMeta {
        out_path: p.output_path(),
        dir,
        layout: str_field(&p.front, "layout").unwrap_or_else(|| "default".into()),
        title: str_field(&p.front, "title"),
        heading: str_field(&p.front, "heading"),
        order: p
            .front
            .get("order")
            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())),
        hub: str_field(&p.front, "hub"),
        auth: str_field(&p.front, "auth").or_else(|| str_field(&p.front, "authentication")),
    }
}

/// The `page` object: front matter plus `url`, `path`, `content`, `dir`.
pub fn page_value(p: &SourcePage) -> Value {
    let mut m = p.front.clone();
    m.insert("url".into(), Value::String(p.url()));
    m.insert("path".into(), Value::String(p.rel.clone()));
    m.insert("content".into(), Value::String(p.body().to_string()));
    let dir = p
        .url()
        .rsplit_once('/')
        .map(|(d, _)| format!("{d}/"))
        .unwrap_or_else(|| "/".into());
    m.insert("dir".into(), Value::String(dir));
    Value::Object(m)
}

/// `../` once per folder level of `out_path`.
fn root_rel(out_path: &str) -> String {
    "../".repeat(out_path.matches('/').count())
}

/// [`render_page`], with a panic in any stage turned into an error on that
/// page: the build goes on, reports it with the others, and writes nothing.
fn render_page_guarded(ctx: &BuildContext, p: &SourcePage) -> Result<PageOutput, Vec<Diagnostic>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render_page(ctx, p))).unwrap_or_else(
        |panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(vec![Diagnostic::error(
                &p.rel,
                0,
                0,
                format!("internal error while rendering this page: {what}"),
            )
            .with_help(
                "this is a bug in elementdocs; please report it with this page attached",
            )])
        },
    )
}

/// Diagnostics name files relative to the source root: absolute paths under
/// it (static files, links) are shortened, in the notes too.
fn relative_to_root(diags: &mut [Diagnostic], root: &Path) {
    let prefix = format!("{}/", crate::diag::display_path(root));
    for d in diags {
        if let Ok(rel) = d.file.strip_prefix(root) {
            d.file = rel.to_path_buf();
        }
        for note in &mut d.notes {
            if note.contains(&prefix) {
                *note = note.replace(&prefix, "");
            }
        }
    }
}

/// Expand, render and lay out one page.
pub fn render_page(ctx: &BuildContext, p: &SourcePage) -> Result<PageOutput, Vec<Diagnostic>> {
    let page = page_value(p);
    let input = PageInput {
        rel: Path::new(&p.rel),
        text: &p.text,
        body_offset: p.body_offset,
        page: &page,
    };
    let expanded = ctx.liquid.expand(&input)?;
    let mut rendered = if p.is_markdown {
        markdown::render(
            &expanded.text,
            &ctx.config.markdown,
            ctx.highlighter,
            Path::new(&p.rel),
            p.body_line,
        )
    } else {
        Rendered {
            html: expanded.text.clone(),
            ..Default::default()
        }
    };
    rendered
        .warnings
        .splice(0..0, expanded.warnings.iter().cloned());
    let html = layout_page(ctx, p, &page, &mut rendered)?;
    Ok(PageOutput {
        source: p.rel.clone(),
        out_path: p.output_path(),
        html,
        expanded: expanded.text,
        rendered,
        deps: expanded.deps,
    })
}

/// Lay out an already rendered page body (the last step of [`render_page`]);
/// `serve` calls it alone when only the tabs or the sidebar changed.
pub fn layout_page(
    ctx: &BuildContext,
    p: &SourcePage,
    page: &Value,
    rendered: &mut Rendered,
) -> Result<String, Vec<Diagnostic>> {
    let meta = page_meta(p);
    let mut layout = meta.layout.clone();
    if !ctx.theme.has_layout(&layout) {
        let (line, col) = front_matter_key_pos(p, "layout");
        rendered.warnings.push(
            Diagnostic::warning(
                &p.rel,
                line,
                col,
                format!("unknown layout `{layout}`; using `default`"),
            )
            .with_source(&p.text)
            .with_help(format!(
                "the theme has layouts: {}",
                ctx.theme.layouts().join(", ")
            )),
        );
        layout = "default".into();
    }
    let out_path = p.output_path();
    let rr = root_rel(&out_path);
    let view = PageView {
        page,
        site: &ctx.site,
        body: &rendered.html,
        headings: &rendered.headings,
        guide: ctx.catalog.guide_for(&meta.dir),
        shared: &ctx.shared,
        base_url: &ctx.config.baseurl,
        root_rel: &rr,
    };
    ctx.theme.render_page(&layout, &view).map_err(|d| vec![d])
}

/// Line and column of the value of front matter `key` in the page (1, 1 if not found).
fn front_matter_key_pos(p: &SourcePage, key: &str) -> (usize, usize) {
    p.text
        .lines()
        .take(p.body_line.saturating_sub(1))
        .enumerate()
        .find_map(|(i, l)| {
            let rest = l.strip_prefix(key)?.strip_prefix(':')?;
            let col = key.len() + 2 + rest.len() - rest.trim_start().len();
            Some((i + 1, col))
        })
        .unwrap_or((1, 1))
}

/// The files a build generates besides pages (theme extras, highlight CSS).
pub fn generated_files(ctx: &BuildContext) -> Result<BTreeMap<String, Vec<u8>>, Diagnostic> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (path, bytes) in
        ctx.theme
            .extra_files(&ctx.catalog, &ctx.site, &ctx.shared, &ctx.config.baseurl)?
    {
        files.insert(path, bytes);
    }
    files.insert(
        "assets/elementdocs/highlight.css".into(),
        ctx.highlighter.css().into_bytes(),
    );
    Ok(files)
}

/// Two sources that would write the same output path is an error naming both;
/// so is a file whose output path is the folder of another output (`a.html`
/// and `a.html/b.png`), which could not both be written.
fn duplicate_outputs(
    pages: &[PageOutput],
    statics: &[StaticFile],
    generated: &BTreeMap<String, Vec<u8>>,
) -> Vec<Diagnostic> {
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut diags = Vec::new();
    let all = pages
        .iter()
        .map(|p| (p.out_path.clone(), p.source.clone()))
        .chain(
            statics
                .iter()
                .map(|s| (s.out_rel.clone(), crate::diag::display_path(&s.abs))),
        )
        .chain(
            generated
                .keys()
                .map(|k| (k.clone(), "(generated by elementdocs)".to_string())),
        );
    for (out, src) in all {
        if let Some(first) = owners.get(&out) {
            diags.push(
                Diagnostic::error(&src, 0, 0, format!("two sources would write `{out}`"))
                    .with_note(format!("`{first}` writes it too"))
                    .with_help("rename or remove one of them"),
            );
        } else {
            owners.insert(out, src);
        }
    }
    for (out, src) in &owners {
        let parts: Vec<&str> = out.split('/').collect();
        let Some((_, folders)) = parts.split_last() else {
            continue;
        };
        let mut folder = String::new();
        for part in folders {
            folder.push_str(part);
            if let Some(file_src) = owners.get(&folder) {
                diags.push(
                    Diagnostic::error(
                        src,
                        0,
                        0,
                        format!("`{out}` would be written inside `{folder}`, which is a file"),
                    )
                    .with_note(format!("`{file_src}` writes `{folder}`"))
                    .with_help("rename or remove one of them"),
                );
            }
            folder.push('/');
        }
    }
    diags
}
