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
use elasticlunr::{Index, IndexBuilder, Language};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

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
    fn fields(&self) -> [String; 4] {
        [
            self.title.clone(),
            self.heading.clone(),
            self.headings.join(" \n "),
            self.text.clone(),
        ]
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
    let mut sorted: Vec<&SearchDoc> = docs.iter().collect();
    sorted.sort_by(|a, b| a.url.cmp(&b.url));
    let mut indexes: BTreeMap<Lang, Index> = BTreeMap::new();
    let mut store = Vec::with_capacity(sorted.len());
    for (n, doc) in sorted.into_iter().enumerate() {
        let index = indexes
            .entry(doc.lang)
            .or_insert_with(|| new_index(doc.lang));
        index.add_doc(&n.to_string(), doc.fields());
        store.push(json!({
            "u": doc.url,
            "t": doc.title,
            "h": doc.heading,
            "b": doc.teaser(),
            "l": doc.lang.code(),
        }));
    }
    let indexes: Map<String, Value> = indexes
        .into_iter()
        .map(|(lang, index)| {
            let v = serde_json::to_value(&index).unwrap_or(Value::Null);
            (lang.code().to_string(), v)
        })
        .collect();
    json!({"indexes": indexes, "docs": store})
}

/// Longest token indexed, in characters. Longer ones (hashes, tokens, URLs
/// in code samples) are never typed in a search box and would only deepen
/// the index's character tree.
pub const MAX_TOKEN_CHARS: usize = 32;

/// The language's own tokenizer (whitespace and hyphens, lowercased), without
/// the tokens longer than [`MAX_TOKEN_CHARS`].
fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = elasticlunr::lang::tokenize_whitespace(text);
    tokens.retain(|t| t.chars().count() <= MAX_TOKEN_CHARS);
    tokens
}

fn new_index(lang: Lang) -> Index {
    let builder = IndexBuilder::with_language(lang.language()).save_docs(false);
    FIELDS
        .into_iter()
        .fold(builder, |b, f| {
            b.add_field_with_tokenizer(f, Box::new(tokenize))
        })
        .build()
}

/// The index as a script: `window.elementdocsSearchIndex = {...};`.
pub fn index_script(docs: &[SearchDoc]) -> String {
    let json = serde_json::to_string(&build_index(docs)).unwrap_or_else(|_| "null".into());
    // U+2028 and U+2029 are valid in JSON strings but ended lines in older JS.
    let json = json
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    format!("window.elementdocsSearchIndex = {json};\n")
}

/// The search script: elasticlunr.js, the Korean stop words, the client.
pub fn search_script() -> String {
    format!("{ELASTICLUNR_JS}\n{KO_STOP_WORDS_JS}\n{CLIENT_JS}")
}

/// Plain text of an HTML fragment: tags become spaces, `<script>`, `<style>`
/// and comments are dropped, entities decoded, whitespace collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let tag = &rest[lt..];
        let opens_tag = tag[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        rest = if !opens_tag {
            // A `<` that starts no tag is text.
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
                // A lone `<` is text.
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

/// For `<script ...>` and `<style ...>`, the byte length up to the end of the
/// closing tag (or the whole rest when it is missing).
fn raw_text_end(tag: &str) -> Option<usize> {
    let lower: String = tag.chars().take(8).collect::<String>().to_ascii_lowercase();
    let name = ["script", "style"].into_iter().find(|n| {
        lower[1..].starts_with(n)
            && lower[1 + n.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == '>' || c.is_whitespace() || c == '/')
    })?;
    let close = format!("</{name}");
    let lower_all = tag.to_ascii_lowercase();
    Some(match lower_all.find(&close) {
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
        text: html_to_text(&page.rendered.html),
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
    let docs: Vec<SearchDoc> = pages
        .par_iter()
        .filter_map(|p| search_doc(by_rel.get(p.source.as_str())?, p, site_lang))
        .collect();
    vec![
        (SCRIPT_PATH.to_string(), search_script().into_bytes()),
        (INDEX_PATH.to_string(), index_script(&docs).into_bytes()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
