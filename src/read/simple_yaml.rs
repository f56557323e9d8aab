//! A fast reader for the simple YAML that front matter nearly always is.
//!
//! Front matter is a handful of `key: value` lines: plain text, numbers,
//! booleans, now and then a quoted string or a comment. serde_yaml_ng reads
//! it through the whole libyaml machinery (reader, scanner, parser, event
//! replay). This module reads the common subset directly, one line at a
//! time. It pays its way, if barely: a clean build of the devportal corpus
//! without it took 3.7% longer (`benches/paired-clean.sh` with it / without
//! it, 11 pairs, median of the per-pair ratios; 8.6% and 0.1% in two other
//! runs on a busy machine: median of the three, 3.7%), and 3.6% more
//! instructions under callgrind (3,878 M against 3,742 M). Below 3% it
//! should go, with its cross-check. The subset:
//!
//! - every line is blank, a comment, or `key: value` starting at column 0;
//! - keys are plain names (letters, digits, `_ - . / $` and inner spaces);
//! - values are empty, a plain scalar, or a one-line single- or
//!   double-quoted string, optionally followed by ` # comment`;
//! - keys are distinct, there is at least one, and the text holds no tab,
//!   carriage return or other control character.
//!
//! Anything else (lists, nested maps, tags, anchors, multi-line scalars,
//! unusual escapes, numbers beyond 64 bits, every error) returns `None`
//! and the caller asks serde_yaml_ng, so the result is the same either way.
//! Plain scalars are resolved with a copy of serde_yaml_ng's own rules
//! (`de.rs`, `visit_untagged_scalar`), and Psych's YAML 1.1 booleans from
//! `yaml11`. Debug builds (hence every test) compare each result with
//! serde_yaml_ng's, read through `yaml11`.

use serde_json::map::Entry;
use serde_json::{Map, Number, Value};
use std::num::ParseIntError;

/// Characters that do not begin a plain scalar: they start something else
/// (`[` a list, `&` an anchor, `!` a tag, `|` a block, `'` a quote...).
const INDICATORS: &[u8] = b"-?:,[]{}#&*!|>'\"%@`";

/// libyaml looks at most this far for the `:` of a key; longer keys fall back.
const MAX_KEY_LEN: usize = 1000;

/// Read `yaml` if it stays within the subset, else `None`.
pub fn parse(yaml: &str) -> Option<Value> {
    if !has_only_simple_chars(yaml) {
        return None;
    }
    let lines = yaml.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut map = Map::with_capacity(lines);
    for line in yaml.split('\n') {
        if is_blank_or_comment(line) {
            continue;
        }
        let (key, value) = entry(line)?;
        match map.entry(key) {
            Entry::Vacant(slot) => slot.insert(value),
            // A repeated key: leave it to serde_yaml_ng.
            Entry::Occupied(_) => return None,
        };
    }
    // An empty document is left to serde_yaml_ng too.
    (!map.is_empty()).then_some(Value::Object(map))
}

/// Every character is one [`is_simple_char`] allows (checked byte by byte
/// first, as front matter is nearly always ASCII).
fn has_only_simple_chars(yaml: &str) -> bool {
    yaml.bytes().all(|b| matches!(b, b'\n' | b' '..=b'~')) || yaml.chars().all(is_simple_char)
}

/// Characters that libyaml reads as plain text. Excluded: tabs (they
/// matter to indentation), control characters (errors), the characters
/// libyaml takes for line breaks (CR, NEL, U+2028, U+2029) and the byte
/// order mark.
fn is_simple_char(c: char) -> bool {
    match c {
        '\n' | ' '..='~' => true,
        '\u{A0}'..='\u{D7FF}' => !matches!(c, '\u{2028}' | '\u{2029}'),
        '\u{E000}'..='\u{FFFD}' => c != '\u{FEFF}',
        '\u{10000}'.. => true,
        _ => false,
    }
}

/// Blank, or a comment (at any indentation).
fn is_blank_or_comment(line: &str) -> bool {
    let rest = line.trim_start_matches(' ');
    rest.is_empty() || rest.starts_with('#')
}

/// A `key: value` line.
fn entry(line: &str) -> Option<(&str, Value)> {
    let (key, rest) = line.split_at(line.bytes().take_while(|&c| is_key_byte(c)).count());
    let after = rest.strip_prefix(':')?;
    // `key:value` (no blank after the colon) is not a key.
    if !(is_simple_key(key) && (after.is_empty() || after.starts_with(' '))) {
        return None;
    }
    Some((key, value(after)?))
}

/// The bytes of a key: letters, digits, `_ - . / $` and spaces.
fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/' | b'$' | b' ')
}

/// A key that libyaml reads as that very text: starts with a letter, digit
/// or `_` at column 0 (so it is neither indented nor an indicator), and no
/// trailing blank (libyaml would drop it).
fn is_simple_key(key: &str) -> bool {
    let b = key.as_bytes();
    key.len() < MAX_KEY_LEN
        && b.first()
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
        && b.last() != Some(&b' ')
}

/// The value after `key:` (empty or starting with a blank).
fn value(after: &str) -> Option<Value> {
    let v = after.trim_start_matches(' ');
    match v.as_bytes().first() {
        // No value (maybe a comment): null, as an empty plain scalar is.
        None | Some(b'#') => Some(Value::Null),
        Some(b'\'') => single_quoted(&v[1..]).map(Value::String),
        Some(b'"') => double_quoted(&v[1..]).map(Value::String),
        Some(_) => plain(v),
    }
}

/// After a quoted string: nothing, or blanks and a comment.
fn only_comment_left(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    trimmed.is_empty() || (rest.starts_with(' ') && trimmed.starts_with('#'))
}

/// The text of `'...'` (given without the opening quote), `''` being a
/// quote; `None` if it does not close on this line.
fn single_quoted(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let q = rest.find('\'')?;
        out.push_str(&rest[..q]);
        rest = &rest[q + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                out.push('\'');
                rest = after;
            }
            None => return only_comment_left(rest).then_some(out),
        }
    }
}

/// The text of `"..."` (given without the opening quote) with its escapes;
/// `None` if it does not close on this line or uses `\x`, `\u`, `\U` or a
/// line continuation.
fn double_quoted(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return only_comment_left(&s[i + 1..]).then_some(out),
            '\\' => out.push(escape(chars.next()?.1)?),
            c => out.push(c),
        }
    }
    None
}

/// The character a one-letter escape `\c` stands for (libyaml's table).
fn escape(c: char) -> Option<char> {
    Some(match c {
        '0' => '\0',
        'a' => '\x07',
        'b' => '\x08',
        't' => '\t',
        'n' => '\n',
        'v' => '\x0B',
        'f' => '\x0C',
        'r' => '\r',
        'e' => '\x1B',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{A0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        _ => return None,
    })
}

/// A plain scalar running to the end of the line or to ` #`, resolved.
fn plain(v: &str) -> Option<Value> {
    let b = v.as_bytes();
    // `-x` is a plain scalar; `-`, `- x`, `[`, `&`, `!`... are something else.
    if INDICATORS.contains(&b[0]) && !(b[0] == b'-' && b.len() > 1 && b[1] != b' ') {
        return None;
    }
    let mut end = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' => {
                let next = i + v[i..].bytes().take_while(|&c| c == b' ').count();
                if next == b.len() || b[next] == b'#' {
                    break;
                }
                i = next;
            }
            // A second `key: ` on the line (an error).
            b':' if i + 1 == b.len() || b[i + 1] == b' ' => return None,
            _ => {
                i += 1;
                end = i;
            }
        }
    }
    resolve_plain(&v[..end])
}

// ---- scalar resolution, as serde_yaml_ng's de.rs does it -----------------

/// What serde_yaml_ng makes of an untagged plain scalar when the target is
/// a `serde_json::Value` (`visit_untagged_scalar`), with Psych's booleans
/// (`yaml11`). `None` for integers that only fit 128 bits.
fn resolve_plain(v: &str) -> Option<Value> {
    if v.is_empty() || matches!(v, "null" | "Null" | "NULL" | "~") {
        return Some(Value::Null);
    }
    if let Some(b) = super::yaml11::psych_bool(v) {
        return Some(Value::Bool(b));
    }
    // Only a digit, a sign or a dot can begin a number (Rust's float parser
    // also reads `inf` and `nan`, but serde_yaml_ng keeps only finite
    // floats), so anything else is text: the common case, made quick.
    if !v.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Some(Value::String(v.to_string()));
    }
    if let Some(n) = parse_unsigned_int(v, u64::from_str_radix) {
        return Some(Value::Number(n.into()));
    }
    if let Some(n) = parse_negative_int(v, i64::from_str_radix) {
        return Some(Value::Number(n.into()));
    }
    if parse_unsigned_int(v, u128::from_str_radix).is_some()
        || parse_negative_int(v, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !digits_but_not_number(v) {
        if let Some(f) = parse_f64(v) {
            // serde_json has no NaN or infinity: they become null.
            return Some(Number::from_f64(f).map_or(Value::Null, Value::Number));
        }
    }
    Some(Value::String(v.to_string()))
}

type FromStrRadix<T> = fn(&str, u32) -> Result<T, ParseIntError>;

/// serde_yaml_ng's `parse_unsigned_int`: `+`, `0x`, `0o`, `0b`, decimal.
fn parse_unsigned_int<T>(scalar: &str, from_str_radix: FromStrRadix<T>) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

/// serde_yaml_ng's `parse_negative_int`: `-0x`, `-0o`, `-0b`, decimal.
fn parse_negative_int<T>(scalar: &str, from_str_radix: FromStrRadix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

/// serde_yaml_ng's `parse_f64`: `.inf`, `.nan` and Rust's finite floats.
fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => scalar,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN);
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros then digits (`007`) is a string in YAML 1.2.
fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Debug builds: the fast result must be serde_yaml_ng's (read by `yaml11`).
#[cfg(debug_assertions)]
pub fn assert_same_as_library(yaml: &str, fast: &Value) {
    let lib = super::yaml11::from_str(yaml);
    let lib = lib.unwrap_or_else(|e| panic!("fast YAML accepted {yaml:?}; serde_yaml_ng: {e}"));
    assert!(
        same(fast, &lib),
        "fast YAML differs on {yaml:?}:\n fast {fast:?}\n lib  {lib:?}"
    );
}

/// Equal values with equal numbers representation (`1` vs `1.0`, `0.0` vs `-0.0`).
#[cfg(debug_assertions)]
fn same(a: &Value, b: &Value) -> bool {
    a == b && serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path's answer, checked against serde_yaml_ng when it gives one.
    fn check(yaml: &str) -> Option<Value> {
        let fast = parse(yaml)?;
        assert_same_as_library(yaml, &fast);
        Some(fast)
    }

    /// Documents the fast path must read (and read as serde_yaml_ng does).
    const ACCEPTED: &[&str] = &[
        "title: Create Instance\nlayout: sidebarelementdoc\nelementId: 320\norder: 15\nsitemap: false\n",
        "a: b",
        "a:",
        "a: \n",
        "a: # nothing\nb: c # comment\nc: c#not a comment\n",
        "# leading comment\n\n   # indented comment\na: 1\n\n",
        "a: b\n  # indented comment after a value\nc: d\n",
        "a: ~\nb: null\nc: Null\nd: NULL\ne: nULL\nf: none\n",
        "a: true\nb: True\nc: TRUE\nd: tRUE\ne: yes\nf: no\ng: on\nh: off\ni: y\nj: n\nk: false\nl: FALSE\nm: False\n",
        "a: 0\nb: -0\nc: +0\nd: 007\ne: -007\nf: +007\ng: 08\nh: 0.5\ni: 00.5\nj: 0\n",
        "a: 0x1F\nb: -0x1F\nc: +0x1F\nd: 0x\ne: 0x-1\nf: 0x+1\ng: 0X1F\nh: 0xg\n",
        "a: 0o17\nb: -0o17\nc: +0o17\nd: 017\ne: 0o8\nf: 0b101\ng: -0b101\nh: 0b2\n",
        "a: 18446744073709551615\nb: -9223372036854775808\nc: 9223372036854775808\n",
        "a: 1e5\nb: 1E5\nc: -1.5e-3\nd: .5\ne: -.5\nf: +.5\ng: 1.\nh: 1e400\ni: 1_000\nj: 1e\n",
        "a: .inf\nb: -.inf\nc: +.inf\nd: .Inf\ne: .INF\nf: .nan\ng: .NaN\nh: .NAN\ni: inf\nj: nan\nk: -.nan\nl: infinity\n",
        "a: +-1\nb: -+1\nc: ++1\nd: --1\ne: +\nf: -x\ng: -1-\nh: 1-2\n",
        "a: 2001-12-14\nb: 12:30\nc: 1:2:3\nd: 1,000\ne: 3.14.15\n",
        "a: 'single'\nb: 'it''s'\nc: ''\nd: '  spaced  '\ne: 'x' # comment\nf: 'a # b'\ng: '1'\n",
        "a: \"double\"\nb: \"tab\\there\"\nc: \"q\\\"q\"\nd: \"\"\ne: \"\\\\\"\nf: \"\\/\\0\\a\\b\\v\\f\\r\\e\\ \\N\\_\\L\\P\"\n",
        "a: it's\nb: say \"hi\"\nc: a, b [c] {d}\nd: x&y *z !w |v >u\ne: 100%\nf: a@b\n",
        "url: http://example.com/a?b=c#frag\nb: a:b\n",
        "a b: c\nkey-with.dots/and$: v\n_x: 1\n1: one\ntrue: t\nnull: n\n",
        "a:    lots of   spaces   \nb: trailing  \n",
        "a: é ü 日本 😀\nb: caf\u{e9}\u{a0}x\n",
        "a: b\nc: d",
    ];

    /// Documents the fast path leaves to serde_yaml_ng.
    const FALLBACK: &[&str] = &[
        "",
        "# only a comment\n",
        "a: 1\na: 2\n",
        "a:\n  b: c\n",
        "a:\n- x\n- y\n",
        "a: [1, 2]\n",
        "a: {b: c}\n",
        "a: &x b\nc: *x\n",
        "a: !tag b\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: b\n  continued\n",
        "a: 'not\n  closed'\n",
        "a: \"\\x41\\u00e9\"\n",
        "a: \"\\q\"\n",
        "a: 'x'y\n",
        "a: 'x'#c\n",
        "a: b: c\n",
        "a: b:\n",
        "a:b\n",
        " a: b\n",
        "a : b\n",
        "a\t: b\n",
        "a: b\tc\n",
        "a: b\r\n",
        "a: -\n",
        "a: - b\n",
        "a: ? b\n",
        "a: :b\n",
        "a: @b\n",
        "a: `b\n",
        "a: %b\n",
        "- a\n",
        "---\na: b\n",
        "a: b\n...\n",
        "<<: {a: b}\n",
        "'a': b\n",
        "a: 340282366920938463463374607431768211455\n",
        "a: -170141183460469231731687303715884105728\n",
        "a: b\u{feff}\n",
        "a: b\u{85}c\n",
        "a: b\u{2028}c\n",
        "a: b\u{1}\n",
        "a: b\u{7f}\n",
    ];

    #[test]
    fn reads_simple_documents_as_serde_yaml_ng_does() {
        for yaml in ACCEPTED {
            assert!(check(yaml).is_some(), "fast path refused {yaml:?}");
        }
    }

    #[test]
    fn leaves_the_rest_to_serde_yaml_ng() {
        for yaml in FALLBACK {
            assert_eq!(parse(yaml), None, "fast path accepted {yaml:?}");
        }
    }

    #[test]
    fn long_keys_fall_back() {
        let key = "k".repeat(MAX_KEY_LEN);
        assert_eq!(parse(&format!("{key}: v\n")), None);
        let key = "k".repeat(MAX_KEY_LEN - 1);
        assert!(check(&format!("{key}: v\n")).is_some());
    }

    /// A small deterministic generator (splitmix64), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// Up to `max` characters drawn from `alphabet`.
        fn text(&mut self, alphabet: &[&str], max: usize) -> String {
            let len = self.below(max + 1);
            (0..len)
                .map(|_| alphabet[self.below(alphabet.len())])
                .collect()
        }
    }

    /// YAML-significant characters, and a few that look harmless.
    const SYMBOLS: &[&str] = &[
        "a", "b", "x", "e", "E", "o", "0", "1", "9", " ", " ", " ", ":", ": ", "#", " #", "'",
        "''", "\"", "\\", "\\n", "\\x", "-", "- ", "?", ",", "[", "]", "{", "}", "&", "*", "!",
        "|", ">", "%", "@", "`", "~", ".", "+", "_", "/", "\t", "\r", "\n", "\n  ", "é", "\u{85}",
        "\u{a0}", "\u{2028}", "\u{feff}", "null", "true", ".inf", "0x", "---", "...", "<<",
    ];

    /// What numbers, booleans and nulls (and their look-alikes) are made of.
    #[rustfmt::skip]
    const SCALAR_BITS: &[&str] = &[
        "0", "1", "7", "9", "f", "+", "-", ".", "e", "E", "x", "o", "b", "_", "inf", "nan", "Inf",
        "NaN", "0x", "0o", "0b", "99999999999", "true", "True", "tRUE", "null", "Null", "~", "yes",
        "on", "y", " ",
    ];

    /// A random document: mostly `key: value` lines, some wild ones.
    fn random_document(rng: &mut Rng) -> String {
        let mut doc = String::new();
        for i in 0..1 + rng.below(4) {
            match rng.below(8) {
                0 => doc += &rng.text(SYMBOLS, 12),
                1 => doc += &format!("k{i}: {}", rng.text(SCALAR_BITS, 6)),
                2 => doc += &format!("k{i}: '{}'", rng.text(SYMBOLS, 8)),
                3 => doc += &format!("k{i}: \"{}\"", rng.text(SYMBOLS, 8)),
                4 => {
                    doc += &format!(
                        "{}: {}",
                        rng.text(&["k", "a", " ", "-", "."], 3),
                        rng.text(SYMBOLS, 4)
                    )
                }
                _ => doc += &format!("k{i}:{}", rng.text(SYMBOLS, 10)),
            }
            doc.push('\n');
        }
        doc
    }

    #[test]
    fn random_documents_read_as_serde_yaml_ng_does() {
        let mut rng = Rng(20261128);
        let mut accepted = 0;
        for _ in 0..200_000 {
            let doc = random_document(&mut rng);
            accepted += check(&doc).is_some() as usize;
        }
        // The generator must exercise the fast path, not only the fallback.
        assert!(accepted > 20_000, "only {accepted} documents accepted");
    }
}
