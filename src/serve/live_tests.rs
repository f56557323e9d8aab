//! Tests of [`super::LiveSite`]'s incremental rebuilds.

use super::*;

fn options(source: &Path) -> BuildOptions {
    BuildOptions {
        source: source.to_path_buf(),
        out: Some(source.join("public")),
        ..Default::default()
    }
}

fn site() -> (tempfile::TempDir, LiveSite) {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in [
        ("_config.yml", "title: t\n"),
        ("_includes/note.html", "NOTE\n"),
        ("_data/glossary.yml", "a: 1\n"),
        ("_data/other.yml", "b: 2\n"),
        ("a.md", "---\ntitle: A\n---\nA {% include note.html %}\n"),
        ("b.md", "---\ntitle: B\n---\nB {{ site.data.glossary.a }}\n"),
        ("c.md", "---\ntitle: C\n---\nC\n"),
    ] {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let s = LiveSite::load(options(dir.path())).unwrap();
    (dir, s)
}

#[test]
fn a_change_rebuilds_only_its_dependents() {
    let (_dir, mut s) = site();
    let root = s.root().to_path_buf();
    assert_eq!(s.page_count(), 3);
    let rb = s.apply(&[root.join("_includes/note.html")]);
    assert_eq!(rb.rebuilt, ["a.md"]);
    assert!(!rb.full);

    std::fs::write(root.join("c.md"), "---\ntitle: C\n---\nC2\n").unwrap();
    let rb = s.apply(&[root.join("c.md")]);
    assert_eq!(rb.rebuilt, ["c.md"]);
    assert_eq!(rb.changed, ["c.html"]);

    std::fs::write(root.join("_data/glossary.yml"), "a: 2\n").unwrap();
    let rb = s.apply(&[root.join("_data/glossary.yml")]);
    assert_eq!(rb.rebuilt, ["b.md"]);
    std::fs::write(root.join("_data/other.yml"), "b: 3\n").unwrap();
    let rb = s.apply(&[root.join("_data/other.yml")]);
    assert!(rb.rebuilt.is_empty());

    let rb = s.apply(&[root.join("_config.yml")]);
    assert!(rb.full);
    assert_eq!(rb.rebuilt.len(), 3);
}

#[test]
fn a_title_change_relays_its_guide_and_a_heading_change_the_sidebars() {
    let dir = tempfile::tempdir().unwrap();
    let guide = "layout: sidebarelementdoc";
    for (rel, text) in [
        ("_config.yml", "title: t\n".to_string()),
        (
            "docs/x/index.md",
            format!("---\n{guide}\ntitle: Overview\nheading: Xylo\norder: 1\n---\nX\n"),
        ),
        (
            "docs/x/setup.md",
            format!("---\n{guide}\ntitle: Setup\norder: 2\n---\nS\n"),
        ),
        (
            "docs/y/index.md",
            format!("---\n{guide}\ntitle: Overview\nheading: Yak\norder: 1\n---\nY\n"),
        ),
    ] {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let mut s = LiveSite::load(options(dir.path())).unwrap();
    assert_eq!(s.site.context().catalog.guides.len(), 2);
    let root = s.root().to_path_buf();
    let html = |s: &LiveSite, out: &str| match &s.files()[out] {
        Entry::Bytes(b) => String::from_utf8(b.to_vec()).unwrap(),
        Entry::File(_) => unreachable!(),
    };
    assert!(html(&s, "docs/x/index.html").contains("Setup"));
    std::fs::write(
        root.join("docs/x/setup.md"),
        format!("---\n{guide}\ntitle: Installing\norder: 2\n---\nS\n"),
    )
    .unwrap();
    let rb = s.apply(&[root.join("docs/x/setup.md")]);
    assert_eq!(rb.rebuilt, ["docs/x/setup.md"]);
    assert!(rb.relaid.contains(&"docs/x/index.md".to_string()), "{rb:?}");
    assert!(
        html(&s, "docs/x/index.html").contains("Installing"),
        "tabs updated"
    );
    assert!(rb.changed.contains(&"docs/x/index.html".to_string()));

    // A guide's heading is in its own pages.
    std::fs::write(
        root.join("docs/x/index.md"),
        format!("---\n{guide}\ntitle: Overview\nheading: Xylophone\norder: 1\n---\nX\n"),
    )
    .unwrap();
    let rb = s.apply(&[root.join("docs/x/index.md")]);
    assert_eq!(rb.rebuilt, ["docs/x/index.md"]);
    // Another guide's pages show only their own guide: they are not laid out again.
    assert!(!html(&s, "docs/y/index.html").contains("Xylophone"));
    assert!(
        !rb.relaid.contains(&"docs/y/index.md".to_string()),
        "{rb:?}"
    );
    // Content-only edits do not touch the other pages.
    std::fs::write(
        root.join("docs/x/index.md"),
        format!("---\n{guide}\ntitle: Overview\nheading: Xylophone\norder: 1\n---\nX2\n"),
    )
    .unwrap();
    let rb = s.apply(&[root.join("docs/x/index.md")]);
    assert_eq!(rb.rebuilt, ["docs/x/index.md"]);
    assert!(rb.relaid.is_empty());
}

#[test]
fn a_broken_page_keeps_its_last_good_output() {
    let (_dir, mut s) = site();
    let root = s.root().to_path_buf();
    let html = |s: &LiveSite| match &s.files()["c.html"] {
        Entry::Bytes(b) => String::from_utf8(b.to_vec()).unwrap(),
        Entry::File(_) => unreachable!(),
    };
    let good = html(&s);
    std::fs::write(root.join("c.md"), "---\ntitle: C\nC-BROKEN\n").unwrap();
    let rb = s.apply(&[root.join("c.md")]);
    assert!(rb.failed);
    assert_eq!(s.errors().len(), 1);
    assert_eq!(s.errors()[0].file, Path::new("c.md"));
    assert_eq!(html(&s), good);
    std::fs::write(root.join("c.md"), "---\ntitle: C\n---\nC-FIXED\n").unwrap();
    let rb = s.apply(&[root.join("c.md")]);
    assert!(!rb.failed);
    assert!(s.errors().is_empty());
    assert!(html(&s).contains("C-FIXED"));
}
