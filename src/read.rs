//! Reading the files of a source tree: text (UTF-8, BOM and CRLF
//! normalized, binary and bad bytes located) and YAML (front matter,
//! configuration, data files), with errors at the line and column of the
//! file they were read from. Shared by `config`, `source` and `data`.

mod simple_yaml;
mod yaml11;

use crate::diag::Diagnostic;
use serde_json::Value;
use std::path::Path;

/// Read a file as UTF-8 text: BOM dropped, CRLF normalized; binary or
/// non-UTF-8 content is an error naming the line and column of the bad byte.
pub fn read_text(abs: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(abs)
        .map_err(|e| Diagnostic::error(shown, 0, 0, format!("cannot read file: {e}")))?;
    decode_text(bytes, shown)
}

/// The decoding half of [`read_text`], separate so it can be tested and fuzzed.
pub fn decode_text(bytes: Vec<u8>, shown: &Path) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(Diagnostic::error(shown, 1, 1, "this file is UTF-16 text")
            .with_help("save it as UTF-8 (e.g. `iconv -f utf-16 -t utf-8`)"));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let (line, col) = byte_line_col(&bytes, nul);
        return Err(Diagnostic::error(
            shown,
            line,
            col,
            "this looks like a binary file (it contains a NUL byte)",
        )
        .with_help(
            "only UTF-8 text files can be pages or includes; move binary files out of the content",
        ));
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let (line, col) = byte_line_col(bytes, at);
            let bad = bytes.get(at).copied().unwrap_or(0);
            let line_start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line_end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| at + i);
            let shown_line = String::from_utf8_lossy(&bytes[line_start..line_end]);
            let mut d = Diagnostic::error(
                shown,
                line,
                col,
                format!("invalid UTF-8 (byte 0x{bad:02x})"),
            )
            .with_help("save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)");
            d.source_line = Some(shown_line.trim_end_matches('\r').to_string());
            return Err(d);
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n");
    }
    Ok(text)
}

fn byte_line_col(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, col)
}

/// Parse YAML into a JSON value; an error points at `first_line + line - 1` of `file`.
pub fn parse_yaml(yaml: &str, file: &Path, first_line: usize) -> Result<Value, Diagnostic> {
    // Most front matter is flat `key: value` lines, read without libyaml.
    if let Some(value) = simple_yaml::parse(yaml) {
        #[cfg(debug_assertions)]
        simple_yaml::assert_same_as_library(yaml, &value);
        return Ok(value);
    }
    yaml11::from_str(yaml).map_err(|e| {
        let (line, col) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 0));
        let msg = e.to_string();
        // serde_yaml appends " at line X column Y"; the position is shown our way.
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        Diagnostic::error(
            file,
            first_line + line.max(1) - 1,
            col,
            format!("invalid YAML: {msg}"),
        )
        .with_help(yaml_help(&msg))
    })
}

/// A help line for a YAML error, by what went wrong.
fn yaml_help(msg: &str) -> &'static str {
    if msg.contains("recursion limit") || msg.contains("repetition limit") {
        "this YAML nests too deeply or expands too many aliases (`*name`); simplify it"
    } else if msg.contains("invalid type") || msg.contains("expected a string key") {
        "keys must be plain names and values plain YAML (no `!tags`); quote the value to keep it as text"
    } else if msg.contains("out of range") {
        "quote this number to keep it as text"
    } else {
        "check the indentation (spaces, not tabs) and quote values that contain `: `, \
         ` #` or start with `[`, `{`, `*`, `&`, `!`, `|`, `>`, `%` or `@`"
    }
}
