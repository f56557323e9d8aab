use super::*;
use std::path::Path;

fn hex(text: &str) -> Color {
    let digits = text.trim().trim_start_matches('#');
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).unwrap();
    assert!(digits.len() >= 6, "not a colour: {text:?}");
    rgb(channel(0), channel(2), channel(4))
}

/// `--ed-code-bg` of the built-in theme's stylesheet: light (the first,
/// in `:root`) and dark (every later one, which must agree).
fn theme_code_backgrounds() -> (Color, Color) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/assets/theme.css");
    let css = std::fs::read_to_string(&path).unwrap();
    let values: Vec<Color> = css
        .split("--ed-code-bg:")
        .skip(1)
        .map(|rest| hex(rest.split(';').next().unwrap()))
        .collect();
    assert!(values.len() >= 2, "light and dark --ed-code-bg in {path:?}");
    assert!(values[2..].iter().all(|v| *v == values[1]), "{values:?}");
    (values[0], values[1])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Palette {
    Light,
    Dark,
}

/// One rule of the generated CSS, its selectors without the palette's
/// `:root...` prefix.
#[derive(Debug)]
struct Rule {
    palette: Palette,
    selectors: Vec<String>,
    color: Option<Color>,
    background: Option<Color>,
}

fn palette_of(selector: &str) -> (Palette, &str) {
    for (prefix, palette) in [
        (":root:not([data-theme=dark]) ", Palette::Light),
        (":root[data-theme=light] ", Palette::Light),
        (":root:not([data-theme=light]) ", Palette::Dark),
        (":root[data-theme=dark] ", Palette::Dark),
    ] {
        if let Some(rest) = selector.strip_prefix(prefix) {
            return (palette, rest);
        }
    }
    panic!("selector outside both palettes: {selector:?}");
}

fn declaration(body: &str, property: &str) -> Option<Color> {
    body.split(';').find_map(|d| {
        let (name, value) = d.split_once(':')?;
        (name.trim() == property).then(|| hex(value))
    })
}

/// The rules of `css` (flat rules, some inside `@media` blocks).
fn rules(css: &str) -> Vec<Rule> {
    let css = strip_comments(css);
    let mut rules = Vec::new();
    for chunk in css.split('}') {
        let Some(open) = chunk.rfind('{') else {
            continue;
        };
        let head = &chunk[..open];
        // After an `@media ... {` opening in the same chunk.
        let head = head.rsplit_once('{').map_or(head, |(_, h)| h);
        let body = &chunk[open + 1..];
        let mut selectors = head.split(',').map(str::trim).map(palette_of);
        let (palette, first) = selectors.next().unwrap();
        let mut names = vec![first.to_string()];
        for (p, s) in selectors {
            assert_eq!(p, palette, "{head}");
            names.push(s.to_string());
        }
        rules.push(Rule {
            palette,
            selectors: names,
            color: declaration(body, "color"),
            background: declaration(body, "background-color"),
        });
    }
    rules
}

/// The background a rule's text sits on: its own, else that of a rule of
/// the same palette naming the enclosing part of the selector, else the code's.
fn background_of(rules: &[Rule], rule: &Rule, selector: &str, code_bg: Color) -> Color {
    if let Some(bg) = rule.background {
        return bg;
    }
    let parts: Vec<&str> = selector.split(' ').collect();
    (1..parts.len())
        .rev()
        .find_map(|len| {
            let enclosing = parts[..len].join(" ");
            rules
                .iter()
                .filter(|r| r.palette == rule.palette)
                .filter(|r| r.selectors.contains(&enclosing))
                .find_map(|r| r.background)
        })
        .unwrap_or(code_bg)
}

#[test]
fn every_token_colour_reaches_4_5_to_1_on_its_background() {
    let (light_bg, dark_bg) = theme_code_backgrounds();
    let css = build_css();
    let rules = rules(&css);
    let mut checked = std::collections::BTreeSet::new();
    let mut low = Vec::new();
    for rule in &rules {
        let Some(color) = rule.color else { continue };
        let code_bg = match rule.palette {
            Palette::Light => light_bg,
            Palette::Dark => dark_bg,
        };
        for selector in &rule.selectors {
            let bg = background_of(&rules, rule, selector, code_bg);
            let ratio = contrast(color, bg);
            checked.insert((rule.palette == Palette::Dark, color.r, color.g, color.b));
            if ratio < MIN_CONTRAST {
                low.push(format!(
                    "{:?} {selector}: {color:?} on {bg:?} is {ratio:.2}:1",
                    rule.palette
                ));
            }
        }
    }
    assert!(
        low.is_empty(),
        "under {MIN_CONTRAST}:1:\n{}",
        low.join("\n")
    );
    // Both palettes were read, with their many token colours.
    let dark = checked.iter().filter(|c| c.0).count();
    assert!(dark >= 10 && checked.len() - dark >= 10, "{checked:?}");
}

#[test]
fn readable_colours_stay_and_others_move_the_least() {
    let bg = rgb(0xf6, 0xf8, 0xfb);
    let dark_text = rgb(0x18, 0x36, 0x91);
    assert_eq!(readable(dark_text, bg), dark_text);
    let grey = rgb(0x96, 0x98, 0x96);
    let fixed = readable(grey, bg);
    assert!(contrast(fixed, bg) >= MIN_CONTRAST);
    assert!(
        fixed.r < grey.r && fixed.g < grey.g,
        "darker on light: {fixed:?}"
    );
    // One step less is not enough.
    let step = (1..=255)
        .find(|&s| mix(grey, rgb(0, 0, 0), s) == fixed)
        .unwrap();
    assert!(contrast(mix(grey, rgb(0, 0, 0), step - 1), bg) < MIN_CONTRAST);
    // On a dark background, lighter.
    let dark_bg = rgb(0x2b, 0x30, 0x3b);
    let comment = rgb(0x65, 0x73, 0x7e);
    let lighter = readable(comment, dark_bg);
    assert!(lighter.r > comment.r && contrast(lighter, dark_bg) >= MIN_CONTRAST);
}

#[test]
fn contrast_is_wcag_s() {
    let (black, white) = (rgb(0, 0, 0), rgb(0xff, 0xff, 0xff));
    assert!((contrast(black, white) - 21.0).abs() < 1e-9);
    assert!((contrast(white, white) - 1.0).abs() < 1e-9);
    // WebAIM's checker gives #777777 on white 4.48:1.
    assert!((contrast(rgb(0x77, 0x77, 0x77), white) - 4.48).abs() < 0.005);
}

#[test]
fn css_has_light_and_dark_rules() {
    let css = build_css();
    assert!(css.contains(".hl-"));
    assert!(css.contains("@media (prefers-color-scheme: dark)"));
    assert!(css.contains(":root[data-theme=dark] .hl-"));
    assert!(css.contains(":root:not([data-theme=light]) .hl-"));
    assert!(css.contains("@media not all and (prefers-color-scheme: dark)"));
    assert!(css.contains(":root[data-theme=light] .hl-"));
    // No unscoped rule: every selector belongs to one palette.
    for line in css
        .lines()
        .filter(|l| l.ends_with('{') && !l.starts_with('@'))
    {
        assert!(line.trim_start().starts_with(":root"), "{line}");
    }
    assert_eq!(css.matches('{').count(), css.matches('}').count());
}

#[test]
fn scope_css_prefixes_every_selector() {
    let out = scope_css("/* c */\n.a, .b .c {\n color: red;\n}\n.d {\n}\n", "X");
    assert_eq!(out, "X .a, X .b .c {\n color: red;\n}\nX .d {\n}\n");
}
