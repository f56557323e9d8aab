//! Dev helper: render a JSON array of Markdown documents, write a JSON array of HTML.
//! Usage: cargo run --example md_batch -- IN.json OUT.json
use elementdocs::config::MarkdownOptions;
use elementdocs::highlight::Highlighter;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let docs: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&args[1]).expect("read input"))
            .expect("json array of strings");
    let opts = MarkdownOptions::default();
    let hl = Highlighter::new();
    let out: Vec<String> = docs
        .iter()
        .map(|d| elementdocs::markdown::render(d, &opts, &hl, Path::new("x.md"), 1).html)
        .collect();
    std::fs::write(&args[2], serde_json::to_string(&out).expect("json")).expect("write output");
}
