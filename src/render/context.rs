//! What a page's layout sees, beyond the page itself: its title, its
//! navigation (the guide's tabs or the section of the site), breadcrumbs,
//! previous/next, the "On this page" list, last updated and edit links.
//! Every value is plain data; templates escape it where it lands.

use crate::markdown::Heading;
use crate::nav::{Crumb, Link};
use serde::Serialize;
use serde_json::Value;

/// The headings of the "On this page" list: levels 2 and 3 that have an id.
pub fn toc(headings: &[Heading]) -> Vec<&Heading> {
    headings
        .iter()
        .filter(|h| (h.level == 2 || h.level == 3) && !h.id.is_empty())
        .collect()
}

/// A front matter value as text (numbers too), when not blank.
pub(crate) fn text_of(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// The URL of the file a page is written to: its `page.url`, with
/// `index.html` put back on an index page's folder URL (`/a/` → `/a/index.html`),
/// the form the theme's guide tabs and section navigation are keyed by.
pub(crate) fn out_url(page: &Value) -> std::borrow::Cow<'_, str> {
    let url = page.get("url").and_then(Value::as_str).unwrap_or("");
    if url.ends_with('/') {
        format!("{url}index.html").into()
    } else {
        url.into()
    }
}

/// The title a page shows: its `title`, else its guide's heading, else its
/// `heading`, else its file name.
pub(crate) fn display_title(page: &Value, guide_heading: Option<&str>) -> String {
    text_of(page.get("title"))
        .or_else(|| guide_heading.map(String::from))
        .or_else(|| text_of(page.get("heading")))
        .unwrap_or_else(|| crate::guide::file_stem(&out_url(page)).to_string())
}

/// The page's `<title>`: its `seo`, else its title, its guide's heading
/// and the site's title (each once).
pub(crate) fn head_title(
    page: &Value,
    title: &str,
    guide: Option<&str>,
    site: Option<&str>,
) -> String {
    if let Some(seo) = text_of(page.get("seo")) {
        return seo;
    }
    let mut parts = vec![title];
    for part in [guide, site].into_iter().flatten() {
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts.join(" | ")
}

/// The line above the page's title: its guide's heading, else its
/// `heading` when that differs from the title.
pub(crate) fn kicker(page: &Value, title: &str, guide: Option<&str>) -> Option<String> {
    guide
        .map(String::from)
        .or_else(|| text_of(page.get("heading")).filter(|h| h != title))
}

/// The keys of `site` the theme reads, present (null when the site does
/// not set them): tera builds an error message for every key it misses,
/// even in a truth test.
pub(crate) fn with_theme_keys(site: &Value) -> Value {
    let mut site = match site {
        Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    for key in ["title", "description", "logo", "lang", "url"] {
        site.entry(key).or_insert(Value::Null);
    }
    Value::Object(site)
}

/// `site` with only `keys` (those the templates read), or all of it.
pub(crate) fn only_keys(site: &Value, keys: Option<&std::collections::BTreeSet<String>>) -> Value {
    match (site, keys) {
        (Value::Object(m), Some(keys)) => Value::Object(
            m.iter()
                .filter(|(k, _)| keys.contains(k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        _ => site.clone(),
    }
}

/// The folder of a root-relative URL (`/a/b/c.html` → `a/b`, `/x.html` → ``).
pub(crate) fn url_dir(url: &str) -> &str {
    let path = url.trim_start_matches('/');
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// When the page was last changed, from its front matter
/// (`last_modified_at`, as the jekyll-last-modified-at plugin names it).
#[derive(Debug, Serialize, PartialEq)]
pub(crate) struct LastUpdated {
    /// The value as written (for `<time datetime>`).
    pub datetime: String,
    /// The date part of a timestamp (`2024-03-05`), else the value.
    pub text: String,
}

pub(crate) fn last_updated(page: &Value) -> Option<LastUpdated> {
    let datetime = text_of(page.get("last_modified_at"))?;
    let b = datetime.as_bytes();
    let is_date = b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    let text = if is_date {
        datetime[..10].to_string()
    } else {
        datetime.clone()
    };
    Some(LastUpdated { datetime, text })
}

/// The "Edit this page" URL: the site's `edit_url` with `{path}` replaced by
/// the page's source path (percent-encoded), or the path appended when it
/// has no `{path}`. None without `edit_url`, for pages without a source
/// path, and for pages with `edit: false`.
pub(crate) fn edit_url(site: &Value, page: &Value) -> Option<String> {
    let template = text_of(site.get("edit_url"))?;
    if matches!(page.get("edit"), Some(Value::Bool(false))) {
        return None;
    }
    let path = page.get("path").and_then(Value::as_str)?;
    let encoded: String = path
        .split('/')
        .map(|seg| percent_encoding::utf8_percent_encode(seg, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/");
    Some(if template.contains("{path}") {
        template.replace("{path}", &encoded)
    } else {
        format!("{template}{encoded}")
    })
}

/// What a path segment of a URL keeps as is: RFC 3986's unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The site's `nav_links` (a list of `title` and `url`), shown in the
/// header; entries without both are left out.
pub(crate) fn header_links(site: &Value) -> Vec<Link> {
    let Some(list) = site.get("nav_links").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|l| {
            Some(Link {
                title: text_of(l.get("title"))?,
                url: text_of(l.get("url"))?,
            })
        })
        .collect()
}

/// The page's place in the site, as the layout sees it.
#[derive(Debug, Serialize)]
pub(crate) struct Place {
    pub breadcrumbs: Vec<Crumb>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn titles_fall_back_to_guide_heading_then_heading_then_file_name() {
        let t = |page: Value, g: Option<&str>| display_title(&page, g);
        assert_eq!(t(json!({"title": " Setup "}), Some("G")), "Setup");
        assert_eq!(t(json!({"title": 42}), None), "42");
        assert_eq!(t(json!({"title": ""}), Some("Guide")), "Guide");
        assert_eq!(t(json!({"heading": "H"}), None), "H");
        assert_eq!(t(json!({"url": "/a/b/setup.html"}), None), "setup");
    }

    #[test]
    fn last_updated_shows_the_date_of_a_timestamp() {
        let lu = last_updated(&json!({"last_modified_at": "2024-03-05T10:00:00Z"})).unwrap();
        assert_eq!(lu.text, "2024-03-05");
        assert_eq!(lu.datetime, "2024-03-05T10:00:00Z");
        let lu = last_updated(&json!({"last_modified_at": "March 2024"})).unwrap();
        assert_eq!(lu.text, "March 2024");
        assert!(last_updated(&json!({"last_modified_at": ""})).is_none());
        assert!(last_updated(&json!({})).is_none());
    }

    #[test]
    fn edit_url_fills_in_the_encoded_source_path() {
        let page = json!({"path": "content/a b/é.md"});
        let site = json!({"edit_url": "https://git.example/r/edit/main/{path}?plain=1"});
        assert_eq!(
            edit_url(&site, &page).unwrap(),
            "https://git.example/r/edit/main/content/a%20b/%C3%A9.md?plain=1"
        );
        let site = json!({"edit_url": "https://git.example/r/edit/main/docs/"});
        assert_eq!(
            edit_url(&site, &page).unwrap(),
            "https://git.example/r/edit/main/docs/content/a%20b/%C3%A9.md"
        );
        assert!(edit_url(&json!({}), &page).is_none());
        let off = json!({"path": "x.md", "edit": false});
        assert!(edit_url(&site, &off).is_none());
    }

    #[test]
    fn header_links_need_a_title_and_a_url() {
        let site = json!({"nav_links": [
            {"title": "API", "url": "/api/"},
            {"title": "No URL"},
            "just text",
        ]});
        let links = header_links(&site);
        assert_eq!(links.len(), 1);
        assert_eq!(
            (links[0].title.as_str(), links[0].url.as_str()),
            ("API", "/api/")
        );
        assert!(header_links(&json!({"nav_links": "x"})).is_empty());
    }

    #[test]
    fn head_titles_name_the_page_its_guide_and_the_site_once() {
        let page = json!({});
        assert_eq!(
            head_title(&page, "Setup", Some("Acme"), Some("Docs")),
            "Setup | Acme | Docs"
        );
        assert_eq!(head_title(&page, "Docs", None, Some("Docs")), "Docs");
        assert_eq!(
            head_title(&json!({"seo": "S"}), "Setup", Some("Acme"), None),
            "S"
        );
        assert_eq!(
            kicker(&json!({"heading": "H"}), "T", None).as_deref(),
            Some("H")
        );
        assert_eq!(kicker(&json!({"heading": "T"}), "T", None), None);
        assert_eq!(
            kicker(&json!({"heading": "H"}), "T", Some("G")).as_deref(),
            Some("G")
        );
        let site = with_theme_keys(&json!({"title": "Docs"}));
        assert_eq!(site["title"], "Docs");
        assert!(site.get("logo").is_some_and(Value::is_null));
    }

    #[test]
    fn url_folders() {
        assert_eq!(url_dir("/a/b/c.html"), "a/b");
        assert_eq!(url_dir("/x.html"), "");
        assert_eq!(url_dir("/index.html"), "");
    }
}
