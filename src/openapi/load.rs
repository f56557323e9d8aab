//! Reading one API document: JSON (`.json`) or YAML, Swagger 2.0 or
//! OpenAPI 3.0, into the `openapiv3` model.
//!
//! The text is deserialized straight into the typed model (not through an
//! untyped value first), so that a wrong type deep in the document is
//! reported at its own line and column, as a syntax error is. Swagger 2.0
//! documents are read into [`super::swagger2`]'s model and converted.

use super::swagger2;
use crate::diag::Diagnostic;
use openapiv3::OpenAPI;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::path::Path;

/// Which specification a document follows, from its `swagger`/`openapi` key.
#[derive(Deserialize)]
struct Probe {
    swagger: Option<serde_json::Value>,
    openapi: Option<serde_json::Value>,
}

/// Parse `text`, the document at `file` (shown in diagnostics).
pub(crate) fn parse(file: &Path, text: &str) -> Result<OpenAPI, Diagnostic> {
    let json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let probe: Probe = from_text(file, text, json)?;
    let version = |v: &Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
        None => None,
    };
    match (version(&probe.swagger), version(&probe.openapi)) {
        (Some(v), _) if v == "2.0" => {
            let doc: swagger2::Swagger = from_text(file, text, json)?;
            Ok(swagger2::convert(doc))
        }
        (Some(v), _) => Err(at_key(
            file,
            text,
            "swagger",
            format!("Swagger version `{v}` is not supported"),
        )
        .with_help("elementdocs reads Swagger 2.0 and OpenAPI 3.0 documents")),
        (None, Some(v)) if v.starts_with("3.0") => from_text(file, text, json),
        (None, Some(v)) if v.starts_with("3.1") => from_text(file, text, json).map_err(|d| {
            d.with_note(format!("this document is OpenAPI {v}"))
                .with_help(
                    "elementdocs reads OpenAPI 3.1 as 3.0: write what 3.0 lacks \
                     (a list of types, `examples` in schemas) the 3.0 way",
                )
        }),
        (None, Some(v)) => Err(at_key(
            file,
            text,
            "openapi",
            format!("OpenAPI version `{v}` is not supported"),
        )
        .with_help("elementdocs reads Swagger 2.0 and OpenAPI 3.0 documents")),
        (None, None) => Err(Diagnostic::error(
            file,
            1,
            1,
            "not an OpenAPI document: it has no `openapi` or `swagger` key",
        )
        .with_source(text)
        .with_help("an OpenAPI 3.0 document starts with `openapi: 3.0.3`, a Swagger one with `swagger: \"2.0\"`")),
    }
}

/// Deserialize `text` as JSON or YAML; an error is located in the document.
/// The model's deserializers are another crate's code: a panic in them is
/// reported as this document's error rather than ending the build.
fn from_text<T: DeserializeOwned>(file: &Path, text: &str, json: bool) -> Result<T, Diagnostic> {
    let parsed = std::panic::catch_unwind(|| {
        if json {
            serde_json::from_str::<T>(text).map_err(|e| {
                let msg = strip_position(&e.to_string());
                (e.line(), e.column(), msg)
            })
        } else {
            serde_yaml_ng::from_str::<T>(text).map_err(|e| {
                let (line, col) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((0, 0));
                (line, col, strip_position(&e.to_string()))
            })
        }
    });
    match parsed {
        Ok(Ok(v)) => Ok(v),
        Ok(Err((line, col, msg))) => {
            let d = Diagnostic::error(file, line, col, format!("invalid API document: {msg}"))
                .with_source(text);
            Err(if is_data_error(&msg) {
                d.with_help(
                    "the mistake is at this line or inside the object that starts here \
                     (some objects are read whole before they are checked)",
                )
            } else {
                d
            })
        }
        Err(_) => Err(Diagnostic::error(
            file,
            0,
            0,
            "invalid API document: the OpenAPI reader failed on it",
        )
        .with_help("check the document with an OpenAPI validator")),
    }
}

/// A value of the wrong kind, as opposed to text that is not YAML or JSON.
fn is_data_error(msg: &str) -> bool {
    // serde_yaml_ng puts the path first (`paths: invalid type: …`).
    [
        "invalid type",
        "invalid value",
        "missing field",
        "unknown variant",
        "invalid length",
    ]
    .iter()
    .any(|k| msg.starts_with(k) || msg.contains(&format!(": {k}")))
}

/// The message of a serde error without its ` at line L column C` tail
/// (the diagnostic shows the position itself).
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(" column ") => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}

/// An error at the top-level `key` of the document (line 1 if not found).
fn at_key(file: &Path, text: &str, key: &str, msg: String) -> Diagnostic {
    let quoted = format!("\"{key}\"");
    let line = text
        .lines()
        .position(|l| {
            let l = l.trim_start_matches(['{', ' ', '\t']);
            l.starts_with(&format!("{key}:")) || l.starts_with(&quoted)
        })
        .map_or(1, |i| i + 1);
    Diagnostic::error(file, line, 1, msg).with_source(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(name: &str, text: &str) -> Diagnostic {
        parse(Path::new(name), text).unwrap_err()
    }

    #[test]
    fn reads_openapi_3_in_yaml_and_json() {
        let yaml = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n";
        let doc = parse(Path::new("a.yaml"), yaml).unwrap();
        assert_eq!(doc.info.title, "T");
        assert_eq!(doc.operations().count(), 1);
        let json = r#"{"openapi": "3.0.0", "info": {"title": "J", "version": "2"}, "paths": {}}"#;
        assert_eq!(parse(Path::new("a.json"), json).unwrap().info.title, "J");
    }

    #[test]
    fn syntax_errors_are_located() {
        let d = err("a.yaml", "openapi: 3.0.3\ninfo: [\n");
        assert_eq!(d.file, Path::new("a.yaml"));
        assert!(d.line >= 2, "{d:?}");
        assert!(!d.message.contains(" at line "), "{}", d.message);
        let d = err("a.json", "{\"openapi\": \"3.0.0\",\n  \"info\": }");
        assert_eq!((d.line, d.col), (2, 11), "{d:?}");
    }

    #[test]
    fn a_wrong_type_is_located_at_its_object() {
        let yaml = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths:\n  /a:\n    get:\n      tags: 7\n      responses: {}\n";
        let d = err("a.yaml", yaml);
        assert_eq!((d.line, d.col), (6, 3), "{d:?}");
        assert!(
            d.message.contains("invalid type: integer `7`"),
            "{}",
            d.message
        );
        assert_eq!(d.source_line.as_deref(), Some("  /a:"));
        assert!(
            d.help
                .as_deref()
                .unwrap_or("")
                .contains("inside the object"),
            "{d:?}"
        );
        let json = "{\"openapi\": \"3.0.0\", \"info\": {\"title\": \"T\", \"version\": \"1\"},\n\"paths\": {\"/a\": {\"get\": {\"tags\": 7, \"responses\": {}}}}\n}";
        let d = err("a.json", json);
        assert!(
            d.message.contains("invalid type: integer `7`"),
            "{}",
            d.message
        );
        assert_eq!(d.line, 2, "{d:?}");
        // A mistake outside the objects read whole is found at its own line.
        let yaml = "openapi: 3.0.3\ninfo:\n  title: T\n  version: [1]\npaths: {}\n";
        let d = err("a.yaml", yaml);
        assert_eq!(d.line, 4, "{d:?}");
    }

    #[test]
    fn unknown_versions_and_non_documents_are_errors() {
        let d = err("a.yaml", "title: x\n");
        assert!(d.message.contains("no `openapi` or `swagger` key"), "{d:?}");
        let d = err("a.yaml", "info: {}\nopenapi: 4.0.0\n");
        assert_eq!(d.line, 2);
        assert!(d.message.contains("`4.0.0`"));
        let d = err("a.yaml", "swagger: '1.2'\n");
        assert!(d.message.contains("Swagger version `1.2`"));
    }

    #[test]
    fn position_tails_are_stripped() {
        assert_eq!(strip_position("bad at line 3 column 4"), "bad");
        assert_eq!(strip_position("bad at line"), "bad at line");
    }
}
