use super::*;
use crate::guide::PageMeta;

fn catalog() -> Catalog {
    let meta = |path: &str, title: &str, order: f64| PageMeta {
        out_path: path.into(),
        dir: path.rsplit_once('/').unwrap().0.into(),
        layout: "sidebarelementdoc".into(),
        title: Some(title.into()),
        heading: Some("Acme & Co".into()),
        order: Some(order),
        ..Default::default()
    };
    Catalog::build(&[
        meta("e/acme/index.html", "Overview", 1.0),
        meta("e/acme/setup.html", "Setup", 5.0),
        meta("e/acme/ko/index.html", "개요", 1.0),
        PageMeta {
            out_path: "about/team.html".into(),
            dir: "about".into(),
            layout: "default".into(),
            title: Some("Team".into()),
            ..Default::default()
        },
    ])
}

static SITE: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| json!({}));

fn view<'a>(page: &'a Value, cat: &'a Catalog, shared: &'a Shared, body: &'a str) -> PageView<'a> {
    let url = page["url"].as_str().unwrap();
    PageView {
        page,
        site: &SITE,
        body,
        headings: &[],
        guide: cat.guide_for(context::url_dir(url)),
        shared,
        base_url: "/sub",
        root_rel: "../../",
        api_reference: None,
    }
}

#[test]
fn builtin_layouts_exist() {
    let t = Theme::load(None).unwrap();
    assert_eq!(
        t.layouts(),
        [
            "default",
            "rn",
            "searchresults",
            "sidebarapidocs",
            "sidebarelementdoc",
            "sidebarelementtile",
            "sidebarleft",
            "swagger-only"
        ]
    );
    assert!(!t.has_layout("partials/base"));
    assert!(!t.has_layout("base"));
}

#[test]
fn a_guide_page_has_its_tabs_one_body_and_its_neighbours() {
    let t = Theme::load(None).unwrap();
    let cat = catalog();
    let shared = t.render_shared(&cat, &json!({}), "/sub").unwrap();
    let page = json!({"title": "Setup", "url": "/e/acme/setup.html"});
    let headings = vec![
        Heading {
            level: 1,
            text: "Top".into(),
            id: "top".into(),
        },
        Heading {
            level: 2,
            text: "Step <1>".into(),
            id: "step-1".into(),
        },
    ];
    let v = PageView {
        headings: &headings,
        ..view(&page, &cat, &shared, "<p>BODY</p>")
    };
    let html = t.render_page("sidebarelementdoc", &v).unwrap();
    assert_eq!(html.matches("id=\"page-body\"").count(), 1);
    assert!(html.contains(r#"id="page-body"><p>BODY</p></article>"#));
    assert!(html.contains(r#"<a href="/sub/e/acme/setup.html" aria-current="page">Setup</a>"#));
    assert!(html.contains(r#"<a href="/sub/e/acme/index.html">Overview</a>"#));
    assert!(html.contains(r##"<a href="#step-1">Step &lt;1&gt;</a>"##));
    assert!(!html.contains(r##"href="#top""##));
    // The body has its h1: the theme adds none.
    assert!(!html.contains("<h1"));
    assert!(html.contains(r#"<p class="ed-kicker">Acme &amp; Co</p>"#));
    assert!(html.contains(r#"rel="prev"><span class="ed-pager-label">Previous</span><span class="ed-pager-title">Overview</span>"#));
    assert!(!html.contains(r#"rel="next""#));
    assert!(html.contains(r#"hreflang="ko" lang="ko">한국어</a>"#));
    assert!(html.contains("/sub/assets/elementdocs/theme.css"));
    // Another guide's pages, and pages of no guide, are not listed.
    assert!(!html.contains("about/team.html"));
}

#[test]
fn a_page_of_no_guide_has_its_section_and_a_title_h1() {
    let t = Theme::load(None).unwrap();
    let cat = catalog();
    let shared = t.render_shared(&cat, &json!({}), "").unwrap();
    let page = json!({"title": "Team", "url": "/about/team.html"});
    let html = t
        .render_page("default", &view(&page, &cat, &shared, "<p>x</p>"))
        .unwrap();
    assert_eq!(html.matches("<h1").count(), 1);
    assert!(html.contains(r#"<h1 class="ed-title">Team</h1>"#));
    let nav = html.split("class=\"ed-section-nav\"").nth(1).unwrap();
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(nav.contains(r#"href="/sub/about/team.html" aria-current="page">Team</a>"#));
    // The guides' folder is one link to the catalog.
    assert!(nav.contains(r#"href="/sub/elements/index.html">Element guides</a>"#));
    assert!(!nav.contains("e/acme"));
    let crumbs = html.split("aria-label=\"Breadcrumbs\"").nth(1).unwrap();
    assert!(crumbs.contains(r#"<a href="/sub/">Home</a>"#));
}

#[test]
fn extra_files_have_catalog_and_assets() {
    let t = Theme::load(None).unwrap();
    let cat = catalog();
    let shared = t.render_shared(&cat, &json!({}), "").unwrap();
    let files = t.extra_files(&cat, &json!({}), &shared, "").unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            CATALOG_PATH,
            "assets/elementdocs/favicon.svg",
            "assets/elementdocs/openapi.css",
            "assets/elementdocs/theme.css",
            "assets/elementdocs/theme.js"
        ]
    );
    let page = String::from_utf8(files[0].1.clone()).unwrap();
    assert!(page.contains(r#"<a href="/e/acme/index.html">Acme &amp; Co</a>"#));
    assert_eq!(page.matches("id=\"page-body\"").count(), 1);
    assert_eq!(page.matches("<h1").count(), 1);
    assert!(page.contains(r#"<h2 id="guides-a">A</h2>"#));
}

#[test]
fn the_home_page_leads_to_the_guides_and_the_sections() {
    let t = Theme::load(None).unwrap();
    let cat = catalog();
    let site = json!({"title": "Acme Docs", "description": "All about <Acme>."});
    let shared = t.render_shared(&cat, &site, "").unwrap();
    let html = t.render_home(&cat, &site, &shared, "").unwrap();
    assert!(html.contains("<h1>Acme Docs</h1>"));
    assert!(html.contains("All about &lt;Acme&gt;."));
    assert!(html.contains(r#"href="/elements/index.html">Browse the 1 element guide</a>"#));
    assert!(html.contains(r#"<a href="/about/team.html">Team</a>"#));
    assert!(!html.contains("Breadcrumbs"), "the home page is the top");
}

#[test]
fn by_letter_groups_guides_under_their_initials() {
    let meta = |dir: &str, heading: &str| PageMeta {
        out_path: format!("e/{dir}/index.html"),
        dir: format!("e/{dir}"),
        layout: "sidebarelementdoc".into(),
        heading: Some(heading.into()),
        ..Default::default()
    };
    let cat = Catalog::build(&[
        meta("a", "alpha"),
        meta("b", "Beta"),
        meta("n", "8x8"),
        meta("c", "Ábaco"),
    ]);
    let groups: Vec<(String, usize)> = by_letter(&cat)
        .iter()
        .map(|l| (l.letter.clone(), l.guides.len()))
        .collect();
    assert_eq!(
        groups,
        [
            ("#".to_string(), 2),
            ("A".to_string(), 1),
            ("B".to_string(), 1)
        ]
    );
}

#[test]
fn template_errors_name_the_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.html"), "<p>\n  {% if %}\n").unwrap();
    let err = Theme::load(Some(dir.path())).err().unwrap();
    assert_eq!(err[0].file, Path::new("templates/broken.html"));
    assert_eq!((err[0].line, err[0].col), (2, 9));
    assert_eq!(err[0].source_line.as_deref(), Some("  {% if %}"));
}

#[test]
fn an_override_sees_the_site_keys_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("landing.html"),
        "{{ site.team }} {{ site.data.people.lead }}",
    )
    .unwrap();
    let t = Theme::load(Some(dir.path())).unwrap();
    let cat = catalog();
    let site = json!({"team": "Docs", "data": {"people": {"lead": "Ann"}}, "other": 1});
    let shared = t.render_shared(&cat, &site, "").unwrap();
    let page = json!({"title": "Team", "url": "/about/team.html"});
    let v = PageView {
        site: &site,
        ..view(&page, &cat, &shared, "")
    };
    assert_eq!(t.render_page("landing", &v).unwrap(), "Docs Ann");
    // The built-in theme reads neither: its pages' context holds neither.
    assert!(!t.site_keys.as_ref().unwrap().contains("other"));
}
