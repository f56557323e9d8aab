//! Element guides: the pages of one folder, shown as tabs sorted by the front
//! matter `order` (then title), and the catalog of all guides.
//!
//! Rules:
//! * A folder whose pages use a guide layout ([`GUIDE_LAYOUTS`]) is a guide
//!   when it sits in the *catalog folder*: the folder holding the most such
//!   folders (`docs/elements`; the first in path order on a tie). A portal
//!   also uses guide layouts for its hub and platform pages (`docs/hubs/crm`):
//!   those are sections of the site, not element guides, so they are left to
//!   the section navigation with the site's other pages.
//! * A page belongs to a guide when its layout is a guide layout and its
//!   folder is a guide. The other pages (the catalog page, a home page, the
//!   portal's sections) belong to none and are kept, sorted by output path,
//!   in [`Catalog::pages`].
//! * Tabs are the guide's pages sorted by `order` (pages without one last),
//!   then title, then URL, so the order is total and builds are reproducible.
//! * The guide's heading is the `heading` of its first tab that has one (the
//!   folder name otherwise); `hub` and `auth` likewise, when any page gives them.
//! * A folder named like a language code (`ko`, `ja`, `pt-br`) inside a guide
//!   folder is a translation of that guide: its pages form their own small
//!   guide (their tabs are the translated pages, whose `order` values mirror
//!   the parent's), marked with `lang` and `parent`, and the parent lists it
//!   under `translations`. Translations are not separate entries of the
//!   catalog or the sidebar: one provider, one entry. A language folder
//!   without a parent guide is an ordinary guide.

use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Layouts whose pages are tabs of a guide.
pub const GUIDE_LAYOUTS: &[&str] = &["sidebarelementdoc", "sidebarapidocs", "swagger-only"];

/// What the guide model needs to know about a page (from its front matter).
#[derive(Debug, Clone, Default)]
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

/// A translation of a guide (a language folder inside it).
#[derive(Debug, Clone, Serialize)]
pub struct Translation {
    pub lang: String,
    /// The language's name in that language (`한국어`), for the language switcher.
    pub name: String,
    pub dir: String,
    /// URL of the translation's first tab.
    pub url: String,
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
    /// The language of a translation guide (`ko`), None for the original.
    pub lang: Option<String>,
    /// That language's name (`한국어`).
    pub lang_name: Option<String>,
    /// For a translation: the folder of the guide it translates.
    pub parent: Option<String>,
    /// For a translation: the URL of that guide (its first tab).
    pub parent_url: Option<String>,
    /// For an original: its translations, sorted by language.
    pub translations: Vec<Translation>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalog {
    /// The guides of the catalog, sorted by heading (case-insensitive), then folder.
    pub guides: Vec<Guide>,
    /// Translation guides (reachable through [`Catalog::guide_for`]), sorted by folder.
    pub translations: Vec<Guide>,
    /// The folder the guides are in (`docs/elements`), None without guides.
    pub folder: Option<String>,
    /// The pages of no guide, sorted by output path: what the section
    /// navigation is made of.
    #[serde(skip)]
    pub pages: Vec<PageMeta>,
}

/// Is `name` a language folder name (`ko`, `ja`, `pt-br`, `zh-Hans`)? Only
/// two-letter primary codes, so `img` or `api` folders never qualify.
pub fn is_language_folder(name: &str) -> bool {
    let mut parts = name.split('-');
    let primary = parts.next().unwrap_or("");
    let primary_ok = primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase());
    primary_ok
        && parts.all(|p| (2..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The name of a language in that language (`ko` → `한국어`); the code in
/// capitals for a language this table does not know.
pub fn language_name(code: &str) -> String {
    let name = match code.to_ascii_lowercase().as_str() {
        "en" => "English",
        "ko" => "한국어",
        "ja" => "日本語",
        "zh" | "zh-hans" | "zh-cn" => "简体中文",
        "zh-hant" | "zh-tw" => "繁體中文",
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "pt" => "Português",
        "pt-br" => "Português (Brasil)",
        "ru" => "Русский",
        _ => return code.to_uppercase(),
    };
    name.to_string()
}

/// Split `a/b/ko` into (`a/b`, `ko`) when the last component is a language folder.
fn language_split(dir: &str) -> Option<(&str, &str)> {
    let (parent, last) = dir.rsplit_once('/')?;
    is_language_folder(last).then_some((parent, last))
}

/// `a/b` → `a`, `a` → `` (the root); None for the root itself.
pub fn parent_dir(dir: &str) -> Option<&str> {
    if dir.is_empty() {
        return None;
    }
    Some(dir.rsplit_once('/').map_or("", |(parent, _)| parent))
}

/// Where the guide of folder `dir` sits among the guides: a language folder
/// whose parent has no guide pages (`x/ko` alone) stands for that parent.
fn guide_place<'a>(dir: &'a str, by_dir: &BTreeMap<&str, Vec<&PageMeta>>) -> &'a str {
    match language_split(dir) {
        Some((parent, _)) if !by_dir.contains_key(parent) => parent,
        _ => dir,
    }
}

/// The folder holding the most folders of guide-layout pages (translation
/// folders not counted); the first in path order on a tie.
fn catalog_folder<'a>(by_dir: &BTreeMap<&'a str, Vec<&PageMeta>>) -> Option<&'a str> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for dir in by_dir.keys() {
        let translation = language_split(dir).is_some_and(|(p, _)| by_dir.contains_key(p));
        if let (false, Some(parent)) = (translation, parent_dir(guide_place(dir, by_dir))) {
            *counts.entry(parent).or_default() += 1;
        }
    }
    let most = counts.values().copied().max()?;
    counts.into_iter().find(|(_, n)| *n == most).map(|(f, _)| f)
}

pub(crate) fn file_stem(out_path: &str) -> &str {
    let name = out_path.rsplit('/').next().unwrap_or(out_path);
    name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name)
}

fn tab_cmp(a: &(Tab, &PageMeta), b: &(Tab, &PageMeta)) -> Ordering {
    let order = match (a.0.order, b.0.order) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    order
        .then_with(|| a.0.title.cmp(&b.0.title))
        .then_with(|| a.0.url.cmp(&b.0.url))
}

/// One guide from the pages of its folder (not empty).
fn make_guide(dir: &str, pages: &[&PageMeta]) -> Guide {
    let mut tabs: Vec<(Tab, &PageMeta)> = pages
        .iter()
        .map(|p| {
            let title = p
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| file_stem(&p.out_path).to_string());
            let tab = Tab {
                title,
                url: format!("/{}", p.out_path),
                order: p.order,
            };
            (tab, *p)
        })
        .collect();
    tabs.sort_by(tab_cmp);
    let first = |f: fn(&PageMeta) -> &Option<String>| {
        tabs.iter()
            .find_map(|(_, p)| f(p).clone().filter(|s| !s.trim().is_empty()))
    };
    let heading =
        first(|p| &p.heading).unwrap_or_else(|| dir.rsplit('/').next().unwrap_or(dir).to_string());
    Guide {
        dir: dir.to_string(),
        heading: heading.trim().to_string(),
        hub: first(|p| &p.hub),
        auth: first(|p| &p.auth),
        url: tabs[0].0.url.clone(),
        tabs: tabs.into_iter().map(|(t, _)| t).collect(),
        lang: None,
        lang_name: None,
        parent: None,
        parent_url: None,
        translations: Vec::new(),
    }
}

impl Catalog {
    /// Group guide pages (layout `sidebarelementdoc`...) of the catalog
    /// folder's subfolders by folder; keep every other page in `pages`.
    pub fn build(pages: &[PageMeta]) -> Catalog {
        let mut by_dir: BTreeMap<&str, Vec<&PageMeta>> = BTreeMap::new();
        for p in pages
            .iter()
            .filter(|p| GUIDE_LAYOUTS.contains(&p.layout.as_str()))
        {
            by_dir.entry(p.dir.as_str()).or_default().push(p);
        }
        let folder = catalog_folder(&by_dir);
        let in_catalog =
            |dir: &str| folder.is_some_and(|f| parent_dir(guide_place(dir, &by_dir)) == Some(f));
        // A translation's parent is a guide of the catalog folder.
        let translations_of: BTreeMap<&str, (&str, &str)> = by_dir
            .keys()
            .filter_map(|dir| {
                let (parent, lang) = language_split(dir)?;
                (by_dir.contains_key(parent) && in_catalog(parent))
                    .then_some((*dir, (parent, lang)))
            })
            .collect();
        let keep: Vec<&str> = by_dir
            .keys()
            .copied()
            .filter(|dir| in_catalog(dir) || translations_of.contains_key(dir))
            .collect();
        by_dir.retain(|dir, _| keep.contains(dir));
        let mut guides: BTreeMap<&str, Guide> = BTreeMap::new();
        let mut translations = Vec::new();
        for (dir, pages) in &by_dir {
            let mut guide = make_guide(dir, pages);
            match translations_of.get(dir).copied() {
                Some((parent, lang)) => {
                    guide.lang = Some(lang.to_string());
                    guide.lang_name = Some(language_name(lang));
                    guide.parent = Some(parent.to_string());
                    translations.push(guide);
                }
                None => {
                    guides.insert(dir, guide);
                }
            }
        }
        for t in translations.iter_mut() {
            let parent = t.parent.as_deref().unwrap_or_default();
            if let Some(g) = guides.get_mut(parent) {
                t.parent_url = Some(g.url.clone());
                let lang = t.lang.clone().unwrap_or_default();
                g.translations.push(Translation {
                    name: language_name(&lang),
                    lang,
                    dir: t.dir.clone(),
                    url: t.url.clone(),
                });
            }
        }
        let mut guides: Vec<Guide> = guides.into_values().collect();
        guides.sort_by(|a, b| {
            a.heading
                .to_lowercase()
                .cmp(&b.heading.to_lowercase())
                .then_with(|| a.dir.cmp(&b.dir))
        });
        let in_guide = |p: &PageMeta| {
            GUIDE_LAYOUTS.contains(&p.layout.as_str()) && by_dir.contains_key(p.dir.as_str())
        };
        let mut others: Vec<PageMeta> = pages.iter().filter(|p| !in_guide(p)).cloned().collect();
        others.sort_by(|a, b| a.out_path.cmp(&b.out_path));
        Catalog {
            guides,
            translations,
            folder: folder.map(String::from),
            pages: others,
        }
    }

    /// The guide a page (by its folder) belongs to, translations included.
    pub fn guide_for(&self, dir: &str) -> Option<&Guide> {
        self.guides
            .iter()
            .chain(self.translations.iter())
            .find(|g| g.dir == dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, layout: &str, title: &str, order: Option<f64>) -> PageMeta {
        let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        PageMeta {
            out_path: path.to_string(),
            dir: dir.to_string(),
            layout: layout.to_string(),
            title: (!title.is_empty()).then(|| title.to_string()),
            order,
            ..Default::default()
        }
    }

    #[test]
    fn guides_are_the_folders_of_the_catalog_folder() {
        let pages = vec![
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
                "docs/elements/b/ko/index.html",
                "sidebarelementdoc",
                "B",
                Some(1.0),
            ),
            page(
                "docs/hubs/crm/api.html",
                "sidebarapidocs",
                "CRM",
                Some(90.0),
            ),
            page("docs/hubs/crm/index.html", "sidebarleft", "CRM", Some(1.0)),
            page(
                "docs/hubs/crm/ko/api.html",
                "sidebarapidocs",
                "CRM",
                Some(90.0),
            ),
            page("docs/elements.html", "sidebarelementtile", "Elements", None),
        ];
        let c = Catalog::build(&pages);
        assert_eq!(c.folder.as_deref(), Some("docs/elements"));
        let dirs: Vec<&str> = c.guides.iter().map(|g| g.dir.as_str()).collect();
        assert_eq!(dirs, ["docs/elements/a", "docs/elements/b"]);
        assert_eq!(c.translations.len(), 1);
        assert!(c.guide_for("docs/hubs/crm").is_none());
        assert!(c.guide_for("docs/hubs/crm/ko").is_none());
        let others: Vec<&str> = c.pages.iter().map(|p| p.out_path.as_str()).collect();
        assert_eq!(
            others,
            [
                "docs/elements.html",
                "docs/hubs/crm/api.html",
                "docs/hubs/crm/index.html",
                "docs/hubs/crm/ko/api.html"
            ]
        );
    }

    fn titles(g: &Guide) -> Vec<&str> {
        g.tabs.iter().map(|t| t.title.as_str()).collect()
    }

    #[test]
    fn tabs_sorted_by_order_then_title() {
        let pages = vec![
            page("e/x/bulk.html", "sidebarelementdoc", "Bulk", Some(40.0)),
            page("e/x/index.html", "sidebarelementdoc", "Overview", Some(1.0)),
            page("e/x/events.html", "sidebarelementdoc", "Events", Some(30.0)),
            page("e/x/b.html", "sidebarelementdoc", "Zeta", Some(30.0)),
            page("e/x/none.html", "sidebarelementdoc", "Alpha", None),
            page("e/x/api.html", "sidebarapidocs", "API Docs", Some(2.5)),
        ];
        let c = Catalog::build(&pages);
        assert_eq!(c.guides.len(), 1);
        let g = &c.guides[0];
        assert_eq!(
            titles(g),
            ["Overview", "API Docs", "Events", "Zeta", "Bulk", "Alpha"]
        );
        assert_eq!(g.url, "/e/x/index.html");
        assert_eq!(g.heading, "x", "no heading given: folder name");
    }

    #[test]
    fn only_guide_layouts_form_guides() {
        let pages = vec![
            page("docs/elements.html", "sidebarelementtile", "Catalog", None),
            page("index.html", "default", "Home", None),
            page("e/y/index.html", "swagger-only", "", Some(1.0)),
        ];
        let c = Catalog::build(&pages);
        assert_eq!(c.guides.len(), 1);
        assert_eq!(c.guides[0].dir, "e/y");
        assert_eq!(titles(&c.guides[0]), ["index"], "no title: file stem");
        assert!(c.guide_for("docs").is_none());
    }

    #[test]
    fn heading_hub_auth_from_first_tab_that_has_them() {
        let mut a = page("e/z/setup.html", "sidebarelementdoc", "Setup", Some(5.0));
        a.heading = Some("Zed ".into());
        a.auth = Some("OAuth 2.0".into());
        let mut b = page("e/z/index.html", "sidebarelementdoc", "Overview", Some(1.0));
        b.hub = Some("crm".into());
        let c = Catalog::build(&[a, b]);
        let g = &c.guides[0];
        assert_eq!(g.heading, "Zed");
        assert_eq!(g.hub.as_deref(), Some("crm"));
        assert_eq!(g.auth.as_deref(), Some("OAuth 2.0"));
    }

    #[test]
    fn catalog_sorted_by_heading_case_insensitively() {
        let mk = |dir: &str, heading: &str| {
            let mut p = page(&format!("{dir}/index.html"), "sidebarelementdoc", "O", None);
            p.heading = Some(heading.into());
            p
        };
        let c = Catalog::build(&[mk("e/c", "charlie"), mk("e/a", "Bravo"), mk("e/b", "alpha")]);
        let hs: Vec<&str> = c.guides.iter().map(|g| g.heading.as_str()).collect();
        assert_eq!(hs, ["alpha", "Bravo", "charlie"]);
    }

    #[test]
    fn language_folder_is_a_translation_of_its_parent() {
        let pages = vec![
            page("e/x/index.html", "sidebarelementdoc", "Overview", Some(1.0)),
            page("e/x/api.html", "sidebarapidocs", "API Docs", Some(90.0)),
            page("e/x/ko/api.html", "swagger-only", "API Docs", Some(90.0)),
            page(
                "e/lonely/ko/index.html",
                "sidebarelementdoc",
                "Overview",
                Some(1.0),
            ),
        ];
        let c = Catalog::build(&pages);
        let dirs: Vec<&str> = c.guides.iter().map(|g| g.dir.as_str()).collect();
        // A language folder without a parent guide is a guide of its parent's place.
        assert_eq!(dirs, ["e/lonely/ko", "e/x"]);
        let x = c.guide_for("e/x").unwrap();
        assert_eq!(x.translations.len(), 1);
        assert_eq!(x.translations[0].lang, "ko");
        assert_eq!(x.translations[0].name, "한국어");
        assert_eq!(x.translations[0].url, "/e/x/ko/api.html");
        let ko = c.guide_for("e/x/ko").unwrap();
        assert_eq!(ko.lang.as_deref(), Some("ko"));
        assert_eq!(ko.parent.as_deref(), Some("e/x"));
        assert_eq!(ko.parent_url.as_deref(), Some("/e/x/index.html"));
        assert_eq!(titles(ko), ["API Docs"]);
        assert!(c.guide_for("e/lonely/ko").unwrap().lang.is_none());
    }

    #[test]
    fn language_folder_names() {
        for yes in ["ko", "ja", "pt-br", "zh-Hans"] {
            assert!(is_language_folder(yes), "{yes}");
        }
        for no in ["img", "api", "includes", "k", "KO", "ko_kr", "abcd", "en-"] {
            assert!(!is_language_folder(no), "{no}");
        }
    }
}
