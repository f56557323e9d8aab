//! Liquid 5.4's standard filters that [`super::filters::apply`] does not
//! handle itself: slices, word truncation, natural sort, the `_last`
//! variants, URL decoding, Base64, and the property forms of `uniq` and
//! `compact` (Liquid's `standardfilters.rb`, as Jekyll 4.3 runs it).

use super::filter_args::{arg, s_arg, Args};
use super::numbers::{self, Num};
use super::values::{flat_list, key, to_s};
use base64::Engine;
use serde_json::Value;

/// The filters of this module.
#[cfg(test)]
pub const NAMES: &[&str] = &[
    "at_least",
    "at_most",
    "base64_decode",
    "base64_encode",
    "base64_url_safe_decode",
    "base64_url_safe_encode",
    "remove_last",
    "replace_last",
    "slice",
    "sort_natural",
    "truncatewords",
    "url_decode",
];

/// One of [`NAMES`] (None: not one of them).
pub fn apply(name: &str, v: &Value, args: &Args) -> Option<Value> {
    let a0 = arg(args, "a0");
    Some(match name {
        "at_least" => numbers::bound(true, v, a0),
        "at_most" => numbers::bound(false, v, a0),
        "base64_encode" => Value::String(base64::prelude::BASE64_STANDARD.encode(to_s(v))),
        "base64_url_safe_encode" => Value::String(base64::prelude::BASE64_URL_SAFE.encode(to_s(v))),
        "base64_decode" | "base64_url_safe_decode" => {
            let eng = if name == "base64_decode" {
                base64::prelude::BASE64_STANDARD
            } else {
                base64::prelude::BASE64_URL_SAFE
            };
            let bytes = eng.decode(to_s(v).trim()).unwrap_or_default();
            Value::String(String::from_utf8_lossy(&bytes).into_owned())
        }
        "remove_last" => Value::String(replace_last(&to_s(v), &to_s(a0), "")),
        "replace_last" => Value::String(replace_last(&to_s(v), &to_s(a0), &s_arg(args, "a1"))),
        "slice" => slice(v, a0, args.get("a1")),
        "sort_natural" => sort_natural(v, a0),
        "truncatewords" => truncatewords(v, args),
        "url_decode" => {
            let s = to_s(v).replace('+', " ");
            let bytes: Vec<u8> = percent_encoding::percent_decode_str(&s).collect();
            Value::String(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => return None,
    })
}

fn replace_last(s: &str, pat: &str, with: &str) -> String {
    match s.rfind(pat) {
        Some(i) => format!("{}{with}{}", &s[..i], &s[i + pat.len()..]),
        None => s.to_string(),
    }
}

fn int(v: &Value) -> i64 {
    match Num::of(v) {
        Num::Int(i) => i,
        n => n.to_f64() as i64,
    }
}

/// Ruby's `slice(offset, length)` of a string (by characters) or an array.
fn slice(v: &Value, offset: &Value, len: Option<&Value>) -> Value {
    let off = int(offset);
    let len = len.map_or(1, int);
    let range = |n: usize| -> Option<(usize, usize)> {
        let start = if off < 0 { n as i64 + off } else { off };
        if start < 0 || start > n as i64 || len < 0 {
            return None;
        }
        let start = start as usize;
        Some((start, (start + len as usize).min(n)))
    };
    match v {
        Value::Array(a) => Value::Array(
            range(a.len())
                .map(|(s, e)| a[s..e].to_vec())
                .unwrap_or_default(),
        ),
        _ => {
            let chars: Vec<char> = to_s(v).chars().collect();
            Value::String(
                range(chars.len())
                    .map(|(s, e)| chars[s..e].iter().collect())
                    .unwrap_or_default(),
            )
        }
    }
}

fn sort_natural(v: &Value, prop: &Value) -> Value {
    let mut list = flat_list(v);
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
            (false, false) => to_s(&a).to_lowercase().cmp(&to_s(&b).to_lowercase()),
            (true, _) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
        }
    });
    Value::Array(list)
}

fn truncatewords(v: &Value, args: &Args) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    let s = to_s(v);
    let n = args.get("a0").map_or(15, int).max(1) as usize;
    let ell = if args.contains_key("a1") {
        s_arg(args, "a1")
    } else {
        "...".into()
    };
    let words: Vec<&str> = s.split_ascii_whitespace().collect();
    if words.len() <= n {
        return Value::String(s);
    }
    Value::String(words[..n].join(" ") + &ell)
}

/// `uniq: "prop"` and `compact: "prop"`.
pub fn by_property(name: &str, v: &Value, prop: &Value) -> Value {
    let list = flat_list(v);
    if name == "compact" {
        return Value::Array(
            list.into_iter()
                .filter(|x| !key(x, prop).is_null())
                .collect(),
        );
    }
    let mut seen: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for x in list {
        let k = key(&x, prop);
        if !seen.contains(&k) {
            seen.push(k);
            out.push(x);
        }
    }
    Value::Array(out)
}

/// How many arguments (positional, plus one for any keyword arguments, as
/// Liquid passes them) each filter's Ruby method takes: a call outside the
/// range is an `ArgumentError` in Jekyll, so it is an error here too.
pub fn arity(name: &str) -> Option<(usize, usize)> {
    Some(match name {
        "append" | "at_least" | "at_most" | "concat" | "date" | "divided_by" | "group_by"
        | "map" | "minus" | "modulo" | "plus" | "prepend" | "push" | "remove" | "remove_first"
        | "remove_last" | "split" | "times" | "unshift" => (1, 1),
        "find" | "find_exp" | "group_by_exp" | "replace_last" | "where" | "where_exp" => (2, 2),
        "replace" | "replace_first" | "slice" => (1, 2),
        "array_to_sentence_string"
        | "compact"
        | "join"
        | "number_of_words"
        | "pop"
        | "round"
        | "shift"
        | "slugify"
        | "sort_natural"
        | "uniq" => (0, 1),
        "date_to_long_string"
        | "date_to_string"
        | "default"
        | "sort"
        | "truncate"
        | "truncatewords" => (0, 2),
        _ => (0, 0),
    })
}

#[cfg(test)]
mod names_tests {
    #[test]
    fn every_filter_here_is_known_to_the_parser() {
        for n in super::NAMES {
            assert!(super::super::filters::FILTERS.contains(n), "{n}");
        }
    }
}
