//! `{% include %}` and `{% include_relative %}`: resolving the file (never
//! outside the source root), detecting cycles, parsing each file once per
//! build (a shared cache), and inlining it with its parameters.

use super::{tera_ident, Translator};
use crate::diag::{did_you_mean, display_path, line_col};
use crate::liquid::ast::Parsed;
use crate::liquid::parser::{self, Include, Piece};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Deepest include nesting accepted (a guard against runaway recursion that
/// is not a cycle; real sites nest a handful of levels). Blocks and includes
/// together are bounded by the same number.
pub use crate::liquid::limits::MAX_NESTING as MAX_DEPTH;

/// One file being translated: the page itself or an include.
#[derive(Clone)]
pub struct Frame {
    /// Path shown in diagnostics (relative to the root).
    pub rel: PathBuf,
    /// Canonical path (cycle detection); the page's own path for the page.
    pub canon: PathBuf,
    pub text: Arc<str>,
    /// `include.<key>` → (tera variable, value when known at build time).
    pub params: HashMap<String, (String, Option<serde_json::Value>)>,
    /// The include tag that brought this file in: the including file and the
    /// tag's offset there (turned into "included from a.md:3:1" only when a
    /// diagnostic needs it).
    pub from: Option<(PathBuf, Arc<str>, usize)>,
}

/// An include file found and parsed in this build, as a page's include tag
/// names it (the include folder or the page's folder joined with the name).
pub struct Found {
    pub canon: PathBuf,
    pub rel: PathBuf,
    pub parsed: Arc<Parsed>,
}

/// Include files parsed once per build, shared by all pages.
#[derive(Default)]
pub struct Cache {
    map: RwLock<HashMap<PathBuf, Arc<Parsed>>>,
    /// Include paths already resolved: pages name the same few files again
    /// and again, and resolving one is several path walks.
    found: RwLock<HashMap<PathBuf, Arc<Found>>>,
    /// Canonical paths of files (None: not a file) and of folders, as resolved
    /// during this build: pages include the same files again and again.
    canon: RwLock<HashMap<PathBuf, Option<PathBuf>>>,
}

impl Cache {
    /// `path.canonicalize()` when it names a file (None otherwise), remembered.
    pub fn canonical_file(&self, path: &Path) -> Option<PathBuf> {
        if let Some(c) = self.canon.read().ok().and_then(|m| m.get(path).cloned()) {
            return c;
        }
        let c = path.canonicalize().ok().filter(|c| c.is_file());
        if let Ok(mut m) = self.canon.write() {
            m.insert(path.to_path_buf(), c.clone());
        }
        c
    }

    /// The canonical path of a page file: its folder's canonical path
    /// (remembered) and its name, unless the file itself is a link.
    pub fn canonical_page(&self, path: &Path) -> Option<PathBuf> {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return path.canonicalize().ok();
        };
        if std::fs::symlink_metadata(path)
            .ok()?
            .file_type()
            .is_symlink()
        {
            return path.canonicalize().ok();
        }
        Some(self.canonical_dir(dir)?.join(name))
    }

    /// The canonical path of a folder, remembered: its parent's canonical
    /// path and its name unless it is itself a link. A guide's pages share
    /// their folders' ancestors, so each folder costs one `lstat` rather
    /// than `canonicalize`'s `readlink` of every component.
    fn canonical_dir(&self, dir: &Path) -> Option<PathBuf> {
        let key = dir.join("");
        if let Some(c) = self.canon.read().ok().and_then(|m| m.get(&key).cloned()) {
            return c;
        }
        let c = match (dir.parent(), dir.file_name()) {
            (Some(parent), Some(name))
                if dir.is_absolute()
                    && std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) =>
            {
                self.canonical_dir(parent).map(|p| p.join(name))
            }
            _ => dir.canonicalize().ok(),
        };
        if let Ok(mut m) = self.canon.write() {
            m.insert(key, c.clone());
        }
        c
    }

    pub fn get(
        &self,
        canon: &Path,
        reg: &crate::liquid::plugin_registry::Registry,
    ) -> std::io::Result<Arc<Parsed>> {
        if let Some(p) = self.map.read().ok().and_then(|m| m.get(canon).cloned()) {
            return Ok(p);
        }
        let bytes = std::fs::read(canon)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"))?;
        // A byte-order mark is an encoding detail, never content.
        let text: Arc<str> = text.strip_prefix('\u{feff}').unwrap_or(&text).into();
        let (nodes, errs) = parser::parse_with(&text, 0, reg);
        let depth = parser::depth(&nodes);
        let p = Arc::new(Parsed {
            text,
            nodes,
            errs,
            depth,
        });
        if let Ok(mut m) = self.map.write() {
            m.insert(canon.to_path_buf(), p.clone());
        }
        Ok(p)
    }

    /// An include path resolved before in this build.
    pub fn found(&self, path: &Path) -> Option<Arc<Found>> {
        self.found.read().ok()?.get(path).cloned()
    }

    fn remember(&self, path: PathBuf, found: Found) {
        if let Ok(mut m) = self.found.write() {
            m.insert(path, Arc::new(found));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.map.write() {
            m.clear();
        }
        if let Ok(mut m) = self.found.write() {
            m.clear();
        }
        if let Ok(mut m) = self.canon.write() {
            m.clear();
        }
    }
}

/// Jekyll's file-name rule: no `..`, `//`, `./` sequences, only `[\w/.\-()+~#@]`.
fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let bad_seq = b
        .windows(2)
        .any(|w| (w[0] == b'.' || w[0] == b'/') && (w[1] == b'.' || w[1] == b'/'));
    !name.is_empty()
        && !bad_seq
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_/.-()+~#@".contains(c))
}

impl Frame {
    /// The "included from path:line:col" note for this frame, if it is an include.
    pub fn from_note(&self) -> Option<String> {
        let (rel, text, off) = self.from.as_ref()?;
        let (l, c) = line_col(text, *off);
        Some(format!("included from {}:{l}:{c}", display_path(rel)))
    }
}

impl Translator<'_> {
    pub fn include(&mut self, inc: &Include) {
        let tag = if inc.relative {
            "include_relative"
        } else {
            "include"
        };
        // 1. The file name, with any `{{ }}` resolved at build time.
        let mut name = String::new();
        for pc in &inc.name {
            match pc {
                Piece::Lit(s) => name.push_str(s),
                Piece::Expr(e) => match self.static_expr(e).or_else(|| self.known_assign(e)) {
                    Some(v) => name.push_str(&crate::liquid::filters::to_s(&v)),
                    None => {
                        self.error(
                            inc.offset,
                            format!("the file name of `{tag}` depends on a value only known while rendering"),
                            Some("use `page.*`, `site.*`, `include.*` or literals in an include file name".into()),
                        );
                        return;
                    }
                },
            }
        }
        if !valid_name(&name) {
            self.error(
                inc.offset,
                format!("invalid file name `{name}` in `{tag}`"),
                Some("file names may not contain `..`, `./` or `//`, nor characters outside letters, digits and `_/.-()+~#@`".into()),
            );
            return;
        }
        // 2. Locate it, inside the root (remembered for the build).
        let base = if inc.relative {
            self.eng.root.join(&self.page_dir)
        } else {
            self.eng.includes_dir.clone()
        };
        let path = base.join(&name);
        let found = self.eng.cache.found(&path);
        let (canon, rel) = match &found {
            Some(f) => (f.canon.clone(), f.rel.clone()),
            None => match self.locate(&path, &name, &base, tag, inc.offset) {
                Some(located) => located,
                None => return,
            },
        };
        // 3. Cycles and depth.
        let canon_bytes = canon.as_os_str();
        if let Some(i) = self
            .frames
            .iter()
            .position(|f| f.canon.as_os_str() == canon_bytes)
        {
            let mut chain: Vec<String> = self.frames[i..]
                .iter()
                .map(|f| display_path(&f.rel))
                .collect();
            chain.push(display_path(&rel));
            self.error(
                inc.offset,
                format!("include cycle: {}", chain.join(" → ")),
                Some("remove one of these includes to break the cycle".into()),
            );
            return;
        }
        if self.frames.len() > MAX_DEPTH {
            self.error(
                inc.offset,
                format!("includes nested more than {MAX_DEPTH} levels deep"),
                Some("simplify the include structure".into()),
            );
            return;
        }
        // 4. Read (once per build) and parse.
        self.deps.insert(rel.clone());
        let parsed = match found {
            Some(f) => f.parsed.clone(),
            None => match self.eng.cache.get(&canon, &self.eng.plugins.registry) {
                Ok(p) => {
                    let f = Found {
                        canon: canon.clone(),
                        rel: rel.clone(),
                        parsed: p.clone(),
                    };
                    self.eng.cache.remember(path, f);
                    p
                }
                Err(e) => {
                    self.error(
                        inc.offset,
                        format!("cannot read `{}`: {e}", display_path(&rel)),
                        None,
                    );
                    return;
                }
            },
        };
        // Where the file's deepest tag would be nested, counting the blocks
        // and includes around this tag: past the limit, an error here.
        let level = self.depth + parsed.depth;
        if level > crate::liquid::limits::MAX_NESTING {
            self.error(
                inc.offset,
                format!(
                    "blocks and includes nested more than {} levels deep: `{}` would nest its tags {level} levels deep",
                    crate::liquid::limits::MAX_NESTING,
                    display_path(&rel)
                ),
                Some("flatten the nesting of this include or of the blocks around it".into()),
            );
            return;
        }
        self.inline(inc, parsed, canon, rel);
    }

    /// Where the include file at `path` is (canonical and root-relative
    /// paths), or an error when it does not exist or is outside the root.
    fn locate(
        &mut self,
        path: &Path,
        name: &str,
        base: &Path,
        tag: &str,
        offset: usize,
    ) -> Option<(PathBuf, PathBuf)> {
        let canon = match self.eng.cache.canonical_file(path) {
            Some(c) => c,
            None => {
                let help = near_names(path)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        format!("no such file in `{}`", display_path(&self.rel_of(base)))
                    });
                self.error(
                    offset,
                    format!("`{tag}` file `{name}` not found"),
                    Some(help),
                );
                return None;
            }
        };
        if !canon.starts_with(&self.eng.canon_root) {
            self.error(
                offset,
                format!("`{tag}` path `{name}` leaves the source root"),
                Some("include only files inside the site's source folder".into()),
            );
            return None;
        }
        let rel = self.rel_of(&canon);
        Some((canon, rel))
    }

    /// Translate the include file in place, with its parameters.
    pub(super) fn inline(
        &mut self,
        inc: &Include,
        parsed: Arc<Parsed>,
        canon: PathBuf,
        rel: PathBuf,
    ) {
        // 5. Parameters, evaluated in the including frame.
        let k = self.next_id();
        let mut params = HashMap::new();
        for (key, p) in &inc.params {
            let (expr, st) = self.param_expr(p);
            // A value known at build time is referenced directly; others get a variable.
            let var = match &st {
                Some(v) if self.eng.fold => self.lit_ref(v.clone()),
                _ => {
                    let var = format!("lq_i{k}_{}", tera_ident(key));
                    self.emit_set(&var, &expr);
                    var
                }
            };
            params.insert(key.clone(), (var, st));
        }
        let outer = self.frames.last().expect("frame");
        let from = Some((outer.rel.clone(), outer.text.clone(), inc.offset));
        self.frames.push(Frame {
            rel,
            canon,
            text: parsed.text.clone(),
            params,
            from,
        });
        for e in &parsed.errs {
            self.error(e.offset, e.message.clone(), e.help.clone());
        }
        self.nodes(&parsed.nodes);
        self.frames.pop();
    }

    fn rel_of(&self, p: &Path) -> PathBuf {
        p.strip_prefix(&self.eng.canon_root)
            .or_else(|_| p.strip_prefix(&self.eng.root))
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// The closest existing file name in the folder `path` would be in.
fn near_names(path: &Path) -> Option<String> {
    let dir = path.parent()?;
    let want = path.file_name()?.to_string_lossy().to_string();
    let names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    did_you_mean(&want, names.iter().map(|s| s.as_str())).map(|s| s.to_string())
}

impl Translator<'_> {
    /// Jekyll's `{% link path %}` and `{% post_url name %}`: the URL of the
    /// page or post at that source path (`{{ }}` inside it resolved when
    /// known at build time), folded into the text; a path that names no
    /// page is an error, as in Jekyll.
    pub(super) fn link(&mut self, post: bool, markup: &str, off: usize) {
        let tag = if post { "post_url" } else { "link" };
        let Some(path) = self.link_path(markup, off) else {
            self.error(
                off,
                format!("the path of `{tag}` depends on a value only known while rendering"),
                Some("name the file, or use a page or site variable".into()),
            );
            return;
        };
        let list = if post { "posts" } else { "pages" };
        let stem = |rel: &str| {
            rel.rsplit_once('.')
                .map_or(rel.to_string(), |(a, _)| a.to_string())
        };
        let found = self
            .eng
            .site_for(Some(list))
            .get(list)
            .and_then(serde_json::Value::as_array)
            .and_then(|items| {
                items.iter().find_map(|p| {
                    let rel = p.get("path")?.as_str()?;
                    let hit = if post {
                        let s = stem(rel);
                        s.strip_prefix("_posts/")
                            .is_some_and(|n| n == path || n.ends_with(&format!("/{path}")))
                    } else {
                        rel == path
                    };
                    hit.then(|| {
                        p.get("url")
                            .and_then(serde_json::Value::as_str)
                            .map(str::to_string)
                    })
                    .flatten()
                })
            });
        // A file without front matter is copied as it is: its URL is its path.
        let static_file = || {
            let safe = !path.split('/').any(|c| c == ".." || c.is_empty());
            (!post && safe && self.eng.root.join(&path).is_file()).then(|| format!("/{path}"))
        };
        match found.or_else(static_file) {
            Some(url) => self.emit_text(&url),
            None => {
                let what = if post { "post" } else { "page" };
                self.error(
                    off,
                    format!("`{tag}`: no {what} `{path}` in the site"),
                    Some(if post {
                        "name a post as `YYYY-MM-DD-title` (its file under _posts/ without the extension)".into()
                    } else {
                        "give the page's path from the site's root, with its extension (`docs/a.md`)".into()
                    }),
                );
            }
        }
    }

    /// `{{ name }}` of a variable assigned a build-time value (see `known_assigns`).
    fn known_assign(&self, e: &crate::liquid::parser::Expr) -> Option<serde_json::Value> {
        match &e.val {
            crate::liquid::parser::Val::Path(p) if p.segs.is_empty() && e.filters.is_empty() => {
                self.known_assigns.get(&p.root).cloned()
            }
            _ => None,
        }
    }

    fn link_path(&mut self, markup: &str, off: usize) -> Option<String> {
        let mut out = String::new();
        let mut rest = markup;
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            let j = rest[i..].find("}}")? + i;
            let e = crate::liquid::expr::parse_expr(&rest[i + 2..j], off).ok()?;
            out.push_str(&crate::liquid::filters::to_s(&self.static_expr(&e)?));
            rest = &rest[j + 2..];
        }
        out.push_str(rest);
        Some(out.trim().to_string())
    }
}
