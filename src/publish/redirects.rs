//! `redirect_from`: a small page at each old path that sends readers (and
//! search engines) to the page's current URL, as jekyll-redirect-from does:
//! meta refresh, canonical link, a script, and a plain link.
//!
//! Old paths become output files the way Jekyll writes a permalink: a path
//! ending in `/` gets `index.html`, any other path gets `.html` unless it
//! already ends with it (`/old` → `old.html`, `/old/` → `old/index.html`).
//!
//! An old path that is already a file of the site, or that two pages claim,
//! is a warning (as Jekyll's "destination is shared" conflict is): the file,
//! or the first page in path order, keeps it; the build goes on.

use super::urls::{percent_decode, OutputSet};
use crate::diag::Diagnostic;
use crate::source::SourcePage;
use serde_json::Value;
use std::collections::BTreeMap;

/// One stub to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The old path as the page writes it, with a leading `/` (`/docs/old`).
    pub from: String,
    /// Output path of the stub, e.g. `docs/old.html`.
    pub out_path: String,
    /// Source page that asked for it.
    pub page: String,
    /// Output path of that page.
    pub target: String,
    /// Line of the old path in the page's front matter.
    pub line: usize,
}

/// The output file for an old path; None when it cannot be a path in the site.
pub fn redirect_out_path(from: &str) -> Option<String> {
    let from = percent_decode(from.trim());
    if from.contains("://") || from.starts_with("//") || from.contains(['?', '#', '\\']) {
        return None;
    }
    let segs: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    if segs.iter().any(|s| *s == "." || *s == "..") {
        return None;
    }
    let joined = segs.join("/");
    if from.ends_with('/') || joined.is_empty() {
        let dir = if joined.is_empty() {
            String::new()
        } else {
            format!("{joined}/")
        };
        return Some(format!("{dir}index.html"));
    }
    if joined.ends_with(".html") {
        Some(joined)
    } else {
        Some(format!("{joined}.html"))
    }
}

/// 1-based (line, col) of the first front matter line of `p` that contains
/// `needle` from the line that opens `key:` on (the column of the needle);
/// the key's position when not found; (1, 1) without the key.
pub fn front_line(p: &SourcePage, key: &str, needle: Option<&str>) -> (usize, usize) {
    let front = &p.text[..p.body_offset];
    let mut key_line = None;
    for (i, l) in front.lines().enumerate() {
        let opens = l
            .strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with(':'));
        if key_line.is_none() && !opens {
            continue;
        }
        if key_line.is_none() {
            key_line = Some(i + 1);
        }
        match needle {
            None => return (i + 1, 1),
            Some(nd) => {
                if let Some(at) = l.find(nd) {
                    return (i + 1, l[..at].chars().count() + 1);
                }
            }
        }
    }
    (key_line.unwrap_or(1), 1)
}

/// The old paths of a page's `redirect_from` (a string or a list of strings).
fn old_paths(p: &SourcePage) -> Result<Vec<String>, Box<Diagnostic>> {
    match p.front.get("redirect_from") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(other.to_string()),
            })
            .collect::<Result<_, _>>()
            .map_err(|v| bad_type(p, &v)),
        Some(other) => Err(bad_type(p, &other.to_string())),
    }
}

fn bad_type(p: &SourcePage, v: &str) -> Box<Diagnostic> {
    let (line, col) = front_line(p, "redirect_from", None);
    Box::new(
        Diagnostic::error(
            &p.rel,
            line,
            col,
            format!("`redirect_from` must be a path or a list of paths, not `{v}`"),
        )
        .with_source(&p.text)
        .with_help("write `redirect_from: /old/path.html` or a YAML list of such paths"),
    )
}

/// The stubs the pages ask for; `taken` holds every other output path.
/// An old path that is a real file of the site, or claimed twice, is an error.
pub fn collect(pages: &[&SourcePage], taken: &OutputSet) -> (Vec<Redirect>, Vec<Diagnostic>) {
    let mut stubs: BTreeMap<String, Redirect> = BTreeMap::new();
    let mut diags = Vec::new();
    for p in pages {
        let olds = match old_paths(p) {
            Ok(o) => o,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        for old in olds {
            let (line, col) = front_line(p, "redirect_from", Some(old.trim()));
            let err = |msg: String| Diagnostic::error(&p.rel, line, col, msg).with_source(&p.text);
            let Some(out_path) = redirect_out_path(&old) else {
                diags.push(
                    err(format!(
                        "`redirect_from: {old}` is not a path inside the site"
                    ))
                    .with_help("write the old path from the site root, e.g. `/docs/old-name.html`"),
                );
                continue;
            };
            let warn =
                |msg: String| Diagnostic::warning(&p.rel, line, col, msg).with_source(&p.text);
            if out_path == p.output_path() {
                diags.push(warn(format!(
                    "`redirect_from: {old}` is this page's own path; no stub is written"
                )));
            } else if taken.contains(&out_path) {
                diags.push(
                    warn(format!("`redirect_from: {old}` would replace `{out_path}`, which the site already has; no stub is written"))
                        .with_help("remove the old path from `redirect_from`, or the file that now lives there"),
                );
            } else if let Some(first) = stubs.get(&out_path) {
                diags.push(
                    warn(format!("`redirect_from: {old}` is claimed by two pages"))
                        .with_note(format!(
                            "`{}` redirects from it too, and its stub is the one written",
                            first.page
                        ))
                        .with_help("keep the old path on one page only"),
                );
            } else {
                stubs.insert(
                    out_path.clone(),
                    Redirect {
                        from: format!("/{}", old.trim().trim_start_matches('/')),
                        out_path,
                        page: p.rel.clone(),
                        target: p.output_path(),
                        line,
                    },
                );
            }
        }
    }
    (stubs.into_values().collect(), diags)
}

/// `redirects.json`, as jekyll-redirect-from writes it beside the stubs: each
/// old path (as the page writes it) mapped to the absolute URL it moved to.
/// `moved` holds (old path, absolute URL) pairs: the stubs and the pages
/// whose `redirect_to` sends them elsewhere. Keys sorted: the build is
/// deterministic (Jekyll's order is its page order, which JSON readers ignore).
pub fn redirects_json(moved: impl IntoIterator<Item = (String, String)>) -> String {
    let map: BTreeMap<String, String> = moved.into_iter().collect();
    serde_json::to_string(&map).unwrap_or_default()
}

/// The stub page sending readers to `to` (an absolute or root-relative URL).
pub fn stub_html(to: &str) -> String {
    let attr = html_escape::encode_double_quoted_attribute(to);
    let text = html_escape::encode_text(to);
    // In the inline script no `<` is left: nothing in the URL can end it.
    let js = serde_json::to_string(to)
        .unwrap_or_default()
        .replace('<', "\\u003c");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Redirecting&hellip;</title>\n<link rel=\"canonical\" href=\"{attr}\">\n\
<meta http-equiv=\"refresh\" content=\"0; url={attr}\">\n<meta name=\"robots\" content=\"noindex\">\n\
</head>\n<body>\n<h1>Redirecting&hellip;</h1>\n\
<p>This page has moved to <a href=\"{attr}\">{text}</a>.</p>\n\
<script>location.replace({js})</script>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_paths_become_files_like_jekyll_permalinks() {
        let cases = [
            ("/old/page.html", Some("old/page.html")),
            ("old/page.html", Some("old/page.html")),
            ("/old/page", Some("old/page.html")),
            ("/old/dir/", Some("old/dir/index.html")),
            ("/old.htm", Some("old.htm.html")),
            ("/a%20b", Some("a b.html")),
            ("/", Some("index.html")),
            ("https://elsewhere/x", None),
            ("/a/../b", None),
            ("/a?x=1", None),
        ];
        for (from, want) in cases {
            assert_eq!(redirect_out_path(from).as_deref(), want, "{from}");
        }
    }

    #[test]
    fn stub_has_refresh_canonical_and_link() {
        let to = "https://ex.com/a/b.html?x=1&y=\"2\"";
        let h = stub_html(to);
        let attr = "https://ex.com/a/b.html?x=1&amp;y=&quot;2&quot;";
        assert!(h.contains(&format!("<link rel=\"canonical\" href=\"{attr}\">")));
        assert!(h.contains(&format!("content=\"0; url={attr}\"")));
        assert!(h.contains(&format!("<a href=\"{attr}\">")));
        assert!(h.contains("noindex"));
    }

    fn page(rel: &str, front: &str) -> SourcePage {
        let text = format!("---\n{front}---\nbody\n");
        let split = crate::source::split_front_matter(&text, std::path::Path::new(rel))
            .unwrap()
            .unwrap();
        let fm = crate::source::parse_yaml(split.yaml, std::path::Path::new(rel), 2).unwrap();
        SourcePage {
            rel: rel.into(),
            content_rel: rel.into(),
            body_offset: split.body_offset,
            body_line: split.body_line,
            front: fm.as_object().cloned().unwrap(),
            text,
            is_markdown: true,
        }
    }

    #[test]
    fn collects_stubs_and_reports_conflicts_where_they_are_written() {
        let a = page(
            "a.md",
            "redirect_from:\n  - /old-a\n  - /b.html\n  - /shared/\n",
        );
        let b = page("b.md", "redirect_from: /shared/\n");
        let c = page("c.md", "redirect_from: [https://x.org/y]\n");
        let d = page("d.md", "redirect_from: 3\n");
        let taken = OutputSet::new(["a.html", "b.html", "c.html", "d.html"]);
        let (stubs, diags) = collect(&[&a, &b, &c, &d], &taken);
        let got: Vec<(&str, &str)> = stubs
            .iter()
            .map(|s| (s.out_path.as_str(), s.page.as_str()))
            .collect();
        assert_eq!(got, [("old-a.html", "a.md"), ("shared/index.html", "a.md")]);
        let find = |file: &str, msg: &str| {
            diags
                .iter()
                .find(|d| d.file == std::path::Path::new(file) && d.message.contains(msg))
                .unwrap_or_else(|| panic!("{msg}: {diags:?}"))
        };
        let over = find("a.md", "would replace `b.html`");
        assert_eq!((over.line, over.col, over.is_error()), (4, 5, false));
        let twice = find("b.md", "claimed by two pages");
        assert_eq!((twice.line, twice.col), (2, 16));
        assert!(find("c.md", "not a path inside the site").is_error());
        assert!(find("d.md", "must be a path or a list").is_error());
    }
}
