//! The theme: tera layouts (embedded in the binary, overridable from the
//! site's `templates/` folder) and the view handed to them.
//!
//! * Layouts are the top-level `*.html` files of `templates/`; `partials/`
//!   holds what they extend and include (`base.html`, the sidebar, the
//!   breadcrumbs, the "On this page" list, the catalog and home pages), and
//!   `assets/` the CSS, JS and icon written under `assets/elementdocs/`
//!   ([`templates`] loads them).
//! * A page of an element guide shows its guide (heading, badges, languages,
//!   tabs); any other page the section of the site it is in ([`crate::nav`]).
//!   Neither grows with the number of guides: the catalog page lists them.
//! * What many pages share is computed once per build ([`Theme::render_shared`]):
//!   each guide and each folder's section, serialized for the templates.
//! * Templates autoescape `.html` with [`escape_html`]; the body is inserted
//!   with `| safe`. Every root-relative URL in the templates is prefixed with
//!   `base_url`.

// The pipeline passes `Diagnostic` by value everywhere (see site.rs).
#![allow(clippy::result_large_err)]

mod context;
mod errors;
mod templates;

pub use context::toc;
pub use templates::escape_html;

use crate::diag::Diagnostic;
use crate::guide::{Catalog, Guide};
use crate::markdown::Heading;
use crate::nav::{neighbours, Link, SiteNav};
use context::{display_title, edit_url, last_updated, url_dir, Place};
use errors::tera_diag;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Output path of the generated catalog of all guides.
pub const CATALOG_PATH: &str = "elements/index.html";
/// Output path of the generated home page (when the site has none).
pub const HOME_PATH: &str = "index.html";
/// Output folder of the theme's CSS and JS (and the highlight CSS).
pub const ASSETS_DIR: &str = "assets/elementdocs";
const CATALOG_TEMPLATE: &str = "partials/catalog.html";
const HOME_TEMPLATE: &str = "partials/home.html";
const CATALOG_TITLE: &str = "All element guides";

/// What a layout sees. Borrowed: nothing big is cloned per page.
pub struct PageView<'a> {
    /// Front matter plus url/path.
    pub page: &'a Value,
    pub site: &'a Value,
    /// The rendered Markdown body: the whole content of `#page-body`.
    pub body: &'a str,
    pub headings: &'a [Heading],
    pub guide: Option<&'a Guide>,
    /// The navigation computed once per build.
    pub shared: &'a Shared,
    /// Prefix for root-relative links (`""` or `/sub/path`).
    pub base_url: &'a str,
    /// Relative path from this page to the site root (`../../`).
    pub root_rel: &'a str,
    /// An API page's reference (or its placeholder), rendered by
    /// [`crate::openapi`]: beside `#page-body`, never in it. Layouts print
    /// it as `api_reference` (`swagger-only` and `sidebarapidocs` do).
    pub api_reference: Option<&'a str>,
}

pub struct Theme {
    tera: tera::Tera,
    /// Layout names (`default`, `sidebarelementdoc`...), sorted.
    layouts: Vec<String>,
    /// Files under `templates/assets/`, by path below it.
    assets: BTreeMap<String, Vec<u8>>,
    /// The keys of `site` the templates read; None: all of it.
    site_keys: Option<BTreeSet<String>>,
}

/// What the theme computes once per build rather than once per page.
pub struct Shared {
    nav: SiteNav,
    /// Each folder's section (what the sidebar of its pages lists), serialized.
    sections: HashMap<String, Value>,
    /// Each guide (translations included) as templates see it, by folder.
    guides: HashMap<String, Value>,
    /// Each guide's tabs as links, by folder (for previous/next).
    tabs: HashMap<String, Vec<Link>>,
    /// What every layout sees the same: `site`, the header's links (the
    /// site's `nav_links`), `guide_count`, `language` (the name of the
    /// site's language, for the language switcher), `catalog_url` and
    /// `home_url`. Each page's context starts as a copy: cloning values is
    /// cheaper than serializing them again for every page.
    base: tera::Context,
    /// The `site` of `base`, to check that pages see the same.
    #[cfg(debug_assertions)]
    site: Value,
}

impl Shared {
    /// Whether the sections (shown on pages of no guide) are the same in
    /// both: if not, every such page must be laid out again.
    pub fn same_sections(&self, other: &Shared) -> bool {
        self.sections == other.sections
    }
}

/// Root-relative URL of the catalog page (before base-url).
fn catalog_url() -> String {
    format!("/{CATALOG_PATH}")
}

/// A guide's tabs as links.
fn tab_links(guide: &Guide) -> Vec<Link> {
    guide
        .tabs
        .iter()
        .map(|t| Link {
            title: t.title.clone(),
            url: t.url.clone(),
        })
        .collect()
}

/// The catalog's guides under their initial (`#` for any but A to Z).
#[derive(Serialize)]
struct Letter<'a> {
    letter: String,
    id: String,
    guides: Vec<&'a Guide>,
}

fn by_letter(catalog: &Catalog) -> Vec<Letter<'_>> {
    let mut groups: BTreeMap<String, Vec<&Guide>> = BTreeMap::new();
    for g in &catalog.guides {
        let letter = match g.heading.chars().next() {
            Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
            _ => "#".to_string(),
        };
        groups.entry(letter).or_default().push(g);
    }
    groups
        .into_iter()
        .map(|(letter, guides)| Letter {
            id: if letter == "#" {
                "guides-other".to_string()
            } else {
                format!("guides-{}", letter.to_lowercase())
            },
            letter,
            guides,
        })
        .collect()
}

impl Theme {
    /// Load the built-in theme, then templates from `override_dir` on top.
    pub fn load(override_dir: Option<&Path>) -> Result<Theme, Vec<Diagnostic>> {
        let loaded = templates::load(override_dir)?;
        Ok(Theme {
            tera: loaded.tera,
            layouts: loaded.layouts,
            assets: loaded.assets,
            site_keys: loaded.site_keys,
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

    /// Render a partial that is not a page (the API reference's, see
    /// [`crate::openapi`]) with a context of its own.
    pub(crate) fn render_partial(
        &self,
        template: &str,
        ctx: &tera::Context,
    ) -> Result<String, Diagnostic> {
        self.render(template, ctx)
    }

    /// Render a page with `layout` (which must exist; see [`Theme::has_layout`]).
    /// Never inlined: a profile then shows the layout stage apart.
    #[inline(never)]
    pub fn render_page(&self, layout: &str, view: &PageView) -> Result<String, Diagnostic> {
        let ctx = self.page_context(layout, view);
        self.render(&format!("{layout}.html"), &ctx)
    }

    /// The context of a page layout.
    fn page_context(&self, layout: &str, view: &PageView) -> tera::Context {
        let url = &*context::out_url(view.page);
        let shared = view.shared;
        let fresh;
        let guide = match view.guide {
            Some(g) => match shared.guides.get(&g.dir) {
                Some(v) => v,
                None => {
                    fresh = serde_json::to_value(g).unwrap_or(Value::Null);
                    &fresh
                }
            },
            None => &Value::Null,
        };
        let title = display_title(view.page, view.guide.map(|g| g.heading.as_str()));
        #[cfg(debug_assertions)]
        debug_assert_eq!(view.site, &shared.site, "the site of render_shared");
        let mut ctx = shared.base.clone();
        let place = match view.guide {
            Some(g) => {
                let own = Link {
                    title: g.heading.clone(),
                    url: g.url.clone(),
                };
                let (prev, next) = match shared.tabs.get(&g.dir) {
                    Some(tabs) => neighbours(tabs, url),
                    None => neighbours(&tab_links(g), url),
                };
                ctx.insert("nav", &Value::Null);
                Place {
                    breadcrumbs: shared.nav.guide_breadcrumbs(&own, &title),
                    prev,
                    next,
                }
            }
            None => {
                let dir = url_dir(url);
                match shared.sections.get(dir) {
                    Some(section) => ctx.insert("nav", section),
                    None => ctx.insert("nav", &shared.nav.section(dir)),
                }
                let (prev, next) = shared.nav.prev_next(dir, url);
                Place {
                    breadcrumbs: shared.nav.breadcrumbs(dir, url, &title),
                    prev,
                    next,
                }
            }
        };
        ctx.insert("page", view.page);
        ctx.insert("url", url);
        ctx.insert("guide", guide);
        ctx.insert("body", view.body);
        ctx.insert("headings", view.headings);
        ctx.insert("toc", &toc(view.headings));
        let site_title = context::text_of(view.site.get("title"));
        let guide_heading = view.guide.map(|g| g.heading.as_str());
        ctx.insert(
            "head_title",
            &context::head_title(view.page, &title, guide_heading, site_title.as_deref()),
        );
        ctx.insert(
            "description",
            &context::text_of(view.page.get("description")),
        );
        ctx.insert("kicker", &context::kicker(view.page, &title, guide_heading));
        ctx.insert("title", &title);
        ctx.insert("has_h1", &view.headings.iter().any(|h| h.level == 1));
        ctx.insert("breadcrumbs", &place.breadcrumbs);
        ctx.insert("prev", &place.prev);
        ctx.insert("next", &place.next);
        ctx.insert("last_updated", &last_updated(view.page));
        ctx.insert("edit_url", &edit_url(view.site, view.page));
        ctx.insert("base_url", view.base_url);
        ctx.insert("root_rel", view.root_rel);
        ctx.insert("api_reference", view.api_reference.unwrap_or(""));
        ctx.insert("layout", layout);
        ctx
    }

    /// What the pages share, computed once per build: the section of every
    /// folder and every guide, serialized for the templates.
    pub fn render_shared(
        &self,
        catalog: &Catalog,
        site: &Value,
        _base_url: &str,
    ) -> Result<Shared, Diagnostic> {
        let nav = SiteNav::build(catalog, &catalog_url());
        let sections = nav
            .dirs()
            .map(|d| {
                let s = serde_json::to_value(nav.section(d)).unwrap_or(Value::Null);
                (d.to_string(), s)
            })
            .collect();
        let all = catalog.guides.iter().chain(&catalog.translations);
        let guides = all
            .clone()
            .map(|g| {
                (
                    g.dir.clone(),
                    serde_json::to_value(g).unwrap_or(Value::Null),
                )
            })
            .collect();
        let tabs = all.map(|g| (g.dir.clone(), tab_links(g))).collect();
        let lang = context::text_of(site.get("lang")).unwrap_or_else(|| "en".to_string());
        let mut base = tera::Context::new();
        let read = context::only_keys(site, self.site_keys.as_ref());
        base.insert("site", &context::with_theme_keys(&read));
        base.insert("header_links", &context::header_links(site));
        base.insert("guide_count", &catalog.guides.len());
        base.insert("language", &crate::guide::language_name(&lang));
        base.insert("catalog_url", &catalog_url());
        base.insert("home_url", "/");
        Ok(Shared {
            nav,
            sections,
            guides,
            tabs,
            base,
            #[cfg(debug_assertions)]
            site: site.clone(),
        })
    }

    /// A generated page (catalog, home) through `template`: the context of
    /// a page at `path` with `title`, plus `extra`.
    fn generated_page(
        &self,
        template: &str,
        (path, title): (&str, &str),
        site: &Value,
        shared: &Shared,
        base_url: &str,
        extra: impl FnOnce(&mut tera::Context),
    ) -> Result<String, Diagnostic> {
        let page =
            json!({ "title": title, "url": format!("/{path}"), "path": path, "edit": false });
        let view = PageView {
            page: &page,
            site,
            body: "",
            headings: &[],
            guide: None,
            shared,
            base_url,
            root_rel: &"../".repeat(path.matches('/').count()),
            api_reference: None,
        };
        let mut ctx = self.page_context("default", &view);
        ctx.insert("has_h1", &true);
        extra(&mut ctx);
        self.render(template, &ctx)
    }

    /// Extra files the theme writes (the catalog page, CSS, JS): (output path, content).
    pub fn extra_files(
        &self,
        catalog: &Catalog,
        site: &Value,
        shared: &Shared,
        base_url: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
        let html = self.generated_page(
            CATALOG_TEMPLATE,
            (CATALOG_PATH, CATALOG_TITLE),
            site,
            shared,
            base_url,
            |ctx| {
                ctx.insert("catalog", catalog);
                ctx.insert("letters", &by_letter(catalog));
            },
        )?;
        let mut files = vec![(CATALOG_PATH.to_string(), html.into_bytes())];
        for (name, bytes) in &self.assets {
            files.push((format!("{ASSETS_DIR}/{name}"), bytes.clone()));
        }
        Ok(files)
    }

    /// The home page of a site that has none ([`HOME_PATH`]): the site's
    /// title and description, the way to the guides and the top sections.
    pub fn render_home(
        &self,
        catalog: &Catalog,
        site: &Value,
        shared: &Shared,
        base_url: &str,
    ) -> Result<String, Diagnostic> {
        let title = context::text_of(site.get("title")).unwrap_or_else(|| "Home".to_string());
        self.generated_page(
            HOME_TEMPLATE,
            (HOME_PATH, &title),
            site,
            shared,
            base_url,
            |ctx| {
                ctx.insert("catalog", catalog);
                ctx.insert("sections", &shared.nav.overview());
            },
        )
    }
}

#[cfg(test)]
mod tests;
