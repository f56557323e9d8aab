//! Liquid parser: tokens → a validated AST with byte spans.
//!
//! Follows Liquid 4's strict mode: expressions are lexed into ids, strings,
//! numbers and punctuation; `and`/`or` chain to the right; unknown tags,
//! unknown filters, stray `end` tags and unclosed blocks are errors.

use super::filters::FILTERS;
use super::lexer::{lex, Kind, Token};
use serde_json::Value;

/// A parse problem: byte offset, message, help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PErr {
    pub offset: usize,
    pub message: String,
    pub help: Option<String>,
}

fn perr(offset: usize, message: impl Into<String>, help: Option<String>) -> PErr {
    PErr {
        offset,
        message: message.into(),
        help,
    }
}

/// A value: a literal, a variable lookup or a range.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Lit(Value),
    /// `empty` / `blank` (only meaningful in comparisons).
    Empty,
    Path(Path),
    Range(Box<Val>, Box<Val>),
}

/// `root.key[expr]...`
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub root: String,
    pub segs: Vec<Seg>,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Key(String),
    Index(Box<Val>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub name: String,
    pub args: Vec<Val>,
    pub kwargs: Vec<(String, Val)>,
    pub offset: usize,
}

/// A value with filters: the markup of `{{ }}` and `assign`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub val: Val,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Truthy(Val),
    Cmp(Val, String, Val),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// One piece of an include file name or quoted parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Lit(String),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Str(Vec<Piece>),
    Val(Val),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(usize, usize),
    Output(Expr, usize),
    If(Vec<(Cond, Vec<Node>)>, Option<Vec<Node>>),
    Case(Val, Vec<(Vec<Val>, Vec<Node>)>, Option<Vec<Node>>),
    For(Box<ForLoop>),
    Assign(String, Expr),
    Capture(String, Vec<Node>),
    Include(Box<Include>),
    Break(usize),
    Continue(usize),
    /// Nodes that need no wrapper (a `raw` body).
    Seq(Vec<Node>),
    /// Jekyll's `{% highlight lang %}`: becomes a fenced code block.
    Highlight(String, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForLoop {
    pub var: String,
    pub coll: Val,
    pub limit: Option<Val>,
    pub offset: Option<Val>,
    pub reversed: bool,
    pub body: Vec<Node>,
    pub else_body: Option<Vec<Node>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    pub relative: bool,
    pub name: Vec<Piece>,
    pub params: Vec<(String, Param)>,
    /// Offset of the tag.
    pub offset: usize,
}

pub const TAGS: &[&str] = &[
    "if",
    "elsif",
    "else",
    "endif",
    "unless",
    "endunless",
    "case",
    "when",
    "endcase",
    "for",
    "endfor",
    "assign",
    "capture",
    "endcapture",
    "comment",
    "endcomment",
    "raw",
    "endraw",
    "include",
    "include_relative",
    "break",
    "continue",
    "highlight",
    "endhighlight",
];

/// Deepest nesting of blocks (`if` in `for` in ...) in one file, as Liquid's.
pub const MAX_NESTING: usize = 100;

/// Parse a whole template (`src[from..]`).
pub fn parse(src: &str, from: usize) -> (Vec<Node>, Vec<PErr>) {
    let (toks, lerrs) = lex(src, from);
    let mut errs: Vec<PErr> = lerrs
        .into_iter()
        .map(|e| perr(e.offset, e.message, e.help))
        .collect();
    let mut p = Parser {
        src,
        toks: &toks,
        i: 0,
        errs: &mut errs,
        depth: 0,
        too_deep: false,
    };
    let (nodes, stop) = p.block(&[]);
    if let Some((name, off)) = stop {
        p.err(off, format!("unexpected `{name}`"), None);
    }
    errs.sort_by_key(|e| e.offset);
    (nodes, errs)
}

struct Parser<'a, 'e> {
    src: &'a str,
    toks: &'a [Token],
    i: usize,
    errs: &'e mut Vec<PErr>,
    depth: usize,
    too_deep: bool,
}

/// Which block tags may end or split which block.
fn closers(open: &str) -> &'static [&'static str] {
    match open {
        "if" => &["elsif", "else", "endif"],
        "unless" => &["elsif", "else", "endunless"],
        "case" => &["when", "else", "endcase"],
        "for" => &["else", "endfor"],
        "capture" => &["endcapture"],
        "comment" => &["endcomment"],
        "raw" => &["endraw"],
        "highlight" => &["endhighlight"],
        _ => &[],
    }
}

impl<'a> Parser<'a, '_> {
    fn err(&mut self, off: usize, msg: impl Into<String>, help: Option<String>) {
        self.errs.push(perr(off, msg, help));
    }

    /// Parse nodes until one of `stops` (returned with its markup rest and
    /// offset) or the end (None).
    fn block(&mut self, stops: &[&str]) -> (Vec<Node>, Option<(String, usize)>) {
        let mut nodes = Vec::new();
        while self.i < self.toks.len() {
            let t = &self.toks[self.i];
            self.i += 1;
            match t.kind {
                Kind::Text => {
                    if t.end > t.start {
                        nodes.push(Node::Text(t.start, t.end));
                    }
                }
                Kind::Output => {
                    let m = &self.src[t.inner.0..t.inner.1];
                    match parse_expr(m, t.inner.0) {
                        Ok(e) => {
                            self.check_filters(&e);
                            nodes.push(Node::Output(e, t.start));
                        }
                        Err(e) => self.errs.push(e),
                    }
                }
                Kind::Tag => {
                    let (name, rest, rest_off) = t.tag_parts(self.src);
                    if stops.contains(&name) {
                        self.i -= 1;
                        return (nodes, Some((name.to_string(), t.start)));
                    }
                    if let Some(n) = self.tag(name, rest, rest_off, t.start) {
                        nodes.push(n);
                    }
                }
            }
        }
        (nodes, None)
    }

    fn check_filters(&mut self, e: &Expr) {
        for f in &e.filters {
            if !FILTERS.contains(&f.name.as_str()) {
                let help = suggest(&f.name, FILTERS)
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some(format!("known filters: {}", FILTERS.join(", "))));
                self.err(f.offset, format!("unknown filter `{}`", f.name), help);
            }
        }
    }

    /// The markup rest of the current (stop) token, consuming it.
    fn take_stop(&mut self) -> (String, usize) {
        let t = &self.toks[self.i];
        self.i += 1;
        let (_, rest, off) = t.tag_parts(self.src);
        (rest.to_string(), off)
    }

    fn body_until(
        &mut self,
        open: &str,
        open_off: usize,
    ) -> (Vec<Node>, Option<(String, String, usize)>) {
        let stops = closers(open);
        if self.depth >= MAX_NESTING {
            self.err(
                open_off,
                format!("blocks nested more than {MAX_NESTING} levels deep"),
                Some("simplify the template".into()),
            );
            self.i = self.toks.len();
            self.too_deep = true;
            return (Vec::new(), None);
        }
        self.depth += 1;
        let (nodes, stop) = self.block(stops);
        self.depth -= 1;
        match stop {
            Some((name, _)) => {
                let (rest, off) = self.take_stop();
                (nodes, Some((name, rest, off)))
            }
            None if self.too_deep => (nodes, None),
            None => {
                let end = closers(open).last().copied().unwrap_or("end");
                self.err(
                    open_off,
                    format!("`{open}` is never closed"),
                    Some(format!("add `{{% {end} %}}` where the block should end")),
                );
                (nodes, None)
            }
        }
    }

    fn tag(&mut self, name: &str, rest: &str, roff: usize, off: usize) -> Option<Node> {
        let r = match name {
            "if" | "unless" => self.if_tag(name, rest, roff, off),
            "case" => self.case_tag(rest, roff, off),
            "for" => self.for_tag(rest, roff, off),
            "assign" => assign(rest, roff).map(|(n, e)| {
                self.check_filters(&e);
                Node::Assign(n, e)
            }),
            "capture" => {
                let var = rest.trim().trim_matches(|c| c == '"' || c == '\'');
                if var.is_empty() || !var.chars().all(|c| c.is_alphanumeric() || "_-".contains(c)) {
                    return self.fail(perr(
                        roff,
                        "`capture` needs a variable name",
                        Some("write `{% capture name %}...{% endcapture %}`".into()),
                    ));
                }
                let (body, _) = self.body_until("capture", off);
                Ok(Node::Capture(var.to_string(), body))
            }
            "raw" => {
                let (body, _) = self.body_until("raw", off);
                return Some(Node::Seq(body));
            }
            "comment" => {
                let _ = self.body_until("comment", off);
                return None;
            }
            "highlight" => {
                let lang = rest.split_whitespace().next().unwrap_or("").to_lowercase();
                if lang.is_empty()
                    || !lang
                        .chars()
                        .all(|c| c.is_alphanumeric() || "_+-#".contains(c))
                {
                    return self.fail(perr(
                        roff,
                        "`highlight` needs a language",
                        Some("write `{% highlight ruby %}...{% endhighlight %}`".into()),
                    ));
                }
                let (body, _) = self.body_until("highlight", off);
                Ok(Node::Highlight(lang, body))
            }
            "include" | "include_relative" => {
                include_tag(name == "include_relative", rest, roff, off).map(|inc| {
                    for (_, p) in &inc.params {
                        if let Param::Str(pieces) = p {
                            for pc in pieces {
                                if let Piece::Expr(e) = pc {
                                    self.check_filters(e);
                                }
                            }
                        }
                    }
                    Node::Include(Box::new(inc))
                })
            }
            "break" => Ok(Node::Break(off)),
            "continue" => Ok(Node::Continue(off)),
            _ => {
                let is_end = name.starts_with("end") || ["elsif", "else", "when"].contains(&name);
                let (msg, help) = if is_end && TAGS.contains(&name) {
                    (
                        format!("unexpected `{name}`: no open block it could belong to"),
                        Some("remove it, or open the block it closes".to_string()),
                    )
                } else if name.is_empty() {
                    (
                        "empty tag".to_string(),
                        Some("write `{{ \"{%\" }}` for a literal `{%`".to_string()),
                    )
                } else {
                    let help = suggest(name, TAGS)
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("known tags: {}", TAGS.join(", ")));
                    (format!("unknown tag `{name}`"), Some(help))
                };
                Err(perr(off, msg, help))
            }
        };
        match r {
            Ok(n) => Some(n),
            Err(e) => self.fail(e),
        }
    }

    fn fail(&mut self, e: PErr) -> Option<Node> {
        self.errs.push(e);
        None
    }

    fn if_tag(&mut self, name: &str, rest: &str, roff: usize, off: usize) -> Result<Node, PErr> {
        let mut cond = parse_cond(rest, roff);
        if name == "unless" {
            cond = cond.map(|c| Cond::Not(Box::new(c)));
        }
        let mut branches = Vec::new();
        let mut else_body = None;
        let mut cur = cond;
        loop {
            let (body, stop) = self.body_until(name, off);
            match cur {
                Ok(c) => branches.push((c, body)),
                Err(e) => self.errs.push(e),
            }
            match stop {
                Some((s, rest, roff)) if s == "elsif" => cur = parse_cond(&rest, roff),
                Some((s, _, _)) if s == "else" => {
                    let (body, stop) = self.body_until(name, off);
                    else_body = Some(body);
                    if let Some((s, _, o)) = stop {
                        if !s.starts_with("end") {
                            self.err(
                                o,
                                format!("`{s}` after `else`"),
                                Some(format!("`else` must be the last branch of `{name}`")),
                            );
                            let _ = self.body_until(name, off);
                        }
                    }
                    break;
                }
                _ => break,
            }
        }
        Ok(Node::If(branches, else_body))
    }

    fn case_tag(&mut self, rest: &str, roff: usize, off: usize) -> Result<Node, PErr> {
        let subject = parse_val_all(rest, roff);
        let (_, mut stop) = self.body_until("case", off);
        let mut whens = Vec::new();
        let mut else_body = None;
        while let Some((s, rest, roff)) = stop.take() {
            if s != "when" && s != "else" {
                break;
            }
            let (body, next) = self.body_until("case", off);
            if s == "when" {
                match parse_when(&rest, roff) {
                    Ok(vals) => whens.push((vals, body)),
                    Err(e) => self.errs.push(e),
                }
            } else {
                else_body = Some(body);
            }
            stop = next;
        }
        Ok(Node::Case(subject?, whens, else_body))
    }

    fn for_tag(&mut self, rest: &str, roff: usize, off: usize) -> Result<Node, PErr> {
        let head = parse_for_head(rest, roff);
        let (body, stop) = self.body_until("for", off);
        let mut else_body = None;
        if let Some((s, _, _)) = stop {
            if s == "else" {
                let (b, _) = self.body_until("for", off);
                else_body = Some(b);
            }
        }
        let mut f = head?;
        f.body = body;
        f.else_body = else_body;
        Ok(Node::For(Box::new(f)))
    }
}

// ---------------------------------------------------------------------------
// Expression lexing and parsing (Liquid's strict-mode lexer).

#[derive(Debug, Clone, PartialEq)]
enum T {
    Id(String),
    Str(String),
    Num(Value),
    Cmp(String),
    Punct(char),
    DotDot,
}

fn elex(m: &str, base: usize) -> Result<Vec<(T, usize)>, PErr> {
    let mut out = Vec::new();
    let b = m.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let at = base + i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'"' || c == b'\'' {
            let end = m[i + 1..]
                .find(c as char)
                .ok_or_else(|| perr(at, "unterminated string", Some("close the quote".into())))?;
            out.push((T::Str(m[i + 1..i + 1 + end].to_string()), at));
            i += end + 2;
        } else if c.is_ascii_digit()
            || (c == b'-' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let mut float = false;
            if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
                float = true;
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let s = &m[i..j];
            let v = if float {
                serde_json::Number::from_f64(s.parse().unwrap_or(0.0)).map(Value::Number)
            } else {
                s.parse::<i64>().ok().map(|n| Value::Number(n.into()))
            };
            out.push((T::Num(v.unwrap_or(Value::Null)), at));
            i = j;
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-' || b[j] >= 0x80)
            {
                j += 1;
            }
            if j < b.len() && b[j] == b'?' {
                j += 1;
            }
            let w = &m[i..j];
            if w == "contains" {
                out.push((T::Cmp(w.into()), at));
            } else {
                out.push((T::Id(w.into()), at));
            }
            i = j;
        } else if m[i..].starts_with("..") {
            out.push((T::DotDot, at));
            i += 2;
        } else if let Some(op) = ["==", "!=", "<>", "<=", ">=", "<", ">"]
            .iter()
            .find(|op| m[i..].starts_with(**op))
        {
            out.push((T::Cmp(op.to_string()), at));
            i += op.len();
        } else if "|.:,[]()=".contains(c as char) {
            out.push((T::Punct(c as char), at));
            i += 1;
        } else {
            let ch = m[i..].chars().next().unwrap_or('?');
            return Err(perr(at, format!("unexpected character `{ch}`"), None));
        }
    }
    Ok(out)
}

struct EP {
    toks: Vec<(T, usize)>,
    i: usize,
    end: usize,
}

impl EP {
    fn new(m: &str, base: usize) -> Result<EP, PErr> {
        Ok(EP {
            toks: elex(m, base)?,
            i: 0,
            end: base + m.len(),
        })
    }
    fn peek(&self) -> Option<&T> {
        self.toks.get(self.i).map(|t| &t.0)
    }
    fn off(&self) -> usize {
        self.toks.get(self.i).map(|t| t.1).unwrap_or(self.end)
    }
    fn punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&T::Punct(c)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> Result<(), PErr> {
        if self.punct(c) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{c}`")))
        }
    }
    fn unexpected(&self, wanted: &str) -> PErr {
        let got = match self.peek() {
            None => "end of markup".to_string(),
            Some(T::Id(s)) => format!("`{s}`"),
            Some(T::Str(s)) => format!("string \"{s}\""),
            Some(T::Num(n)) => format!("number {n}"),
            Some(T::Cmp(s)) => format!("`{s}`"),
            Some(T::Punct(c)) => format!("`{c}`"),
            Some(T::DotDot) => "`..`".into(),
        };
        perr(self.off(), format!("expected {wanted}, found {got}"), None)
    }
    fn done(&self) -> bool {
        self.i >= self.toks.len()
    }
    fn id(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(T::Id(s)) if s == w) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn val(&mut self) -> Result<Val, PErr> {
        let off = self.off();
        let t = self.peek().cloned();
        match t {
            Some(T::Str(s)) => {
                self.i += 1;
                Ok(Val::Lit(Value::String(s)))
            }
            Some(T::Num(n)) => {
                self.i += 1;
                Ok(Val::Lit(n))
            }
            Some(T::Punct('(')) => {
                self.i += 1;
                let a = self.val()?;
                if self.peek() != Some(&T::DotDot) {
                    return Err(self.unexpected("`..` in a range"));
                }
                self.i += 1;
                let b = self.val()?;
                self.expect(')')?;
                Ok(Val::Range(Box::new(a), Box::new(b)))
            }
            Some(T::Id(w)) => {
                self.i += 1;
                match w.as_str() {
                    "true" => return Ok(Val::Lit(Value::Bool(true))),
                    "false" => return Ok(Val::Lit(Value::Bool(false))),
                    "nil" | "null" => return Ok(Val::Lit(Value::Null)),
                    "empty" | "blank" => return Ok(Val::Empty),
                    _ => {}
                }
                let mut segs = Vec::new();
                loop {
                    if self.punct('.') {
                        match self.peek().cloned() {
                            Some(T::Id(k)) => {
                                self.i += 1;
                                segs.push(Seg::Key(k));
                            }
                            _ => return Err(self.unexpected("a key after `.`")),
                        }
                    } else if self.punct('[') {
                        let v = self.val()?;
                        self.expect(']')?;
                        match v {
                            Val::Lit(Value::String(k)) => segs.push(Seg::Key(k)),
                            v => segs.push(Seg::Index(Box::new(v))),
                        }
                    } else {
                        break;
                    }
                }
                Ok(Val::Path(Path {
                    root: w,
                    segs,
                    offset: off,
                }))
            }
            _ => Err(self.unexpected("a value")),
        }
    }

    fn filters(&mut self) -> Result<Vec<Filter>, PErr> {
        let mut fs = Vec::new();
        while self.punct('|') {
            let off = self.off();
            let name = match self.peek().cloned() {
                Some(T::Id(n)) => n,
                _ => return Err(self.unexpected("a filter name after `|`")),
            };
            self.i += 1;
            let mut f = Filter {
                name,
                args: vec![],
                kwargs: vec![],
                offset: off,
            };
            if self.punct(':') {
                loop {
                    let kw = match (self.toks.get(self.i), self.toks.get(self.i + 1)) {
                        (Some((T::Id(k), _)), Some((T::Punct(':'), _))) => Some(k.clone()),
                        _ => None,
                    };
                    if let Some(k) = kw {
                        self.i += 2;
                        let v = self.val()?;
                        f.kwargs.push((k, v));
                    } else {
                        f.args.push(self.val()?);
                    }
                    if !self.punct(',') {
                        break;
                    }
                }
            }
            fs.push(f);
        }
        Ok(fs)
    }

    fn expr(&mut self) -> Result<Expr, PErr> {
        let val = self.val()?;
        let filters = self.filters()?;
        Ok(Expr { val, filters })
    }

    fn finish(&self) -> Result<(), PErr> {
        if self.done() {
            Ok(())
        } else {
            Err(self.unexpected("end of markup"))
        }
    }

    fn comparison(&mut self) -> Result<Cond, PErr> {
        let a = self.val()?;
        if let Some(T::Cmp(op)) = self.peek().cloned() {
            self.i += 1;
            let b = self.val()?;
            let op = if op == "<>" { "!=".to_string() } else { op };
            Ok(Cond::Cmp(a, op, b))
        } else {
            Ok(Cond::Truthy(a))
        }
    }

    /// `a and b or c` groups to the right, as Liquid evaluates it.
    fn cond(&mut self) -> Result<Cond, PErr> {
        let first = self.comparison()?;
        if self.id("and") {
            Ok(Cond::And(Box::new(first), Box::new(self.cond()?)))
        } else if self.id("or") {
            Ok(Cond::Or(Box::new(first), Box::new(self.cond()?)))
        } else {
            Ok(first)
        }
    }
}

/// `{{ markup }}`: a value and filters.
pub fn parse_expr(m: &str, base: usize) -> Result<Expr, PErr> {
    let mut p = EP::new(m, base)?;
    if p.done() {
        return Ok(Expr {
            val: Val::Lit(Value::Null),
            filters: vec![],
        });
    }
    let e = p.expr()?;
    p.finish()?;
    Ok(e)
}

fn parse_val_all(m: &str, base: usize) -> Result<Val, PErr> {
    let mut p = EP::new(m, base)?;
    let v = p.val()?;
    p.finish()?;
    Ok(v)
}

pub fn parse_cond(m: &str, base: usize) -> Result<Cond, PErr> {
    let mut p = EP::new(m, base)?;
    let c = p.cond()?;
    p.finish()?;
    Ok(c)
}

fn parse_when(m: &str, base: usize) -> Result<Vec<Val>, PErr> {
    let mut p = EP::new(m, base)?;
    let mut vals = vec![p.val()?];
    while p.punct(',') || p.id("or") {
        vals.push(p.val()?);
    }
    p.finish()?;
    Ok(vals)
}

fn parse_for_head(m: &str, base: usize) -> Result<ForLoop, PErr> {
    let mut p = EP::new(m, base)?;
    let var = match p.peek().cloned() {
        Some(T::Id(v)) => v,
        _ => return Err(p.unexpected("a loop variable")),
    };
    p.i += 1;
    if !p.id("in") {
        return Err(p.unexpected("`in`"));
    }
    let coll = p.val()?;
    let mut f = ForLoop {
        var,
        coll,
        limit: None,
        offset: None,
        reversed: false,
        body: vec![],
        else_body: None,
    };
    while !p.done() {
        if p.id("reversed") {
            f.reversed = true;
        } else if p.id("limit") {
            p.expect(':')?;
            f.limit = Some(p.val()?);
        } else if p.id("offset") {
            p.expect(':')?;
            f.offset = Some(p.val()?);
        } else {
            return Err(p.unexpected("`limit:`, `offset:` or `reversed`"));
        }
        p.punct(',');
    }
    Ok(f)
}

fn assign(m: &str, base: usize) -> Result<(String, Expr), PErr> {
    let eq = m.find('=').ok_or_else(|| {
        perr(
            base,
            "`assign` needs `=`",
            Some("write `{% assign name = value %}`".into()),
        )
    })?;
    let name = m[..eq].trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || "_-".contains(c))
    {
        return Err(perr(
            base,
            format!("invalid variable name `{name}` in `assign`"),
            Some("write `{% assign name = value %}`".into()),
        ));
    }
    let e = parse_expr(&m[eq + 1..], base + eq + 1)?;
    Ok((name.to_string(), e))
}

/// Split `{{ ... }}` pieces out of a string (include names and quoted params).
pub fn pieces(s: &str, base: usize) -> Result<Vec<Piece>, PErr> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(r) = s[pos..].find("{{") {
        let a = pos + r;
        let z = s[a..]
            .find("}}")
            .map(|z| a + z)
            .ok_or_else(|| perr(base + a, "variable `{{` is not closed with `}}`", None))?;
        if a > pos {
            out.push(Piece::Lit(s[pos..a].to_string()));
        }
        let inner = s[a + 2..z].trim_matches('-');
        out.push(Piece::Expr(parse_expr(inner, base + a + 2)?));
        pos = z + 2;
    }
    if pos < s.len() {
        out.push(Piece::Lit(s[pos..].to_string()));
    }
    Ok(out)
}

/// `{% include name key="value" other=var %}` (Jekyll's syntax).
fn include_tag(relative: bool, m: &str, base: usize, off: usize) -> Result<Include, PErr> {
    let tag = if relative {
        "include_relative"
    } else {
        "include"
    };
    let example = format!("write `{{% {tag} file.ext param=\"value\" param2=page.var %}}`");
    let lead = m.len() - m.trim_start().len();
    let b = m.as_bytes();
    let mut i = lead;
    // The file name runs to the first whitespace outside `{{ }}`.
    while i < b.len() && !b[i].is_ascii_whitespace() {
        if m[i..].starts_with("{{") {
            i = m[i..].find("}}").map(|z| i + z + 2).unwrap_or(b.len());
        } else {
            i += 1;
        }
    }
    let name = &m[lead..i];
    if name.is_empty() {
        return Err(perr(
            off,
            format!("`{tag}` needs a file name"),
            Some(example),
        ));
    }
    let name = pieces(name, base + lead)?;
    let mut params = Vec::new();
    let mut j = i;
    loop {
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() {
            break;
        }
        let ks = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
            j += 1;
        }
        let key = &m[ks..j];
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if key.is_empty() || b.get(j) != Some(&b'=') {
            return Err(perr(
                base + ks,
                format!("invalid parameter syntax in `{tag}`"),
                Some(example),
            ));
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let vs = j;
        let val = match b.get(j) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let mut k = j + 1;
                while k < b.len() && b[k] != q {
                    k += if b[k] == b'\\' { 2 } else { 1 };
                }
                if k >= b.len() {
                    return Err(perr(
                        base + vs,
                        "unterminated quoted parameter value",
                        Some(format!("close the value with {}", q as char)),
                    ));
                }
                let raw =
                    m[j + 1..k].replace(&format!("\\{}", q as char), &(q as char).to_string());
                j = k + 1;
                Param::Str(pieces(&raw, base + vs + 1)?)
            }
            _ => {
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b"_.-".contains(&b[j])) {
                    j += 1;
                }
                if j == vs {
                    return Err(perr(
                        base + vs,
                        format!("missing value for parameter `{key}`"),
                        Some(example),
                    ));
                }
                Param::Val(parse_val_all(&m[vs..j], base + vs)?)
            }
        };
        params.push((key.to_string(), val));
    }
    Ok(Include {
        relative,
        name,
        params,
        offset: off,
    })
}

#[allow(dead_code)]
pub fn is_tag(t: &Token) -> bool {
    t.kind == Kind::Tag
}

/// The closest known name: by similarity, or one edit (a typo or swapped letters) away.
pub fn suggest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    crate::diag::did_you_mean(name, known.iter().copied()).or_else(|| {
        known
            .iter()
            .copied()
            .filter(|k| strsim::osa_distance(name, k) <= 1 + name.len() / 5)
            .min_by_key(|k| strsim::osa_distance(name, k))
    })
}
