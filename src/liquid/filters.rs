//! Liquid's (and Jekyll's) filters, as tera filters: the registry of names,
//! the dispatch ([`apply`]) to `filters_jekyll`, `filters_std` and the
//! filters of this module. Value semantics are in `values`, the calling
//! convention in `filter_args`.
//!
//! Every Liquid filter `name` is registered as the tera filter `lq_name`;
//! positional arguments arrive as `a0`, `a1`..., keyword arguments as
//! `k_<key>`. The helpers `lq_s` (Liquid's string rendering), `lq_truthy`
//! (only nil and false are falsy), `lq_cmp`, `lq_key` and `lq_iter` give
//! tera Liquid's semantics where tera's own differ.

use super::filter_args::{arg, s_arg, Args};
use super::numbers;
use super::values::{as_list, flat_list, html_escape, is_empty, num, sort};
use super::MarkdownifyFn;
use serde_json::{Map, Value};

// Public as part of the filters' API (the crate and the library's users
// call them as `filters::to_s`...), though they live where the filter
// modules can use them without importing this registry.
pub use super::filter_args::UrlInfo;
pub use super::values::{compare, key, key_ref, to_s, truthy};

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

fn ruby_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{0b}' || c == '\0')
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
    if let Some(r) = super::filters_jekyll::apply(name, v, args, u, md, apply) {
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
                let e = html_escape(&s());
                // Jekyll's `xml_escape` is Ruby's `encode(xml: :attr)`: `&apos;`.
                Value::String(if name == "xml_escape" {
                    e.replace("&#39;", "&apos;")
                } else {
                    e
                })
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
                Some(f) => titlecase(f) + &c.as_str().to_lowercase(),
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
            Value::String(
                flat_list(v)
                    .iter()
                    .map(to_s)
                    .collect::<Vec<_>>()
                    .join(&glue),
            )
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
            let mut l = flat_list(v);
            l.reverse();
            Value::Array(l)
        }
        "uniq" | "compact" if !a0.is_null() => super::filters_std::by_property(name, v, a0),
        "uniq" => {
            let mut out: Vec<Value> = Vec::new();
            for x in flat_list(v) {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            Value::Array(out)
        }
        "compact" => Value::Array(flat_list(v).into_iter().filter(|x| !x.is_null()).collect()),
        "concat" => Value::Array(flat_list(v).into_iter().chain(as_list(a0)).collect()),
        "map" => Value::Array(flat_list(v).iter().map(|x| key(x, a0)).collect()),
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

/// Ruby's titlecase of a first letter: the digraphs have a title form of
/// their own (`ǆ` gives `ǅ`), and a letter whose upper case is several
/// (`ß`, `ﬁ`) gives the first upper and the rest lower (`Ss`, `Fi`).
fn titlecase(c: char) -> String {
    match c {
        '\u{1C4}'..='\u{1C6}' => "\u{1C5}".into(),
        '\u{1C7}'..='\u{1C9}' => "\u{1C8}".into(),
        '\u{1CA}'..='\u{1CC}' => "\u{1CB}".into(),
        '\u{1F1}'..='\u{1F3}' => "\u{1F2}".into(),
        _ => {
            let mut up = c.to_uppercase();
            let first = up.next().map(String::from).unwrap_or_default();
            first + &up.collect::<String>().to_lowercase()
        }
    }
}
