//! kramdown's typographic symbols and smart quotes, applied to the text of a
//! page (never to code or raw HTML).
//!
//! kramdown scans span text left to right; a quote is judged by the one
//! character before it (when that character has not already been consumed
//! by another span rule: an emphasis or code delimiter, a typographic symbol,
//! another quote, an escape) and by the few characters after it in the
//! source. [`Smart`] keeps that "character before" across the text events of
//! one block and looks ahead into the source after each event.

/// The four quote characters (`lsquo,rsquo,ldquo,rdquo` by default).
#[derive(Debug, Clone, Copy)]
pub struct Quotes {
    pub lsquo: char,
    pub rsquo: char,
    pub ldquo: char,
    pub rdquo: char,
}

impl Quotes {
    /// From kramdown's `smart_quotes` entity names; unknown names keep the default.
    pub fn from_names(names: &[String; 4]) -> Quotes {
        let pick = |n: &str, d: char| entity_char(n).unwrap_or(d);
        Quotes {
            lsquo: pick(&names[0], '‘'),
            rsquo: pick(&names[1], '’'),
            ldquo: pick(&names[2], '“'),
            rdquo: pick(&names[3], '”'),
        }
    }
}

fn entity_char(name: &str) -> Option<char> {
    let c = match name {
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "sbquo" => '‚',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "lsaquo" => '‹',
        "rsaquo" => '›',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let num = name.strip_prefix('#')?;
            let v = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            return char::from_u32(v);
        }
    };
    Some(c)
}

/// Typographic replacement state for one block of span text.
#[derive(Debug)]
pub struct Smart {
    q: Quotes,
    /// The unconsumed character just before the current position.
    prev: Option<char>,
}

/// How many characters from a quote on (the quote included) its rules look at.
const LOOKAHEAD: usize = 4;

fn is_quote(c: char) -> bool {
    c == '"' || c == '\''
}

/// Ruby's `\s` (ASCII only).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{0c}' | '\u{0b}')
}

/// Ruby's `\w` (ASCII only).
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// kramdown's SQ_PUNCT.
fn is_sq_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// kramdown's SQ_CLOSE: a character after which a quote closes.
fn is_sq_close(c: char) -> bool {
    !matches!(c, ' ' | '\\' | '\t' | '\r' | '\n' | '[' | '{' | '(' | '-')
}

/// Characters another span rule consumes before the quote rule sees them.
fn is_consumed_delim(c: char) -> bool {
    matches!(c, '*' | '_' | '`' | '[' | '<')
}

impl Smart {
    pub fn new(q: Quotes) -> Smart {
        Smart { q, prev: None }
    }

    /// A block or an inline element starts or ends: nothing before the next text.
    pub fn boundary(&mut self) {
        self.prev = None;
    }

    /// A character kramdown keeps as plain text (a line break is `\n`).
    pub fn plain(&mut self, c: char) {
        self.prev = Some(c);
    }

    /// If `text` has nothing typographic (no quote, `--`, `...`, `<<` or
    /// `>>`), take it as plain text and return true; `push` would copy it.
    pub fn skip_plain(&mut self, text: &str) -> bool {
        if !is_plain(text) {
            return false;
        }
        self.after_plain(text);
        true
    }

    /// The state after plain characters: the last one, unless a span rule consumes it.
    fn after_plain(&mut self, text: &str) {
        if let Some(c) = text.chars().next_back() {
            self.prev = Some(c).filter(|c| !is_consumed_delim(*c));
        }
    }

    /// Append `text` to `out` with typographic symbols and smart quotes;
    /// `after` is the source that follows the text (for lookahead).
    pub fn push(&mut self, text: &str, after: &str, out: &mut String) {
        if is_plain(text) {
            out.push_str(text);
            self.after_plain(text);
            return;
        }
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            // Copy the run of characters no rule starts at in one go.
            let j = next_special(text, i);
            if j > i {
                out.push_str(&text[i..j]);
                self.after_plain(&text[i..j]);
                i = j;
                if i >= b.len() {
                    break;
                }
            }
            // Every rule starts with an ASCII character: byte `i` is a whole character.
            let c = b[i] as char;
            if is_quote(c) {
                let (chars, len) = window(text, after, i);
                i += self.quote(&chars[..len], 0, out);
                self.prev = None;
                continue;
            }
            if let Some((len, sym)) = typographic(&text[i..]) {
                out.push_str(sym);
                i += len;
                self.prev = None;
                continue;
            }
            out.push(c);
            self.prev = if is_consumed_delim(c) { None } else { Some(c) };
            i += 1;
        }
    }

    /// Judge the quote at `q`; returns how many characters of `s` were used.
    fn quote(&mut self, s: &[char], q: usize, out: &mut String) -> usize {
        let single = s[q] == '\'';
        match self.prev.filter(|c| *c != '\\') {
            Some(c) if is_space(c) => {
                if let Some(used) = self.pair_or_decade(s, q, out) {
                    return used;
                }
                // (\s)('|")(?=\w), else (.?)' / (.?)"
                out.push(if single { self.q.lsquo } else { self.q.ldquo });
                1
            }
            Some(c) if is_sq_close(c) => {
                out.push(if single { self.q.rsquo } else { self.q.rdquo });
                1
            }
            Some(_) => {
                out.push(if single { self.q.lsquo } else { self.q.ldquo });
                1
            }
            None => self.quote_alone(s, q, out),
        }
    }

    /// The rules for a quote with no unconsumed character before it.
    fn quote_alone(&mut self, s: &[char], q: usize, out: &mut String) -> usize {
        let at = |k: usize| s.get(k).copied();
        let cur = s[q];
        let single = cur == '\'';
        let (open, close) = if single {
            (self.q.lsquo, self.q.rsquo)
        } else {
            (self.q.ldquo, self.q.rdquo)
        };
        let next = at(q + 1);
        // ("|')(?=[_*]{1,2}\S)
        if next.is_some_and(|c| c == '_' || c == '*') && at(q + 2).is_some_and(|c| !is_space(c)) {
            out.push(open);
            return 1;
        }
        // ("|')(?=PUNCT(?!\.\.)\B)
        if next.is_some_and(is_sq_punct) {
            let dots = at(q + 2) == Some('.') && at(q + 3) == Some('.');
            let non_boundary = !at(q + 2).is_some_and(is_word);
            if !dots && non_boundary {
                out.push(close);
                return 1;
            }
        }
        if let Some(used) = self.pair_or_decade(s, q, out) {
            return used;
        }
        // (SQ_CLOSE)('|"): the quote itself stays, the next one closes.
        if let Some(n2) = next.filter(|c| is_quote(*c)) {
            out.push(cur);
            out.push(if n2 == '\'' {
                self.q.rsquo
            } else {
                self.q.rdquo
            });
            return 2;
        }
        // ("|')(?=\s|s\b|$)
        let closes = match next {
            None => true,
            Some(c) if is_space(c) => true,
            Some('s') => !at(q + 2).is_some_and(is_word),
            _ => false,
        };
        out.push(if closes { close } else { open });
        1
    }

    /// kramdown's rules shared by a quote after a space and a quote with
    /// nothing before it, in its order: `"'` or `'"` before a word open both
    /// quotes; `'` before two digits and an `s` (`'80s`) is an apostrophe.
    /// Returns how many characters were used, or None when no rule applies.
    fn pair_or_decade(&self, s: &[char], q: usize, out: &mut String) -> Option<usize> {
        let at = |k: usize| s.get(k).copied();
        let single = s[q] == '\'';
        let next = at(q + 1);
        let word_after = at(q + 2).is_some_and(is_word);
        if !single && next == Some('\'') && word_after {
            out.push(self.q.ldquo);
            out.push(self.q.lsquo);
            return Some(2);
        }
        if single && next == Some('"') && word_after {
            out.push(self.q.lsquo);
            out.push(self.q.ldquo);
            return Some(2);
        }
        if single && self.digits_s(s, q) {
            out.push(self.q.rsquo);
            return Some(1);
        }
        None
    }

    fn digits_s(&self, s: &[char], q: usize) -> bool {
        let at = |k: usize| s.get(k).copied();
        at(q + 1).is_some_and(|c| c.is_ascii_digit())
            && at(q + 2).is_some_and(|c| c.is_ascii_digit())
            && at(q + 3) == Some('s')
    }
}

/// A typographic symbol at the start of `s`: (bytes used, replacement).
fn typographic(s: &str) -> Option<(usize, &'static str)> {
    const SYMS: [(&str, &str); 7] = [
        ("---", "—"),
        ("--", "–"),
        ("...", "…"),
        ("<< ", "«\u{a0}"),
        (" >>", "\u{a0}»"),
        ("<<", "«"),
        (">>", "»"),
    ];
    SYMS.iter()
        .find(|(p, _)| s.starts_with(p))
        .map(|(p, r)| (p.len(), *r))
}

/// Whether `text` holds nothing a rule would change: no quote, `--`,
/// `...`, `<<` or `>>` (one pass over the bytes).
fn is_plain(text: &str) -> bool {
    let b = text.as_bytes();
    let twice = |k: usize| b.get(k + 1) == Some(&b[k]);
    let mut k = 0;
    while let Some(rel) = next_candidate(&b[k..]) {
        k += rel;
        let typographic = match b[k] {
            b'"' | b'\'' => true,
            b'.' => twice(k) && b.get(k + 2) == Some(&b'.'),
            _ => twice(k),
        };
        if typographic {
            return false;
        }
        k += 1;
    }
    true
}

/// The first byte of `b` that may start a rule.
fn next_candidate(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| SPECIAL[usize::from(c)])
}

/// The bytes a quote or symbol rule starts with.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    let bytes = b"\"'-.<>";
    while k < bytes.len() {
        t[bytes[k] as usize] = true;
        k += 1;
    }
    t
};

/// The first byte from `i` where a rule may start: a quote, the first
/// character of a symbol, or the space of ` >>`.
fn next_special(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    let Some(rel) = b[i..].iter().position(|&c| SPECIAL[usize::from(c)]) else {
        return b.len();
    };
    let j = i + rel;
    if j > i && b[j] == b'>' && b[j - 1] == b' ' && b.get(j + 1) == Some(&b'>') {
        return j - 1;
    }
    j
}

/// The characters the quote rules look at: the quote at byte `q` of `text`
/// and up to three after it, read on into `after`.
fn window(text: &str, after: &str, q: usize) -> ([char; LOOKAHEAD], usize) {
    let mut chars = ['\0'; LOOKAHEAD];
    let mut len = 0;
    for (slot, c) in chars.iter_mut().zip(text[q..].chars().chain(after.chars())) {
        *slot = c;
        len += 1;
    }
    (chars, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smart(text: &str) -> String {
        let mut s = Smart::new(Quotes::from_names(
            &["lsquo", "rsquo", "ldquo", "rdquo"].map(String::from),
        ));
        let mut out = String::new();
        s.push(text, "\n", &mut out);
        out
    }

    // Expected values from kramdown 2.4 (input: GFM, smart_quotes lsquo,rsquo,ldquo,rdquo).
    #[test]
    fn quotes_follow_kramdown() {
        assert_eq!(smart("a \"\" b"), "a “” b");
        assert_eq!(
            smart("\"x\" it's 90's '80s --\"q\" -\"q\" (x)\"q\" x.'y"),
            "“x” it’s 90’s ’80s –“q” -“q” (x)”q” x.’y"
        );
        assert_eq!(smart("'s \"'x'\""), "’s “‘x’”");
    }

    #[test]
    fn plain_text_is_recognised() {
        for (text, plain) in [
            ("plain words and more words, 1.5 - x.", true),
            ("abcdefghijklmnopqrstuvwxyz abcdefg it's", false),
            ("abcdefghijklmnopqrstuvwxyz abcdefgh --", false),
            ("abcdefghijklmnopqrstuvwxyzé abcdefgh ...", false),
            ("abcdefghijklmnopqrstuvwxyz abcdefgh >>", false),
            ("<<abcdefghijklmnopqrstuvwxyz abcdefgh", false),
            ("abcdefghijklmnopqrstuvwxyzé abcdefgh <->.", true),
        ] {
            assert_eq!(is_plain(text), plain, "{text}");
        }
    }

    #[test]
    fn dashes_and_ellipsis() {
        assert_eq!(smart("a -- b --- c... d"), "a – b — c… d");
        assert_eq!(smart("<< a >> b<<c"), "«\u{a0}a\u{a0}» b«c");
        // A symbol never takes characters from the source after the text.
        let mut s = Smart::new(Quotes::from_names(
            &["lsquo", "rsquo", "ldquo", "rdquo"].map(String::from),
        ));
        let mut out = String::new();
        s.push("a<", "</br>", &mut out);
        assert_eq!(out, "a<");
    }
}
