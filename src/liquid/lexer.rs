//! Liquid lexer: splits a template into text, `{{ output }}` and `{% tag %}`
//! tokens with byte spans, the way Liquid 4's tokenizer does (a `{% ... %}`
//! runs to the first `%}`, a `{{ ... }}` to the first `}`), applies whitespace
//! control (`{%-`, `-%}`, `{{-`, `-}}`) and swallows `raw` and `comment` bodies.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Output,
    Tag,
}

/// One token. All offsets are byte offsets into the whole file text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// The whole token (for text: the text after whitespace control).
    pub start: usize,
    pub end: usize,
    /// The markup between the delimiters (and whitespace-control dashes).
    pub inner: (usize, usize),
    pub trim_left: bool,
    pub trim_right: bool,
}

/// A lexing error: message and byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
    pub help: Option<String>,
}

impl Token {
    fn text(start: usize, end: usize) -> Token {
        Token {
            kind: Kind::Text,
            start,
            end,
            inner: (start, end),
            trim_left: false,
            trim_right: false,
        }
    }

    /// The first word of a tag's markup (its name) and the rest.
    pub fn tag_parts<'a>(&self, src: &'a str) -> (&'a str, &'a str, usize) {
        let m = &src[self.inner.0..self.inner.1];
        let lead = m.len() - m.trim_start().len();
        let t = m.trim_start();
        let n = t
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(t.len());
        (&t[..n], &t[n..], self.inner.0 + lead + n)
    }
}

/// Lex `src[from..]` (a page body starts at its body offset).
pub fn lex(src: &str, from: usize) -> (Vec<Token>, Vec<LexError>) {
    let mut toks = Vec::new();
    let mut errs = Vec::new();
    let b = src.as_bytes();
    let mut pos = from;
    let mut text_start = from;
    while let Some(rel) = src[pos..].find('{') {
        let i = pos + rel;
        let next = b.get(i + 1).copied();
        if next != Some(b'%') && next != Some(b'{') {
            pos = i + 1;
            continue;
        }
        if i > text_start {
            toks.push(Token::text(text_start, i));
        }
        let tok = if next == Some(b'%') {
            match src[i + 2..].find("%}") {
                Some(r) => delimited(src, Kind::Tag, i, i + 2 + r + 2),
                None => {
                    errs.push(LexError {
                        offset: i,
                        message: "tag `{%` is not closed with `%}`".into(),
                        help: Some(
                            "close the tag with `%}`, or write `{{ \"{%\" }}` for a literal `{%`"
                                .into(),
                        ),
                    });
                    pos = src.len();
                    text_start = pos;
                    break;
                }
            }
        } else {
            match src[i + 2..].find('}') {
                Some(r) if b.get(i + 2 + r + 1) == Some(&b'}') => {
                    delimited(src, Kind::Output, i, i + 2 + r + 2)
                }
                found => {
                    errs.push(LexError {
                        offset: i,
                        message: "variable `{{` is not closed with `}}`".into(),
                        help: Some(
                            "close the variable with `}}` (a `}` inside it ends it early)".into(),
                        ),
                    });
                    let end = found.map(|r| i + 2 + r + 1).unwrap_or(src.len());
                    pos = end;
                    text_start = end;
                    continue;
                }
            }
        };
        pos = tok.end;
        text_start = pos;
        let (name, _, _) = if tok.kind == Kind::Tag {
            tok.tag_parts(src)
        } else {
            ("", "", 0)
        };
        match name {
            // A raw block keeps its body as text.
            "raw" => match find_endraw(src, pos) {
                Some((be, mut end_tok)) => {
                    // Liquid 5.4 never trims the raw body: `-%}` on `raw`
                    // trims the text after `endraw`, and the dashes of
                    // `endraw` do nothing.
                    end_tok.trim_right = tok.trim_right;
                    let mut open = tok;
                    open.trim_right = false;
                    toks.push(open);
                    toks.push(Token::text(pos, be));
                    pos = end_tok.end;
                    text_start = pos;
                    toks.push(end_tok);
                }
                None => {
                    errs.push(never_closed(&tok, name));
                    toks.push(tok);
                    pos = src.len();
                    text_start = pos;
                }
            },
            // A comment drops its body.
            "comment" => {
                toks.push(tok.clone());
                match find_endcomment(src, pos) {
                    Some(end_tok) => {
                        pos = end_tok.end;
                        text_start = pos;
                        toks.push(end_tok);
                    }
                    None => {
                        errs.push(never_closed(&tok, name));
                        pos = src.len();
                        text_start = pos;
                    }
                }
            }
            "liquid" => toks.extend(liquid_lines(src, &tok)),
            _ => toks.push(tok),
        }
    }
    if src.len() > text_start {
        toks.push(Token::text(text_start, src.len()));
    }
    apply_trims(src, &mut toks);
    (toks, errs)
}

/// `{% liquid %}`: each line of its markup is a tag of its own (`echo`
/// for output); the tag's whitespace control goes to the first and last.
fn liquid_lines(src: &str, tok: &Token) -> Vec<Token> {
    let (_, rest, roff) = tok.tag_parts(src);
    let mut lines = Vec::new();
    let mut off = roff;
    for line in rest.split('\n') {
        let lead = line.len() - line.trim_start().len();
        let t = line.trim();
        if !t.is_empty() {
            let a = off + lead;
            lines.push(Token {
                kind: Kind::Tag,
                start: a,
                end: a + t.len(),
                inner: (a, a + t.len()),
                trim_left: false,
                trim_right: false,
            });
        }
        off += line.len() + 1;
    }
    if let Some(f) = lines.first_mut() {
        f.start = tok.start;
        f.trim_left = tok.trim_left;
    }
    if let Some(l) = lines.last_mut() {
        l.end = tok.end;
        l.trim_right = tok.trim_right;
    }
    lines
}

fn delimited(src: &str, kind: Kind, start: usize, end: usize) -> Token {
    let (mut a, mut z) = (start + 2, end - 2);
    let trim_left = src[a..z].starts_with('-');
    if trim_left {
        a += 1;
    }
    let trim_right = z > a && src[a..z].ends_with('-');
    if trim_right {
        z -= 1;
    }
    Token {
        kind,
        start,
        end,
        inner: (a, z),
        trim_left,
        trim_right,
    }
}

fn never_closed(tok: &Token, name: &str) -> LexError {
    LexError {
        offset: tok.start,
        message: format!("`{name}` is never closed"),
        help: Some(format!("add `{{% end{name} %}}`")),
    }
}

/// Find the token closing a raw body starting at `from`, the way Liquid 5.4
/// does: the body is split into Liquid's tokens (`{%` to the first `%}`,
/// `{{` to the first `}` or `}}`, a lone `{%`/`{{` otherwise), and the first
/// token ending in `%}` whose last `{%` is followed by spaces and the word
/// `endraw` closes it (`{%- endraw %}` does not: `-` is not a word). Text
/// of that token before its `{%` belongs to the body. Returns the end of
/// the body and the `endraw` token, its markup the word alone.
fn find_endraw(src: &str, from: usize) -> Option<(usize, Token)> {
    let b = src.as_bytes();
    let mut pos = from;
    while let Some(r) = src[pos..].find('{') {
        let i = pos + r;
        let end = match b.get(i + 1) {
            Some(b'%') => src[i + 2..].find("%}").map_or(i + 2, |r| i + 2 + r + 2),
            Some(b'{') => src[i + 2..].find('}').map_or(i + 2, |r| {
                let e = i + 2 + r + 1;
                e + usize::from(b.get(e) == Some(&b'}'))
            }),
            _ => {
                pos = i + 1;
                continue;
            }
        };
        if src[i..end].ends_with("%}") {
            if let Some((at, word)) = last_tag_word(&src[i..end - 2]) {
                if word == "endraw" {
                    let (a, z) = (i + at.0, i + at.1);
                    let close = Token {
                        kind: Kind::Tag,
                        start: a,
                        end,
                        inner: (z - word.len(), z),
                        trim_left: false,
                        trim_right: false,
                    };
                    return Some((a, close));
                }
            }
        }
        pos = end;
    }
    None
}

/// The last `{%` of `s` followed by Ruby spaces and an ASCII word: the
/// `{%`'s offset, the word's end, and the word.
fn last_tag_word(s: &str) -> Option<((usize, usize), &str)> {
    let mut hay = s;
    while let Some(k) = hay.rfind("{%") {
        let after = &s[k + 2..];
        let lead = after.len()
            - after
                .trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r'])
                .len();
        let w = &after[lead..];
        let n = w
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(w.len());
        if n > 0 {
            let z = k + 2 + lead + n;
            return Some(((k, z), &s[z - n..z]));
        }
        hay = &s[..k];
    }
    None
}

/// Find the `{% endcomment %}` closing a comment body starting at `from`
/// (comments nest).
fn find_endcomment(src: &str, from: usize) -> Option<Token> {
    let mut pos = from;
    let mut depth = 0usize;
    while let Some(r) = src[pos..].find("{%") {
        let i = pos + r;
        let close = src[i + 2..].find("%}")? + i + 4;
        let tok = delimited(src, Kind::Tag, i, close);
        match tok.tag_parts(src).0 {
            "comment" => depth += 1,
            "endcomment" if depth == 0 => return Some(tok),
            "endcomment" => depth -= 1,
            _ => {}
        }
        pos = close;
    }
    None
}

/// Whitespace control: `{%-`/`{{-` strip the whitespace (newlines included)
/// before the token, `-%}`/`-}}` the whitespace after it.
fn apply_trims(src: &str, toks: &mut [Token]) {
    for i in 0..toks.len() {
        if toks[i].kind == Kind::Text {
            continue;
        }
        if toks[i].trim_left && i > 0 && toks[i - 1].kind == Kind::Text {
            let t = &mut toks[i - 1];
            t.end = t.start + src[t.start..t.end].trim_end_matches(ruby_space).len();
        }
        if toks[i].trim_right && i + 1 < toks.len() && toks[i + 1].kind == Kind::Text {
            let t = &mut toks[i + 1];
            t.start = t.end - src[t.start..t.end].trim_start_matches(ruby_space).len();
        }
    }
}

/// Ruby's `strip` whitespace: space, \t, \n, \v, \f, \r and NUL.
fn ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\0')
}
