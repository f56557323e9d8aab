//! Liquid's (and Jekyll's) filters and value semantics, as tera filters.
//!
//! Every Liquid filter `name` is registered as the tera filter `lq_name`;
//! positional arguments arrive as `a0`, `a1`..., keyword arguments as
//! `k_<key>`. The helpers `lq_s` (Liquid's string rendering), `lq_truthy`
//! (only nil and false are falsy), `lq_cmp`, `lq_key` and `lq_iter` give
//! tera Liquid's semantics where tera's own differ.

use super::numbers;
use super::MarkdownifyFn;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Every filter a template may use (this module's, [`super::filters_std::NAMES`]
/// and [`super::filters_jekyll::NAMES`]; a unit test keeps them in step).
pub const FILTERS: &[&str] = &[
    "abs",
    "absolute_url",
    "append",
    "array_to_sentence_string",
    "at_least",
    "at_most",
    "base64_decode",
    "base64_encode",
    "base64_url_safe_decode",
    "base64_url_safe_encode",
    "capitalize",
    "ceil",
    "cgi_escape",
    "compact",
    "concat",
    "date",
    "date_to_long_string",
    "date_to_rfc822",
    "date_to_string",
    "date_to_xmlschema",
    "default",
    "divided_by",
    "downcase",
    "escape",
    "escape_once",
    "find",
    "find_exp",
    "first",
    "floor",
    "group_by",
    "group_by_exp",
    "inspect",
    "join",
    "jsonify",
    "last",
    "lstrip",
    "map",
    "markdownify",
    "minus",
    "modulo",
    "newline_to_br",
    "normalize_whitespace",
    "number_of_words",
    "plus",
    "pop",
    "prepend",
    "push",
    "relative_url",
    "remove",
    "remove_first",
    "remove_last",
    "replace",
    "replace_first",
    "replace_last",
    "reverse",
    "round",
    "rstrip",
    "shift",
    "size",
    "slice",
    "slugify",
    "smartify",
    "sort",
    "sort_natural",
    "split",
    "strip",
    "strip_html",
    "strip_index",
    "strip_newlines",
    "times",
    "to_integer",
    "truncate",
    "truncatewords",
    "uniq",
    "unshift",
    "upcase",
    "uri_escape",
    "url_decode",
    "url_encode",
    "where",
    "where_exp",
    "xml_escape",
];

pub(super) type Args = HashMap<String, Value>;

/// Liquid's rendering of a value as text.
pub fn to_s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => match n.as_f64() {
                Some(f) if !n.is_u64() => super::numbers::ruby_float(f),
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
pub(super) fn html_escape(s: &str) -> String {
    let escaped = html_escape::encode_quoted_attribute(s);
    if s.contains('\'') {
        escaped.replace("&#x27;", "&#39;")
    } else {
        escaped.into_owned()
    }
}

/// Liquid's `escape_once`: `&` is left alone when it starts a named or a
/// decimal entity (`&copy;`, `&#39;`), everything else escaped.
fn escape_once(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if c != '&' {
            o.push_str(&html_escape(c.encode_utf8(&mut [0; 4])));
            continue;
        }
        let rest = &s.as_bytes()[i + 1..];
        let named = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let num = match rest.first() {
            Some(b'#') => rest[1..].iter().take_while(|b| b.is_ascii_digit()).count(),
            _ => 0,
        };
        let entity = (named > 0 && rest.get(named) == Some(&b';'))
            || (num > 0 && rest.get(num + 1) == Some(&b';'));
        o.push_str(if entity { "&" } else { "&amp;" });
    }
    o
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

/// Percent-encoding of every byte but ASCII letters, digits and `keep`;
/// `plus`: a space is `+` (Ruby's `CGI.escape`, Liquid's `url_encode`).
fn url_encode(s: &str, keep: &str, plus: bool) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.as_bytes().contains(&b) {
            o.push(b as char);
        } else if b == b' ' && plus {
            o.push('+');
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
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

/// Liquid's `date`: the input unchanged when the format is empty or the
/// input is not a date.
fn date(v: &Value, fmt: &Value) -> Value {
    let fmt = to_s(fmt);
    if fmt.is_empty() {
        return v.clone();
    }
    match super::strftime::to_date(v) {
        Some(d) => Value::String(super::strftime::strftime(&d, &fmt)),
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
    // Jekyll's `ensure_leading_slash` leaves an empty part empty.
    let lead = |x: &str| {
        if x.is_empty() || x.starts_with('/') {
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
    if let Some(r) = super::filters_jekyll::apply(name, v, args, u, md) {
        return r;
    }
    if let Some(r) = super::filters_std::apply(name, v, args) {
        return r;
    }
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
        "escape_once" => Value::String(escape_once(&s())),
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
            let keep_false = truthy(arg(args, "k_allow_false")) && *v == Value::Bool(false);
            if (!truthy(v) && !keep_false) || is_empty(v) {
                a0.clone()
            } else {
                v.clone()
            }
        }
        "size" => match v {
            Value::String(t) => Value::from(t.chars().count()),
            Value::Array(a) => Value::from(a.len()),
            Value::Object(m) => Value::from(m.len()),
            // Ruby's `Integer#size`: the bytes of a machine word.
            Value::Number(n) if n.is_i64() || n.is_u64() => Value::from(8),
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
        "uniq" | "compact" if !a0.is_null() => super::filters_std::by_property(name, v, a0),
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
        "plus" => numbers::arith('+', v, a0),
        "minus" => numbers::arith('-', v, a0),
        "times" => numbers::arith('*', v, a0),
        "divided_by" => numbers::divide(false, v, a0),
        "modulo" => numbers::divide(true, v, a0),
        "abs" => numbers::abs(v),
        "ceil" => numbers::ceil_floor(true, v),
        "floor" => numbers::ceil_floor(false, v),
        "round" => numbers::round(v, a0),
        "url_encode" | "cgi_escape" => Value::String(url_encode(&s(), "-._~", true)),
        "uri_escape" => Value::String(url_encode(&s(), "-_.!~*'();/?:@&=+$,#[]%", false)),
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
