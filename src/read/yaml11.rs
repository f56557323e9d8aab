//! YAML as Jekyll reads it: serde_yaml_ng's parser, with Psych's YAML 1.1
//! booleans.
//!
//! Jekyll loads front matter, `_config.yml` and `_data` files with Psych,
//! whose scalar scanner reads an unquoted `yes`, `no`, `on` or `off`, in any
//! letter case, as a boolean (`bulk: No` prints `false`). serde_yaml_ng
//! follows YAML 1.2, where only `true` and `false` (three spellings each)
//! are, and hands the rest over as text. The rule lives here, in
//! [`psych_bool`], for both readers (`simple_yaml` uses it too).
//!
//! serde_yaml_ng does not say whether a text scalar was quoted, and a quoted
//! `'no'` stays text in Psych. A scalar it lends out of the input is a slice
//! of it, though: a quoted one is followed by its closing quote, a plain one
//! never is (a quote after the first character belongs to a plain scalar).
//! Scalars it does not lend (quoted with escapes, folded, spread over lines)
//! are never one of these words unquoted. A `!!str no` tag is not seen: it
//! would read as `false` here, `"no"` in Psych.

use serde::de::{DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;

/// Parse one YAML document into a JSON value, booleans as Psych reads them.
pub fn from_str(yaml: &str) -> Result<Value, serde_yaml_ng::Error> {
    Yaml11 { source: yaml }.deserialize(serde_yaml_ng::Deserializer::from_str(yaml))
}

/// Psych's reading of an unquoted scalar as a boolean (`scalar_scanner.rb`:
/// `/^(yes|true|on)$/i`, `/^(no|false|off)$/i`).
pub fn psych_bool(plain: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["yes", "true", "on"];
    const FALSE: [&str; 3] = ["no", "false", "off"];
    if TRUE.iter().any(|w| plain.eq_ignore_ascii_case(w)) {
        Some(true)
    } else if FALSE.iter().any(|w| plain.eq_ignore_ascii_case(w)) {
        Some(false)
    } else {
        None
    }
}

/// Builds a [`Value`] as serde_json's own visitor does, except for text
/// that Psych reads as a boolean.
#[derive(Clone, Copy)]
struct Yaml11<'a> {
    source: &'a str,
}

impl Yaml11<'_> {
    /// `v` was lent from the input and is not followed by a closing quote.
    fn is_plain(&self, v: &str) -> bool {
        let start = (v.as_ptr() as usize).wrapping_sub(self.source.as_ptr() as usize);
        let Some(end) = start.checked_add(v.len()) else {
            return false;
        };
        end <= self.source.len() && !matches!(self.source.as_bytes().get(end), Some(b'\'' | b'"'))
    }
}

impl<'de> DeserializeSeed<'de> for Yaml11<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Numbers go through serde_json's own visitor, so they come out the same.
fn number<'de, T: IntoDeserializer<'de, E>, E: serde::de::Error>(v: T) -> Result<Value, E> {
    Value::deserialize(v.into_deserializer())
}

impl<'de> Visitor<'de> for Yaml11<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        number(v)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        number(v)
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        number(v)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        number(v)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        number(v)
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Value, E> {
        match psych_bool(v) {
            Some(b) if self.is_plain(v) => Ok(Value::Bool(b)),
            _ => Ok(Value::String(v.to_owned())),
        }
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unquoted_yes_no_on_off_are_booleans_in_any_case() {
        let yaml = "a: No\nb: yes\nc: ON\nd: oFF\ne: 'no'\nf: \"Yes\"\ng: y\nh: n\n\
                    i: nope\nj: [no, 'no', On]\nk:\n  l: off\nm: true\nn: no way\n";
        assert_eq!(
            from_str(yaml).unwrap(),
            json!({"a": false, "b": true, "c": true, "d": false, "e": "no", "f": "Yes",
                   "g": "y", "h": "n", "i": "nope", "j": [false, "no", true],
                   "k": {"l": false}, "m": true, "n": "no way"})
        );
    }

    #[test]
    fn other_values_read_as_serde_json_reads_them() {
        let yaml = "a: 1\nb: -2\nc: 1.5\nd: ~\ne: 'x'\nf: |\n  no\ng: &x off\nh: *x\n\
                    i: 18446744073709551615\n1: one\n";
        let lib: Value = serde_yaml_ng::from_str(yaml).unwrap();
        let mut want = lib.clone();
        want["g"] = json!(false);
        want["h"] = json!(false);
        assert_eq!(from_str(yaml).unwrap(), want);
        assert_eq!(lib["f"], json!("no\n"));
    }

    #[test]
    fn errors_stay_errors() {
        assert!(from_str("a: [1, 2\n").is_err());
        assert!(from_str("a: 1\n---\nb: 2\n").is_err());
    }
}
