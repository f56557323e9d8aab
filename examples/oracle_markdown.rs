//! Dev harness: render every `<page>.liquid.md` of the devportal oracle with
//! `markdown::render` and write `<out>/<page>.html` (body in `#page-body`), so
//! `compat.py --site <out>` measures the Markdown stage alone.
//!
//! Usage: cargo run --example oracle_markdown -- [ORACLE_DIR] [SOURCE_DIR] [OUT_DIR]

use elementdocs::config::Config;
use elementdocs::highlight::Highlighter;
use elementdocs::markdown;
use std::path::{Path, PathBuf};

fn main() {
    let mut args = std::env::args().skip(1);
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let oracle = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| corpus.join("devportal-oracle"));
    let source = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| corpus.join("devportal"));
    let out = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/md-oracle-out".into()));
    let config = Config::load(&source).expect("corpus config");
    let hl = Highlighter::new();
    let start = std::time::Instant::now();
    let (mut pages, mut warnings) = (0usize, 0usize);
    for entry in walkdir::WalkDir::new(&oracle).sort_by_file_name() {
        let entry = entry.expect("walk oracle");
        let name = entry.file_name().to_string_lossy();
        let Some(stem) = name.strip_suffix(".liquid.md") else {
            continue;
        };
        let rel = entry
            .path()
            .parent()
            .unwrap()
            .strip_prefix(&oracle)
            .unwrap();
        let md = std::fs::read_to_string(entry.path()).expect("read page");
        let file = rel.join(format!("{stem}.md"));
        let r = markdown::render(&md, &config.markdown, &hl, &file, 1);
        warnings += r.warnings.len();
        let dest = out.join(rel).join(format!("{stem}.html"));
        write(&dest, &format!("<div id=\"page-body\">{}</div>\n", r.html));
        pages += 1;
    }
    eprintln!(
        "rendered {pages} pages ({warnings} warnings) in {:?} into {}",
        start.elapsed(),
        out.display()
    );
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).expect("create dir");
    std::fs::write(path, text).expect("write page");
}
