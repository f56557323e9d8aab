//! Highlighted blocks by (fence word, code): element guides repeat the same
//! snippets hundreds of times. The cache belongs to one [`super::Highlighter`],
//! so it lives as long as the build (or the `serve` session) that made it.

use super::Highlighted;
use rustc_hash::FxBuildHasher;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

/// Distinct blocks kept at most; past it the cache starts again, so a long
/// `serve` session (every edit of a code block is a new key) stays bounded.
const MAX_BLOCKS: usize = 16 * 1024;

/// A string inside a shared text: a block read from a cache file uses the
/// file's text in place; a block just highlighted shares one text for its
/// code and its HTML.
#[derive(Clone)]
pub(super) struct Slice {
    text: Arc<str>,
    range: Range<usize>,
}

impl Slice {
    pub(super) fn new(text: &Arc<str>, range: Range<usize>) -> Slice {
        Slice {
            text: Arc::clone(text),
            range,
        }
    }

    pub(super) fn as_str(&self) -> &str {
        &self.text[self.range.clone()]
    }
}

// Hashed and compared as the string it is, so that a map keyed by slices
// is looked up with a plain `&str`.
impl Borrow<str> for Slice {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Hash for Slice {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq for Slice {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Slice {}

/// What highlighting a block gave.
pub(super) struct Entry {
    pub(super) html: Slice,
    pub(super) language: Option<Box<str>>,
    /// Asked for since it was cached (what a build keeps for the next one).
    pub(super) used: bool,
}

impl Entry {
    pub(super) fn result(&self) -> Highlighted {
        Highlighted {
            html: self.html.as_str().to_string(),
            language: self.language.as_deref().map(String::from),
        }
    }
}

type ByCode = HashMap<Slice, Entry, FxBuildHasher>;

/// The blocks, by fence word, then by code.
#[derive(Default)]
pub(super) struct BlockCache {
    by_word: HashMap<Box<str>, ByCode, FxBuildHasher>,
    len: usize,
}

impl BlockCache {
    /// The entry of `code` under fence word `word`, marked as used.
    pub(super) fn get(&mut self, word: &str, code: &str) -> Option<&Entry> {
        let entry = self.by_word.get_mut(word)?.get_mut(code)?;
        entry.used = true;
        Some(entry)
    }

    /// Keeps `entry` for `code` under `word` (a block highlighted meanwhile
    /// by another thread is kept as it was).
    pub(super) fn insert(&mut self, word: &str, code: Slice, entry: Entry) {
        if self.len >= MAX_BLOCKS {
            self.clear();
        }
        let by_code = match self.by_word.get_mut(word) {
            Some(by_code) => by_code,
            None => self.by_word.entry(word.into()).or_default(),
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = by_code.entry(code) {
            slot.insert(entry);
            self.len += 1;
        }
    }

    /// Keeps a block just highlighted: its code and HTML in one text.
    pub(super) fn insert_new(&mut self, word: &str, code: &str, result: &Highlighted) {
        let text: Arc<str> = [code, &result.html].concat().into();
        let entry = Entry {
            html: Slice::new(&text, code.len()..text.len()),
            language: result.language.as_deref().map(Box::from),
            used: true,
        };
        self.insert(word, Slice::new(&text, 0..code.len()), entry);
    }

    pub(super) fn clear(&mut self) {
        *self = BlockCache::default();
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The blocks asked for since they were cached, sorted by (word, code)
    /// so that the same blocks always make the same cache file.
    pub(super) fn used(&self) -> Vec<(&str, &str, &Entry)> {
        let mut used: Vec<_> = self
            .by_word
            .iter()
            .flat_map(|(word, by_code)| {
                by_code
                    .iter()
                    .filter(|(_, e)| e.used)
                    .map(move |(code, e)| (&**word, code.as_str(), e))
            })
            .collect();
        used.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(html: &str) -> Highlighted {
        Highlighted {
            html: html.into(),
            language: Some("json".into()),
        }
    }

    #[test]
    fn blocks_are_found_by_word_and_code() {
        let mut cache = BlockCache::default();
        cache.insert_new("json", "[1]\n", &result("A"));
        cache.insert_new("jsonc", "[1]\n", &result("B"));
        assert_eq!(cache.get("json", "[1]\n").unwrap().result(), result("A"));
        assert_eq!(cache.get("jsonc", "[1]\n").unwrap().result(), result("B"));
        assert!(cache.get("json", "[2]\n").is_none());
        assert!(cache.get("yaml", "[1]\n").is_none());
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn the_first_block_kept_stays() {
        let mut cache = BlockCache::default();
        cache.insert_new("json", "[1]\n", &result("A"));
        cache.insert_new("json", "[1]\n", &result("B"));
        assert_eq!(cache.get("json", "[1]\n").unwrap().html.as_str(), "A");
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn used_lists_only_blocks_asked_for_in_order() {
        let mut cache = BlockCache::default();
        let text: Arc<str> = "zz[2]\nB".into();
        let unused = Entry {
            html: Slice::new(&text, 6..7),
            language: None,
            used: false,
        };
        cache.insert("zz", Slice::new(&text, 2..6), unused);
        cache.insert_new("json", "[2]\n", &result("C"));
        cache.insert_new("json", "[1]\n", &result("A"));
        let words_and_codes: Vec<_> = cache.used().iter().map(|(w, c, _)| (*w, *c)).collect();
        assert_eq!(words_and_codes, [("json", "[1]\n"), ("json", "[2]\n")]);
        cache.get("zz", "[2]\n");
        assert_eq!(cache.used().len(), 3);
    }

    #[test]
    fn a_full_cache_starts_again() {
        let mut cache = BlockCache::default();
        for i in 0..=MAX_BLOCKS {
            cache.insert_new("json", &format!("[{i}]\n"), &result("x"));
        }
        assert_eq!(cache.len(), 1);
        assert!(cache.get("json", &format!("[{MAX_BLOCKS}]\n")).is_some());
    }
}
