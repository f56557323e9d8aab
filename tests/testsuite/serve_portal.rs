//! `elementdocs serve` on a whole Jekyll portal: the site's own layouts, an
//! include they use, posts with jekyll-paginate. An edit to any of them
//! shows on the pages that use it, with live reload, as in serve.rs.

use crate::common::{next_json, start_in, Server, Ws, WAIT};
use serde_json::Value;
use std::time::Instant;

const SITE: &[(&str, &str)] = &[
    (
        "_config.yml",
        "title: Portal\npaginate: 1\npaginate_path: /news/page:num\nplugins: [jekyll-paginate]\n",
    ),
    (
        "_layouts/base.html",
        "<html><body>{% include banner.html %}<main>{{ content }}</main>\
<aside>LAYOUT-V1</aside><ul>{% for p in site.posts %}<li>{{ p.title }}</li>{% endfor %}</ul></body></html>\n",
    ),
    ("_includes/banner.html", "<header>BANNER-V1</header>"),
    ("docs/a.md", "---\nlayout: base\ntitle: A\n---\nA-BODY\n"),
    ("_posts/2020-01-02-one.md", "---\ntitle: One\n---\nONE-V1\n"),
    ("_posts/2020-02-03-two.md", "---\ntitle: Two\n---\nTWO-V1\n"),
    (
        "news/index.html",
        "---\nlayout: base\ntitle: News\n---\n{% for post in paginator.posts %}<h2>{{ post.title }}</h2>{{ post.content }}{% endfor %}\n",
    ),
];

fn portal() -> Server {
    let dir = tempfile::tempdir().unwrap();
    for (p, t) in SITE {
        let f = dir.path().join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, t).unwrap();
    }
    start_in(dir)
}

/// Wait (bounded) for a rebuild message, then until `path` holds `needle`.
async fn shows(s: &Server, ws: &mut Ws, path: &str, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let m: Value = next_json(ws).await;
        if m["type"] == "rebuild" {
            assert!(m["errors"].is_null(), "{m}");
            let (status, html) = s.get(path).await;
            if status == 200 && html.contains(needle) {
                return html;
            }
        }
        assert!(Instant::now() < deadline, "{path} never showed {needle}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_to_layouts_includes_and_posts_show_on_a_portal() {
    let s = portal();
    let (status, a) = s.get("/docs/a.html").await;
    assert_eq!(status, 200);
    for want in [
        "BANNER-V1",
        "LAYOUT-V1",
        "<li>Two</li><li>One</li>",
        "data-elementdocs-live",
    ] {
        assert!(a.contains(want), "{want} in {a}");
    }
    let (_, news2) = s.get("/news/page2/").await;
    assert!(news2.contains("<h2>One</h2><p>ONE-V1</p>"), "{news2}");
    let mut ws = s.ws().await;

    // The layout.
    let base = SITE[1].1.replace("LAYOUT-V1", "LAYOUT-V2");
    s.write("_layouts/base.html", &base);
    let a = shows(&s, &mut ws, "/docs/a.html", "LAYOUT-V2").await;
    assert!(a.contains("data-elementdocs-live"), "live reload kept");
    let (_, news) = s.get("/news/").await;
    assert!(
        news.contains("LAYOUT-V2"),
        "every page of the layout: {news}"
    );

    // An include the layout uses.
    s.write("_includes/banner.html", "<header>BANNER-V2</header>");
    shows(&s, &mut ws, "/docs/a.html", "BANNER-V2").await;

    // A post: its title in site.posts, its content on the paginated page.
    s.write(
        "_posts/2020-01-02-one.md",
        "---\ntitle: First\n---\nONE-V2\n",
    );
    shows(&s, &mut ws, "/docs/a.html", "<li>Two</li><li>First</li>").await;
    let (_, news2) = s.get("/news/page2/").await;
    assert!(news2.contains("<h2>First</h2><p>ONE-V2</p>"), "{news2}");
    let (_, post) = s.get("/2020/01/02/one.html").await;
    assert!(post.contains("ONE-V2"), "{post}");
}
