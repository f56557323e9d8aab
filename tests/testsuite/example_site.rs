//! The bundled example site (the SmartRecruiters element guide at the
//! repository root) builds cleanly, and its Authenticate page is the seed.

use elementdocs::site::{build_site, BuildOptions};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const GUIDE: &str = "content/docs/elements/smartrecruiters";

/// `key: value` of a page's front matter, read directly from the file.
fn front_value(text: &str, key: &str) -> Option<String> {
    let front = text.strip_prefix("---\n")?.split("\n---\n").next()?;
    front.lines().find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix(':')?;
        let v = v.split(" #").next().unwrap_or(v).trim();
        Some(v.trim_matches('"').to_string())
    })
}

#[test]
fn bundled_site_builds_without_any_diagnostic() {
    let out = tempfile::tempdir().unwrap();
    let site = build_site(&BuildOptions {
        source: repo(),
        out: Some(out.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap_or_else(|d| panic!("{d:?}"));
    assert!(site.diagnostics.is_empty(), "{:#?}", site.diagnostics);
    let auth = site
        .pages
        .iter()
        .find(|p| p.out_path == "docs/elements/smartrecruiters/authenticate.html")
        .expect("the Authenticate page");
    // Tabs: every page of the guide folder, by `order` from its front matter.
    let mut tabs: Vec<(f64, String, String)> = std::fs::read_dir(repo().join(GUIDE))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let order = front_value(&text, "order").unwrap().parse().unwrap();
            let title = front_value(&text, "title").unwrap();
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (order, title, stem)
        })
        .collect();
    tabs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let nav = auth.html.split("<nav class=\"ed-tabs\"").nth(1).unwrap();
    let nav = &nav[..nav.find("</nav>").unwrap()];
    let mut at = 0;
    for (_, title, stem) in &tabs {
        let link = format!("href=\"/docs/elements/smartrecruiters/{stem}.html\"");
        let pos = nav[at..]
            .find(&link)
            .unwrap_or_else(|| panic!("tab {title} missing or out of order"));
        at += pos + link.len();
    }
    assert!(nav.contains(">Authenticate</a>"));
    for image in ["element-search2.png", "authenticate-instance.gif"] {
        assert!(
            site.statics
                .iter()
                .any(|s| s.out_rel == format!("assets/img/elements/{image}")),
            "{image}"
        );
    }
}

#[test]
fn example_images_are_real_images() {
    let dir = repo().join("static/assets/img/elements");
    let png = std::fs::read(dir.join("element-search2.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let gif = std::fs::read(dir.join("authenticate-instance.gif")).unwrap();
    assert!(gif.starts_with(b"GIF89a") && gif.ends_with(b";"));
}

#[test]
fn authenticate_page_is_the_seed_as_written() {
    let seed = crate::common::shared().join("seeds/smartrecruiters-authenticate.md");
    let ours = repo().join(GUIDE).join("authenticate.md");
    assert_eq!(
        std::fs::read(Path::new(&ours)).unwrap(),
        std::fs::read(seed).unwrap()
    );
}
