//! The tera filters and functions the translated templates call: Liquid's
//! filters (`lq_<name>`, see [`super::filters`]) and the helpers for
//! truthiness, comparisons, loops, captures and ranges, each checking the
//! [`limits`] of the render it runs in.
//!
//! A helper called from a limit *site* (a loop, `assign` or `capture` tag)
//! gets its number as the argument `at`, so a limit error names the tag.

use super::filter_args::{arg, s_arg, Args, UrlInfo};
use super::filters::{apply, FILTERS};
use super::limits::{self, check_size, limit_error, Budget};
use super::values::{as_list, compare, key, num, to_s, truthy};
use super::MarkdownifyFn;
use serde_json::Value;
use std::sync::Arc;
use tera::{Result, Tera};

fn site(a: &Args) -> Option<usize> {
    a.get("at").and_then(Value::as_u64).map(|k| k as usize)
}

/// The result of a Liquid filter, or an error when it would exceed
/// [`limits::MAX_VALUE`]. `replace` and `join` can make far more than their
/// input (every match replaced by a long string, a long glue between many
/// items), so their size is computed before they run.
pub(super) fn guarded_filter(
    name: &str,
    v: &Value,
    a: &Args,
    u: &UrlInfo,
    md: &MarkdownifyFn,
) -> Result<Value> {
    let at = site(a);
    let predicted = match name {
        "replace" => {
            let (s, from, to) = (to_s(v), s_arg(a, "a0"), s_arg(a, "a1"));
            let n = if from.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(from.as_str()).count()
            };
            Some(s.len().saturating_add(n.saturating_mul(to.len())))
        }
        "join" => {
            let items = as_list(v);
            let glue = s_arg(a, "a0").len().max(1);
            let text: usize = items.iter().map(limits::weight).sum();
            Some(text.saturating_add(items.len().saturating_mul(glue)))
        }
        _ => None,
    };
    if let Some(n) = predicted {
        check_size(n, &format!("`{name}`"), at)?;
    }
    // Ruby's errors, which stop Jekyll's build: an integer divided by 0, a nil sorted.
    let int = |x: &Value| {
        x.as_i64()
            .or_else(|| x.as_str().filter(|s| !s.contains('.')).map(|_| 0))
    };
    match name {
        "divided_by" | "modulo"
            if int(v).is_some()
                && int(arg(a, "a0")).is_some()
                && super::numbers::Num::of(arg(a, "a0")).to_f64() == 0.0 =>
        {
            return Err(limit_error(at, format!("`{name}: 0`: divided by 0")));
        }
        "sort" if v.is_null() => {
            return Err(limit_error(
                at,
                "`sort` of nil: cannot sort a null object".into(),
            ));
        }
        _ => {}
    }
    let out = apply(name, v, a, u, md);
    let size = match &out {
        Value::String(s) => s.len(),
        Value::Array(_) | Value::Object(_) => limits::weight(&out),
        _ => 0,
    };
    check_size(size, &format!("`{name}`"), at)?;
    Ok(out)
}

/// Register Liquid's filters and helpers on a tera instance whose renders
/// count against `budget`.
pub fn register(t: &mut Tera, u: &UrlInfo, md: &MarkdownifyFn, budget: &Arc<Budget>) {
    for &name in FILTERS {
        let (u, md) = (u.clone(), md.clone());
        t.register_filter(&format!("lq_{name}"), move |v: &Value, a: &Args| {
            guarded_filter(name, v, a, &u, &md)
        });
    }
    t.register_filter("lq_s", |v: &Value, _: &Args| Ok(Value::String(to_s(v))));
    // `neg=true` negates: tera's own `not` before a filtered value is unreliable.
    let neg = |a: &Args| a.get("neg") == Some(&Value::Bool(true));
    t.register_filter("lq_truthy", move |v: &Value, a: &Args| {
        Ok(Value::Bool(truthy(v) != neg(a)))
    });
    t.register_filter("lq_cmp", move |v: &Value, a: &Args| {
        Ok(Value::Bool(
            compare(v, &s_arg(a, "op"), arg(a, "b")) != neg(a),
        ))
    });
    t.register_filter("lq_key", |v: &Value, a: &Args| Ok(key(v, arg(a, "k"))));
    let b = budget.clone();
    t.register_filter("lq_iter", move |v: &Value, a: &Args| {
        let mut list = match v {
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| Value::Array(vec![Value::String(k.clone()), v.clone()]))
                .collect(),
            Value::String(s) if s.is_empty() => vec![],
            _ => as_list(v),
        };
        let off = num(arg(a, "offset")).unwrap_or(0.0).max(0.0) as usize;
        list.drain(..off.min(list.len()));
        if let Some(l) = num(arg(a, "limit")) {
            list.truncate(l.max(0.0) as usize);
        }
        if arg(a, "reversed") == &Value::Bool(true) {
            list.reverse();
        }
        b.iterate(list.len(), site(a))?;
        Ok(Value::Array(list))
    });
    // Jekyll's `highlight` block as a Markdown fence (line terminators at
    // both ends removed, as Jekyll does), longer than any backtick run inside.
    t.register_filter("lq_fence", |v: &Value, a: &Args| {
        let code = to_s(v);
        let code = code.trim_matches(['\n', '\r']);
        let mut run = 0;
        let mut longest = 0;
        for c in code.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        let fence = "`".repeat(longest.max(2) + 1);
        Ok(Value::String(format!(
            "\n{fence}{}\n{code}\n{fence}\n",
            s_arg(a, "lang")
        )))
    });
    t.register_function("lq_sf", |a: &Args| {
        let s = to_s(arg(a, "v"));
        check_size(s.len(), "a value", site(a))?;
        Ok(Value::String(s))
    });
    // A capture's text so far (`a`) and what its body prints next (`b`).
    t.register_function("lq_cat", |a: &Args| {
        let (x, y) = (to_s(arg(a, "a")), to_s(arg(a, "b")));
        check_size(x.len() + y.len(), "`capture`", site(a))?;
        Ok(Value::String(x + &y))
    });
    // `cycle`'s value for its counter `i`.
    t.register_function("lq_nth", |a: &Args| {
        let l = as_list(arg(a, "l"));
        let i = num(arg(a, "i")).unwrap_or(0.0).max(0.0) as usize;
        Ok(l.get(i % l.len().max(1))
            .map_or(Value::Null, |v| Value::String(to_s(v))))
    });
    // `tablerowloop` of item `i` of `n`, `cols` to a row.
    t.register_function("lq_trl", |a: &Args| {
        let n = num(arg(a, "n")).unwrap_or(0.0).max(0.0) as i64;
        let i = num(arg(a, "i")).unwrap_or(0.0).max(0.0) as i64;
        let cols = (num(arg(a, "cols")).unwrap_or(0.0) as i64).max(0);
        let cols = if cols == 0 { n.max(1) } else { cols };
        let (col0, row) = (i % cols, i / cols + 1);
        Ok(serde_json::json!({
            "index": i + 1, "index0": i, "col": col0 + 1, "col0": col0, "row": row,
            "next_row": row + 1, "first": i == 0, "last": i == n - 1,
            "col_first": col0 == 0, "col_last": col0 == cols - 1, "length": n,
            "rindex": n - i, "rindex0": n - i - 1,
        }))
    });
    t.register_function("lq_range", |a: &Args| {
        let lo = num(arg(a, "a")).unwrap_or(0.0) as i64;
        let hi = num(arg(a, "b")).unwrap_or(0.0) as i64;
        let n = hi.saturating_sub(lo).saturating_add(1).max(0) as u64;
        if n > limits::MAX_ITERATIONS as u64 {
            let msg = format!(
                "the range ({lo}..{hi}) has {n} items, more than the {} a page's loops may run",
                limits::MAX_ITERATIONS
            );
            return Err(limit_error(site(a), msg));
        }
        Ok(Value::Array((lo..=hi).map(Value::from).collect()))
    });
}
