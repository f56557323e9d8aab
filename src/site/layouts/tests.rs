//! The site's own layouts, end to end: a small Jekyll site built in memory.

use crate::site::{build_site, BuildOptions};
use std::fs;

fn build(files: &[(&str, &str)]) -> crate::site::SiteOutput {
    let dir = tempfile::tempdir().unwrap();
    for (p, t) in files {
        let f = dir.path().join(p);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, t).unwrap();
    }
    let opts = BuildOptions {
        source: dir.path().to_path_buf(),
        ..Default::default()
    };
    let out = build_site(&opts).unwrap_or_else(|d| panic!("{d:?}"));
    let errs: Vec<String> = out
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert!(errs.is_empty(), "{errs:?}");
    out
}

fn page<'a>(out: &'a crate::site::SiteOutput, path: &str) -> &'a str {
    let names: Vec<&str> = out.pages.iter().map(|p| p.out_path.as_str()).collect();
    out.pages
        .iter()
        .find(|p| p.out_path == path)
        .map(|p| p.html.as_str())
        .unwrap_or_else(|| panic!("no {path} in {names:?}"))
}

const SITE: &[(&str, &str)] = &[
    ("_config.yml", "title: Portal\npaginate: 1\npaginate_path: /news/page:num\nplugins: [jekyll-paginate]\n"),
    ("_layouts/base.html", "<html><title>{{ site.title }}</title>{% include nav.html %}<main>{{ content }}</main>{{ layout.note }}</html>\n"),
    ("_layouts/doc.html", "---\nlayout: base\nnote: from-doc\n---\n<article data-t=\"{{ page.title }}\">{{ content }}</article>\n"),
    ("_includes/nav.html", "<nav>{% for p in site.pages %}{% if p.title %}[{{ p.title }}]{% endif %}{% endfor %}</nav>"),
    ("docs/a.md", "---\nlayout: doc\ntitle: A\n---\n# Hello\n"),
    ("docs/plain.md", "---\ntitle: Plain\n---\nJust *this*\n"),
    ("docs/other.md", "---\nlayout: unknownone\ntitle: Other\n---\nx\n"),
    ("list.json", "---\nlayout: null\n---\n[{% for p in site.posts %}\"{{ p.url }}\"{% unless forloop.last %},{% endunless %}{% endfor %}]\n"),
    ("_posts/2020-01-02-one.md", "---\ntitle: One\nlayout: doc\n---\nfirst\n"),
    ("_posts/2020-02-03-two.md", "---\ntitle: Two\n---\nsecond {{ page.previous.title }}\n"),
    ("news/index.html", "---\ntitle: News\n---\n{% for post in paginator.posts %}{{ post.title }}{% endfor %} {{ paginator.page }}/{{ paginator.total_pages }} {{ paginator.next_page_path }}\n"),
];

#[test]
fn site_layouts_chain_with_content_layout_and_includes() {
    let out = build(SITE);
    let a = page(&out, "docs/a.html");
    // site.pages by file name, as Jekyll sorts it, with the paginated copy
    // jekyll-paginate adds after the others.
    assert!(
        a.starts_with("<html><title>Portal</title><nav>[A][News][Other][Plain][News]</nav>"),
        "{a}"
    );
    assert!(a.contains("<main><article data-t=\"A\"><h1 id=\"hello\">Hello</h1>\n</article>\n</main>from-doc</html>"), "{a}");
    // No layout: written as it is, as Jekyll does.
    assert_eq!(page(&out, "docs/plain.html"), "<p>Just <em>this</em></p>\n");
    // A layout the site lacks: the built-in theme.
    assert!(page(&out, "docs/other.html").contains("id=\"page-body\""));
    assert_eq!(
        page(&out, "list.json"),
        "[\"/2020/02/03/two.html\",\"/2020/01/02/one.html\"]\n"
    );
    assert!(page(&out, "2020/01/02/one.html").contains("<article data-t=\"One\"><p>first</p>"));
    assert_eq!(page(&out, "2020/02/03/two.html"), "<p>second One</p>\n");
    assert_eq!(page(&out, "news/index.html"), "Two 1/2 /news/page2\n");
    assert_eq!(page(&out, "news/page2/index.html"), "One 2/2 \n");
}

#[test]
fn paginated_posts_content_is_rendered_as_jekyll_renders_posts_first() {
    let mut files = SITE.to_vec();
    let news = files
        .iter_mut()
        .find(|(p, _)| *p == "news/index.html")
        .unwrap();
    news.1 = "---\ntitle: News\n---\n{% for post in paginator.posts %}[{{ post.content }}]{% endfor %}\n";
    files.push((
        "_posts/2020-03-04-three.md",
        "---\ntitle: Three\n---\n**bold** {{ page.title }}\n",
    ));
    let out = build(&files);
    // Liquid with the post as `page`, then Markdown; no layout.
    assert_eq!(
        page(&out, "news/index.html"),
        "[<p><strong>bold</strong> Three</p>\n]\n"
    );
    assert_eq!(
        page(&out, "news/page2/index.html"),
        "[<p>second One</p>\n]\n"
    );
}

#[test]
fn the_builtin_theme_can_be_chosen_per_layout_or_for_all() {
    let mut files = SITE.to_vec();
    files[0] = (
        "_config.yml",
        "title: Portal\nelementdocs:\n  theme: {default: site, doc: builtin}\n",
    );
    let out = build(&files);
    assert!(page(&out, "docs/a.html").contains("id=\"page-body\""));
    files[0] = (
        "_config.yml",
        "title: Portal\nelementdocs: {theme: builtin}\n",
    );
    let out = build(&files);
    assert!(page(&out, "docs/plain.html").contains("id=\"page-body\""));
}

#[test]
fn layout_cycles_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (p, t) in [
        ("_config.yml", ""),
        ("_layouts/a.html", "---\nlayout: b\n---\n{{ content }}"),
        ("_layouts/b.html", "---\nlayout: a\n---\n{{ content }}"),
        ("x.md", "---\nlayout: a\n---\nx"),
    ] {
        let f = dir.path().join(p);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, t).unwrap();
    }
    let opts = BuildOptions {
        source: dir.path().to_path_buf(),
        ..Default::default()
    };
    let out = build_site(&opts).unwrap();
    let e: Vec<String> = out.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        e.iter().any(|d| d.contains("layout cycle: a → b → a")),
        "{e:?}"
    );
}
