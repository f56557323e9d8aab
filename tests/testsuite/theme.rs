//! Fixture-site tests of the theme: small native sites written into a temp
//! folder, built in memory with `build_site`, and the pages' HTML inspected.
//! Expected values are derived from the inputs (front matter), never copied
//! from output.

use elementdocs::diag::Severity;
use elementdocs::render::CATALOG_PATH;
use elementdocs::site::{build_site, BuildOptions, PageOutput, SiteOutput};
use std::path::Path;
use tempfile::TempDir;

/// Write `files` (path, content) under a new native site and build it.
fn build(files: &[(&str, &str)], base_url: Option<&str>) -> (TempDir, SiteOutput) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "elementdocs.yml", "title: Fixture Docs\n");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    let out = build_site(&BuildOptions {
        source: dir.path().to_path_buf(),
        out: Some(dir.path().join("public")),
        base_url: base_url.map(String::from),
        ..Default::default()
    })
    .unwrap_or_else(|d| panic!("build failed: {d:?}"));
    (dir, out)
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn guide_page(heading: &str, title: &str, order: f64, layout: &str) -> String {
    format!(
        "---\nheading: {heading}\ntitle: {title}\nlayout: {layout}\norder: {order}\n---\n\n# {title}\n\nAbout {title}.\n\n## Details\n\nMore.\n"
    )
}

fn page<'a>(site: &'a SiteOutput, out_path: &str) -> &'a PageOutput {
    site.pages
        .iter()
        .find(|p| p.out_path == out_path)
        .unwrap_or_else(|| panic!("no page {out_path}"))
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let len = html[from..].find(end).unwrap_or_else(|| panic!("no {end}"));
    &html[from..from + len]
}

/// The `href` values inside `html`, in order.
fn hrefs(html: &str) -> Vec<&str> {
    html.split("href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect()
}

/// (title, order, file) of a three-tab guide, deliberately out of order on disk.
const TABS: &[(&str, f64, &str)] = &[
    ("Events", 30.0, "events"),
    ("Overview", 1.0, "index"),
    ("Authenticate", 20.0, "authenticate"),
    ("API Provider Setup", 5.0, "setup"),
];

fn three_guides() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (title, order, file) in TABS {
        files.push((
            format!("content/docs/elements/acme/{file}.md"),
            guide_page("Acme", title, *order, "sidebarelementdoc"),
        ));
    }
    files.push((
        "content/docs/elements/zulu/index.md".into(),
        guide_page("Zulu Cloud", "Overview", 1.0, "sidebarelementdoc"),
    ));
    files.push((
        "content/docs/elements/beta/api.md".into(),
        guide_page("Beta API", "API Docs", 90.0, "sidebarapidocs"),
    ));
    files.push((
        "content/docs/elements/beta/ko/api.md".into(),
        guide_page("Beta API", "API Docs", 90.0, "swagger-only"),
    ));
    files
}

fn as_refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

#[test]
fn tabs_in_order_with_the_current_one_marked() {
    let files = three_guides();
    let (_dir, site) = build(&as_refs(&files), None);
    let mut expected: Vec<&(&str, f64, &str)> = TABS.iter().collect();
    expected.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (title, _, file) in TABS {
        let out = format!("docs/elements/acme/{file}.html");
        let html = &page(&site, &out).html;
        let tabs = between(html, "<nav class=\"ed-tabs\"", "</nav>");
        let titles: Vec<&str> = tabs
            .split("</a>")
            .filter_map(|s| s.rsplit_once('>').map(|(_, t)| t))
            .filter(|t| !t.trim().is_empty())
            .collect();
        let want: Vec<&str> = expected.iter().map(|t| t.0).collect();
        assert_eq!(titles, want, "tabs of {out}");
        let want_urls: Vec<String> = expected
            .iter()
            .map(|t| format!("/docs/elements/acme/{}.html", t.2))
            .collect();
        assert_eq!(hrefs(tabs), want_urls);
        assert_eq!(tabs.matches("aria-current=\"page\"").count(), 1);
        assert!(
            tabs.contains(&format!(
                "href=\"/{out}\" aria-current=\"page\">{title}</a>"
            )),
            "current tab of {out}: {tabs}"
        );
        assert!(html.contains("<p class=\"ed-guide-heading\">Acme</p>"));
    }
}

#[test]
fn one_page_body_holding_exactly_the_rendered_markdown() {
    let files = three_guides();
    let (_dir, site) = build(&as_refs(&files), None);
    for p in &site.pages {
        assert_eq!(
            p.html.matches("id=\"page-body\"").count(),
            1,
            "{}",
            p.out_path
        );
        let open = p.html.find("id=\"page-body\">").unwrap() + "id=\"page-body\">".len();
        let rest = &p.html[open..];
        assert!(
            rest.starts_with(&p.rendered.html),
            "{}: body is not the rendered Markdown",
            p.out_path
        );
        assert!(
            rest[p.rendered.html.len()..].starts_with("</article>"),
            "{}: something follows the body inside #page-body",
            p.out_path
        );
    }
}

#[test]
fn on_this_page_lists_the_h2_and_h3_headings() {
    let files = three_guides();
    let (_dir, site) = build(&as_refs(&files), None);
    for p in &site.pages {
        for h in &p.rendered.headings {
            let link = format!("<a href=\"#{}\">", h.id);
            let in_toc = p
                .html
                .contains(&format!("class=\"ed-toc-h{}\">{link}", h.level));
            assert_eq!(
                in_toc,
                (h.level == 2 || h.level == 3) && !h.id.is_empty(),
                "{} heading {:?}",
                p.out_path,
                h
            );
        }
    }
}

#[test]
fn sidebar_lists_every_guide_once_and_is_the_same_on_every_page() {
    let files = three_guides();
    let (_dir, site) = build(&as_refs(&files), None);
    // Guides are the folders of guide pages, except the `ko` translation.
    let expected = [
        (
            "Acme",
            "docs/elements/acme",
            "/docs/elements/acme/index.html",
        ),
        (
            "Beta API",
            "docs/elements/beta",
            "/docs/elements/beta/api.html",
        ),
        (
            "Zulu Cloud",
            "docs/elements/zulu",
            "/docs/elements/zulu/index.html",
        ),
    ];
    let sidebars: Vec<&str> = site
        .pages
        .iter()
        .map(|p| {
            between(
                &p.html,
                "<aside id=\"ed-sidebar\" class=\"ed-sidebar\">",
                "</aside>",
            )
        })
        .collect();
    assert!(sidebars.windows(2).all(|w| w[0] == w[1]));
    let sidebar = sidebars[0];
    for (heading, dir, url) in expected {
        let link = format!("<a href=\"{url}\" data-guide=\"{dir}\">{heading}</a>");
        assert_eq!(sidebar.matches(&link).count(), 1, "{link} in {sidebar}");
    }
    assert_eq!(sidebar.matches("data-guide=").count(), expected.len());
    // The current guide is marked client-side from body[data-guide].
    let acme = page(&site, "docs/elements/acme/setup.html");
    assert!(acme.html.contains("data-guide=\"docs/elements/acme\""));
    let ko = page(&site, "docs/elements/beta/ko/api.html");
    assert!(ko.html.contains("data-guide=\"docs/elements/beta\""));
    assert!(ko.html.starts_with("<!doctype html>\n<html lang=\"ko\">"));
}

#[test]
fn catalog_page_lists_every_guide_and_is_linked_from_every_page() {
    let files = three_guides();
    let (_dir, site) = build(&as_refs(&files), None);
    let catalog = String::from_utf8(site.generated[CATALOG_PATH].clone()).unwrap();
    let rows = between(&catalog, "<tbody>", "</tbody>");
    let guides: Vec<&str> = rows
        .split("<th scope=\"row\"><a href=\"")
        .skip(1)
        .map(|r| between(r, ">", "</a>"))
        .collect();
    assert_eq!(guides, ["Acme", "Beta API", "Zulu Cloud"]);
    assert!(rows.contains("hreflang=\"ko\""), "translation badge");
    for p in &site.pages {
        assert!(
            p.html.contains(&format!("href=\"/{CATALOG_PATH}\"")),
            "{}",
            p.out_path
        );
    }
    for asset in ["theme.css", "theme.js", "highlight.css"] {
        assert!(site
            .generated
            .contains_key(&format!("assets/elementdocs/{asset}")));
    }
}

#[test]
fn unknown_layout_warns_and_falls_back_to_default() {
    let (_dir, site) = build(
        &[(
            "content/notes.md",
            "---\ntitle: Notes\nlayout: no-such-layout\n---\n\nHello.\n",
        )],
        None,
    );
    let warning = site
        .diagnostics
        .iter()
        .find(|d| d.message.contains("no-such-layout"))
        .expect("a warning about the layout");
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.file, Path::new("content/notes.md"));
    // At the value of `layout:` on line 3 of the file.
    assert_eq!((warning.line, warning.col), (3, 9));
    assert!(warning
        .help
        .as_deref()
        .unwrap()
        .contains("sidebarelementdoc"));
    let html = &page(&site, "notes.html").html;
    assert!(html.contains("class=\"ed-layout-default\""));
    assert_eq!(html.matches("id=\"page-body\"").count(), 1);
}

#[test]
fn site_templates_override_the_builtin_theme() {
    let (_dir, site) = build(
        &[
            (
                "content/a.md",
                "---\ntitle: A\nlayout: default\n---\n\nAlpha.\n",
            ),
            (
                "content/b.md",
                "---\ntitle: B\nlayout: landing\n---\n\nBeta.\n",
            ),
            (
                "templates/default.html",
                "<main id=\"page-body\">{{ body | safe }}</main><footer>custom {{ page.title }}</footer>",
            ),
            (
                "templates/landing.html",
                "{% extends \"partials/base.html\" %}{% block title %}LANDING {{ page.title }}{% endblock title %}",
            ),
            ("templates/assets/theme.css", "body { color: red }\n"),
        ],
        None,
    );
    let a = page(&site, "a.html");
    assert_eq!(
        a.html,
        format!(
            "<main id=\"page-body\">{}</main><footer>custom A</footer>",
            a.rendered.html
        )
    );
    let b = page(&site, "b.html");
    assert!(b.html.contains("<title>LANDING B</title>"));
    assert!(!site
        .diagnostics
        .iter()
        .any(|d| d.message.contains("landing")));
    assert_eq!(
        site.generated["assets/elementdocs/theme.css"],
        b"body { color: red }\n"
    );
}

#[test]
fn every_root_relative_theme_url_goes_through_base_url() {
    let files = three_guides();
    let (_dir, site) = build(&as_refs(&files), Some("/sub/path/"));
    for p in &site.pages {
        let body_start = p.html.find("id=\"page-body\">").unwrap();
        let body_end = body_start + p.html[body_start..].find("</article>").unwrap();
        let theme_part = format!("{}{}", &p.html[..body_start], &p.html[body_end..]);
        for attr in ["href=\"/", "src=\"/"] {
            for (i, _) in theme_part.match_indices(attr) {
                let url = &theme_part[i + attr.len() - 1..];
                assert!(
                    url.starts_with("/sub/path/"),
                    "{}: {}",
                    p.out_path,
                    &url[..40.min(url.len())]
                );
            }
        }
    }
}

#[test]
fn titles_and_front_matter_are_escaped() {
    let (_dir, site) = build(
        &[(
            "content/docs/x/index.md",
            "---\nheading: \"<b>X</b> & Co\"\ntitle: \"Tab \\\"1\\\"\"\nlayout: sidebarelementdoc\norder: 1\n---\n\nText.\n",
        )],
        None,
    );
    let html = &page(&site, "docs/x/index.html").html;
    assert!(html.contains("<p class=\"ed-guide-heading\">&lt;b&gt;X&lt;/b&gt; &amp; Co</p>"));
    assert!(html.contains(">Tab &quot;1&quot;</a>"));
    assert!(!html.contains("<b>X</b>"));
}
