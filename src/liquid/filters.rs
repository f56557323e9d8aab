//! Liquid's (and Jekyll's) filters and value semantics, as tera filters.
//!
//! Every Liquid filter `name` is registered as the tera filter `lq_name`;
//! positional arguments arrive as `a0`, `a1`..., keyword arguments as
//! `k_<key>`. The helpers `lq_s` (Liquid's string rendering), `lq_truthy`
//! (only nil and false are falsy), `lq_cmp`, `lq_key` and `lq_iter` give
//! tera Liquid's semantics where tera's own differ.

use super::MarkdownifyFn;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Every filter a template may use.
pub const FILTERS: &[&str] = &[
    "abs",
    "absolute_url",
    "append",
    "capitalize",
    "ceil",
    "cgi_escape",
    "compact",
    "concat",
    "date",
    "default",
    "divided_by",
    "downcase",
    "escape",
    "escape_once",
    "first",
    "floor",
    "join",
    "jsonify",
    "last",
    "lstrip",
    "map",
    "markdownify",
    "minus",
    "modulo",
    "newline_to_br",
    "plus",
    "prepend",
    "relative_url",
    "remove",
    "remove_first",
    "replace",
    "replace_first",
    "reverse",
    "round",
    "rstrip",
    "size",
    "slugify",
    "sort",
    "split",
    "strip",
    "strip_html",
    "strip_newlines",
    "times",
    "truncate",
    "uniq",
    "upcase",
    "uri_escape",
    "url_encode",
    "where",
    "xml_escape",
];

pub(super) type Args = HashMap<String, Value>;

/// Liquid's rendering of a value as text.
pub fn to_s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.iter().map(to_s).collect(),
        Value::Object(_) => inspect(v),
    }
}

/// Ruby's `inspect` of a hash or array (how Liquid prints them).
fn inspect(v: &Value) -> String {
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

fn is_empty(v: &Value) -> bool {
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

pub(super) fn arg<'a>(args: &'a Args, k: &str) -> &'a Value {
    args.get(k).unwrap_or(&Value::Null)
}

pub(super) fn s_arg(args: &Args, k: &str) -> String {
    to_s(arg(args, k))
}

/// Liquid's `InputIterator`: nil → [], array → itself, hash → [hash], else [x].
pub(super) fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Null => vec![],
        Value::Array(a) => a.clone(),
        x => vec![x.clone()],
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

fn ruby_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{0b}' || c == '\0')
}

/// Liquid's `escape` (Ruby's `CGI.escapeHTML`): html-escape's entities, but
/// `'` as `&#39;` where the crate writes `&#x27;`, so pages match Jekyll's.
fn html_escape(s: &str) -> String {
    let escaped = html_escape::encode_quoted_attribute(s);
    if s.contains('\'') {
        escaped.replace("&#x27;", "&#39;")
    } else {
        escaped.into_owned()
    }
}

/// Jekyll's `slugify` in its default mode: runs of anything but letters,
/// marks and digits become `-`, leading/trailing `-` go, then lowercase.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out.to_lowercase()
}

/// Ruby's `String#split(sep)`: " " splits on whitespace runs; trailing empty fields dropped.
fn split(s: &str, sep: &str) -> Vec<Value> {
    let mut parts: Vec<&str> = if sep == " " {
        s.split_ascii_whitespace().collect()
    } else if sep.is_empty() {
        return s.chars().map(|c| Value::String(c.to_string())).collect();
    } else {
        s.split(sep).collect()
    };
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts.into_iter().map(|p| Value::String(p.into())).collect()
}

fn url_encode(s: &str, keep: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.as_bytes().contains(&b) {
            o.push(b as char);
        } else if b == b' ' && keep.is_empty() {
            o.push('+');
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn math(
    a: &Value,
    b: &Value,
    f: impl Fn(f64, f64) -> f64,
    int: impl Fn(i64, i64) -> Option<i64>,
) -> Value {
    let ints = |v: &Value| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    if let (Some(x), Some(y)) = (ints(a), ints(b)) {
        if let Some(r) = int(x, y) {
            return Value::from(r);
        }
    }
    let r = f(num(a).unwrap_or(0.0), num(b).unwrap_or(0.0));
    serde_json::Number::from_f64(r)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn sort(v: &Value, prop: &Value) -> Value {
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

fn date(v: &Value, fmt: &Value) -> Value {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
    let fmt = to_s(fmt);
    if fmt.is_empty() || v.is_null() {
        return v.clone();
    }
    let dt: Option<DateTime<chrono::FixedOffset>> = match v {
        Value::Number(n) => n
            .as_i64()
            .and_then(|t| Utc.timestamp_opt(t, 0).single())
            .map(|d| d.fixed_offset()),
        Value::String(s) => {
            let s = s.trim();
            if s == "now" || s == "today" {
                Some(Utc::now().fixed_offset())
            } else {
                DateTime::parse_from_rfc3339(s)
                    .ok()
                    .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z").ok())
                    .or_else(|| {
                        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                            .ok()
                            .map(|d| d.and_utc().fixed_offset())
                    })
                    .or_else(|| {
                        NaiveDate::parse_from_str(s, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                            .map(|d| d.and_utc().fixed_offset())
                    })
            }
        }
        _ => None,
    };
    match dt {
        Some(d) => {
            use std::fmt::Write;
            let mut out = String::new();
            match write!(out, "{}", d.format(&fmt)) {
                Ok(()) => Value::String(out),
                Err(_) => v.clone(),
            }
        }
        None => v.clone(),
    }
}

fn strip_html(s: &str) -> String {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?s)<script.*?</script>|<!--.*?-->|<style.*?</style>|<.*?>").unwrap()
    });
    RE.replace_all(s, "").into_owned()
}

/// Site facts the URL filters need.
#[derive(Clone)]
pub struct UrlInfo {
    pub url: String,
    pub baseurl: String,
}

fn has_scheme(s: &str) -> bool {
    s.split_once("://").is_some_and(|(a, _)| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

fn relative_url(v: &Value, u: &UrlInfo) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    let s = to_s(v);
    if has_scheme(&s) {
        return Value::String(s);
    }
    let lead = |x: &str| {
        if x.starts_with('/') {
            x.to_string()
        } else {
            format!("/{x}")
        }
    };
    let base = u.baseurl.trim_end_matches('/');
    let base = if base.is_empty() {
        String::new()
    } else {
        lead(base)
    };
    Value::String(format!("{base}{}", lead(&s)))
}

/// Apply one Liquid filter (used both by tera and by static evaluation).
pub fn apply(name: &str, v: &Value, args: &Args, u: &UrlInfo, md: &MarkdownifyFn) -> Value {
    let a0 = arg(args, "a0");
    let s = || to_s(v);
    match name {
        "append" => Value::String(s() + &to_s(a0)),
        "prepend" => Value::String(to_s(a0) + &s()),
        "replace" => Value::String(s().replace(&to_s(a0), &s_arg(args, "a1"))),
        "replace_first" => Value::String(s().replacen(&to_s(a0), &s_arg(args, "a1"), 1)),
        "remove" => Value::String(s().replace(&to_s(a0), "")),
        "remove_first" => Value::String(s().replacen(&to_s(a0), "", 1)),
        "split" => Value::Array(split(&s(), &to_s(a0))),
        "escape" | "xml_escape" => {
            if v.is_null() {
                Value::Null
            } else {
                Value::String(html_escape(&s()))
            }
        }
        "escape_once" => {
            let t = s()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            Value::String(html_escape(&t))
        }
        "date" => date(v, a0),
        "sort" => sort(v, a0),
        "downcase" => Value::String(s().to_lowercase()),
        "upcase" => Value::String(s().to_uppercase()),
        "capitalize" => {
            let t = s();
            let mut c = t.chars();
            Value::String(match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            })
        }
        "default" => {
            if !truthy(v) || is_empty(v) {
                a0.clone()
            } else {
                v.clone()
            }
        }
        "size" => match v {
            Value::String(t) => Value::from(t.chars().count()),
            Value::Array(a) => Value::from(a.len()),
            Value::Object(m) => Value::from(m.len()),
            _ => Value::from(0),
        },
        "first" => key(v, &Value::String("first".into())),
        "last" => key(v, &Value::String("last".into())),
        "join" => {
            let glue = if args.contains_key("a0") {
                to_s(a0)
            } else {
                " ".into()
            };
            Value::String(as_list(v).iter().map(to_s).collect::<Vec<_>>().join(&glue))
        }
        "strip" => Value::String(ruby_strip(&s()).to_string()),
        "lstrip" => Value::String(s().trim_start().to_string()),
        "rstrip" => Value::String(s().trim_end().to_string()),
        "strip_newlines" => Value::String(s().replace(['\r', '\n'], "")),
        "newline_to_br" => Value::String(s().replace('\n', "<br />\n")),
        "strip_html" => Value::String(strip_html(&s())),
        "truncate" => {
            let n = num(a0).unwrap_or(50.0) as usize;
            let ell = if args.contains_key("a1") {
                s_arg(args, "a1")
            } else {
                "...".into()
            };
            let t = s();
            if t.chars().count() <= n {
                Value::String(t)
            } else {
                let keep = n.saturating_sub(ell.chars().count());
                Value::String(t.chars().take(keep).collect::<String>() + &ell)
            }
        }
        "relative_url" => relative_url(v, u),
        "absolute_url" => {
            if v.is_null() {
                return Value::Null;
            }
            if has_scheme(&s()) {
                return Value::String(s());
            }
            let rel = to_s(&relative_url(v, u));
            Value::String(format!("{}{rel}", u.url.trim_end_matches('/')))
        }
        "jsonify" => Value::String(serde_json::to_string(v).unwrap_or_default()),
        "markdownify" => Value::String(md(&s())),
        "slugify" => {
            if v.is_null() {
                Value::Null
            } else {
                Value::String(slugify(&s()))
            }
        }
        "reverse" => {
            let mut l = as_list(v);
            l.reverse();
            Value::Array(l)
        }
        "uniq" => {
            let mut out: Vec<Value> = Vec::new();
            for x in as_list(v) {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            Value::Array(out)
        }
        "compact" => Value::Array(as_list(v).into_iter().filter(|x| !x.is_null()).collect()),
        "concat" => Value::Array(as_list(v).into_iter().chain(as_list(a0)).collect()),
        "map" => Value::Array(as_list(v).iter().map(|x| key(x, a0)).collect()),
        "where" => {
            let want = args.get("a1");
            Value::Array(
                as_list(v)
                    .into_iter()
                    .filter(|x| {
                        let got = key(x, a0);
                        match want {
                            Some(w) => to_s(&got) == to_s(w),
                            None => truthy(&got),
                        }
                    })
                    .collect(),
            )
        }
        "plus" => math(v, a0, |a, b| a + b, |a, b| a.checked_add(b)),
        "minus" => math(v, a0, |a, b| a - b, |a, b| a.checked_sub(b)),
        "times" => math(v, a0, |a, b| a * b, |a, b| a.checked_mul(b)),
        "divided_by" => math(
            v,
            a0,
            |a, b| a / b,
            |a, b| if b == 0 { None } else { Some(a.div_euclid(b)) },
        ),
        "modulo" => math(
            v,
            a0,
            |a, b| a % b,
            |a, b| if b == 0 { None } else { Some(a.rem_euclid(b)) },
        ),
        "abs" => math(v, &Value::from(0), |a, _| a.abs(), |a, _| a.checked_abs()),
        "ceil" => Value::from(num(v).unwrap_or(0.0).ceil() as i64),
        "floor" => Value::from(num(v).unwrap_or(0.0).floor() as i64),
        "round" => Value::from(num(v).unwrap_or(0.0).round() as i64),
        "url_encode" | "cgi_escape" => Value::String(url_encode(&s(), "*-._")),
        "uri_escape" => Value::String(url_encode(&s(), "-_.!~*'();/?:@&=+$,#[]%")),
        _ => v.clone(),
    }
}

/// An empty-object helper for callers building contexts.
pub fn empty_map() -> Map<String, Value> {
    Map::new()
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
