//! Swagger 2.0 (the version Cloud Elements serves its element documents in),
//! read into a small model of its own and converted to OpenAPI 3.0.
//!
//! No maintained Rust crate reads Swagger 2.0, and 3.0 grew out of it: its
//! schema objects are the same (so they are read with `openapiv3`'s `Schema`
//! directly), and what moved is mechanical (swagger2openapi's mapping):
//! `host` + `basePath` + `schemes` become `servers`, a `body` parameter
//! becomes the request body (one entry per `consumes` media type),
//! `formData` parameters an object schema in a form body, a response's
//! `schema` its content per `produces` type, `examples` its examples, and
//! `definitions` the component schemas. Schema references keep their
//! `#/definitions/…` form, which the resolver also reads
//! ([`super::schema::Resolver`]); `#/parameters/…` and `#/responses/…`
//! references are replaced by what they name.

use indexmap::IndexMap;
use openapiv3 as v3;
use openapiv3::ReferenceOr;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Swagger {
    #[serde(default)]
    info: v3::Info,
    host: Option<String>,
    base_path: Option<String>,
    #[serde(default)]
    schemes: Vec<String>,
    #[serde(default)]
    consumes: Vec<String>,
    #[serde(default)]
    produces: Vec<String>,
    #[serde(default)]
    paths: IndexMap<String, PathItem>,
    #[serde(default)]
    definitions: IndexMap<String, ReferenceOr<v3::Schema>>,
    #[serde(default)]
    parameters: IndexMap<String, Parameter>,
    #[serde(default)]
    responses: IndexMap<String, Response>,
    #[serde(default)]
    tags: Vec<v3::Tag>,
    external_docs: Option<v3::ExternalDocumentation>,
}

#[derive(Deserialize, Default)]
struct PathItem {
    get: Option<Operation>,
    put: Option<Operation>,
    post: Option<Operation>,
    delete: Option<Operation>,
    options: Option<Operation>,
    head: Option<Operation>,
    patch: Option<Operation>,
    #[serde(default)]
    parameters: Vec<ReferenceOr<Parameter>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Operation {
    #[serde(default)]
    tags: Vec<String>,
    summary: Option<String>,
    description: Option<String>,
    operation_id: Option<String>,
    consumes: Option<Vec<String>>,
    produces: Option<Vec<String>>,
    #[serde(default)]
    parameters: Vec<ReferenceOr<Parameter>>,
    #[serde(default)]
    responses: IndexMap<String, ReferenceOr<Response>>,
    #[serde(default)]
    deprecated: bool,
    external_docs: Option<v3::ExternalDocumentation>,
}

/// A parameter: a `body` one has a `schema`; the others describe their
/// value with the schema keywords beside `name` and `in`, kept in `rest`.
#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Parameter {
    name: String,
    #[serde(rename = "in")]
    location: String,
    description: Option<String>,
    #[serde(default)]
    required: bool,
    schema: Option<ReferenceOr<v3::Schema>>,
    #[serde(rename = "x-example")]
    example: Option<Value>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

#[derive(Deserialize, Clone, Default)]
struct Response {
    #[serde(default)]
    description: String,
    schema: Option<ReferenceOr<v3::Schema>>,
    #[serde(default)]
    examples: IndexMap<String, Value>,
    #[serde(default)]
    headers: IndexMap<String, Header>,
}

/// A response header: a description and schema keywords.
#[derive(Deserialize, Clone, Default)]
struct Header {
    description: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// The schema keywords a non-body parameter may carry.
const VALUE_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
];

const DEFAULT_MEDIA_TYPE: &str = "application/json";

/// The OpenAPI 3.0 document equivalent to `doc`.
pub(crate) fn convert(doc: Swagger) -> v3::OpenAPI {
    let mut paths = v3::Paths::default();
    for (path, item) in &doc.paths {
        if path.starts_with('/') {
            let item = convert_path(&doc, item);
            paths.paths.insert(path.clone(), ReferenceOr::Item(item));
        }
    }
    let components = v3::Components {
        schemas: doc.definitions.clone(),
        ..Default::default()
    };
    v3::OpenAPI {
        openapi: "3.0.0".into(),
        info: doc.info.clone(),
        servers: servers(&doc),
        paths,
        components: Some(components),
        tags: doc.tags.clone(),
        external_docs: doc.external_docs.clone(),
        ..Default::default()
    }
}

fn servers(doc: &Swagger) -> Vec<v3::Server> {
    let base = doc.base_path.clone().unwrap_or_default();
    let urls: Vec<String> = match &doc.host {
        Some(host) if doc.schemes.is_empty() => vec![format!("https://{host}{base}")],
        Some(host) => doc
            .schemes
            .iter()
            .map(|s| format!("{s}://{host}{base}"))
            .collect(),
        None if base.is_empty() => Vec::new(),
        None => vec![base],
    };
    urls.into_iter()
        .map(|url| v3::Server {
            url,
            ..Default::default()
        })
        .collect()
}

fn convert_path(doc: &Swagger, item: &PathItem) -> v3::PathItem {
    let op = |o: &Option<Operation>| o.as_ref().map(|o| convert_operation(doc, item, o));
    v3::PathItem {
        get: op(&item.get),
        put: op(&item.put),
        post: op(&item.post),
        delete: op(&item.delete),
        options: op(&item.options),
        head: op(&item.head),
        patch: op(&item.patch),
        ..Default::default()
    }
}

/// The parameter a `#/parameters/name` reference names, or the parameter.
fn deref_parameter<'a>(doc: &'a Swagger, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
    match p {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { reference } => {
            doc.parameters.get(reference.strip_prefix("#/parameters/")?)
        }
    }
}

fn convert_operation(doc: &Swagger, item: &PathItem, op: &Operation) -> v3::Operation {
    // The operation's parameters override the path's with the same name and place.
    let mut params: Vec<&Parameter> = Vec::new();
    for p in item.parameters.iter().chain(&op.parameters) {
        let Some(p) = deref_parameter(doc, p) else {
            continue;
        };
        params.retain(|q| q.name != p.name || q.location != p.location);
        params.push(p);
    }
    let consumes = op.consumes.as_ref().unwrap_or(&doc.consumes);
    let produces = op.produces.as_ref().unwrap_or(&doc.produces);
    let mut responses = v3::Responses::default();
    for (code, r) in &op.responses {
        let r = match r {
            ReferenceOr::Item(r) => r.clone(),
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/responses/")
                .and_then(|name| doc.responses.get(name))
                .cloned()
                .unwrap_or_default(),
        };
        let r = ReferenceOr::Item(convert_response(r, produces));
        if code == "default" {
            responses.default = Some(r);
        } else if let Ok(code) = code.parse::<u16>() {
            responses.responses.insert(v3::StatusCode::Code(code), r);
        }
    }
    v3::Operation {
        tags: op.tags.clone(),
        summary: op.summary.clone(),
        description: op.description.clone(),
        external_docs: op.external_docs.clone(),
        operation_id: op.operation_id.clone(),
        parameters: params
            .iter()
            .filter_map(|p| convert_parameter(p))
            .map(ReferenceOr::Item)
            .collect(),
        request_body: request_body(&params, consumes).map(ReferenceOr::Item),
        responses,
        deprecated: op.deprecated,
        ..Default::default()
    }
}

/// The schema of a non-body parameter, from its schema keywords.
fn value_schema(p: &Parameter) -> ReferenceOr<v3::Schema> {
    keyword_schema(&p.rest, p.description.as_deref())
}

/// A schema from the schema keywords among `rest`.
fn keyword_schema(rest: &Map<String, Value>, description: Option<&str>) -> ReferenceOr<v3::Schema> {
    let mut m: Map<String, Value> = rest
        .iter()
        .filter(|(k, _)| VALUE_KEYWORDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(d) = description {
        m.insert("description".into(), Value::String(d.to_string()));
    }
    // The schema keywords were already read as a map: this cannot fail on
    // syntax, and openapiv3's schema takes any keyword combination.
    let schema = serde_json::from_value(Value::Object(m)).unwrap_or_else(|_| v3::Schema {
        schema_data: Default::default(),
        schema_kind: v3::SchemaKind::Any(Default::default()),
    });
    ReferenceOr::Item(schema)
}

fn convert_parameter(p: &Parameter) -> Option<v3::Parameter> {
    let parameter_data = v3::ParameterData {
        name: p.name.clone(),
        description: p.description.clone(),
        required: p.required,
        deprecated: None,
        format: v3::ParameterSchemaOrContent::Schema(value_schema(p)),
        example: p.example.clone(),
        examples: Default::default(),
        explode: None,
        extensions: Default::default(),
    };
    Some(match p.location.as_str() {
        "query" => v3::Parameter::Query {
            parameter_data,
            allow_reserved: false,
            style: Default::default(),
            allow_empty_value: None,
        },
        "header" => v3::Parameter::Header {
            parameter_data,
            style: Default::default(),
        },
        "path" => v3::Parameter::Path {
            parameter_data,
            style: Default::default(),
        },
        _ => return None,
    })
}

/// The request body: the `body` parameter, or the `formData` ones as the
/// properties of one form.
fn request_body(params: &[&Parameter], consumes: &[String]) -> Option<v3::RequestBody> {
    if let Some(body) = params.iter().find(|p| p.location == "body") {
        let types = if consumes.is_empty() {
            vec![DEFAULT_MEDIA_TYPE.to_string()]
        } else {
            consumes.to_vec()
        };
        let content = types
            .into_iter()
            .map(|t| {
                let media = v3::MediaType {
                    schema: body.schema.clone(),
                    example: body.example.clone(),
                    ..Default::default()
                };
                (t, media)
            })
            .collect();
        return Some(v3::RequestBody {
            description: body.description.clone(),
            content,
            required: body.required,
            ..Default::default()
        });
    }
    let form: Vec<&&Parameter> = params.iter().filter(|p| p.location == "formData").collect();
    if form.is_empty() {
        return None;
    }
    let file = form
        .iter()
        .any(|p| p.rest.get("type").and_then(Value::as_str) == Some("file"));
    let media_type = if file {
        "multipart/form-data"
    } else {
        "application/x-www-form-urlencoded"
    };
    let object = v3::ObjectType {
        properties: form
            .iter()
            .map(|p| (p.name.clone(), value_schema(p).map_box()))
            .collect(),
        required: form
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.clone())
            .collect(),
        ..Default::default()
    };
    let schema = v3::Schema {
        schema_data: Default::default(),
        schema_kind: v3::SchemaKind::Type(v3::Type::Object(object)),
    };
    let media = v3::MediaType {
        schema: Some(ReferenceOr::Item(schema)),
        ..Default::default()
    };
    Some(v3::RequestBody {
        content: IndexMap::from([(media_type.to_string(), media)]),
        required: form.iter().any(|p| p.required),
        ..Default::default()
    })
}

fn convert_response(r: Response, produces: &[String]) -> v3::Response {
    let mut types: Vec<String> = produces.to_vec();
    for t in r.examples.keys() {
        if !types.contains(t) {
            types.push(t.clone());
        }
    }
    if types.is_empty() && r.schema.is_some() {
        types.push(DEFAULT_MEDIA_TYPE.into());
    }
    let content = if r.schema.is_none() && r.examples.is_empty() {
        IndexMap::new()
    } else {
        types
            .into_iter()
            .map(|t| {
                let media = v3::MediaType {
                    schema: r.schema.clone(),
                    example: r.examples.get(&t).cloned(),
                    ..Default::default()
                };
                (t, media)
            })
            .collect()
    };
    let headers = r
        .headers
        .iter()
        .map(|(name, h)| {
            let header = v3::Header {
                description: h.description.clone(),
                style: Default::default(),
                required: false,
                deprecated: None,
                format: v3::ParameterSchemaOrContent::Schema(keyword_schema(&h.rest, None)),
                example: None,
                examples: Default::default(),
                extensions: Default::default(),
            };
            (name.clone(), ReferenceOr::Item(header))
        })
        .collect();
    v3::Response {
        description: r.description,
        content,
        headers,
        ..Default::default()
    }
}

/// `ReferenceOr<T>` → `ReferenceOr<Box<T>>` (object properties are boxed).
trait MapBox<T> {
    fn map_box(self) -> ReferenceOr<Box<T>>;
}

impl<T> MapBox<T> for ReferenceOr<T> {
    fn map_box(self) -> ReferenceOr<Box<T>> {
        match self {
            ReferenceOr::Item(t) => ReferenceOr::Item(Box::new(t)),
            ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETS: &str = r##"
swagger: "2.0"
info: {title: Pets, version: "1.0"}
host: api.example.com
basePath: /v1
schemes: [https]
produces: [application/json]
parameters:
  limit: {name: limit, in: query, type: integer, description: How many}
responses:
  NotFound: {description: No such pet}
paths:
  /pets:
    parameters:
      - {name: trace, in: header, type: string}
    get:
      tags: [pets]
      operationId: listPets
      parameters:
        - $ref: "#/parameters/limit"
        - {name: trace, in: header, type: boolean}
      responses:
        "200":
          description: The pets
          headers:
            X-Rate-Limit: {type: integer, description: Calls left}
          schema: {type: array, items: {$ref: "#/definitions/Pet"}}
          examples:
            application/json: [{id: 1}]
        "404": {$ref: "#/responses/NotFound"}
    post:
      consumes: [application/json, application/xml]
      parameters:
        - {name: pet, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
      responses: {default: {description: Done}}
  /pets/{id}/photo:
    put:
      parameters:
        - {name: id, in: path, required: true, type: string}
        - {name: photo, in: formData, type: file, required: true}
        - {name: caption, in: formData, type: string}
      responses: {"204": {description: Stored}}
definitions:
  Pet:
    type: object
    required: [id]
    properties:
      id: {type: integer, format: int64}
"##;

    fn pets() -> v3::OpenAPI {
        convert(serde_yaml_ng::from_str(PETS).unwrap())
    }

    fn op<'a>(doc: &'a v3::OpenAPI, path: &str, method: &str) -> &'a v3::Operation {
        doc.operations()
            .find(|(p, m, _)| *p == path && *m == method)
            .map(|(_, _, o)| o)
            .unwrap()
    }

    #[test]
    fn host_base_path_and_schemes_become_servers() {
        let urls: Vec<String> = pets().servers.into_iter().map(|s| s.url).collect();
        assert_eq!(urls, ["https://api.example.com/v1"]);
    }

    #[test]
    fn parameters_are_dereferenced_and_overridden_by_the_operation() {
        let doc = pets();
        let get = op(&doc, "/pets", "get");
        let names: Vec<(String, bool)> = get
            .parameters
            .iter()
            .map(|p| {
                let p = p.as_item().unwrap();
                let d = p.parameter_data_ref();
                let boolean = matches!(&d.format, v3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(s))
                    if matches!(s.schema_kind, v3::SchemaKind::Type(v3::Type::Boolean(_))));
                (d.name.clone(), boolean)
            })
            .collect();
        assert_eq!(names, [("limit".into(), false), ("trace".into(), true)]);
    }

    #[test]
    fn responses_get_content_per_produced_type_with_examples() {
        let doc = pets();
        let get = op(&doc, "/pets", "get");
        let ok = get.responses.responses[&v3::StatusCode::Code(200)]
            .as_item()
            .unwrap();
        let json = &ok.content["application/json"];
        assert!(json.schema.is_some());
        assert_eq!(json.example, Some(serde_json::json!([{"id": 1}])));
        let limit = ok.headers["X-Rate-Limit"].as_item().unwrap();
        assert_eq!(limit.description.as_deref(), Some("Calls left"));
        let missing = get.responses.responses[&v3::StatusCode::Code(404)]
            .as_item()
            .unwrap();
        assert_eq!(missing.description, "No such pet");
        assert!(missing.content.is_empty());
    }

    #[test]
    fn body_and_form_parameters_become_request_bodies() {
        let doc = pets();
        let post = op(&doc, "/pets", "post").request_body.as_ref().unwrap();
        let post = post.as_item().unwrap();
        assert!(post.required);
        let types: Vec<&String> = post.content.keys().collect();
        assert_eq!(types, ["application/json", "application/xml"]);
        let put = op(&doc, "/pets/{id}/photo", "put");
        assert_eq!(put.parameters.len(), 1);
        let form = put.request_body.as_ref().unwrap().as_item().unwrap();
        let media = &form.content["multipart/form-data"];
        let Some(ReferenceOr::Item(s)) = &media.schema else {
            panic!("no form schema")
        };
        let v3::SchemaKind::Type(v3::Type::Object(o)) = &s.schema_kind else {
            panic!("form schema is not an object")
        };
        assert_eq!(
            o.properties.keys().collect::<Vec<_>>(),
            ["photo", "caption"]
        );
        assert_eq!(o.required, ["photo"]);
    }

    #[test]
    fn definitions_become_component_schemas() {
        let doc = pets();
        let schemas = &doc.components.unwrap().schemas;
        assert!(schemas.contains_key("Pet"));
    }
}
