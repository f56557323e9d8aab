//! The theme: tera layouts (embedded in the binary, overridable from the
//! site's `templates/` folder) and the view handed to them.
//!
//! OWNER: theme helper.

use crate::diag::Diagnostic;
use crate::guide::{Catalog, Guide};
use crate::markdown::Heading;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

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
}

impl Theme {
    /// Load the built-in theme, then templates from `override_dir` on top.
    pub fn load(override_dir: Option<&Path>) -> Result<Theme, Vec<Diagnostic>> {
        let _ = override_dir;
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![]);
        tera.add_raw_template("default.html", "<!doctype html><html><body><main id=\"page-body\">{{ body | safe }}</main></body></html>")
            .map_err(|e| vec![Diagnostic::error("templates/default.html", 0, 0, e.to_string())])?;
        Ok(Theme { tera })
    }

    /// Layouts the theme knows.
    pub fn has_layout(&self, layout: &str) -> bool {
        self.tera
            .get_template_names()
            .any(|n| n == format!("{layout}.html"))
    }

    /// Render a page with `layout` (which must exist; see [`Theme::has_layout`]).
    pub fn render_page(&self, layout: &str, view: &PageView) -> Result<String, Diagnostic> {
        let ctx = tera::Context::from_serialize(view)
            .map_err(|e| Diagnostic::error("templates", 0, 0, e.to_string()))?;
        self.tera
            .render(&format!("{layout}.html"), &ctx)
            .map_err(|e| Diagnostic::error(format!("templates/{layout}.html"), 0, 0, e.to_string()))
    }

    /// The sidebar listing every guide, rendered once per build.
    pub fn render_sidebar(&self, catalog: &Catalog, base_url: &str) -> Result<String, Diagnostic> {
        let _ = (catalog, base_url);
        Ok(String::new())
    }

    /// Extra files the theme writes (the catalog page, CSS, JS): (output path, content).
    pub fn extra_files(
        &self,
        catalog: &Catalog,
        site: &Value,
        sidebar: &str,
        base_url: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
        let _ = (catalog, site, sidebar, base_url);
        Ok(Vec::new())
    }
}
