//! Fixture-site tests of the theme: small native sites written into a temp
//! folder, built in memory with `build_site`, and the pages' HTML inspected.
//! Expected values are derived from the inputs (front matter), never copied
//! from output.

use elementdocs::diag::Severity;
use elementdocs::render::{CATALOG_PATH, HOME_PATH};
use elementdocs::site::{build_site, BuildOptions, PageOutput, SiteOutput};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tempfile::TempDir;

/// Write `files` (path, content) under a new native site and build it.
fn build_with(
    config: &str,
    files: &[(&str, &str)],
    base_url: Option<&str>,
) -> (TempDir, SiteOutput) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "elementdocs.yml", config);
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

fn build(files: &[(&str, &str)], base_url: Option<&str>) -> (TempDir, SiteOutput) {
    build_with("title: Fixture Docs\n", files, base_url)
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

fn generated(site: &SiteOutput, path: &str) -> String {
    String::from_utf8(site.generated[path].clone()).unwrap()
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

/// The page without the content of `#page-body`: what the theme wrote.
fn theme_part(html: &str) -> String {
    match html.find("id=\"page-body\">") {
        Some(start) => {
            let end = start + html[start..].find("</article>").unwrap();
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html.to_string(),
    }
}

/// (title, order, file) of a four-tab guide, deliberately out of order on disk.
const TABS: &[(&str, f64, &str)] = &[
    ("Events", 30.0, "events"),
    ("Overview", 1.0, "index"),
    ("Authenticate", 20.0, "authenticate"),
    ("API Provider Setup", 5.0, "setup"),
];

/// Acme (four tabs), `extra` one-page guides, Beta with a `ko` translation.
fn guides(extra: usize) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (title, order, file) in TABS {
        files.push((
            format!("content/docs/elements/acme/{file}.md"),
            guide_page("Acme", title, *order, "sidebarelementdoc"),
        ));
    }
    for n in 0..extra {
        files.push((
            format!("content/docs/elements/zulu{n}/index.md"),
            guide_page(&format!("Zulu {n}"), "Overview", 1.0, "sidebarelementdoc"),
        ));
    }
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

fn sorted_tabs() -> Vec<&'static (&'static str, f64, &'static str)> {
    let mut expected: Vec<&(&str, f64, &str)> = TABS.iter().collect();
    expected.sort_by(|a, b| a.1.total_cmp(&b.1));
    expected
}

#[test]
fn tabs_in_order_with_the_current_one_marked() {
    let files = guides(1);
    let (_dir, site) = build(&as_refs(&files), None);
    let expected = sorted_tabs();
    for (i, (title, _, file)) in expected.iter().enumerate() {
        let out = format!("docs/elements/acme/{file}.html");
        let html = &page(&site, &out).html;
        let tabs = between(html, "<nav class=\"ed-tabs\"", "</nav>");
        let want_urls: Vec<String> = expected
            .iter()
            .map(|t| format!("/docs/elements/acme/{}.html", t.2))
            .collect();
        assert_eq!(hrefs(tabs), want_urls, "tabs of {out}");
        assert_eq!(tabs.matches("aria-current=\"page\"").count(), 1);
        assert!(
            tabs.contains(&format!(
                "href=\"/{out}\" aria-current=\"page\">{title}</a>"
            )),
            "current tab of {out}: {tabs}"
        );
        assert!(html.contains("<p class=\"ed-kicker\">Acme</p>"));
        // Previous and next follow the tabs.
        let pager = hrefs(between(html, "class=\"ed-pager\"", "</nav>")).to_vec();
        let want: Vec<String> = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| expected.get(j))
            .map(|t| format!("/docs/elements/acme/{}.html", t.2))
            .collect();
        assert_eq!(pager, want, "previous/next of {out}");
    }
}

#[test]
fn one_page_body_holding_exactly_the_rendered_markdown() {
    let files = guides(1);
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
    let files = guides(1);
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

/// A guide's page is the same whether the site has 2 or 40 other guides:
/// its size does not grow with the number of guides.
#[test]
fn a_guide_page_does_not_grow_with_the_number_of_guides() {
    let few = guides(1);
    let many = guides(40);
    let (_a, small) = build(&as_refs(&few), None);
    let (_b, large) = build(&as_refs(&many), None);
    for (_, _, file) in TABS {
        let out = format!("docs/elements/acme/{file}.html");
        assert_eq!(page(&small, &out).html, page(&large, &out).html, "{out}");
    }
    let catalog = generated(&large, CATALOG_PATH);
    assert_eq!(catalog.matches("class=\"ed-card\"").count(), 42);
}

/// From every page, every guide is at most two links away (to the catalog,
/// then to the guide), following plain `href`s: no script needed.
#[test]
fn every_guide_is_two_clicks_from_every_page() {
    let files = guides(3);
    let (_dir, site) = build(&as_refs(&files), None);
    let mut links: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let html_of = |path: &str| -> Option<String> {
        site.pages
            .iter()
            .find(|p| p.out_path == path)
            .map(|p| p.html.clone())
            .or_else(|| {
                site.generated
                    .get(path)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
            })
    };
    let mut all: Vec<String> = site.pages.iter().map(|p| p.out_path.clone()).collect();
    all.extend([
        CATALOG_PATH.to_string(),
        HOME_PATH.to_string(),
        "404.html".to_string(),
    ]);
    for path in &all {
        let html = html_of(path).unwrap();
        let targets = hrefs(&html)
            .into_iter()
            .filter(|h| h.starts_with('/') && h.ends_with(".html"))
            .map(|h| h.trim_start_matches('/').to_string())
            .collect();
        links.insert(path.clone(), targets);
    }
    let guide_urls: Vec<String> = site
        .pages
        .iter()
        .filter(|p| p.out_path.ends_with("/index.html") || p.out_path.ends_with("beta/api.html"))
        .filter(|p| p.out_path.starts_with("docs/elements/") && !p.out_path.contains("/ko/"))
        .map(|p| p.out_path.clone())
        .collect();
    assert_eq!(guide_urls.len(), 5, "acme, beta and three zulu guides");
    for from in &all {
        let one = &links[from];
        let two: BTreeSet<&String> = one
            .iter()
            .filter_map(|p| links.get(p))
            .flatten()
            .chain(one)
            .collect();
        for g in &guide_urls {
            assert!(two.contains(g), "{g} is not within two clicks of {from}");
        }
    }
}

#[test]
fn catalog_lists_every_guide_once_with_badges_only_when_given() {
    let mut files = guides(1);
    files.push((
        "content/docs/elements/hubbed/index.md".into(),
        "---\nheading: Hubbed\ntitle: Overview\nlayout: sidebarelementdoc\nhub: crm\nauth: OAuth 2.0\n---\nX\n".into(),
    ));
    let (_dir, site) = build(&as_refs(&files), None);
    let catalog = generated(&site, CATALOG_PATH);
    let titles: Vec<&str> = catalog
        .split("<h3 class=\"ed-card-title\"><a href=\"")
        .skip(1)
        .map(|r| between(r, ">", "</a>"))
        .collect();
    assert_eq!(titles, ["Acme", "Beta API", "Hubbed", "Zulu 0"]);
    assert_eq!(catalog.matches("Hub: ").count(), 1);
    assert!(catalog.contains(
        "<span class=\"ed-badge\">Hub: crm</span><span class=\"ed-badge\">Auth: OAuth 2.0</span>"
    ));
    assert!(catalog.contains("hreflang=\"ko\""), "translation badge");
    assert_eq!(catalog.matches("<h1").count(), 1);
    // No table: cards that fit a phone's width.
    assert!(!catalog.contains("<table"));
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

/// A portal: element guides, hub pages that use guide layouts, and section
/// pages with the portal's layouts.
fn portal() -> Vec<(String, String)> {
    let mut files = guides(2);
    let hub = |heading: &str, title: &str, layout: &str, order: u32| {
        format!("---\nheading: {heading}\ntitle: {title}\nlayout: {layout}\norder: {order}\n---\n\n## {title}\n\nText.\n")
    };
    files.extend([
        (
            "content/docs/hubs/crm/index.md".to_string(),
            hub("CRM APIs", "Overview", "sidebarleft", 1),
        ),
        (
            "content/docs/hubs/crm/api.md".to_string(),
            hub("CRM APIs", "API Reference", "sidebarapidocs", 90),
        ),
        (
            "content/docs/hubs/erp/index.md".to_string(),
            hub("ERP APIs", "Overview", "sidebarleft", 1),
        ),
        (
            "content/docs/search.md".to_string(),
            "---\ntitle: Search results\nlayout: searchresults\n---\nSearch.\n".to_string(),
        ),
        (
            "content/docs/release-notes.md".to_string(),
            "---\ntitle: Release notes\nlayout: rn\n---\nNotes.\n".to_string(),
        ),
    ]);
    files
}

#[test]
fn portal_sections_get_their_own_navigation_not_the_guides() {
    let files = portal();
    let (_dir, site) = build(&as_refs(&files), None);
    assert!(
        !site
            .diagnostics
            .iter()
            .any(|d| d.message.contains("unknown layout")),
        "{:#?}",
        site.diagnostics
    );
    let catalog = generated(&site, CATALOG_PATH);
    assert!(
        !catalog.contains("CRM APIs"),
        "hub pages are not element guides"
    );
    let api = &page(&site, "docs/hubs/crm/api.html").html;
    assert!(api.contains("class=\"ed-layout-sidebarapidocs\""));
    assert!(!api.contains("ed-tabs"), "no guide navigation");
    let nav = between(api, "<nav class=\"ed-section-nav\"", "</nav>");
    // Up to docs/, the folder above (hubs, linked to its first folder),
    // crm opened on its pages, erp closed.
    assert_eq!(
        hrefs(nav),
        [
            "/docs/release-notes.html",
            "/docs/hubs/crm/index.html",
            "/docs/hubs/crm/index.html",
            "/docs/hubs/crm/index.html",
            "/docs/hubs/crm/api.html",
            "/docs/hubs/erp/index.html",
        ]
    );
    assert!(
        nav.contains("href=\"/docs/hubs/crm/api.html\" aria-current=\"page\">API Reference</a>")
    );
    assert!(nav.contains(">CRM APIs</a>"));
    // A page in `docs/` sees the guides as one link to the catalog.
    let notes = &page(&site, "docs/release-notes.html").html;
    let nav = between(notes, "<nav class=\"ed-section-nav\"", "</nav>");
    assert!(nav.contains(&format!("href=\"/{CATALOG_PATH}\">Element guides</a>")));
    assert!(!nav.contains("acme"));
    assert!(!nav.contains("zulu"));
}

/// The `<h1>` elements of a page: one, the body's own when it has one.
#[test]
fn one_h1_per_page_the_bodys_own_or_the_title() {
    let (_dir, site) = build(
        &[
            ("content/a.md", "---\ntitle: Alpha Title\n---\n\n# Alpha in the body\n\nText.\n"),
            ("content/b.md", "---\ntitle: Beta Title\n---\n\n## Only a section\n\nText.\n"),
            (
                "content/docs/elements/x/index.md",
                "---\nheading: Xeno\ntitle: Overview\nlayout: sidebarelementdoc\n---\n\nNo heading.\n",
            ),
        ],
        None,
    );
    let h1s = |html: &str| -> Vec<String> {
        html.split("<h1")
            .skip(1)
            .map(|s| between(s, ">", "</h1>").to_string())
            .collect()
    };
    let a = &page(&site, "a.html").html;
    assert_eq!(h1s(a), ["Alpha in the body"]);
    let b = &page(&site, "b.html").html;
    assert_eq!(h1s(b), ["Beta Title"]);
    let x = &page(&site, "docs/elements/x/index.html").html;
    assert_eq!(h1s(x), ["Overview"]);
    assert!(x.contains("<p class=\"ed-kicker\">Xeno</p>"));
    for path in [CATALOG_PATH, HOME_PATH, "404.html"] {
        assert_eq!(h1s(&generated(&site, path)).len(), 1, "{path}");
    }
}

#[test]
fn breadcrumbs_edit_link_and_last_updated() {
    let (_dir, site) = build_with(
        "title: Fixture Docs\nedit_url: https://git.example.com/docs/edit/main/{path}\n",
        &[
            (
                "content/guides/bulk/start.md",
                "---\ntitle: Start here\norder: 1\nlast_modified_at: 2024-03-05T10:20:00Z\n---\nText.\n",
            ),
            ("content/guides/bulk/index.md", "---\ntitle: Bulk\n---\nText.\n"),
            ("content/no-edit.md", "---\ntitle: Fixed\nedit: false\n---\nText.\n"),
        ],
        None,
    );
    let html = &page(&site, "guides/bulk/start.html").html;
    let crumbs = between(html, "aria-label=\"Breadcrumbs\"", "</nav>");
    assert_eq!(hrefs(crumbs), ["/", "/guides/bulk/index.html"]);
    assert!(crumbs.contains("<span aria-current=\"page\">Start here</span>"));
    assert!(html.contains(
        "<a class=\"ed-edit\" href=\"https://git.example.com/docs/edit/main/content/guides/bulk/start.md\">Edit this page</a>"
    ));
    assert!(
        html.contains("Last updated on <time datetime=\"2024-03-05T10:20:00Z\">2024-03-05</time>")
    );
    let index = &page(&site, "guides/bulk/index.html").html;
    assert!(
        !index.contains("Last updated"),
        "no date without last_modified_at"
    );
    assert!(!page(&site, "no-edit.html").html.contains("ed-edit"));
    for generated_page in [CATALOG_PATH, HOME_PATH, "404.html"] {
        assert!(
            !generated(&site, generated_page).contains("ed-edit"),
            "{generated_page}"
        );
    }
}

#[test]
fn a_home_page_is_generated_only_when_the_site_has_none() {
    let files = guides(1);
    let (_dir, site) = build_with(
        "title: Fixture Docs\ndescription: Guides for <everyone>.\n",
        &as_refs(&files),
        None,
    );
    let home = generated(&site, HOME_PATH);
    assert!(home.contains("<h1>Fixture Docs</h1>"));
    assert!(home.contains("Guides for &lt;everyone&gt;."));
    assert!(home.contains(&format!(
        "href=\"/{CATALOG_PATH}\">Browse the 3 element guides</a>"
    )));
    assert!(home.contains("/assets/elementdocs/theme.css"));
    let (_dir, own) = build(
        &[("content/index.md", "---\ntitle: Welcome\n---\nOurs.\n")],
        None,
    );
    assert!(!own.generated.contains_key(HOME_PATH));
    assert!(page(&own, HOME_PATH).html.contains("Ours."));
}

/// `404.html` is served at any depth: its links and styles are root-relative.
#[test]
fn the_404_page_is_styled_from_any_depth() {
    let files = guides(1);
    let (_dir, site) = build(&as_refs(&files), None);
    let nf = generated(&site, "404.html");
    assert!(nf.contains("<link rel=\"stylesheet\" href=\"/assets/elementdocs/theme.css\">"));
    for url in hrefs(&theme_part(&nf)) {
        assert!(
            url.starts_with('/') || url.starts_with('#') || url.starts_with("http"),
            "relative URL {url} in 404.html"
        );
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
            ("content/a.md", "---\ntitle: A\nlayout: default\n---\n\nAlpha.\n"),
            ("content/b.md", "---\ntitle: B\nlayout: landing\n---\n\nBeta.\n"),
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
    let files = portal();
    let (_dir, site) = build(&as_refs(&files), Some("/sub/path/"));
    let generated_pages =
        [CATALOG_PATH, HOME_PATH, "404.html"].map(|p| (p.to_string(), generated(&site, p)));
    let all = site
        .pages
        .iter()
        .map(|p| (p.out_path.clone(), p.html.clone()))
        .chain(generated_pages);
    for (path, html) in all {
        let theme = theme_part(&html);
        for attr in ["href=\"/", "src=\"/"] {
            for (i, _) in theme.match_indices(attr) {
                let url = &theme[i + attr.len() - 1..];
                assert!(
                    url.starts_with("/sub/path/"),
                    "{path}: {}",
                    &url[..40.min(url.len())]
                );
            }
        }
    }
}

#[test]
fn header_carries_the_sites_title_logo_and_links() {
    let (_dir, site) = build_with(
        "title: Acme Developer Hub\nlogo: /img/logo.svg\nnav_links:\n  - title: API status\n    url: https://status.example.com\n",
        &[("content/a.md", "---\ntitle: A\n---\nA.\n")],
        None,
    );
    let html = &page(&site, "a.html").html;
    let header = between(html, "<header class=\"ed-header\">", "</header>");
    assert!(header.contains("<img class=\"ed-logo\" src=\"/img/logo.svg\" alt=\"\" height=\"28\">"));
    assert!(header.contains("<span class=\"ed-brand-name\">Acme Developer Hub</span>"));
    assert!(header.contains("<a href=\"https://status.example.com\">API status</a>"));
    assert!(
        !header.contains(">Guides</a>"),
        "no guides: no link to an empty catalog"
    );
}

/// Front matter values land escaped wherever the theme prints them: text,
/// attributes, the catalog, the home and 404 pages.
#[test]
fn front_matter_values_cannot_inject_markup() {
    const ATTR: &str = "\"><img src=x onerror=alert(1)>";
    const SCRIPT: &str = "</script><script>alert(1)</script>";
    let value = |v: &str| serde_json::to_string(v).unwrap();
    let front = |title: &str, heading: &str, order: u32| {
        format!(
            "---\ntitle: {}\nheading: {}\nseo: {}\ndescription: {}\nhub: {}\nauth: {}\nlast_modified_at: {}\nlayout: sidebarelementdoc\norder: {order}\n---\n\nBody.\n",
            value(title),
            value(heading),
            value(ATTR),
            value(SCRIPT),
            value(SCRIPT),
            value(ATTR),
            value(ATTR),
        )
    };
    let mut files = vec![
        (
            "content/docs/elements/evil/index.md".to_string(),
            front(ATTR, SCRIPT, 1),
        ),
        (
            "content/docs/elements/evil/two.md".to_string(),
            front(SCRIPT, ATTR, 2),
        ),
        (
            "content/docs/elements/evil/ko/index.md".to_string(),
            front(ATTR, ATTR, 1),
        ),
        (
            "content/docs/other/page.md".to_string(),
            format!(
                "---\ntitle: {}\nheading: {}\n---\nBody.\n",
                value(SCRIPT),
                value(ATTR)
            ),
        ),
    ];
    files.push((
        "content/docs/other/more.md".into(),
        "---\ntitle: More\n---\nM.\n".into(),
    ));
    let (_dir, site) = build_with(
        &format!("title: {}\ndescription: {}\n", value(SCRIPT), value(ATTR)),
        &as_refs(&files),
        None,
    );
    let outputs = site
        .pages
        .iter()
        .map(|p| (p.out_path.clone(), theme_part(&p.html)))
        .chain([CATALOG_PATH, HOME_PATH, "404.html"].map(|p| (p.to_string(), generated(&site, p))));
    let mut checked = 0;
    for (path, html) in outputs {
        assert!(!html.contains("<img src=x"), "{path}: {html}");
        assert!(!html.contains("<script>alert"), "{path}");
        // The only scripts are the theme's own.
        assert_eq!(html.matches("<script").count(), 3, "{path}");
        checked += 1;
    }
    assert_eq!(checked, site.pages.len() + 3);
    let evil = theme_part(&page(&site, "docs/elements/evil/two.html").html);
    assert!(evil.contains("<title>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</title>"));
    assert!(evil.contains(
        "<h1 class=\"ed-title\">&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>"
    ));
    assert!(evil.contains("content=\"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
}
