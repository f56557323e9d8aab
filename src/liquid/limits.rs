//! Bounds on what one page's Liquid may cost, whatever its author wrote.
//!
//! Nesting is bounded when the page is parsed and translated
//! ([`MAX_NESTING`]): tera parses and renders a template recursively, and a
//! page is rendered on an ordinary thread (rayon's workers, the main thread),
//! so the depth must fit in their stacks. What only rendering can tell is
//! bounded while tera renders, by the helpers of [`super::filters`]: the
//! iterations of a page's loops ([`MAX_ITERATIONS`]), the size of any value a
//! filter or a `capture` makes ([`MAX_VALUE`]) and of the page's output
//! ([`MAX_OUTPUT`]). A helper that hits a limit fails with a [`limit_error`]
//! naming the *site* (a loop, `assign` or `capture` tag, numbered in
//! translation order) it was called from; the page's expansion turns that
//! into a diagnostic at the tag.

use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Deepest nesting of blocks and includes in one page (blocks of the
/// included files count where they are included), and of an expression's
/// parentheses, brackets and `and`/`or` chain. Expanding a page (our parser
/// and translation, then tera's parser and renderer, all recursive) needs
/// ~190 KiB of stack plus ~15 KiB per level in a debug build, so 50 levels
/// (~0.9 MiB) fit with room to spare in the 2 MiB a thread gets by default
/// (rayon's workers, test threads; the main thread has 8); the corpus nests
/// 2 levels at most.
pub const MAX_NESTING: usize = 50;

/// Loop iterations one page may run, all loops together (the corpus runs a
/// few thousand at most on a page).
pub const MAX_ITERATIONS: usize = 1_000_000;

/// Largest page, in bytes, that Liquid may produce.
pub const MAX_OUTPUT: usize = 16 << 20;

/// Largest value (a string, or the strings of a list together) that a
/// filter or a `capture` may make.
pub const MAX_VALUE: usize = MAX_OUTPUT;

/// Marks the message of a [`limit_error`] (never in a message of tera's).
const MARK: &str = "\u{0}liquid-limit:";

/// The counters of one render, shared with the helpers of the tera instance
/// rendering it (one render at a time per instance).
#[derive(Default)]
pub struct Budget {
    iterations: AtomicUsize,
    /// The site of the loop started last, plus one (0: none yet).
    last_loop: AtomicUsize,
}

impl Budget {
    pub fn reset(&self) {
        self.iterations.store(0, Ordering::Relaxed);
        self.last_loop.store(0, Ordering::Relaxed);
    }

    /// A loop at `at` is about to run `n` iterations.
    pub fn iterate(&self, n: usize, at: Option<usize>) -> tera::Result<()> {
        if let Some(k) = at {
            self.last_loop.store(k + 1, Ordering::Relaxed);
        }
        let total = self
            .iterations
            .fetch_add(n, Ordering::Relaxed)
            .saturating_add(n);
        if total > MAX_ITERATIONS {
            return Err(limit_error(at, iterations_message(total)));
        }
        Ok(())
    }

    /// The loop started last: where a page that grows too large most
    /// likely grows.
    pub fn last_loop(&self) -> Option<usize> {
        self.last_loop.load(Ordering::Relaxed).checked_sub(1)
    }
}

pub fn iterations_message(n: usize) -> String {
    format!("the page's loops run {n} iterations, more than the {MAX_ITERATIONS} a page may run")
}

/// The failure of a helper called from site `at` (None: not known).
pub fn limit_error(at: Option<usize>, message: String) -> tera::Error {
    let at = at.map_or(String::new(), |k| k.to_string());
    tera::Error::msg(format!("{MARK}{at}:{message}"))
}

/// The site and message of a [`limit_error`] somewhere in `e`'s causes.
pub fn find_limit(e: &tera::Error) -> Option<(Option<usize>, String)> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(x) = cur {
        let text = x.to_string();
        if let Some(rest) = text.strip_prefix(MARK) {
            let (at, msg) = rest.split_once(':')?;
            return Some((at.parse().ok(), msg.to_string()));
        }
        cur = x.source();
    }
    None
}

/// The memory a value holds, roughly: its strings' bytes, and one per
/// value (so a list of a million empty strings is not free). Stops
/// counting past `MAX_VALUE`.
pub fn weight(v: &Value) -> usize {
    fn add(v: &Value, acc: &mut usize) {
        if *acc > MAX_VALUE {
            return;
        }
        *acc += 1;
        match v {
            Value::String(s) => *acc += s.len(),
            Value::Array(a) => a.iter().for_each(|x| add(x, acc)),
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                *acc += k.len();
                add(x, acc)
            }),
            _ => {}
        }
    }
    let mut acc = 0;
    add(v, &mut acc);
    acc
}

/// An error unless a value of `size` bytes may be made at `at`.
pub fn check_size(size: usize, what: &str, at: Option<usize>) -> tera::Result<()> {
    if size > MAX_VALUE {
        let msg = format!(
            "{what} would make a value of {size} bytes, more than the {MAX_VALUE} a value may hold"
        );
        return Err(limit_error(at, msg));
    }
    Ok(())
}

/// What tera renders a page into: refuses to grow past [`MAX_OUTPUT`].
#[derive(Default)]
pub struct CappedOutput {
    pub bytes: Vec<u8>,
    pub overflowed: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT {
            self.overflowed = true;
            return Err(std::io::Error::other("page output too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn output_message() -> String {
    format!("the page's output grows past {MAX_OUTPUT} bytes, the most a page may produce")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_errors_keep_their_site_through_tera_causes() {
        let e = tera::Error::chain("Failed to render", limit_error(Some(7), "too many".into()));
        assert_eq!(find_limit(&e), Some((Some(7), "too many".into())));
        let e = limit_error(None, "x".into());
        assert_eq!(find_limit(&e), Some((None, "x".into())));
        assert_eq!(find_limit(&tera::Error::msg("other")), None);
    }

    #[test]
    fn budget_counts_every_loop_of_a_render() {
        let b = Budget::default();
        assert!(b.iterate(MAX_ITERATIONS - 1, Some(2)).is_ok());
        assert!(b.iterate(1, Some(3)).is_ok());
        assert_eq!(b.last_loop(), Some(3));
        let e = b.iterate(1, Some(4)).unwrap_err();
        assert_eq!(find_limit(&e).map(|x| x.0), Some(Some(4)));
        b.reset();
        assert!(b.iterate(10, None).is_ok());
        assert_eq!(b.last_loop(), None);
    }

    #[test]
    fn weight_counts_strings_and_values() {
        let v = serde_json::json!(["ab", {"k": "cde"}, 1]);
        // list, "ab", object, "k" + "cde", 1
        assert_eq!(weight(&v), 1 + 3 + 1 + 1 + 4 + 1);
        let big = Value::Array(vec![Value::String("x".repeat(MAX_VALUE)); 3]);
        assert!(weight(&big) > MAX_VALUE && weight(&big) < 2 * MAX_VALUE + 10);
    }

    #[test]
    fn output_refuses_to_grow_past_the_cap() {
        use std::io::Write;
        let mut o = CappedOutput::default();
        assert!(o.write_all(&vec![b'x'; MAX_OUTPUT]).is_ok());
        assert!(o.write_all(b"y").is_err());
        assert!(o.overflowed);
        assert_eq!(o.bytes.len(), MAX_OUTPUT);
    }
}
