//! The 20 queries of `tests/sites/search/queries.yml`, run in Chromium over
//! loopback HTTP: for each, whether the expected page (and section) comes
//! first or in the top 3, the bytes the query loaded (the page's own files
//! aside), and the time from the keystroke to the first result shown.
//!
//! A measurement more than a test: it prints its table (and writes it to
//! `search-quality-<set>.txt` in Cargo's test temporary folder) and only
//! fails below a floor. `SEARCH_QUALITY_CORPUS_SITE` and
//! `SEARCH_QUALITY_FIXTURE_SITE` name an already built site to measure
//! instead (another binary's output, to compare).

use crate::static_host::serve_logged;
use crate::webdriver::Browser;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Queries {
    corpus: Vec<Query>,
    fixture: Vec<Query>,
}

#[derive(Deserialize)]
struct Query {
    query: String,
    /// The page expected first (output path).
    expect: String,
    /// The heading of the section expected first, if any.
    section: Option<String>,
}

#[derive(Default, Debug)]
struct Tally {
    queries: usize,
    page_first: usize,
    page_top3: usize,
    section_first: usize,
    sections_asked: usize,
    bytes: Vec<usize>,
    millis: Vec<f64>,
}

fn queries() -> Queries {
    let path = super::fixture().join("queries.yml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The site to measure: the one named by `var`, or `src` built into `tmp`.
fn site(var: &str, src: &Path, tmp: &Path) -> (PathBuf, bool) {
    match std::env::var_os(var) {
        Some(dir) => (PathBuf::from(dir), false),
        None => {
            super::build_fixture(src, tmp, None);
            (tmp.to_path_buf(), true)
        }
    }
}

/// Types `query` into the box and waits for the first result link; returns
/// the milliseconds it took (from the input event).
fn time_to_first_result(driver: &Browser, query: &str) -> f64 {
    let script = format!(
        "var done = arguments[0], box = document.getElementById('ed-search'),\
           out = document.getElementById('ed-search-results'), t0 = 0;\
         var obs = new MutationObserver(function () {{\
           if (out.querySelector('a')) {{ obs.disconnect(); done(performance.now() - t0); }} }});\
         obs.observe(out, {{ childList: true, subtree: true }});\
         setTimeout(function () {{ obs.disconnect(); done(-1); }}, 20000);\
         box.focus(); box.value = {query:?}; t0 = performance.now();\
         box.dispatchEvent(new Event('input', {{ bubbles: true }}));"
    );
    driver.js_async(&script).as_f64().unwrap_or(-1.0)
}

fn measure(set: &str, qs: &[Query], root: &Path, start_page: &str) -> Tally {
    let (url, log) = serve_logged(root.to_path_buf(), "/");
    let driver = Browser::start();
    let mut tally = Tally::default();
    let mut report = String::new();
    for q in qs {
        driver.goto(&format!("{url}{start_page}"));
        driver.js_async("var d = arguments[0]; if (document.readyState === 'complete') d(); else addEventListener('load', function () { d(); });");
        std::thread::sleep(std::time::Duration::from_millis(200));
        log.lock().unwrap().clear();
        let ms = time_to_first_result(&driver, &q.query);
        let results = driver.results();
        let loaded: Vec<(String, usize)> = log.lock().unwrap().clone();
        let bytes: usize = loaded.iter().map(|(_, n)| n).sum();
        let titles = driver.js(
            "return Array.from(document.querySelectorAll('#ed-search-results li')).map(function (li) {\
               var t = li.querySelector('.ed-search-title'); return t ? t.textContent : ''; });",
        );
        let titles = crate::common::strs(&titles);
        let is_expected = |href: &str| {
            let page = href.split('#').next().unwrap_or("");
            page.strip_prefix(url.as_str()) == Some(q.expect.as_str())
        };
        let rank = results.iter().position(|r| is_expected(&r.0));
        tally.queries += 1;
        tally.page_first += usize::from(rank == Some(0));
        tally.page_top3 += usize::from(rank.is_some_and(|r| r < 3));
        if let Some(section) = &q.section {
            tally.sections_asked += 1;
            let first_title = titles.first().map(String::as_str);
            let hit = rank == Some(0) && first_title == Some(section.as_str());
            tally.section_first += usize::from(hit);
        }
        tally.bytes.push(bytes);
        tally.millis.push(ms);
        let first = results.first().map_or("-", |r| r.0.as_str());
        report.push_str(&format!(
            "{:<34} rank {:>4} {:>9} B {:>7.0} ms  first: {first}\n",
            q.query,
            rank.map_or("-".to_string(), |r| (r + 1).to_string()),
            bytes,
            ms
        ));
        for (path, n) in &loaded {
            report.push_str(&format!("    {n:>9} {path}\n"));
        }
    }
    let summary = summary(&tally);
    report.push_str(&summary);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("search-quality-{set}.txt"));
    std::fs::write(&out, &report).unwrap();
    eprintln!("{set}:\n{report}(also in {})", out.display());
    tally
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn summary(t: &Tally) -> String {
    let bytes: Vec<f64> = t.bytes.iter().map(|&b| b as f64).collect();
    format!(
        "{} queries: expected page first {}, in the top 3 {}; expected section first {} of {}; \
         bytes loaded per query median {:.0}, max {:.0}; first result median {:.0} ms, max {:.0} ms\n",
        t.queries,
        t.page_first,
        t.page_top3,
        t.section_first,
        t.sections_asked,
        median(&bytes),
        bytes.iter().copied().fold(0.0, f64::max),
        median(&t.millis),
        t.millis.iter().copied().fold(0.0, f64::max),
    )
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn quality_on_the_corpus_and_the_fixture() {
    let qs = queries();
    let tmp = tempfile::tempdir().unwrap();
    let corpus = crate::common::corpus("devportal");
    let (root, built) = site(
        "SEARCH_QUALITY_CORPUS_SITE",
        &corpus,
        &tmp.path().join("corpus"),
    );
    let start = "docs/elements/smartrecruiters/index.html";
    let on_corpus = measure("corpus", &qs.corpus, &root, start);
    let (root, _) = site(
        "SEARCH_QUALITY_FIXTURE_SITE",
        &super::fixture(),
        &tmp.path().join("fixture"),
    );
    let on_fixture = measure(
        "fixture",
        &qs.fixture,
        &root,
        "docs/smartrecruiters/ko/index.html",
    );
    assert_eq!(
        on_corpus.queries + on_fixture.queries,
        20,
        "the file holds 20 queries"
    );
    if built {
        // A floor against regressions, below what this index measured.
        assert!(on_corpus.page_top3 >= 12, "{on_corpus:?}");
        assert!(on_fixture.page_first >= 4, "{on_fixture:?}");
    }
}
