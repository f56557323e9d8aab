//! A fast path for JSON blocks: the scope operations syntect's
//! `ParseState::parse_line` gives with its default JSON grammar, made by a
//! small tokenizer instead of the grammar's regexes. JSON is most of the
//! code a build highlights: on the devportal corpus this path saves about
//! 5% of a clean build's wall time (`benches/paired-clean.sh`, with it
//! against syntect alone).
//!
//! The grammar (Sublime's older JSON.sublime-syntax, as packed in syntect
//! 5.3) has these contexts, and [`Frame`] mirrors the ones a value opens:
//!
//! * `main`: any number of values, with `meta_content_scope: source.json`
//!   (pushed once, at the start of the first line).
//! * array: `[` pushes a context with `meta_scope: meta.structure.array.json`
//!   holding values, `,` (punctuation.separator.array.json) and `]`, which pops.
//! * object: `{` pushes a context with `meta_scope:
//!   meta.structure.dictionary.json`; there a `"` pushes a key string
//!   (`meta.structure.dictionary.key.json string.quoted.double.json`), `:`
//!   pushes a value context (`meta.structure.dictionary.value.json`, the
//!   colon included) that pops on `(,)|(?=\})`, and `}` pops the object.
//! * strings: `"` pushes `string.quoted.double.json`, with escapes
//!   `\["\\/bfnrt]` and `\uXXXX` (constant.character.escape.json).
//! * numbers (constant.numeric.json) and `true|false|null`
//!   (constant.language.json).
//!
//! Anything else (comments, invalid tokens and escapes, unclosed strings,
//! carriage returns, unusual whitespace, a token where the grammar would
//! match something else) makes [`block_ops`] give up on the whole block, and
//! syntect highlights it. The tokenizer only takes input where the grammar's
//! leftmost match is plainly the token starting at the next non-blank byte,
//! so the operations can be written down from the grammar's rules: debug
//! builds check every line it produces against syntect ([`check`]).

use std::sync::LazyLock;
use syntect::parsing::{Scope, ScopeStackOp};

/// Scope operations, each at a byte offset into its line.
type Ops = Vec<(usize, ScopeStackOp)>;

/// The scope operations of a block, line by line; kept in one vector (one
/// allocation for the block rather than one per line).
pub(super) struct BlockOps {
    ops: Ops,
    /// Where each line's operations end in `ops`.
    ends: Vec<usize>,
}

impl BlockOps {
    /// The operations of each line, in order.
    pub(super) fn lines(&self) -> impl Iterator<Item = &[(usize, ScopeStackOp)]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.ops[start..end])
    }
}

/// The scope operations of each line of `code` (as split by syntect's
/// `LinesWithEndings`), or None when the block has something this
/// tokenizer does not fully understand.
pub(super) fn block_ops(code: &str) -> Option<BlockOps> {
    let mut tokenizer = Tokenizer {
        stack: vec![Frame::Main],
        first_line: true,
        s: scopes(),
    };
    let mut block = BlockOps {
        ops: Ops::new(),
        ends: Vec::new(),
    };
    for line in syntect::util::LinesWithEndings::from(code) {
        tokenizer.line(line, &mut block.ops)?;
        block.ends.push(block.ops.len());
    }
    Some(block)
}

/// The scopes the grammar uses, made once (syntect makes a scope under a
/// global lock).
struct Scopes {
    source: Scope,
    dict: Scope,
    dict_begin: Scope,
    dict_end: Scope,
    key: Scope,
    key_value: Scope,
    value: Scope,
    pair: Scope,
    array: Scope,
    array_begin: Scope,
    array_end: Scope,
    array_sep: Scope,
    string: Scope,
    string_begin: Scope,
    string_end: Scope,
    escape: Scope,
    number: Scope,
    constant: Scope,
}

fn scopes() -> &'static Scopes {
    static SCOPES: LazyLock<Scopes> = LazyLock::new(|| {
        let s = |name: &str| Scope::new(name).expect("valid scope name");
        Scopes {
            source: s("source.json"),
            dict: s("meta.structure.dictionary.json"),
            dict_begin: s("punctuation.section.dictionary.begin.json"),
            dict_end: s("punctuation.section.dictionary.end.json"),
            key: s("meta.structure.dictionary.key.json"),
            key_value: s("punctuation.separator.dictionary.key-value.json"),
            value: s("meta.structure.dictionary.value.json"),
            pair: s("punctuation.separator.dictionary.pair.json"),
            array: s("meta.structure.array.json"),
            array_begin: s("punctuation.section.array.begin.json"),
            array_end: s("punctuation.section.array.end.json"),
            array_sep: s("punctuation.separator.array.json"),
            string: s("string.quoted.double.json"),
            string_begin: s("punctuation.definition.string.begin.json"),
            string_end: s("punctuation.definition.string.end.json"),
            escape: s("constant.character.escape.json"),
            number: s("constant.numeric.json"),
            constant: s("constant.language.json"),
        }
    });
    &SCOPES
}

/// A grammar context open across tokens (strings open and close within a
/// line, so they are not frames), with what may come next in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// The grammar's `main`: values, one after another.
    Main,
    /// Inside `[...]`; `after_value` when a `,` or `]` is due, else a value
    /// (or `]`: an empty array, or a trailing comma, which the grammar
    /// scopes like any other).
    Array { after_value: bool },
    /// Inside `{...}`: a key or `}` is due (`}` also after a trailing comma).
    ObjectKey,
    /// Inside `{...}` after a key: the `:` is due.
    ObjectColon,
    /// The value context a `:` opens (inside an object, so the object frame
    /// is below it); `after_value` when a `,` or `}` is due.
    Value { after_value: bool },
}

struct Tokenizer {
    /// The open contexts, innermost last; `Main` is never popped.
    stack: Vec<Frame>,
    first_line: bool,
    s: &'static Scopes,
}

impl Tokenizer {
    /// Appends the operations of one line to `ops`, advancing the state
    /// past it.
    fn line(&mut self, line: &str, ops: &mut Ops) -> Option<()> {
        let bytes = line.as_bytes();
        if self.first_line {
            // syntect pushes the start context's meta_content_scope once.
            ops.push((0, ScopeStackOp::Push(self.s.source)));
            self.first_line = false;
        }
        let mut at = 0;
        while at < bytes.len() {
            at = match bytes[at] {
                // Only the blanks that are surely `\s` to onig and match no
                // pattern; a `\r` (CRLF text) or a Unicode space is left to
                // syntect rather than modelled here.
                b' ' | b'\t' | b'\n' => at + 1,
                b'{' | b'[' if self.value_due() => self.open(ops, at, bytes[at]),
                b'"' if self.value_due() => self.string(ops, bytes, at, false)?,
                b'"' if self.top() == Frame::ObjectKey => self.string(ops, bytes, at, true)?,
                b'-' | b'0'..=b'9' if self.value_due() => self.number(ops, bytes, at)?,
                b't' | b'f' | b'n' if self.value_due() => self.keyword(ops, bytes, at)?,
                b',' => self.comma(ops, at)?,
                b':' if self.top() == Frame::ObjectColon => self.colon(ops, at),
                b']' => self.close_array(ops, at)?,
                b'}' => self.close_object(ops, at)?,
                _ => return None,
            };
        }
        Some(())
    }

    fn top(&self) -> Frame {
        *self.stack.last().expect("main is never popped")
    }

    fn set_top(&mut self, frame: Frame) {
        *self.stack.last_mut().expect("main is never popped") = frame;
    }

    /// Whether the innermost context takes a value here.
    fn value_due(&self) -> bool {
        matches!(
            self.top(),
            Frame::Main | Frame::Array { after_value: false } | Frame::Value { after_value: false }
        )
    }

    /// A value just ended in the innermost context.
    fn value_done(&mut self) {
        match self.top() {
            Frame::Array { .. } => self.set_top(Frame::Array { after_value: true }),
            Frame::Value { .. } => self.set_top(Frame::Value { after_value: true }),
            _ => {}
        }
    }

    /// `{` or `[`: the pushed context's meta scope, then the punctuation.
    fn open(&mut self, ops: &mut Ops, at: usize, byte: u8) -> usize {
        let (meta, begin, frame) = if byte == b'{' {
            (self.s.dict, self.s.dict_begin, Frame::ObjectKey)
        } else {
            let frame = Frame::Array { after_value: false };
            (self.s.array, self.s.array_begin, frame)
        };
        ops.push((at, ScopeStackOp::Push(meta)));
        ops.push((at, ScopeStackOp::Push(begin)));
        ops.push((at + 1, ScopeStackOp::Pop(1)));
        self.stack.push(frame);
        at + 1
    }

    /// `]`, popping the array's meta scope after its punctuation.
    fn close_array(&mut self, ops: &mut Ops, at: usize) -> Option<usize> {
        if !matches!(self.top(), Frame::Array { .. }) {
            return None;
        }
        self.close(ops, at, self.s.array_end);
        Some(at + 1)
    }

    /// `}`: a value context before it pops first, on the grammar's
    /// zero-width `(?=\})`.
    fn close_object(&mut self, ops: &mut Ops, at: usize) -> Option<usize> {
        match self.top() {
            Frame::Value { after_value: true } => {
                ops.push((at, ScopeStackOp::Pop(1)));
                self.stack.pop();
            }
            Frame::ObjectKey => {}
            _ => return None,
        }
        self.close(ops, at, self.s.dict_end);
        Some(at + 1)
    }

    fn close(&mut self, ops: &mut Ops, at: usize, end: Scope) {
        ops.push((at, ScopeStackOp::Push(end)));
        ops.push((at + 1, ScopeStackOp::Pop(1)));
        ops.push((at + 1, ScopeStackOp::Pop(1)));
        self.stack.pop();
        self.value_done();
    }

    /// `,` between array items, or ending an object's value context (the
    /// grammar's capture `(,)` of the pattern that pops it).
    fn comma(&mut self, ops: &mut Ops, at: usize) -> Option<usize> {
        match self.top() {
            Frame::Array { after_value: true } => {
                ops.push((at, ScopeStackOp::Push(self.s.array_sep)));
                ops.push((at + 1, ScopeStackOp::Pop(1)));
                self.set_top(Frame::Array { after_value: false });
            }
            Frame::Value { after_value: true } => {
                ops.push((at, ScopeStackOp::Push(self.s.pair)));
                ops.push((at + 1, ScopeStackOp::Pop(1)));
                ops.push((at + 1, ScopeStackOp::Pop(1)));
                self.stack.pop();
                self.set_top(Frame::ObjectKey);
            }
            _ => return None,
        }
        Some(at + 1)
    }

    /// `:` after a key pushes the value context, whose meta scope starts
    /// at the colon.
    fn colon(&mut self, ops: &mut Ops, at: usize) -> usize {
        ops.push((at, ScopeStackOp::Push(self.s.value)));
        ops.push((at, ScopeStackOp::Push(self.s.key_value)));
        ops.push((at + 1, ScopeStackOp::Pop(1)));
        // Back to a key once the value context pops on `,`.
        self.set_top(Frame::ObjectKey);
        self.stack.push(Frame::Value { after_value: false });
        at + 1
    }

    /// A string value, or an object key (one more meta scope), closed on
    /// this line; None for an unclosed string or an escape the grammar
    /// marks invalid.
    fn string(&mut self, ops: &mut Ops, bytes: &[u8], at: usize, key: bool) -> Option<usize> {
        if key {
            ops.push((at, ScopeStackOp::Push(self.s.key)));
        }
        ops.push((at, ScopeStackOp::Push(self.s.string)));
        ops.push((at, ScopeStackOp::Push(self.s.string_begin)));
        ops.push((at + 1, ScopeStackOp::Pop(1)));
        let mut i = at + 1;
        loop {
            match *bytes.get(i)? {
                b'"' => break,
                b'\\' => {
                    let len = escape_len(&bytes[i..])?;
                    ops.push((i, ScopeStackOp::Push(self.s.escape)));
                    ops.push((i + len, ScopeStackOp::Pop(1)));
                    i += len;
                }
                // The grammar ends an unclosed string at the line's end.
                b'\n' | b'\r' => return None,
                _ => i += 1,
            }
        }
        ops.push((i, ScopeStackOp::Push(self.s.string_end)));
        ops.push((i + 1, ScopeStackOp::Pop(1)));
        ops.push((i + 1, ScopeStackOp::Pop(if key { 2 } else { 1 })));
        if key {
            self.set_top(Frame::ObjectColon);
        } else {
            self.value_done();
        }
        Some(i + 1)
    }

    /// A JSON number, which the grammar's number regex matches whole.
    fn number(&mut self, ops: &mut Ops, bytes: &[u8], at: usize) -> Option<usize> {
        let end = number_end(bytes, at)?;
        self.scalar(ops, bytes, at, end, self.s.number)
    }

    /// `true`, `false` or `null`.
    fn keyword(&mut self, ops: &mut Ops, bytes: &[u8], at: usize) -> Option<usize> {
        let word = [&b"true"[..], b"false", b"null"]
            .into_iter()
            .find(|w| bytes[at..].starts_with(w))?;
        self.scalar(ops, bytes, at, at + word.len(), self.s.constant)
    }

    /// A number or keyword at `at..end`, taken only when a delimiter follows:
    /// then the grammar's `\b` holds and its number regex stops there too
    /// (`1.`, `01`, `truex` or `1٣` would go another way).
    fn scalar(
        &mut self,
        ops: &mut Ops,
        bytes: &[u8],
        at: usize,
        end: usize,
        scope: Scope,
    ) -> Option<usize> {
        let delimited = matches!(
            bytes.get(end),
            None | Some(b' ' | b'\t' | b'\n' | b',' | b']' | b'}')
        );
        if !delimited {
            return None;
        }
        ops.push((at, ScopeStackOp::Push(scope)));
        ops.push((end, ScopeStackOp::Pop(1)));
        self.value_done();
        Some(end)
    }
}

/// The length of the escape at the start of `bytes` (a backslash), if the
/// grammar scopes it as a valid escape.
fn escape_len(bytes: &[u8]) -> Option<usize> {
    match bytes.get(1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(2),
        b'u' if bytes.len() >= 6 && bytes[2..6].iter().all(u8::is_ascii_hexdigit) => Some(6),
        _ => None,
    }
}

/// The end of the number starting at `at`:
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as the grammar's regex
/// (greedy, so it takes all of these parts when they are there).
fn number_end(bytes: &[u8], at: usize) -> Option<usize> {
    let digits = |from: usize| {
        let n = bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        (n > 0).then_some(from + n)
    };
    let mut i = at + usize::from(bytes[at] == b'-');
    i = match bytes.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(i)?,
        _ => return None,
    };
    if bytes.get(i) == Some(&b'.') {
        // `1.` alone: the regex stops before the dot; not ours.
        i = digits(i + 1)?;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
        i = digits(i + 1 + sign)?;
    }
    Some(i)
}

/// Debug builds: panic unless `ops` is, line by line, what syntect's
/// `parse_line` gives for `code` with `syntax` (the JSON grammar).
#[cfg(debug_assertions)]
pub(super) fn check(
    code: &str,
    ops: &BlockOps,
    syntax: &syntect::parsing::SyntaxReference,
    syntaxes: &syntect::parsing::SyntaxSet,
) {
    let mut state = syntect::parsing::ParseState::new(syntax);
    let lines = syntect::util::LinesWithEndings::from(code);
    for (i, (line, fast)) in lines.zip(ops.lines()).enumerate() {
        let slow = state
            .parse_line(line, syntaxes)
            .expect("syntect parses JSON");
        assert_eq!(
            fast, slow,
            "JSON fast path differs from syntect on line {i} {line:?} of:\n{code}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::html::syntaxes;
    use syntect::parsing::ParseState;

    /// syntect's operations for each line of `code`.
    fn syntect_ops(code: &str) -> Vec<Ops> {
        let ss = syntaxes();
        let mut state = ParseState::new(ss.find_syntax_by_token("json").unwrap());
        syntect::util::LinesWithEndings::from(code)
            .map(|line| state.parse_line(line, ss).unwrap())
            .collect()
    }

    /// The fast path's operations for each line of `code`, if it takes it.
    fn fast_ops(code: &str) -> Option<Vec<Ops>> {
        Some(block_ops(code)?.lines().map(<[_]>::to_vec).collect())
    }

    /// The fast path takes `code` and agrees with syntect.
    fn agrees(code: &str) {
        let fast = fast_ops(code).unwrap_or_else(|| panic!("fast path gave up on {code:?}"));
        assert_eq!(fast, syntect_ops(code), "{code:?}");
    }

    #[test]
    fn well_formed_json_matches_syntect() {
        for code in [
            "",
            "\n",
            "{}\n",
            "[]",
            "{ }\n[ ]\n",
            "{\"a\": 1}\n",
            "{\n  \"a\": {\n    \"b\": [1, 2, {\"c\": []}],\n    \"d\": {}\n  }\n}\n",
            "[[[]], [{}], {\"x\": [[1]]}]\n",
            "{\"s\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t u\\u1234\\uABcd\"}\n",
            "[-0, 0, 1e10, 1.5E-3, -12.25e+7, 10, 0.0]\n",
            "[true, false, null]\n",
            "{\"k\":\n  \"on its own line\"\n  ,\n  \"n\"\n  :\n  3\n}\n",
            "1\n\"two\"\n[3]\n{\"four\": 4}\n",
            "\n\n{\"a\": 1}\n\n\n",
            "{\"key with spaces\": 1, \"k:e:y\": \"v: w\", \"{[,]}\": \"}\"}\n",
            "{\"é\": \"ünïcödé ✓\"}\n",
            "{\"a\":1,\"b\":[1,2],\"c\":{\"d\":null}}",
            "\t{\t\"a\"\t:\ttrue\t}\t\n",
            "{\"a\": 1,}\n[1, 2,]\n",
            "{\"a\": [\n  1,\n  2\n]\n}\n",
            "{\n  \"open\": [\n",
        ] {
            agrees(code);
        }
    }

    #[test]
    fn gives_up_on_what_it_does_not_know() {
        for code in [
            "// comment\n{}\n",
            "{\"a\": 1 /* c */}\n",
            "{\"a\": \"unclosed\n}\n",
            "{\"a\": \"bad \\x escape\"}\n",
            "{\"a\": \"\\u12\"}\n",
            "{\"a\": 1.}\n",
            "[01]\n",
            "[truex]\n",
            "[1true]\n",
            "{\"a\": ...}\n",
            "{a: 1}\n",
            "{\"a\" 1}\n",
            "{\"a\": }\n",
            "[1 2]\n",
            "[1]]\n",
            "{\"a\": 1}\r\n",
            "{'a': 1}\n",
            "[\u{a0}1]\n",
            "[1٣]\n",
        ] {
            assert!(block_ops(code).is_none(), "{code:?}");
        }
    }

    /// A tiny xorshift generator: reproducible input without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    /// JSON-ish text: valid values laid out in random ways, with now and
    /// then a token that is off.
    fn random_json(rng: &mut Rng, depth: u32, out: &mut String) {
        let blank = [
            "", "", " ", "\n", "  ", "\n  ", "\t", "\n\n", "\r\n", " \n ",
        ];
        let scalars = [
            "1",
            "-0",
            "0.5",
            "1e10",
            "1.5E-3",
            "-2e+9",
            "true",
            "false",
            "null",
            "\"\"",
            "\"a b\"",
            "\"\\\"q\\\\\"",
            "\"\\u00e9x\"",
            "\"ü\"",
            "\"{[:,]}\"",
            "01",
            "1.",
            "-",
            "tru",
            "nulls",
            "\"\\x\"",
            "'s'",
            "\"open",
            "/* c */ 1",
            "// c\n2",
            "1 2",
            "+1",
            ".5",
        ];
        let odd = ["", "", "", "", "", "", "", "", ",", ":", "]", "}", "x"];
        out.push_str(rng.pick(&blank));
        let kind = if depth > 3 { 0 } else { rng.next() % 3 };
        match kind {
            0 => out.push_str(rng.pick(&scalars)),
            1 => {
                out.push('[');
                for i in 0..rng.next() % 4 {
                    if i > 0 {
                        out.push(',');
                    }
                    random_json(rng, depth + 1, out);
                }
                out.push_str(rng.pick(&odd));
                out.push_str(rng.pick(&blank));
                out.push(']');
            }
            _ => {
                out.push('{');
                for i in 0..rng.next() % 4 {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(rng.pick(&blank));
                    out.push_str(rng.pick(&["\"k\"", "\"a: b\"", "\"\\n\"", "k", "\"\""]));
                    out.push_str(rng.pick(&blank));
                    out.push_str(rng.pick(&[":", ":", ":", ""]));
                    random_json(rng, depth + 1, out);
                }
                out.push_str(rng.pick(&odd));
                out.push_str(rng.pick(&blank));
                out.push('}');
            }
        }
        out.push_str(rng.pick(&blank));
    }

    #[test]
    fn random_json_matches_syntect_whenever_taken() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut taken, mut total) = (0, 0);
        for _ in 0..20_000 {
            let mut code = String::new();
            for _ in 0..1 + rng.next() % 2 {
                random_json(&mut rng, 0, &mut code);
            }
            total += 1;
            if let Some(fast) = fast_ops(&code) {
                taken += 1;
                assert_eq!(fast, syntect_ops(&code), "{code:?}");
            }
        }
        // Both sides of the generator are exercised.
        assert!(taken > total / 10 && taken < total, "{taken} of {total}");
    }
}
