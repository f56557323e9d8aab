//! The site as `serve` keeps it between rebuilds: a [`Site`], what each page
//! read (its includes and data keys), and the files served from memory.
//!
//! A change is sorted by [`classify`], and only what depends on it is redone,
//! by asking the site to re-render that set of pages:
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

use super::changes::{classify, Changes, DataUse, SiteFacts};
use super::rebuild::Rebuild;
use crate::diag::{Diagnostic, Severity};
use crate::guide::{Catalog, PageMeta};
use crate::site::{page_meta, BuildOptions, Site};
use axum::body::Bytes;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a served file is.
#[derive(Debug, Clone)]
pub enum Entry {
    Bytes(Bytes),
    /// A static file, read from the source tree when requested.
    File(PathBuf),
}

/// The site as `serve` keeps it between rebuilds.
pub struct LiveSite {
    opts: BuildOptions,
    site: Site,
    /// Which data keys each page (by source path) reads.
    data_use: BTreeMap<String, DataUse>,
    /// Every served file, by output path.
    served: HashMap<String, Entry>,
    /// Errors the site does not keep itself, by origin ("load:<rel>": a
    /// page that no longer loads; "context", "config", "internal").
    errors: BTreeMap<String, Vec<Diagnostic>>,
}

fn only_errors(v: Vec<Diagnostic>) -> Vec<Diagnostic> {
    v.into_iter().filter(Diagnostic::is_error).collect()
}

impl LiveSite {
    /// Load and build everything. Fails only when there is no usable
    /// configuration or theme; page errors are kept for the overlay.
    pub fn load(opts: BuildOptions) -> Result<LiveSite, Vec<Diagnostic>> {
        let mut site = Site::load(&opts)?;
        site.render_all(None);
        site.finish();
        let mut live = LiveSite {
            opts,
            site,
            data_use: BTreeMap::new(),
            served: HashMap::new(),
            errors: BTreeMap::new(),
        };
        let all: Vec<String> = live.site.sources().keys().cloned().collect();
        live.note_data_use(&all);
        live.serve_all();
        Ok(live)
    }

    pub fn root(&self) -> &Path {
        &self.site.config().root
    }

    pub fn config(&self) -> &crate::config::Config {
        self.site.config()
    }

    pub fn page_count(&self) -> usize {
        self.site.pages().count()
    }

    /// Every error, sorted by file.
    pub fn errors(&self) -> Vec<Diagnostic> {
        let mut v: Vec<Diagnostic> = self.errors.values().flatten().cloned().collect();
        v.extend(
            self.site
                .diagnostics()
                .into_iter()
                .filter(Diagnostic::is_error),
        );
        crate::diag::sort_and_dedup(&mut v);
        v
    }

    /// Every warning of the pages and files as last rendered, sorted by file.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.site
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect()
    }

    /// Each page's warnings as last rendered, by output path (pages without
    /// warnings are left out).
    pub fn warnings_by_output(&self) -> HashMap<String, Vec<Diagnostic>> {
        self.site
            .pages()
            .filter(|p| !p.rendered.warnings.is_empty())
            .map(|p| (p.out_path.clone(), p.rendered.warnings.clone()))
            .collect()
    }

    /// The warnings of the pages at `rels` (source paths), as last rendered.
    pub fn page_warnings(&self, rels: &[String]) -> Vec<Diagnostic> {
        rels.iter()
            .filter_map(|rel| self.site.page(rel))
            .flat_map(|p| p.rendered.warnings.iter().cloned())
            .collect()
    }

    fn page_warnings_each(&self, rels: &[String]) -> Vec<(String, Vec<Diagnostic>)> {
        rels.iter()
            .filter_map(|rel| Some((rel.clone(), self.site.page(rel)?.rendered.warnings.clone())))
            .collect()
    }

    /// Pages (by source) that read `dep` (a path relative to the root).
    pub fn dependents(&self, dep: &str) -> Vec<String> {
        self.site
            .pages()
            .filter(|p| p.deps.iter().any(|d| dep_key(d) == dep))
            .map(|p| p.source.clone())
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
        self.served.clone()
    }

    /// Serve what the site has now, from scratch.
    fn serve_all(&mut self) {
        let site = &self.site;
        let mut m = HashMap::with_capacity(site.sources().len() + site.statics().len() + 16);
        for s in site.statics() {
            m.insert(s.out_rel.clone(), Entry::File(s.abs.clone()));
        }
        for (out, b) in site.generated() {
            m.insert(out.clone(), Entry::Bytes(Bytes::from(b.clone())));
        }
        for p in site.pages() {
            m.insert(
                p.out_path.clone(),
                Entry::Bytes(Bytes::from(p.html.clone())),
            );
        }
        self.served = m;
    }

    /// Serve the current bytes of these outputs (pages or generated files),
    /// or stop serving those the site no longer has.
    fn serve_changed(&mut self, outputs: &[String]) {
        let wanted: BTreeSet<&str> = outputs.iter().map(String::as_str).collect();
        let mut found = BTreeSet::new();
        for p in self.site.pages() {
            if wanted.contains(p.out_path.as_str()) {
                let bytes = Bytes::from(p.html.clone());
                self.served.insert(p.out_path.clone(), Entry::Bytes(bytes));
                found.insert(p.out_path.clone());
            }
        }
        for (out, b) in self.site.generated() {
            if wanted.contains(out.as_str()) {
                self.served
                    .insert(out.clone(), Entry::Bytes(Bytes::from(b.clone())));
                found.insert(out.clone());
            }
        }
        for s in self.site.statics() {
            if wanted.contains(s.out_rel.as_str()) {
                self.served
                    .insert(s.out_rel.clone(), Entry::File(s.abs.clone()));
                found.insert(s.out_rel.clone());
            }
        }
        for out in wanted {
            if !found.contains(out) {
                self.served.remove(out);
            }
        }
    }

    /// Note which data keys the pages at `rels` read, from their text and
    /// the text of the includes they pulled in.
    fn note_data_use(&mut self, rels: &[String]) {
        let mut texts: HashMap<String, Option<String>> = HashMap::new();
        for rel in rels {
            let (Some(src), Some(page)) = (self.site.sources().get(rel), self.site.page(rel))
            else {
                continue;
            };
            let mut data = DataUse::None;
            DataUse::scan(&src.text, &mut data);
            for d in &page.deps {
                let key = dep_key(d);
                let root = &self.site.config().root;
                let t = texts
                    .entry(key)
                    .or_insert_with(|| std::fs::read_to_string(root.join(d)).ok());
                if let Some(t) = t {
                    DataUse::scan(t, &mut data);
                }
            }
            self.data_use.insert(rel.clone(), data);
        }
    }

    /// Rebuild after the files in `paths` changed (absolute paths, as the
    /// watcher reports them). Never fails: errors are kept for the overlay.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Rebuild {
        let started = Instant::now();
        self.errors.remove("internal");
        let changes = self.classify(paths);
        let mut rb = Rebuild {
            cause: changes.cause.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        // The Liquid engine keeps parsed includes: forget them unless only
        // pages no other page reads were edited.
        if changes.edited.len() != paths.len() || !changes.deps.is_empty() || changes.rediscover {
            self.site.context().liquid.clear_cache();
        }
        if changes.full {
            return self.full_rebuild(rb, started);
        }
        let mut statics = changes.statics.clone();
        let (render_set, catalog_dirty) = self.sources_changed(&changes, &mut rb, &mut statics);
        let relayout = if catalog_dirty {
            self.refresh_catalog()
        } else {
            BTreeSet::new()
        };
        let render_list: Vec<String> = render_set.iter().cloned().collect();
        let warned_before = self.page_warnings_each(&render_list);
        rb.changed.extend(self.site.render(&render_list, None));
        // A page whose warnings changed reloads too: its panel did.
        for (rel, before) in warned_before {
            if let Some(p) = self.site.page(&rel) {
                if p.rendered.warnings != before {
                    rb.changed.push(p.out_path.clone());
                }
            }
        }
        self.note_data_use(&render_list);
        let relayout_list: Vec<String> = relayout
            .iter()
            .filter(|r| !render_set.contains(*r))
            .cloned()
            .collect();
        rb.changed.extend(self.site.relayout(&relayout_list));
        rb.relaid = relayout_list;
        rb.rebuilt = render_list;
        let generated = self.site.finish();
        self.finish(rb, statics, generated, started)
    }

    fn classify(&self, paths: &[PathBuf]) -> Changes {
        let pages: BTreeSet<&str> = self.site.sources().keys().map(String::as_str).collect();
        let deps_owned: BTreeSet<String> = self
            .site
            .pages()
            .flat_map(|p| p.deps.iter().map(|d| dep_key(d)))
            .collect();
        let deps: BTreeSet<&str> = deps_owned.iter().map(String::as_str).collect();
        let statics: HashMap<&Path, &str> = self
            .site
            .statics()
            .iter()
            .map(|s| (s.abs.as_path(), s.out_rel.as_str()))
            .collect();
        classify(
            paths,
            &SiteFacts {
                config: self.site.config(),
                pages: &pages,
                deps: &deps,
                statics: &statics,
            },
        )
    }

    /// Apply what changed in the sources and data; the pages to render again
    /// and whether the guides' catalog may have changed.
    fn sources_changed(
        &mut self,
        changes: &Changes,
        rb: &mut Rebuild,
        statics: &mut Vec<String>,
    ) -> (BTreeSet<String>, bool) {
        let mut render_set = BTreeSet::new();
        let mut catalog_dirty = false;
        // Front matter facts of the pages replaced below, before the change.
        let before: HashMap<String, PageMeta> = self
            .site
            .sources()
            .iter()
            .filter(|(rel, _)| changes.rediscover || changes.edited.contains(*rel))
            .map(|(rel, p)| (rel.clone(), page_meta(p)))
            .collect();
        if changes.rediscover {
            let r = self.site.rediscover();
            render_set.extend(r.changed);
            for rel in &r.removed {
                self.errors.remove(&format!("load:{rel}"));
                self.data_use.remove(rel);
            }
            rb.changed.extend(r.removed_outputs);
            statics.extend(r.statics_added);
            catalog_dirty |= r.pages_added_or_removed;
        }
        for rel in &changes.edited {
            match self.site.reload_page(rel) {
                Ok(changed) => {
                    self.errors.remove(&format!("load:{rel}"));
                    if changed {
                        render_set.insert(rel.clone());
                    }
                }
                Err(d) => self.set_errors(&format!("load:{rel}"), vec![d]),
            }
        }
        for dep in &changes.deps {
            render_set.extend(self.dependents(dep));
        }
        if !changes.data_keys.is_empty() {
            match self.site.reload_data() {
                Ok(()) => self.set_errors("context", Vec::new()),
                Err(d) => self.set_errors("context", only_errors(d)),
            }
            for (rel, used) in &self.data_use {
                if used.uses_any(&changes.data_keys) {
                    render_set.insert(rel.clone());
                }
            }
        }
        // Pages in error are retried on every change.
        render_set.extend(self.site.failures().keys().cloned());
        for (rel, m) in &before {
            match self.site.sources().get(rel) {
                Some(p) if same_meta(m, &page_meta(p)) => {}
                _ => catalog_dirty = true,
            }
        }
        (render_set, catalog_dirty)
    }

    /// Make the catalog again; the pages to lay out again: those of the
    /// guides that changed, or every page when the sidebar did.
    fn refresh_catalog(&mut self) -> BTreeSet<String> {
        let (old_catalog, old_shared) = match self.site.refresh_catalog() {
            Ok(old) => old,
            Err(d) => {
                self.set_errors("context", vec![d]);
                return BTreeSet::new();
            }
        };
        self.set_errors("context", Vec::new());
        let ctx = self.site.context();
        let sidebar_changed = !ctx.shared.same_sections(&old_shared);
        let changed_dirs = changed_guides(&old_catalog, &ctx.catalog);
        self.site
            .sources()
            .iter()
            .filter(|(_, p)| sidebar_changed || changed_dirs.contains(&page_meta(p).dir))
            .map(|(rel, _)| rel.clone())
            .collect()
    }

    fn full_rebuild(&mut self, mut rb: Rebuild, started: Instant) -> Rebuild {
        match LiveSite::load(self.opts.clone()) {
            Ok(new) => {
                let mut changed: Vec<String> = Vec::new();
                for (out, e) in &new.served {
                    let same = match (self.served.get(out), e) {
                        (Some(Entry::Bytes(a)), Entry::Bytes(b)) => a == b,
                        (Some(Entry::File(a)), Entry::File(b)) => a == b,
                        _ => false,
                    };
                    if !same {
                        changed.push(out.clone());
                    }
                }
                changed.extend(
                    self.served
                        .keys()
                        .filter(|k| !new.served.contains_key(*k))
                        .cloned(),
                );
                let (pages, others): (Vec<String>, Vec<String>) =
                    changed.into_iter().partition(|o| is_page(o));
                rb.rebuilt = new.site.sources().keys().cloned().collect();
                rb.changed = pages;
                *self = new;
                rb.full = true;
                self.finish(rb, others, Vec::new(), started)
            }
            Err(d) => {
                self.set_errors("config", d);
                self.finish(rb, Vec::new(), Vec::new(), started)
            }
        }
    }

    /// Serve what changed and say how browsers should take it: `files`
    /// (static files, or anything after a full rebuild) reload the pages
    /// that use them; of the `generated` files, stylesheets are swapped and
    /// pages reloaded, while data such as the search index or the sitemap
    /// is only served anew (a page need not reload for it).
    fn finish(
        &mut self,
        mut rb: Rebuild,
        files: Vec<String>,
        generated: Vec<String>,
        started: Instant,
    ) -> Rebuild {
        if !rb.full {
            self.errors.remove("config");
            let mut outputs = rb.changed.clone();
            outputs.extend(files.iter().chain(&generated).cloned());
            self.serve_changed(&outputs);
        }
        for o in files {
            if o.ends_with(".css") {
                rb.css.push(o);
            } else if is_page(&o) {
                rb.changed.push(o);
            } else {
                rb.assets.push(o);
            }
        }
        for o in generated {
            if o.ends_with(".css") {
                rb.css.push(o);
            } else if is_page(&o) {
                rb.changed.push(o);
            }
        }
        for v in [&mut rb.changed, &mut rb.css, &mut rb.assets] {
            v.sort();
            v.dedup();
        }
        rb.failed = !self.errors().is_empty();
        rb.elapsed = started.elapsed();
        rb
    }
}

fn is_page(out: &str) -> bool {
    out.ends_with(".html") || out.ends_with(".htm")
}

/// A page's dependency as a source path with forward slashes.
fn dep_key(d: &Path) -> String {
    d.to_string_lossy().replace('\\', "/")
}

fn same_meta(a: &PageMeta, b: &PageMeta) -> bool {
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
#[path = "live_tests.rs"]
mod tests;
