//! URLs inside the site: splitting, percent-decoding, resolving a link to the
//! output file it names, and the base-url rewrite.
//!
//! The rewrite is the single place where `baseurl` enters the output HTML:
//! templates and content write plain root-relative URLs (`/assets/x.png`) and
//! [`rewrite_root_urls`] moves every one of them under the base once.

use crate::html;
use std::collections::HashSet;

/// Split an href into (path, query, fragment); query and fragment keep no `?`/`#`.
pub fn split_url(href: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, frag) = match href.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (href, None),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    (path, query, frag)
}

/// Decode `%XX` escapes (as UTF-8); malformed escapes are kept as written,
/// and text that would not be UTF-8 once decoded is kept whole.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_string(), std::borrow::Cow::into_owned)
}

/// Percent-encode what may not appear raw in a URL path (space, non-ASCII, quotes...).
pub fn percent_encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@%".contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// Does the href carry a scheme (`https:`, `mailto:`...) or a host (`//host`)?
pub fn is_external(href: &str) -> bool {
    if href.starts_with("//") || href.starts_with("/\\") {
        return true;
    }
    let Some(colon) = href.find(':') else {
        return false;
    };
    let scheme = &href[..colon];
    !scheme.is_empty()
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

/// Join a relative path onto a folder (both without a leading `/`) and
/// normalize `.` and `..`. None when `..` climbs above the site root.
pub fn join_path(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let whole = if rel.starts_with('/') || dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    };
    let trailing = whole.ends_with('/') || whole.ends_with("/.") || whole.ends_with("/..");
    for seg in whole.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Folder of an output path: `a/b/c.html` → `a/b`.
pub fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// The URL path of a page: `/a/index.html` → `/a/` (as Jekyll shows it), else unchanged.
pub fn pretty_url(out_path: &str) -> String {
    match out_path.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{out_path}"),
    }
}

/// Every file the build produces, and the folders that hold them.
#[derive(Debug, Default, Clone)]
pub struct OutputSet {
    files: HashSet<String>,
    dirs: HashSet<String>,
}

impl OutputSet {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = OutputSet::default();
        for p in paths {
            set.insert(p);
        }
        set
    }

    pub fn insert(&mut self, path: &str) {
        let mut d = path;
        while let Some((parent, _)) = d.rsplit_once('/') {
            if !self.dirs.insert(parent.to_string()) {
                break;
            }
            d = parent;
        }
        self.files.insert(path.to_string());
    }

    pub fn contains(&self, file: &str) -> bool {
        self.files.contains(file)
    }

    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(String::as_str)
    }

    /// The output file a decoded site path (no leading `/`) serves, the way
    /// static hosts do: the file itself, a folder's `index.html`, or `path.html`.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let path = path.trim_start_matches('/');
        if path.is_empty() || path.ends_with('/') {
            let index = format!("{path}index.html");
            return self.files.contains(&index).then_some(index);
        }
        if self.files.contains(path) {
            return Some(path.to_string());
        }
        if self.dirs.contains(path) {
            let index = format!("{path}/index.html");
            return self.files.contains(&index).then_some(index);
        }
        let html = format!("{path}.html");
        self.files.contains(&html).then_some(html)
    }
}

/// Attributes holding URLs that are rewritten under the base URL.
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "xlink:href",
];

/// The new value of one URL under `base`, or None to leave it.
///
/// Only root-relative URLs (`/x`, not `//host/x`) move. A URL that already
/// starts with the base (`/sub/x` for base `/sub`: Jekyll content written with
/// `{{ site.baseurl }}`, or a layout that prefixes by itself) is taken as
/// prefixed and left alone, unless the whole path names a file of the site
/// (a site whose own top folder is named like the base). So the base is
/// never added twice, to good links or broken ones.
pub fn prefix_url(url: &str, base: &str, out: &OutputSet) -> Option<String> {
    if base.is_empty() || !url.starts_with('/') || is_external(url) {
        return None;
    }
    if let Some(rest) = url.strip_prefix(base) {
        if rest.is_empty() || rest.starts_with(['?', '#']) {
            return None;
        }
        let whole = percent_decode(&html::decode(split_url(url).0));
        if rest.starts_with('/') && out.resolve(&whole).is_none() {
            return None;
        }
    }
    Some(format!("{base}{url}"))
}

/// Move every root-relative URL of `html` (in `href`, `src`, `srcset`,
/// `action`, `formaction`, `poster` of any tag; templates and content alike)
/// under `base` (`""` or `/sub/path`). Applied once per page, after layout.
pub fn rewrite_root_urls(doc: &str, base: &str, out: &OutputSet) -> String {
    if base.is_empty() {
        return doc.to_string();
    }
    let escaped_base = html_escape::encode_double_quoted_attribute(base).into_owned();
    let mut edits: Vec<usize> = Vec::new();
    for tag in html::tags(doc) {
        for a in &tag.attrs {
            let name = a.name.to_ascii_lowercase();
            if URL_ATTRS.contains(&name.as_str()) {
                let v = a.value.trim_start();
                let at = a.start + (a.value.len() - v.len());
                if prefix_url(v, base, out).is_some() {
                    edits.push(at);
                }
            } else if name == "srcset" {
                for (s, e) in html::srcset_urls(a.value) {
                    if prefix_url(&a.value[s..e], base, out).is_some() {
                        edits.push(a.start + s);
                    }
                }
            }
        }
    }
    if edits.is_empty() {
        return doc.to_string();
    }
    let mut s = String::with_capacity(doc.len() + edits.len() * escaped_base.len());
    let mut last = 0;
    for at in edits {
        s.push_str(&doc[last..at]);
        s.push_str(&escaped_base);
        last = at;
    }
    s.push_str(&doc[last..]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_decodes() {
        assert_eq!(
            split_url("a.html?x=1#top"),
            ("a.html", Some("x=1"), Some("top"))
        );
        assert_eq!(split_url("#top"), ("", None, Some("top")));
        assert_eq!(percent_decode("a%20b%C3%A9%zz"), "a bé%zz");
        assert_eq!(percent_encode_path("/a b/é.html"), "/a%20b/%C3%A9.html");
    }

    #[test]
    fn external_detection() {
        for e in [
            "https://x",
            "mailto:a@b",
            "//cdn/x.js",
            "javascript:void(0)",
            "tel:1",
        ] {
            assert!(is_external(e), "{e}");
        }
        for i in ["/a:b", "a.html", "../x", "#a", "img/a:b.png"] {
            assert!(!is_external(i), "{i}");
        }
    }

    #[test]
    fn joins_paths() {
        assert_eq!(join_path("a/b", "../c.html").as_deref(), Some("a/c.html"));
        assert_eq!(join_path("a/b", "./c/").as_deref(), Some("a/b/c/"));
        assert_eq!(join_path("a", "../../c"), None);
        assert_eq!(join_path("a/b", "/x/y").as_deref(), Some("x/y"));
        assert_eq!(join_path("", "x").as_deref(), Some("x"));
        assert_eq!(join_path("a/b", "..").as_deref(), Some("a/"));
    }

    #[test]
    fn resolves_like_a_static_host() {
        let out = OutputSet::new(["index.html", "a/index.html", "a/b.html", "img/x.png"]);
        assert_eq!(out.resolve("").as_deref(), Some("index.html"));
        assert_eq!(out.resolve("a/").as_deref(), Some("a/index.html"));
        assert_eq!(out.resolve("a").as_deref(), Some("a/index.html"));
        assert_eq!(out.resolve("a/b").as_deref(), Some("a/b.html"));
        assert_eq!(out.resolve("img/x.png").as_deref(), Some("img/x.png"));
        assert_eq!(out.resolve("img/"), None);
        assert_eq!(out.resolve("img/y.png"), None);
    }

    #[test]
    fn pretty_urls() {
        assert_eq!(pretty_url("index.html"), "/");
        assert_eq!(pretty_url("a/index.html"), "/a/");
        assert_eq!(pretty_url("a/xindex.html"), "/a/xindex.html");
        assert_eq!(pretty_url("a/b.html"), "/a/b.html");
    }

    #[test]
    fn prefixes_root_relative_urls_once() {
        let out = OutputSet::new(["docs/a.html", "x.html"]);
        let base = "/sub";
        let p = |u: &str| prefix_url(u, base, &out);
        assert_eq!(p("/x.html").as_deref(), Some("/sub/x.html"));
        assert_eq!(p("/").as_deref(), Some("/sub/"));
        assert_eq!(p("/nowhere.html").as_deref(), Some("/sub/nowhere.html"));
        assert_eq!(p("//cdn.example/x.js"), None);
        assert_eq!(p("https://a/b"), None);
        assert_eq!(p("x.html"), None);
        assert_eq!(p("#top"), None);
        // Written for the sub-path already ({{ site.baseurl }}/x.html): left alone.
        assert_eq!(p("/sub/x.html"), None);
        assert_eq!(p("/sub"), None);
        assert_eq!(p("/sub/"), None);
        assert_eq!(
            p("/sub/nowhere.html"),
            None,
            "a broken link is not prefixed twice"
        );
        // `/subway.html` only shares the letters.
        assert_eq!(p("/subway.html").as_deref(), Some("/sub/subway.html"));
        // A site folder named like the base: `/docs/a.html` is the site's own path.
        let d = |u: &str| prefix_url(u, "/docs", &out);
        assert_eq!(d("/docs/a.html").as_deref(), Some("/docs/docs/a.html"));
        assert_eq!(d("/docs/x.html"), None);
    }

    #[test]
    fn rewrites_every_url_attribute() {
        let out = OutputSet::new(["a.html"]);
        let doc = concat!(
            r#"<link href="/s.css"><a href="/a.html#t">a</a><a href="b.html">r</a>"#,
            r#"<img src='/i.png' srcset="/i.png 1x, /j.png 2x, k.png 3x">"#,
            r#"<form action=/go></form><script src="//cdn/x.js"></script>"#,
            r#"<!-- <a href="/c.html"> --><code>&lt;a href="/d.html"&gt;</code>"#
        );
        let want = concat!(
            r#"<link href="/p/s.css"><a href="/p/a.html#t">a</a><a href="b.html">r</a>"#,
            r#"<img src='/p/i.png' srcset="/p/i.png 1x, /p/j.png 2x, k.png 3x">"#,
            r#"<form action=/p/go></form><script src="//cdn/x.js"></script>"#,
            r#"<!-- <a href="/c.html"> --><code>&lt;a href="/d.html"&gt;</code>"#
        );
        assert_eq!(rewrite_root_urls(doc, "/p", &out), want);
        assert_eq!(rewrite_root_urls(doc, "", &out), doc);
        // Applying it again changes nothing when the URLs name files of the site.
        let out2 = OutputSet::new(["a.html", "s.css", "i.png", "j.png", "go/index.html"]);
        let once = rewrite_root_urls(doc, "/p", &out2);
        assert_eq!(once, want);
        assert_eq!(rewrite_root_urls(&once, "/p", &out2), once);
    }
}
