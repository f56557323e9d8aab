//! Heading ids the way kramdown's GFM parser makes them (`auto_ids` with
//! `input: GFM`): the heading's text (quotes and dashes already typographic)
//! lowercased, every character that is not a word character, `-`, space or
//! tab removed, spaces and tabs turned into `-`. A repeated id gets `-1`,
//! `-2`... by how many times that base id was seen before; an empty id stays
//! empty (GFM does not fall back to `section`).
//!
//! Headings inside HTML elements with `markdown="1"` are not seen by the GFM
//! parser; kramdown's converter gives them ids by its own rule
//! ([`IdGen::kramdown`]): leading non-letters dropped, only ASCII letters,
//! digits, spaces and `-` kept, spaces to `-`, lowercased, empty → `section`,
//! with its own duplicate counter.

use pulldown_cmark::{CowStr, Event};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// kramdown's header id syntax: `## Heading {#the-id}` at the end of the text.
static EXPLICIT_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\t ]\{#([A-Za-z_:][-A-Za-z0-9_:.]*)\}[\t ]*$").expect("explicit id regex")
});

/// Remove a trailing `{#id}` from a heading's events and return the id.
pub fn take_explicit_id(body: &mut Vec<Event<'_>>) -> Option<String> {
    let Some(Event::Text(last)) = body.last() else {
        return None;
    };
    if !last.contains("{#") {
        return None;
    }
    let caps = EXPLICIT_ID.captures(last)?;
    let id = caps[1].to_string();
    // kramdown drops closing hashes before the id too (`## A ## {#a}`).
    let keep = last[..caps.get(0).expect("match").start()].trim_end();
    let unhashed = keep.trim_end_matches('#');
    let keep = if unhashed.len() < keep.len()
        && (unhashed.is_empty() || unhashed.ends_with([' ', '\t']))
    {
        unhashed.trim_end()
    } else {
        keep
    }
    .to_string();
    if keep.is_empty() {
        body.pop();
    } else {
        *body.last_mut().expect("last") = Event::Text(CowStr::from(keep));
    }
    Some(id)
}

/// FNV-1a: ids are short and few per page, where the default SipHash (and
/// its per-map keys) cost more than the rest of making the id.
#[derive(Debug, Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Counts = HashMap<String, usize, std::hash::BuildHasherDefault<Fnv>>;

/// Generates unique heading ids for one page.
#[derive(Debug, Default)]
pub struct IdGen {
    seen: Counts,
    /// The converter's counter, for headings inside `markdown="1"` elements.
    seen_kramdown: Counts,
}

impl IdGen {
    /// The id kramdown's converter gives a heading inside an HTML element.
    pub fn kramdown(&mut self, text: &str) -> String {
        let trimmed = text.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
        let mut id: String = trimmed
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
            .map(|c| {
                if c == ' ' {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        if id.is_empty() {
            id.push_str("section");
        }
        match self.seen_kramdown.get_mut(&id) {
            Some(n) => {
                *n += 1;
                id.push('-');
                id.push_str(&n.to_string());
            }
            None => {
                self.seen_kramdown.insert(id.clone(), 0);
            }
        }
        id
    }

    /// The id of the next heading whose plain text is `text`.
    pub fn next_id(&mut self, text: &str) -> String {
        let mut id = base_id(text);
        // The id is copied into the map only the first time it is seen.
        match self.seen.get_mut(&id) {
            Some(n) => {
                id.push('-');
                id.push_str(&n.to_string());
                *n += 1;
            }
            None => {
                self.seen.insert(id.clone(), 1);
            }
        }
        id
    }
}

/// The id of `text` before de-duplication.
pub fn base_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            // ASCII lowercases to one ASCII character: no Unicode tables.
            push_id_char(&mut id, c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(|l| push_id_char(&mut id, l));
        }
    }
    id
}

/// Append a lowercased heading character the way GFM ids keep it.
#[inline]
fn push_id_char(id: &mut String, c: char) {
    if c == ' ' || c == '\t' {
        id.push('-');
    } else if c == '-' || is_word_char(c) {
        id.push(c);
    }
}

/// Ruby's `\p{Word}`: letters, marks, decimal numbers and connector punctuation.
#[inline]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric() || is_mark_or_connector(c)
}

fn is_mark_or_connector(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0x302A..=0x302F
        | 0x3099..=0x309A | 0xFE20..=0xFE2F
        | 0x203F..=0x2040 | 0x2054 | 0xFE33..=0xFE34 | 0xFE4D..=0xFE4F | 0xFF3F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_and_spaces() {
        // kramdown: `# Hello “World” – it’s…` → hello-world--its
        assert_eq!(base_id("Hello “World” – it’s…"), "hello-world--its");
        assert_eq!(base_id("1. Setup & go!"), "1-setup--go");
        assert_eq!(
            base_id("snake_case and kebab-case"),
            "snake_case-and-kebab-case"
        );
        assert_eq!(base_id("!!!"), "");
    }

    #[test]
    fn unicode_is_kept_and_lowercased() {
        assert_eq!(base_id("Übersicht Ärger"), "übersicht-ärger");
        assert_eq!(base_id("인증 방법"), "인증-방법");
    }

    // kramdown 2.4: headings inside `<div markdown="1">` get converter ids.
    #[test]
    fn converter_ids_inside_html_elements() {
        let mut g = IdGen::default();
        assert_eq!(g.kramdown("1. Über “uns”"), "ber-uns");
        assert_eq!(g.kramdown("1. Über “uns”"), "ber-uns-1");
        assert_eq!(g.kramdown("123"), "section");
        assert_eq!(g.next_id("Über uns"), "über-uns");
    }

    #[test]
    fn duplicates_count_per_base_id() {
        let mut g = IdGen::default();
        let ids: Vec<_> = ["A", "A", "a-1", "A", ""]
            .iter()
            .map(|t| g.next_id(t))
            .collect();
        assert_eq!(ids, ["a", "a-1", "a-1", "a-2", ""]);
    }
}
