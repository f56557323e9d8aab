//! Navigation of the pages that belong to no element guide: the site's
//! folder tree, and from it what such a page shows: its section in the
//! sidebar, its breadcrumbs and its previous/next links.
//!
//! Rules:
//! * Every folder of a page is a node; its pages are sorted by `order`
//!   (pages without one last), then title, then URL, as guide tabs are; its
//!   subfolders by title (case-insensitive), then path.
//! * A folder's title is its index page's `heading`, else that page's
//!   `title`; without an index page, the `heading` all its pages (two or
//!   more) share;
//!   else its name (`account-user-mgmt` → `Account user mgmt`). It links to
//!   its index page, else its first page, else where its first subfolder
//!   links (the catalog for the catalog folder).
//! * A page's section is the folder above its own: that folder's pages and
//!   subfolders, the page's own folder opened on its pages and subfolders.
//!   Its size depends on how many entries two folder levels hold, never on
//!   the size of the site.
//! * The catalog folder (where the element guides are) shows as one link to
//!   the catalog page, never opened: no page lists every guide, and each is
//!   two clicks away (catalog, guide).

use crate::guide::{file_stem, is_language_folder, language_name, parent_dir, Catalog, PageMeta};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A titled link (URLs are root-relative, before the base URL).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// One entry of a section: a page, or a folder (opened or not).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub title: String,
    /// None for a folder without pages of its own.
    pub url: Option<String>,
    /// A folder (shown as a group), rather than a page.
    pub folder: bool,
    /// An opened folder: the one holding the page.
    pub open: bool,
    /// The entries of an opened folder.
    pub items: Vec<Item>,
}

/// What a page's sidebar lists: the folder above the page's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    pub url: Option<String>,
    /// The folder above this one, when there is one.
    pub up: Option<Link>,
    pub items: Vec<Item>,
}

/// One step of a page's breadcrumbs; the last (the page) has no URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crumb {
    pub title: String,
    pub url: Option<String>,
}

struct Folder {
    title: String,
    /// Its index page, else its first page.
    page_url: Option<String>,
    /// `page_url`, else where its first subfolder links.
    url: Option<String>,
    pages: Vec<Link>,
    folders: Vec<String>,
}

/// The folder tree of the pages of no guide.
pub struct SiteNav {
    folders: BTreeMap<String, Folder>,
    /// The catalog folder, and the link standing for it.
    guides: Option<(String, Link)>,
    home: Link,
}

/// The title the catalog folder shows under in sections and breadcrumbs.
pub const GUIDES_TITLE: &str = "Element guides";

fn page_title(p: &PageMeta) -> String {
    p.title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .unwrap_or_else(|| file_stem(&p.out_path).to_string())
}

fn order_cmp(a: &PageMeta, b: &PageMeta) -> Ordering {
    let order = match (a.order, b.order) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    order
        .then_with(|| page_title(a).cmp(&page_title(b)))
        .then_with(|| a.out_path.cmp(&b.out_path))
}

/// `account-user-mgmt` → `Account user mgmt`; a language folder's name is
/// its language's (`ko` → `한국어`).
fn humanize(dir: &str) -> String {
    let name = dir.rsplit('/').next().unwrap_or(dir);
    if dir.contains('/') && is_language_folder(name) {
        return language_name(name);
    }
    let name = name.replace(['-', '_'], " ");
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Home".to_string(),
    }
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Title and URL of a folder from its pages (sorted).
fn folder_head(dir: &str, pages: &[&PageMeta]) -> (String, Option<String>) {
    let index = pages
        .iter()
        .find(|p| matches!(file_stem(&p.out_path), "index"));
    let title = match index {
        Some(p) => nonempty(&p.heading).unwrap_or_else(|| page_title(p)),
        None => {
            // One page's heading names that page, not its folder.
            let first = pages.first().filter(|_| pages.len() > 1);
            let first = first.and_then(|p| nonempty(&p.heading));
            let shared = first.filter(|h| {
                pages
                    .iter()
                    .all(|p| nonempty(&p.heading).as_ref() == Some(h))
            });
            shared.unwrap_or_else(|| humanize(dir))
        }
    };
    let url = index.or(pages.first()).map(|p| format!("/{}", p.out_path));
    (title, url)
}

/// `dir` and every folder above it, root (`""`) included.
fn with_ancestors(dir: &str) -> Vec<&str> {
    let mut all = vec![dir];
    let mut at = dir;
    while let Some(up) = parent_dir(at) {
        all.push(up);
        at = up;
    }
    all
}

impl SiteNav {
    /// The tree of `catalog.pages`, with the catalog folder standing for the
    /// guides (linked to `catalog_url`).
    pub fn build(catalog: &Catalog, catalog_url: &str) -> SiteNav {
        let mut by_dir: BTreeMap<&str, Vec<&PageMeta>> = BTreeMap::new();
        for p in &catalog.pages {
            by_dir.entry(p.dir.as_str()).or_default().push(p);
        }
        let mut dirs: Vec<&str> = by_dir
            .keys()
            .copied()
            .chain(catalog.folder.as_deref())
            .chain([""])
            .flat_map(with_ancestors)
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        let mut folders: BTreeMap<String, Folder> = BTreeMap::new();
        for dir in &dirs {
            let mut pages = by_dir.get(dir).cloned().unwrap_or_default();
            pages.sort_by(|a, b| order_cmp(a, b));
            let (title, url) = folder_head(dir, &pages);
            let pages = pages
                .iter()
                .map(|p| Link {
                    title: page_title(p),
                    url: format!("/{}", p.out_path),
                })
                .collect();
            let folder = Folder {
                title,
                page_url: url.clone(),
                url,
                pages,
                folders: Vec::new(),
            };
            folders.insert(dir.to_string(), folder);
        }
        let guides = catalog.folder.clone().map(|dir| {
            let link = Link {
                title: GUIDES_TITLE.to_string(),
                url: catalog_url.to_string(),
            };
            (dir, link)
        });
        // Subfolders, sorted by title, then path.
        let mut children: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (dir, f) in &folders {
            if let Some(parent) = parent_dir(dir) {
                let title = match &guides {
                    Some((g, link)) if g == dir => link.title.clone(),
                    _ => f.title.clone(),
                };
                children
                    .entry(parent.to_string())
                    .or_default()
                    .push((title.to_lowercase(), dir.clone()));
            }
        }
        for (parent, mut subs) in children {
            subs.sort();
            if let Some(f) = folders.get_mut(&parent) {
                f.folders = subs.into_iter().map(|(_, d)| d).collect();
            }
        }
        if let Some((dir, link)) = &guides {
            if let Some(f) = folders.get_mut(dir) {
                f.url = Some(link.url.clone());
            }
        }
        // A folder of folders links where its first subfolder does (deeper
        // folders sort after their parents: taken in reverse, children first).
        let dirs: Vec<String> = folders.keys().rev().cloned().collect();
        for dir in dirs {
            if folders[&dir].url.is_none() {
                let first = folders[&dir]
                    .folders
                    .iter()
                    .find_map(|d| folders[d].url.clone());
                if let Some(f) = folders.get_mut(&dir) {
                    f.url = first;
                }
            }
        }
        SiteNav {
            folders,
            guides,
            home: Link {
                title: "Home".to_string(),
                url: "/".to_string(),
            },
        }
    }

    /// The folders of the tree (`""` is the root), sorted.
    pub fn dirs(&self) -> impl Iterator<Item = &str> {
        self.folders.keys().map(String::as_str)
    }

    fn item(&self, dir: &str, open: Option<&Folder>) -> Item {
        if let Some((_, link)) = self.guides.as_ref().filter(|(g, _)| g == dir) {
            return Item {
                title: link.title.clone(),
                url: Some(link.url.clone()),
                folder: false,
                open: false,
                items: Vec::new(),
            };
        }
        let f = &self.folders[dir];
        Item {
            title: f.title.clone(),
            url: f.url.clone(),
            folder: true,
            open: open.is_some(),
            items: open.map(|f| self.entries(f, None)).unwrap_or_default(),
        }
    }

    /// A folder's pages, then its subfolders (`open` opened).
    fn entries(&self, f: &Folder, open: Option<&str>) -> Vec<Item> {
        let pages = f.pages.iter().map(|p| Item {
            title: p.title.clone(),
            url: Some(p.url.clone()),
            folder: false,
            open: false,
            items: Vec::new(),
        });
        let subs = f.folders.iter().map(|d| {
            let opened = (open == Some(d.as_str())).then(|| &self.folders[d]);
            self.item(d, opened)
        });
        pages.chain(subs).collect()
    }

    /// The sidebar of the pages in folder `dir`.
    pub fn section(&self, dir: &str) -> Section {
        let (above, open) = match parent_dir(dir) {
            Some(up) if self.folders.contains_key(dir) => (up, Some(dir)),
            _ => ("", None),
        };
        let f = &self.folders[above];
        let up = parent_dir(above).map(|d| self.link_to(d));
        Section {
            title: if above.is_empty() {
                self.home.title.clone()
            } else {
                f.title.clone()
            },
            url: if above.is_empty() {
                Some(self.home.url.clone())
            } else {
                f.url.clone()
            },
            up,
            items: self.entries(f, open),
        }
    }

    /// The root's pages and folders, each folder opened one level: what a
    /// generated home page lists.
    pub fn overview(&self) -> Vec<Item> {
        let root = &self.folders[""];
        let mut items = self.entries(root, None);
        // The entries are the root's pages, then its folders in order.
        let folders = items[root.pages.len()..].iter_mut().zip(&root.folders);
        for (item, dir) in folders.filter(|(item, _)| item.folder) {
            item.items = self.entries(&self.folders[dir], None);
        }
        items
    }

    /// A folder as a link (the home page for the root).
    fn link_to(&self, dir: &str) -> Link {
        if dir.is_empty() {
            return self.home.clone();
        }
        let f = &self.folders[dir];
        Link {
            title: f.title.clone(),
            url: f.url.clone().unwrap_or_else(|| self.home.url.clone()),
        }
    }

    /// Home, the folders above the page, then the page itself (`title`, no link).
    pub fn breadcrumbs(&self, dir: &str, url: &str, title: &str) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb {
            title: self.home.title.clone(),
            url: Some(self.home.url.clone()),
        }];
        if url == self.home.url || url == "/index.html" {
            crumbs.clear();
        }
        let mut chain: Vec<&str> = with_ancestors(dir);
        chain.reverse();
        for d in chain.into_iter().filter(|d| !d.is_empty()) {
            if let Some(f) = self.folders.get(d) {
                if f.page_url.as_deref() == Some(url) {
                    continue;
                }
                // A folder of folders is named, not linked: its link would
                // be the next crumb's.
                crumbs.push(Crumb {
                    title: f.title.clone(),
                    url: f.page_url.clone(),
                });
            }
        }
        crumbs.push(Crumb {
            title: title.to_string(),
            url: None,
        });
        crumbs
    }

    /// Home, the catalog, the guide, then the page (for a page of a guide).
    pub fn guide_breadcrumbs(&self, guide: &Link, title: &str) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb {
            title: self.home.title.clone(),
            url: Some(self.home.url.clone()),
        }];
        if let Some((_, link)) = &self.guides {
            crumbs.push(Crumb {
                title: link.title.clone(),
                url: Some(link.url.clone()),
            });
        }
        crumbs.push(Crumb {
            title: guide.title.clone(),
            url: Some(guide.url.clone()),
        });
        crumbs.push(Crumb {
            title: title.to_string(),
            url: None,
        });
        crumbs
    }

    /// The pages before and after `url` in its folder.
    pub fn prev_next(&self, dir: &str, url: &str) -> (Option<Link>, Option<Link>) {
        let Some(f) = self.folders.get(dir) else {
            return (None, None);
        };
        neighbours(&f.pages, url)
    }
}

/// The links before and after the one to `url` in `links`.
pub fn neighbours(links: &[Link], url: &str) -> (Option<Link>, Option<Link>) {
    match links.iter().position(|l| l.url == url) {
        Some(i) => (
            i.checked_sub(1).map(|j| links[j].clone()),
            links.get(i + 1).cloned(),
        ),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, layout: &str, title: &str, order: Option<f64>) -> PageMeta {
        PageMeta {
            out_path: path.to_string(),
            dir: path.rsplit_once('/').map_or("", |(d, _)| d).to_string(),
            layout: layout.to_string(),
            title: Some(title.to_string()),
            order,
            ..Default::default()
        }
    }

    fn portal() -> Catalog {
        let mut hub = page(
            "docs/hubs/crm/index.html",
            "sidebarleft",
            "Overview",
            Some(1.0),
        );
        hub.heading = Some("CRM APIs".into());
        let mut api = page(
            "docs/hubs/crm/api.html",
            "sidebarapidocs",
            "API",
            Some(90.0),
        );
        api.heading = Some("CRM APIs".into());
        Catalog::build(&[
            page("index.html", "default", "Welcome", None),
            page(
                "docs/elements/a/index.html",
                "sidebarelementdoc",
                "A",
                Some(1.0),
            ),
            page(
                "docs/elements/b/index.html",
                "sidebarelementdoc",
                "B",
                Some(1.0),
            ),
            page(
                "docs/guides/bulk/b.html",
                "sidebarleft",
                "Bulk two",
                Some(2.0),
            ),
            page(
                "docs/guides/bulk/a.html",
                "sidebarleft",
                "Bulk one",
                Some(1.0),
            ),
            page("docs/guides/home.html", "sidebarleft", "Guides", None),
            page("docs/hubs/hub-docs.html", "default", "Hub docs", None),
            api,
            hub,
            page("docs/elements.html", "sidebarelementtile", "Elements", None),
        ])
    }

    fn titles(items: &[Item]) -> Vec<&str> {
        items.iter().map(|i| i.title.as_str()).collect()
    }

    #[test]
    fn a_section_is_the_folder_above_with_the_pages_folder_opened() {
        let nav = SiteNav::build(&portal(), "/elements/index.html");
        let s = nav.section("docs/guides/bulk");
        assert_eq!(
            s.title, "Guides",
            "no index page, no shared heading: its name"
        );
        assert_eq!(titles(&s.items), ["Guides", "Bulk"]);
        let bulk = &s.items[1];
        assert!(bulk.open && bulk.folder);
        assert_eq!(titles(&bulk.items), ["Bulk one", "Bulk two"]);
        assert_eq!(s.up.as_ref().map(|l| l.title.as_str()), Some("Docs"));

        // The catalog folder is one link to the catalog, never opened.
        let docs = nav.section("docs/hubs");
        assert_eq!(
            titles(&docs.items),
            ["Elements", "Element guides", "Guides", "Hubs"]
        );
        assert!(docs.items[3].open);
        assert_eq!(titles(&docs.items[3].items), ["Hub docs", "CRM APIs"]);
        let guides = &docs.items[1];
        assert_eq!(guides.url.as_deref(), Some("/elements/index.html"));
        assert!(guides.items.is_empty());
    }

    #[test]
    fn folder_titles_from_index_heading_shared_heading_or_name() {
        let nav = SiteNav::build(&portal(), "/c.html");
        let s = nav.section("docs/hubs/crm");
        assert_eq!(s.title, "Hubs");
        let crm = &s.items[1];
        assert_eq!(crm.title, "CRM APIs");
        assert_eq!(crm.url.as_deref(), Some("/docs/hubs/crm/index.html"));
        assert_eq!(titles(&crm.items), ["Overview", "API"]);
        // Root pages: the root itself, nothing opened.
        let root = nav.section("");
        assert_eq!(root.title, "Home");
        assert!(root.up.is_none());
        assert_eq!(titles(&root.items), ["Welcome", "Docs"]);
        assert!(!root.items[1].open);
    }

    #[test]
    fn breadcrumbs_and_neighbours() {
        let nav = SiteNav::build(&portal(), "/c.html");
        let crumbs = nav.breadcrumbs("docs/hubs/crm", "/docs/hubs/crm/api.html", "API");
        let t: Vec<&str> = crumbs.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(t, ["Home", "Docs", "Hubs", "CRM APIs", "API"]);
        assert!(crumbs.last().unwrap().url.is_none());
        // The folder's own page does not repeat the folder.
        let crumbs = nav.breadcrumbs("docs/hubs/crm", "/docs/hubs/crm/index.html", "Overview");
        let t: Vec<&str> = crumbs.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(t, ["Home", "Docs", "Hubs", "Overview"]);
        let (prev, next) = nav.prev_next("docs/guides/bulk", "/docs/guides/bulk/a.html");
        assert!(prev.is_none());
        assert_eq!(next.unwrap().title, "Bulk two");
    }

    #[test]
    fn the_overview_opens_every_top_folder_one_level() {
        let nav = SiteNav::build(&portal(), "/c.html");
        let items = nav.overview();
        assert_eq!(titles(&items), ["Welcome", "Docs"]);
        assert_eq!(
            titles(&items[1].items),
            ["Elements", "Element guides", "Guides", "Hubs"]
        );
        assert!(items[1].items[3].items.is_empty(), "one level only");
    }

    #[test]
    fn a_site_without_pages_has_an_empty_root() {
        let nav = SiteNav::build(&Catalog::default(), "/c.html");
        assert!(nav.section("").items.is_empty());
        assert!(nav.section("a/b").items.is_empty());
        assert!(nav.overview().is_empty());
        assert_eq!(nav.breadcrumbs("a", "/a/x.html", "X").len(), 2);
    }

    #[test]
    fn names_become_titles() {
        assert_eq!(humanize("docs/account-user-mgmt"), "Account user mgmt");
        assert_eq!(humanize("docs/hubs/crm/ko"), "한국어");
        assert_eq!(humanize(""), "Home");
    }
}
