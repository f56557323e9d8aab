//! All prepared pages → the index files the search box loads.
//!
//! Words are grouped by stem (elasticlunr-rs's pipelines: English for
//! words without Hangul, Korean for the others; a word the pipeline drops
//! is a stop word). Each group has one posting per section holding one of
//! its words: (page, section, weight). The weight adds what the words are
//! to the section: in its heading, in the page title (most for the page's
//! top section), in the guide heading, and their count in its body
//! (saturating, relative to the section's length, as BM25). The client
//! multiplies by the group's rarity (from its posting count).
//!
//! The words, sorted, are cut into shards of about [`SHARD_BYTES`]; a shard
//! lists its words, each with its group (or -1 for a stop word), and the
//! postings of those groups. The manifest holds each shard's first word, so
//! a query word, or a prefix, names the shards to load. Every file is
//! written the same whatever the order of the pages given.

use super::sections::PageWords;
use super::{Prepared, INDEX_DIR};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// About how many bytes of postings a shard holds before the next starts.
const SHARD_BYTES: usize = 12_000;
/// About how many bytes of fragments a bundle holds before the next starts.
/// Pages are in URL order, so a guide's pages share a bundle, as the results
/// of one query often do; and a site has some hundred files, not one per page.
const FRAGMENT_BYTES: usize = 16_000;
/// Words shorter than this are not in the typo word lists: the client
/// corrects words of five letters or more (one edit: four letters or more).
const TYPO_MIN_CHARS: usize = 4;

/// Weights of a word in a section, before the client's rarity factor.
const IN_HEADING: f64 = 6.0;
const IN_TITLE_TOP: f64 = 6.0;
const IN_TITLE: f64 = 2.0;
const IN_GUIDE_HEADING: f64 = 1.5;
const BODY_MAX: f64 = 3.0;
/// BM25's k1 and b, for the body count.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The index files for the pages: (output path, content). The same pages in
/// any order give the same files.
pub(crate) fn index_files<'a>(
    pages: impl IntoIterator<Item = &'a Prepared>,
) -> Vec<(String, Vec<u8>)> {
    let mut pages: Vec<&Prepared> = pages.into_iter().collect();
    pages.sort_by(|a, b| a.url.cmp(&b.url));
    let vocab = Vocabulary::new(&pages);
    let postings = postings(&pages, &vocab);
    // Each file is made whole as soon as its data is: the data of every
    // file at once would double the index's peak memory.
    let mut out = Files::default();
    let shards = shards(&vocab, &postings);
    let firsts: Vec<&str> = shards
        .iter()
        .map(|s| s.w.first().copied().unwrap_or(""))
        .collect();
    for (n, shard) in shards.iter().enumerate() {
        out.push(format!("s{n}"), json(shard));
    }
    drop(postings);
    let bundles = fragment_bundles(&pages);
    let fragments: Vec<usize> = bundles.iter().map(|b| b.0).collect();
    for (n, (_, bundle)) in bundles.into_iter().enumerate() {
        out.push(format!("f{n}"), bundle);
    }
    let typo = typo_lists(&vocab);
    let typo_chars: String = typo.iter().map(|(c, _)| *c).collect();
    for (c, words) in &typo {
        out.push(format!("w-{:x}", u32::from(*c)), json(words));
    }
    let version = format!("{:016x}", out.version.digest());
    let (lang, langs) = languages(&pages);
    let manifest = Manifest {
        version: &version,
        lang,
        langs,
        pages: pages.len(),
        sections: pages.iter().map(|p| p.page.sections.len()).sum(),
        shards: firsts,
        fragments,
        typo: &typo_chars,
    };
    out.push("manifest".into(), json(&manifest));
    out.files
}

/// The index files made so far, and the hash of their data (the index's
/// version) without the manifest, which holds it.
#[derive(Default)]
struct Files {
    files: Vec<(String, Vec<u8>)>,
    version: xxhash_rust::xxh3::Xxh3,
}

impl Files {
    fn push(&mut self, name: String, data: String) {
        if name != "manifest" {
            self.version.update(name.as_bytes());
            self.version.update(data.as_bytes());
        }
        let script = format!("elementdocsSearch({name:?},{data});\n");
        drop(data);
        self.files.push((
            format!("{INDEX_DIR}/{name}.js"),
            script_safe(script).into_bytes(),
        ));
    }
}

/// What the client reads first: the shard boundaries and the counts.
#[derive(Serialize)]
struct Manifest<'a> {
    /// Changes with any index file: added to their URLs against stale caches.
    version: &'a str,
    /// The language of most pages, and the pages of each other language.
    lang: &'a str,
    langs: BTreeMap<&'a str, Vec<usize>>,
    pages: usize,
    sections: usize,
    /// The first word of each shard, in order.
    shards: Vec<&'a str>,
    /// The first page of each fragment bundle, in order.
    fragments: Vec<usize>,
    /// The first characters that have a typo word list.
    typo: &'a str,
}

/// The most common language of the pages (the first by name on a tie), and
/// the pages of every other language.
fn languages<'a>(pages: &[&'a Prepared]) -> (&'a str, BTreeMap<&'a str, Vec<usize>>) {
    let mut by_lang: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (n, p) in pages.iter().enumerate() {
        by_lang.entry(p.lang.as_str()).or_default().push(n);
    }
    let main = by_lang
        .iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)))
        .map_or("en", |(l, _)| *l);
    by_lang.remove(main);
    (main, by_lang)
}

/// One shard: its words, the group of each (-1: a stop word), and the
/// postings of each group as flat triples (page delta, section, weight).
#[derive(Serialize)]
struct Shard<'a> {
    w: Vec<&'a str>,
    g: Vec<i64>,
    p: Vec<Vec<u32>>,
}

/// What a result shows of a page: URL, title, guide heading, language, and
/// each section as (anchor, title, start of its text).
#[derive(Serialize)]
struct Fragment<'a> {
    u: &'a str,
    t: &'a str,
    h: &'a str,
    l: &'a str,
    s: Vec<(&'a str, &'a str, &'a str)>,
}

impl<'a> Fragment<'a> {
    fn new(page: &'a Prepared) -> Fragment<'a> {
        let sections = page.page.sections.iter();
        Fragment {
            u: &page.url,
            t: &page.title,
            h: &page.heading,
            l: &page.lang,
            s: sections
                .map(|s| (s.anchor.as_str(), s.title.as_str(), s.text.as_str()))
                .collect(),
        }
    }
}

/// The pages' fragments cut into bundles of consecutive pages: (first page,
/// the bundle's JSON: an array of fragments).
fn fragment_bundles(pages: &[&Prepared]) -> Vec<(usize, String)> {
    let mut bundles: Vec<(usize, String)> = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        match bundles.last_mut() {
            Some((_, b)) if b.len() < FRAGMENT_BYTES => b.push(','),
            _ => bundles.push((n, "[".into())),
        }
        let bundle = &mut bundles.last_mut().expect("a bundle").1;
        bundle.push_str(&json(&Fragment::new(page)));
    }
    for (_, b) in &mut bundles {
        b.push(']');
    }
    bundles
}

/// Every word of the site, sorted (by bytes: the order the client compares
/// strings in, as no word has a character beyond U+FFFF), with its stem group.
struct Vocabulary<'a> {
    words: Vec<&'a str>,
    /// Per word, its group, or None for a stop word.
    groups: Vec<Option<u32>>,
    /// Per page, the place in `words` of each of its own words.
    of_page: Vec<Vec<u32>>,
}

impl<'a> Vocabulary<'a> {
    fn new(pages: &[&'a Prepared]) -> Vocabulary<'a> {
        // Pages share most of their words: number the distinct ones as met
        // (a hash lookup per page word), then sort only those.
        let mut met: FxHashMap<&str, u32> = FxHashMap::default();
        let mut distinct: Vec<&str> = Vec::new();
        let met_of_page: Vec<Vec<u32>> = pages
            .iter()
            .map(|p| {
                let words = p.page.words.iter();
                words
                    .map(|w| {
                        *met.entry(w).or_insert_with(|| {
                            distinct.push(w);
                            distinct.len() as u32 - 1
                        })
                    })
                    .collect()
            })
            .collect();
        let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
        order.par_sort_unstable_by_key(|&m| distinct[m as usize]);
        let mut place = vec![0u32; distinct.len()];
        for (n, &m) in order.iter().enumerate() {
            place[m as usize] = n as u32;
        }
        let words: Vec<&str> = order.iter().map(|&m| distinct[m as usize]).collect();
        let of_page = met_of_page
            .into_iter()
            .map(|mut ws| {
                ws.iter_mut().for_each(|m| *m = place[*m as usize]);
                ws
            })
            .collect();
        // One pair of stemmers per thread's share of the words: making one
        // builds stop-word sets and compiles the Korean trimmer's regex.
        let share = words.len().div_ceil(rayon::current_num_threads()).max(1);
        let stems: Vec<Option<String>> = words
            .par_chunks(share)
            .flat_map_iter(|chunk| {
                let stemmers = Stemmers::new();
                chunk.iter().map(|w| stemmers.stem(w)).collect::<Vec<_>>()
            })
            .collect();
        let mut numbers: FxHashMap<&str, u32> = FxHashMap::default();
        let groups = stems
            .iter()
            .map(|stem| {
                let stem = stem.as_deref()?;
                let next = numbers.len() as u32;
                Some(*numbers.entry(stem).or_insert(next))
            })
            .collect();
        Vocabulary {
            words,
            groups,
            of_page,
        }
    }

    fn group_count(&self) -> usize {
        self.groups
            .iter()
            .flatten()
            .max()
            .map_or(0, |&g| g as usize + 1)
    }
}

/// The build's stemmers (not `Send`: one per thread).
struct Stemmers {
    en: elasticlunr::Pipeline,
    ko: elasticlunr::Pipeline,
}

impl Stemmers {
    fn new() -> Stemmers {
        use elasticlunr::lang::Language;
        Stemmers {
            en: elasticlunr::lang::English::new().make_pipeline(),
            ko: elasticlunr::lang::Korean::new().make_pipeline(),
        }
    }

    /// The stem of a word, None for a stop word.
    fn stem(&self, word: &str) -> Option<String> {
        let hangul = word.chars().any(|c| ('\u{AC00}'..='\u{D7AF}').contains(&c));
        let pipeline = if hangul { &self.ko } else { &self.en };
        pipeline.run(vec![word.to_string()]).pop()
    }
}

/// A posting: (group, page, section, weight).
type Posting = (u32, u32, u32, u32);

/// Every posting, sorted by group, page and section.
fn postings(pages: &[&Prepared], vocab: &Vocabulary) -> Vec<Posting> {
    let sections = pages.iter().map(|p| p.page.sections.len()).sum::<usize>();
    let words: usize = pages
        .iter()
        .flat_map(|p| &p.page.sections)
        .map(|s| s.len as usize)
        .sum();
    let average_len = words as f64 / sections.max(1) as f64;
    let by_page: Vec<Vec<Posting>> = (0..pages.len())
        .into_par_iter()
        .map(|n| page_postings(n, &pages[n].page, vocab, average_len))
        .collect();
    // A counting sort by group: the postings come in page and section
    // order, and a group has one posting per section, so keeping that order
    // within each group is the full sort.
    let mut starts = vec![0usize; vocab.group_count() + 1];
    for p in by_page.iter().flatten() {
        starts[p.0 as usize + 1] += 1;
    }
    for g in 1..starts.len() {
        starts[g] += starts[g - 1];
    }
    let mut all = vec![(0, 0, 0, 0); starts[starts.len() - 1]];
    for p in by_page.into_iter().flatten() {
        let at = &mut starts[p.0 as usize];
        all[*at] = p;
        *at += 1;
    }
    debug_assert!(all.is_sorted());
    all
}

fn page_postings(n: usize, page: &PageWords, vocab: &Vocabulary, average_len: f64) -> Vec<Posting> {
    let group = |w: &u32| vocab.groups[vocab.of_page[n][*w as usize] as usize];
    let title: Vec<u32> = page.title_words.iter().filter_map(group).collect();
    let guide: Vec<u32> = page.heading_words.iter().filter_map(group).collect();
    let mut out = Vec::new();
    // Per group: its body score in the section, and whether it is in the heading.
    let mut weights: FxHashMap<u32, (f64, bool)> = FxHashMap::default();
    for (s, section) in page.sections.iter().enumerate() {
        let norm = K1 * (1.0 - B + B * f64::from(section.len) / average_len.max(1.0));
        for &(w, in_heading, in_body) in &section.counts {
            let Some(g) = group(&w) else { continue };
            let tf = f64::from(in_body);
            let weight = weights.entry(g).or_default();
            weight.0 += tf / (tf + norm);
            weight.1 |= in_heading > 0;
        }
        let page_level = title
            .iter()
            .map(|g| (g, if s == 0 { IN_TITLE_TOP } else { IN_TITLE }));
        let mut extra: FxHashMap<u32, f64> = FxHashMap::default();
        for (&g, w) in page_level.chain(guide.iter().map(|g| (g, IN_GUIDE_HEADING))) {
            *extra.entry(g).or_default() += w;
            weights.entry(g).or_default();
        }
        for (g, (body, in_heading)) in weights.drain() {
            let heading = if in_heading { IN_HEADING } else { 0.0 };
            let w = BODY_MAX * body.min(1.0) + heading + extra.get(&g).copied().unwrap_or(0.0);
            let weight = (w * 10.0).round().max(1.0) as u32;
            out.push((g, n as u32, s as u32, weight));
        }
    }
    out
}

/// The words cut into shards, each with the postings of its words' groups.
fn shards<'a>(vocab: &Vocabulary<'a>, postings: &[Posting]) -> Vec<Shard<'a>> {
    // Where each group's postings start in `postings`.
    let mut starts = vec![0usize; vocab.group_count() + 1];
    for p in postings {
        starts[p.0 as usize + 1] += 1;
    }
    for g in 1..starts.len() {
        starts[g] += starts[g - 1];
    }
    let mut shards = Vec::new();
    let mut shard = ShardBuilder::default();
    for (word, group) in vocab.words.iter().zip(&vocab.groups) {
        let bytes = match group {
            Some(g) => shard.add(
                word,
                *g,
                &postings[starts[*g as usize]..starts[*g as usize + 1]],
            ),
            None => shard.add_stop_word(word),
        };
        if bytes >= SHARD_BYTES {
            shards.push(std::mem::take(&mut shard).finish());
        }
    }
    if !shard.words.is_empty() || shards.is_empty() {
        shards.push(shard.finish());
    }
    shards
}

#[derive(Default)]
struct ShardBuilder<'a> {
    words: Vec<&'a str>,
    groups: Vec<i64>,
    postings: Vec<Vec<u32>>,
    /// Group number → its place in this shard.
    local: FxHashMap<u32, i64>,
    bytes: usize,
}

impl<'a> ShardBuilder<'a> {
    /// Adds a word and, the first time its group is met here, the group's
    /// postings; returns the shard's size so far (roughly, in bytes).
    fn add(&mut self, word: &'a str, group: u32, postings: &[Posting]) -> usize {
        let next = self.postings.len() as i64;
        let local = *self.local.entry(group).or_insert(next);
        if local == next {
            let mut flat = Vec::with_capacity(postings.len() * 3);
            let mut page = 0;
            for &(_, p, s, w) in postings {
                flat.extend([p - page, s, w]);
                page = p;
            }
            self.bytes += flat.len() * 3;
            self.postings.push(flat);
        }
        self.words.push(word);
        self.groups.push(local);
        self.bytes += word.len() + 6;
        self.bytes
    }

    fn add_stop_word(&mut self, word: &'a str) -> usize {
        self.words.push(word);
        self.groups.push(-1);
        self.bytes += word.len() + 6;
        self.bytes
    }

    fn finish(self) -> Shard<'a> {
        Shard {
            w: self.words,
            g: self.groups,
            p: self.postings,
        }
    }
}

/// The words of four letters or more (stop words aside), by first character.
fn typo_lists<'a>(vocab: &Vocabulary<'a>) -> Vec<(char, Vec<&'a str>)> {
    let mut lists: BTreeMap<char, Vec<&str>> = BTreeMap::new();
    for (word, group) in vocab.words.iter().zip(&vocab.groups) {
        let long = word.chars().nth(TYPO_MIN_CHARS - 1).is_some();
        if let (Some(first), true, Some(_)) = (word.chars().next(), long, group) {
            lists.entry(first).or_default().push(word);
        }
    }
    lists.into_iter().collect()
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("index data serializes")
}

/// U+2028 and U+2029 are valid in JSON strings but end lines in older JS;
/// `</` is written `<\/` (the same string) so no text of a page can close a
/// `<script>` element should a file of the index ever be inlined.
fn script_safe(script: String) -> String {
    if script.contains(['\u{2028}', '\u{2029}']) || script.contains("</") {
        script
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
            .replace("</", "<\\/")
    } else {
        script
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Heading;
    use crate::search::{prepare, PageToIndex};
    use serde_json::{json, Map, Value};

    fn page(out: &str, title: &str, body: &str, headings: &[(&str, &str)]) -> Prepared {
        let mut front = Map::new();
        front.insert("title".into(), json!(title));
        front.insert("heading".into(), json!("Acme CRM"));
        let headings: Vec<Heading> = headings
            .iter()
            .map(|(text, id)| Heading {
                level: 2,
                text: text.to_string(),
                id: id.to_string(),
            })
            .collect();
        let p = PageToIndex {
            out_path: out,
            front: &front,
            body_html: body,
            headings: &headings,
        };
        prepare(&p, None).unwrap()
    }

    fn pages() -> Vec<Prepared> {
        vec![
            page(
                "a/authenticate.html",
                "Authenticate",
                "<p>Send the <code>clientSecret</code>.</p><h2 id=\"p\">Parameters</h2><p>Uploading is not here.</p>",
                &[("Parameters", "p")],
            ),
            page("a/bulk.html", "Bulk", "<p>Upload files and more files.</p>", &[]),
            page("a/ko/authenticate.html", "인증", "<p>SmartRecruiters 인증을 설정합니다. the</p>", &[]),
        ]
    }

    /// The data a file hands the client, by file name (`s0`, `manifest`).
    fn data(files: &[(String, Vec<u8>)], name: &str) -> Value {
        let path = format!("{INDEX_DIR}/{name}.js");
        let (_, bytes) = files.iter().find(|(p, _)| *p == path).expect(&path);
        let text = std::str::from_utf8(bytes).unwrap();
        let prefix = format!("elementdocsSearch({name:?},");
        let json = text
            .strip_prefix(&prefix)
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap();
        serde_json::from_str(json).unwrap()
    }

    /// The fragment of page `n`, from its bundle.
    fn fragment(files: &[(String, Vec<u8>)], n: usize) -> Value {
        let starts = data(files, "manifest")["fragments"].clone();
        let starts: Vec<usize> = serde_json::from_value(starts).unwrap();
        let b = starts.iter().rposition(|&s| s <= n).unwrap();
        data(files, &format!("f{b}"))[n - starts[b]].clone()
    }

    /// The postings of `word` as (page URL, section anchor, weight).
    fn lookup(files: &[(String, Vec<u8>)], word: &str) -> Option<Vec<(String, String, u64)>> {
        let manifest = data(files, "manifest");
        let firsts: Vec<&str> = manifest["shards"]
            .as_array()?
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let n = firsts.iter().rposition(|f| *f <= word)?;
        let shard = data(files, &format!("s{n}"));
        let at = shard["w"].as_array()?.iter().position(|w| w == word)?;
        let g = shard["g"][at].as_i64()?;
        if g < 0 {
            return Some(Vec::new());
        }
        let flat: Vec<u64> = shard["p"][g as usize]
            .as_array()?
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let mut page = 0;
        let mut out = Vec::new();
        for t in flat.chunks(3) {
            page += t[0];
            let fragment = fragment(files, page as usize);
            let url = fragment["u"].as_str().unwrap().to_string();
            let anchor = fragment["s"][t[1] as usize][0]
                .as_str()
                .unwrap()
                .to_string();
            out.push((url, anchor, t[2]));
        }
        Some(out)
    }

    #[test]
    fn words_lead_to_the_sections_holding_their_stem() {
        let files = index_files(&pages());
        let secret = lookup(&files, "clientsecret").unwrap();
        assert_eq!(secret.len(), 1);
        assert_eq!(
            (secret[0].0.as_str(), secret[0].1.as_str()),
            ("a/authenticate.html", "")
        );
        // "upload" and "uploading" share a stem: either word finds both pages.
        let upload = lookup(&files, "upload").unwrap();
        assert_eq!(lookup(&files, "uploading").unwrap(), upload);
        let places: Vec<(&str, &str)> = upload
            .iter()
            .map(|p| (p.0.as_str(), p.1.as_str()))
            .collect();
        assert_eq!(places, [("a/authenticate.html", "p"), ("a/bulk.html", "")]);
        // A heading weighs more than a body.
        let param = lookup(&files, "parameters").unwrap();
        assert!(param[0].2 > upload[0].2, "{param:?} {upload:?}");
        // Korean words are kept as written (particles and all); stop words
        // are listed, with no postings.
        assert_eq!(lookup(&files, "인증을").unwrap().len(), 1);
        assert_eq!(lookup(&files, "the"), Some(Vec::new()));
        assert_eq!(lookup(&files, "nowhere"), None);
    }

    #[test]
    fn the_page_title_weighs_most_on_the_page_top() {
        let files = index_files(&pages());
        let auth = lookup(&files, "authenticate").unwrap();
        let on = |anchor: &str| {
            auth.iter()
                .find(|p| p.0 == "a/authenticate.html" && p.1 == anchor)
                .unwrap()
                .2
        };
        assert!(on("") > on("p"), "{auth:?}");
    }

    #[test]
    fn files_do_not_depend_on_the_order_of_pages() {
        let mut p = pages();
        let a = index_files(&p);
        p.reverse();
        assert_eq!(a, index_files(&p));
        let manifest = data(&a, "manifest");
        assert_eq!(manifest["pages"], 3);
        assert_eq!(manifest["sections"], 4);
        assert_eq!(manifest["lang"], "en");
        assert_eq!(manifest["langs"], json!({"ko": [2]}));
        let first = fragment(&a, 0);
        assert_eq!(first["u"], "a/authenticate.html");
        assert_eq!(fragment(&a, 2)["l"], "ko");
        assert_eq!(
            first["s"][1],
            json!(["p", "Parameters", "Uploading is not here."])
        );
    }

    #[test]
    fn shards_are_cut_by_size_in_word_order() {
        let body: String = (0..3000).map(|n| format!("word{n} ")).collect();
        let many = [page("big.html", "Big", &format!("<p>{body}</p>"), &[])];
        let files = index_files(&many);
        let manifest = data(&files, "manifest");
        let firsts: Vec<String> = manifest["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert!(firsts.len() > 2, "{firsts:?}");
        let mut sorted = firsts.clone();
        sorted.sort();
        assert_eq!(firsts, sorted);
        for w in ["word0", "word1999", "word2999", "big"] {
            assert_eq!(lookup(&files, w).map(|p| p.len()), Some(1), "{w}");
        }
        // The typo list of `w` holds every word starting with it.
        assert!(manifest["typo"].as_str().unwrap().contains('w'));
        assert_eq!(data(&files, "w-77").as_array().unwrap().len(), 3000);
    }

    #[test]
    fn an_empty_site_still_has_a_manifest() {
        let files = index_files(&[]);
        assert_eq!(data(&files, "manifest")["pages"], 0);
    }
}
