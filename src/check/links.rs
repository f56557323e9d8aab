//! Internal links: find every link, image and asset reference in the final
//! HTML of each page (Markdown, raw HTML and layout alike), resolve it against
//! the files the build produces, check `#anchors` against the ids of the
//! target page, and map each problem back to `path:line:col` in the source.

use crate::diag::did_you_mean;
use crate::html::{self, decode, srcset_urls};
use crate::publish::urls::{
    is_external, join_path, parent_dir, percent_decode, split_url, OutputSet,
};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// What a reference is for: its kind decides the wording and the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// `<a href>`, `<area href>`: anchors are checked.
    Link,
    /// `<img src>`, `<img srcset>`, `<source>`.
    Image,
    /// `<link href>`, `<script src>`, `<iframe src>`, media.
    Asset,
}

/// One reference found in a page's HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub kind: RefKind,
    /// The value as written in the HTML (entities not decoded).
    pub raw: String,
    /// Decoded (`&amp;` → `&`), trimmed.
    pub href: String,
}

/// Every reference of a document, in order.
pub fn extract(doc: &str) -> Vec<Ref> {
    let mut out = Vec::new();
    for t in html::tags(doc) {
        let name = t.name.to_ascii_lowercase();
        let (attr, kind) = match name.as_str() {
            "a" | "area" => ("href", RefKind::Link),
            "link" => ("href", RefKind::Asset),
            "img" | "source" => ("src", RefKind::Image),
            "script" | "iframe" | "video" | "audio" | "embed" | "track" => ("src", RefKind::Asset),
            _ => continue,
        };
        if let Some(a) = t.attr(attr) {
            push(&mut out, kind, a.value);
        }
        if let Some(a) = t.attr("srcset") {
            for (s, e) in srcset_urls(a.value) {
                push(&mut out, RefKind::Image, &a.value[s..e]);
            }
        }
    }
    out
}

fn push(out: &mut Vec<Ref>, kind: RefKind, raw: &str) {
    let raw = raw.trim();
    out.push(Ref {
        kind,
        raw: raw.to_string(),
        href: decode(raw).trim().to_string(),
    });
}

/// What the site looks like to the link checker.
pub struct SiteIndex<'a> {
    pub outputs: &'a OutputSet,
    /// Ids of every HTML output (pages and generated pages), by output path.
    pub ids: &'a HashMap<String, HashSet<String>>,
    /// `baseurl`: root-relative links must start with it.
    pub baseurl: &'a str,
    /// `url`: absolute links to it are internal links.
    pub url: &'a str,
    /// Suggestions already computed, by (wanted path, image only).
    pub suggestions: Mutex<HashMap<(String, bool), Option<String>>>,
}

impl<'a> SiteIndex<'a> {
    pub fn new(
        outputs: &'a OutputSet,
        ids: &'a HashMap<String, HashSet<String>>,
        baseurl: &'a str,
        url: &'a str,
    ) -> Self {
        SiteIndex {
            outputs,
            ids,
            baseurl,
            url,
            suggestions: Mutex::default(),
        }
    }

    fn suggest(&self, wanted: &str, image: bool) -> Option<String> {
        let key = (wanted.to_string(), image);
        if let Some(s) = self.lock().get(&key) {
            return s.clone();
        }
        let s = suggest_path(self.outputs, wanted, image);
        self.lock().insert(key, s.clone());
        s
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, bool), Option<String>>> {
        self.suggestions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What is wrong with one reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Problem {
    pub message: String,
    pub help: Option<String>,
}

/// The outcome of resolving a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Not an internal reference (external, `mailto:`, empty, templated...).
    Skipped,
    /// An http(s) URL, for `--external`.
    External(String),
    Ok,
    Broken(Problem),
}

impl SiteIndex<'_> {
    /// Resolve `r` as found on the page written to `page_out`.
    pub fn resolve(&self, page_out: &str, r: &Ref) -> Resolution {
        let mut href = r.href.as_str();
        if href.is_empty() || href.contains("{{") || href.contains("{%") {
            return Resolution::Skipped;
        }
        let own_site = (!self.url.is_empty())
            .then(|| href.strip_prefix(self.url))
            .flatten()
            .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
        if let Some(rest) = own_site {
            href = if rest.is_empty() { "/" } else { rest };
        } else if is_external(href) {
            let lower = href.to_ascii_lowercase();
            return if lower.starts_with("http://") || lower.starts_with("https://") {
                Resolution::External(href.to_string())
            } else {
                Resolution::Skipped
            };
        }
        let (path, _query, frag) = split_url(href);
        let path = percent_decode(path);
        let target = if path.is_empty() {
            Some(page_out.to_string())
        } else {
            match self.site_path(page_out, &path) {
                Ok(p) => self.outputs.resolve(&p),
                Err(problem) => return Resolution::Broken(problem),
            }
        };
        let Some(target) = target else {
            return Resolution::Broken(self.missing(page_out, r, &path));
        };
        match frag {
            Some(f) if !f.is_empty() && r.kind == RefKind::Link => self.anchor(&target, f),
            _ => Resolution::Ok,
        }
    }

    /// The site path (no base, no leading `/`) a link path names.
    fn site_path(&self, page_out: &str, path: &str) -> Result<String, Problem> {
        let joined = if let Some(abs) = path.strip_prefix('/') {
            if self.baseurl.is_empty() {
                Some(abs.to_string())
            } else {
                let rest = path
                    .strip_prefix(self.baseurl)
                    .filter(|r| r.is_empty() || r.starts_with('/'));
                let Some(rest) = rest else {
                    return Err(Problem {
                        message: format!("`{path}` is outside the base URL `{}`", self.baseurl),
                        help: Some("write links from the site root (`/docs/x.html`); the build moves them under the base URL".into()),
                    });
                };
                join_path("", rest)
            }
        } else {
            join_path(parent_dir(page_out), path)
        };
        joined.ok_or_else(|| Problem {
            message: format!("`{path}` climbs above the site root"),
            help: None,
        })
    }

    fn missing(&self, page_out: &str, r: &Ref, path: &str) -> Problem {
        let what = match r.kind {
            RefKind::Link => "link",
            RefKind::Image => "image",
            RefKind::Asset => "file",
        };
        let wanted = self.site_path(page_out, path).unwrap_or_default();
        let sugg = self.suggest(&wanted, r.kind == RefKind::Image);
        let shown_target = if wanted.is_empty() || wanted.ends_with('/') {
            format!("{wanted}index.html")
        } else {
            wanted.clone()
        };
        Problem {
            message: format!(
                "{what} `{}` does not resolve: the site has no `{shown_target}`",
                self.as_written(&r.href)
            ),
            help: sugg.map(|s| {
                let shown = if path.starts_with('/') {
                    format!("/{s}")
                } else {
                    relative_path(parent_dir(page_out), &s)
                };
                format!("did you mean `{shown}`?")
            }),
        }
    }

    /// A root-relative href as the author wrote it, before the build moved it
    /// under the base URL.
    pub fn as_written<'h>(&self, href: &'h str) -> &'h str {
        match href.strip_prefix(self.baseurl) {
            Some(rest) if !self.baseurl.is_empty() && rest.starts_with('/') => rest,
            _ => href,
        }
    }

    fn anchor(&self, target: &str, frag: &str) -> Resolution {
        let Some(ids) = self.ids.get(target) else {
            return Resolution::Ok; // not a page we rendered (a static HTML file)
        };
        let frag = percent_decode(frag);
        // Browsers scroll to the top for `#top` when no element has that id.
        if ids.contains(&frag) || frag.eq_ignore_ascii_case("top") {
            return Resolution::Ok;
        }
        let mut cands: Vec<&str> = ids.iter().map(String::as_str).collect();
        cands.sort_unstable();
        Resolution::Broken(Problem {
            message: format!("anchor `#{frag}` does not exist on `{target}`"),
            help: did_you_mean(&frag, cands).map(|s| format!("did you mean `#{s}`?")),
        })
    }
}

const IMAGE_EXTS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "avif",
];

fn stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name)
}

/// The output file closest to `wanted`: the same path in another case, a file
/// of the same folder with the same or a near name, or a near path elsewhere.
pub fn suggest_path(outputs: &OutputSet, wanted: &str, image: bool) -> Option<String> {
    let wanted = match wanted.strip_suffix('/') {
        Some(folder) => match suggest_folder(outputs, folder) {
            Some(s) => return Some(s),
            None => folder,
        },
        None => wanted,
    };
    let mut files: Vec<&str> = outputs
        .files()
        .filter(|f| {
            !image
                || f.rsplit_once('.')
                    .is_some_and(|(_, e)| IMAGE_EXTS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort_unstable();
    if let Some(f) = files.iter().find(|f| f.eq_ignore_ascii_case(wanted)) {
        return Some(f.to_string());
    }
    let dir = parent_dir(wanted);
    let same_dir: Vec<&str> = files
        .iter()
        .copied()
        .filter(|f| parent_dir(f) == dir)
        .collect();
    let want_stem = stem(wanted);
    if let Some(f) = same_dir
        .iter()
        .find(|f| stem(f).eq_ignore_ascii_case(want_stem))
    {
        return Some(f.to_string());
    }
    if let Some(s) = did_you_mean(want_stem, same_dir.iter().map(|f| stem(f))) {
        return same_dir
            .iter()
            .find(|f| stem(f) == s)
            .map(|f| f.to_string());
    }
    // normalized_levenshtein >= 0.85 needs lengths within 15% of each other.
    let close_len =
        |f: &str| f.len().abs_diff(wanted.len()) * 100 <= 15 * f.len().max(wanted.len());
    files
        .iter()
        .filter(|f| close_len(f))
        .map(|f| (strsim::normalized_levenshtein(wanted, f), *f))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)))
        .map(|(_, f)| f.to_string())
}

/// A sibling folder with an `index.html` and a near name, as `path/`.
fn suggest_folder(outputs: &OutputSet, folder: &str) -> Option<String> {
    let parent = parent_dir(folder);
    let name = folder.rsplit('/').next().unwrap_or(folder);
    let mut siblings: Vec<&str> = outputs
        .files()
        .filter_map(|f| f.strip_suffix("/index.html"))
        .filter(|d| parent_dir(d) == parent)
        .collect();
    siblings.sort_unstable();
    let names = siblings.iter().map(|d| d.rsplit('/').next().unwrap_or(d));
    // Folder names of one catalog share prefixes and suffixes: ask for more
    // than `did_you_mean` does, so `clover` does not suggest `closeio`.
    let best = names
        .clone()
        .find(|n| n.eq_ignore_ascii_case(name))
        .or_else(|| {
            names
                .map(|n| (strsim::jaro_winkler(name, n), n))
                .filter(|(score, _)| *score >= 0.88)
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)))
                .map(|(_, n)| n)
        })?;
    Some(if parent.is_empty() {
        format!("{best}/")
    } else {
        format!("{parent}/{best}/")
    })
}

/// The relative href from folder `from_dir` to file `to` (both site paths).
pub fn relative_path(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut s = "../".repeat(from.len() - common);
    s.push_str(&to_parts[common..].join("/"));
    if s.is_empty() {
        s.push_str("./");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (OutputSet, HashMap<String, HashSet<String>>) {
        let out = OutputSet::new([
            "index.html",
            "docs/a/index.html",
            "docs/a/setup.html",
            "docs/a/img/shot.png",
            "docs/alpha/index.html",
            "assets/img/logo.png",
        ]);
        let mut ids = HashMap::new();
        ids.insert(
            "docs/a/setup.html".to_string(),
            ["step-1", "step-2", "page-body"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        ids.insert("docs/a/index.html".to_string(), HashSet::new());
        (out, ids)
    }

    fn check(base: &str, page: &str, kind: RefKind, href: &str) -> Resolution {
        let (out, ids) = site();
        let idx = SiteIndex::new(&out, &ids, base, "https://ex.com");
        idx.resolve(
            page,
            &Ref {
                kind,
                raw: href.into(),
                href: href.into(),
            },
        )
    }

    fn help(r: Resolution) -> Option<String> {
        match r {
            Resolution::Broken(p) => p.help,
            other => panic!("expected a problem, got {other:?}"),
        }
    }

    #[test]
    fn resolves_relative_root_and_anchor_links() {
        let page = "docs/a/index.html";
        let l = |h| check("", page, RefKind::Link, h);
        assert_eq!(l("setup.html"), Resolution::Ok);
        assert_eq!(l("setup.html#step-2"), Resolution::Ok);
        assert_eq!(l("./setup#step-1"), Resolution::Ok);
        assert_eq!(l("/docs/a/"), Resolution::Ok);
        assert_eq!(l("../a/setup.html?x=1"), Resolution::Ok);
        assert_eq!(l("https://ex.com/docs/a/setup.html#step-1"), Resolution::Ok);
        assert_eq!(l("#"), Resolution::Ok);
        assert_eq!(l("#top"), Resolution::Ok);
        assert_eq!(l("mailto:a@b.c"), Resolution::Skipped);
        assert_eq!(l("{{ page.url }}"), Resolution::Skipped);
        assert_eq!(
            l("http://other.com/x"),
            Resolution::External("http://other.com/x".into())
        );
        assert!(matches!(l("../../../x.html"), Resolution::Broken(_)));
    }

    #[test]
    fn suggests_near_targets_and_anchors() {
        let page = "docs/a/index.html";
        let l = |h| check("", page, RefKind::Link, h);
        assert_eq!(
            help(l("setpu.html")).as_deref(),
            Some("did you mean `setup.html`?")
        );
        assert_eq!(
            help(l("/docs/a/setpu.html")).as_deref(),
            Some("did you mean `/docs/a/setup.html`?")
        );
        assert_eq!(
            help(l("setup.html#step-3")).as_deref(),
            Some("did you mean `#step-1`?")
        );
        assert_eq!(help(l("#step-1")), None, "the overview has no ids");
        let img = check("", page, RefKind::Image, "img/shot.jpg");
        assert_eq!(help(img).as_deref(), Some("did you mean `img/shot.png`?"));
        let img = check("", page, RefKind::Image, "/assets/img/logo.png");
        assert_eq!(img, Resolution::Ok);
        // Far from everything: no guess.
        assert_eq!(help(l("/docs/platform/events/index.html")), None);
        assert_eq!(help(l("events.html")), None);
        // A folder link: a sibling folder with a near name.
        assert_eq!(help(l("/docs/b/")), None);
        assert_eq!(
            help(l("../alpah/")).as_deref(),
            Some("did you mean `../alpha/`?")
        );
        let from_docs = check("", "docs/x.html", RefKind::Link, "alpah/");
        assert_eq!(help(from_docs).as_deref(), Some("did you mean `alpha/`?"));
        // Moved to a sibling folder.
        assert_eq!(
            help(l("/docs/a/img/shot.png/")).as_deref(),
            Some("did you mean `/docs/a/img/shot.png`?")
        );
        assert_eq!(
            help(l("/docs/b/setup.html")).as_deref(),
            Some("did you mean `/docs/a/setup.html`?")
        );
    }

    #[test]
    fn root_links_must_be_under_the_base() {
        let page = "docs/a/index.html";
        assert_eq!(
            check("/sub", page, RefKind::Link, "/sub/docs/a/setup.html"),
            Resolution::Ok
        );
        assert!(matches!(
            check("/sub", page, RefKind::Link, "/docs/a/setup.html"),
            Resolution::Broken(p) if p.message.contains("outside the base URL")
        ));
    }

    #[test]
    fn extracts_links_images_and_assets() {
        let doc = r#"<a href="a.html#x">a</a><img src="i.png" srcset="j.png 2x"><link href="/s.css"><a name="n"></a><script src="/j.js"></script><a href="x&amp;y">"#;
        let refs: Vec<(RefKind, String)> =
            extract(doc).into_iter().map(|r| (r.kind, r.href)).collect();
        assert_eq!(
            refs,
            [
                (RefKind::Link, "a.html#x".to_string()),
                (RefKind::Image, "i.png".to_string()),
                (RefKind::Image, "j.png".to_string()),
                (RefKind::Asset, "/s.css".to_string()),
                (RefKind::Asset, "/j.js".to_string()),
                (RefKind::Link, "x&y".to_string()),
            ]
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative_path("docs/a", "docs/a/b.html"), "b.html");
        assert_eq!(relative_path("docs/a", "docs/c/b.html"), "../c/b.html");
        assert_eq!(relative_path("", "x/y.html"), "x/y.html");
        assert_eq!(relative_path("a/b", "z.html"), "../../z.html");
    }
}
