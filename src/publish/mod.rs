//! Publishing: what a site needs on static hosting, added to every build.
//!
//! After the pages are laid out, [`publish`] adds a home page when the site
//! has none (the theme's, [`crate::render::Theme::render_home`]), `404.html`
//! (through the theme's `default` layout), moves every root-relative URL of every HTML file
//! under the base URL ([`urls::rewrite_root_urls`], the only place `baseurl`
//! enters the output), writes the `redirect_from` stubs, `sitemap.xml` and
//! `robots.txt`. A file the site provides itself (its own `404.md`,
//! `robots.txt`...) is never replaced.
//!
//! The base URL contract: layouts, includes and content write plain
//! root-relative URLs (`/assets/x.css`, `/docs/elements/x/index.html`) in
//! `href`, `src`, `srcset`, `action`, `formaction` and `poster`; the rewrite
//! moves each one under `baseurl` once, after layout. Relative URLs, `//host`
//! and absolute URLs are left alone. URLs built at run time by scripts, CSS
//! `url()` and other attributes are not rewritten: a script reads the base
//! from the page (e.g. a `data-base-url` attribute) and CSS uses URLs
//! relative to the stylesheet. A URL already written under the base (Jekyll
//! content using `{{ site.baseurl }}`) is recognised and not prefixed twice
//! (see [`urls::prefix_url`]).

pub mod redirects;
pub mod urls;

use crate::diag::Diagnostic;
use crate::render::HOME_PATH;
use crate::site::{render_page, BuildContext, PageOutput};
use crate::source::{SourcePage, StaticFile};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use urls::{percent_encode_path, pretty_url, OutputSet};

/// Every output path of a build: pages, static and generated files.
pub fn output_set(
    pages: &[PageOutput],
    statics: &[StaticFile],
    generated: &BTreeMap<String, Vec<u8>>,
) -> OutputSet {
    OutputSet::new(
        pages
            .iter()
            .map(|p| p.out_path.as_str())
            .chain(statics.iter().map(|s| s.out_rel.as_str()))
            .chain(generated.keys().map(String::as_str)),
    )
}

/// Should this page be listed in the sitemap? (`sitemap: false` opts out.)
pub fn in_sitemap(front: &Map<String, Value>) -> bool {
    !matches!(front.get("sitemap"), Some(Value::Bool(false)))
        && !matches!(front.get("sitemap"), Some(Value::String(s)) if s == "false")
}

/// The published URL of a site path: `url` + `baseurl` + path (root-relative without `url`).
pub fn absolute_url(url: &str, baseurl: &str, path: &str) -> String {
    format!("{url}{baseurl}{}", percent_encode_path(path))
}

/// Add the publishing files to a rendered site and apply the base URL.
pub fn publish(
    ctx: &BuildContext,
    sources: &[SourcePage],
    pages: &mut [PageOutput],
    statics: &[StaticFile],
    generated: &mut BTreeMap<String, Vec<u8>>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut taken = output_set(pages, statics, generated);
    if !taken.contains(HOME_PATH) {
        match ctx
            .theme
            .render_home(&ctx.catalog, &ctx.site, &ctx.shared, &ctx.config.baseurl)
        {
            Ok(html) => {
                generated.insert(HOME_PATH.into(), html.into_bytes());
                taken.insert(HOME_PATH);
            }
            Err(d) => diags.push(d),
        }
    }
    if !taken.contains("404.html") {
        let (html, d) = not_found_page(ctx, taken.resolve("").is_some());
        diags.extend(d);
        generated.insert("404.html".into(), html.into_bytes());
        taken.insert("404.html");
    }
    let by_rel: HashMap<&str, &SourcePage> = sources.iter().map(|s| (s.rel.as_str(), s)).collect();
    let rendered: Vec<&SourcePage> = pages
        .iter()
        .filter_map(|p| by_rel.get(p.source.as_str()).copied())
        .collect();
    let (stubs, d) = redirects::collect(&rendered, &taken);
    diags.extend(d);
    for s in &stubs {
        taken.insert(&s.out_path);
    }
    let cfg = &ctx.config;
    if !cfg.baseurl.is_empty() {
        pages
            .par_iter_mut()
            .for_each(|p| p.html = urls::rewrite_root_urls(&p.html, &cfg.baseurl, &taken));
        for (path, bytes) in generated.iter_mut() {
            if path.ends_with(".html") {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    *bytes = urls::rewrite_root_urls(text, &cfg.baseurl, &taken).into_bytes();
                }
            }
        }
    }
    for s in &stubs {
        let to = absolute_url(&cfg.url, &cfg.baseurl, &pretty_url(&s.target));
        generated.insert(s.out_path.clone(), redirects::stub_html(&to).into_bytes());
    }
    if cfg.url.is_empty() {
        diags.push(
            Diagnostic::warning(&cfg.file, 0, 0, "`url` is not set: sitemap.xml lists root-relative URLs and robots.txt has no Sitemap line")
                .with_help("set the published address, e.g. `url: https://docs.example.com`"),
        );
    }
    if !taken.contains("sitemap.xml") {
        let listed = rendered
            .iter()
            .filter(|s| in_sitemap(&s.front) && s.front.get("redirect_to").is_none())
            .map(|s| s.output_path());
        generated.insert(
            "sitemap.xml".into(),
            sitemap_xml(&cfg.url, &cfg.baseurl, listed).into_bytes(),
        );
    }
    if !taken.contains("robots.txt") {
        generated.insert(
            "robots.txt".into(),
            robots_txt(&cfg.url, &cfg.baseurl).into_bytes(),
        );
    }
    diags
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

/// `404.html` through the theme's `default` layout (a plain page if that fails).
fn not_found_page(ctx: &BuildContext, has_home: bool) -> (String, Vec<Diagnostic>) {
    let mut body = format!(
        "# {NOT_FOUND_TITLE}\n\nThere is no page at this address. It may have moved or been removed.\n"
    );
    if has_home {
        body.push_str("\n[Go to the home page](/)\n");
    }
    let mut front = Map::new();
    front.insert("layout".into(), Value::String("default".into()));
    front.insert("title".into(), Value::String(NOT_FOUND_TITLE.into()));
    front.insert("sitemap".into(), Value::Bool(false));
    front.insert("edit".into(), Value::Bool(false));
    let text = format!(
        "---\nlayout: default\ntitle: {NOT_FOUND_TITLE}\nsitemap: false\nedit: false\n---\n{body}"
    );
    let page = SourcePage {
        rel: "404.md".into(),
        content_rel: "404.md".into(),
        body_offset: text.len() - body.len(),
        body_line: 7,
        text,
        front,
        is_markdown: true,
    };
    match render_page(ctx, &page) {
        Ok(out) => (out.html, Vec::new()),
        Err(d) => (plain_not_found(has_home), d),
    }
}

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
