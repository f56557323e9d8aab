//! Jekyll 4.3's own filters (`jekyll/filters.rb`, `filters/date_filters.rb`)
//! beyond the URL ones: `where`/`find` and their `_exp` forms, `group_by`,
//! `sort` with a property and nils order, the array filters that copy
//! (`push`, `pop`, `shift`, `unshift`), words and sentences, dates,
//! `inspect`, `slugify` in every mode.
//!
//! An `_exp` filter's expression is parsed when the filter runs (it is a
//! value, usually a literal string) and evaluated against each item with
//! only the item's variable bound: other variables read as nil there.

use super::ast::{Cond, Seg, Val};
use super::expr::{parse_cond, parse_expr};
use super::filter_args::{arg, ApplyFn, Args, UrlInfo};
use super::numbers::ruby_to_i;
use super::strftime::{strftime, to_date};
use super::values::{as_list, compare, html_escape, inspect, key, to_s, truthy};
use super::MarkdownifyFn;
use serde_json::{Map, Value};

/// The filters of this module.
#[cfg(test)]
pub const NAMES: &[&str] = &[
    "array_to_sentence_string",
    "date_to_long_string",
    "date_to_rfc822",
    "date_to_string",
    "date_to_xmlschema",
    "find",
    "find_exp",
    "group_by",
    "group_by_exp",
    "inspect",
    "normalize_whitespace",
    "number_of_words",
    "pop",
    "push",
    "shift",
    "smartify",
    "strip_index",
    "to_integer",
    "unshift",
    "where_exp",
];

/// One of [`NAMES`], or Jekyll's `where`, `sort`, `slugify` (None: not one of them).
/// `apply_filter` is [`super::filters::apply`], for the filters of a `group_by_exp`.
pub fn apply(
    name: &str,
    v: &Value,
    a: &Args,
    u: &UrlInfo,
    md: &MarkdownifyFn,
    apply_filter: ApplyFn,
) -> Option<Value> {
    let (a0, a1) = (arg(a, "a0"), arg(a, "a1"));
    Some(match name {
        "where" | "find" => {
            let hit = |x: &Value| matches_target(&property(x, a0), a.get("a1"));
            let items = collection(v)?;
            if name == "find" {
                items.into_iter().find(hit).unwrap_or(Value::Null)
            } else {
                Value::Array(items.into_iter().filter(hit).collect())
            }
        }
        "where_exp" | "find_exp" => {
            let items = collection(v)?;
            let var = to_s(a0);
            let cond = parse_cond(&to_s(a1), 0).ok()?;
            let hit = |x: &Value| truthy_cond(&cond, &var, x);
            if name == "find_exp" {
                items.into_iter().find(hit).unwrap_or(Value::Null)
            } else {
                Value::Array(items.into_iter().filter(hit).collect())
            }
        }
        "group_by" => group(collection(v)?, |x| to_s(&property(x, a0))),
        "group_by_exp" => {
            let var = to_s(a0);
            let e = parse_expr(&to_s(a1), 0).ok()?;
            group(collection(v)?, |x| {
                let mut val = eval(&e.val, &var, x);
                for f in &e.filters {
                    let mut args = Args::new();
                    for (i, p) in f.args.iter().enumerate() {
                        args.insert(format!("a{i}"), eval(p, &var, x));
                    }
                    val = apply_filter(&f.name, &val, &args, u, md);
                }
                to_s(&val)
            })
        }
        "sort" => sort(v, a.get("a0"), a1),
        "push" | "unshift" => match v {
            Value::Array(l) => {
                let mut l = l.clone();
                if name == "push" {
                    l.push(a0.clone());
                } else {
                    l.insert(0, a0.clone());
                }
                Value::Array(l)
            }
            _ => v.clone(),
        },
        "pop" | "shift" => match v {
            Value::Array(l) => {
                let n = if a.contains_key("a0") {
                    ruby_to_i(&to_s(a0))
                } else {
                    1
                };
                let n = (n.max(0) as usize).min(l.len());
                Value::Array(if name == "pop" {
                    l[..l.len() - n].to_vec()
                } else {
                    l[n..].to_vec()
                })
            }
            _ => v.clone(),
        },
        "number_of_words" => Value::from(number_of_words(&to_s(v), &to_s(a0))),
        "array_to_sentence_string" => {
            let l: Vec<String> = as_list(v).iter().map(to_s).collect();
            let conn = if a.contains_key("a0") {
                to_s(a0)
            } else {
                "and".into()
            };
            Value::String(match l.len() {
                0 => String::new(),
                1 => l[0].clone(),
                2 => format!("{} {conn} {}", l[0], l[1]),
                n => format!("{}, {conn} {}", l[..n - 1].join(", "), l[n - 1]),
            })
        }
        "date_to_string" | "date_to_long_string" | "date_to_xmlschema" | "date_to_rfc822" => {
            date_to(name, v, a)
        }
        "inspect" => Value::String(html_escape(&inspect(v))),
        "normalize_whitespace" => {
            Value::String(to_s(v).split_whitespace().collect::<Vec<_>>().join(" "))
        }
        "to_integer" => Value::from(match v {
            Value::Bool(b) => *b as i64,
            Value::Number(n) => n
                .as_i64()
                .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
            x => ruby_to_i(&to_s(x)),
        }),
        "strip_index" => {
            let s = to_s(v);
            if s.is_empty() {
                return Some(Value::Null);
            }
            let re = regex_lite(r"/index\.html?$");
            Value::String(re.replace(&s, "/").into_owned())
        }
        "smartify" => Value::String(smartify(&to_s(v))),
        "slugify" => {
            if v.is_null() {
                Value::Null
            } else {
                let mode = if a0.is_null() {
                    "default".into()
                } else {
                    to_s(a0)
                };
                Value::String(super::slug::slugify_mode(&to_s(v), &mode))
            }
        }
        _ => return None,
    })
}

fn regex_lite(re: &str) -> regex::Regex {
    regex::Regex::new(re).expect("a valid pattern")
}

/// The items `where`, `find`, `group_by` go through: a hash's values, an
/// array's items; None (the input is returned as is) for anything else.
fn collection(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Array(a) => Some(a.clone()),
        Value::Object(m) => Some(m.values().cloned().collect()),
        _ => None,
    }
}

/// Jekyll's `item_property`: a dotted path, numbers in strings read as numbers.
fn property(item: &Value, prop: &Value) -> Value {
    let p = to_s(prop);
    let mut cur = item.clone();
    for k in p.split('.') {
        cur = key(&cur, &Value::String(k.into()));
    }
    if let Value::String(s) = &cur {
        let t = s.trim();
        let int = regex_lite(r"^-?\d+$");
        if int.is_match(t) {
            return t.parse::<i64>().map_or(cur.clone(), Value::from);
        }
        let fl = regex_lite(r"^-?(?:\d+\.?\d*|\.\d+)$");
        if fl.is_match(t) {
            return t
                .parse::<f64>()
                .ok()
                .map_or(cur.clone(), super::numbers::float);
        }
    }
    cur
}

/// `compare_property_vs_target`: nil matches nil; otherwise the target's
/// text equals the property's, or one of its items' when it is an array.
fn matches_target(prop: &Value, target: Option<&Value>) -> bool {
    match target {
        None | Some(Value::Null) => prop.is_null(),
        Some(t) => {
            let t = to_s(t);
            match prop {
                Value::String(s) => *s == t,
                Value::Array(a) => a.iter().any(|p| to_s(p) == t),
                Value::Null => false,
                p => to_s(p) == t,
            }
        }
    }
}

fn group(items: Vec<Value>, name: impl Fn(&Value) -> String) -> Value {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for x in items {
        let n = name(&x);
        match groups.iter_mut().find(|(k, _)| *k == n) {
            Some((_, l)) => l.push(x),
            None => groups.push((n, vec![x])),
        }
    }
    Value::Array(
        groups
            .into_iter()
            .map(|(n, l)| {
                let mut m = Map::new();
                m.insert("name".into(), Value::String(n));
                // Jekyll's order of keys (seen by `inspect`): name, items, size.
                let size = Value::from(l.len());
                m.insert("items".into(), Value::Array(l));
                m.insert("size".into(), size);
                Value::Object(m)
            })
            .collect(),
    )
}

/// A value of an `_exp` expression, with `var` bound to `item`.
fn eval(v: &Val, var: &str, item: &Value) -> Value {
    match v {
        Val::Lit(x) => x.clone(),
        Val::Empty => Value::String("\u{0}empty".into()),
        Val::Blank => Value::String(super::values::BLANK.into()),
        Val::Range(a, b) => {
            let (a, b) = (eval(a, var, item), eval(b, var, item));
            let (a, b) = (ruby_to_i(&to_s(&a)), ruby_to_i(&to_s(&b)));
            Value::Array((a..=b).take(100_000).map(Value::from).collect())
        }
        Val::Path(p) => {
            if p.root != var {
                return Value::Null;
            }
            p.segs.iter().fold(item.clone(), |cur, s| match s {
                Seg::Key(k) => key(&cur, &Value::String(k.clone())),
                Seg::Index(i) => key(&cur, &eval(i, var, item)),
            })
        }
    }
}

fn truthy_cond(c: &Cond, var: &str, item: &Value) -> bool {
    match c {
        Cond::Truthy(v) => truthy(&eval(v, var, item)),
        Cond::Cmp(a, op, b) => compare(&eval(a, var, item), op, &eval(b, var, item)),
        Cond::And(a, b) => truthy_cond(a, var, item) && truthy_cond(b, var, item),
        Cond::Or(a, b) => truthy_cond(a, var, item) || truthy_cond(b, var, item),
        Cond::Not(a) => !truthy_cond(a, var, item),
    }
}

/// Jekyll's `sort`: without a property Ruby's sort; with one, items whose
/// property is nil first (or `"last"`), the rest by value, then by text.
fn sort(v: &Value, prop: Option<&Value>, nils: &Value) -> Value {
    use std::cmp::Ordering;
    let Some(prop) = prop.filter(|p| !p.is_null()) else {
        return super::values::sort(v, &Value::Null);
    };
    let last = to_s(nils) == "last";
    let mut l: Vec<(Value, Value)> = as_list(v)
        .into_iter()
        .map(|x| (property(&x, prop), x))
        .collect();
    l.sort_by(|(a, _), (b, _)| match (a.is_null(), b.is_null()) {
        (false, true) => {
            if last {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (true, false) => {
            if last {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (true, true) => Ordering::Equal,
        _ => match (a, b) {
            (Value::Number(x), Value::Number(y)) => x
                .as_f64()
                .partial_cmp(&y.as_f64())
                .unwrap_or(Ordering::Equal),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            _ => to_s(a).cmp(&to_s(b)),
        },
    });
    Value::Array(l.into_iter().map(|(_, x)| x).collect())
}

fn number_of_words(s: &str, mode: &str) -> usize {
    let cjk = regex_lite(r"[\p{Han}\p{Katakana}\p{Hiragana}\p{Hangul}]");
    let word = regex_lite(r"[^\p{Han}\p{Katakana}\p{Hiragana}\p{Hangul}\s]+");
    match mode {
        "cjk" => cjk.find_iter(s).count() + word.find_iter(s).count(),
        "auto" => match cjk.find_iter(s).count() {
            0 => s.split_whitespace().count(),
            n => n + word.find_iter(s).count(),
        },
        _ => s.split_whitespace().count(),
    }
}

fn ordinal(day: u32) -> String {
    let suffix = match (day % 100, day % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

/// `date_to_string` (`%d %b %Y`), `date_to_long_string` (`%d %B %Y`), with
/// `"ordinal"` and `"US"` styles; `date_to_xmlschema`, `date_to_rfc822`.
/// Jekyll converts to local time first: UTC here, as for the oracle.
fn date_to(name: &str, v: &Value, a: &Args) -> Value {
    use chrono::Datelike;
    let Some(d) = to_date(v) else {
        return v.clone();
    };
    let d = d.with_timezone(&chrono::Utc).fixed_offset();
    let month = if name == "date_to_long_string" {
        "%B"
    } else {
        "%b"
    };
    let s = match name {
        "date_to_xmlschema" => strftime(&d, "%Y-%m-%dT%H:%M:%S%:z"),
        "date_to_rfc822" => strftime(&d, "%a, %d %b %Y %H:%M:%S %z"),
        _ if to_s(arg(a, "a0")) == "ordinal" => {
            let m = strftime(&d, month);
            if to_s(arg(a, "a1")) == "US" {
                format!("{m} {}, {}", ordinal(d.day()), d.year())
            } else {
                format!("{} {m} {}", ordinal(d.day()), d.year())
            }
        }
        _ => strftime(&d, &format!("%d {month} %Y")),
    };
    Value::String(s)
}

/// Jekyll's `smartify` (kramdown's SmartyPants input): typographic symbols
/// and the default smart quotes, through the Markdown stage's own rules.
fn smartify(s: &str) -> String {
    use crate::markdown::smart::{Quotes, Smart};
    let names = ["lsquo", "rsquo", "ldquo", "rdquo"].map(String::from);
    let mut sm = Smart::new(Quotes::from_names(&names));
    let mut out = String::new();
    sm.push(s, "", &mut out);
    out
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
