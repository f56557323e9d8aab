//! An OpenAPI document as the reference templates see it
//! (`templates/partials/openapi/`): operations grouped by tag, each with
//! its parameters, request body and responses; named schemas once at the
//! end. Descriptions are Markdown, rendered here; examples are highlighted
//! here.

use super::schema::{self, slug, Resolver, Row, TypeLabel};
use crate::config::MarkdownOptions;
use crate::diag::Diagnostic;
use crate::highlight::Highlighter;
use crate::markdown::{self, Heading};
use openapiv3::{MediaType, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;

/// The id of the reference's heading (the placeholder has it too).
pub(crate) const REFERENCE_ID: &str = "api-reference";
const SCHEMAS_ID: &str = "schemas";
/// The group of the operations that have no tag.
const UNTAGGED: &str = "Operations";

#[derive(Serialize)]
pub(crate) struct ApiView {
    pub id: &'static str,
    pub title: String,
    pub version: String,
    pub description: String,
    pub servers: Vec<String>,
    /// Where the document itself can be read (its URL in the site, or the
    /// URL it was fetched from).
    pub source_url: Option<String>,
    pub groups: Vec<Group>,
    pub schemas: Vec<NamedSchema>,
    pub schemas_id: &'static str,
}

#[derive(Serialize)]
pub(crate) struct Group {
    pub name: String,
    pub id: String,
    pub description: String,
    pub operations: Vec<OperationView>,
}

#[derive(Serialize)]
pub(crate) struct OperationView {
    pub id: String,
    /// Lower case (`get`), for the badge's class; templates upper-case it.
    pub method: String,
    pub path: String,
    pub summary: Option<String>,
    pub description: String,
    pub deprecated: bool,
    pub parameters: Vec<ParameterView>,
    pub request: Option<BodyView>,
    pub responses: Vec<ResponseView>,
}

#[derive(Serialize)]
pub(crate) struct ParameterView {
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: &'static str,
    pub required: bool,
    pub ty: TypeLabel,
    pub description: String,
    pub details: Vec<String>,
}

/// A request or response body: its media types, schema and example.
#[derive(Serialize)]
pub(crate) struct BodyView {
    pub description: String,
    pub required: bool,
    pub media_types: Vec<String>,
    pub ty: Option<TypeLabel>,
    pub rows: Vec<RowView>,
    pub example: Option<ExampleView>,
}

#[derive(Serialize)]
pub(crate) struct ResponseView {
    pub status: String,
    /// `s2` for 2XX... (the status badge's colour).
    pub class: String,
    /// The description's first line as plain text, for the summary line.
    pub summary: String,
    pub body: BodyView,
    pub headers: Vec<HeaderView>,
    /// Shown unfolded: the first success response.
    pub open: bool,
}

/// A response header.
#[derive(Serialize)]
pub(crate) struct HeaderView {
    pub name: String,
    pub ty: TypeLabel,
    pub description: String,
}

#[derive(Serialize)]
pub(crate) struct ExampleView {
    pub language: String,
    /// Highlighted HTML for the inside of `<code>`.
    pub html: String,
    /// Made from the schema, not written in the document.
    pub generated: bool,
}

/// A schema row with its description rendered.
#[derive(Serialize)]
pub(crate) struct RowView {
    #[serde(flatten)]
    pub row: Row,
    pub description_html: String,
}

#[derive(Serialize)]
pub(crate) struct NamedSchema {
    pub name: String,
    pub id: String,
    pub ty: TypeLabel,
    pub description: String,
    pub details: Vec<String>,
    pub rows: Vec<RowView>,
    pub example: Option<ExampleView>,
}

/// What rendering a view needs besides the document.
pub(crate) struct Tools<'a> {
    pub markdown: &'a MarkdownOptions,
    pub highlighter: &'a Highlighter,
    /// The document's path, for warnings in its descriptions.
    pub file: &'a Path,
}

impl Tools<'_> {
    fn md(&self, text: Option<&str>, warnings: &mut Vec<Diagnostic>) -> String {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => {
                let r = markdown::render(t, self.markdown, self.highlighter, self.file, 1);
                // Lines inside a description are not lines of the document.
                warnings.extend(r.warnings.into_iter().map(|mut d| {
                    d.line = 0;
                    d.col = 0;
                    d.with_note("in a description of this API document")
                }));
                r.html
            }
            None => String::new(),
        }
    }
}

/// Ids handed out once each (a second `list-pets` becomes `list-pets-2`).
#[derive(Default)]
struct Ids(BTreeSet<String>);

impl Ids {
    fn take(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 1;
        while !self.0.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }
}

/// The view of `doc`, the headings it adds to its page, and the warnings
/// its descriptions gave.
pub(crate) fn build(
    doc: &OpenAPI,
    tools: &Tools,
    source_url: Option<String>,
) -> (ApiView, Vec<Heading>, Vec<Diagnostic>) {
    let res = Resolver::new(doc);
    let mut warnings = Vec::new();
    let mut ids = Ids::default();
    ids.take(REFERENCE_ID.into());
    ids.take(SCHEMAS_ID.into());
    let names: Vec<String> = doc
        .components
        .iter()
        .flat_map(|c| c.schemas.keys().cloned())
        .collect();
    // Schema sections first: operations must not take their ids.
    for n in &names {
        ids.take(schema::schema_anchor(n));
    }
    let groups = groups(doc, &res, tools, &mut ids, &mut warnings);
    let schemas = names
        .iter()
        .map(|n| named_schema(&res, tools, n, &mut warnings))
        .collect::<Vec<_>>();
    let title = if doc.info.title.trim().is_empty() {
        "API reference".to_string()
    } else {
        doc.info.title.clone()
    };
    let mut headings = vec![Heading {
        level: 2,
        text: title.clone(),
        id: REFERENCE_ID.into(),
    }];
    headings.extend(groups.iter().map(|g| Heading {
        level: 3,
        text: g.name.clone(),
        id: g.id.clone(),
    }));
    if !schemas.is_empty() {
        headings.push(Heading {
            level: 3,
            text: "Schemas".into(),
            id: SCHEMAS_ID.into(),
        });
    }
    let view = ApiView {
        id: REFERENCE_ID,
        title,
        version: doc.info.version.clone(),
        description: tools.md(doc.info.description.as_deref(), &mut warnings),
        servers: doc.servers.iter().map(|s| s.url.clone()).collect(),
        source_url,
        groups,
        schemas,
        schemas_id: SCHEMAS_ID,
    };
    (view, headings, warnings)
}

/// The operations by tag: the document's tags in their order, then tags
/// only operations name, then the untagged. An operation with several tags
/// is shown under its first (its anchor must be one place).
fn groups(
    doc: &OpenAPI,
    res: &Resolver,
    tools: &Tools,
    ids: &mut Ids,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Group> {
    let mut order: Vec<String> = doc.tags.iter().map(|t| t.name.clone()).collect();
    for (_, _, op) in doc.operations() {
        if let Some(t) = op.tags.first() {
            if !order.contains(t) {
                order.push(t.clone());
            }
        }
    }
    order.push(UNTAGGED.into());
    let mut groups = Vec::new();
    for name in order {
        let ops: Vec<(&str, &str, &Operation)> = doc
            .operations()
            .filter(|(_, _, op)| op.tags.first().map_or(UNTAGGED, String::as_str) == name)
            .collect();
        if ops.is_empty() {
            continue;
        }
        let described = doc.tags.iter().find(|t| t.name == name);
        let id = ids.take(format!("tag-{}", slug(&name)));
        let operations = ops
            .into_iter()
            .map(|(path, method, op)| operation(doc, res, tools, ids, (path, method, op), warnings))
            .collect();
        groups.push(Group {
            description: tools.md(described.and_then(|t| t.description.as_deref()), warnings),
            name,
            id,
            operations,
        });
    }
    groups
}

fn operation(
    doc: &OpenAPI,
    res: &Resolver,
    tools: &Tools,
    ids: &mut Ids,
    (path, method, op): (&str, &str, &Operation),
    warnings: &mut Vec<Diagnostic>,
) -> OperationView {
    let base = match &op.operation_id {
        Some(id) if !slug(id).is_empty() => format!("op-{}", slug(id)),
        _ => format!("op-{method}-{}", slug(path)),
    };
    // Path-level parameters apply unless the operation redefines them.
    let path_params = doc
        .paths
        .paths
        .get(path)
        .and_then(ReferenceOr::as_item)
        .map(|item| item.parameters.as_slice())
        .unwrap_or_default();
    let mut params: Vec<&Parameter> = Vec::new();
    for p in path_params.iter().chain(&op.parameters) {
        if let Some(p) = res.parameter(p) {
            let name = &p.parameter_data_ref().name;
            params.retain(|q| q.parameter_data_ref().name != *name || location(q) != location(p));
            params.push(p);
        }
    }
    let request = op
        .request_body
        .as_ref()
        .and_then(|b| res.request_body(b))
        .map(|b| {
            let mut v = body(res, tools, &b.content, true, warnings);
            v.description = tools.md(b.description.as_deref(), warnings);
            v.required = b.required;
            v
        });
    OperationView {
        id: ids.take(base),
        method: method.to_string(),
        path: path.to_string(),
        summary: op.summary.clone().filter(|s| !s.trim().is_empty()),
        description: tools.md(op.description.as_deref(), warnings),
        deprecated: op.deprecated,
        parameters: params
            .into_iter()
            .map(|p| parameter(res, tools, p, warnings))
            .collect(),
        request,
        responses: responses(res, tools, op, warnings),
    }
}

fn location(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

fn parameter(
    res: &Resolver,
    tools: &Tools,
    p: &Parameter,
    warnings: &mut Vec<Diagnostic>,
) -> ParameterView {
    let data = p.parameter_data_ref();
    let schema = match &data.format {
        ParameterSchemaOrContent::Schema(s) => Some(s),
        ParameterSchemaOrContent::Content(c) => c.values().find_map(|m| m.schema.as_ref()),
    };
    let target = schema.and_then(|s| res.schema(s));
    // Swagger 2.0 parameters carry their description on the value; show it once.
    let description = data
        .description
        .as_deref()
        .or_else(|| target.and_then(|t| t.schema_data.description.as_deref()));
    ParameterView {
        name: data.name.clone(),
        location: location(p),
        required: data.required || matches!(p, Parameter::Path { .. }),
        ty: schema.map(schema::label).unwrap_or_default(),
        description: tools.md(description, warnings),
        details: target.map(schema::details).unwrap_or_default(),
    }
}

fn responses(
    res: &Resolver,
    tools: &Tools,
    op: &Operation,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<ResponseView> {
    let coded = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| (code.to_string(), r));
    let default = op
        .responses
        .default
        .iter()
        .map(|r| ("default".to_string(), r));
    let mut opened = false;
    coded
        .chain(default)
        .filter_map(|(status, r)| {
            let r = res.response(r)?;
            let success = status.starts_with('2');
            let open = success && !opened;
            opened |= open;
            let mut body = body(res, tools, &r.content, open, warnings);
            let summary = r
                .description
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            // A one-line description is the summary line already.
            if r.description.trim() != summary {
                body.description = tools.md(Some(&r.description), warnings);
            }
            let headers = r
                .headers
                .iter()
                .filter_map(|(name, h)| Some((name, h.as_item()?)))
                .map(|(name, h)| HeaderView {
                    name: name.clone(),
                    ty: match &h.format {
                        ParameterSchemaOrContent::Schema(s) => schema::label(s),
                        ParameterSchemaOrContent::Content(_) => TypeLabel::default(),
                    },
                    description: tools.md(h.description.as_deref(), warnings),
                })
                .collect();
            Some(ResponseView {
                headers,
                class: format!("s{}", status.chars().next().unwrap_or('d')),
                summary,
                status,
                body,
                open,
            })
        })
        .collect()
}

/// A body; `make_example`: make one from the schema when the document
/// gives none (for the request and the first success response only: error
/// bodies mostly share one schema, and made examples are large in
/// highlighted HTML).
fn body(
    res: &Resolver,
    tools: &Tools,
    content: &indexmap::IndexMap<String, MediaType>,
    make_example: bool,
    warnings: &mut Vec<Diagnostic>,
) -> BodyView {
    // One schema and one example for all the media types: JSON's if any.
    let json_first = || {
        content
            .iter()
            .filter(|(t, _)| t.contains("json"))
            .chain(content.iter().filter(|(t, _)| !t.contains("json")))
    };
    let with_schema = json_first().find_map(|(_, m)| m.schema.as_ref());
    let written = json_first().find_map(|(t, m)| written_example(t, m));
    let example = match (written, with_schema) {
        (Some((lang, code)), _) => Some((lang, code, false)),
        (None, Some(s)) if make_example => {
            let v = super::example::example(res, s);
            (!v.is_null()).then(|| ("json", pretty(&v), true))
        }
        (None, _) => None,
    };
    BodyView {
        description: String::new(),
        required: false,
        media_types: content.keys().cloned().collect(),
        ty: with_schema.map(schema::label),
        rows: with_schema
            .map(|s| row_views(tools, schema::rows(res, s), warnings))
            .unwrap_or_default(),
        example: example.map(|(lang, code, generated)| highlighted(tools, lang, &code, generated)),
    }
}

/// The example a media type gives (`example`, or the first of `examples`).
fn written_example(media_type: &str, m: &MediaType) -> Option<(&'static str, String)> {
    let v = m.example.clone().or_else(|| {
        m.examples
            .values()
            .find_map(|e| e.as_item().and_then(|e| e.value.clone()))
    })?;
    Some(match v {
        // A string example of a non-JSON type is the body as written (XML...).
        serde_json::Value::String(s) if !media_type.contains("json") => {
            let lang = if media_type.contains("xml") {
                "xml"
            } else {
                ""
            };
            (lang, s)
        }
        v => ("json", pretty(&v)),
    })
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn highlighted(tools: &Tools, lang: &str, code: &str, generated: bool) -> ExampleView {
    let html = if lang.is_empty() {
        html_escape::encode_text(code).into_owned()
    } else {
        tools.highlighter.highlight(lang, code).html
    };
    ExampleView {
        language: if lang.is_empty() { "text" } else { lang }.to_string(),
        html,
        generated,
    }
}

fn row_views(tools: &Tools, rows: Vec<Row>, warnings: &mut Vec<Diagnostic>) -> Vec<RowView> {
    rows.into_iter()
        .map(|row| RowView {
            description_html: tools.md(row.description.as_deref(), warnings),
            row,
        })
        .collect()
}

fn named_schema(
    res: &Resolver,
    tools: &Tools,
    name: &str,
    warnings: &mut Vec<Diagnostic>,
) -> NamedSchema {
    let r = ReferenceOr::ref_(&format!("#/components/schemas/{name}"));
    let target = res.schema(&r);
    let ty = target
        .map(|s| schema::label(&ReferenceOr::Item(s.clone())))
        .unwrap_or_default();
    // A schema section shows only an example the document gives: made ones
    // are shown with the operations, and in a large document repeating them
    // here for every schema would double the page.
    let example = target.and_then(|s| s.schema_data.example.clone());
    NamedSchema {
        name: name.to_string(),
        id: schema::schema_anchor(name),
        ty,
        description: tools.md(
            target.and_then(|s| s.schema_data.description.as_deref()),
            warnings,
        ),
        details: target.map(schema::details).unwrap_or_default(),
        rows: row_views(tools, schema::rows(res, &r), warnings),
        example: example.map(|v| highlighted(tools, "json", &pretty(&v), false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_ids_are_unique_and_plain() {
        assert_eq!(slug("/candidates/{id}/notes"), "candidates-id-notes");
        assert_eq!(slug("Job Ads"), "job-ads");
        let mut ids = Ids::default();
        assert_eq!(ids.take("a".into()), "a");
        assert_eq!(ids.take("a".into()), "a-2");
        assert_eq!(ids.take("a".into()), "a-3");
    }
}
