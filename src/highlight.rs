//! Syntax highlighting with syntect: loaded once, class-based HTML with an
//! `hl-` prefix, and CSS for a light and a dark theme.
//!
//! Interface used by `markdown`: `Highlighter::global().highlight(lang, code)`.
//!
//! * The syntax set is syntect's packed dump, decoded on the first block that
//!   needs it (so a command that highlights nothing starts fast); the theme
//!   set only when [`Highlighter::css`] is asked for.
//! * Fence names go through an alias map (`sh`, `curl`, `console` → bash,
//!   `js` → javascript, `jsonc` → json...). `text`/`plain`/`none` and
//!   languages syntect has no grammar for but that we know (`http`, `toml`)
//!   render as escaped plain text with a known language; anything else is
//!   escaped plain text with `language: None` (the caller warns).
//! * Results are cached by (language, code) in a sharded map: element guides
//!   repeat the same snippets hundreds of times.
//! * Below that, lines are cached by (parser state, line) with their scope
//!   operations and HTML, shared by all threads: blocks that differ in a few
//!   lines (JSON bodies) only parse those. Parsing is most of the cost; a
//!   line never parsed from that state before is parsed by syntect.
//! * JSON blocks (most of the code a build highlights) are tokenized by
//!   [`json`], which makes the scope operations syntect's JSON grammar gives
//!   without its regexes, and gives up (syntect then parses) on anything it
//!   does not fully understand; debug builds check it against syntect.
//! * A build keeps the blocks it highlighted for the next build into the
//!   same output folder ([`Highlighter::save_persisted`], [`persist`]): a
//!   rebuild of mostly unchanged pages then parses almost no code and, when
//!   every block is known, never loads the syntax definitions.
//! * Blocks above [`MAX_HIGHLIGHT_BYTES`] are not highlighted (some grammars
//!   are slow on pathological input); they render as escaped text.

mod json;
mod persist;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use syntect::html::{css_for_theme_with_class_style, ClassStyle};
use syntect::parsing::{
    BasicScopeStackOp, ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet,
};
use syntect::util::LinesWithEndings;

/// The result of highlighting one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    /// Inner HTML for `<code>`: escaped text with `<span class="hl-...">`.
    pub html: String,
    /// The canonical language name after alias resolution (`sh` → `bash`), or
    /// None when the language is unknown (the block is then escaped plain text).
    pub language: Option<String>,
}

/// Blocks larger than this are rendered as escaped plain text.
pub const MAX_HIGHLIGHT_BYTES: usize = 256 * 1024;
/// Blocks larger than this are not kept in the cache.
const MAX_CACHED_BYTES: usize = 64 * 1024;
const SHARDS: usize = 16;
/// Distinct blocks kept per shard; past it the shard starts again, so a long
/// `serve` session (every edit of a code block is a new key) stays bounded.
const MAX_ENTRIES_PER_SHARD: usize = 1024;
const CLASS_PREFIX: &str = "hl-";
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed {
    prefix: CLASS_PREFIX,
};
/// syntect's default themes used for the light and the dark palette.
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

/// How a fence name is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang<'a> {
    /// Highlight with the syntect syntax found by this token; canonical name.
    Syntax { token: &'a str, name: &'a str },
    /// A language we know but render as plain text (no grammar, or `text`).
    Plain(&'a str),
    /// Not in the alias map: try syntect's own token lookup.
    Other,
}

/// Fence names to the language they are (lowercase input).
fn resolve_alias(lang: &str) -> Lang<'static> {
    let syn = |token, name| Lang::Syntax { token, name };
    match lang {
        "bash" | "sh" | "shell" | "curl" | "console" | "zsh" | "shell-session" => {
            syn("bash", "bash")
        }
        "js" | "javascript" | "node" | "mjs" => syn("js", "javascript"),
        "json" | "jsonc" | "json5" => syn("json", "json"),
        "yml" | "yaml" => syn("yaml", "yaml"),
        "xml" | "xsd" | "wsdl" | "soap" => syn("xml", "xml"),
        "html" | "htm" | "xhtml" => syn("html", "html"),
        "css" => syn("css", "css"),
        "sql" => syn("sql", "sql"),
        "python" | "py" => syn("py", "python"),
        "ruby" | "rb" => syn("rb", "ruby"),
        "java" => syn("java", "java"),
        "php" => syn("php", "php"),
        "go" | "golang" => syn("go", "go"),
        "rust" | "rs" => syn("rs", "rust"),
        "c#" | "csharp" | "cs" => syn("cs", "csharp"),
        "markdown" | "md" => syn("md", "markdown"),
        "http" => Lang::Plain("http"),
        "toml" => Lang::Plain("toml"),
        "text" | "txt" | "plaintext" | "plain" | "none" | "nohighlight" => Lang::Plain("text"),
        _ => Lang::Other,
    }
}

/// One cached block: its language and code (to tell hash collisions apart)
/// and the result. The three strings are ranges of one text: a block read
/// from a cache file uses the file's text in place.
struct Entry {
    text: Arc<str>,
    lang: Range<usize>,
    code: Range<usize>,
    html: Range<usize>,
    language: Option<String>,
    /// Asked for since it was cached (what a build keeps for the next one).
    used: AtomicBool,
}

impl Entry {
    /// A block just highlighted.
    fn new(lang: &str, code: &str, result: &Highlighted) -> Entry {
        let text: Arc<str> = [lang, code, &result.html].concat().into();
        let (c, h) = (lang.len(), lang.len() + code.len());
        Entry {
            text,
            lang: 0..c,
            code: c..h,
            html: h..h + result.html.len(),
            language: result.language.clone(),
            used: AtomicBool::new(true),
        }
    }

    fn lang(&self) -> &str {
        &self.text[self.lang.clone()]
    }

    fn code(&self) -> &str {
        &self.text[self.code.clone()]
    }

    fn html(&self) -> &str {
        &self.text[self.html.clone()]
    }

    fn result(&self) -> Highlighted {
        Highlighted {
            html: self.html().to_string(),
            language: self.language.clone(),
        }
    }
}

/// Entries by hash of (language, code): a lookup allocates nothing.
type Shard = Mutex<HashMap<u64, Vec<Entry>>>;

/// What parsing one line from a given state gave: the scope operations, the
/// HTML they make and the state after the line.
struct LineParse {
    /// The line (a key collision must never apply its offsets to another line).
    line: Box<str>,
    ops: Vec<(usize, ScopeStackOp)>,
    /// The line's HTML and how many spans it leaves open, when they do not
    /// depend on the scopes open before the line (see [`stack_free_html`]).
    html: Option<(Box<str>, isize)>,
    after: SharedState,
    /// The key of `after` (see [`state_key`]); None when it is not cacheable.
    after_key: Option<u128>,
}

/// A parser state kept in the line cache, which all threads share.
struct SharedState(ParseState);

// SAFETY: `ParseState` is neither Send nor Sync only because a level may hold
// regex captures: an onig `Region`, a struct owning two malloc'd arrays of
// offsets, with no interior mutability and no tie to the thread that made it.
// A cached state is only read (`clone`, `==`) and dropped, never mutated in
// place, so sharing or moving it across threads is sound.
unsafe impl Send for SharedState {}
unsafe impl Sync for SharedState {}

/// Lines cached at most (then a shard starts again, as the block cache does).
const MAX_CACHED_LINES: usize = 100_000;

/// Parsed lines by a 128-bit hash of (parser state, line), shared by all
/// threads: the grammar is part of the state, and a line parsed by one
/// thread is a hit for the others.
struct LineCache {
    shards: Vec<Mutex<LineMap>>,
}

type LineMap = HashMap<u128, Arc<LineParse>, BuildHasherDefault<FoldHasher>>;

impl LineCache {
    fn new() -> Self {
        LineCache {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(LineMap::default()))
                .collect(),
        }
    }

    fn shard(&self, key: u128) -> MutexGuard<'_, LineMap> {
        lock(&self.shards[(key as usize) % SHARDS])
    }

    /// The parse of `line` from the state hashed into `key`, if known.
    fn get(&self, key: u128, line: &str) -> Option<Arc<LineParse>> {
        let hit = self.shard(key).get(&key).cloned();
        hit.filter(|p| *p.line == *line)
    }

    fn insert(&self, key: u128, parsed: &Arc<LineParse>) {
        let mut map = self.shard(key);
        if map.len() >= MAX_CACHED_LINES / SHARDS {
            map.clear();
        }
        map.insert(key, Arc::clone(parsed));
    }
}

/// Highlights code blocks; one per process ([`Highlighter::global`]).
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    css: OnceLock<String>,
    cache: Vec<Shard>,
    lines: LineCache,
    /// The key of each grammar's initial state, by the grammar's address in
    /// the syntax set (hashing a state costs as much as parsing a short line).
    start_keys: Mutex<HashMap<usize, Option<u128>>>,
    /// Blocks read from a previous build's cache file ([`Highlighter::load_persisted`]).
    persisted: AtomicUsize,
    /// A block was highlighted that no cache file held.
    missed: AtomicBool,
}

impl Highlighter {
    /// A highlighter; nothing is loaded until it is used.
    pub fn new() -> Self {
        Highlighter {
            syntaxes: OnceLock::new(),
            css: OnceLock::new(),
            cache: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            lines: LineCache::new(),
            start_keys: Mutex::new(HashMap::new()),
            persisted: Default::default(),
            missed: AtomicBool::new(false),
        }
    }

    /// The process-wide highlighter (syntax sets are loaded once).
    pub fn global() -> &'static Highlighter {
        static H: OnceLock<Highlighter> = OnceLock::new();
        H.get_or_init(Highlighter::new)
    }

    /// Load the syntax definitions now (a build does it while it walks the
    /// source, rather than on the first code block, which would hold up
    /// every thread that reaches a code block meanwhile).
    pub fn preload(&self) {
        self.syntax_set();
        self.css.get_or_init(build_css);
    }

    /// Take in the blocks a previous build kept in the cache file at `path`
    /// (see [`persist`]); false when there is none for this binary. The
    /// syntax definitions then load only if a block is not in it.
    pub fn load_persisted(&self, path: &Path) -> bool {
        let Some(contents) = persist::stamp().and_then(|s| persist::read(path, &s)) else {
            return false;
        };
        let text = contents.text;
        let _ = self.css.set(text[contents.css].to_string());
        let count = contents.records.len();
        for r in contents.records {
            let entry = Entry {
                text: Arc::clone(&text),
                lang: r.lang,
                code: r.code,
                html: r.html,
                language: r.language.map(|l| text[l].to_string()),
                used: AtomicBool::new(false),
            };
            let hash = hash_of(entry.lang(), entry.code());
            let mut map = lock(&self.cache[(hash as usize) % SHARDS]);
            map.entry(hash).or_default().push(entry);
        }
        self.persisted.store(count, Ordering::Relaxed);
        true
    }

    /// Replace the cache file at `path` with the blocks asked for since they
    /// were cached, unless they are exactly the blocks it was loaded from.
    /// A cache that cannot be written is only a slower next build: errors
    /// are ignored.
    pub fn save_persisted(&self, path: &Path) {
        let shards: Vec<_> = self.cache.iter().map(lock).collect();
        let mut used: Vec<&Entry> = shards
            .iter()
            .flat_map(|shard| shard.values().flatten())
            .filter(|e| e.used.load(Ordering::Relaxed))
            .collect();
        let unchanged = !self.missed.load(Ordering::Relaxed)
            && used.len() == self.persisted.load(Ordering::Relaxed);
        let Some(stamp) = persist::stamp().filter(|_| !unchanged) else {
            return;
        };
        // Sorted, so the same blocks always make the same file.
        used.sort_unstable_by(|a, b| (a.lang(), a.code()).cmp(&(b.lang(), b.code())));
        let blocks = used
            .iter()
            .map(|e| (e.lang(), e.code(), e.language.as_deref(), e.html()));
        let _ = persist::write(path, &stamp, &self.css(), blocks);
    }

    fn syntax_set(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// Drop every cached block and line (the memory goes back to the
    /// allocator for the rest of the build).
    pub fn forget(&self) {
        for shard in &self.cache {
            lock(shard).clear();
        }
        for shard in &self.lines.shards {
            *lock(shard) = LineMap::default();
        }
    }

    /// Highlight `code` as `lang` (a fence info word, possibly an alias).
    pub fn highlight(&self, lang: &str, code: &str) -> Highlighted {
        // The first word of the info string, without Pandoc-style `{.lang}` punctuation.
        let word = lang
            .split(|c: char| c.is_whitespace() || c == ',')
            .find(|w| !w.is_empty())
            .unwrap_or("")
            .trim_matches(|c| c == '{' || c == '}' || c == '.');
        let lang = word.to_ascii_lowercase();
        if code.len() > MAX_CACHED_BYTES {
            return self.highlight_uncached(&lang, code);
        }
        let hash = hash_of(&lang, code);
        let shard = &self.cache[(hash as usize) % SHARDS];
        let find = |entries: &Vec<Entry>| {
            let e = entries
                .iter()
                .find(|e| e.lang() == lang && e.code() == code)?;
            e.used.store(true, Ordering::Relaxed);
            Some(e.result())
        };
        if let Some(hit) = lock(shard).get(&hash).and_then(find) {
            return hit;
        }
        let result = self.highlight_uncached(&lang, code);
        self.missed.store(true, Ordering::Relaxed);
        let mut map = lock(shard);
        if map.len() >= MAX_ENTRIES_PER_SHARD {
            map.clear();
        }
        let entries = map.entry(hash).or_default();
        if find(entries).is_none() {
            entries.push(Entry::new(&lang, code, &result));
        }
        result
    }

    /// Highlight without looking at the cache (`lang` is lowercase).
    fn highlight_uncached(&self, lang: &str, code: &str) -> Highlighted {
        let (syntax, name) = match resolve_alias(lang) {
            Lang::Plain(name) => return plain(code, Some(name)),
            Lang::Syntax { token, name } => (self.syntax_set().find_syntax_by_token(token), name),
            Lang::Other if lang.is_empty() => return plain(code, None),
            Lang::Other => (self.syntax_set().find_syntax_by_token(lang), lang),
        };
        let Some(syntax) = syntax else {
            // Named in the alias map but missing from the grammar set: still a
            // language we know, so no warning.
            let known = !matches!(resolve_alias(lang), Lang::Other);
            return plain(code, known.then_some(name));
        };
        if code.len() > MAX_HIGHLIGHT_BYTES {
            return plain(code, Some(name));
        }
        match self.classed_html(syntax, code) {
            Some(html) => Highlighted {
                html,
                language: Some(name.to_string()),
            },
            None => plain(code, Some(name)),
        }
    }

    /// Class-based HTML of `code` (what syntect's `ClassedHTMLGenerator`
    /// writes), with each line's parse and HTML taken from the line cache
    /// when the same line was parsed from the same state before.
    fn classed_html(&self, syntax: &SyntaxReference, code: &str) -> Option<String> {
        if syntax.name == "JSON" {
            if let Some(html) = self.json_html(syntax, code) {
                return Some(html);
            }
        }
        let mut walk = Walk::new(self, syntax);
        let lines = LinesWithEndings::from(code)
            .map(|line| Some((line, walk.next(line)?)))
            .collect::<Option<Vec<_>>>()?;
        // Known fragments are copied: their total (plus a guess for the
        // others) makes the string the right size at once.
        let size: usize = lines
            .iter()
            .map(|(line, parsed)| parsed.html.as_ref().map_or(line.len() * 8, |h| h.0.len()))
            .sum();
        let mut html = String::with_capacity(size + 64);
        let mut open_spans = 0isize;
        // The scopes open before a line matter only to a line whose HTML
        // depends on them: the lines before it are applied then.
        let mut stack = ScopeStack::new();
        let mut applied = 0;
        for (i, (line, parsed)) in lines.iter().enumerate() {
            if let Some((frag, delta)) = &parsed.html {
                html.push_str(frag);
                open_spans += delta;
                continue;
            }
            for (_, earlier) in &lines[applied..i] {
                for (_, op) in &earlier.ops {
                    stack.apply(op).ok()?;
                }
            }
            open_spans += write_line_html(&mut html, line, &parsed.ops, &mut stack)?;
            applied = i + 1;
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        Some(html)
    }

    /// The HTML of a JSON block whose scope operations the fast tokenizer
    /// ([`json`]) made, or None when it gave up (syntect then parses it).
    /// The line cache is neither read nor filled: the tokenizer is cheaper
    /// than hashing a parser state.
    fn json_html(&self, syntax: &SyntaxReference, code: &str) -> Option<String> {
        let ops = json::block_ops(code)?;
        #[cfg(debug_assertions)]
        json::check(code, &ops, syntax, self.syntax_set());
        #[cfg(not(debug_assertions))]
        let _ = syntax;
        let mut html = String::with_capacity(code.len() * 8);
        let mut stack = ScopeStack::new();
        let mut open_spans = 0;
        for (line, ops) in LinesWithEndings::from(code).zip(ops.lines()) {
            open_spans += write_line_html(&mut html, line, ops, &mut stack)?;
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        Some(html)
    }

    /// The key of the state a parse of `syntax` starts from.
    fn start_key(&self, syntax: &SyntaxReference) -> Option<u128> {
        let address = syntax as *const SyntaxReference as usize;
        *lock(&self.start_keys)
            .entry(address)
            .or_insert_with(|| state_key(&ParseState::new(syntax)))
    }

    /// Stylesheet for the highlight classes: light by default, dark under
    /// `prefers-color-scheme: dark` (unless the page chose light with
    /// `data-theme="light"`) and under `[data-theme=dark]`.
    pub fn css(&self) -> String {
        self.css.get_or_init(build_css).clone()
    }
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

/// The parse of one block, line by line, through the line cache.
struct Walk<'h> {
    highlighter: &'h Highlighter,
    syntax: &'h SyntaxReference,
    /// The line that led to the current state; None before the first line.
    last: Option<Arc<LineParse>>,
    /// The key of the current state; None when it is not cacheable.
    key: Option<u128>,
    /// Lines of this block whose end state is cacheable, one per state, most
    /// recent last: a new state is usually one of these (JSON returns to the
    /// same few states), and comparing states is far cheaper than hashing one.
    seen: Vec<Arc<LineParse>>,
}

impl<'h> Walk<'h> {
    fn new(highlighter: &'h Highlighter, syntax: &'h SyntaxReference) -> Self {
        Walk {
            key: highlighter.start_key(syntax),
            highlighter,
            syntax,
            last: None,
            seen: Vec::new(),
        }
    }

    /// The parse of the next line (from the cache when the current state is
    /// cacheable and the line was parsed from it before).
    fn next(&mut self, line: &str) -> Option<Arc<LineParse>> {
        let lines = &self.highlighter.lines;
        let key = self.key.map(|k| line_key(k, line));
        let parsed = match key.and_then(|k| lines.get(k, line)) {
            Some(hit) => hit,
            None => {
                let parsed = Arc::new(self.parse(line)?);
                if let Some(k) = key {
                    lines.insert(k, &parsed);
                }
                parsed
            }
        };
        self.key = parsed.after_key;
        if let Some(k) = parsed.after_key {
            if !self.seen.iter().any(|p| p.after_key == Some(k)) {
                self.seen.push(Arc::clone(&parsed));
            }
        }
        self.last = Some(Arc::clone(&parsed));
        Some(parsed)
    }

    /// Parse `line` with syntect from the current state.
    fn parse(&self, line: &str) -> Option<LineParse> {
        let mut state = match &self.last {
            Some(p) => p.after.0.clone(),
            None => ParseState::new(self.syntax),
        };
        let ops = state.parse_line(line, self.highlighter.syntax_set()).ok()?;
        Some(LineParse {
            line: line.into(),
            html: stack_free_html(line, &ops),
            after_key: self.key_of(&state),
            ops,
            after: SharedState(state),
        })
    }

    /// The key of a state just reached: that of an equal state this block
    /// went through, else hashed from scratch.
    fn key_of(&self, state: &ParseState) -> Option<u128> {
        let known = self.seen.iter().rev().find(|p| p.after.0 == *state);
        match known {
            Some(p) => p.after_key,
            None => state_key(state),
        }
    }
}

/// The HTML of a line and the spans it leaves open, when they are the same
/// whatever scopes are open before it: always, unless the line clears or
/// restores scopes (syntect then closes or reopens spans of earlier lines).
fn stack_free_html(line: &str, ops: &[(usize, ScopeStackOp)]) -> Option<(Box<str>, isize)> {
    let uses_stack = ops
        .iter()
        .any(|(_, op)| matches!(op, ScopeStackOp::Clear(_) | ScopeStackOp::Restore));
    if uses_stack {
        return None;
    }
    let mut html = String::with_capacity(line.len() * 4);
    let delta = write_line_html(&mut html, line, ops, &mut ScopeStack::new())?;
    Some((html.into_boxed_str(), delta))
}

/// Appends the HTML of one line to `out`, byte for byte what syntect's
/// `line_tokens_to_classed_spans` returns (escaped text, a span per scope
/// pushed, empty spans dropped), and returns the spans opened minus closed.
/// Written here to append to the block's string and to reuse class names.
fn write_line_html(
    out: &mut String,
    line: &str,
    ops: &[(usize, ScopeStackOp)],
    stack: &mut ScopeStack,
) -> Option<isize> {
    let mut done = 0;
    let mut delta = 0;
    // A span opened since the last text: dropped if it closes before any.
    let mut empty_span_at = None;
    for (at, op) in ops {
        if *at > done {
            empty_span_at = None;
            escape_into(out, &line[done..*at]);
            done = *at;
        }
        let hook = |basic: BasicScopeStackOp, _: &[Scope]| match basic {
            BasicScopeStackOp::Push(scope) => {
                empty_span_at = Some(out.len());
                out.push_str("<span class=\"");
                push_classes(out, scope);
                out.push_str("\">");
                delta += 1;
            }
            BasicScopeStackOp::Pop => {
                match empty_span_at.take() {
                    Some(start) => out.truncate(start),
                    None => out.push_str("</span>"),
                }
                delta -= 1;
            }
        };
        stack.apply_with_hook(op, hook).ok()?;
    }
    escape_into(out, &line[done..]);
    Some(delta)
}

/// Appends `text` escaped as syntect escapes it (`'` and `"` too); the
/// theme's escaping ([`crate::render::escape_html`]) is the same.
pub fn escape_into(out: &mut String, text: &str) {
    let mut rest = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'\'' => "&#39;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[rest..i]);
        out.push_str(entity);
        rest = i + 1;
    }
    out.push_str(&text[rest..]);
}

thread_local! {
    /// Class attribute of each scope seen (`hl-string hl-quoted hl-json`):
    /// syntect spells a scope out under a global lock.
    static CLASSES: std::cell::RefCell<HashMap<Scope, Box<str>, BuildHasherDefault<FoldHasher>>> =
        std::cell::RefCell::new(HashMap::default());
}

/// Appends the classes of `scope`: each of its atoms with the class prefix.
fn push_classes(out: &mut String, scope: Scope) {
    CLASSES.with(|classes| {
        let mut classes = classes.borrow_mut();
        let names = classes.entry(scope).or_insert_with(|| {
            let atoms = scope.build_string();
            let names: Vec<String> = atoms
                .split('.')
                .map(|a| format!("{CLASS_PREFIX}{a}"))
                .collect();
            names.join(" ").into_boxed_str()
        });
        out.push_str(names);
    });
}

/// A hasher for keys that are a few machine words (xxh3 hashes, scopes):
/// each word is folded in with a multiply (FxHash), far cheaper than
/// SipHash; the keys are the site's own code, not adversarial input.
#[derive(Default)]
struct FoldHasher(u64);

impl Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u128(&mut self, word: u128) {
        self.write_u64(word as u64);
        self.write_u64((word >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock leaves a consistent map (insert is atomic).
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A 128-bit key of a parser state (grammar contexts, prototypes, flags),
/// from its debug text; None for a state holding regex captures (heredocs,
/// backreferences), whose debug text does not show all of it.
fn state_key(state: &ParseState) -> Option<u128> {
    let text = format!("{state:?}");
    (!text.contains("captures: Some(")).then(|| hash128(text.as_bytes(), 0))
}

/// The key of `line` parsed from the state with key `state`.
fn line_key(state: u128, line: &str) -> u128 {
    hash128(line.as_bytes(), state)
}

/// A 128-bit cache key (xxh3), seeded with the parser state: not
/// cryptographic (inputs are the site's own code blocks); a hit is confirmed
/// by comparing the line.
fn hash128(bytes: &[u8], seed: u128) -> u128 {
    let seed = (seed as u64) ^ ((seed >> 64) as u64);
    xxhash_rust::xxh3::xxh3_128_with_seed(bytes, seed)
}

fn hash_of(lang: &str, code: &str) -> u64 {
    let seed = xxhash_rust::xxh3::xxh3_64(lang.as_bytes());
    xxhash_rust::xxh3::xxh3_64_with_seed(code.as_bytes(), seed)
}

fn plain(code: &str, language: Option<&str>) -> Highlighted {
    Highlighted {
        html: html_escape::encode_text(code).into_owned(),
        language: language.map(String::from),
    }
}

fn build_css() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let theme_css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    let light = theme_css(LIGHT_THEME);
    let dark = theme_css(DARK_THEME);
    // Each palette applies only where the other does not, so no rule of one
    // theme can leak into the other through a more specific selector.
    let mut out = String::from(
        "/* elementdocs: syntax highlighting (syntect). Light by default; dark under\n   prefers-color-scheme: dark and [data-theme=dark]; [data-theme=light] forces light. */\n\n",
    );
    out.push_str("@media not all and (prefers-color-scheme: dark) {\n");
    out.push_str(&scope_css(&light, ":root:not([data-theme=dark])"));
    out.push_str("}\n\n");
    out.push_str(&scope_css(&light, ":root[data-theme=light]"));
    out.push_str("\n@media (prefers-color-scheme: dark) {\n");
    out.push_str(&scope_css(&dark, ":root:not([data-theme=light])"));
    out.push_str("}\n\n");
    out.push_str(&scope_css(&dark, ":root[data-theme=dark]"));
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start..].find("*/") {
            Some(end) => rest = &rest[start + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.trim_start().to_string()
}

/// Prefix every selector of every rule in `css` (flat rules only, as
/// syntect writes them) with `scope `.
pub fn scope_css(css: &str, scope: &str) -> String {
    let css = strip_comments(css);
    let mut out = String::with_capacity(css.len() * 2);
    let mut rest = css.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let selectors = rest[..open]
            .split(',')
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| format!("{scope} {s}"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&selectors);
        out.push_str(" {");
        out.push_str(&rest[open + 1..open + close + 1]);
        out.push('\n');
        rest = &rest[open + close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::html::ClassedHTMLGenerator;

    fn hl(lang: &str, code: &str) -> Highlighted {
        Highlighter::global().highlight(lang, code)
    }

    #[test]
    fn aliases_resolve_to_canonical_names() {
        for (alias, canonical) in [
            ("sh", "bash"),
            ("shell", "bash"),
            ("curl", "bash"),
            ("console", "bash"),
            ("zsh", "bash"),
            ("Bash", "bash"),
            ("js", "javascript"),
            ("javascript", "javascript"),
            ("jsonc", "json"),
            ("json5", "json"),
            ("json", "json"),
            ("yml", "yaml"),
            ("yaml", "yaml"),
            ("xml", "xml"),
            ("html", "html"),
        ] {
            let h = hl(alias, "x = 1\n");
            assert_eq!(h.language.as_deref(), Some(canonical), "alias {alias}");
            assert!(
                h.html.contains("hl-"),
                "{alias} not highlighted: {}",
                h.html
            );
        }
    }

    #[test]
    fn json_is_highlighted_and_escaped() {
        let h = hl("json", "{\"name\": \"<INSTANCE_NAME>\"}\n");
        assert_eq!(h.language.as_deref(), Some("json"));
        assert!(h.html.contains("&lt;INSTANCE_NAME&gt;"), "{}", h.html);
        assert!(h.html.contains("class=\"hl-"), "{}", h.html);
        assert!(!h.html.contains("<INSTANCE_NAME>"));
    }

    #[test]
    fn bash_curl_is_highlighted() {
        let h = hl("bash", "curl -X POST \\\n  -H 'a: b' https://x/y\n");
        assert_eq!(h.language.as_deref(), Some("bash"));
        assert!(h.html.contains("hl-"));
    }

    #[test]
    fn text_like_languages_are_known_plain() {
        for lang in ["text", "plaintext", "plain", "none", "http", "toml"] {
            let h = hl(lang, "GET /a?b=<c> & d\n");
            assert!(h.language.is_some(), "{lang}");
            assert_eq!(h.html, "GET /a?b=&lt;c&gt; &amp; d\n");
        }
        assert_eq!(hl("http", "x").language.as_deref(), Some("http"));
        assert_eq!(hl("plain", "x").language.as_deref(), Some("text"));
    }

    #[test]
    fn unknown_language_is_escaped_plain_without_language() {
        let h = hl("no-such-language-xyz", "<b>&</b>");
        assert_eq!(h.language, None);
        assert_eq!(h.html, "&lt;b&gt;&amp;&lt;/b&gt;");
        assert_eq!(hl("", "a<b").language, None);
    }

    #[test]
    fn syntect_tokens_outside_the_alias_map_work() {
        let h = hl("lua", "local x = 1\n");
        assert_eq!(h.language.as_deref(), Some("lua"));
        assert!(h.html.contains("hl-"));
    }

    #[test]
    fn oversized_blocks_are_plain_text() {
        let code = "{\"a\": 1}\n".repeat(MAX_HIGHLIGHT_BYTES / 8);
        assert!(code.len() > MAX_HIGHLIGHT_BYTES);
        let h = hl("json", &code);
        assert_eq!(h.language.as_deref(), Some("json"));
        assert!(!h.html.contains("<span"));
        assert_eq!(h.html, html_escape::encode_text(&code));
    }

    #[test]
    fn cache_returns_the_same_result() {
        let h = Highlighter::new();
        let a = h.highlight("json", "[1, 2]\n");
        let b = h.highlight("JSON", "[1, 2]\n");
        assert_eq!(a, b);
        let c = h.highlight(" json title=x", "[1, 2]\n");
        assert_eq!(a, c);
        assert_eq!(h.highlight("{.json}", "[1, 2]\n"), a);
        let cached: usize = h
            .cache
            .iter()
            .map(|s| lock(s).values().map(Vec::len).sum::<usize>())
            .sum();
        assert_eq!(cached, 1);
    }

    #[test]
    fn highlighter_is_sync_and_usable_from_threads() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<Highlighter>();
        let hs: Vec<_> = (0..4)
            .map(|i| std::thread::spawn(move || hl("bash", &format!("echo {i}\n"))))
            .collect();
        for h in hs {
            assert_eq!(h.join().unwrap().language.as_deref(), Some("bash"));
        }
    }

    #[test]
    fn css_has_light_and_dark_rules() {
        let css = Highlighter::global().css();
        assert!(css.contains(".hl-"));
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(css.contains(":root[data-theme=dark] .hl-"));
        assert!(css.contains(":root:not([data-theme=light]) .hl-"));
        assert!(css.contains("@media not all and (prefers-color-scheme: dark)"));
        assert!(css.contains(":root[data-theme=light] .hl-"));
        // No unscoped rule: every selector belongs to one palette.
        for line in css
            .lines()
            .filter(|l| l.ends_with('{') && !l.starts_with('@'))
        {
            assert!(line.trim_start().starts_with(":root"), "{line}");
        }
        assert_eq!(css.matches('{').count(), css.matches('}').count());
    }

    #[test]
    fn scope_css_prefixes_every_selector() {
        let out = scope_css("/* c */\n.a, .b .c {\n color: red;\n}\n.d {\n}\n", "X");
        assert_eq!(out, "X .a, X .b .c {\n color: red;\n}\nX .d {\n}\n");
    }

    /// The line cache gives what syntect's own generator gives, for repeated
    /// lines in different states and for states with captures (heredocs).
    #[test]
    fn line_cache_matches_syntect() {
        let h = Highlighter::new();
        let ss = h.syntax_set();
        let samples = [
            (
                "json",
                "{\n  \"a\": [1, 2],\n  \"b\": {\"c\": \"<x>\"}\n}\n",
            ),
            (
                "json",
                "[\n  \"a\": [1, 2],\n  {\"b\": {\"c\": \"<x>\"}}\n]\n",
            ),
            (
                "bash",
                "cat <<EOF\n\"a\": [1, 2],\nEOF\necho \"a\": [1, 2],\n",
            ),
            ("bash", "curl -X GET \\\n  -H 'a: b' \\\n  'https://x/y'\n"),
            ("js", "/* open\n\"a\": [1, 2],\n*/ var x = `t\n${y}`;\n"),
            // Template substitutions clear and restore scopes: their HTML
            // depends on the spans open before the line.
            ("js", "var s = `a ${b} c`;\nf(`<${'&'}>`, \"'\");\n"),
            ("js", "{\n  var s = `a ${b} c`;\n}\n"),
        ];
        for _ in 0..2 {
            for (lang, code) in samples {
                let syntax = ss.find_syntax_by_token(lang).unwrap();
                assert_eq!(
                    h.classed_html(syntax, code).unwrap(),
                    syntect_html(ss, syntax, code),
                    "{lang}: {code}"
                );
            }
        }
    }

    /// JSON blocks the fast path takes (closed or cut off, so spans are
    /// left open) give the HTML syntect's generator gives.
    #[test]
    fn json_fast_path_html_matches_syntect() {
        let h = Highlighter::new();
        let ss = h.syntax_set();
        let syntax = ss.find_syntax_by_token("json").unwrap();
        for code in [
            "{\n  \"a\": [1, -2.5e3, {\"b\": \"<&'\\\"\\u00e9>\"}],\n  \"c\": null\n}\n",
            "[\n  {\"open\": [true,\n",
            "\n\n\"s\"\n",
        ] {
            assert!(json::block_ops(code).is_some(), "{code}");
            assert_eq!(
                h.classed_html(syntax, code).unwrap(),
                syntect_html(ss, syntax, code),
                "{code}"
            );
        }
    }

    /// What syntect's own generator writes for `code`.
    fn syntect_html(ss: &SyntaxSet, syntax: &SyntaxReference, code: &str) -> String {
        let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, ss, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            gen.parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        gen.finalize()
    }

    /// Threads share the line cache: blocks highlighted side by side, with
    /// lines in common, still give what syntect gives. (The comment makes
    /// the JSON fast path give up, so syntect and the line cache do these.)
    #[test]
    fn shared_line_cache_matches_syntect_across_threads() {
        let h = Highlighter::new();
        let ss = h.syntax_set();
        let syntax = ss.find_syntax_by_token("json").unwrap();
        let block = |i: usize| {
            format!(
                "// block\n{{\n  \"id\": {i},\n  \"a\": {{\"b\": [1, {}]}}\n}}\n",
                i % 3
            )
        };
        std::thread::scope(|scope| {
            for t in 0..4 {
                let h = &h;
                scope.spawn(move || {
                    for i in 0..20 {
                        let code = block(i * 4 + t);
                        let want = syntect_html(ss, syntax, &code);
                        assert_eq!(h.classed_html(syntax, &code).unwrap(), want);
                    }
                });
            }
        });
        let cached: usize = h.lines.shards.iter().map(|s| lock(s).len()).sum();
        assert!(cached > 0);
    }
}

#[cfg(test)]
mod persisted_tests {
    use super::*;

    const CODE: &str = "{\"id\": 1}\n";

    /// A cache file for this binary holding one block with made-up HTML.
    fn forged(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("highlight");
        let fake = Highlighted {
            html: "FORGED".into(),
            language: Some("json".into()),
        };
        let stamp = persist::stamp().unwrap();
        let block = ("json", CODE, fake.language.as_deref(), &*fake.html);
        persist::write(&path, &stamp, ".css{}", [block].into_iter()).unwrap();
        path
    }

    #[test]
    fn a_kept_block_is_not_parsed_again() {
        let dir = tempfile::tempdir().unwrap();
        let h = Highlighter::new();
        assert!(h.load_persisted(&forged(dir.path())));
        assert_eq!(h.highlight("JSON", CODE).html, "FORGED");
        assert_eq!(h.css(), ".css{}");
        assert!(h.syntaxes.get().is_none(), "no syntax definitions loaded");
    }

    #[test]
    fn the_file_is_rewritten_only_when_the_blocks_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = forged(dir.path());
        let before = std::fs::read(&path).unwrap();

        // Every kept block asked for, nothing new: the file stays.
        let h = Highlighter::new();
        h.load_persisted(&path);
        h.highlight("json", CODE);
        std::fs::remove_file(&path).unwrap();
        h.save_persisted(&path);
        assert!(!path.exists(), "unchanged blocks are not written again");

        // A new block: written with the kept one; a block not asked for goes.
        std::fs::write(&path, &before).unwrap();
        let h = Highlighter::new();
        h.load_persisted(&path);
        h.highlight("json", CODE);
        let fresh = h.highlight("bash", "echo hi\n");
        h.save_persisted(&path);
        let again = Highlighter::new();
        assert!(again.load_persisted(&path));
        assert_eq!(again.highlight("json", CODE).html, "FORGED");
        assert_eq!(again.highlight("bash", "echo hi\n"), fresh);
        assert!(again.syntaxes.get().is_none());

        let h = Highlighter::new();
        h.load_persisted(&path);
        h.highlight("bash", "echo hi\n");
        h.save_persisted(&path);
        let last = Highlighter::new();
        last.load_persisted(&path);
        assert_ne!(
            last.highlight("json", CODE).html,
            "FORGED",
            "dropped, parsed again"
        );
    }

    #[test]
    fn a_missing_or_foreign_file_loads_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let h = Highlighter::new();
        assert!(!h.load_persisted(&dir.path().join("none")));
        let path = dir.path().join("other");
        let block = ("json", CODE, None, "FORGED");
        persist::write(&path, "another binary", "", [block].into_iter()).unwrap();
        assert!(!h.load_persisted(&path));
        assert_ne!(h.highlight("json", CODE).html, "FORGED");
    }
}
