//! Syntax highlighting with syntect: class-based HTML with an `hl-` prefix,
//! and CSS for a light and a dark theme.
//!
//! A build owns one [`Highlighter`] (`serve` keeps one for its session) and
//! hands it to Markdown, which calls [`Highlighter::highlight`] per block.
//!
//! * [`lang`]: the fence word through an alias map (`sh`, `curl`, `console`
//!   → bash, `js` → javascript, `jsonc` → json...). `text`/`plain`/`none` and
//!   languages syntect has no grammar for but that we know (`http`, `toml`)
//!   render as escaped plain text with a known language; anything else is
//!   escaped plain text with `language: None` (the caller warns).
//! * [`html`]: syntect's grammars (decoded once per process: they never
//!   change) and its HTML for each line; JSON blocks, most of the code a
//!   build highlights, take a tokenizer of their own ([`json`]).
//! * [`cache`]: results by (fence word, code): element guides repeat the
//!   same snippets hundreds of times.
//! * [`persist`]: a build keeps the blocks it highlighted for the next build
//!   into the same output folder ([`Highlighter::save_persisted`]), as
//!   Jekyll's `.jekyll-cache` does.
//! * [`css`]: the stylesheet, light and dark, every token colour readable
//!   (4.5:1) on the code background.
//! * Blocks above [`MAX_HIGHLIGHT_BYTES`] are not highlighted (some grammars
//!   are slow on pathological input); they render as escaped text.

mod cache;
mod css;
mod html;
mod json;
mod lang;
mod persist;

use cache::{BlockCache, Entry, Slice};
use lang::Lang;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, OnceLock};

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
const MAX_HIGHLIGHT_BYTES: usize = 256 * 1024;
/// Blocks larger than this are not kept in the cache.
const MAX_CACHED_BYTES: usize = 64 * 1024;

/// Highlights code blocks and keeps what it highlighted, for the build (or
/// the `serve` session) that owns it.
#[derive(Default)]
pub struct Highlighter {
    state: Mutex<State>,
    css: OnceLock<String>,
}

#[derive(Default)]
struct State {
    blocks: BlockCache,
    /// Blocks read from a previous build's cache file ([`Highlighter::load_persisted`]).
    persisted: usize,
    /// A block was highlighted that no cache file held.
    missed: bool,
}

impl Highlighter {
    /// A highlighter with nothing cached; the grammars load on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// Load the syntax definitions and make the stylesheet now (a build does
    /// it while it walks the source, rather than on the first code block,
    /// which would hold up every thread that reaches a code block meanwhile).
    pub fn preload(&self) {
        html::syntaxes();
        self.css();
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
        let mut state = self.state();
        let count = contents.records.len();
        for r in contents.records {
            let entry = Entry {
                html: Slice::new(&text, r.html),
                language: r.language.map(|l| text[l].into()),
                used: false,
            };
            let word = &text[r.lang];
            state.blocks.insert(word, Slice::new(&text, r.code), entry);
        }
        state.persisted = count;
        true
    }

    /// Replace the cache file at `path` with the blocks asked for since they
    /// were cached, unless they are exactly the blocks it was loaded from.
    /// A cache that cannot be written is only a slower next build: errors
    /// are ignored.
    pub fn save_persisted(&self, path: &Path) {
        let state = self.state();
        let used = state.blocks.used();
        let unchanged = !state.missed && used.len() == state.persisted;
        let Some(stamp) = persist::stamp().filter(|_| !unchanged) else {
            return;
        };
        let blocks = used
            .iter()
            .map(|(word, code, e)| (*word, *code, e.language.as_deref(), e.html.as_str()));
        let _ = persist::write(path, &stamp, &self.css(), blocks);
    }

    /// Drop every cached block (the memory goes back to the allocator for
    /// the rest of the build).
    pub fn forget(&self) {
        self.state().blocks.clear();
    }

    /// Highlight `code` as the language of the fence info string `info`
    /// (its first word, possibly an alias).
    pub fn highlight(&self, info: &str, code: &str) -> Highlighted {
        let word = lang::fence_word(info);
        if code.len() > MAX_CACHED_BYTES {
            return highlight_block(&word, code);
        }
        if let Some(hit) = self.state().blocks.get(&word, code) {
            return hit.result();
        }
        // Not under the lock: other threads highlight meanwhile.
        let result = highlight_block(&word, code);
        let mut state = self.state();
        state.missed = true;
        state.blocks.insert_new(&word, code, &result);
        result
    }

    /// Stylesheet for the highlight classes: light by default, dark under
    /// `prefers-color-scheme: dark` (unless the page chose light with
    /// `data-theme="light"`) and under `[data-theme=dark]`.
    pub fn css(&self) -> String {
        self.css.get_or_init(css::build_css).clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves a consistent cache (an
        // insert is whole or not done).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Highlight `code` as the (lowercase) fence word `word`, without the cache.
fn highlight_block(word: &str, code: &str) -> Highlighted {
    let syntaxes = html::syntaxes();
    let (syntax, name) = match lang::resolve_alias(word) {
        Lang::Plain(name) => return plain(code, Some(name)),
        Lang::Syntax { token, name } => (syntaxes.find_syntax_by_token(token), name),
        Lang::Other if word.is_empty() => return plain(code, None),
        Lang::Other => (syntaxes.find_syntax_by_token(word), word),
    };
    let Some(syntax) = syntax else {
        // Named in the alias map but missing from the grammar set: still a
        // language we know, so no warning.
        let known = !matches!(lang::resolve_alias(word), Lang::Other);
        return plain(code, known.then_some(name));
    };
    if code.len() > MAX_HIGHLIGHT_BYTES {
        return plain(code, Some(name));
    }
    match html::classed_html(syntax, code) {
        Some(html) => Highlighted {
            html,
            language: Some(name.to_string()),
        },
        None => plain(code, Some(name)),
    }
}

fn plain(code: &str, language: Option<&str>) -> Highlighted {
    Highlighted {
        html: html_escape::encode_text(code).into_owned(),
        language: language.map(String::from),
    }
}

#[cfg(test)]
mod tests;
