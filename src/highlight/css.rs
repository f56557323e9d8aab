//! The stylesheet of the `hl-` classes: syntect's `InspiredGitHub` theme for
//! light and `base16-ocean.dark` for dark.

use super::html::CLASS_STYLE;
use syntect::highlighting::ThemeSet;
use syntect::html::css_for_theme_with_class_style;

const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

/// The whole stylesheet: light by default, dark under
/// `prefers-color-scheme: dark` (unless the page chose light with
/// `data-theme="light"`) and under `[data-theme=dark]`.
pub(super) fn build_css() -> String {
    let themes = ThemeSet::load_defaults();
    let palette = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    let light = palette(LIGHT_THEME);
    let dark = palette(DARK_THEME);
    // Each palette applies only where the other does not, so no rule of one
    // theme can leak into the other through a more specific selector.
    let mut out = String::from(
        "/* elementdocs: syntax highlighting (syntect). Light by default; dark under\n   prefers-color-scheme: dark and [data-theme=dark]; [data-theme=light] forces light. */\n\n",
    );
    out.push_str("@media not all and (prefers-color-scheme: dark) {\n");
    out.push_str(&scope_css(&light, ":root:not([data-theme=dark])"));
    out.push_str("}\n\n");
    out.push_str(&scope_css(&light, ":root[data-theme=light]"));
    out.push_str("\n@media (prefers-color-scheme: dark) {\n");
    out.push_str(&scope_css(&dark, ":root:not([data-theme=light])"));
    out.push_str("}\n\n");
    out.push_str(&scope_css(&dark, ":root[data-theme=dark]"));
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start..].find("*/") {
            Some(end) => rest = &rest[start + end + 2..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out.trim_start().to_string()
}

/// Prefix every selector of every rule in `css` (flat rules only, as
/// syntect writes them) with `scope `.
fn scope_css(css: &str, scope: &str) -> String {
    let css = strip_comments(css);
    let mut out = String::with_capacity(css.len() * 2);
    let mut rest = css.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let selectors = rest[..open]
            .split(',')
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| format!("{scope} {s}"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&selectors);
        out.push_str(" {");
        out.push_str(&rest[open + 1..open + close + 1]);
        out.push('\n');
        rest = &rest[open + close + 1..];
    }
    out
}

#[cfg(test)]
mod tests;
