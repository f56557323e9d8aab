//! The whole page pipeline on arbitrary bytes: decode, front matter, Liquid,
//! Markdown (with highlighting of its code blocks), and the rendering of every
//! diagnostic. The first line of the input is also highlighted as a language
//! name with the rest as code, to reach the highlighter directly.
#![no_main]

mod common;

use elementdocs::config::MarkdownOptions;
use elementdocs::highlight::Highlighter;
use elementdocs::liquid::PageInput;
use elementdocs::markdown;
use elementdocs::source::{decode_text, parse_page};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let rel = "docs/page.md";
    let highlighter = Highlighter::new();
    let Ok(text) = decode_text(data.to_vec(), Path::new(rel)) else {
        return;
    };
    if let Some((lang, code)) = text.split_once('\n') {
        if lang.len() <= 32 {
            let _ = highlighter.highlight(lang.trim(), code);
        }
    }
    let page = match parse_page(text, rel, "docs/page.md") {
        Ok(p) => p,
        Err(d) => {
            let _ = d.to_string();
            return;
        }
    };
    let page_value = elementdocs::site::page_value(&page);
    let input = PageInput {
        rel: Path::new(rel),
        text: &page.text,
        body_offset: page.body_offset,
        page: &page_value,
    };
    let expanded = match common::engine().expand(&input) {
        Ok(e) => e,
        Err(diags) => {
            for d in &diags {
                let _ = d.to_string();
            }
            return;
        }
    };
    for opts in [
        MarkdownOptions::default(),
        MarkdownOptions {
            auto_ids: false,
            smart_quotes: None,
            gfm: false,
        },
    ] {
        let r = markdown::render(
            &expanded.text,
            &opts,
            &highlighter,
            Path::new(rel),
            page.body_line,
        );
        for w in &r.warnings {
            let _ = w.to_string();
        }
    }
});
