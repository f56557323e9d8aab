//! Schemas as a reader sees them: `$ref`s resolved, each named schema shown
//! once (other places link to it), properties as rows, and an example made
//! from the schema when the document gives none.
//!
//! Examples made from schemas are [`super::example`]'s.
//!
//! References may form cycles (a `Category` with `parent: Category`), so
//! every walk that follows them keeps the names it is inside and stops at a
//! name it meets again, and a chain of references is followed a bounded
//! number of times.

use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema,
    SchemaKind, Type,
};
use serde::Serialize;
use serde_json::Value;

/// How deep anonymous nested objects are shown as rows, and examples made.
pub(super) const MAX_DEPTH: usize = 6;
/// How many references in a row are followed (`A` → `B` → … ).
const MAX_HOPS: usize = 16;

/// Finds what a local reference (`#/components/…`, or Swagger 2.0's
/// `#/definitions/…`) names in one document.
pub(crate) struct Resolver<'a> {
    doc: &'a OpenAPI,
}

/// The name a schema reference gives (`#/definitions/Pet` → `Pet`).
pub(crate) fn schema_name(reference: &str) -> Option<String> {
    let name = reference
        .strip_prefix("#/components/schemas/")
        .or_else(|| reference.strip_prefix("#/definitions/"))?;
    Some(name.replace("~1", "/").replace("~0", "~"))
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(doc: &'a OpenAPI) -> Self {
        Resolver { doc }
    }

    /// The named schema `name`, following references to references.
    fn named(&self, name: &str) -> Option<&'a Schema> {
        let mut current = self.doc.components.as_ref()?.schemas.get(name)?;
        for _ in 0..MAX_HOPS {
            match current {
                ReferenceOr::Item(s) => return Some(s),
                ReferenceOr::Reference { reference } => {
                    let next = schema_name(reference)?;
                    current = self.doc.components.as_ref()?.schemas.get(&next)?;
                }
            }
        }
        None
    }

    /// The schema `r` is or names; None for a reference to nothing.
    pub(crate) fn schema<'s>(&self, r: &'s ReferenceOr<Schema>) -> Option<&'s Schema>
    where
        'a: 's,
    {
        match r {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => self.named(&schema_name(reference)?),
        }
    }

    pub(super) fn boxed<'s>(&self, r: &'s ReferenceOr<Box<Schema>>) -> Option<&'s Schema>
    where
        'a: 's,
    {
        match r {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => self.named(&schema_name(reference)?),
        }
    }

    pub(crate) fn parameter<'s>(&self, r: &'s ReferenceOr<Parameter>) -> Option<&'s Parameter>
    where
        'a: 's,
    {
        let components = self.doc.components.as_ref();
        component(r, "#/components/parameters/", |n| {
            components?.parameters.get(n)
        })
    }

    pub(crate) fn request_body<'s>(
        &self,
        r: &'s ReferenceOr<RequestBody>,
    ) -> Option<&'s RequestBody>
    where
        'a: 's,
    {
        let components = self.doc.components.as_ref();
        component(r, "#/components/requestBodies/", |n| {
            components?.request_bodies.get(n)
        })
    }

    pub(crate) fn response<'s>(&self, r: &'s ReferenceOr<Response>) -> Option<&'s Response>
    where
        'a: 's,
    {
        let components = self.doc.components.as_ref();
        component(r, "#/components/responses/", |n| {
            components?.responses.get(n)
        })
    }
}

/// Follow `r` through the components found by `get` under `prefix`.
fn component<'s, T>(
    mut r: &'s ReferenceOr<T>,
    prefix: &str,
    get: impl Fn(&str) -> Option<&'s ReferenceOr<T>>,
) -> Option<&'s T> {
    for _ in 0..MAX_HOPS {
        match r {
            ReferenceOr::Item(t) => return Some(t),
            ReferenceOr::Reference { reference } => r = get(reference.strip_prefix(prefix)?)?,
        }
    }
    None
}

/// A type as shown: `string (date-time)`, `array of ` + a link to `Pet`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct TypeLabel {
    /// Text before the name (`array of `).
    pub prefix: String,
    pub name: String,
    /// The id of the named schema's section, when `name` is one.
    pub anchor: Option<String>,
}

/// One property of an object schema (nested ones are indented by `depth`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub name: String,
    pub depth: usize,
    pub ty: TypeLabel,
    pub required: bool,
    /// Markdown, rendered by the caller.
    pub description: Option<String>,
    /// Allowed values, default, format limits, read-only...
    pub details: Vec<String>,
}

/// The id of the section of the named schema `name`.
pub(crate) fn schema_anchor(name: &str) -> String {
    format!("schema-{}", slug(name))
}

/// A URL fragment made of `text`: lower-case letters, digits and dashes.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The label of the type of `r`.
pub(crate) fn label(r: &ReferenceOr<Schema>) -> TypeLabel {
    match r {
        ReferenceOr::Reference { reference } => named_label(reference),
        ReferenceOr::Item(s) => item_label(s),
    }
}

fn label_boxed(r: &ReferenceOr<Box<Schema>>) -> TypeLabel {
    match r {
        ReferenceOr::Reference { reference } => named_label(reference),
        ReferenceOr::Item(s) => item_label(s),
    }
}

fn named_label(reference: &str) -> TypeLabel {
    match schema_name(reference) {
        Some(name) => TypeLabel {
            anchor: Some(schema_anchor(&name)),
            name,
            prefix: String::new(),
        },
        None => plain(reference.to_string()),
    }
}

fn plain(name: String) -> TypeLabel {
    TypeLabel {
        name,
        ..Default::default()
    }
}

fn with_format(ty: &str, format: Option<String>) -> TypeLabel {
    match format {
        Some(f) if !f.is_empty() => plain(format!("{ty} ({f})")),
        _ => plain(ty.to_string()),
    }
}

/// `VariantOrUnknownOrEmpty` has no accessor for the written text.
pub(super) fn format_text<T: Serialize>(f: &T) -> Option<String> {
    serde_json::to_value(f).ok()?.as_str().map(String::from)
}

fn item_label(s: &Schema) -> TypeLabel {
    match &s.schema_kind {
        SchemaKind::Type(Type::String(t)) => with_format("string", format_text(&t.format)),
        SchemaKind::Type(Type::Integer(t)) => with_format("integer", format_text(&t.format)),
        SchemaKind::Type(Type::Number(t)) => with_format("number", format_text(&t.format)),
        SchemaKind::Type(Type::Boolean(_)) => plain("boolean".into()),
        SchemaKind::Type(Type::Array(a)) => prefixed("array of ", a.items.as_ref()),
        SchemaKind::Type(Type::Object(o)) => match &o.additional_properties {
            Some(AdditionalProperties::Schema(v)) if o.properties.is_empty() => {
                let inner = label(v);
                TypeLabel {
                    prefix: format!("map of {}", inner.prefix),
                    ..inner
                }
            }
            _ => plain("object".into()),
        },
        SchemaKind::OneOf { one_of } => choice("one of", one_of),
        SchemaKind::AnyOf { any_of } => choice("any of", any_of),
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => label(&all_of[0]),
        SchemaKind::AllOf { .. } => plain("object".into()),
        SchemaKind::Not { .. } => plain("any".into()),
        SchemaKind::Any(a) => match a.typ.as_deref() {
            Some("array") => prefixed("array of ", a.items.as_ref()),
            Some(t) => with_format(t, a.format.clone()),
            None if !a.properties.is_empty() => plain("object".into()),
            None => plain("any".into()),
        },
    }
}

fn prefixed(prefix: &str, items: Option<&ReferenceOr<Box<Schema>>>) -> TypeLabel {
    match items {
        Some(items) => {
            let inner = label_boxed(items);
            TypeLabel {
                prefix: format!("{prefix}{}", inner.prefix),
                ..inner
            }
        }
        None => plain(format!("{prefix}any")),
    }
}

fn choice(word: &str, options: &[ReferenceOr<Schema>]) -> TypeLabel {
    let names: Vec<String> = options
        .iter()
        .map(|o| {
            let l = label(o);
            format!("{}{}", l.prefix, l.name)
        })
        .collect();
    plain(format!("{word} {}", names.join(", ")))
}

/// What a reader should know beside the type: allowed values, default...
pub(crate) fn details(s: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let values = |v: Vec<String>| format!("one of: {}", v.join(", "));
    let shown = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match &s.schema_kind {
        SchemaKind::Type(Type::String(t)) if !t.enumeration.is_empty() => {
            out.push(values(
                t.enumeration
                    .iter()
                    .map(|v| shown(&v.clone().map_or(Value::Null, Value::String)))
                    .collect(),
            ));
        }
        SchemaKind::Type(Type::Integer(t)) if !t.enumeration.is_empty() => {
            out.push(values(
                t.enumeration
                    .iter()
                    .map(|v| shown(&v.map_or(Value::Null, Value::from)))
                    .collect(),
            ));
        }
        SchemaKind::Any(a) if !a.enumeration.is_empty() => {
            out.push(values(a.enumeration.iter().map(shown).collect()));
        }
        _ => {}
    }
    if let Some(d) = &s.schema_data.default {
        out.push(format!("default: {}", shown(d)));
    }
    let data = &s.schema_data;
    for (on, word) in [
        (data.nullable, "nullable"),
        (data.read_only, "read-only"),
        (data.write_only, "write-only"),
        (data.deprecated, "deprecated"),
    ] {
        if on {
            out.push(word.into());
        }
    }
    out
}

/// The rows of `r`: its properties when it is an object (through `allOf`,
/// and through one level of array or reference at the top, so a body of
/// `array of Pet` lists a Pet's properties).
pub(crate) fn rows(res: &Resolver, r: &ReferenceOr<Schema>) -> Vec<Row> {
    let Some(s) = res.schema(r) else {
        return Vec::new();
    };
    let s = match &s.schema_kind {
        SchemaKind::Type(Type::Array(a)) => match a.items.as_ref().and_then(|i| res.boxed(i)) {
            Some(items) => items,
            None => return Vec::new(),
        },
        _ => s,
    };
    let mut out = Vec::new();
    let mut inside = Vec::new();
    if let ReferenceOr::Reference { reference } = r {
        inside.extend(schema_name(reference));
    }
    object_rows(res, s, 0, &mut inside, &mut out);
    out
}

/// The properties of `s` (with its `allOf` parts merged) as rows at `depth`.
fn object_rows(
    res: &Resolver,
    s: &Schema,
    depth: usize,
    inside: &mut Vec<String>,
    out: &mut Vec<Row>,
) {
    let mut props = Vec::new();
    let mut required = Vec::new();
    collect_properties(res, s, inside, &mut props, &mut required);
    for (name, prop) in props {
        let target = res.boxed(prop);
        let row = Row {
            name: name.clone(),
            depth,
            ty: label_boxed(prop),
            required: required.contains(&name),
            description: target.and_then(|t| t.schema_data.description.clone()),
            details: target.map(details).unwrap_or_default(),
        };
        // Anonymous objects (and arrays of them) are shown in place; named
        // ones have their own section, which the type links to.
        let nested = match (prop, target) {
            (ReferenceOr::Item(_), Some(t)) if depth + 1 < MAX_DEPTH => anonymous_object(t),
            _ => None,
        };
        out.push(row);
        if let Some(nested) = nested {
            object_rows(res, nested, depth + 1, inside, out);
        }
    }
}

/// `s` itself when it is an inline object with properties, or the items of
/// an inline array when they are one.
fn anonymous_object(s: &Schema) -> Option<&Schema> {
    let has_props = |s: &Schema| match &s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::AllOf { .. } => true,
        SchemaKind::Any(a) => !a.properties.is_empty(),
        _ => false,
    };
    match &s.schema_kind {
        SchemaKind::Type(Type::Array(a)) => match a.items.as_ref()? {
            ReferenceOr::Item(items) if has_props(items) => Some(items),
            _ => None,
        },
        _ if has_props(s) => Some(s),
        _ => None,
    }
}

type Props<'s> = Vec<(String, &'s ReferenceOr<Box<Schema>>)>;

/// The properties and required names of `s`, `allOf` parts included; a
/// part naming a schema already being walked is left out (a cycle).
pub(super) fn collect_properties<'s>(
    res: &Resolver<'s>,
    s: &'s Schema,
    inside: &mut Vec<String>,
    props: &mut Props<'s>,
    required: &mut Vec<String>,
) {
    let mut add = |p: &'s indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>, r: &[String]| {
        for (k, v) in p {
            props.retain(|(n, _)| n != k);
            props.push((k.clone(), v));
        }
        required.extend(r.iter().cloned());
    };
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => add(&o.properties, &o.required),
        SchemaKind::Any(a) => add(&a.properties, &a.required),
        SchemaKind::AllOf { all_of } => {
            for part in all_of {
                let name = match part {
                    ReferenceOr::Reference { reference } => schema_name(reference),
                    ReferenceOr::Item(_) => None,
                };
                if name.as_ref().is_some_and(|n| inside.contains(n)) {
                    continue;
                }
                let Some(target) = res.schema(part) else {
                    continue;
                };
                inside.extend(name.clone());
                collect_properties(res, target, inside, props, required);
                if name.is_some() {
                    inside.pop();
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::example::{example, MAX_EXAMPLE_VALUES};
    use super::*;
    use serde_json::json;

    fn doc(schemas: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
        );
        serde_yaml_ng::from_str(&text).unwrap()
    }

    fn named(n: &str) -> ReferenceOr<Schema> {
        ReferenceOr::ref_(&format!("#/components/schemas/{n}"))
    }

    const TREE: &str = "    Node:\n      type: object\n      required: [name]\n      properties:\n        name: {type: string, example: root}\n        parent: {$ref: '#/components/schemas/Node'}\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n        meta:\n          type: object\n          properties:\n            created: {type: string, format: date-time}\n    Loop: {$ref: '#/components/schemas/Loop2'}\n    Loop2: {$ref: '#/components/schemas/Loop'}\n    Special:\n      allOf:\n        - $ref: '#/components/schemas/Node'\n        - type: object\n          properties:\n            kind: {type: string, enum: [a, b]}\n";

    #[test]
    fn cycles_end_in_an_empty_object() {
        let d = doc(TREE);
        let res = Resolver::new(&d);
        assert_eq!(
            example(&res, &named("Node")),
            json!({"name": "root", "parent": {}, "children": [{}], "meta": {"created": "2024-01-31T09:30:00Z"}})
        );
        // A reference that only leads back to itself names nothing.
        assert_eq!(example(&res, &named("Loop")), Value::Null);
        assert!(rows(&res, &named("Loop")).is_empty());
    }

    #[test]
    fn rows_link_named_schemas_and_nest_anonymous_objects() {
        let d = doc(TREE);
        let res = Resolver::new(&d);
        let rows = rows(&res, &named("Node"));
        let shown: Vec<(String, usize, String, Option<String>, bool)> = rows
            .iter()
            .map(|r| {
                let ty = format!("{}{}", r.ty.prefix, r.ty.name);
                (r.name.clone(), r.depth, ty, r.ty.anchor.clone(), r.required)
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("name".into(), 0, "string".into(), None, true),
                (
                    "parent".into(),
                    0,
                    "Node".into(),
                    Some("schema-node".into()),
                    false
                ),
                (
                    "children".into(),
                    0,
                    "array of Node".into(),
                    Some("schema-node".into()),
                    false
                ),
                ("meta".into(), 0, "object".into(), None, false),
                (
                    "created".into(),
                    1,
                    "string (date-time)".into(),
                    None,
                    false
                ),
            ]
        );
    }

    #[test]
    fn all_of_merges_parts_and_stops_at_itself() {
        let d = doc(TREE);
        let res = Resolver::new(&d);
        let names: Vec<String> = rows(&res, &named("Special"))
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(
            names,
            ["name", "parent", "children", "meta", "created", "kind"]
        );
        let ex = example(&res, &named("Special"));
        assert_eq!(ex["kind"], json!("a"));
        assert_eq!(ex["name"], json!("root"));
    }

    #[test]
    fn made_examples_are_bounded() {
        // Each schema holds two of the next: 2^12 values if nothing stopped it.
        let mut schemas = String::new();
        for i in 0..12 {
            schemas.push_str(&format!(
                "    S{i}:\n      type: object\n      properties:\n        a: {{$ref: '#/components/schemas/S{n}'}}\n        b: {{$ref: '#/components/schemas/S{n}'}}\n",
                n = i + 1
            ));
        }
        schemas.push_str("    S12: {type: string}\n");
        let d = doc(&schemas);
        let v = example(&Resolver::new(&d), &named("S0"));
        fn count(v: &Value) -> usize {
            1 + match v {
                Value::Object(m) => m.values().map(count).sum(),
                Value::Array(a) => a.iter().map(count).sum(),
                _ => 0,
            }
        }
        let n = count(&v);
        assert!(n > 50 && n <= 2 * MAX_EXAMPLE_VALUES, "{n} values");
    }

    #[test]
    fn swagger_2_definitions_resolve_too() {
        assert_eq!(schema_name("#/definitions/A~1B"), Some("A/B".into()));
        assert_eq!(schema_name("#/components/schemas/Pet"), Some("Pet".into()));
        assert_eq!(schema_name("other.yaml#/Pet"), None);
    }

    #[test]
    fn details_list_allowed_values_and_flags() {
        let s: Schema =
            serde_yaml_ng::from_str("{type: string, enum: [x, y], default: x, nullable: true}")
                .unwrap();
        assert_eq!(details(&s), ["one of: x, y", "default: x", "nullable"]);
    }
}
