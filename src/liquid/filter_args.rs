//! How a filter is called: its arguments (`a0`, `a1`... positional,
//! `k_<key>` keyword) and the site facts the URL filters need. Shared by
//! [`super::filters`] and the filter modules it dispatches to.

use super::values::to_s;
use super::MarkdownifyFn;
use serde_json::Value;
use std::collections::HashMap;

pub(super) type Args = HashMap<String, Value>;

pub(super) fn arg<'a>(args: &'a Args, k: &str) -> &'a Value {
    args.get(k).unwrap_or(&Value::Null)
}

pub(super) fn s_arg(args: &Args, k: &str) -> String {
    to_s(arg(args, k))
}

/// Site facts the URL filters need.
#[derive(Clone)]
pub struct UrlInfo {
    pub url: String,
    pub baseurl: String,
}

/// [`super::filters::apply`]'s signature: the filter modules that apply
/// filters themselves (`group_by_exp`) are handed it rather than import it.
pub(super) type ApplyFn = fn(&str, &Value, &Args, &UrlInfo, &MarkdownifyFn) -> Value;
