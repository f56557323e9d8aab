//! Site search: an elasticlunr index of every page, built at build time, and
//! the script that searches it in the browser.
//!
//! The index is made with elasticlunr-rs (the indexer mdBook and Zola use), one
//! index per language: English pages through the English pipeline (trimmer,
//! stop words, Porter stemmer), Korean pages through the Korean one. Each page
//! is one document with four fields: `title` and `heading` (front matter), the
//! `headings` of its body, and its `body` as plain text (HTML stripped).
//!
//! Two files are written (see [`output_files`]):
//! * `assets/elementdocs/search.js`: elasticlunr.js 0.9.5 (MIT, vendored in
//!   `src/search/`), the Korean query pipeline, and the search box client;
//! * `assets/elementdocs/search-index.js`: the indexes and a small store of
//!   titles and teasers, assigned to `window.elementdocsSearchIndex` so the
//!   page can load it with a `<script>` tag: no fetch, no server, works over
//!   `file://`.
//!
//! A page's language is its front matter `lang`, else the nearest folder of
//! its path named after a language the search knows (`ko/`), else the site's
//! `lang`, else English. Pages with `search: false` are left out.

use crate::site::PageOutput;
use crate::source::SourcePage;
use elasticlunr::Language;
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Output path of the search script.
pub const SCRIPT_PATH: &str = "assets/elementdocs/search.js";
/// Output path of the index (a script assigning `window.elementdocsSearchIndex`).
pub const INDEX_PATH: &str = "assets/elementdocs/search-index.js";
/// The fields of each document, in the order [`SearchDoc::fields`] gives them.
pub const FIELDS: [&str; 4] = ["title", "heading", "headings", "body"];
/// Characters of body text kept as the teaser shown under a result.
const TEASER_CHARS: usize = 160;

const ELASTICLUNR_JS: &str = include_str!("search/elasticlunr.min.js");
const KO_STOP_WORDS_JS: &str = include_str!("search/stopwords-ko.js");
const CLIENT_JS: &str = include_str!("search/search.js");

/// The languages the search indexes with their own pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// Every language, in index order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// The ISO 639-1 code (`en`, `ko`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// `en`, `ko`, and region forms such as `ko-KR` or `en_US`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The elasticlunr-rs language (tokenizer and pipeline).
    pub fn language(self) -> Box<dyn Language> {
        match self {
            Lang::En => Box::new(elasticlunr::lang::English::new()),
            Lang::Ko => Box::new(elasticlunr::lang::Korean::new()),
        }
    }
}

/// One page as the index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    /// Output path relative to the site root: the document's reference and link.
    pub url: String,
    pub title: String,
    pub heading: String,
    /// The text of the body's headings.
    pub headings: Vec<String>,
    /// The body as plain text.
    pub text: String,
    pub lang: Lang,
}

impl SearchDoc {
    /// The field values, in [`FIELDS`] order.
    #[cfg(test)]
    fn fields(&self) -> [String; 4] {
        [
            self.title.clone(),
            self.heading.clone(),
            self.headings.join(" \n "),
            self.text.clone(),
        ]
    }

    /// The JSON of the document's entry in the store: `u` the URL, `t` the
    /// title, `h` the heading, `b` the teaser and `l` the language.
    fn entry(&self) -> String {
        let mut out = String::with_capacity(self.url.len() + self.title.len() + 256);
        let fields = [
            ("u", self.url.as_str()),
            ("t", &self.title),
            ("h", &self.heading),
            ("b", &self.teaser()),
            ("l", self.lang.code()),
        ];
        for (i, (key, value)) in fields.into_iter().enumerate() {
            out.push(if i == 0 { '{' } else { ',' });
            push_json_str(&mut out, key);
            out.push(':');
            push_json_str(&mut out, value);
        }
        out.push('}');
        out
    }

    /// The start of the text, without the page's first heading when the text
    /// opens with it (the result already shows the title).
    fn teaser(&self) -> String {
        let text = self
            .headings
            .first()
            .and_then(|h| self.text.strip_prefix(h.as_str()))
            .map_or(self.text.as_str(), str::trim_start);
        let mut t: String = text.chars().take(TEASER_CHARS).collect();
        if text.chars().nth(TEASER_CHARS).is_some() {
            t = match t.rfind(' ') {
                Some(cut) if cut > TEASER_CHARS / 2 => t[..cut].to_string(),
                _ => t,
            };
            t.push('…');
        }
        t
    }
}

/// The index data: one elasticlunr index per language that has pages, and the
/// store of what a result shows. Documents are numbered in URL order; the
/// number is the reference in the indexes (short, as it is repeated in every
/// posting) and the position in `docs`, whose entries hold `u` the URL, `t`
/// the title, `h` the heading, `b` the teaser and `l` the language.
pub fn build_index(docs: &[SearchDoc]) -> Value {
    serde_json::from_str(&index_json(docs)).unwrap_or(Value::Null)
}

/// One document ready for the index: its store entry and, per field, its
/// distinct tokens (after the language's pipeline) with their counts, and its
/// token count. The page text is not kept. Made by [`prepare`].
#[derive(Clone)]
pub struct Prepared {
    url: String,
    lang: Lang,
    /// The JSON of its entry in the store of what a result shows.
    entry: String,
    fields: [(FieldTokens, usize); 4],
}

/// The distinct tokens of one field: (term number in [`TERMS`], count).
type FieldTokens = Vec<(u32, u32)>;

/// Every term the index has met in this process, numbered once. Pages name
/// their terms by number, so the index writer neither hashes nor compares
/// their text, and sorts the terms once for all fields. It only grows (with
/// the vocabulary of the sites built; a term is at most [`MAX_TOKEN_CHARS`]
/// characters), so a number stays valid for every build.
static TERMS: std::sync::LazyLock<std::sync::Mutex<Terms>> =
    std::sync::LazyLock::new(Default::default);

#[derive(Default)]
struct Terms {
    numbers: WordMap<std::sync::Arc<str>, u32>,
    texts: Vec<std::sync::Arc<str>>,
}

impl Terms {
    fn lock() -> std::sync::MutexGuard<'static, Terms> {
        TERMS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The number of a term, given one if it is new.
    fn number(&mut self, term: &str) -> u32 {
        if let Some(&n) = self.numbers.get(term) {
            return n;
        }
        let n = self.texts.len() as u32;
        let text: std::sync::Arc<str> = term.into();
        self.numbers.insert(text.clone(), n);
        self.texts.push(text);
        n
    }
}

/// A language's pipeline with a memory of what it made of each word (the
/// pipeline handles each token on its own; pages repeat the same words), and
/// the scratch space to count a field's terms without a string per token.
struct Pipe {
    pipeline: elasticlunr::Pipeline,
    /// Each word as written (before lowercasing) → the number of its term in
    /// [`TERMS`], or [`DROPPED`]. Keyed by the raw word so a repeat costs one
    /// lookup (and [`TERMS`] is locked only for words new to the thread).
    memo: WordMemo,
    /// Per term number, its count in the field being read (all zero between
    /// fields).
    counts: Vec<u32>,
    /// The terms of the field being read, in the order first seen.
    seen: Vec<u32>,
    /// The token count of the field being read.
    len: usize,
}

/// The memory's mark for a word that gives no token (a stop word, or longer
/// than [`MAX_TOKEN_CHARS`]).
const DROPPED: u32 = u32::MAX;

impl Pipe {
    fn new(pipeline: elasticlunr::Pipeline) -> Pipe {
        Pipe {
            pipeline,
            memo: WordMemo::default(),
            counts: Vec::new(),
            seen: Vec::new(),
            len: 0,
        }
    }

    /// The distinct tokens of `text` with their counts, and the token count:
    /// what [`tokenize`] then the pipeline give, counted by term number.
    fn field(&mut self, text: &str) -> (FieldTokens, usize) {
        for word in split_words(text) {
            self.count(word);
        }
        self.end_field()
    }

    /// Counts one word (a token before lowercasing and the pipeline) of the
    /// field being read. The word is looked up as it is: no copy.
    #[inline]
    fn count(&mut self, word: &str) {
        let id = match self.memo.get(word) {
            Some(id) => id,
            None => self.learn(word),
        };
        if id == DROPPED {
            return;
        }
        self.len += 1;
        if self.counts.len() <= id as usize {
            self.counts.resize(id as usize + 1, 0);
        }
        let count = &mut self.counts[id as usize];
        if *count == 0 {
            self.seen.push(id);
        }
        *count += 1;
    }

    /// The distinct tokens of the words counted since the last call, with
    /// their counts, and the token count (and starts the next field).
    fn end_field(&mut self) -> (FieldTokens, usize) {
        let counts = &mut self.counts;
        let tokens = self.seen.drain(..);
        let tokens = tokens.map(|id| (id, std::mem::take(&mut counts[id as usize])));
        (tokens.collect(), std::mem::take(&mut self.len))
    }

    /// Runs a word not seen before through the tokenizer's lowercasing, the
    /// length limit and the pipeline, and remembers its term. Rare (a
    /// thread soon knows a site's words): kept out of [`Pipe::count`].
    #[cold]
    #[inline(never)]
    fn learn(&mut self, word: &str) -> u32 {
        let lower = word.to_lowercase();
        let id = if lower.len() > MAX_TOKEN_CHARS && lower.chars().count() > MAX_TOKEN_CHARS {
            DROPPED
        } else {
            match self.pipeline.run(vec![lower]).pop() {
                Some(term) => Terms::lock().number(&term),
                None => DROPPED,
            }
        };
        self.memo.insert(word, id);
        id
    }

    /// Forgets every word.
    fn forget(&mut self) {
        self.memo.clear();
    }
}

/// `text.split(|c| c.is_whitespace() || c == '-')` without the empty
/// pieces, through bytes (see [`word_end`]; a character is decoded only
/// where a byte may start a non-ASCII space).
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let (mut i, mut start) = (0, 0);
    std::iter::from_fn(move || {
        while i < b.len() {
            i = word_end(b, i, [b'-'; 2]);
            if i == b.len() {
                break;
            }
            let at = i;
            match BYTE_KIND[b[i] as usize] {
                ByteKind::Space | ByteKind::Hyphen => i += 1,
                ByteKind::MaybeSpace => {
                    let c = text[i..].chars().next().expect("a char boundary");
                    i += c.len_utf8();
                    if !c.is_whitespace() {
                        continue;
                    }
                }
                _ => {
                    i += 1;
                    continue;
                }
            }
            let w = &text[start..at];
            start = i;
            if !w.is_empty() {
                return Some(w);
            }
        }
        let w = &text[start..];
        start = text.len();
        (!w.is_empty()).then_some(w)
    })
}

/// The end of the run of word bytes from `i`: the first byte that is an
/// ASCII space, may start a non-ASCII space, or is one of `stops` (or the
/// end of `b`). Eight bytes at a time through ASCII text (a gain for plain
/// text; HTML, whose text is cut short by tags, gains nothing from it).
fn word_end(b: &[u8], mut i: usize, stops: [u8; 2]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Marks the bytes below `n` (n <= 0x80); the first mark is exact, later
    // ones may be spurious (a borrow runs up from the first).
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS;
    let stop = |c: u8| {
        matches!(
            BYTE_KIND[usize::from(c)],
            ByteKind::Space | ByteKind::MaybeSpace
        ) || stops.contains(&c)
    };
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        // Spaces and control bytes, non-ASCII bytes, and the stops (zero
        // once xor-ed with them).
        let marks = below(w, 0x21)
            | (w & HIGHS)
            | below(w ^ (ONES * u64::from(stops[0])), 1)
            | below(w ^ (ONES * u64::from(stops[1])), 1);
        if marks != 0 {
            i += marks.trailing_zeros() as usize / 8;
            break;
        }
        i += 8;
    }
    // From the first marked byte, one at a time (through non-ASCII letters).
    while i < b.len() && !stop(b[i]) {
        i += 1;
    }
    i
}

/// What a byte of text may be, for the scans of [`split_words`] and
/// [`html_to_text`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum ByteKind {
    /// Part of a word (or of a non-ASCII character that is no space).
    Word,
    /// An ASCII space (`char::is_whitespace`).
    Space,
    Hyphen,
    Lt,
    Amp,
    /// The first byte of a character that may be a non-ASCII space (U+0085,
    /// U+00A0, U+1680, U+2000 to U+205F, U+3000).
    MaybeSpace,
}

const BYTE_KIND: [ByteKind; 256] = {
    let mut kinds = [ByteKind::Word; 256];
    let mut b = 0;
    while b < 256 {
        kinds[b] = match b as u8 {
            b'\t'..=b'\r' | b' ' => ByteKind::Space,
            b'-' => ByteKind::Hyphen,
            b'<' => ByteKind::Lt,
            b'&' => ByteKind::Amp,
            0xC2 | 0xE1 | 0xE2 | 0xE3 => ByteKind::MaybeSpace,
            _ => ByteKind::Word,
        };
        b += 1;
    }
    kinds
};

/// The bytes whose kind is [`ByteKind::Word`].
const IS_WORD_BYTE: [bool; 256] = {
    let mut word = [false; 256];
    let mut b = 0;
    while b < 256 {
        word[b] = matches!(BYTE_KIND[b], ByteKind::Word);
        b += 1;
    }
    word
};

/// A fast hasher for the word memory (FxHash's mixing; the words are the
/// site's own text, so no hash flooding to fear).
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, mut bytes: &[u8]) {
        // Words are short: the tail is read 4, 2 and 1 bytes at a time.
        while let Some((c, rest)) = bytes.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*c));
            bytes = rest;
        }
        if let Some((c, rest)) = bytes.split_first_chunk::<4>() {
            self.add(u64::from(u32::from_le_bytes(*c)));
            bytes = rest;
        }
        if let Some((c, rest)) = bytes.split_first_chunk::<2>() {
            self.add(u64::from(u16::from_le_bytes(*c)));
            bytes = rest;
        }
        if let Some(&b) = bytes.first() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn write_u64(&mut self, w: u64) {
        self.add(w);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl WordHasher {
    fn add(&mut self, w: u64) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

type WordMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<WordHasher>>;

/// Words as written → a number, for [`Pipe`]'s memory. Words of up to
/// [`ShortWord::MAX`] bytes (nearly all) are keyed by a [`ShortWord`]: a
/// lookup then hashes and compares three machine words, with no call to
/// compare bytes (the map's cost per word of a page).
#[derive(Default)]
struct WordMemo {
    short: WordMap<ShortWord, u32>,
    long: WordMap<String, u32>,
}

impl WordMemo {
    fn get(&self, word: &str) -> Option<u32> {
        if word.len() <= ShortWord::MAX {
            self.short.get(&ShortWord::new(word.as_bytes())).copied()
        } else {
            self.long.get(word).copied()
        }
    }

    fn insert(&mut self, word: &str, n: u32) {
        if word.len() <= ShortWord::MAX {
            self.short.insert(ShortWord::new(word.as_bytes()), n);
        } else {
            self.long.insert(word.to_string(), n);
        }
    }

    fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }
}

/// A word of at most [`ShortWord::MAX`] bytes as a key: its first and last
/// 8 bytes (4 for a shorter word; the first, middle and last byte for one
/// under 4), which together cover it, and its length. Two words have the
/// same key only if they are the same.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortWord(u64, u64, u8);

impl ShortWord {
    const MAX: usize = 16;

    fn new(w: &[u8]) -> ShortWord {
        debug_assert!(w.len() <= ShortWord::MAX);
        let n = w.len();
        let le32 = |b: &[u8]| u64::from(u32::from_le_bytes(b.try_into().expect("4 bytes")));
        let le64 = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        let (first, last) = match n {
            8.. => (le64(&w[..8]), le64(&w[n - 8..])),
            4.. => (le32(&w[..4]), le32(&w[n - 4..])),
            1.. => {
                let bytes = [w[0], w[n / 2], w[n - 1]];
                (bytes.iter().fold(0, |k, &b| k << 8 | u64::from(b)), 0)
            }
            0 => (0, 0),
        };
        ShortWord(first, last, n as u8)
    }
}

impl Prepared {
    fn new(doc: &SearchDoc, pipes: &mut [Pipe]) -> Prepared {
        let pipe = &mut pipes[lang_at(doc.lang)];
        let body = pipe.field(&doc.text);
        Prepared::with_body(doc, pipe, body)
    }

    /// The document with the tokens of its body already counted. (The body
    /// is counted first, before the other fields: the order only changes
    /// the numbers new terms get, and those never reach the output, where
    /// terms are sorted by text.)
    fn with_body(doc: &SearchDoc, pipe: &mut Pipe, body: (FieldTokens, usize)) -> Prepared {
        let headings = doc.headings.join(" \n ");
        let [title, heading, headings] =
            [&doc.title, &doc.heading, &headings].map(|f| pipe.field(f));
        Prepared {
            url: doc.url.clone(),
            lang: doc.lang,
            entry: doc.entry(),
            fields: [title, heading, headings, body],
        }
    }
}

fn lang_at(lang: Lang) -> usize {
    Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0)
}

fn pipelines() -> Vec<elasticlunr::Pipeline> {
    Lang::ALL
        .iter()
        .map(|l| l.language().make_pipeline())
        .collect()
}

/// Words remembered per thread and language before the memory starts again.
const MAX_MEMO_WORDS: usize = 200_000;

/// Bytes of text the teaser may need after a page's first heading: a space
/// and one character more than it shows, of at most four bytes each.
const TEASER_TEXT_BYTES: usize = 1 + 4 * (TEASER_CHARS + 1);

thread_local! {
    /// Each thread's pipelines (they are not `Send`) with their memory, and
    /// its buffer for the start of page text, reused from page to page.
    static PIPES: std::cell::RefCell<(Vec<Pipe>, String)> =
        std::cell::RefCell::new((pipes(), String::new()));
}

/// The index document of one rendered page, or None when it asks not to be
/// searched. Call it from the thread that rendered the page, while its
/// body HTML is at hand; [`files_from`] then writes the index.
///
/// The body is read once, straight from the HTML: its words are counted as
/// they are found (looked up where they lie, not copied), and its text is
/// kept only as far as the teaser needs.
pub fn prepare(src: &SourcePage, page: &PageOutput, site_lang: Option<&str>) -> Option<Prepared> {
    let mut doc = search_doc_without_text(src, page, site_lang)?;
    PIPES.with(|p| {
        let (pipes, buffer) = &mut *p.borrow_mut();
        for pipe in pipes.iter_mut() {
            if pipe.memo.len() > MAX_MEMO_WORDS {
                pipe.forget();
            }
        }
        let pipe = &mut pipes[lang_at(doc.lang)];
        let limit = doc.headings.first().map_or(0, String::len) + TEASER_TEXT_BYTES;
        let body_tokens;
        (doc.text, body_tokens) =
            read_body(&page.rendered.html, pipe, limit, std::mem::take(buffer));
        let prepared = Prepared::with_body(&doc, pipe, body_tokens);
        *buffer = doc.text;
        Some(prepared)
    })
}

/// The search files of a build from its prepared documents: (output path, content).
pub fn files_from(prepared: Vec<Prepared>) -> Vec<(String, Vec<u8>)> {
    vec![
        (SCRIPT_PATH.to_string(), search_script().into_bytes()),
        (INDEX_PATH.to_string(), {
            let mut script = write_index(prepared, SCRIPT_START);
            script.push_str(";\n");
            script_safe(script).into_bytes()
        }),
    ]
}

fn pipes() -> Vec<Pipe> {
    pipelines().into_iter().map(Pipe::new).collect()
}

/// The index data of [`build_index`] as JSON text.
pub fn index_json(docs: &[SearchDoc]) -> String {
    let prepared: Vec<Prepared> = docs
        .par_iter()
        .map_init(pipes, |p, d| Prepared::new(d, p))
        .collect();
    write_index(prepared, "")
}

/// The JSON of the prepared documents: one index per language, written the
/// way elasticlunr-rs serializes its `Index` (same keys in the same order,
/// byte for byte), from sorted postings instead of an in-memory tree. The
/// fields' trees (most of the work) are written side by side.
fn write_index(mut docs: Vec<Prepared>, prefix: &str) -> String {
    docs.sort_by(|a, b| a.url.cmp(&b.url));
    let refs: Vec<String> = (0..docs.len()).map(|n| n.to_string()).collect();
    // elasticlunr keeps documents in maps keyed by reference text ("0", "1",
    // "10", "100", ...): visiting them in that order once gives every posting
    // list and the document store already sorted.
    let mut by_ref: Vec<u32> = (0..docs.len() as u32).collect();
    by_ref.sort_unstable_by(|&a, &b| refs[a as usize].cmp(&refs[b as usize]));
    let langs: Vec<(Lang, Vec<u32>)> = Lang::ALL
        .into_iter()
        .map(|lang| {
            let members = by_ref.iter().copied();
            let members: Vec<u32> = members.filter(|&n| docs[n as usize].lang == lang).collect();
            (lang, members)
        })
        .filter(|(_, members)| !members.is_empty())
        .collect();
    // Every (language, field) tree, written side by side.
    let jobs: Vec<(usize, usize)> = (0..langs.len())
        .flat_map(|l| (0..FIELDS.len()).map(move |f| (l, f)))
        .collect();
    let texts = Terms::lock().texts.clone();
    let order = sorted_terms(&docs, &texts);
    let mut rank = vec![NOT_INDEXED; texts.len()];
    for (r, &t) in order.iter().enumerate() {
        rank[t as usize] = r as u32;
    }
    let index = Index {
        docs: &docs,
        refs: &refs,
        texts: &texts,
        order: &order,
        rank: &rank,
    };
    let mut trees: Vec<String> = jobs
        .par_iter()
        .map(|&(l, f)| index.field_tree(&langs[l].1, f))
        .collect();
    let pipelines = pipelines();
    let mut out = String::with_capacity(trees.iter().map(String::len).sum::<usize>() + (1 << 16));
    out.push_str(prefix);
    out.push_str("{\"indexes\":{");
    for (l, (lang, members)) in langs.iter().enumerate() {
        if l > 0 {
            out.push(',');
        }
        push_json_str(&mut out, lang.code());
        out.push_str(":{\"fields\":");
        out.push_str(&json_text(&FIELDS));
        out.push_str(",\"pipeline\":");
        out.push_str(&json_text(&pipelines[lang_at(*lang)]));
        out.push_str(",\"ref\":\"id\",\"version\":");
        out.push_str(&json_text(&elasticlunr::ELASTICLUNR_VERSION));
        out.push_str(",\"index\":{");
        // The fields in name order (a map in elasticlunr-rs).
        let mut by_name: Vec<usize> = (0..FIELDS.len()).collect();
        by_name.sort_by_key(|&f| FIELDS[f]);
        for (i, f) in by_name.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(&mut out, FIELDS[f]);
            out.push_str(":{\"root\":");
            // Each tree is freed once copied: at 10x the corpus they are
            // tens of megabytes, and `out` holds them all again.
            out.push_str(&std::mem::take(&mut trees[l * FIELDS.len() + f]));
            out.push('}');
        }
        out.push_str("},\"documentStore\":");
        index.document_store(&mut out, members);
        out.push_str(",\"lang\":");
        out.push_str(&json_text(&Lang::language(*lang).name()));
        out.push('}');
    }
    out.push_str("},\"docs\":[");
    for (n, d) in docs.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&d.entry);
    }
    out.push_str("]}");
    out
}

/// The documents being written, numbered in URL order, and their references.
struct Index<'a> {
    docs: &'a [Prepared],
    refs: &'a [String],
    /// The text of every term number (a copy of [`TERMS`]'s list).
    texts: &'a [std::sync::Arc<str>],
    /// The numbers of the terms of the documents, in text order.
    order: &'a [u32],
    /// The place of each term number in `order`, or [`NOT_INDEXED`].
    rank: &'a [u32],
}

/// The rank of a term absent from the documents, or empty (elasticlunr
/// indexes no empty token; it still counts it).
const NOT_INDEXED: u32 = u32::MAX;

/// The numbers of the non-empty terms the documents use, in text order:
/// sorted once for every field.
fn sorted_terms(docs: &[Prepared], texts: &[std::sync::Arc<str>]) -> Vec<u32> {
    let mut used = vec![false; texts.len()];
    for d in docs {
        for (tokens, _) in &d.fields {
            for &(t, _) in tokens {
                used[t as usize] = true;
            }
        }
    }
    let mut order: Vec<u32> = (0..texts.len() as u32)
        .filter(|&t| used[t as usize] && !texts[t as usize].is_empty())
        .collect();
    order.par_sort_unstable_by(|&a, &b| texts[a as usize].cmp(&texts[b as usize]));
    order
}

/// A term with its postings: (document, count), sorted by reference text.
type Term<'s> = (&'s str, &'s [(u32, u32)]);

impl Index<'_> {
    /// The character tree of one field over `members` (in reference order).
    fn field_tree(&self, members: &[u32], field: usize) -> String {
        // The postings grouped by term rank, with a counting sort: first how
        // many each term has, then each in its place (in reference order).
        let ranks = |n: u32| {
            let tokens = &self.docs[n as usize].fields[field].0;
            tokens.iter().map(|&(t, c)| (self.rank[t as usize], c))
        };
        let mut starts = vec![0; self.order.len() + 1];
        for &n in members {
            for (r, _) in ranks(n).filter(|&(r, _)| r != NOT_INDEXED) {
                starts[r as usize + 1] += 1;
            }
        }
        for r in 1..starts.len() {
            starts[r] += starts[r - 1];
        }
        let mut next = starts.clone();
        let mut postings = vec![(0, 0); starts[self.order.len()]];
        for &n in members {
            for (r, c) in ranks(n).filter(|&(r, _)| r != NOT_INDEXED) {
                postings[next[r as usize]] = (n, c);
                next[r as usize] += 1;
            }
        }
        let terms: Vec<Term> = (0..self.order.len())
            .filter(|&r| starts[r] < starts[r + 1])
            .map(|r| {
                let text = &*self.texts[self.order[r] as usize];
                (text, &postings[starts[r]..starts[r + 1]])
            })
            .collect();
        let mut out = String::new();
        TrieWriter {
            tf: Vec::new(),
            refs: self.refs,
        }
        .node_par(&mut out, &terms, 0);
        out
    }

    /// elasticlunr-rs's `DocumentStore` without saved documents: each
    /// member's field lengths (fields in name order).
    fn document_store(&self, out: &mut String, members: &[u32]) {
        out.push_str("{\"save\":false,\"docs\":{");
        for (i, &n) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, &self.refs[n as usize]);
            out.push_str(":{}");
        }
        out.push_str("},\"docInfo\":{");
        let mut by_name: Vec<usize> = (0..FIELDS.len()).collect();
        by_name.sort_by_key(|&f| FIELDS[f]);
        for (i, &n) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(out, &self.refs[n as usize]);
            for (j, &f) in by_name.iter().enumerate() {
                out.push(if j == 0 { ':' } else { ',' });
                if j == 0 {
                    out.push('{');
                }
                push_json_str(out, FIELDS[f]);
                out.push(':');
                push_number(out, self.docs[n as usize].fields[f].1);
            }
            out.push('}');
        }
        out.push_str("},\"length\":");
        push_number(out, members.len());
        out.push('}');
    }
}

fn json_text<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// `s` as a JSON string, escaped as serde_json escapes it.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `n` in decimal, without the formatting machinery.
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
}

/// Writes elasticlunr's character tree: each node is
/// `{"docs":{ref:{"tf":x}},"df":n, char:node, ...}`.
struct TrieWriter<'a> {
    /// `{"tf":x}` for each count seen, by count (tf is the square root of
    /// the count).
    tf: Vec<Option<String>>,
    /// The reference of each document.
    refs: &'a [String],
}

impl TrieWriter<'_> {
    /// The node for the prefix of `depth` bytes shared by every token in
    /// `terms` (sorted by token; each with its postings sorted by reference).
    fn node(&mut self, out: &mut String, terms: &[Term], depth: usize) {
        let mut rest = self.head(out, terms, depth);
        while let Some((ch, end)) = first_child(rest, depth) {
            self.key(out, ch);
            self.node(out, &rest[..end], depth + ch.len());
            rest = &rest[end..];
        }
        out.push('}');
    }

    /// [`TrieWriter::node`] with the subtrees of its children written side
    /// by side (same text).
    fn node_par(&mut self, out: &mut String, terms: &[Term], depth: usize) {
        let rest = self.head(out, terms, depth);
        let refs = self.refs;
        let groups = children(rest, depth);
        let written: Vec<String> = groups
            .par_iter()
            .map(|&(ch, group)| {
                let mut s = String::new();
                TrieWriter {
                    tf: Vec::new(),
                    refs,
                }
                .node(&mut s, group, depth + ch.len());
                s
            })
            .collect();
        for ((ch, _), sub) in groups.iter().zip(written) {
            self.key(out, ch);
            out.push_str(&sub);
        }
        out.push('}');
    }

    /// `{"tf":x}` for a count, made once per writer.
    fn tf_json(&mut self, count: u32) -> &str {
        let at = count as usize;
        if self.tf.len() <= at {
            self.tf.resize(at + 1, None);
        }
        self.tf[at]
            .get_or_insert_with(|| format!("{{\"tf\":{}}}", json_text(&f64::from(count).sqrt())))
    }

    /// `,"c":` before the child for the character `ch`.
    fn key(&self, out: &mut String, ch: &str) {
        out.push(',');
        push_json_str(out, ch);
        out.push(':');
    }

    /// The opening of a node and its own postings; returns the terms below it.
    fn head<'t, 's>(
        &mut self,
        out: &mut String,
        terms: &'t [Term<'s>],
        depth: usize,
    ) -> &'t [Term<'s>] {
        let own = match terms.first() {
            Some(&(t, postings)) if t.len() == depth => postings,
            _ => &[],
        };
        out.push_str("{\"docs\":{");
        for (i, &(n, c)) in own.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(&self.refs[n as usize]);
            out.push_str("\":");
            out.push_str(self.tf_json(c));
        }
        out.push_str("},\"df\":");
        push_number(out, own.len());
        if own.is_empty() {
            terms
        } else {
            &terms[1..]
        }
    }
}

/// The children of a node for the prefix of `depth` bytes: each next
/// character with the terms that continue with it.
fn children<'t, 's>(mut rest: &'t [Term<'s>], depth: usize) -> Vec<(&'s str, &'t [Term<'s>])> {
    let mut groups = Vec::new();
    while let Some((ch, end)) = first_child(rest, depth) {
        groups.push((ch, &rest[..end]));
        rest = &rest[end..];
    }
    groups
}

/// The first child of a node for the prefix of `depth` bytes: its character
/// and how many of the terms continue with it. The terms are sorted and
/// share the prefix, so only the character after it is compared.
fn first_child<'s>(terms: &[Term<'s>], depth: usize) -> Option<(&'s str, usize)> {
    let first = terms.first()?.0;
    let len = first[depth..]
        .chars()
        .next()
        .expect("longer than the prefix")
        .len_utf8();
    let ch = &first[depth..depth + len];
    let end = terms
        .iter()
        .position(|p| p.0.as_bytes().get(depth..depth + len) != Some(ch.as_bytes()))
        .unwrap_or(terms.len());
    Some((ch, end))
}

/// Longest token indexed, in characters. Longer ones (hashes, tokens, URLs
/// in code samples) are never typed in a search box and would only deepen
/// the index's character tree.
pub const MAX_TOKEN_CHARS: usize = 32;

/// The language's own tokenizer (whitespace and hyphens, lowercased), without
/// the tokens longer than [`MAX_TOKEN_CHARS`].
#[cfg(test)]
fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = elasticlunr::lang::tokenize_whitespace(text);
    tokens.retain(|t| t.chars().count() <= MAX_TOKEN_CHARS);
    tokens
}

/// The index as a script: `window.elementdocsSearchIndex = {...};`.
pub fn index_script(docs: &[SearchDoc]) -> String {
    as_script(index_json(docs))
}

const SCRIPT_START: &str = "window.elementdocsSearchIndex = ";

fn as_script(json: String) -> String {
    let mut script = String::with_capacity(SCRIPT_START.len() + json.len() + 2);
    script.push_str(SCRIPT_START);
    script.push_str(&json);
    drop(json);
    script.push_str(";\n");
    script_safe(script)
}

/// U+2028 and U+2029 are valid in JSON strings but ended lines in older JS.
fn script_safe(script: String) -> String {
    // Two substring searches (vectorized) instead of one char-set scan.
    if script.contains("\u{2028}") || script.contains("\u{2029}") {
        script
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    } else {
        script
    }
}

/// The search script: elasticlunr.js, the Korean stop words, the client.
pub fn search_script() -> String {
    format!("{ELASTICLUNR_JS}\n{KO_STOP_WORDS_JS}\n{CLIENT_JS}")
}

/// Plain text of an HTML fragment: tags become spaces, `<script>`, `<style>`
/// and comments are dropped, entities decoded, whitespace collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = Collapsed::new(String::new(), usize::MAX);
    scan_html(html, &mut out);
    out.out
}

/// What [`scan_html`] hands out, in order, as it reads an HTML fragment.
trait TextSink<'h> {
    /// Text straight from the HTML, with no whitespace and no `-` in it.
    fn text(&mut self, s: &'h str);
    /// A `-`: part of the text, but it splits words for the tokenizer.
    fn hyphen(&mut self);
    /// A decoded entity reference (any text, spaces and hyphens included).
    fn decoded(&mut self, s: &str);
    /// Whitespace, a tag, a comment or a script: words on each side stay apart.
    fn gap(&mut self);
}

/// Reads an HTML fragment as text (see [`html_to_text`]) in one scan of the
/// bytes. Runs of word bytes are handed out whole, straight from `html`:
/// only `<`, `&`, `-` and (possible) spaces stop them.
fn scan_html<'h>(html: &'h str, sink: &mut impl TextSink<'h>) {
    let b = html.as_bytes();
    // `run` is where the text not yet handed out starts.
    let (mut i, mut run) = (0, 0);
    loop {
        // Most bytes of text are word bytes: a tight loop for them (on a
        // table of its own, so it is not merged into the `match` below).
        while i < b.len() && IS_WORD_BYTE[usize::from(b[i])] {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let at = i;
        i = match BYTE_KIND[usize::from(b[at])] {
            ByteKind::Hyphen => {
                sink.text(&html[run..at]);
                sink.hyphen();
                i = at + 1;
                run = i;
                continue;
            }
            // The whole run (indentation, blank lines) at once.
            ByteKind::Space => {
                i += 1;
                while i < b.len() && BYTE_KIND[usize::from(b[i])] == ByteKind::Space {
                    i += 1;
                }
                i
            }
            ByteKind::MaybeSpace => {
                let c = html[at..].chars().next().expect("a char boundary");
                i += c.len_utf8();
                if !c.is_whitespace() {
                    continue;
                }
                i
            }
            ByteKind::Lt => match tag_end(html, at) {
                Some(end) => end,
                // A `<` that starts no tag is text.
                None => {
                    i += 1;
                    continue;
                }
            },
            ByteKind::Amp => {
                match entity(html, at) {
                    Some((decoded, end)) => {
                        sink.text(&html[run..at]);
                        sink.decoded(&decoded);
                        i = end;
                        run = end;
                    }
                    // A `&` that starts no reference is text.
                    None => i += 1,
                }
                continue;
            }
            ByteKind::Word => unreachable!("word bytes are skipped above"),
        };
        // (After a tag, often another tag: no text in between.)
        if run < at {
            sink.text(&html[run..at]);
        }
        sink.gap();
        // A lone `<` (no `>` after it) still ends the word before it, then is text.
        if b[at] == b'<' && i == at + 1 {
            sink.text("<");
        }
        run = i;
    }
    sink.text(&html[run..]);
}

/// For a `<` at `lt` that opens a tag, comment or script, the offset just
/// after it; `Some(lt + 1)` for a lone `<` that opens a tag but never
/// closes; None when the `<` opens nothing (a letter, `/`, `!` or `?` must
/// follow).
fn tag_end(html: &str, lt: usize) -> Option<usize> {
    let b = html.as_bytes();
    let next = *b.get(lt + 1)?;
    if !(next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?')) {
        return None;
    }
    // Comments, `<script` and `<style` are rare: their first two letters
    // send them aside, and the common tag keeps a short path.
    let second = b.get(lt + 2).map_or(0, |c| c | 0x20);
    if next == b'!' || ((next | 0x20) == b's' && matches!(second, b'c' | b't')) {
        if let Some(end) = comment_or_raw_end(html, lt) {
            return Some(end);
        }
    }
    Some(crate::bytes::next_of(b, lt, [b'>']).map_or(lt + 1, |gt| gt + 1))
}

/// For a `<` at `lt` that opens a comment, a script or a style, the offset
/// after its end (or the end of `html` when it has none); None for any
/// other tag.
#[cold]
#[inline(never)]
fn comment_or_raw_end(html: &str, lt: usize) -> Option<usize> {
    let tag = &html[lt..];
    if let Some(after) = tag.strip_prefix("<!--") {
        return Some(after.find("-->").map_or(html.len(), |e| lt + 4 + e + 3));
    }
    raw_text_end(tag).map(|skip| lt + skip)
}

/// The entity reference at `amp` (a `&`) decoded, and the offset after it;
/// None when the `&` is text. As `html_escape::decode_html_entities` of the
/// text between two tags: a reference runs to the next `;`, with no `&` or
/// `<` before it, and must name a known entity or a valid character.
fn entity(html: &str, amp: usize) -> Option<(std::borrow::Cow<'_, str>, usize)> {
    let b = html.as_bytes();
    let len = b[amp + 1..]
        .iter()
        .position(|&c| matches!(c, b';' | b'&' | b'<'))?;
    let end = amp + 1 + len;
    if b[end] != b';' {
        return None;
    }
    let reference = &html[amp..=end];
    let decoded = match COMMON_ENTITIES.iter().find(|(e, _)| *e == reference) {
        Some(&(_, text)) => std::borrow::Cow::Borrowed(text),
        None => match html_escape::decode_html_entities(reference) {
            std::borrow::Cow::Owned(text) => std::borrow::Cow::Owned(text),
            std::borrow::Cow::Borrowed(_) => return None,
        },
    };
    Some((decoded, end + 1))
}

/// The references highlighted code and Markdown are full of, with what
/// `html_escape` decodes them to (its table lookup costs far more).
const COMMON_ENTITIES: [(&str, &str); 6] = [
    ("&quot;", "\""),
    ("&amp;", "&"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&#39;", "'"),
    ("&#x27;", "'"),
];

/// Text with whitespace collapsed as it is added: words separated by one
/// space, none at the ends (as `split_whitespace`).
struct Collapsed {
    out: String,
    /// A space is due before the next word.
    pending: bool,
    /// Bytes after which nothing more is added: the text is then a prefix of
    /// the whole, at least this long (or whole).
    limit: usize,
}

impl Collapsed {
    fn new(mut out: String, limit: usize) -> Collapsed {
        out.clear();
        Collapsed {
            out,
            pending: false,
            limit,
        }
    }

    /// Text that may hold spaces (a decoded entity).
    fn words(&mut self, s: &str) {
        let mut pieces = s.split(char::is_whitespace);
        if let Some(first) = pieces.next() {
            self.word(first);
        }
        for piece in pieces {
            self.pending = true;
            self.word(piece);
        }
    }

    /// A piece of a word (or a whole one).
    #[inline]
    fn word(&mut self, w: &str) {
        if w.is_empty() || self.out.len() >= self.limit {
            return;
        }
        self.append(w);
    }

    /// [`Collapsed::word`] once it is known to add: out of line, so a caller
    /// past the limit (most of a page body) stays small.
    #[inline(never)]
    fn append(&mut self, w: &str) {
        if self.pending && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.pending = false;
        self.out.push_str(w);
    }
}

impl<'h> TextSink<'h> for Collapsed {
    fn text(&mut self, s: &'h str) {
        self.word(s);
    }

    fn hyphen(&mut self) {
        self.word("-");
    }

    fn decoded(&mut self, s: &str) {
        self.words(s);
    }

    fn gap(&mut self) {
        self.pending = true;
    }
}

/// A page body read once for all the index needs of it: its words, counted
/// as the tokens of the body field (what [`Pipe::field`] of its
/// [`html_to_text`] counts), and the start of its text, for the teaser.
struct BodyReader<'h, 'p> {
    text: Collapsed,
    pipe: &'p mut Pipe,
    word: Word<'h>,
}

impl<'h> TextSink<'h> for BodyReader<'h, '_> {
    fn text(&mut self, s: &'h str) {
        self.text.word(s);
        self.word.push(s);
    }

    fn hyphen(&mut self) {
        self.text.word("-");
        self.end_word();
    }

    fn decoded(&mut self, s: &str) {
        // Mostly a quote, `&`, `<` or `>`: part of the word being read.
        if !s.contains(|c: char| c.is_whitespace() || c == '-') {
            self.text.word(s);
            self.word.push_owned(s);
            return;
        }
        self.text.words(s);
        let mut pieces = s.split(|c: char| c.is_whitespace() || c == '-');
        if let Some(first) = pieces.next() {
            self.word.push_owned(first);
        }
        for piece in pieces {
            self.end_word();
            self.word.push_owned(piece);
        }
    }

    fn gap(&mut self) {
        self.text.pending = true;
        self.end_word();
    }
}

/// The text of a page body as far as `limit` bytes (see [`Collapsed`]),
/// written into `buffer`, and its tokens as [`Pipe::field`] of its whole
/// text counts them.
fn read_body(
    html: &str,
    pipe: &mut Pipe,
    limit: usize,
    buffer: String,
) -> (String, (FieldTokens, usize)) {
    let mut body = BodyReader {
        text: Collapsed::new(buffer, limit),
        pipe,
        word: Word::default(),
    };
    scan_html(html, &mut body);
    body.end_word();
    (body.text.out, body.pipe.end_field())
}

impl BodyReader<'_, '_> {
    fn end_word(&mut self) {
        let word = self.word.take();
        if !word.is_empty() {
            self.pipe.count(word);
        }
    }
}

/// The word being read from an HTML fragment: borrowed from it while it is
/// one run of text (nearly always), copied once an entity joins it to more.
#[derive(Default)]
struct Word<'h> {
    run: &'h str,
    joined: String,
    /// The word is in `joined`, not `run`.
    is_joined: bool,
}

impl<'h> Word<'h> {
    #[inline]
    fn push(&mut self, s: &'h str) {
        if self.run.is_empty() && !self.is_joined {
            self.run = s;
        } else {
            self.push_owned(s);
        }
    }

    /// Text not from the HTML (a decoded entity), or more after the first
    /// run: rare, kept out of line.
    #[inline(never)]
    fn push_owned(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if !self.is_joined {
            self.joined.clear();
            self.joined.push_str(std::mem::take(&mut self.run));
            self.is_joined = true;
        }
        self.joined.push_str(s);
    }

    /// The word read so far (maybe empty); the next one starts empty.
    #[inline]
    fn take(&mut self) -> &str {
        if std::mem::take(&mut self.is_joined) {
            &self.joined
        } else {
            std::mem::take(&mut self.run)
        }
    }
}

/// For `<script ...>` and `<style ...>`, the byte length up to the end of the
/// closing tag (or the whole rest when it is missing).
fn raw_text_end(tag: &str) -> Option<usize> {
    let b = tag.as_bytes();
    let name = ["script", "style"].into_iter().find(|n| {
        b.len() > n.len()
            && b[1..=n.len()].eq_ignore_ascii_case(n.as_bytes())
            && b.get(1 + n.len())
                .is_none_or(|&c| c == b'>' || c.is_ascii_whitespace() || c == b'/')
    })?;
    let close = format!("</{name}");
    let at = b
        .windows(close.len())
        .position(|w| w.eq_ignore_ascii_case(close.as_bytes()));
    Some(match at {
        Some(at) => tag[at..].find('>').map_or(tag.len(), |gt| at + gt + 1),
        None => tag.len(),
    })
}

/// The language of a page (see the module documentation).
pub fn page_lang(front: &Map<String, Value>, out_path: &str, site_lang: Option<&str>) -> Lang {
    if let Some(l) = front.get("lang").and_then(Value::as_str) {
        return Lang::from_code(l).unwrap_or(Lang::En);
    }
    let folder_lang = out_path
        .split('/')
        .rev()
        .skip(1)
        .find_map(|seg| Lang::ALL.into_iter().find(|l| l.code() == seg));
    folder_lang
        .or_else(|| site_lang.and_then(Lang::from_code))
        .unwrap_or(Lang::En)
}

fn front_str(front: &Map<String, Value>, key: &str) -> Option<String> {
    match front.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The document for one rendered page, or None when it asks not to be searched.
pub fn search_doc(
    src: &SourcePage,
    page: &PageOutput,
    site_lang: Option<&str>,
) -> Option<SearchDoc> {
    let mut doc = search_doc_without_text(src, page, site_lang)?;
    doc.text = html_to_text(&page.rendered.html);
    Some(doc)
}

/// [`search_doc`] with the text left empty.
fn search_doc_without_text(
    src: &SourcePage,
    page: &PageOutput,
    site_lang: Option<&str>,
) -> Option<SearchDoc> {
    if src.front.get("search") == Some(&Value::Bool(false)) {
        return None;
    }
    let headings: Vec<String> = page
        .rendered
        .headings
        .iter()
        .map(|h| h.text.clone())
        .collect();
    let title = front_str(&src.front, "title")
        .or_else(|| headings.first().cloned())
        .unwrap_or_default();
    Some(SearchDoc {
        url: page.out_path.clone(),
        title,
        heading: front_str(&src.front, "heading").unwrap_or_default(),
        headings,
        text: String::new(),
        lang: page_lang(&src.front, &page.out_path, site_lang),
    })
}

/// The search files of a build: (output path, content).
pub fn output_files(
    sources: &[SourcePage],
    pages: &[PageOutput],
    site: &Map<String, Value>,
) -> Vec<(String, Vec<u8>)> {
    let by_rel: HashMap<&str, &SourcePage> = sources.iter().map(|s| (s.rel.as_str(), s)).collect();
    let site_lang = site.get("lang").and_then(Value::as_str);
    let prepared: Vec<Prepared> = pages
        .par_iter()
        .filter_map(|p| prepare(by_rel.get(p.source.as_str())?, p, site_lang))
        .collect();
    files_from(prepared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(url: &str, lang: Lang, title: &str, headings: &[&str], html: &str) -> SearchDoc {
        SearchDoc {
            url: url.into(),
            title: title.into(),
            heading: "Acme CRM".into(),
            headings: headings.iter().map(|s| s.to_string()).collect(),
            text: html_to_text(html),
            lang,
        }
    }

    /// The tokens elasticlunr-rs makes of `text` for `lang`.
    fn tokens(lang: Lang, text: &str) -> Vec<String> {
        let l = lang.language();
        l.make_pipeline().run(l.tokenize(text))
    }

    /// The URLs of the pages holding `token` in `field` of the `lang` index.
    fn refs(data: &Value, lang: &str, field: &str, token: &str) -> Vec<String> {
        let mut node = &data["indexes"][lang]["index"][field]["root"];
        for ch in token.chars() {
            node = &node[ch.to_string()];
        }
        let mut urls: Vec<String> = node["docs"]
            .as_object()
            .map(|m| {
                m.keys()
                    .map(|r| {
                        data["docs"][r.parse::<usize>().unwrap()]["u"]
                            .as_str()
                            .unwrap()
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default();
        urls.sort();
        urls
    }

    /// The stored entry of the page at `url`.
    fn entry<'a>(data: &'a Value, url: &str) -> &'a Value {
        data["docs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["u"] == url)
            .unwrap()
    }

    /// The one-pass conversion gives what stripping tags, decoding entities
    /// and collapsing whitespace in three passes gives.
    #[test]
    fn html_to_text_matches_three_passes() {
        fn reference(html: &str) -> String {
            let mut out = String::new();
            let mut rest = html;
            while let Some(lt) = rest.find('<') {
                out.push_str(&rest[..lt]);
                out.push(' ');
                let tag = &rest[lt..];
                let opens = tag[1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
                rest = if !opens {
                    out.pop();
                    out.push('<');
                    &tag[1..]
                } else if let Some(after) = tag.strip_prefix("<!--") {
                    after.find("-->").map_or("", |e| &after[e + 3..])
                } else if let Some(skip) = raw_text_end(tag) {
                    &tag[skip..]
                } else {
                    match tag.find('>') {
                        Some(gt) => &tag[gt + 1..],
                        None => {
                            out.push('<');
                            &tag[1..]
                        }
                    }
                };
            }
            out.push_str(rest);
            let decoded = html_escape::decode_html_entities(&out);
            decoded.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        for html in [
            "  <p>a&nbsp;b &amp;c</p>\n\n<p> d</p> ",
            "x&lt;y&gt;<b>z</b>&#32;w",
            "AT&<b>T</b> &amp",
            "1 < 2 <i>3</i> <",
            "<p>a</p><p>b</p>\t<br>c",
            "&nbsp;&nbsp;",
            "",
            "<script>x</script>y<!-- z -->w",
            "a\u{2003}b\x0bc\u{85}d é\u{3000}",
            "a&bogus;b &amp &x&lt; &#;&#x41;&#65;&#x;&#0; &lt<b>&gt;</b>",
            "x&nbsp;&nbsp;y&#10;z &#x2028;w—“q” 한국어\u{a0}텍스트",
            "a<b<c>d <1 <",
            "<!-- open",
            "<style>p{} &amp;",
            "a&a<b>c;</b>&amp;<",
            "&lt;b&gt;&amp;lt;",
        ] {
            assert_eq!(html_to_text(html), reference(html), "{html:?}");
        }
    }

    /// Every byte that may start a whitespace character stops the scans.
    #[test]
    fn byte_kinds_cover_every_space() {
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            if c.is_whitespace() {
                let mut buf = [0u8; 4];
                let first = c.encode_utf8(&mut buf).as_bytes()[0];
                let kind = BYTE_KIND[usize::from(first)];
                assert!(
                    matches!(kind, ByteKind::Space | ByteKind::MaybeSpace),
                    "{c:?}"
                );
            }
        }
    }

    #[test]
    fn json_strings_are_escaped_as_serde_json_does() {
        let all: String = (0u8..0x80).map(char::from).collect();
        for s in [all.as_str(), "", "plain", "é \u{2028} 한", "a\"b\\c"] {
            let mut ours = String::new();
            push_json_str(&mut ours, s);
            assert_eq!(ours, serde_json::to_string(s).unwrap(), "{s:?}");
        }
        for n in [0, 7, 10, 99, 1180, 12_345_678, usize::MAX] {
            let mut ours = String::new();
            push_number(&mut ours, n);
            assert_eq!(ours, n.to_string());
        }
    }

    #[test]
    fn word_end_stops_where_a_byte_loop_does() {
        let text =
            "plain words\there-and<there>&amp; é한\u{a0}x\u{2003}y’z\x01q long-enough-to-chunk";
        let b = text.as_bytes();
        for stops in [[b'-'; 2], [b'<', b'&']] {
            for start in 0..b.len() {
                let expected = (start..b.len())
                    .find(|&i| {
                        matches!(
                            BYTE_KIND[usize::from(b[i])],
                            ByteKind::Space | ByteKind::MaybeSpace
                        ) || stops.contains(&b[i])
                    })
                    .unwrap_or(b.len());
                assert_eq!(word_end(b, start, stops), expected, "{start} {stops:?}");
            }
        }
    }

    #[test]
    fn common_entities_decode_as_html_escape_does() {
        for (reference, text) in COMMON_ENTITIES {
            assert_eq!(html_escape::decode_html_entities(reference), text);
        }
    }

    /// HTML made of pieces that stress the scan: tags, entities that do and
    /// do not decode (some to spaces or hyphens), hyphens, non-ASCII spaces
    /// and letters, lone `<` and `&`, comments and scripts.
    fn random_html(seed: u64, pieces: usize) -> String {
        const PIECES: [&str; 34] = [
            "word",
            "Upload",
            "x",
            " ",
            "  \n\t",
            "-",
            "--",
            "a-b",
            "<p>",
            "</p>",
            "<span class=\"hl-string hl-json\">",
            "</span>",
            "<br/>",
            "&amp;",
            "&quot;",
            "&nbsp;",
            "&#45;",
            "&#x2d;",
            "&#10;",
            "&bogus;",
            "&",
            "&amp",
            "<",
            "< ",
            "<1",
            "é",
            "한국어",
            "\u{a0}",
            "\u{2003}",
            "—",
            "<!-- c -->",
            "<script>var a = '<p>';</script>",
            "AT&amp;T",
            "&lt;b&gt;",
        ];
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut html = String::new();
        for _ in 0..pieces {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            html.push_str(PIECES[(state >> 33) as usize % PIECES.len()]);
        }
        html
    }

    /// Reading a body once gives the tokens of its whole text, and a start
    /// of that text long enough for the teaser.
    #[test]
    fn body_reader_matches_text_then_tokens() {
        let mut fixed: Vec<String> = [
            "<p>Hello <b>world</b>-wide</p>",
            "AT&amp;T and&nbsp;more &amp; x&#45;y&quot;z&quot; &#10;q",
            "a<b<c>d <1 < e-",
            "<!-- open",
            "",
            "-",
            "&amp;-&amp;",
        ]
        .map(String::from)
        .to_vec();
        fixed.extend((0..300).map(|seed| random_html(seed, 40)));
        let mut pipes = pipes();
        for html in &fixed {
            for lang in Lang::ALL {
                let pipe = &mut pipes[lang_at(lang)];
                let text = html_to_text(html);
                let expected = pipe.field(&text);
                for limit in [0, 5, 40, usize::MAX] {
                    let (start, tokens) = read_body(html, pipe, limit, "old".into());
                    assert_eq!(tokens, expected, "{html:?}");
                    assert!(text.starts_with(&start), "{html:?}");
                    assert!(start.len() >= limit.min(text.len()), "{html:?}");
                }
            }
        }
    }

    /// The teaser from the start of the text that [`prepare`] keeps is the
    /// teaser of the whole text.
    #[test]
    fn teaser_needs_only_the_start_of_the_text() {
        let mut pipes = pipes();
        for seed in 0..200 {
            let html = random_html(seed, 400);
            let text = html_to_text(&html);
            let mut cut = text.len().min(seed as usize % 60);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            for heading in [&text[..cut], "Other heading"] {
                let mut whole = doc("a.html", Lang::En, "A", &[heading], &html);
                let limit = heading.len() + TEASER_TEXT_BYTES;
                let pipe = &mut pipes[0];
                let (start, _) = read_body(&html, pipe, limit, String::new());
                let teaser = whole.teaser();
                whole.text = start;
                assert_eq!(whole.teaser(), teaser, "{html:?}");
            }
        }
    }

    /// Short-word keys are equal exactly when the words are.
    #[test]
    fn short_word_keys_tell_words_apart() {
        let mut words: Vec<String> = vec![String::new()];
        for len in 1..=ShortWord::MAX {
            for fill in ["a", "b", "é"] {
                let w: String = fill.repeat(len);
                if w.len() <= ShortWord::MAX {
                    words.push(w.clone());
                    // One byte changed at each place.
                    for i in 0..w.len() {
                        let mut b = w.clone().into_bytes();
                        b[i] ^= 1;
                        words.push(String::from_utf8_lossy(&b).into_owned());
                    }
                }
            }
        }
        words.extend(
            [
                "ab",
                "ba",
                "aab",
                "aba",
                "abab",
                "abcd",
                "abcde",
                "abcdefgh",
                "abcdefghi",
            ]
            .map(String::from),
        );
        words.retain(|w| w.len() <= ShortWord::MAX);
        words.sort();
        words.dedup();
        for a in &words {
            for b in &words {
                let same = ShortWord::new(a.as_bytes()) == ShortWord::new(b.as_bytes());
                assert_eq!(same, a == b, "{a:?} {b:?}");
            }
        }
        let mut memo = WordMemo::default();
        let long = "x".repeat(ShortWord::MAX + 1);
        for (n, w) in words.iter().chain([&long]).enumerate() {
            memo.insert(w, n as u32);
        }
        for (n, w) in words.iter().chain([&long]).enumerate() {
            assert_eq!(memo.get(w), Some(n as u32), "{w:?}");
        }
        assert_eq!(memo.get("y"), None);
        assert_eq!(memo.len(), words.len() + 1);
    }

    #[test]
    fn split_words_matches_the_tokenizer_split() {
        for text in [
            "a-b c\td\n\ne--f- -g ",
            "",
            "-",
            "  x",
            "é\u{a0}ü\u{2003}-z\x0bq",
            "one",
            "—dash– \u{85}x\u{3000}y\u{1680}z",
        ] {
            let ours: Vec<&str> = split_words(text).collect();
            let std: Vec<&str> = text
                .split(|c: char| c.is_whitespace() || c == '-')
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn strips_html_to_text() {
        let cases = [
            ("<p>Hello <b>world</b></p>", "Hello world"),
            ("a<script>var x = '<p>';</script>b", "a b"),
            ("<STYLE>p{}</STYLE>c &amp; d", "c & d"),
            ("x <!-- hidden <b> --> y", "x y"),
            ("1 < 2 and <i>3</i>", "1 < 2 and 3"),
            (
                "<pre><code>GET /hubs/crm\n  accounts</code></pre>",
                "GET /hubs/crm accounts",
            ),
            ("<scripted>kept</scripted>", "kept"),
        ];
        for (html, text) in cases {
            assert_eq!(html_to_text(html), text, "{html}");
        }
    }

    #[test]
    fn languages_from_front_matter_folder_and_site() {
        let none = Map::new();
        let mut ko = Map::new();
        ko.insert("lang".into(), json!("ko-KR"));
        assert_eq!(page_lang(&ko, "docs/a.html", None), Lang::Ko);
        assert_eq!(
            page_lang(&none, "docs/elements/x/ko/setup.html", None),
            Lang::Ko
        );
        // Only folders count, not the file name.
        assert_eq!(page_lang(&none, "docs/ko.html", None), Lang::En);
        assert_eq!(page_lang(&none, "docs/a.html", Some("ko")), Lang::Ko);
        assert_eq!(page_lang(&none, "docs/a.html", None), Lang::En);
        let mut en = Map::new();
        en.insert("lang".into(), json!("en"));
        assert_eq!(page_lang(&en, "x/ko/a.html", None), Lang::En);
    }

    #[test]
    fn each_field_is_indexed_per_page() {
        let docs = [
            doc(
                "a/authenticate.html",
                Lang::En,
                "Authenticate",
                &["Authentication parameters"],
                "<p>Send the <code>clientSecret</code> with every request.</p>",
            ),
            doc(
                "a/bulk.html",
                Lang::En,
                "Bulk",
                &["Upload jobs"],
                "<p>Uploading files.</p>",
            ),
        ];
        let data = build_index(&docs);
        assert!(data["indexes"].get("ko").is_none());
        for t in tokens(Lang::En, "Authenticate") {
            assert_eq!(refs(&data, "en", "title", &t), ["a/authenticate.html"]);
        }
        for t in tokens(Lang::En, "parameters") {
            assert_eq!(refs(&data, "en", "headings", &t), ["a/authenticate.html"]);
        }
        for t in tokens(Lang::En, "clientSecret request") {
            assert_eq!(refs(&data, "en", "body", &t), ["a/authenticate.html"]);
        }
        for t in tokens(Lang::En, "Acme") {
            assert_eq!(
                refs(&data, "en", "heading", &t),
                ["a/authenticate.html", "a/bulk.html"]
            );
        }
        // Stemming: the query form and the page form meet in one token.
        assert_eq!(tokens(Lang::En, "upload"), tokens(Lang::En, "uploading"));
        assert_eq!(entry(&data, "a/bulk.html")["t"], "Bulk");
        assert_eq!(entry(&data, "a/bulk.html")["l"], "en");
    }

    #[test]
    fn korean_pages_get_the_korean_pipeline() {
        let body = "<p>액세스 토큰을 발급합니다. OAuth 인증</p>";
        let docs = [
            doc("x/ko/authenticate.html", Lang::Ko, "인증", &[], body),
            doc(
                "x/authenticate.html",
                Lang::En,
                "Authenticate",
                &[],
                "<p>Access token</p>",
            ),
        ];
        let data = build_index(&docs);
        let ko = &data["indexes"]["ko"];
        assert_eq!(ko["lang"], "Korean");
        assert_eq!(data["indexes"]["en"]["lang"], "English");
        let ko_tokens = tokens(Lang::Ko, &html_to_text(body));
        assert!(ko_tokens.iter().any(|t| t == "토큰을"), "{ko_tokens:?}");
        for t in &ko_tokens {
            assert_eq!(
                refs(&data, "ko", "body", t),
                ["x/ko/authenticate.html"],
                "{t}"
            );
            assert!(refs(&data, "en", "body", t).is_empty());
        }
        assert_eq!(
            refs(&data, "ko", "title", "인증"),
            ["x/ko/authenticate.html"]
        );
        assert_eq!(
            ko["pipeline"],
            json!(["trimmer-ko", "stopWordFilter-ko", "stemmer-ko"])
        );
    }

    #[test]
    fn script_stop_words_match_the_indexer() {
        let list = KO_STOP_WORDS_JS
            .split_once('[')
            .and_then(|(_, r)| r.rsplit_once(']'))
            .map(|(l, _)| format!("[{l}]"))
            .unwrap();
        let words: Vec<String> = serde_json::from_str(&list).unwrap();
        assert!(words.len() > 100);
        let pipeline = Lang::Ko.language().make_pipeline();
        for w in words {
            assert!(
                pipeline.run(vec![w.clone()]).is_empty(),
                "{w} is not a stop word"
            );
        }
        // And ordinary words are kept.
        assert_eq!(pipeline.run(vec!["토큰".into()]), ["토큰"]);
    }

    #[test]
    fn index_script_assigns_a_global_and_is_deterministic() {
        let mut a = doc("b.html", Lang::En, "B", &[], "");
        a.text = "two\u{2028}lines".into();
        let b = doc("a.html", Lang::En, "A", &[], "<p>one</p>");
        let s1 = index_script(&[a.clone(), b.clone()]);
        let s2 = index_script(&[b, a]);
        assert_eq!(s1, s2);
        let json = s1
            .strip_prefix("window.elementdocsSearchIndex = ")
            .and_then(|s| s.strip_suffix(";\n"))
            .unwrap();
        assert!(!json.contains('\u{2028}'));
        let v: Value = serde_json::from_str(json).unwrap();
        assert_eq!(entry(&v, "b.html")["b"], "two\u{2028}lines");
        // Documents are numbered in URL order.
        assert_eq!(v["docs"][0]["u"], "a.html");
        assert_eq!(
            v["indexes"]["en"]["version"],
            elasticlunr::ELASTICLUNR_VERSION
        );
    }

    /// The parallel builder writes what elasticlunr-rs's own `Index` writes.
    #[test]
    fn index_matches_elasticlunr_byte_for_byte() {
        let docs = [
            doc(
                "b.html",
                Lang::En,
                "Bulk uploads",
                &["Upload jobs", "Jobs"],
                "<p>Uploading files, jobs and more jobs.</p>",
            ),
            doc(
                "a.html",
                Lang::En,
                "Authenticate",
                &["Authentication parameters"],
                "<p>Send the <code>clientSecret</code> with every request.</p>",
            ),
            doc(
                "x/ko/a.html",
                Lang::Ko,
                "인증",
                &[],
                "<p>액세스 토큰을 발급합니다. OAuth 인증</p>",
            ),
        ];
        let ours: Value = serde_json::from_str(&index_json(&docs)).unwrap();
        let mut sorted: Vec<&SearchDoc> = docs.iter().collect();
        sorted.sort_by(|a, b| a.url.cmp(&b.url));
        for lang in Lang::ALL {
            let builder =
                elasticlunr::IndexBuilder::with_language(lang.language()).save_docs(false);
            let mut index = FIELDS
                .into_iter()
                .fold(builder, |b, f| {
                    b.add_field_with_tokenizer(f, Box::new(tokenize))
                })
                .build();
            for (n, d) in sorted.iter().enumerate() {
                if d.lang == lang {
                    index.add_doc(&n.to_string(), d.fields());
                }
            }
            let theirs = serde_json::to_string(&index).unwrap();
            let ours = serde_json::to_string(&ours["indexes"][lang.code()]).unwrap();
            assert_eq!(ours, theirs, "{lang:?}");
        }
    }

    #[test]
    fn long_tokens_are_left_out() {
        let long = "x".repeat(MAX_TOKEN_CHARS + 1);
        let fits = "y".repeat(MAX_TOKEN_CHARS);
        let d = doc(
            "a.html",
            Lang::En,
            "A",
            &[],
            &format!("<p>{long} {fits} ok</p>"),
        );
        let data = build_index(&[d]);
        assert!(refs(&data, "en", "body", &long).is_empty());
        for t in tokens(Lang::En, &fits) {
            assert_eq!(refs(&data, "en", "body", &t), ["a.html"]);
        }
        assert_eq!(refs(&data, "en", "body", "ok"), ["a.html"]);
    }

    #[test]
    fn teaser_skips_the_opening_heading() {
        let d = doc(
            "a.html",
            Lang::En,
            "A",
            &["Authenticate with Acme"],
            "<h1>Authenticate with Acme</h1><p>Body text.</p>",
        );
        assert_eq!(d.teaser(), "Body text.");
        let d = doc(
            "b.html",
            Lang::En,
            "B",
            &["Later"],
            "<p>Intro.</p><h2>Later</h2>",
        );
        assert_eq!(d.teaser(), "Intro. Later");
    }

    #[test]
    fn teaser_is_cut_at_a_word() {
        let long = "word ".repeat(100);
        let d = doc("a.html", Lang::En, "A", &[], &long);
        let t = d.teaser();
        assert!(t.ends_with('…'));
        assert!(t.chars().count() <= TEASER_CHARS + 1);
        assert!(t.trim_end_matches('…').split(' ').all(|w| w == "word"));
    }

    #[test]
    fn script_carries_the_library_and_the_client() {
        let s = search_script();
        assert!(s.contains(&format!("version=\"{}\"", elasticlunr::ELASTICLUNR_VERSION)));
        assert!(s.contains("ELEMENTDOCS_KO_STOP_WORDS"));
        assert!(s.contains("\"ed-search\""));
        assert!(s.contains(INDEX_PATH.rsplit('/').next().unwrap()));
    }
}
