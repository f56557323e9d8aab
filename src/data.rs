//! Data files: every YAML or JSON file in the data folder becomes
//! `site.data.<file stem>` (sub-folders nest: `data/a/b.yml` → `site.data.a.b`).

use crate::diag::Diagnostic;
use crate::source::{parse_yaml, read_text};
use serde_json::{Map, Value};
use std::path::Path;
use walkdir::WalkDir;

/// Load the data folder into one object. Errors are collected, not fatal to the others.
pub fn load_data(root: &Path, data_dir: &Path) -> (Value, Vec<Diagnostic>) {
    let mut data = Map::new();
    let mut diags = Vec::new();
    if !data_dir.is_dir() {
        return (Value::Object(data), diags);
    }
    for entry in WalkDir::new(data_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !entry.file_type().is_file() || !matches!(ext, "yml" | "yaml" | "json") {
            continue;
        }
        let shown = path.strip_prefix(root).unwrap_or(path);
        match load_one(path, shown, ext) {
            Ok(v) => insert_at(&mut data, path.strip_prefix(data_dir).unwrap_or(path), v),
            Err(d) => diags.push(d),
        }
    }
    (Value::Object(data), diags)
}

fn load_one(abs: &Path, shown: &Path, ext: &str) -> Result<Value, Diagnostic> {
    let text = read_text(abs, shown)?;
    if ext == "json" {
        return serde_json::from_str(&text).map_err(|e| {
            Diagnostic::error(shown, e.line(), e.column(), format!("invalid JSON: {e}"))
                .with_source(&text)
        });
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    parse_yaml(&text, shown, 1).map_err(|d| d.with_source(&text))
}

/// Insert `v` under the path's folders and stem.
fn insert_at(root: &mut Map<String, Value>, rel: &Path, v: Value) {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last
        .rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or(last);
    let mut cur = root;
    for p in parts {
        let slot = cur.entry(p).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        cur = slot.as_object_mut().expect("just made an object");
    }
    cur.insert(stem, v);
}
