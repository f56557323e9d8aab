//! Site search: an index of every page's sections, cut into small files the
//! search box loads on demand, and the script and styles of the box.
//!
//! The design is Pagefind's (a small entry file, index shards by term fetched
//! as queries need them, one fragment per page for what a result shows),
//! with three differences. The files are scripts that hand their data to the
//! client (`elementdocsSearch(name, data)`) instead of JSON to `fetch`, so
//! search keeps working from a folder opened over `file://`. And the build
//! stems words (English, elasticlunr-rs's Porter stemmer) while the index is
//! keyed by the words as written: a query word finds its shard entry with no
//! stemmer in the browser, and the entry leads to the postings of every
//! word of the same stem. And fragments come in bundles of consecutive
//! pages (a site writes a few hundred files, not one more per page).
//!
//! Stages, each in its own file:
//! * [`sections`]: one rendered page → its sections (the text before the
//!   first heading, then one per `h1`–`h3` with an id), their plain text
//!   and the count of each word. Runs per page, on the thread that rendered
//!   it ([`prepare`]).
//! * [`index`]: all pages → the vocabulary, stems, weighted postings per
//!   section, and the files ([`files`]): `search/manifest.js` (shard
//!   boundaries, counts), `search/s<n>.js` (shards: words → postings),
//!   `search/f<n>.js` (fragments: a page's sections with their text, for
//!   a run of consecutive pages),
//!   `search/w-<hex>.js` (the words starting with one character, read only
//!   to correct a typo).
//! * `client.js` and `search.css` (this folder), served as
//!   `assets/elementdocs/search.js` and `search.css`.
//!
//! A page's language (its front matter `lang`, else the nearest language
//! folder of its path, else the site's `lang`, else `en`) is shown on its
//! results and favours them on pages of the same language; which stemmer a
//! word gets depends on its script, not on the page, as Korean pages quote
//! English names. Pages with `search: false` are left out.

mod index;
mod sections;

use crate::markdown::Heading;
use serde_json::{Map, Value};

/// Output path of the search box's script.
pub const SCRIPT_PATH: &str = "assets/elementdocs/search.js";
/// Output path of the search box's styles.
pub const STYLE_PATH: &str = "assets/elementdocs/search.css";
/// Folder of the index files (manifest, shards, fragments, word lists).
pub const INDEX_DIR: &str = "assets/elementdocs/search";

const CLIENT_JS: &str = include_str!("client.js");
const STYLE_CSS: &str = include_str!("search.css");

/// One rendered page, as the search stage reads it.
#[derive(Debug, Clone, Copy)]
pub struct PageToIndex<'a> {
    /// Output path relative to the site root: the result's link.
    pub out_path: &'a str,
    pub front: &'a Map<String, Value>,
    /// The rendered Markdown (the page body without the layout).
    pub body_html: &'a str,
    /// The body's headings (text and id), from the Markdown stage.
    pub headings: &'a [Heading],
}

/// What the index keeps of one page: its sections with their text and word
/// counts. Made by [`prepare`], turned into files by [`files`].
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub(crate) url: String,
    pub(crate) title: String,
    /// The guide's heading (front matter `heading`), shown before the title.
    pub(crate) heading: String,
    pub(crate) lang: String,
    pub(crate) page: sections::PageWords,
}

/// The search entry of one rendered page, or None when it asks not to be
/// searched (`search: false`). Never inlined, nor is [`files`]: a profile
/// (callgrind) then shows each stage's cost apart from the page render's.
#[inline(never)]
pub fn prepare(page: &PageToIndex, site_lang: Option<&str>) -> Option<Prepared> {
    if page.front.get("search") == Some(&Value::Bool(false)) {
        return None;
    }
    let title = front_str(page.front, "title")
        .or_else(|| page.headings.first().map(|h| h.text.clone()))
        .unwrap_or_else(|| page.out_path.to_string());
    let heading = front_str(page.front, "heading").unwrap_or_default();
    let words = sections::read_page(page.body_html, page.headings, &title, &heading);
    Some(Prepared {
        url: page.out_path.to_string(),
        lang: page_lang(page.front, page.out_path, site_lang),
        title,
        heading,
        page: words,
    })
}

/// Every search file of a site from its prepared pages: the index, and the
/// script and styles of the box, as (output path, content). The same pages
/// in any order give the same files.
#[inline(never)]
pub fn files<'a>(pages: impl IntoIterator<Item = &'a Prepared>) -> Vec<(String, Vec<u8>)> {
    let mut files = index::index_files(pages);
    for (path, text) in [(SCRIPT_PATH, CLIENT_JS), (STYLE_PATH, STYLE_CSS)] {
        files.push((path.to_string(), text.as_bytes().to_vec()));
    }
    files
}

/// The language of a page (see the module documentation), as a lower-case
/// primary code (`en`, `ko`).
pub fn page_lang(front: &Map<String, Value>, out_path: &str, site_lang: Option<&str>) -> String {
    let primary = |code: &str| {
        let p = code.split(['-', '_']).next().unwrap_or(code);
        p.to_ascii_lowercase()
    };
    if let Some(l) = front.get("lang").and_then(Value::as_str) {
        return primary(l);
    }
    let folder = out_path
        .split('/')
        .rev()
        .skip(1)
        .find(|seg| crate::guide::is_language_folder(seg));
    folder
        .or(site_lang)
        .map_or_else(|| "en".to_string(), primary)
}

fn front_str(front: &Map<String, Value>, key: &str) -> Option<String> {
    match front.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn languages_from_front_matter_folder_and_site() {
        let none = Map::new();
        let mut ko = Map::new();
        ko.insert("lang".into(), json!("ko-KR"));
        assert_eq!(page_lang(&ko, "docs/a.html", None), "ko");
        assert_eq!(
            page_lang(&none, "docs/elements/x/ko/setup.html", None),
            "ko"
        );
        assert_eq!(page_lang(&none, "docs/x/pt-br/setup.html", None), "pt");
        // Only folders count, not the file name.
        assert_eq!(page_lang(&none, "docs/ko.html", None), "en");
        assert_eq!(page_lang(&none, "docs/a.html", Some("ko")), "ko");
        assert_eq!(page_lang(&none, "docs/a.html", None), "en");
        let mut en = Map::new();
        en.insert("lang".into(), json!("en"));
        assert_eq!(page_lang(&en, "x/ko/a.html", None), "en");
    }

    #[test]
    fn pages_can_opt_out() {
        let mut front = Map::new();
        front.insert("search".into(), json!(false));
        let page = PageToIndex {
            out_path: "a.html",
            front: &front,
            body_html: "<p>x</p>",
            headings: &[],
        };
        assert!(prepare(&page, None).is_none());
        let mut shown = Map::new();
        shown.insert("search".into(), json!(true));
        shown.insert("title".into(), json!(7));
        let page = PageToIndex {
            front: &shown,
            ..page
        };
        assert_eq!(prepare(&page, None).unwrap().title, "7");
    }
}
