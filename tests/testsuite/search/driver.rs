//! The search box as a reader uses it (type a query, read the results),
//! as methods of the tests' one WebDriver client.

use crate::webdriver::Browser;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

impl Browser {
    fn search_box(&self) -> String {
        self.element("#ed-search")
    }

    /// Send keys to the search box without clearing it.
    pub fn keys(&self, text: &str) {
        let id = self.search_box();
        self.post(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    /// Clear the search box and type `text` into it, key by key.
    /// Under `serve` a live reload may replace the page meanwhile: then the
    /// box is found again and the query typed again.
    pub fn type_query(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let id = self.search_box();
            let typed = self
                .try_post(&format!("/element/{id}/clear"), &json!({}))
                .and_then(|_| {
                    self.try_post(&format!("/element/{id}/value"), &json!({ "text": text }))
                });
            if typed.is_some() {
                return;
            }
            assert!(Instant::now() < deadline, "cannot type into #ed-search");
        }
    }

    /// Waits until the results list settles; returns each result as (link
    /// href, link text, texts of its <mark>s).
    pub fn results(&self) -> Vec<(String, String, Vec<String>)> {
        let started = Instant::now();
        let script = "var r = document.getElementById('ed-search-results');\
            return r ? Array.from(r.querySelectorAll('li')).map(function (li) { var a = li.querySelector('a'); \
              return [a.href, a.textContent, Array.from(li.querySelectorAll('mark')).map(function (m) { return m.textContent; })]; }) \
                     : null;";
        let mut last = Value::Null;
        loop {
            let v = self.js(script);
            if v.as_array().is_some_and(|a| !a.is_empty()) && v == last {
                break;
            }
            if started.elapsed() > Duration::from_secs(10) {
                break;
            }
            last = v;
            std::thread::sleep(Duration::from_millis(250));
        }
        let s = |v: &Value| v.as_str().unwrap_or("").to_string();
        last.as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let marks = p[2].as_array().map(|m| m.iter().map(s).collect());
                        (s(&p[0]), s(&p[1]), marks.unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The text of the results panel.
    pub fn results_text(&self) -> String {
        let v = self.js("return document.getElementById('ed-search-results').textContent;");
        v.as_str().unwrap_or("").to_string()
    }
}
