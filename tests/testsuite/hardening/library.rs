//! The library API on bad input.

use super::*;

#[test]
fn build_site_reports_every_error_sorted() {
    let s = Site::jekyll();
    s.write("z.md", "---\na: [\n---\n");
    s.write("a.md", "---\n- x\n---\n");
    let opts = elementdocs::site::BuildOptions {
        source: s.src(),
        out: Some(s.out()),
        ..Default::default()
    };
    let site = elementdocs::site::build_site(&opts).unwrap();
    assert!(site.has_errors());
    let files: Vec<String> = site
        .diagnostics
        .iter()
        .map(|d| d.file.to_string_lossy().to_string())
        .collect();
    assert_eq!(files, ["a.md", "z.md"]);
    assert!(site
        .diagnostics
        .iter()
        .all(|d| d.line > 0 && d.help.is_some()));
    assert!(!s.out().exists(), "build_site writes nothing");
}

/// Inputs the fuzzers found (tests/fuzz_regressions/*) go through what the
/// fuzz targets run, without a panic: the raw text straight into Liquid (the
/// `liquid` target), and decode → front matter → Liquid → Markdown (the
/// `page_pipeline` target). Each input runs on its own thread so a panic names it.
#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|x| x != "txt")) // .txt: notes
        .collect();
    inputs.sort();
    assert!(
        !inputs.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("_includes")).unwrap();
    std::fs::write(
        root.path().join("_includes/note.html"),
        "{{ include.content }}",
    )
    .unwrap();
    let mut failed = Vec::new();
    for path in inputs {
        let bytes = std::fs::read(&path).unwrap();
        let root = root.path().to_path_buf();
        if std::thread::spawn(move || replay(&root, bytes))
            .join()
            .is_err()
        {
            failed.push(path.file_name().unwrap().to_string_lossy().to_string());
        }
    }
    assert!(failed.is_empty(), "these inputs panic: {failed:?}");
}

fn replay(root: &Path, bytes: Vec<u8>) {
    use elementdocs::config::MarkdownOptions;
    use elementdocs::highlight::Highlighter;
    use elementdocs::liquid::{LiquidEngine, PageInput};
    let engine = LiquidEngine::new(
        root.to_path_buf(),
        root.join("_includes"),
        serde_json::json!({"title": "t", "data": {}}),
        std::sync::Arc::new(|s: &str| s.to_string()),
        false,
    );
    let rel = "docs/page.md";
    let page = serde_json::json!({"title": "t"});
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let input = PageInput {
            rel: Path::new(rel),
            text,
            body_offset: 0,
            page: &page,
        };
        let _ = engine.expand(&input);
    }
    let Ok(text) = elementdocs::source::decode_text(bytes, Path::new(rel)) else {
        return;
    };
    let Ok(page) = elementdocs::source::parse_page(text, rel, rel) else {
        return;
    };
    let value = elementdocs::site::page_value(&page);
    let input = PageInput {
        rel: Path::new(rel),
        text: &page.text,
        body_offset: page.body_offset,
        page: &value,
    };
    if let Ok(exp) = engine.expand(&input) {
        let _ = elementdocs::markdown::render(
            &exp.text,
            &MarkdownOptions::default(),
            &Highlighter::new(),
            Path::new(rel),
            page.body_line,
        );
    }
}
