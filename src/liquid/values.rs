//! Liquid's values: how they print (`to_s`, `inspect`, escaped), which are
//! truthy, how they compare, sort and are looked up in. Shared by the
//! filters, the tera helpers and the translation; a leaf, so the filter
//! modules and the expression parser use it without importing the filter
//! registry ([`super::filters`]) that imports them.

use super::numbers;
use serde_json::Value;

/// Liquid's rendering of a value as text.
pub fn to_s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => match n.as_f64() {
                Some(f) if !n.is_u64() => numbers::ruby_float(f),
                _ => n.to_string(),
            },
        },
        Value::Array(a) => a.iter().map(to_s).collect(),
        Value::Object(_) => inspect(v),
    }
}

/// Ruby's `inspect` of a hash or array (how Liquid prints them).
pub(super) fn inspect(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(a) => format!("[{}]", a.iter().map(inspect).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k:?}=>{}", inspect(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => to_s(v),
    }
}

/// Only `nil` and `false` are falsy in Liquid.
pub fn truthy(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Bool(false))
}

const EMPTY: &str = "\u{0}empty";
pub(super) const BLANK: &str = "\u{0}blank";

pub(super) fn is_empty(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

pub(super) fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Liquid's comparison operators.
pub fn compare(a: &Value, op: &str, b: &Value) -> bool {
    // Ruby has no `blank?` without ActiveSupport: Liquid 5.4 finds `x == blank`
    // false for every x (and `!=` true).
    let blank = |x: &Value| matches!(x, Value::String(s) if s == BLANK);
    if blank(a) || blank(b) {
        return op == "!=";
    }
    let empty = |x: &Value| matches!(x, Value::String(s) if s == EMPTY);
    if empty(b) || empty(a) {
        let other = if empty(b) { a } else { b };
        let r = is_empty(other);
        return if op == "!=" { !r } else { op == "==" && r };
    }
    match op {
        "==" => eq(a, b),
        "!=" => !eq(a, b),
        "contains" => match (a, b) {
            (Value::String(s), _) if !b.is_null() => s.contains(&to_s(b)),
            (Value::Array(arr), _) => arr.iter().any(|x| eq(x, b)),
            (Value::Object(m), Value::String(k)) => m.contains_key(k),
            _ => false,
        },
        _ => {
            let ord = match (a, b) {
                (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()),
                (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
                _ => None,
            };
            match (ord, op) {
                (Some(o), "<") => o.is_lt(),
                (Some(o), ">") => o.is_gt(),
                (Some(o), "<=") => o.is_le(),
                (Some(o), ">=") => o.is_ge(),
                _ => false,
            }
        }
    }
}

fn eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Liquid's `InputIterator`: nil → [], array → itself, hash → [hash], else [x].
pub(super) fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Null => vec![],
        Value::Array(a) => a.clone(),
        x => vec![x.clone()],
    }
}

/// The list Liquid's array filters (`join`, `map`, `uniq`, `compact`,
/// `reverse`, `concat`, `sort_natural`) read: [`as_list`] with nested arrays
/// flattened (Liquid's `InputIterator`: `[[a, b], c]` joins as `a,b,c`).
pub(super) fn flat_list(v: &Value) -> Vec<Value> {
    fn push(out: &mut Vec<Value>, v: &Value) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| push(out, x)),
            x => out.push(x.clone()),
        }
    }
    match v {
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            a.iter().for_each(|x| push(&mut out, x));
            out
        }
        x => as_list(x),
    }
}

/// Liquid's lookup `v[k]` / `v.k`, with `size`, `first`, `last` on arrays.
/// [`key`] when its result is a part of `v` (borrowed, not copied); None
/// when `key` makes a new value.
pub fn key_ref<'v>(v: &'v Value, k: &Value) -> Option<&'v Value> {
    match (v, k) {
        (Value::Object(m), Value::String(ks)) => m.get(ks),
        (Value::Object(m), _) => m.get(&to_s(k)),
        (Value::Array(a), Value::Number(n)) => {
            let i = n.as_i64().unwrap_or(0);
            let i = if i < 0 { a.len() as i64 + i } else { i };
            usize::try_from(i).ok().and_then(|i| a.get(i))
        }
        (Value::Array(a), Value::String(s)) => match s.as_str() {
            "first" => a.first(),
            "last" => a.last(),
            _ => None,
        },
        _ => None,
    }
}

pub fn key(v: &Value, k: &Value) -> Value {
    match (v, k) {
        (Value::Object(m), _) => {
            let ks = to_s(k);
            m.get(&ks).cloned().unwrap_or_else(|| match ks.as_str() {
                "size" => Value::from(m.len()),
                _ => Value::Null,
            })
        }
        (Value::Array(a), Value::Number(n)) => {
            let i = n.as_i64().unwrap_or(0);
            let i = if i < 0 { a.len() as i64 + i } else { i };
            usize::try_from(i)
                .ok()
                .and_then(|i| a.get(i))
                .cloned()
                .unwrap_or(Value::Null)
        }
        (Value::Array(a), Value::String(s)) => match s.as_str() {
            "size" => Value::from(a.len()),
            "first" => a.first().cloned().unwrap_or(Value::Null),
            "last" => a.last().cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        },
        (Value::String(s), Value::String(k)) if k == "size" => Value::from(s.chars().count()),
        _ => Value::Null,
    }
}

/// Liquid's `escape` (Ruby's `CGI.escapeHTML`): html-escape's entities, but
/// `'` as `&#39;` where the crate writes `&#x27;`, so pages match Jekyll's.
pub(super) fn html_escape(s: &str) -> String {
    let escaped = html_escape::encode_quoted_attribute(s);
    if s.contains('\'') {
        escaped.replace("&#x27;", "&#39;")
    } else {
        escaped.into_owned()
    }
}

pub(super) fn sort(v: &Value, prop: &Value) -> Value {
    // Ruby's `Hash#sort` (Jekyll's `sort` without a property): the hash's
    // [key, value] pairs in key order, so `folder[0]` is a key (the
    // devportal's sitemap sorts `site.shards` this way).
    if let (Value::Object(m), true) = (v, prop.is_null()) {
        let mut pairs: Vec<(&String, &Value)> = m.iter().collect();
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        return Value::Array(
            pairs
                .into_iter()
                .map(|(k, x)| Value::Array(vec![Value::String(k.clone()), x.clone()]))
                .collect(),
        );
    }
    let mut list = as_list(v);
    let get = |x: &Value| {
        if prop.is_null() {
            x.clone()
        } else {
            key(x, prop)
        }
    };
    list.sort_by(|a, b| {
        let (a, b) = (get(a), get(b));
        match (a.is_null(), b.is_null()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => match (&a, &b) {
                (Value::Number(x), Value::Number(y)) => x
                    .as_f64()
                    .partial_cmp(&y.as_f64())
                    .unwrap_or(std::cmp::Ordering::Equal),
                _ => to_s(&a).cmp(&to_s(&b)),
            },
        }
    });
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::sort;
    use serde_json::{json, Value};

    #[test]
    fn sort_of_a_hash_gives_its_pairs_in_key_order() {
        // Built in reverse order: preserve_order keeps insertion order, so an
        // unsorted result would show.
        let h = json!({"docs_b": [2], "docs_a": [1], "": [0]});
        assert_eq!(
            sort(&h, &Value::Null),
            json!([["", [0]], ["docs_a", [1]], ["docs_b", [2]]])
        );
        // With a property a hash is one item, as before.
        assert_eq!(sort(&h, &json!("order")), json!([h]));
    }
}
