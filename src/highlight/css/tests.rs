use super::*;

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
