//! Liquid lexing, translation to tera and rendering, on arbitrary page text
//! over a small fixed site with includes.
#![no_main]

mod common;

use elementdocs::liquid::PageInput;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|text: &str| {
    let page = common::page_value();
    let input = PageInput {
        rel: Path::new("docs/page.md"),
        text,
        body_offset: 0,
        page: &page,
    };
    match common::engine().expand(&input) {
        Ok(exp) => {
            for w in &exp.warnings {
                let _ = w.to_string();
            }
        }
        Err(diags) => {
            for d in &diags {
                let _ = d.to_string();
            }
        }
    }
});
