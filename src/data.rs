//! Data files: every YAML or JSON file in the data folder becomes
//! `site.data.<file stem>` (sub-folders nest: `data/a/b.yml` → `site.data.a.b`).

use crate::diag::Diagnostic;
use crate::read::{parse_yaml, read_text};
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
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(data_walk_error(root, e));
                continue;
            }
        };
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !entry.file_type().is_file() || !matches!(ext, "yml" | "yaml" | "json") {
            continue;
        }
        let shown = path.strip_prefix(root).unwrap_or(path);
        if let Some(d) = outside_root(root, path, shown) {
            diags.push(d);
            continue;
        }
        match load_one(path, shown, ext) {
            Ok(v) => {
                let rel = path.strip_prefix(data_dir).unwrap_or(path);
                if insert_at(&mut data, rel, v) {
                    diags.push(
                        Diagnostic::error(
                            shown,
                            0,
                            0,
                            "another data file (or folder) of the same name is loaded too; one of them would be lost",
                        )
                        .with_help("rename one of them: `site.data.<name>` must come from one file"),
                    );
                }
            }
            Err(d) => diags.push(d),
        }
    }
    (Value::Object(data), diags)
}

/// A data file reached through a link leading outside the source root is not read.
fn outside_root(root: &Path, abs: &Path, shown: &Path) -> Option<Diagnostic> {
    let real = abs.canonicalize().ok()?;
    if real.starts_with(root) {
        return None;
    }
    Some(
        Diagnostic::error(
            shown,
            0,
            0,
            "this symbolic link leads outside the source folder; it was not read",
        )
        .with_help("copy the data file into the data folder instead"),
    )
}

fn data_walk_error(root: &Path, e: walkdir::Error) -> Diagnostic {
    let shown = e
        .path()
        .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
        .unwrap_or_default();
    let msg = match (e.loop_ancestor(), e.io_error()) {
        (Some(_), _) => "symbolic link loop".to_string(),
        (None, Some(io)) => format!("cannot read: {io}"),
        (None, None) => format!("cannot read: {e}"),
    };
    Diagnostic::error(shown, 0, 0, msg).with_help("fix or remove this entry of the data folder")
}

fn load_one(abs: &Path, shown: &Path, ext: &str) -> Result<Value, Diagnostic> {
    let text = read_text(abs, shown)?;
    if ext == "json" {
        return serde_json::from_str(&text).map_err(|e| {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            Diagnostic::error(shown, e.line(), e.column(), format!("invalid JSON: {msg}"))
                .with_source(&text)
                .with_help("check for a missing comma or quote, or a trailing comma")
        });
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    parse_yaml(&text, shown, 1).map_err(|d| d.with_source(&text))
}

/// Insert `v` under the path's folders and stem; true if that replaced something.
fn insert_at(root: &mut Map<String, Value>, rel: &Path, v: Value) -> bool {
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
    let mut replaced = false;
    for p in parts {
        let slot = cur.entry(p).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
            replaced = true;
        }
        cur = slot.as_object_mut().expect("just made an object");
    }
    replaced | cur.insert(stem, v).is_some()
}
