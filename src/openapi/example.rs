//! Examples made from a schema, for bodies whose document gives none.

use super::schema::{collect_properties, format_text, schema_name, Resolver, MAX_DEPTH};
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::{Map, Value};

/// An example value for `r`: the schema's own `example` or `default` where
/// it has one, else a value of the right shape (the first allowed value,
/// `"string"`, `0`...). References being walked give `{}` (a cycle), and so
/// does everything past [`MAX_EXAMPLE_VALUES`]: in a large document, schemas
/// that reference many others would otherwise give examples of megabytes.
pub(crate) fn example(res: &Resolver, r: &ReferenceOr<Schema>) -> Value {
    let mut walk = Walk {
        inside: Vec::new(),
        left: MAX_EXAMPLE_VALUES,
    };
    example_ref(res, r, 0, &mut walk)
}

/// How many values one made example holds at most.
pub(super) const MAX_EXAMPLE_VALUES: usize = 120;

/// The state of one example's walk: the named schemas it is inside, and
/// how many values it may still make.
struct Walk {
    inside: Vec<String>,
    left: usize,
}

fn ref_name<T>(r: &ReferenceOr<T>) -> Option<String> {
    match r {
        ReferenceOr::Reference { reference } => schema_name(reference),
        ReferenceOr::Item(_) => None,
    }
}

fn example_ref(res: &Resolver, r: &ReferenceOr<Schema>, depth: usize, walk: &mut Walk) -> Value {
    example_of(res, ref_name(r), res.schema(r), depth, walk)
}

fn example_boxed(
    res: &Resolver,
    r: &ReferenceOr<Box<Schema>>,
    depth: usize,
    walk: &mut Walk,
) -> Value {
    example_of(res, ref_name(r), res.boxed(r), depth, walk)
}

/// The example of `target`, which the reference `name` (if any) named.
fn example_of(
    res: &Resolver,
    name: Option<String>,
    target: Option<&Schema>,
    depth: usize,
    walk: &mut Walk,
) -> Value {
    if depth > MAX_DEPTH || walk.left == 0 || name.as_ref().is_some_and(|n| walk.inside.contains(n))
    {
        return Value::Object(Map::new());
    }
    let Some(s) = target else {
        return Value::Null;
    };
    walk.left -= 1;
    let named = name.is_some();
    walk.inside.extend(name);
    let v = schema_example(res, s, depth, walk);
    if named {
        walk.inside.pop();
    }
    v
}

fn schema_example(res: &Resolver, s: &Schema, depth: usize, walk: &mut Walk) -> Value {
    if let Some(v) = s
        .schema_data
        .example
        .as_ref()
        .or(s.schema_data.default.as_ref())
    {
        return v.clone();
    }
    let items = |items: &Option<ReferenceOr<Box<Schema>>>, walk: &mut Walk| {
        Value::Array(
            items
                .iter()
                .map(|i| example_boxed(res, i, depth + 1, walk))
                .collect(),
        )
    };
    match &s.schema_kind {
        SchemaKind::Type(Type::String(t)) => match t.enumeration.iter().flatten().next() {
            Some(v) => Value::String(v.clone()),
            None => Value::String(string_example(format_text(&t.format).as_deref())),
        },
        SchemaKind::Type(Type::Integer(t)) => t
            .enumeration
            .iter()
            .flatten()
            .next()
            .copied()
            .or(t.minimum)
            .map_or(Value::from(0), Value::from),
        SchemaKind::Type(Type::Number(t)) => Value::from(t.minimum.unwrap_or(0.0)),
        SchemaKind::Type(Type::Boolean(_)) => Value::Bool(true),
        SchemaKind::Type(Type::Array(a)) => items(&a.items, walk),
        SchemaKind::OneOf { one_of: options } | SchemaKind::AnyOf { any_of: options } => options
            .first()
            .map_or(Value::Null, |o| example_ref(res, o, depth + 1, walk)),
        SchemaKind::Not { .. } => Value::Null,
        SchemaKind::Any(a) if a.typ.as_deref() == Some("array") => items(&a.items, walk),
        SchemaKind::Any(a) if a.properties.is_empty() && !a.enumeration.is_empty() => {
            a.enumeration[0].clone()
        }
        SchemaKind::Any(a) if a.properties.is_empty() && a.typ.is_some() => {
            match a.typ.as_deref() {
                Some("string") => Value::String(string_example(a.format.as_deref())),
                Some("integer" | "number") => Value::from(0),
                Some("boolean") => Value::Bool(true),
                _ => Value::Object(Map::new()),
            }
        }
        _ => object_example(res, s, depth, walk),
    }
}

fn object_example(res: &Resolver, s: &Schema, depth: usize, walk: &mut Walk) -> Value {
    let mut props = Vec::new();
    let mut required = Vec::new();
    collect_properties(res, s, &mut walk.inside, &mut props, &mut required);
    let mut m = Map::new();
    for (name, prop) in props {
        // Past the budget, nested objects lose their remaining properties;
        // the top one keeps all its keys.
        if walk.left == 0 && depth > 0 {
            break;
        }
        m.insert(name, example_boxed(res, prop, depth + 1, walk));
    }
    if let SchemaKind::Type(Type::Object(o)) = &s.schema_kind {
        if let (true, Some(AdditionalProperties::Schema(v))) =
            (m.is_empty(), &o.additional_properties)
        {
            m.insert("key".into(), example_ref(res, v, depth + 1, walk));
        }
    }
    Value::Object(m)
}

/// A string of the right form for `format` (fixed values: the output of a
/// build never depends on the clock).
fn string_example(format: Option<&str>) -> String {
    match format {
        Some("date-time") => "2024-01-31T09:30:00Z",
        Some("date") => "2024-01-31",
        Some("email") => "user@example.com",
        Some("uuid") => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        Some("uri" | "url") => "https://example.com",
        Some("byte") => "U3dhZ2dlcg==",
        Some("password") => "********",
        _ => "string",
    }
    .to_string()
}
