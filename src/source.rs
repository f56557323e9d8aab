//! Reading the source tree: which files are pages, which are copied as they
//! are, and the front matter at the top of each page.
//!
//! Text is read strictly as UTF-8 (a byte-order mark is dropped, CRLF becomes
//! LF so every later stage sees one kind of line ending; line numbers do not
//! change). Front matter is YAML between `---` lines; its errors are reported
//! at the line of the page file, not of the YAML block.

use crate::config::{Config, SourceLayout};
use crate::diag::Diagnostic;
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

pub use crate::read::{decode_text, parse_yaml, read_text};

/// Extensions rendered as Markdown.
pub const MARKDOWN_EXTS: &[&str] = &["md", "markdown", "mkdown", "mkdn", "mkd"];

/// A page: a Markdown (or HTML) file with front matter.
#[derive(Debug, Clone)]
pub struct SourcePage {
    /// Path relative to the source root, with forward slashes (`docs/elements/x/authenticate.md`).
    pub rel: String,
    /// Path relative to the content folder: decides the output URL.
    pub content_rel: String,
    /// The whole file, normalized (no BOM, LF line endings).
    pub text: String,
    /// The front matter as an object (empty if the page has none).
    pub front: Map<String, Value>,
    /// Byte offset in `text` where the body starts.
    pub body_offset: usize,
    /// 1-based line where the body starts.
    pub body_line: usize,
    /// Markdown page (true) or an HTML page (Liquid only, no Markdown).
    pub is_markdown: bool,
}

impl SourcePage {
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// Output path relative to the output root: `a/b.md` → `a/b.html`.
    pub fn output_path(&self) -> String {
        output_path_for(&self.content_rel)
    }

    /// The page URL as Jekyll makes it: `/a/b.html`; an index page's is its
    /// folder's, `/a/` for `a/index.md` (Jekyll's `Page#url` and pretty
    /// permalinks), unless its `permalink:` itself ends in `index.html`.
    pub fn url(&self) -> String {
        let out = self.output_path();
        let explicit = self
            .front
            .get("permalink")
            .and_then(Value::as_str)
            .is_some_and(|l| l.trim_end().ends_with("index.html"));
        match out.strip_suffix("index.html") {
            Some(dir) if !explicit && (dir.is_empty() || dir.ends_with('/')) => format!("/{dir}"),
            _ => format!("/{out}"),
        }
    }
}

/// `a/b.md` → `a/b.html`; other extensions are kept.
pub fn output_path_for(content_rel: &str) -> String {
    match content_rel.rsplit_once('.') {
        Some((stem, ext)) if MARKDOWN_EXTS.contains(&ext) => format!("{stem}.html"),
        _ => content_rel.to_string(),
    }
}

/// A file copied to the output unchanged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StaticFile {
    /// Destination relative to the output root.
    pub out_rel: String,
    pub abs: PathBuf,
}

/// Everything found in the source tree, sorted by path.
#[derive(Debug, Default)]
pub struct Discovered {
    pub pages: Vec<SourcePage>,
    pub statics: Vec<StaticFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The parts of a page around its front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontMatterSplit<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    /// Byte offset of the body.
    pub body_offset: usize,
    /// 1-based line of the body's first line.
    pub body_line: usize,
}

/// Split `---` front matter off a page. `Ok(None)`: the file has none.
/// An opening fence without a closing one is an error at the opening line.
pub fn split_front_matter<'a>(
    text: &'a str,
    file: &Path,
) -> Result<Option<FrontMatterSplit<'a>>, Diagnostic> {
    let Some(first_nl) = text.find('\n') else {
        return Ok(None);
    };
    if text[..first_nl].trim_end() != "---" {
        return Ok(None);
    }
    let yaml_start = first_nl + 1;
    let mut offset = yaml_start;
    // The YAML starts on line 2, right after the opening fence.
    for (line, l) in (2..).zip(text[yaml_start..].split_inclusive('\n')) {
        let bare = l.trim_end();
        if bare == "---" || bare == "..." {
            return Ok(Some(FrontMatterSplit {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body_offset: offset + l.len(),
                body_line: line + 1,
            }));
        }
        offset += l.len();
    }
    Err(Diagnostic::error(
        file,
        1,
        1,
        "front matter is opened with `---` but never closed",
    )
    .with_source(text)
    .with_help("add a line with `---` after the last front matter key"))
}

/// Read one page: text, front matter, body.
pub fn load_page(abs: &Path, rel: &str, content_rel: &str) -> Result<SourcePage, Diagnostic> {
    let text = read_text(abs, Path::new(rel))?;
    parse_page(text, rel, content_rel)
}

/// Split and parse the front matter of a page's (decoded) text.
pub fn parse_page(text: String, rel: &str, content_rel: &str) -> Result<SourcePage, Diagnostic> {
    let shown = Path::new(rel);
    let (front, body_offset, body_line) = match split_front_matter(&text, shown)? {
        None => (Map::new(), 0, 1),
        Some(split) => {
            let front = match parse_yaml(split.yaml, shown, split.yaml_line) {
                Ok(Value::Object(m)) => m,
                Ok(Value::Null) => Map::new(),
                Ok(_) => {
                    return Err(Diagnostic::error(
                        shown,
                        split.yaml_line,
                        1,
                        "front matter must be a mapping of keys to values",
                    )
                    .with_source(&text)
                    .with_help("write `key: value` lines between the `---` fences"))
                }
                Err(d) => return Err(d.with_source(&text)),
            };
            (front, split.body_offset, split.body_line)
        }
    };
    let is_markdown = content_rel
        .rsplit_once('.')
        .is_some_and(|(_, e)| MARKDOWN_EXTS.contains(&e));
    Ok(SourcePage {
        rel: rel.to_string(),
        content_rel: content_rel.to_string(),
        text,
        front,
        body_offset,
        body_line,
        is_markdown,
    })
}

/// Does this file start with a front matter fence, a first line that is `---`
/// (trailing blanks allowed, as [`split_front_matter`] reads it)? Jekyll
/// renders only such files.
fn has_front_matter(abs: &Path) -> bool {
    use std::io::Read;
    let mut buf = Vec::with_capacity(256);
    if std::fs::File::open(abs)
        .and_then(|f| f.take(256).read_to_end(&mut buf))
        .is_err()
    {
        return false;
    }
    starts_with_fence(&buf)
}

fn starts_with_fence(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let Some(nl) = head.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let first = &head[..nl];
    first.starts_with(b"---") && first[3..].iter().all(|b| b.is_ascii_whitespace())
}

/// Jekyll's default exclusions, on top of `_`- and `.`-prefixed names.
const JEKYLL_DEFAULT_EXCLUDE: &[&str] = &["Gemfile", "Gemfile.lock", "node_modules", "vendor"];

/// Walk the source tree and sort its files into pages and static files.
/// `skip` is a folder never read (the output folder, when it is inside the
/// source). A Jekyll site's posts and permalinks come after, from
/// [`crate::posts::complete_discovery`].
pub fn discover(cfg: &Config, skip: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    match cfg.layout {
        SourceLayout::Jekyll => walk(cfg, &cfg.root, skip, true, &mut found),
        SourceLayout::Native => {
            walk(cfg, &cfg.content_dir, skip, false, &mut found);
            if let Some(st) = &cfg.static_dir {
                walk_static(cfg, st, skip, &mut found);
            }
        }
    }
    found.pages.sort_by(|a, b| a.rel.cmp(&b.rel));
    found.statics.sort();
    found
}

fn rel_to(base: &Path, p: &Path) -> String {
    p.strip_prefix(base)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn excluded(cfg: &Config, rel_root: &str, name: &str, jekyll: bool) -> bool {
    if name.starts_with('.') {
        return true;
    }
    if jekyll && (name.starts_with('_') || JEKYLL_DEFAULT_EXCLUDE.contains(&name)) {
        return true;
    }
    cfg.exclude.iter().any(|e| {
        let e = e.trim_matches('/');
        rel_root == e || rel_root.starts_with(&format!("{e}/"))
    })
}

fn walk(cfg: &Config, dir: &Path, skip: &[PathBuf], jekyll: bool, found: &mut Discovered) {
    let mut refused = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    let walker = walker.filter_entry(|e| {
        if e.depth() == 0 {
            return true;
        }
        let rel_root = rel_to(&cfg.root, e.path());
        let name = e.file_name().to_string_lossy();
        if excluded(cfg, &rel_root, &name, jekyll) || skip.iter().any(|s| e.path().starts_with(s)) {
            return false;
        }
        refuse_outside_link(cfg, e, &mut refused)
    });
    // Walk first (cheap), then read and parse the files in parallel.
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let mut linked_dirs: Vec<PathBuf> = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                found.diagnostics.push(walk_error(cfg, e));
                continue;
            }
        };
        // Only a path through a symbolic link can lead outside the root
        // (links found inside the tree are checked by the filter above).
        let linked =
            entry.path_is_symlink() || linked_dirs.iter().any(|d| entry.path().starts_with(d));
        if entry.file_type().is_dir() {
            if entry.path_is_symlink() {
                linked_dirs.push(entry.path().to_path_buf());
            }
            continue;
        }
        if entry.file_type().is_file() {
            files.push((entry.into_path(), linked));
        }
    }
    crate::timing::stage("walk");
    enum Found {
        Page(Box<SourcePage>),
        Static(StaticFile),
        Error(Diagnostic),
        Skip,
    }
    let results: Vec<Found> = files
        .par_iter()
        .map(|(abs, linked)| {
            if *linked {
                if let Some(d) = outside_root(cfg, abs) {
                    return Found::Error(d);
                }
            }
            let rel = rel_to(&cfg.root, abs);
            let content_rel = rel_to(dir, abs);
            let ext = abs.extension().and_then(|e| e.to_str()).unwrap_or("");
            // Jekyll renders any file that starts with front matter (`search.json`).
            let page_ext = MARKDOWN_EXTS.contains(&ext) || ext == "html" || jekyll;
            // Only files that start with front matter are pages (as in Jekyll). Other
            // Markdown and HTML files are partials for `include_relative`: Jekyll
            // copies them as static files, the native layout keeps them private.
            let is_page = page_ext && has_front_matter(abs);
            if !is_page && MARKDOWN_EXTS.contains(&ext) {
                if let Some(d) = binary_markdown(abs, &rel) {
                    return Found::Error(d);
                }
            }
            if !is_page && page_ext && !jekyll {
                return Found::Skip;
            }
            if is_page {
                match load_page(abs, &rel, &content_rel) {
                    // Jekyll's `published: false`: the page is not written.
                    Ok(p) if p.front.get("published") == Some(&Value::Bool(false)) => Found::Skip,
                    Ok(p) => Found::Page(Box::new(p)),
                    Err(d) => Found::Error(d),
                }
            } else {
                Found::Static(StaticFile {
                    out_rel: content_rel,
                    abs: abs.clone(),
                })
            }
        })
        .collect();
    for r in results {
        match r {
            Found::Page(p) => found.pages.push(*p),
            Found::Static(s) => found.statics.push(s),
            Found::Error(d) => found.diagnostics.push(d),
            Found::Skip => {}
        }
    }
    found.diagnostics.extend(refused);
}

/// A Markdown file that is UTF-16 or holds a NUL byte in its first 8 KiB is
/// not Markdown (a binary file with the wrong name, or text in the wrong
/// encoding): Jekyll would copy it as is; we refuse to publish it.
fn binary_markdown(abs: &Path, rel: &str) -> Option<Diagnostic> {
    use std::io::Read;
    let mut buf = Vec::with_capacity(8192);
    std::fs::File::open(abs)
        .and_then(|f| f.take(8192).read_to_end(&mut buf))
        .ok()?;
    let utf16 = buf.starts_with(b"\xff\xfe") || buf.starts_with(b"\xfe\xff");
    if !utf16 && !buf.contains(&0) {
        return None;
    }
    decode_text(buf, Path::new(rel)).err()
}

/// `filter_entry` helper: a symbolic link (to a file or a folder) that resolves
/// outside the source root is refused before anything behind it is read or
/// listed. Returns whether to keep the entry.
fn refuse_outside_link(cfg: &Config, e: &walkdir::DirEntry, refused: &mut Vec<Diagnostic>) -> bool {
    if !e.path_is_symlink() {
        return true;
    }
    match outside_root(cfg, e.path()) {
        Some(d) => {
            refused.push(d);
            false
        }
        None => true,
    }
}

fn walk_static(cfg: &Config, dir: &Path, skip: &[PathBuf], found: &mut Discovered) {
    if !dir.is_dir() {
        return;
    }
    let mut refused = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || refuse_outside_link(cfg, e, &mut refused));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if skip.iter().any(|s| e.path().starts_with(s)) {
                    continue;
                }
                if let Some(d) = outside_root(cfg, e.path()) {
                    found.diagnostics.push(d);
                    continue;
                }
                found.statics.push(StaticFile {
                    out_rel: rel_to(dir, e.path()),
                    abs: e.path().to_path_buf(),
                });
            }
            Ok(_) => {}
            Err(e) => found.diagnostics.push(walk_error(cfg, e)),
        }
    }
    found.diagnostics.extend(refused);
}

/// A symlink that resolves outside the source root is refused (nothing is read).
pub fn outside_root(cfg: &Config, abs: &Path) -> Option<Diagnostic> {
    let real = abs.canonicalize().ok()?;
    if real.starts_with(&cfg.root) {
        return None;
    }
    Some(
        Diagnostic::error(
            rel_to(&cfg.root, abs),
            0,
            0,
            "this symbolic link leads outside the source folder; nothing behind it was read",
        )
        .with_help(format!(
            "the link resolves to {}; copy the file into the source folder instead",
            real.display()
        )),
    )
}

/// ELOOP: "too many levels of symbolic links" (a link that points to itself).
#[cfg(target_os = "linux")]
const ELOOP: i32 = 40;
#[cfg(not(target_os = "linux"))]
const ELOOP: i32 = 62;

pub fn walk_error(cfg: &Config, e: walkdir::Error) -> Diagnostic {
    let path = e.path().map(|p| rel_to(&cfg.root, p)).unwrap_or_default();
    let self_loop = e.io_error().and_then(|io| io.raw_os_error()) == Some(ELOOP);
    if e.loop_ancestor().is_some() || self_loop {
        return Diagnostic::error(path, 0, 0, "symbolic link loop").with_help(
            "remove the link that points back to itself or to one of its parent folders",
        );
    }
    let broken = e.io_error().map(|io| io.kind()) == Some(std::io::ErrorKind::NotFound);
    let help = if broken {
        "this is a symbolic link to a file that does not exist; fix or remove the link"
    } else {
        "check that the file exists and is readable"
    };
    let msg = match e.io_error() {
        Some(io) => format!("cannot read: {io}"),
        None => format!("cannot read: {e}"),
    };
    Diagnostic::error(path, 0, 0, msg).with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(t: &str) -> Option<(String, usize, String, usize)> {
        split_front_matter(t, Path::new("p.md")).unwrap().map(|s| {
            (
                s.yaml.to_string(),
                s.yaml_line,
                t[s.body_offset..].to_string(),
                s.body_line,
            )
        })
    }

    #[test]
    fn splits_front_matter() {
        assert_eq!(
            split("---\na: 1\n---\nbody\n"),
            Some(("a: 1\n".into(), 2, "body\n".into(), 4))
        );
        assert_eq!(split("---\n---\n"), Some(("".into(), 2, "".into(), 3)));
        assert_eq!(
            split("---  \na: 1\n...\nx"),
            Some(("a: 1\n".into(), 2, "x".into(), 4))
        );
        assert_eq!(split("no front matter\n---\n"), None);
        assert_eq!(split(""), None);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split_front_matter("---\na: 1\nbody\n", Path::new("p.md")).unwrap_err();
        assert_eq!((e.line, e.col), (1, 1));
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn yaml_error_points_at_page_line() {
        let e = parse_yaml("a: 1\nb: [\n", Path::new("p.md"), 2).unwrap_err();
        assert!(e.line >= 3, "{e}");
    }

    #[test]
    fn decoding_rules() {
        let p = Path::new("x.md");
        assert_eq!(
            decode_text(b"\xef\xbb\xbfhi\r\nthere".to_vec(), p).unwrap(),
            "hi\nthere"
        );
        let e = decode_text(b"ok\nab\xff".to_vec(), p).unwrap_err();
        assert_eq!((e.line, e.col), (2, 3));
        assert!(decode_text(b"a\0b".to_vec(), p)
            .unwrap_err()
            .message
            .contains("binary"));
        let utf16 = decode_text(b"\xff\xfe-\0-\0-\0".to_vec(), p).unwrap_err();
        assert!(utf16.message.contains("UTF-16"));
    }

    #[test]
    fn fence_detection_matches_the_splitter() {
        for (head, fence) in [
            (&b"---\n"[..], true),
            (b"---\r\n", true),
            (b"---   \t\n", true),
            (b"\xef\xbb\xbf---\n", true),
            (b"--- x\n", false),
            (b"----\n", false),
            (b"---", false),
            (b"", false),
            (b"text\n---\n", false),
        ] {
            assert_eq!(starts_with_fence(head), fence, "{head:?}");
            if let Ok(t) = std::str::from_utf8(head) {
                let t = format!("{}x\n---\n", t.trim_start_matches('\u{feff}'));
                let split = split_front_matter(&t, Path::new("p.md"));
                assert_eq!(matches!(split, Ok(Some(_))), fence, "{t:?}");
            }
        }
    }

    #[test]
    fn output_paths() {
        assert_eq!(output_path_for("a/b.md"), "a/b.html");
        assert_eq!(output_path_for("a/index.md"), "a/index.html");
        assert_eq!(output_path_for("a/x.html"), "a/x.html");
    }

    #[test]
    fn an_index_pages_url_is_its_folders() {
        let page = |content_rel: &str, permalink: Option<&str>| {
            let mut front = Map::new();
            if let Some(l) = permalink {
                front.insert("permalink".into(), Value::String(l.into()));
            }
            SourcePage {
                rel: content_rel.into(),
                content_rel: content_rel.into(),
                text: String::new(),
                front,
                body_offset: 0,
                body_line: 1,
                is_markdown: true,
            }
            .url()
        };
        assert_eq!(page("index.md", None), "/");
        assert_eq!(page("docs/guides/index.md", None), "/docs/guides/");
        assert_eq!(page("search/index.html", Some("/search/")), "/search/");
        assert_eq!(page("a/index.html", Some("/a/index.html")), "/a/index.html");
        assert_eq!(page("docs/myindex.md", None), "/docs/myindex.html");
        assert_eq!(page("docs/setup.md", None), "/docs/setup.html");
    }

    /// Links leading outside the root are refused, whether the link is the
    /// file or a folder above it; links inside the root are read.
    #[cfg(unix)]
    #[test]
    fn links_outside_the_root_are_refused() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "---\nt: 1\n---\nx\n").unwrap();
        std::fs::create_dir(outside.path().join("dir")).unwrap();
        std::fs::write(outside.path().join("dir/page.md"), "---\nt: 1\n---\nx\n").unwrap();
        let site = tempfile::tempdir().unwrap();
        let root = site.path().canonicalize().unwrap();
        std::fs::write(root.join("elementdocs.yml"), "title: T\n").unwrap();
        let content = root.join("content");
        std::fs::create_dir_all(content.join("real")).unwrap();
        std::fs::write(content.join("real/ok.md"), "---\nt: 1\n---\nok\n").unwrap();
        symlink(outside.path().join("secret.md"), content.join("secret.md")).unwrap();
        symlink(outside.path().join("dir"), content.join("linked")).unwrap();
        symlink(content.join("real"), content.join("inside")).unwrap();
        let cfg = Config::load(&root).unwrap();
        let found = discover(&cfg, &[]);
        let pages: Vec<&str> = found.pages.iter().map(|p| p.rel.as_str()).collect();
        assert_eq!(pages, ["content/inside/ok.md", "content/real/ok.md"]);
        let refused: Vec<&str> = found
            .diagnostics
            .iter()
            .map(|d| d.file.to_str().unwrap())
            .collect();
        assert_eq!(refused, ["content/linked", "content/secret.md"]);
    }
}
