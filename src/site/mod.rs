//! The build pipeline: one [`Site`] that `build`, `serve` and `check` drive.
//!
//! load → render pages → finish → write:
//! * [`Site::load`]: the configuration, the walk of the source tree (front
//!   matter), the data files and the theme, and from them the state every
//!   page reads ([`BuildContext`]: the `site` object, the guides' catalog and
//!   what the theme renders once for all pages, the Liquid engine).
//! * [`Site::render`]: Liquid, Markdown (with highlighting), layout and base
//!   URL for a set of pages (all of them, or what `serve` found changed), in
//!   parallel ([`page`]); each page is prepared for search on the thread that
//!   rendered it. A page that fails keeps its last good output, if it had one.
//! * [`Site::finish`]: what needs every page: the theme's generated files,
//!   the search index, publishing (404, redirect stubs, sitemap, robots) and
//!   the checks that span the whole output ([`finish`]).
//! * Writing is [`crate::output`]'s: `build` hands each page to a
//!   [`PageSink`] as soon as it is laid out, so pages need not stay in
//!   memory, and nothing is put in place unless the whole build succeeded.
//!
//! Everything is sorted, so two builds of the same source are byte-identical.

mod context;
mod finish;
pub mod layouts;
mod page;

pub use context::{page_meta, page_value, BuildContext};
pub use page::{layout_page, render_page, PageOutput};

use crate::config::Config;
use crate::data::load_data;
use crate::diag::{sort_and_dedup, Diagnostic, Severity};
use crate::highlight::Highlighter;
use crate::publish::urls::OutputSet;
use crate::render::Theme;
use crate::search::Prepared;
use crate::source::{discover, load_page, Discovered, SourcePage, StaticFile};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a build is asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub source: PathBuf,
    /// Configuration files to read instead of the source's own, in order,
    /// later ones overriding earlier ones (Jekyll's `--config a.yml,b.yml`).
    pub config_files: Vec<PathBuf>,
    /// Output folder; None: `public/` in the source root.
    pub out: Option<PathBuf>,
    /// Also write each page's post-Liquid source here.
    pub expanded_dir: Option<PathBuf>,
    /// Also write each page's rendered body (before layout) here.
    pub bodies_dir: Option<PathBuf>,
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

    /// The site's configuration as these options read it.
    pub fn load_config(&self) -> Result<Config, Diagnostic> {
        let mut config = Config::load_with(&self.source, &self.config_files)?;
        if let Some(b) = &self.base_url {
            config.set_baseurl(b);
        }
        Ok(config)
    }
}

/// Everything a build produces, in memory (see [`Site::into_output`]).
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

/// One page's last good result.
struct PageState {
    output: PageOutput,
    search: Option<Prepared>,
}

/// A site loaded from its source, and what has been rendered of it.
pub struct Site {
    ctx: BuildContext,
    strict: bool,
    /// Built once and written (see [`BuildOptions::one_shot`]).
    one_shot: bool,
    /// Folders the walk never enters (the output folders inside the source).
    skip: Vec<PathBuf>,
    /// Shared with the Liquid engine's lists of pages (`site.pages`).
    sources: BTreeMap<String, Arc<SourcePage>>,
    statics: Vec<StaticFile>,
    pages: BTreeMap<String, PageState>,
    /// Errors of each page's last render, by source path.
    failures: BTreeMap<String, Vec<Diagnostic>>,
    generated: BTreeMap<String, Vec<u8>>,
    /// The theme's files, made from the shared state alone: kept until that
    /// changes (`serve` finishes after every edit).
    theme_files: Option<Result<BTreeMap<String, Vec<u8>>, Diagnostic>>,
    /// Every output of the build, known before rendering: the base-URL
    /// rewrite needs it (empty without a base URL).
    outputs: OutputSet,
    /// Problems of the last walk of the source tree, of the data files, and
    /// of handing static files to a sink.
    walk_diagnostics: Vec<Diagnostic>,
    data_diagnostics: Vec<Diagnostic>,
    static_diagnostics: Vec<Diagnostic>,
    finish_diagnostics: Vec<Diagnostic>,
}

/// Load, render, finish: the whole site in memory.
pub fn build_site(opts: &BuildOptions) -> Result<SiteOutput, Vec<Diagnostic>> {
    let mut site = Site::load(opts)?;
    site.render_all(None);
    site.save_caches(opts.highlight_cache.as_deref());
    site.finish();
    Ok(site.into_output())
}

impl Site {
    /// Read the configuration, walk the source, load data and theme, and
    /// make the shared state of the build. Fails when there is no usable
    /// configuration or theme; a page that fails to load is reported by
    /// [`Site::diagnostics`].
    pub fn load(opts: &BuildOptions) -> Result<Site, Vec<Diagnostic>> {
        let config = opts.load_config().map_err(|d| vec![d])?;
        let mut skip = vec![opts.out_dir(&config)];
        skip.extend(opts.expanded_dir.iter().cloned());
        skip.extend(opts.bodies_dir.iter().cloned());
        let skip: Vec<PathBuf> = skip
            .iter()
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
            .collect();
        let highlight_cache = opts.highlight_cache.as_deref();
        crate::timing::stage("start");
        let highlighter = Arc::new(Highlighter::new());
        // The walk waits on the disk and on YAML; what needs no page (the data
        // files, the theme, the syntax definitions) loads beside it meanwhile.
        let (found, ((data, data_diags), theme)) = rayon::join(
            || discover_pages(&config, &skip),
            || {
                // Code blocks kept by the last build need no syntax definitions.
                if !highlight_cache.is_some_and(|p| highlighter.load_persisted(p)) {
                    highlighter.preload();
                }
                crate::timing::stage("preload");
                let data = load_data(&config.root, &config.data_dir);
                let theme = Theme::load(config.templates_dir.as_deref());
                crate::timing::stage("theme");
                (data, theme)
            },
        );
        crate::timing::stage("discover");
        let Discovered {
            pages,
            statics,
            diagnostics,
        } = found;
        let pages: Vec<Arc<SourcePage>> = pages.into_iter().map(Arc::new).collect();
        let ctx = BuildContext::new(config, data, &pages, opts.strict, theme?, highlighter)
            .map_err(|d| [diagnostics.clone(), data_diags.clone(), d].concat())?;
        crate::timing::stage("context");
        let mut site = Site {
            ctx,
            strict: opts.strict,
            one_shot: opts.one_shot,
            skip,
            sources: pages.into_iter().map(|p| (p.rel.clone(), p)).collect(),
            statics,
            pages: BTreeMap::new(),
            failures: BTreeMap::new(),
            generated: BTreeMap::new(),
            theme_files: None,
            outputs: OutputSet::default(),
            walk_diagnostics: diagnostics,
            data_diagnostics: data_diags,
            static_diagnostics: Vec::new(),
            finish_diagnostics: Vec::new(),
        };
        site.outputs = site.expected_outputs();
        Ok(site)
    }

    /// Every output the build will have, for the base-URL rewrite of each
    /// page as it is rendered: pages, statics, the theme's and the search's
    /// files, and what publishing adds. Empty without a base URL.
    fn expected_outputs(&self) -> OutputSet {
        if self.ctx.config.baseurl.is_empty() {
            return OutputSet::default();
        }
        let generated = finish::theme_files(&self.ctx).unwrap_or_default();
        let page_paths: Vec<String> = self.sources.values().map(|s| s.output_path()).collect();
        let mut set = finish::output_set(
            page_paths.iter().map(String::as_str),
            &self.statics,
            &generated,
        );
        for p in [
            crate::search::SCRIPT_PATH,
            crate::search::STYLE_PATH,
            crate::render::HOME_PATH,
            "404.html",
        ] {
            set.insert(p);
        }
        let sources: Vec<&SourcePage> = self.sources.values().map(|p| &**p).collect();
        for stub in crate::publish::redirects::collect(&sources, &set).0 {
            set.insert(&stub.out_path);
        }
        set
    }

    pub fn config(&self) -> &Config {
        &self.ctx.config
    }

    pub fn context(&self) -> &BuildContext {
        &self.ctx
    }

    /// The source pages, by path relative to the root.
    pub fn sources(&self) -> &BTreeMap<String, Arc<SourcePage>> {
        &self.sources
    }

    pub fn statics(&self) -> &[StaticFile] {
        &self.statics
    }

    /// The last good output of the page at `rel`.
    pub fn page(&self, rel: &str) -> Option<&PageOutput> {
        self.pages.get(rel).map(|s| &s.output)
    }

    /// Every page's last good output, by source path.
    pub fn pages(&self) -> impl Iterator<Item = &PageOutput> {
        self.pages.values().map(|s| &s.output)
    }

    /// The generated files of the last [`Site::finish`].
    pub fn generated(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.generated
    }

    /// Render every page (see [`Site::render`]).
    pub fn render_all(&mut self, sink: Option<&dyn PageSink>) -> Vec<String> {
        let all: Vec<String> = self.sources.keys().cloned().collect();
        self.render(&all, sink)
    }

    /// Render the pages at `rels` (source paths), in parallel, each handed to
    /// `sink` as soon as it is laid out; a sink also takes the static files,
    /// beside the pages. Returns the output paths whose HTML changed. A page
    /// that fails keeps its last good output; its errors stay until it renders.
    pub fn render(&mut self, rels: &[String], sink: Option<&dyn PageSink>) -> Vec<String> {
        let site_lang = self.ctx.config.site.get("lang").and_then(Value::as_str);
        let (ctx, sources, outputs) = (&self.ctx, &self.sources, &self.outputs);
        type Rendered = (String, Result<PageState, Vec<Diagnostic>>);
        // What needs no page body (the static files handed to the sink) is
        // done meanwhile, by whichever thread is free.
        let (results, static_diags): (Vec<Rendered>, Vec<Diagnostic>) = rayon::join(
            || {
                rels.par_iter()
                    .filter_map(|rel| sources.get(rel).map(|p| (rel, p)))
                    .map(|(rel, p)| {
                        let state = render_one(ctx, p, outputs, sink, site_lang);
                        (rel.clone(), state)
                    })
                    .collect()
            },
            || match sink {
                Some(sink) => self
                    .statics
                    .par_iter()
                    .filter_map(|s| sink.take_static(s).err())
                    .collect(),
                None => Vec::new(),
            },
        );
        crate::timing::stage("pages");
        if sink.is_some() {
            self.static_diagnostics = static_diags;
        }
        self.keep(results)
    }

    /// Keep each page's new result (or its errors); the output paths whose HTML changed.
    fn keep(&mut self, results: Vec<(String, Result<PageState, Vec<Diagnostic>>)>) -> Vec<String> {
        let mut changed = Vec::new();
        for (rel, r) in results {
            match r {
                Ok(state) => {
                    self.failures.remove(&rel);
                    let old = self.pages.get(&rel).map(|s| &s.output);
                    if old.is_none_or(|o| {
                        o.html != state.output.html || o.out_path != state.output.out_path
                    }) {
                        changed.push(state.output.out_path.clone());
                    }
                    self.pages.insert(rel, state);
                }
                Err(d) => {
                    self.failures.insert(rel, d);
                }
            }
        }
        changed
    }

    /// Lay out the pages at `rels` again from their kept bodies (their tabs
    /// or the sidebar changed); the output paths whose HTML changed.
    pub fn relayout(&mut self, rels: &[String]) -> Vec<String> {
        let (ctx, sources, pages, outputs) = (&self.ctx, &self.sources, &self.pages, &self.outputs);
        let results: Vec<(String, Result<String, Vec<Diagnostic>>)> = rels
            .par_iter()
            .filter_map(|rel| {
                let p = sources.get(rel)?;
                let st = pages.get(rel)?;
                let mut rendered = st.output.rendered.clone();
                let html = page::guarded(rel, || {
                    layout_page(ctx, p, &page_value(p), &mut rendered, outputs)
                });
                Some((rel.clone(), html))
            })
            .collect();
        let mut changed = Vec::new();
        for (rel, r) in results {
            match r {
                Ok(html) => {
                    let st = self.pages.get_mut(&rel).expect("laid out pages exist");
                    if st.output.html != html {
                        st.output.html = html;
                        changed.push(st.output.out_path.clone());
                    }
                }
                Err(d) => {
                    self.failures.insert(rel, d);
                }
            }
        }
        changed
    }

    /// Read the page at `rel` again; whether its text changed.
    pub fn reload_page(&mut self, rel: &str) -> Result<bool, Diagnostic> {
        let Some(old) = self.sources.get(rel) else {
            return Ok(false);
        };
        let p = load_page(&self.ctx.config.root.join(rel), rel, &old.content_rel)?;
        let changed = old.text != p.text;
        self.sources.insert(rel.to_string(), Arc::new(p));
        Ok(changed)
    }

    /// Walk the source tree again; see [`Rediscovered`].
    pub fn rediscover(&mut self) -> Rediscovered {
        let found = discover_pages(&self.ctx.config, &self.skip);
        let mut new_pages: BTreeMap<String, Arc<SourcePage>> = found
            .pages
            .into_iter()
            .map(|p| (p.rel.clone(), Arc::new(p)))
            .collect();
        let mut r = Rediscovered::default();
        self.walk_diagnostics = found.diagnostics;
        for (rel, p) in &new_pages {
            if self.sources.get(rel).is_none_or(|old| old.text != p.text) {
                r.changed.push(rel.clone());
            }
        }
        for (rel, old) in &self.sources {
            if new_pages.contains_key(rel) {
                continue;
            }
            // A page that is still there but failed to load keeps its last good output.
            let failed = self
                .walk_diagnostics
                .iter()
                .any(|d| d.file == Path::new(rel));
            if failed && self.ctx.config.root.join(rel).is_file() {
                new_pages.insert(rel.clone(), old.clone());
            } else {
                r.removed.push(rel.clone());
            }
        }
        for rel in &r.removed {
            self.failures.remove(rel);
            if let Some(st) = self.pages.remove(rel) {
                r.removed_outputs.push(st.output.out_path);
            }
        }
        let known: BTreeSet<&String> = self.statics.iter().map(|s| &s.out_rel).collect();
        r.statics_added = found
            .statics
            .iter()
            .filter(|s| !known.contains(&s.out_rel))
            .map(|s| s.out_rel.clone())
            .collect();
        r.pages_added_or_removed = new_pages.len() != self.sources.len()
            || new_pages
                .keys()
                .zip(self.sources.keys())
                .any(|(a, b)| a != b);
        self.sources = new_pages;
        self.statics = found.statics;
        self.outputs = self.expected_outputs();
        r
    }

    /// Load the data files again and remake the shared state with them
    /// (on failure, the last good state stays).
    pub fn reload_data(&mut self) -> Result<(), Vec<Diagnostic>> {
        let config = &self.ctx.config;
        let (data, diags) = load_data(&config.root, &config.data_dir);
        self.data_diagnostics = diags;
        self.theme_files = None;
        let theme = Theme::load(config.templates_dir.as_deref())?;
        // The session's highlighter goes on: most code blocks did not change.
        let highlighter = Arc::clone(&self.ctx.highlighter);
        let pages: Vec<Arc<SourcePage>> = self.sources.values().cloned().collect();
        self.ctx = BuildContext::new(
            config.clone(),
            data,
            &pages,
            self.strict,
            theme,
            highlighter,
        )?;
        Ok(())
    }

    /// Make the guides' catalog and the shared parts of the theme again
    /// (after front matter that feeds them changed); returns the old ones.
    pub fn refresh_catalog(
        &mut self,
    ) -> Result<(crate::guide::Catalog, crate::render::Shared), Diagnostic> {
        self.theme_files = None;
        self.ctx.set_catalog(self.sources.values().map(|p| &**p))
    }

    /// Make what needs every page: the theme's files, the search index and
    /// the publishing files; check the whole output. Returns the generated
    /// paths whose bytes changed since the last finish.
    pub fn finish(&mut self) -> Vec<String> {
        let mut diags = Vec::new();
        let ctx = &self.ctx;
        let theme = self
            .theme_files
            .get_or_insert_with(|| finish::theme_files(ctx));
        let mut generated = match theme {
            Ok(g) => g.clone(),
            Err(d) => {
                diags.push(d.clone());
                BTreeMap::new()
            }
        };
        // Search first: its files must exist when publish looks at what the
        // site has, and 404.html (added by publish) is not indexed.
        generated.extend(crate::search::files(
            self.pages.values().filter_map(|s| s.search.as_ref()),
        ));
        crate::timing::stage("search");
        let rendered: Vec<&SourcePage> = self
            .pages
            .keys()
            .filter_map(|rel| self.sources.get(rel).map(|p| &**p))
            .collect();
        diags.extend(finish::publish(
            &self.ctx,
            &rendered,
            &self.statics,
            &mut generated,
            &self.outputs,
        ));
        crate::timing::stage("publish");
        diags.extend(finish::duplicate_outputs(
            self.pages(),
            &self.statics,
            &generated,
        ));
        let changed = generated
            .iter()
            .filter(|(k, v)| self.generated.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .chain(
                self.generated
                    .keys()
                    .filter(|k| !generated.contains_key(*k))
                    .cloned(),
            )
            .collect();
        self.generated = generated;
        self.finish_diagnostics = diags;
        changed
    }

    /// Keeps highlighted code blocks for the next build (see
    /// [`Highlighter::save_persisted`]), then, for a one-shot build, drops
    /// the caches only a later build would use.
    pub fn save_caches(&self, highlight_cache: Option<&Path>) {
        if let Some(path) = highlight_cache {
            self.ctx.highlighter.save_persisted(path);
        }
        if self.one_shot {
            self.ctx.highlighter.forget();
            // Parsed includes and templates: what remains needs few of them.
            self.ctx.liquid.clear_cache();
            release_freed_memory();
        }
    }

    /// Every warning and error of the build so far, relative to the source
    /// root and sorted by path (all errors under `--strict`).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut diags: Vec<Diagnostic> = [
            &self.walk_diagnostics,
            &self.data_diagnostics,
            &self.static_diagnostics,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        for st in self.pages.values() {
            if !self.failures.contains_key(&st.output.source) {
                diags.extend(st.output.rendered.warnings.iter().cloned());
            }
        }
        diags.extend(self.failures.values().flatten().cloned());
        diags.extend(self.finish_diagnostics.iter().cloned());
        if self.strict {
            for d in diags.iter_mut() {
                d.severity = Severity::Error;
            }
        }
        relative_to_root(&mut diags, &self.ctx.config.root);
        sort_and_dedup(&mut diags);
        diags
    }

    /// The errors of each page that failed its last render, by source path.
    pub fn failures(&self) -> &BTreeMap<String, Vec<Diagnostic>> {
        &self.failures
    }

    /// The whole build as one value (what a caller that keeps no [`Site`] needs).
    pub fn into_output(self) -> SiteOutput {
        let diagnostics = self.diagnostics();
        SiteOutput {
            pages: self.pages.into_values().map(|s| s.output).collect(),
            generated: self.generated,
            statics: self.statics,
            sources: self
                .sources
                .into_values()
                .map(Arc::unwrap_or_clone)
                .collect(),
            diagnostics,
        }
    }
}

/// One page rendered, prepared for search while its body is at hand, and
/// handed to the sink.
fn render_one(
    ctx: &BuildContext,
    p: &SourcePage,
    outputs: &OutputSet,
    sink: Option<&dyn PageSink>,
    site_lang: Option<&str>,
) -> Result<PageState, Vec<Diagnostic>> {
    let mut page = page::render_page_guarded(ctx, p, outputs)?;
    let to_index = crate::search::PageToIndex {
        out_path: &page.out_path,
        front: &p.front,
        body_html: &page.rendered.html,
        headings: &page.rendered.headings,
    };
    let search = crate::search::prepare(&to_index, site_lang);
    if let Some(sink) = sink {
        sink.take(&mut page).map_err(|d| vec![d])?;
        page.rendered.html = String::new();
    }
    Ok(PageState {
        output: page,
        search,
    })
}

/// The pages and static files of the source tree: the walk, then (for a
/// Jekyll site) its posts and permalinks.
fn discover_pages(config: &Config, skip: &[PathBuf]) -> Discovered {
    let mut found = discover(config, skip);
    crate::posts::complete_discovery(config, skip, &mut found);
    found
}

/// Hands the memory the rendering freed back to the system. glibc keeps it
/// in the arenas of the threads that freed it, which the search index, made
/// mostly on the main thread, does not reuse: the build's peak would hold both.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// What a new walk of the source tree found (see [`Site::rediscover`]).
#[derive(Debug, Default)]
pub struct Rediscovered {
    /// Pages that are new or whose text changed (source paths).
    pub changed: Vec<String>,
    /// Pages that are gone (source paths), and the outputs they had.
    pub removed: Vec<String>,
    pub removed_outputs: Vec<String>,
    /// Static files that are new (output paths).
    pub statics_added: Vec<String>,
    /// The set of pages changed (the catalog may have).
    pub pages_added_or_removed: bool,
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
