//! Publishing: what a site needs on static hosting: `sitemap.xml`,
//! `robots.txt`, a plain `404.html`, the `redirect_from` stubs
//! ([`redirects`]), and URLs under the base URL ([`urls`]). The build
//! (`crate::site`) decides when each is made; this module only makes them.
//!
//! The base URL contract: layouts, includes and content write plain
//! root-relative URLs (`/assets/x.css`, `/docs/elements/x/index.html`) in
//! `href`, `src`, `srcset`, `action`, `formaction` and `poster`; the rewrite
//! moves each one under `baseurl` once, as each page is laid out
//! ([`urls::rewrite_root_urls`], the only place `baseurl` enters the output). Relative URLs, `//host`
//! and absolute URLs are left alone. URLs built at run time by scripts, CSS
//! `url()` and other attributes are not rewritten: a script reads the base
//! from the page (e.g. a `data-base-url` attribute) and CSS uses URLs
//! relative to the stylesheet. A URL already written under the base (Jekyll
//! content using `{{ site.baseurl }}`) is recognised and not prefixed twice
//! (see [`urls::prefix_url`]).

pub mod redirects;
pub mod urls;

use serde_json::{Map, Value};
use urls::{percent_encode_path, pretty_url};

/// Should this page be listed in the sitemap? (`sitemap: false` opts out.)
pub fn in_sitemap(front: &Map<String, Value>) -> bool {
    !matches!(front.get("sitemap"), Some(Value::Bool(false)))
        && !matches!(front.get("sitemap"), Some(Value::String(s)) if s == "false")
}

/// The published URL of a site path: `url` + `baseurl` + path (root-relative without `url`).
pub fn absolute_url(url: &str, baseurl: &str, path: &str) -> String {
    format!("{url}{baseurl}{}", percent_encode_path(path))
}

/// `sitemap.xml` for these output paths: sorted, deduplicated, no dates.
pub fn sitemap_xml(url: &str, baseurl: &str, out_paths: impl Iterator<Item = String>) -> String {
    let mut locs: Vec<String> = out_paths
        .map(|p| absolute_url(url, baseurl, &pretty_url(&p)))
        .collect();
    locs.sort();
    locs.dedup();
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for loc in locs {
        s.push_str("  <url><loc>");
        s.push_str(&html_escape::encode_text(&loc));
        s.push_str("</loc></url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

/// `robots.txt`: everything may be crawled; the sitemap is named when `url` is known.
pub fn robots_txt(url: &str, baseurl: &str) -> String {
    let mut s = String::from("User-agent: *\nDisallow:\n");
    if !url.is_empty() {
        s.push_str(&format!("\nSitemap: {url}{baseurl}/sitemap.xml\n"));
    }
    s
}

const NOT_FOUND_TITLE: &str = "Page not found";

/// A standalone 404 page, for when the theme cannot render one.
pub fn plain_not_found(has_home: bool) -> String {
    let home = if has_home {
        "<p><a href=\"/\">Go to the home page</a></p>\n"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{NOT_FOUND_TITLE}</title>\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n</head>\n<body>\n<main>\n\
<h1>{NOT_FOUND_TITLE}</h1>\n<p>There is no page at this address. It may have moved or been removed.</p>\n{home}</main>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_is_sorted_absolute_and_escaped() {
        let paths = ["b/index.html", "a b.html", "a&c.html", "b/index.html"];
        let xml = sitemap_xml(
            "https://ex.com",
            "/sub",
            paths.iter().map(|s| s.to_string()),
        );
        let locs: Vec<&str> = xml
            .lines()
            .filter_map(|l| l.trim().strip_prefix("<url><loc>"))
            .map(|l| l.trim_end_matches("</loc></url>"))
            .collect();
        assert_eq!(
            locs,
            [
                "https://ex.com/sub/a%20b.html",
                "https://ex.com/sub/a&amp;c.html",
                "https://ex.com/sub/b/"
            ]
        );
        assert!(xml.starts_with("<?xml"));
    }

    #[test]
    fn robots_names_the_sitemap_when_url_is_known() {
        assert!(robots_txt("https://ex.com", "/sub")
            .contains("Sitemap: https://ex.com/sub/sitemap.xml"));
        assert!(!robots_txt("", "").contains("Sitemap"));
    }

    #[test]
    fn sitemap_opt_out() {
        let mut m = Map::new();
        assert!(in_sitemap(&m));
        m.insert("sitemap".into(), Value::Bool(false));
        assert!(!in_sitemap(&m));
    }
}
