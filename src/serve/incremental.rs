//! Incremental rebuilds for `serve`.
//!
//! The first build records, for every page, what it read: its own file, the
//! includes it pulled in (`Expanded::deps`), the data files it names
//! (`site.data.<key>`, see [`DataUse`]), and its front matter facts (title,
//! order, heading...) that feed the guide tabs and the sidebar. A change is
//! then classified, and only what depends on it is redone:
//!
//! * an edited page: that page (and, if its title/order/heading/layout
//!   changed, a re-layout of its guide's pages, or of every page when the
//!   sidebar changed);
//! * an include: the pages whose expansion read it;
//! * a data file: the pages that name its key;
//! * a static file: nothing is rendered (statics are served from the source);
//! * a file that appeared or disappeared: the tree is walked again and the
//!   pages that changed are rendered;
//! * the configuration or the theme (`templates/`): everything.
//!
//! A page that fails keeps its last good output; its errors are kept until a
//! later rebuild succeeds, and pages in error are retried on every change.

use crate::config::Config;
use crate::data::load_data;
use crate::diag::{Diagnostic, Severity};
use crate::guide::Catalog;
use crate::markdown::Rendered;
use crate::site::{
    generated_files, layout_page, make_context, page_meta, page_value, render_page, BuildContext,
};
use crate::source::{discover, load_page, SourcePage};
use axum::body::Bytes;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// The last good rendering of one page.
#[derive(Debug, Clone)]
pub struct PageState {
    pub out_path: String,
    pub html: Bytes,
    pub rendered: Rendered,
    /// Files read while expanding, relative to the root (forward slashes).
    pub deps: Vec<String>,
    pub data: DataUse,
    pub warnings: Vec<Diagnostic>,
    /// What the search index keeps of the page (None: `search: false`).
    pub search: Option<crate::search::Prepared>,
}

/// What a served file is.
#[derive(Debug, Clone)]
pub enum Entry {
    Bytes(Bytes),
    /// A static file, read from the source tree when requested.
    File(PathBuf),
}

/// What one rebuild did, for the console and the reload message.
#[derive(Debug, Clone, Default)]
pub struct Rebuild {
    /// Why: "page", "include", "data", "new or removed files", "config or theme"...
    pub cause: Vec<String>,
    /// Sources rendered again (Liquid, Markdown and layout), sorted.
    pub rebuilt: Vec<String>,
    /// Pages only laid out again (tabs or sidebar changed).
    pub relaid: Vec<String>,
    /// Everything was rebuilt.
    pub full: bool,
    /// Output paths (relative to the site root) of pages whose HTML changed.
    pub changed: Vec<String>,
    /// Output paths of stylesheets that changed.
    pub css: Vec<String>,
    /// Output paths of other files that changed (images, scripts...).
    pub assets: Vec<String>,
    pub elapsed: Duration,
    /// The site has errors after this rebuild.
    pub failed: bool,
}

impl Rebuild {
    /// One console line: what was rebuilt and how long it took.
    pub fn summary(&self) -> String {
        let ms = self.elapsed.as_secs_f64() * 1000.0;
        let what = if self.full {
            format!("full rebuild: {} page(s)", self.rebuilt.len())
        } else if self.rebuilt.is_empty() {
            "no page rebuilt".to_string()
        } else if self.rebuilt.len() <= 5 {
            format!("rebuilt {}", self.rebuilt.join(", "))
        } else {
            format!(
                "rebuilt {} pages ({}, ...)",
                self.rebuilt.len(),
                self.rebuilt[..3].join(", ")
            )
        };
        let mut s = format!("{} ({}): {what}", ms_str(ms), self.cause.join(", "));
        if !self.relaid.is_empty() {
            s.push_str(&format!(", re-laid out {} page(s)", self.relaid.len()));
        }
        if !self.css.is_empty() || !self.assets.is_empty() {
            s.push_str(&format!(
                ", {} stylesheet(s) and {} other file(s) changed",
                self.css.len(),
                self.assets.len()
            ));
        }
        if self.failed {
            s.push_str(" — with errors (the last good pages are served)");
        }
        s
    }
}

fn ms_str(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// The site as `serve` keeps it between rebuilds.
pub struct LiveSite {
    source: PathBuf,
    skip: Vec<PathBuf>,
    pub config: Config,
    pages: BTreeMap<String, SourcePage>,
    ctx: BuildContext,
    out: BTreeMap<String, PageState>,
    /// Output path → source file.
    statics: BTreeMap<String, PathBuf>,
    generated: BTreeMap<String, Bytes>,
    /// Errors by origin ("page:<rel>", "discover", "data", "context", "generated", "config").
    errors: BTreeMap<String, Vec<Diagnostic>>,
}

/// Errors found while walking the tree, by file; replaced by the next walk.
fn discover_key(d: &Diagnostic) -> String {
    format!("discover:{}", d.file.to_string_lossy().replace('\\', "/"))
}

fn only_errors(v: Vec<Diagnostic>) -> Vec<Diagnostic> {
    v.into_iter().filter(Diagnostic::is_error).collect()
}

impl LiveSite {
    /// Load the configuration and build everything. Fails only when there is
    /// no usable configuration or theme; page errors are kept for the overlay.
    pub fn load(source: &Path, skip: Vec<PathBuf>) -> Result<LiveSite, Vec<Diagnostic>> {
        let config = Config::load(source).map_err(|d| vec![d])?;
        let skip: Vec<PathBuf> = skip
            .iter()
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
            .collect();
        let found = discover(&config, &skip);
        let (data, data_diags) = load_data(&config.root, &config.data_dir);
        let ctx = make_context(config.clone(), data, &found.pages, false)?;
        let mut site = LiveSite {
            source: source.to_path_buf(),
            skip,
            config,
            pages: found
                .pages
                .into_iter()
                .map(|p| (p.rel.clone(), p))
                .collect(),
            ctx,
            out: BTreeMap::new(),
            statics: found
                .statics
                .into_iter()
                .map(|s| (s.out_rel, s.abs))
                .collect(),
            generated: BTreeMap::new(),
            errors: BTreeMap::new(),
        };
        for d in only_errors(found.diagnostics) {
            site.errors.entry(discover_key(&d)).or_default().push(d);
        }
        site.set_errors("data", only_errors(data_diags));
        site.regenerate();
        let all: Vec<String> = site.pages.keys().cloned().collect();
        site.render(&all, &mut HashMap::new());
        site.reindex();
        Ok(site)
    }

    pub fn root(&self) -> &Path {
        &self.config.root
    }

    pub fn page_count(&self) -> usize {
        self.out.len()
    }

    /// Every error, sorted by file.
    pub fn errors(&self) -> Vec<Diagnostic> {
        let mut v: Vec<Diagnostic> = self.errors.values().flatten().cloned().collect();
        crate::diag::sort_and_dedup(&mut v);
        v
    }

    pub fn warnings(&self) -> Vec<Diagnostic> {
        let mut v: Vec<Diagnostic> = self
            .out
            .values()
            .flat_map(|p| p.warnings.iter().cloned())
            .collect();
        crate::diag::sort_and_dedup(&mut v);
        v
    }

    /// Pages (by source) that read `dep` (a path relative to the root).
    pub fn dependents(&self, dep: &str) -> Vec<String> {
        self.out
            .iter()
            .filter(|(_, s)| s.deps.iter().any(|d| d == dep))
            .map(|(rel, _)| rel.clone())
            .collect()
    }

    /// Record a failure of elementdocs itself (a panic during a rebuild);
    /// it is shown like any error until the next rebuild.
    pub fn set_internal_error(&mut self, d: Diagnostic) {
        self.set_errors("internal", vec![d]);
    }

    fn set_errors(&mut self, key: &str, errs: Vec<Diagnostic>) {
        if errs.is_empty() {
            self.errors.remove(key);
        } else {
            self.errors.insert(key.to_string(), errs);
        }
    }

    /// Every served file: pages, generated files, statics.
    pub fn files(&self) -> HashMap<String, Entry> {
        let mut m = HashMap::with_capacity(self.out.len() + self.statics.len() + 8);
        for (out, abs) in &self.statics {
            m.insert(out.clone(), Entry::File(abs.clone()));
        }
        for (out, b) in &self.generated {
            m.insert(out.clone(), Entry::Bytes(b.clone()));
        }
        for st in self.out.values() {
            m.insert(st.out_path.clone(), Entry::Bytes(st.html.clone()));
        }
        m
    }

    fn regenerate(&mut self) -> Vec<String> {
        let mut changed = Vec::new();
        match generated_files(&self.ctx) {
            Ok(g) => {
                let new: BTreeMap<String, Bytes> =
                    g.into_iter().map(|(k, v)| (k, Bytes::from(v))).collect();
                for (k, v) in &new {
                    if self.generated.get(k) != Some(v) {
                        changed.push(k.clone());
                    }
                }
                changed.extend(
                    self.generated
                        .keys()
                        .filter(|k| !new.contains_key(*k))
                        .cloned(),
                );
                self.generated = new;
                self.set_errors("generated", Vec::new());
            }
            Err(d) => self.set_errors("generated", vec![d]),
        }
        changed
    }

    /// The search files again, from every page's kept search entry.
    fn reindex(&mut self) {
        let files = crate::search::files(self.out.values().filter_map(|p| p.search.as_ref()));
        let wanted: BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        self.generated
            .retain(|k, _| !k.starts_with(crate::search::INDEX_DIR) || wanted.contains(k.as_str()));
        for (path, bytes) in files {
            if self.generated.get(&path).is_none_or(|b| b[..] != bytes[..]) {
                self.generated.insert(path, Bytes::from(bytes));
            }
        }
    }

    /// Render `rels` fully; returns the output paths whose HTML changed.
    fn render(
        &mut self,
        rels: &[String],
        texts: &mut HashMap<String, Option<String>>,
    ) -> Vec<String> {
        let ctx = &self.ctx;
        let pages = &self.pages;
        type Rendered = (crate::site::PageOutput, Option<crate::search::Prepared>);
        let site_lang = ctx
            .config
            .site
            .get("lang")
            .and_then(serde_json::Value::as_str);
        let results: Vec<(String, Result<Rendered, Vec<Diagnostic>>)> = rels
            .par_iter()
            .filter_map(|rel| {
                let p = pages.get(rel)?;
                let r = render_page(ctx, p).map(|po| {
                    let to_index = crate::search::PageToIndex {
                        out_path: &po.out_path,
                        front: &p.front,
                        body_html: &po.rendered.html,
                        headings: &po.rendered.headings,
                    };
                    let search = crate::search::prepare(&to_index, site_lang);
                    (po, search)
                });
                Some((rel.clone(), r))
            })
            .collect();
        let mut changed = Vec::new();
        for (rel, r) in results {
            let key = format!("page:{rel}");
            match r {
                Ok((po, search)) => {
                    let errs: Vec<Diagnostic> = po
                        .rendered
                        .warnings
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .cloned()
                        .collect();
                    self.set_errors(&key, errs);
                    let deps: Vec<String> = po
                        .deps
                        .iter()
                        .map(|d| d.to_string_lossy().replace('\\', "/"))
                        .collect();
                    let mut data = DataUse::None;
                    DataUse::scan(&self.pages[&rel].text, &mut data);
                    for d in &deps {
                        let t = texts.entry(d.clone()).or_insert_with(|| {
                            std::fs::read_to_string(self.config.root.join(d)).ok()
                        });
                        if let Some(t) = t {
                            DataUse::scan(t, &mut data);
                        }
                    }
                    let html = Bytes::from(po.html);
                    let prev = self.out.get(&rel);
                    if prev.is_none_or(|p| p.html != html || p.out_path != po.out_path) {
                        changed.push(po.out_path.clone());
                    }
                    let warnings = po.rendered.warnings.clone();
                    self.out.insert(
                        rel,
                        PageState {
                            out_path: po.out_path,
                            html,
                            rendered: po.rendered,
                            deps,
                            data,
                            warnings,
                            search,
                        },
                    );
                }
                Err(d) => self.set_errors(&key, d),
            }
        }
        changed
    }

    /// Lay out `rels` again from their kept bodies (tabs or sidebar changed).
    fn relayout(&mut self, rels: &[String]) -> Vec<String> {
        let ctx = &self.ctx;
        let pages = &self.pages;
        let out = &self.out;
        let results: Vec<(String, Result<String, Vec<Diagnostic>>)> = rels
            .par_iter()
            .filter_map(|rel| {
                let p = pages.get(rel)?;
                let st = out.get(rel)?;
                let mut rendered = st.rendered.clone();
                Some((
                    rel.clone(),
                    layout_page(ctx, p, &page_value(p), &mut rendered),
                ))
            })
            .collect();
        let mut changed = Vec::new();
        for (rel, r) in results {
            match r {
                Ok(html) => {
                    let st = self.out.get_mut(&rel).expect("laid out pages exist");
                    if st.html != html.as_bytes() {
                        st.html = Bytes::from(html);
                        changed.push(st.out_path.clone());
                    }
                }
                Err(d) => self.set_errors(&format!("page:{rel}"), d),
            }
        }
        changed
    }

    /// Rebuild after the files in `paths` changed (absolute paths, as the
    /// watcher reports them). Never fails: errors are kept for the overlay.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Rebuild {
        let started = Instant::now();
        self.errors.remove("internal");
        let mut rb = Rebuild::default();
        let root = self.config.root.clone();
        let mut cause = BTreeSet::new();
        let mut edited: BTreeSet<String> = BTreeSet::new();
        let mut deps_changed: BTreeSet<String> = BTreeSet::new();
        let mut data_keys: BTreeSet<String> = BTreeSet::new();
        let mut rediscover = false;
        let mut full = false;
        let mut statics_changed: Vec<String> = Vec::new();
        let static_at = |abs: &Path| {
            self.statics
                .iter()
                .find(|(_, a)| a.as_path() == abs)
                .map(|(o, _)| o)
        };
        let all_deps: BTreeSet<&str> = self
            .out
            .values()
            .flat_map(|s| s.deps.iter().map(String::as_str))
            .collect();
        for abs in paths {
            let Ok(rel_path) = abs.strip_prefix(&root) else {
                continue;
            };
            let rel = rel_path.to_string_lossy().replace('\\', "/");
            if rel_path == self.config.file
                || self
                    .config
                    .templates_dir
                    .as_ref()
                    .is_some_and(|t| abs.starts_with(t))
                || (rel_path.components().count() == 1 && rel == "templates")
            {
                cause.insert("config or theme");
                full = true;
            } else if abs.starts_with(&self.config.data_dir) {
                cause.insert("data");
                let under = abs.strip_prefix(&self.config.data_dir).unwrap_or(abs);
                let first = under
                    .components()
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .unwrap_or_default();
                let key = if under.components().count() > 1 {
                    first
                } else {
                    first
                        .rsplit_once('.')
                        .map(|(s, _)| s.to_string())
                        .unwrap_or(first)
                };
                data_keys.insert(key);
            } else if self.pages.contains_key(&rel) {
                if abs.is_file() {
                    cause.insert("page");
                    edited.insert(rel.clone());
                } else {
                    cause.insert("removed files");
                    rediscover = true;
                }
                if all_deps.contains(rel.as_str()) {
                    deps_changed.insert(rel);
                }
            } else if all_deps.contains(rel.as_str()) {
                cause.insert("include");
                deps_changed.insert(rel.clone());
                if let Some(out) = static_at(abs) {
                    statics_changed.push((*out).clone());
                }
            } else if let Some(out) = static_at(abs) {
                let page_like = matches!(
                    abs.extension().and_then(|e| e.to_str()),
                    Some("md" | "markdown" | "mkdown" | "mkdn" | "mkd" | "html")
                );
                if !abs.is_file() || page_like {
                    // Removed, or it may have become a page.
                    cause.insert("new or removed files");
                    rediscover = true;
                }
                cause.insert("static file");
                statics_changed.push((*out).clone());
            } else if abs.starts_with(&self.config.includes_dir) {
                // An include no page reads: only pages in error may want it.
                cause.insert("include");
            } else {
                cause.insert("new or removed files");
                rediscover = true;
            }
        }
        rb.cause = cause.into_iter().map(String::from).collect();
        // The Liquid engine keeps parsed includes: forget them unless only
        // pages no other page reads were edited.
        if edited.len() != paths.len() || !deps_changed.is_empty() || rediscover {
            self.ctx.liquid.clear_cache();
        }
        if full {
            return self.full_rebuild(rb, started);
        }

        let mut texts: HashMap<String, Option<String>> = HashMap::new();
        let mut render_set: BTreeSet<String> = BTreeSet::new();
        let mut catalog_dirty = false;
        // Front matter facts of the pages replaced below, before the change.
        let mut old_metas: HashMap<String, crate::guide::PageMeta> = HashMap::new();

        if rediscover {
            let found = discover(&self.config, &self.skip);
            self.errors.retain(|k, _| !k.starts_with("discover:"));
            for d in only_errors(found.diagnostics) {
                self.errors.entry(discover_key(&d)).or_default().push(d);
            }
            let mut new_pages: BTreeMap<String, SourcePage> = found
                .pages
                .into_iter()
                .map(|p| (p.rel.clone(), p))
                .collect();
            for (rel, p) in new_pages.iter_mut() {
                match self.pages.get(rel) {
                    Some(old) if old.text == p.text => {}
                    Some(old) => {
                        old_metas.insert(rel.clone(), page_meta(old));
                        render_set.insert(rel.clone());
                    }
                    None => {
                        render_set.insert(rel.clone());
                    }
                }
            }
            let removed: Vec<String> = self
                .pages
                .keys()
                .filter(|k| !new_pages.contains_key(*k))
                .cloned()
                .collect();
            // A page whose file fails to load keeps its last good output.
            for rel in &removed {
                let failed = self.errors.contains_key(&format!("discover:{rel}"))
                    || self.errors.contains_key(&format!("load:{rel}"));
                if failed && root.join(rel).is_file() {
                    new_pages.insert(rel.clone(), self.pages[rel].clone());
                } else {
                    for k in ["page", "load"] {
                        self.errors.remove(&format!("{k}:{rel}"));
                    }
                    if let Some(st) = self.out.remove(rel) {
                        rb.changed.push(st.out_path);
                    }
                }
            }
            if new_pages.len() != self.pages.len()
                || new_pages.keys().zip(self.pages.keys()).any(|(a, b)| a != b)
            {
                catalog_dirty = true;
            }
            self.pages = new_pages;
            let new_statics: BTreeMap<String, PathBuf> = found
                .statics
                .into_iter()
                .map(|s| (s.out_rel, s.abs))
                .collect();
            for k in new_statics.keys() {
                if !self.statics.contains_key(k) {
                    statics_changed.push(k.clone());
                }
            }
            self.statics = new_statics;
        }

        for rel in &edited {
            let abs = root.join(rel);
            let content_rel = self.pages[rel].content_rel.clone();
            match load_page(&abs, rel, &content_rel) {
                Ok(p) => {
                    self.errors.remove(&format!("load:{rel}"));
                    if self.pages[rel].text != p.text {
                        render_set.insert(rel.clone());
                        old_metas
                            .entry(rel.clone())
                            .or_insert_with(|| page_meta(&self.pages[rel]));
                    }
                    self.pages.insert(rel.clone(), p);
                }
                Err(d) => self.set_errors(&format!("load:{rel}"), vec![d]),
            }
        }

        for dep in &deps_changed {
            render_set.extend(self.dependents(dep));
        }

        if !data_keys.is_empty() {
            let (data, diags) = load_data(&self.config.root, &self.config.data_dir);
            self.set_errors("data", only_errors(diags));
            let pages: Vec<SourcePage> = self.pages.values().cloned().collect();
            match make_context(self.config.clone(), data, &pages, false) {
                Ok(ctx) => {
                    self.ctx = ctx;
                    self.set_errors("context", Vec::new());
                }
                Err(d) => self.set_errors("context", d),
            }
            for (rel, st) in &self.out {
                if st.data.uses_any(&data_keys) {
                    render_set.insert(rel.clone());
                }
            }
            statics_changed.extend(self.regenerate());
        }

        // Pages in error are retried on every change.
        for k in self.errors.keys() {
            if let Some(rel) = k.strip_prefix("page:") {
                if self.pages.contains_key(rel) {
                    render_set.insert(rel.to_string());
                }
            }
        }

        // Tabs and sidebars: did any page's front matter facts change?
        for (rel, m) in &old_metas {
            match self.pages.get(rel) {
                Some(p) if same_meta(m, &page_meta(p)) => {}
                _ => catalog_dirty = true,
            }
        }
        let mut relayout: BTreeSet<String> = BTreeSet::new();
        if catalog_dirty {
            let metas: Vec<_> = self.pages.values().map(page_meta).collect();
            let catalog = Catalog::build(&metas);
            match self
                .ctx
                .theme
                .render_shared(&catalog, &self.ctx.site, &self.config.baseurl)
            {
                Ok(shared) => {
                    let sidebar_changed = shared.sidebar != self.ctx.shared.sidebar;
                    let changed_dirs = changed_guides(&self.ctx.catalog, &catalog);
                    self.ctx.catalog = catalog;
                    self.ctx.shared = shared;
                    for (rel, p) in &self.pages {
                        let dir = &page_meta(p).dir;
                        if sidebar_changed || changed_dirs.contains(dir) {
                            relayout.insert(rel.clone());
                        }
                    }
                    self.set_errors("context", Vec::new());
                }
                Err(d) => self.set_errors("context", vec![d]),
            }
            statics_changed.extend(self.regenerate());
        }

        let render_list: Vec<String> = render_set.iter().cloned().collect();
        rb.changed.extend(self.render(&render_list, &mut texts));
        let relayout_list: Vec<String> = relayout
            .iter()
            .filter(|r| !render_set.contains(*r))
            .cloned()
            .collect();
        rb.changed.extend(self.relayout(&relayout_list));
        rb.relaid = relayout_list;
        rb.rebuilt = render_list;
        self.finish(rb, statics_changed, started)
    }

    fn full_rebuild(&mut self, mut rb: Rebuild, started: Instant) -> Rebuild {
        match LiveSite::load(&self.source, self.skip.clone()) {
            Ok(new) => {
                let mut changed = Vec::new();
                for (rel, st) in &new.out {
                    if self.out.get(rel).is_none_or(|o| o.html != st.html) {
                        changed.push(st.out_path.clone());
                    }
                }
                for (rel, st) in &self.out {
                    if !new.out.contains_key(rel) {
                        changed.push(st.out_path.clone());
                    }
                }
                let mut others: Vec<String> = new
                    .generated
                    .iter()
                    .filter(|(k, v)| self.generated.get(*k) != Some(*v))
                    .map(|(k, _)| k.clone())
                    .collect();
                others.extend(
                    new.statics
                        .keys()
                        .filter(|k| !self.statics.contains_key(*k))
                        .cloned(),
                );
                rb.rebuilt = new.out.keys().cloned().collect();
                rb.changed = changed;
                *self = new;
                rb.full = true;
                self.finish(rb, others, started)
            }
            Err(d) => {
                self.set_errors("config", d);
                self.finish(rb, Vec::new(), started)
            }
        }
    }

    fn finish(&mut self, mut rb: Rebuild, others: Vec<String>, started: Instant) -> Rebuild {
        if !rb.full {
            self.errors.remove("config");
            // The open pages need no reload for it: the box loads the
            // index when a query is typed.
            self.reindex();
        }
        for o in others {
            if o.ends_with(".css") {
                rb.css.push(o);
            } else if o.ends_with(".html") || o.ends_with(".htm") {
                rb.changed.push(o);
            } else {
                rb.assets.push(o);
            }
        }
        for v in [&mut rb.changed, &mut rb.css, &mut rb.assets] {
            v.sort();
            v.dedup();
        }
        rb.failed = !self.errors.is_empty();
        rb.elapsed = started.elapsed();
        rb
    }
}

fn same_meta(a: &crate::guide::PageMeta, b: &crate::guide::PageMeta) -> bool {
    a.out_path == b.out_path
        && a.dir == b.dir
        && a.layout == b.layout
        && a.title == b.title
        && a.heading == b.heading
        && a.order == b.order
        && a.hub == b.hub
        && a.auth == b.auth
}

/// Folders whose guide (heading, tabs...) differs between two catalogs.
fn changed_guides(old: &Catalog, new: &Catalog) -> BTreeSet<String> {
    let as_json = |c: &Catalog| -> HashMap<String, String> {
        c.guides
            .iter()
            .map(|g| (g.dir.clone(), serde_json::to_string(g).unwrap_or_default()))
            .collect()
    };
    let (o, n) = (as_json(old), as_json(new));
    let mut dirs = BTreeSet::new();
    for (d, j) in &n {
        if o.get(d) != Some(j) {
            dirs.insert(d.clone());
        }
    }
    for d in o.keys() {
        if !n.contains_key(d) {
            dirs.insert(d.clone());
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, LiveSite) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in [
            ("_config.yml", "title: t\n"),
            ("_includes/note.html", "NOTE\n"),
            ("_data/glossary.yml", "a: 1\n"),
            ("_data/other.yml", "b: 2\n"),
            ("a.md", "---\ntitle: A\n---\nA {% include note.html %}\n"),
            ("b.md", "---\ntitle: B\n---\nB {{ site.data.glossary.a }}\n"),
            ("c.md", "---\ntitle: C\n---\nC\n"),
        ] {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let s = LiveSite::load(dir.path(), vec![dir.path().join("public")]).unwrap();
        (dir, s)
    }

    #[test]
    fn a_change_rebuilds_only_its_dependents() {
        let (_dir, mut s) = site();
        let root = s.root().to_path_buf();
        assert_eq!(s.page_count(), 3);
        // The include graph comes from the Liquid engine's `deps`; set it
        // here so this test does not depend on the engine.
        s.out.get_mut("a.md").unwrap().deps = vec!["_includes/note.html".into()];
        let rb = s.apply(&[root.join("_includes/note.html")]);
        assert_eq!(rb.rebuilt, ["a.md"]);
        assert!(!rb.full);

        std::fs::write(root.join("c.md"), "---\ntitle: C\n---\nC2\n").unwrap();
        let rb = s.apply(&[root.join("c.md")]);
        assert_eq!(rb.rebuilt, ["c.md"]);
        assert_eq!(rb.changed, ["c.html"]);

        std::fs::write(root.join("_data/glossary.yml"), "a: 2\n").unwrap();
        let rb = s.apply(&[root.join("_data/glossary.yml")]);
        assert_eq!(rb.rebuilt, ["b.md"]);
        std::fs::write(root.join("_data/other.yml"), "b: 3\n").unwrap();
        let rb = s.apply(&[root.join("_data/other.yml")]);
        assert!(rb.rebuilt.is_empty());

        let rb = s.apply(&[root.join("_config.yml")]);
        assert!(rb.full);
        assert_eq!(rb.rebuilt.len(), 3);
    }

    #[test]
    fn a_title_change_relays_its_guide_and_a_heading_change_the_sidebars() {
        let dir = tempfile::tempdir().unwrap();
        let guide = "layout: sidebarelementdoc";
        for (rel, text) in [
            ("_config.yml", "title: t\n".to_string()),
            (
                "docs/x/index.md",
                format!("---\n{guide}\ntitle: Overview\nheading: Xylo\norder: 1\n---\nX\n"),
            ),
            (
                "docs/x/setup.md",
                format!("---\n{guide}\ntitle: Setup\norder: 2\n---\nS\n"),
            ),
            (
                "docs/y/index.md",
                format!("---\n{guide}\ntitle: Overview\nheading: Yak\norder: 1\n---\nY\n"),
            ),
        ] {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut s = LiveSite::load(dir.path(), vec![]).unwrap();
        if s.ctx.catalog.guides.is_empty() {
            eprintln!("skipped: this build's theme makes no guides");
            return;
        }
        let root = s.root().to_path_buf();
        let html = |s: &LiveSite, out: &str| match &s.files()[out] {
            Entry::Bytes(b) => String::from_utf8(b.to_vec()).unwrap(),
            Entry::File(_) => unreachable!(),
        };
        assert!(html(&s, "docs/x/index.html").contains("Setup"));
        std::fs::write(
            root.join("docs/x/setup.md"),
            format!("---\n{guide}\ntitle: Installing\norder: 2\n---\nS\n"),
        )
        .unwrap();
        let rb = s.apply(&[root.join("docs/x/setup.md")]);
        assert_eq!(rb.rebuilt, ["docs/x/setup.md"]);
        assert!(rb.relaid.contains(&"docs/x/index.md".to_string()), "{rb:?}");
        assert!(
            html(&s, "docs/x/index.html").contains("Installing"),
            "tabs updated"
        );
        assert!(rb.changed.contains(&"docs/x/index.html".to_string()));

        // A guide heading is in every page's sidebar.
        std::fs::write(
            root.join("docs/x/index.md"),
            format!("---\n{guide}\ntitle: Overview\nheading: Xylophone\norder: 1\n---\nX\n"),
        )
        .unwrap();
        let rb = s.apply(&[root.join("docs/x/index.md")]);
        assert_eq!(rb.rebuilt, ["docs/x/index.md"]);
        if html(&s, "docs/y/index.html").contains("Xylophone") {
            assert!(rb.relaid.contains(&"docs/y/index.md".to_string()), "{rb:?}");
        }
        // Content-only edits do not touch the other pages.
        std::fs::write(
            root.join("docs/x/index.md"),
            format!("---\n{guide}\ntitle: Overview\nheading: Xylophone\norder: 1\n---\nX2\n"),
        )
        .unwrap();
        let rb = s.apply(&[root.join("docs/x/index.md")]);
        assert_eq!(rb.rebuilt, ["docs/x/index.md"]);
        assert!(rb.relaid.is_empty());
    }

    #[test]
    fn a_broken_page_keeps_its_last_good_output() {
        let (_dir, mut s) = site();
        let root = s.root().to_path_buf();
        let html = |s: &LiveSite| match &s.files()["c.html"] {
            Entry::Bytes(b) => String::from_utf8(b.to_vec()).unwrap(),
            Entry::File(_) => unreachable!(),
        };
        let good = html(&s);
        std::fs::write(root.join("c.md"), "---\ntitle: C\nC-BROKEN\n").unwrap();
        let rb = s.apply(&[root.join("c.md")]);
        assert!(rb.failed);
        assert_eq!(s.errors().len(), 1);
        assert_eq!(s.errors()[0].file, Path::new("c.md"));
        assert_eq!(html(&s), good);
        std::fs::write(root.join("c.md"), "---\ntitle: C\n---\nC-FIXED\n").unwrap();
        let rb = s.apply(&[root.join("c.md")]);
        assert!(!rb.failed);
        assert!(s.errors().is_empty());
        assert!(html(&s).contains("C-FIXED"));
    }

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
}
