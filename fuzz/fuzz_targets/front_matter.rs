//! Decoding (BOM, CRLF, UTF-8 checks), the `---` splitter and YAML parsing,
//! and the rendering of any diagnostic they produce.
#![no_main]

use elementdocs::source::{decode_text, parse_page, split_front_matter};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let file = Path::new("fuzz.md");
    let text = match decode_text(data.to_vec(), file) {
        Ok(t) => t,
        Err(d) => {
            let _ = d.to_string();
            return;
        }
    };
    if let Ok(Some(split)) = split_front_matter(&text, file) {
        assert!(split.body_offset <= text.len());
        assert!(text.is_char_boundary(split.body_offset));
    }
    match parse_page(text, "fuzz.md", "fuzz.md") {
        Ok(page) => {
            let _ = page.body();
            let _ = page.output_path();
        }
        Err(d) => {
            let _ = d.to_string();
        }
    }
});
