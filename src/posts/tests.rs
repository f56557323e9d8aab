//! Posts: file names, permalink styles and placeholders, dates, neighbours
//! and the site's lists (Jekyll 4.3's rules).

use super::*;
use crate::config::Config;
use std::fs;

#[test]
fn post_file_names() {
    assert_eq!(
        post_name("2017-10-16-ReleaseNotes-2.137.md"),
        Some((2017, 10, 16, "ReleaseNotes-2.137", "md"))
    );
    assert_eq!(post_name("2017-02-30-x.md"), None, "no such day");
    assert_eq!(post_name("2017-10-16.md"), None);
    assert_eq!(post_name("2017-10-16-x.txt"), None);
    assert_eq!(post_name("notes.md"), None);
}

#[test]
fn urls_and_output_files() {
    let v = [
        ("year", "2017"),
        ("month", "10"),
        ("day", "06"),
        ("title", "hi"),
        ("categories", ""),
        ("output_ext", ".html"),
    ];
    assert_eq!(fill(named_style("date"), &v), "/2017/10/06/hi.html");
    assert_eq!(fill(named_style("pretty"), &v), "/2017/10/06/hi/");
    assert_eq!(fill(named_style("none"), &v), "/hi.html");
    assert_eq!(fill("/blog/:year/:title", &v), "/blog/2017/hi");
    assert_eq!(output_of_url("/2017/10/06/hi/"), "2017/10/06/hi/index.html");
    assert_eq!(output_of_url("/blog/2017/hi"), "blog/2017/hi.html");
    assert_eq!(output_of_url("/search/"), "search/index.html");
    assert_eq!(output_of_url("/feed.xml"), "feed.xml");
}

#[test]
fn dates_as_jekyll_prints_them() {
    assert_eq!(
        jekyll_date("2017-10-16").as_deref(),
        Some("2017-10-16 00:00:00 +0000")
    );
    assert_eq!(
        jekyll_date("2017-10-16 10:30:00 +0100").as_deref(),
        Some("2017-10-16 10:30:00 +0100")
    );
    assert_eq!(
        jekyll_date("2017-10-16 10:30").as_deref(),
        Some("2017-10-16 10:30:00 +0000")
    );
    assert_eq!(jekyll_date("next tuesday"), None);
    assert_eq!(unslug("my-first-post"), "My First Post");
}

fn site(files: &[(&str, &str)], config: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("_config.yml"), config).unwrap();
    for (p, t) in files {
        let f = dir.path().join(p);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, t).unwrap();
    }
    let cfg = Config::load(dir.path()).unwrap();
    (dir, cfg)
}

#[test]
fn posts_get_urls_dates_categories_and_neighbours() {
    let (_d, cfg) = site(
        &[
            (
                "_posts/2017-10-16-second.md",
                "---\ntitle: Two\ncategories: [News, rel]\n---\nb\n",
            ),
            ("_posts/2017-09-01-first.md", "---\ntags: a b\n---\na\n"),
            (
                "_posts/2018-01-02-third.md",
                "---\npermalink: /notes/:title/\ndate: 2018-01-02 08:00:00 +0100\n---\nc\n",
            ),
            (
                "_posts/2018-01-03-draft.md",
                "---\npublished: false\n---\nd\n",
            ),
            ("_posts/README.md", "---\n---\nnot a post\n"),
        ],
        "url: https://x.org\n",
    );
    let (posts, diags) = discover(&cfg, &[]);
    assert!(diags.is_empty(), "{diags:?}");
    let urls: Vec<String> = posts.iter().map(|p| p.url()).collect();
    assert_eq!(
        urls,
        [
            "/2017/09/01/first.html",
            "/news/rel/2017/10/16/second.html",
            "/notes/third/"
        ]
    );
    // Jekyll's URL of a folder permalink is the folder; the file is its index.
    assert_eq!(posts[2].output_path(), "notes/third/index.html");
    assert_eq!(posts[0].front["title"], "First");
    assert_eq!(posts[0].front["date"], "2017-09-01 00:00:00 +0000");
    assert_eq!(posts[0].front["tags"], serde_json::json!(["a", "b"]));
    assert_eq!(posts[2].front["date"], "2018-01-02 08:00:00 +0100");
    assert_eq!(posts[1].front["previous"]["url"], "/2017/09/01/first.html");
    assert_eq!(posts[1].front["next"]["url"], "/notes/third/");
    assert_eq!(posts[0].front["previous"], Value::Null);
    assert!(posts[0].is_markdown);

    let mut m = Map::new();
    site_lists(&mut m, posts.iter(), |p| Value::String(p.url()));
    assert_eq!(m["posts"][0], "/notes/third/", "newest first");
    assert_eq!(
        m["categories"]["News"],
        serde_json::json!(["/news/rel/2017/10/16/second.html"])
    );
    assert_eq!(
        m["tags"]["a"],
        serde_json::json!(["/2017/09/01/first.html"])
    );
}

#[test]
fn config_permalink_and_bad_dates() {
    let (_d, cfg) = site(
        &[
            ("_posts/2017-10-16-a.md", "---\n---\na\n"),
            ("_posts/2017-10-17-b.md", "---\ndate: soon\n---\nb\n"),
        ],
        "permalink: pretty\n",
    );
    let (posts, diags) = discover(&cfg, &[]);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].output_path(), "2017/10/16/a/index.html");
    let e = diags[0].to_string();
    assert!(
        e.starts_with("_posts/2017-10-17-b.md:2:1: error: `date: soon` is not a date"),
        "{e}"
    );
}

#[test]
fn site_pages_come_in_jekylls_order_by_name_subfolders_first() {
    let mut rels = vec![
        "docs/index.md",
        "docs/b/setup.md",
        "zeta.md",
        "docs/a/index.md",
        "news/index.html#page2",
        "docs/a/x/index.md",
        "404.html",
    ];
    rels.sort_by_cached_key(|r| super::jekyll_page_order(r));
    assert_eq!(
        rels,
        [
            "404.html",
            "docs/a/x/index.md",
            "docs/a/index.md",
            "docs/index.md",
            "docs/b/setup.md",
            "zeta.md",
            "news/index.html#page2",
        ]
    );
}
