//! Jekyll's `slugify` in its modes (`Jekyll::Utils.slugify`): `raw`,
//! `default`, `pretty`, `ascii`, `latin`, and `none` (or any other word:
//! only lower-cased).

use regex::Regex;
use std::sync::LazyLock;

static RAW: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").expect("pattern"));
static DEFAULT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\p{M}\p{L}\p{Nd}]+").expect("pattern"));
static PRETTY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\p{M}\p{L}\p{Nd}._~!$&'()+,;=@]+").expect("pattern"));
static ASCII: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[^A-Za-z0-9]+").expect("pattern"));
/// Ruby's `gsub(/^-|-$/, "")`: one hyphen at each end of every line.
static ENDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^-|-$").expect("pattern"));

/// `slugify(s, mode)`, lower-cased as Jekyll does by default.
pub fn slugify_mode(s: &str, mode: &str) -> String {
    let re = match mode {
        "raw" => &RAW,
        "default" => &DEFAULT,
        "pretty" => &PRETTY,
        "ascii" => &ASCII,
        "latin" => &DEFAULT,
        _ => return s.to_lowercase(),
    };
    let s = if mode == "latin" {
        transliterate(s)
    } else {
        s.to_string()
    };
    let slug = re.replace_all(&s, "-");
    ENDS.replace_all(&slug, "").to_lowercase()
}

/// I18n's `transliterate` with its default table: Latin letters lose
/// their marks (`ß` → `ss`, `Æ` → `AE`), anything else non-ASCII is `?`.
fn transliterate(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                return c.to_string();
            }
            let t = match c {
                'À'..='Å' => "A",
                'Æ' => "AE",
                'Ç' => "C",
                'È'..='Ë' => "E",
                'Ì'..='Ï' => "I",
                'Ð' => "D",
                'Ñ' => "N",
                'Ò'..='Ö' | 'Ø' => "O",
                'Ù'..='Ü' => "U",
                'Ý' => "Y",
                'Þ' => "Th",
                'ß' => "ss",
                'à'..='å' => "a",
                'æ' => "ae",
                'ç' => "c",
                'è'..='ë' => "e",
                'ì'..='ï' => "i",
                'ð' => "d",
                'ñ' => "n",
                'ò'..='ö' | 'ø' => "o",
                'ù'..='ü' => "u",
                'ý' | 'ÿ' => "y",
                'þ' => "th",
                'Œ' => "OE",
                'œ' => "oe",
                'Š' => "S",
                'š' => "s",
                'Ž' => "Z",
                'ž' => "z",
                'Ł' => "L",
                'ł' => "l",
                _ => "?",
            };
            t.to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn modes() {
        let t = "The _config.yml file?! Crème";
        assert_eq!(
            super::slugify_mode(t, "default"),
            "the-config-yml-file-crème"
        );
        assert_eq!(super::slugify_mode(t, "latin"), "the-config-yml-file-creme");
        assert_eq!(
            super::slugify_mode(t, "raw"),
            "the-_config.yml-file?!-crème"
        );
        assert_eq!(
            super::slugify_mode(t, "none"),
            "the _config.yml file?! crème"
        );
    }
}
