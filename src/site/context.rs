//! The state every page of a build reads, made once per build: the `site`
//! object, the theme, the guides' catalog and what the theme renders once
//! for all pages (sidebar, guide heads), the Liquid engine and the
//! highlighter. Also the two views of a source page the other stages take:
//! its guide facts ([`page_meta`]) and its `page` object ([`page_value`]).

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::guide::{Catalog, PageMeta};
use crate::highlight::Highlighter;
use crate::liquid::LiquidEngine;
use crate::markdown;
use crate::render::{Shared, Theme};
use crate::source::SourcePage;
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::Arc;

/// Shared, read-only state of one build, handed to every page.
pub struct BuildContext {
    pub config: Config,
    pub site: Value,
    pub theme: Theme,
    pub catalog: Catalog,
    /// The sidebar and the guides' heads, rendered once per build.
    pub shared: Shared,
    pub liquid: LiquidEngine,
    /// The build's highlighter: its cache lives as long as the build (`serve`
    /// hands one on to each new context of its session).
    pub highlighter: Arc<Highlighter>,
    pub strict: bool,
    /// The API documents pages name, each rendered once (see [`crate::openapi`]).
    pub api_docs: crate::openapi::ApiDocs,
    /// The site's own layouts (`_layouts/`), where they are used.
    pub layouts: super::layouts::SiteLayouts,
}

/// The `site` object: every config key, plus `data`.
fn site_value(config: &Config, data: Value) -> Value {
    let mut site = config.site.clone();
    site.insert("data".into(), data);
    site.insert("url".into(), Value::String(config.url.clone()));
    site.insert("baseurl".into(), Value::String(config.baseurl.clone()));
    Value::Object(site)
}

impl BuildContext {
    /// The shared state of a build from its configuration, data, pages and theme.
    pub fn new(
        config: Config,
        data: Value,
        pages: &[Arc<SourcePage>],
        strict: bool,
        theme: Theme,
        highlighter: Arc<Highlighter>,
    ) -> Result<BuildContext, Vec<Diagnostic>> {
        let site = site_value(&config, data);
        let plugins =
            crate::liquid::plugins::Plugins::load(&config.site, &config.files, &config.root)?;
        // Only Liquid reads the lists of pages and posts (the theme has its
        // own navigation), and only when a template names them.
        let mut list_keys: Vec<String> = crate::posts::LIST_KEYS.map(String::from).to_vec();
        list_keys.extend(plugins.generators.iter().cloned());
        let list_pages: Vec<Arc<SourcePage>> = pages.to_vec();
        let generators = plugins.generators.clone();
        let make_lists: crate::liquid::ListsFn = Box::new(move || {
            let mut m = Map::new();
            crate::posts::site_lists(&mut m, list_pages.iter().map(|p| &**p), page_value);
            // A generator's lists are read for their front matter and URLs
            // (a guide's tabs); without each page's text they stay small.
            let refs: Vec<&SourcePage> = list_pages.iter().map(|p| &**p).collect();
            m.extend(crate::liquid::plugins::generated(&generators, &refs, |p| {
                let mut v = page_value(p);
                if let Value::Object(o) = &mut v {
                    o.remove("content");
                }
                v
            }));
            m
        });
        let pages: Vec<&SourcePage> = pages.iter().map(|p| &**p).collect();
        let catalog = Catalog::build(&pages.iter().map(|p| page_meta(p)).collect::<Vec<_>>());
        let shared = theme
            .render_shared(&catalog, &site, &config.baseurl)
            .map_err(|d| vec![d])?;
        let md_opts = config.markdown.clone();
        let markdownify_highlighter = Arc::clone(&highlighter);
        let markdownify = Arc::new(move |s: &str| {
            markdown::render(
                s,
                &md_opts,
                &markdownify_highlighter,
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
        )
        .with_plugins(plugins)
        .with_lists(list_keys, make_lists);
        let api_docs = crate::openapi::ApiDocs::new(&config);
        let layouts = super::layouts::SiteLayouts::load(&config)?;
        Ok(BuildContext {
            api_docs,
            layouts,
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

    /// The catalog of these pages and what the theme makes once from it
    /// (navigation, guides), replacing the current ones, which are returned.
    pub fn set_catalog<'a>(
        &mut self,
        pages: impl Iterator<Item = &'a SourcePage>,
    ) -> Result<(Catalog, Shared), Diagnostic> {
        let catalog = Catalog::build(&pages.map(page_meta).collect::<Vec<_>>());
        let shared = self
            .theme
            .render_shared(&catalog, &self.site, &self.config.baseurl)?;
        Ok((
            std::mem::replace(&mut self.catalog, catalog),
            std::mem::replace(&mut self.shared, shared),
        ))
    }
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
    let name = p.rel.rsplit('/').next().unwrap_or(&p.rel);
    m.entry("name")
        .or_insert_with(|| Value::String(name.to_string()));
    let dir = p
        .url()
        .rsplit_once('/')
        .map(|(d, _)| format!("{d}/"))
        .unwrap_or_else(|| "/".into());
    m.insert("dir".into(), Value::String(dir));
    Value::Object(m)
}
