//! One rendered page → its sections, their plain text and word counts.
//!
//! A section starts at each `h1`, `h2` or `h3` whose id the Markdown stage
//! reported (its text is the section's title); the text before the first one
//! is the page's top section. Deeper headings stay inside their section.
//! Text comes from [`crate::html::text_runs`]; a word is a run of letters and
//! digits (so `client_secret`, `/hubs/crm` and `v2.1` give their parts), in
//! lower case, of at most [`MAX_WORD_CHARS`] characters.

use crate::markdown::Heading;
use rustc_hash::{FxBuildHasher, FxHashMap};

/// Longest word indexed, in characters: longer ones (hashes, tokens in code
/// samples) are never typed into a search box.
pub(crate) const MAX_WORD_CHARS: usize = 32;
/// Bytes of a section's text kept for its snippet (whole characters).
pub(crate) const SECTION_TEXT_BYTES: usize = 1200;

/// The words of one page and of each of its sections.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct PageWords {
    /// The page's distinct words, in the order first met; sections and the
    /// lists below name them by position.
    pub words: WordList,
    /// Words of the page title and of the guide heading.
    pub title_words: Vec<u32>,
    pub heading_words: Vec<u32>,
    /// At least one: a page with no text still has its top section.
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Section {
    /// The heading's id; empty for the page's top.
    pub anchor: String,
    /// The heading's text; empty for the page's top.
    pub title: String,
    /// The start of the section's plain text, for its snippet.
    pub text: String,
    /// Words in the section's body.
    pub len: u32,
    /// Each word of the section, sorted by word: (word, in the heading, in the body).
    pub counts: Vec<(u32, u16, u16)>,
}

/// A page's distinct words in one string: a page has hundreds, and one
/// allocation each would weigh more than the words.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct WordList {
    text: String,
    /// Where each word ends in `text`.
    ends: Vec<u32>,
}

impl WordList {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(a, &b)| &self.text[a as usize..b as usize])
    }
}

impl std::ops::Index<usize> for WordList {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start as usize..self.ends[i] as usize]
    }
}

impl<'a> FromIterator<&'a str> for WordList {
    fn from_iter<I: IntoIterator<Item = &'a str>>(words: I) -> WordList {
        let mut w = WordList::default();
        for word in words {
            w.text.push_str(word);
            w.ends.push(w.text.len() as u32);
        }
        w.text.shrink_to_fit();
        w.ends.shrink_to_fit();
        w
    }
}

/// A heading that starts a section: where its tag starts and where the
/// heading element ends (its text is the section title, not body text).
struct Split<'h> {
    start: usize,
    end: usize,
    heading: &'h Heading,
}

pub(crate) fn read_page(html: &str, headings: &[Heading], title: &str, heading: &str) -> PageWords {
    let mut page = Reader::for_html(html.len());
    page.out.title_words = page.distinct(title);
    page.out.heading_words = page.distinct(heading);
    let splits = splits(html, headings);
    page.start(None);
    let mut next = splits.iter().peekable();
    let mut current: Option<&Split> = None;
    let mut last_end = 0;
    // Room for a run with its character references decoded.
    let mut decoded = String::new();
    for (at, raw) in crate::html::text_runs(html) {
        while let Some(s) = next.next_if(|s| s.start <= at) {
            page.end_section();
            page.start(Some(s));
            current = Some(s);
        }
        // The heading's own text is the section title, not body text.
        if current.is_some_and(|s| at < s.end) {
            continue;
        }
        let joined = is_inline_gap(&html[last_end.min(at)..at]);
        last_end = at + raw.len();
        page.body(crate::html::decode_into(raw, &mut decoded), joined);
    }
    for s in next {
        page.end_section();
        page.start(Some(s));
    }
    page.end_section();
    page.finish()
}

/// The section headings of `html`, in order: `h1`–`h3` start tags whose id
/// is one of `headings`.
fn splits<'h>(html: &str, headings: &'h [Heading]) -> Vec<Split<'h>> {
    let by_id: FxHashMap<&str, &Heading> = headings.iter().map(|h| (h.id.as_str(), h)).collect();
    if by_id.is_empty() {
        return Vec::new();
    }
    // Only the `<h1`..`<h3` start tags are parsed (pages have thousands of
    // other tags, highlighted code above all).
    let b = html.as_bytes();
    memchr::memchr_iter(b'<', b)
        .filter(|&at| {
            matches!(b.get(at + 1), Some(b'h' | b'H')) && matches!(b.get(at + 2), Some(b'1'..=b'3'))
        })
        .filter_map(|at| crate::html::tag_at(html, at))
        .filter(|t| t.is("h1") || t.is("h2") || t.is("h3"))
        .filter_map(|t| {
            let id = crate::html::decode(t.attr("id")?.value);
            let heading = *by_id.get(id.as_ref())?;
            let close = format!("</{}", t.name.to_ascii_lowercase());
            let end = find_ignore_case(html, t.offset, &close).unwrap_or(html.len());
            Some(Split {
                start: t.offset,
                end,
                heading,
            })
        })
        .collect()
}

fn find_ignore_case(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    hay.as_bytes()[from..]
        .windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
        .map(|p| from + p)
}

/// Is the markup between two runs of text only inline tags? (Called for
/// every run of text: highlighted code is runs between `</span><span>`.)
fn is_inline_gap(gap: &str) -> bool {
    let b = gap.as_bytes();
    memchr::memchr_iter(b'<', b).all(|lt| {
        let name = &b[lt + 1..];
        let name = name.strip_prefix(b"/").unwrap_or(name);
        let end = name
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(name.len());
        is_inline(&name[..end])
    })
}

/// Whether `name` (any case) is an inline element: text on both sides of
/// their tags is one line of text (`<code>id</code>,` reads `id,`); any
/// other tag separates words. A `match` (a switch on length and bytes): a
/// search of a list of names cost more than the rest of the gap's check.
fn is_inline(name: &[u8]) -> bool {
    const LONGEST: usize = 6;
    if name.len() > LONGEST {
        return false;
    }
    let mut lower = [0u8; LONGEST];
    lower[..name.len()].copy_from_slice(name);
    lower.make_ascii_lowercase();
    matches!(
        &lower[..name.len()],
        b"a" | b"abbr"
            | b"b"
            | b"code"
            | b"del"
            | b"em"
            | b"i"
            | b"ins"
            | b"kbd"
            | b"mark"
            | b"s"
            | b"samp"
            | b"small"
            | b"span"
            | b"strong"
            | b"sub"
            | b"sup"
            | b"u"
            | b"var"
    )
}

/// The words of `text`, as written. Words with a character beyond U+FFFF
/// are left out: the index sorts words by their UTF-8 bytes, which is the
/// order the browser compares strings in (UTF-16) only below it.
pub(crate) fn split_words(text: &str) -> impl Iterator<Item = &str> {
    Words { text, at: 0 }
}

/// The iterator of [`split_words`]: `str::split` on non-alphanumeric
/// characters, with the length and plane checks made in the same pass and
/// ASCII bytes tested without decoding (most of a page's text is ASCII).
struct Words<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Iterator for Words<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let b = self.text.as_bytes();
        while self.at < b.len() {
            let start = self.at;
            // Characters of the word so far, and whether one is beyond U+FFFF.
            let (mut chars, mut astral) = (0usize, false);
            while let Some(&c) = b.get(self.at) {
                if c.is_ascii() {
                    if !c.is_ascii_alphanumeric() {
                        break;
                    }
                    self.at += 1;
                } else {
                    let ch = self.text[self.at..].chars().next().expect("a char");
                    if !ch.is_alphanumeric() {
                        break;
                    }
                    astral |= ch > '\u{FFFF}';
                    self.at += ch.len_utf8();
                }
                chars += 1;
            }
            let word = &self.text[start..self.at];
            // Step over the separator (one character) that ended the word.
            if let Some(sep) = self.text[self.at..].chars().next() {
                self.at += sep.len_utf8();
            }
            if chars > 0 && chars <= MAX_WORD_CHARS && !astral {
                return Some(word);
            }
        }
        None
    }
}

#[derive(Default)]
struct Reader {
    out: PageWords,
    /// The page's distinct words: a word's number is its place in the set
    /// (one allocation per word; they become `out.words` at the end).
    numbers: indexmap::IndexSet<Box<str>, FxBuildHasher>,
    /// The section being read, and per word number its counts in the
    /// section (heading, body): zero but for the words in `touched`.
    section: Section,
    counts: Vec<(u16, u16)>,
    touched: Vec<u32>,
    /// The section's text needs a space before the next run.
    space: bool,
    /// Room for a word in lower case.
    lower: String,
}

impl Reader {
    /// A reader for a page of `bytes` of HTML: room for about as many
    /// distinct words as such pages have, so the set seldom grows.
    fn for_html(bytes: usize) -> Reader {
        let words = (bytes / 64).clamp(16, 1 << 14);
        Reader {
            numbers: indexmap::IndexSet::with_capacity_and_hasher(words, FxBuildHasher),
            counts: Vec::with_capacity(words),
            ..Reader::default()
        }
    }

    fn number(&mut self, word: &str) -> u32 {
        let lower = lower_case(word, &mut self.lower);
        if let Some(n) = self.numbers.get_index_of(lower) {
            return n as u32;
        }
        let (n, _) = self.numbers.insert_full(lower.into());
        self.counts.push((0, 0));
        n as u32
    }

    /// The counts of the word in the section being read.
    fn count(&mut self, word: &str) -> &mut (u16, u16) {
        let n = self.number(word);
        let count = &mut self.counts[n as usize];
        if *count == (0, 0) {
            self.touched.push(n);
        }
        count
    }

    fn distinct(&mut self, text: &str) -> Vec<u32> {
        let mut words: Vec<u32> = split_words(text).map(|w| self.number(w)).collect();
        words.sort_unstable();
        words.dedup();
        words
    }

    fn start(&mut self, split: Option<&Split>) {
        self.space = false;
        let Some(split) = split else { return };
        self.section.anchor = split.heading.id.clone();
        self.section.title = split.heading.text.clone();
        for word in split_words(&split.heading.text) {
            let count = self.count(word);
            count.0 = count.0.saturating_add(1);
        }
    }

    fn body(&mut self, text: &str, joined: bool) {
        for word in split_words(text) {
            let count = self.count(word);
            count.1 = count.1.saturating_add(1);
            self.section.len += 1;
        }
        self.keep_text(text, joined);
    }

    /// Adds to the section's text, whitespace collapsed, up to its limit.
    fn keep_text(&mut self, text: &str, joined: bool) {
        let kept = &mut self.section.text;
        if kept.len() >= SECTION_TEXT_BYTES {
            return;
        }
        self.space |= !joined || text.starts_with(char::is_whitespace);
        for piece in text.split_whitespace() {
            if self.space && !kept.is_empty() {
                kept.push(' ');
            }
            kept.push_str(piece);
            self.space = true;
        }
        self.space = text.ends_with(char::is_whitespace);
        if kept.len() > SECTION_TEXT_BYTES {
            let mut cut = SECTION_TEXT_BYTES;
            while !kept.is_char_boundary(cut) {
                cut -= 1;
            }
            kept.truncate(cut);
        }
    }

    /// Keeps the section read so far, unless it is an empty top section.
    fn end_section(&mut self) {
        let mut section = std::mem::take(&mut self.section);
        let counts = &mut self.counts;
        let touched = self.touched.drain(..);
        let mut counts: Vec<(u32, u16, u16)> = touched
            .map(|w| {
                let (h, b) = std::mem::take(&mut counts[w as usize]);
                (w, h, b)
            })
            .collect();
        counts.sort_unstable();
        section.counts = counts;
        // Kept until the index is made: no room to spare.
        section.text.shrink_to_fit();
        let empty_top = section.anchor.is_empty() && section.counts.is_empty();
        if !empty_top {
            self.out.sections.push(section);
        }
    }

    fn finish(mut self) -> PageWords {
        if self.out.sections.is_empty() {
            self.out.sections.push(Section::default());
        }
        self.out.words = self.numbers.iter().map(|w| &**w).collect();
        self.out
    }
}

/// `word` in lower case: itself when it is already, else written into `room`.
fn lower_case<'w>(word: &'w str, room: &'w mut String) -> &'w str {
    if !word
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        return word;
    }
    room.clear();
    if word.is_ascii() {
        room.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        room.extend(word.chars().flat_map(char::to_lowercase));
    }
    room
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(level: u8, text: &str, id: &str) -> Heading {
        Heading {
            level,
            text: text.into(),
            id: id.into(),
        }
    }

    fn words_of(page: &PageWords, section: usize) -> Vec<(&str, u16, u16)> {
        let s = &page.sections[section];
        let mut v: Vec<(&str, u16, u16)> = s
            .counts
            .iter()
            .map(|&(w, h, b)| (&page.words[w as usize], h, b))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn pages_split_at_headings_with_ids() {
        let html = "<p>Intro text.</p>\n<h2 id=\"setup\">Set up</h2>\n<p>Send the \
            <code>clientSecret</code>, then <em>wait</em>.</p>\n<h4 id=\"deep\">Deep</h4><p>More</p>\
            <h3 id=\"unknown\">Raw</h3><p>raw text</p>";
        let hs = [heading(2, "Set up", "setup"), heading(4, "Deep", "deep")];
        let page = read_page(html, &hs, "Authenticate", "Acme CRM");
        assert_eq!(page.sections.len(), 2);
        assert_eq!(page.sections[0].anchor, "");
        assert_eq!(page.sections[0].text, "Intro text.");
        assert_eq!(words_of(&page, 0), [("intro", 0, 1), ("text", 0, 1)]);
        let setup = &page.sections[1];
        assert_eq!(
            (setup.anchor.as_str(), setup.title.as_str()),
            ("setup", "Set up")
        );
        // Inline tags join, blocks separate; an h3 not reported by Markdown
        // stays in the section.
        assert_eq!(
            setup.text,
            "Send the clientSecret, then wait. Deep More Raw raw text"
        );
        let w = words_of(&page, 1);
        assert!(w.contains(&("set", 1, 0)), "{w:?}");
        assert!(w.contains(&("clientsecret", 0, 1)), "{w:?}");
        assert!(w.contains(&("raw", 0, 2)), "{w:?}");
        let title: Vec<&str> = page
            .title_words
            .iter()
            .map(|&w| &page.words[w as usize])
            .collect();
        assert_eq!(title, ["authenticate"]);
        assert_eq!(page.heading_words.len(), 2);
    }

    #[test]
    fn a_page_starting_with_its_heading_has_no_empty_top_section() {
        let html = "<h1 id=\"t\">Title</h1><p>Body</p>";
        let page = read_page(html, &[heading(1, "Title", "t")], "Title", "");
        assert_eq!(page.sections.len(), 1);
        assert_eq!(page.sections[0].anchor, "t");
        assert_eq!(page.sections[0].text, "Body");
        let empty = read_page("", &[], "T", "");
        assert_eq!(empty.sections.len(), 1);
    }

    #[test]
    fn words_are_letters_and_digits_in_lower_case() {
        let words: Vec<&str> = split_words("GET /hubs/crm v2.1 client_secret 인증을 é").collect();
        assert_eq!(
            words,
            [
                "GET",
                "hubs",
                "crm",
                "v2",
                "1",
                "client",
                "secret",
                "인증을",
                "é"
            ]
        );
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(split_words(&long).count(), 0);
        let page = read_page("<p>Ünïcode &amp; AT&amp;T</p>", &[], "", "");
        let mut w: Vec<&str> = page.words.iter().collect();
        w.sort();
        assert_eq!(w, ["at", "t", "ünïcode"]);
        assert_eq!(page.sections[0].text, "Ünïcode & AT&T");
    }

    #[test]
    fn inline_tags_join_text_in_any_case() {
        for gap in [
            "",
            "<code>",
            "</SPAN><span class=\"hl-k\">",
            "<a href=x>",
            "</em></b>",
        ] {
            assert!(is_inline_gap(gap), "{gap}");
        }
        for gap in [
            "<p>",
            "</span><br>",
            "<spanner>",
            "<div class=x><code>",
            "<strongest>",
        ] {
            assert!(!is_inline_gap(gap), "{gap}");
        }
    }

    #[test]
    fn words_split_as_str_split_does() {
        let texts = [
            "",
            " ",
            "a",
            "..a..b..",
            "x\u{1F600}y 𝒳abc ok",
            "é-è ü",
            "a\u{2028}b",
            "tab\tsep,comma;semi",
            "日本語 テキスト",
            "v2.1_beta",
        ];
        for text in texts {
            let want: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| {
                    !w.is_empty()
                        && w.chars().nth(MAX_WORD_CHARS).is_none()
                        && w.chars().all(|c| c <= '\u{FFFF}')
                })
                .collect();
            assert_eq!(split_words(text).collect::<Vec<_>>(), want, "{text:?}");
        }
        let exact = "y".repeat(MAX_WORD_CHARS);
        assert_eq!(split_words(&exact).count(), 1);
        let wide = "é".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(split_words(&wide).count(), 0);
    }

    #[test]
    fn section_text_is_capped() {
        let html = format!("<p>{}</p>", "word ".repeat(SECTION_TEXT_BYTES));
        let page = read_page(&html, &[], "", "");
        assert_eq!(page.sections[0].text.len(), SECTION_TEXT_BYTES);
        assert_eq!(page.sections[0].len as usize, SECTION_TEXT_BYTES);
        let html = format!("<p>{}</p>", "인증 ".repeat(SECTION_TEXT_BYTES));
        let text = &read_page(&html, &[], "", "").sections[0].text;
        assert!(text.len() <= SECTION_TEXT_BYTES && text.len() > SECTION_TEXT_BYTES - 4);
    }
}
