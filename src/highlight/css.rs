//! The stylesheet of the `hl-` classes: syntect's `InspiredGitHub` theme for
//! light and `base16-ocean.dark` for dark, each token colour made readable
//! on the theme's code background first.
//!
//! Readable means WCAG's 4.5:1 contrast for normal text. A colour under it
//! is mixed with black (on a light background) or white (on a dark one),
//! by the least amount that reaches 4.5:1: the hue stays, and colours that
//! were readable are left exactly as the theme has them.

use super::html::CLASS_STYLE;
use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::css_for_theme_with_class_style;
use syntect::parsing::Scope;

const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

/// The background of code blocks in the built-in theme, light and dark
/// (`--ed-code-bg` in `templates/assets/theme.css`; a unit test checks the
/// generated CSS against the values found there).
const LIGHT_CODE_BG: Color = rgb(0xf6, 0xf8, 0xfb);
const DARK_CODE_BG: Color = rgb(0x2b, 0x30, 0x3b);

/// WCAG 2's minimum contrast for normal text (level AA).
pub(super) const MIN_CONTRAST: f64 = 4.5;

const fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color { r, g, b, a: 0xff }
}

/// The whole stylesheet: light by default, dark under
/// `prefers-color-scheme: dark` (unless the page chose light with
/// `data-theme="light"`) and under `[data-theme=dark]`.
pub(super) fn build_css() -> String {
    let themes = ThemeSet::load_defaults();
    let palette = |name: &str, code_bg: Color| {
        themes
            .themes
            .get(name)
            .map(|theme| readable_theme(theme, code_bg))
            .and_then(|theme| css_for_theme_with_class_style(&theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    let light = palette(LIGHT_THEME, LIGHT_CODE_BG);
    let dark = palette(DARK_THEME, DARK_CODE_BG);
    // Each palette applies only where the other does not, so no rule of one
    // theme can leak into the other through a more specific selector.
    let mut out = String::from(
        "/* elementdocs: syntax highlighting (syntect; colours raised to 4.5:1 contrast on the\n   code background). Light by default; dark under prefers-color-scheme: dark and\n   [data-theme=dark]; [data-theme=light] forces light. */\n\n",
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

/// `theme` with every foreground readable on the background it is drawn
/// on: the rule's own, else that of the rule for the enclosing scopes
/// (`markup.inserted` behind `markup.inserted punctuation`), else the code's.
fn readable_theme(theme: &Theme, code_bg: Color) -> Theme {
    let mut theme = theme.clone();
    let settings = &mut theme.settings;
    if let Some(fg) = settings.foreground {
        let backgrounds = [code_bg, settings.background.unwrap_or(code_bg)];
        settings.foreground = Some(readable_on_all(fg, &backgrounds));
    }
    let backgrounds: Vec<Vec<Color>> = theme
        .scopes
        .iter()
        .map(|item| {
            let own = item.style.background;
            let paths = item.scope.selectors.iter().map(|s| s.extract_scopes());
            paths
                .map(|path| own.unwrap_or_else(|| enclosing_background(&theme, &path, code_bg)))
                .collect()
        })
        .collect();
    for (item, backgrounds) in theme.scopes.iter_mut().zip(backgrounds) {
        if let Some(fg) = item.style.foreground {
            item.style.foreground = Some(readable_on_all(fg, &backgrounds));
        }
    }
    theme
}

/// The background of the nearest rule for the scopes that enclose `path`'s
/// last one (its leading scopes, longest first), else `code_bg`.
fn enclosing_background(theme: &Theme, path: &[Scope], code_bg: Color) -> Color {
    (1..path.len())
        .rev()
        .find_map(|len| {
            theme.scopes.iter().find_map(|item| {
                let names_it = item
                    .scope
                    .selectors
                    .iter()
                    .any(|s| s.extract_scopes() == path[..len]);
                item.style.background.filter(|_| names_it)
            })
        })
        .unwrap_or(code_bg)
}

/// `fg`, changed as little as needed to be readable on each of `backgrounds`.
fn readable_on_all(fg: Color, backgrounds: &[Color]) -> Color {
    let mut fg = fg;
    // Raising the contrast on one background can lower it on another;
    // a few rounds settle it (the themes' backgrounds are all light or all
    // dark, so one round does).
    for _ in 0..backgrounds.len() {
        for &bg in backgrounds {
            fg = readable(fg, bg);
        }
    }
    fg
}

/// `fg` mixed with black or white, by the least amount (in steps of 1/255)
/// that makes it reach [`MIN_CONTRAST`] on `bg`; `fg` itself when it does.
pub(super) fn readable(fg: Color, bg: Color) -> Color {
    if contrast(fg, bg) >= MIN_CONTRAST {
        return fg;
    }
    let black = rgb(0, 0, 0);
    let white = rgb(0xff, 0xff, 0xff);
    // Away from the background: towards black when the text is the darker.
    let (first, second) = if luminance(fg) <= luminance(bg) {
        (black, white)
    } else {
        (white, black)
    };
    [first, second]
        .into_iter()
        .find_map(|target| {
            (1..=255u16)
                .map(|step| mix(fg, target, step))
                .find(|&c| contrast(c, bg) >= MIN_CONTRAST)
        })
        .unwrap_or(first)
}

/// `from` moved `step`/255 of the way to `to`, channel by channel.
fn mix(from: Color, to: Color, step: u16) -> Color {
    let channel = |a: u8, b: u8| {
        let (a, b) = (f64::from(a), f64::from(b));
        (a + (b - a) * f64::from(step) / 255.0).round() as u8
    };
    Color {
        r: channel(from.r, to.r),
        g: channel(from.g, to.g),
        b: channel(from.b, to.b),
        a: from.a,
    }
}

/// WCAG 2's contrast ratio of two opaque colours, from 1 to 21.
pub(super) fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// WCAG 2's relative luminance of an sRGB colour.
fn luminance(c: Color) -> f64 {
    let linear = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)
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
