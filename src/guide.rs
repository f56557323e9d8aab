//! Element guides: the pages of one folder, shown as tabs sorted by the front
//! matter `order` (then title), and the catalog of all guides.
//!
//! OWNER: theme helper.

use serde::Serialize;

/// What the guide model needs to know about a page (from its front matter).
#[derive(Debug, Clone)]
pub struct PageMeta {
    /// Output path relative to the site root, e.g. `docs/elements/x/authenticate.html`.
    pub out_path: String,
    /// Folder of the page relative to the content root, e.g. `docs/elements/x`.
    pub dir: String,
    pub layout: String,
    pub title: Option<String>,
    pub heading: Option<String>,
    pub order: Option<f64>,
    pub hub: Option<String>,
    pub auth: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tab {
    pub title: String,
    /// Root-relative URL (`/docs/elements/x/authenticate.html`), before base-url.
    pub url: String,
    pub order: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Guide {
    /// The guide's folder, e.g. `docs/elements/x`.
    pub dir: String,
    pub heading: String,
    pub hub: Option<String>,
    pub auth: Option<String>,
    /// URL of the first tab (the Overview).
    pub url: String,
    pub tabs: Vec<Tab>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalog {
    /// Sorted by heading.
    pub guides: Vec<Guide>,
}

impl Catalog {
    /// Group guide pages (layout `sidebarelementdoc`...) by folder.
    pub fn build(pages: &[PageMeta]) -> Catalog {
        let _ = pages;
        Catalog::default()
    }

    /// The guide a page (by its folder) belongs to.
    pub fn guide_for(&self, dir: &str) -> Option<&Guide> {
        self.guides.iter().find(|g| g.dir == dir)
    }
}
