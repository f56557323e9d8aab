//! Front matter rules per layout, and configuration keys.
//!
//! * Guide pages (layout `sidebarelementdoc`) need `heading`, `title` and a
//!   numeric `order`; two pages of one guide (one folder) with the same
//!   `order` is a warning, since their tab order is then decided by title.
//! * Configuration: Jekyll lets any top-level key be a site variable, so an
//!   unknown top-level key is only reported when it is close to a known one
//!   (a likely typo). `kramdown:` and `liquid:` take a fixed set of options:
//!   any unknown key there is reported, with the nearest real option.
//! * API Docs pages (layouts `swagger-only`, `sidebarapidocs`) that name no
//!   OpenAPI document show a placeholder: a warning at their `elementId`
//!   (see [`crate::openapi::missing_document`]).

use crate::config::Config;
use crate::diag::{did_you_mean, Diagnostic};
use crate::publish::redirects::front_line;
use crate::site::page_meta;
use crate::source::SourcePage;
use serde_json::Value;
use std::collections::BTreeMap;

/// The layout of element guide pages.
pub const GUIDE_LAYOUT: &str = "sidebarelementdoc";
/// Front matter a guide page must have.
pub const GUIDE_KEYS: &[&str] = &["heading", "title", "order"];

/// Jekyll's own top-level keys (its defaults and documented options), the
/// plugins' keys the portals use, and the site variables themes read.
pub const JEKYLL_KEYS: &[&str] = &[
    "source",
    "destination",
    "collections_dir",
    "cache_dir",
    "plugins_dir",
    "layouts_dir",
    "data_dir",
    "includes_dir",
    "collections",
    "safe",
    "include",
    "exclude",
    "keep_files",
    "encoding",
    "markdown_ext",
    "strict_front_matter",
    "show_drafts",
    "limit_posts",
    "future",
    "unpublished",
    "whitelist",
    "plugins",
    "gems",
    "markdown",
    "highlighter",
    "lsi",
    "excerpt_separator",
    "incremental",
    "detach",
    "port",
    "host",
    "baseurl",
    "show_dir_listing",
    "permalink",
    "paginate_path",
    "paginate",
    "timezone",
    "quiet",
    "verbose",
    "defaults",
    "liquid",
    "kramdown",
    "url",
    "title",
    "description",
    "author",
    "lang",
    "theme",
    "sass",
    "webrick",
    "livereload",
    "livereload_port",
    "disable_disk_cache",
    "profile",
    "redcarpet",
    "rdiscount",
    "algolia",
    "redirect_from",
    "name",
    "email",
    "logo",
    "repository",
    "github",
    "google_analytics",
    "twitter",
    "social",
    "feed",
    "sitemap",
    "elementdocs",
];

/// kramdown's options (kramdown 2), plus the ones Jekyll's converter adds.
pub const KRAMDOWN_KEYS: &[&str] = &[
    "template",
    "auto_ids",
    "auto_id_stripping",
    "auto_id_prefix",
    "transliterated_header_ids",
    "parse_block_html",
    "parse_span_html",
    "html_to_native",
    "link_defs",
    "footnote_nr",
    "entity_output",
    "toc_levels",
    "line_width",
    "latex_headers",
    "smart_quotes",
    "typographic_symbols",
    "remove_block_html_tags",
    "remove_span_html_tags",
    "header_offset",
    "syntax_highlighter",
    "syntax_highlighter_opts",
    "math_engine",
    "math_engine_opts",
    "footnote_backlink",
    "footnote_backlink_inline",
    "footnote_prefix",
    "remove_line_breaks_for_cjk",
    "forbidden_inline_options",
    "list_indent",
    "input",
    "hard_wrap",
    "guess_lang",
    "show_warnings",
    "coderay",
];

/// Jekyll's `liquid:` options.
pub const LIQUID_KEYS: &[&str] = &["error_mode", "strict_filters", "strict_variables"];

/// Warnings for configuration keys that are probably mistakes.
pub fn config_keys(cfg: &Config) -> Vec<Diagnostic> {
    let text = std::fs::read_to_string(cfg.root.join(&cfg.file)).unwrap_or_default();
    let text = text.replace("\r\n", "\n");
    let mut diags = Vec::new();
    let warn = |path: &[&str], msg: String, help: Option<String>| {
        let (line, col) = key_position(&text, path);
        let d = Diagnostic::warning(&cfg.file, line, col, msg).with_source(&text);
        match help {
            Some(h) => d.with_help(h),
            None => d,
        }
    };
    for key in cfg.site.keys() {
        if JEKYLL_KEYS.contains(&key.as_str()) {
            if key == "gems" {
                diags.push(warn(
                    &[key],
                    "`gems` is the old name of `plugins`".into(),
                    Some("rename the key to `plugins`".into()),
                ));
            }
            continue;
        }
        if let Some(s) = did_you_mean(key, JEKYLL_KEYS.iter().copied()) {
            diags.push(warn(
                &[key],
                format!("unknown configuration key `{key}`"),
                Some(format!(
                    "did you mean `{s}`? (other keys are kept as site variables)"
                )),
            ));
        }
    }
    for (section, known) in [("kramdown", KRAMDOWN_KEYS), ("liquid", LIQUID_KEYS)] {
        let Some(Value::Object(m)) = cfg.site.get(section) else {
            continue;
        };
        for key in m.keys().filter(|k| !known.contains(&k.as_str())) {
            let help = match did_you_mean(key, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the `{section}` options are: {}", known.join(", ")),
            };
            diags.push(warn(
                &[section, key],
                format!("unknown `{section}` option `{key}`: it has no effect"),
                Some(help),
            ));
        }
    }
    diags
}

/// 1-based (line, col) of a top-level key (`["url"]`) or of a key of a
/// top-level mapping (`["kramdown", "input"]`) in a YAML file; (0, 0) if absent.
pub fn key_position(text: &str, path: &[&str]) -> (usize, usize) {
    let is_key = |body: &str, key: &str| {
        [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
            .iter()
            .any(|k| {
                body.strip_prefix(k.as_str())
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            })
    };
    let mut in_parent = false;
    for (i, l) in text.lines().enumerate() {
        let body = l.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = l.len() - body.len();
        if !in_parent {
            if indent == 0 && path.first().is_some_and(|k| is_key(body, k)) {
                if path.len() == 1 {
                    return (i + 1, 1);
                }
                in_parent = true;
            }
        } else if indent == 0 {
            break;
        } else if path.get(1).is_some_and(|k| is_key(body, k)) {
            return (i + 1, indent + 1);
        }
    }
    (0, 0)
}

/// Front matter rules of every page.
pub fn front_matter(pages: &[SourcePage]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut orders: BTreeMap<(String, String), &SourcePage> = BTreeMap::new();
    for p in pages {
        let meta = page_meta(p);
        if meta.layout != GUIDE_LAYOUT {
            continue;
        }
        for key in GUIDE_KEYS {
            if !p.front.contains_key(*key) {
                diags.push(
                    Diagnostic::error(
                        &p.rel,
                        1,
                        1,
                        format!("guide page (layout `{GUIDE_LAYOUT}`) has no `{key}`"),
                    )
                    .with_source(&p.text)
                    .with_help(format!(
                        "add `{key}:` to the front matter; guide pages need {}",
                        GUIDE_KEYS.join(", ")
                    )),
                );
            }
        }
        let Some(raw) = p.front.get("order") else {
            continue;
        };
        let (line, _) = front_line(p, "order", None);
        let Some(order) = meta.order else {
            diags.push(
                Diagnostic::error(
                    &p.rel,
                    line,
                    1,
                    format!("`order` must be a number, not `{raw}`"),
                )
                .with_source(&p.text),
            );
            continue;
        };
        let key = (meta.dir.clone(), order.to_string());
        if let Some(first) = orders.get(&key) {
            diags.push(
                Diagnostic::warning(
                    &p.rel,
                    line,
                    1,
                    format!(
                        "two pages of the guide `{}` have `order: {order}`",
                        meta.dir
                    ),
                )
                .with_source(&p.text)
                .with_note(format!(
                    "`{}` has it too; their tabs are then sorted by title",
                    first.rel
                ))
                .with_help("give each page of a guide its own `order`"),
            );
        } else {
            orders.insert(key, p);
        }
    }
    diags
}

/// A warning for each API Docs page that shows the placeholder instead of its reference.
pub fn api_documents(root: &std::path::Path, pages: &[SourcePage]) -> Vec<Diagnostic> {
    pages
        .iter()
        .filter_map(|p| crate::openapi::missing_document(root, p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys() {
        let y =
            "url: x\nkramdown:\n    input: GFM\n    syntax_highligher: true\nliquid:\n  input: 1\n";
        assert_eq!(key_position(y, &["url"]), (1, 1));
        assert_eq!(key_position(y, &["kramdown", "syntax_highligher"]), (4, 5));
        assert_eq!(key_position(y, &["liquid", "input"]), (6, 3));
        assert_eq!(key_position(y, &["kramdown", "missing"]), (0, 0));
    }

    #[test]
    fn typo_suggestions_use_real_option_names() {
        assert_eq!(
            did_you_mean("syntax_highligher", KRAMDOWN_KEYS.iter().copied()),
            Some("syntax_highlighter")
        );
        assert_eq!(
            did_you_mean("exlude", JEKYLL_KEYS.iter().copied()),
            Some("exclude")
        );
        assert_eq!(did_you_mean("console", JEKYLL_KEYS.iter().copied()), None);
    }
}
