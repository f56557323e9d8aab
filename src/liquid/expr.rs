//! Liquid expressions: the strict-mode lexer for tag and variable markup,
//! values, filters, conditions (`and`/`or` grouping to the right, as Liquid
//! evaluates them), and the markup of `for`, `assign`, `when` and Jekyll's
//! `include`.

use super::ast::{
    perr, Cond, Expr, Filter, ForLoop, Include, Param, ParseError, Path, Piece, Seg, Val,
};
use super::limits::MAX_NESTING;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum ExprToken {
    Id(String),
    Str(String),
    Num(Value),
    Cmp(String),
    Punct(char),
    DotDot,
}

fn lex_expression(m: &str, base: usize) -> Result<Vec<(ExprToken, usize)>, ParseError> {
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
            out.push((ExprToken::Str(m[i + 1..i + 1 + end].to_string()), at));
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
            out.push((ExprToken::Num(v.unwrap_or(Value::Null)), at));
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
                out.push((ExprToken::Cmp(w.into()), at));
            } else {
                out.push((ExprToken::Id(w.into()), at));
            }
            i = j;
        } else if m[i..].starts_with("..") {
            out.push((ExprToken::DotDot, at));
            i += 2;
        } else if let Some(op) = ["==", "!=", "<>", "<=", ">=", "<", ">"]
            .iter()
            .find(|op| m[i..].starts_with(**op))
        {
            out.push((ExprToken::Cmp(op.to_string()), at));
            i += op.len();
        } else if "|.:,[]()=".contains(c as char) {
            out.push((ExprToken::Punct(c as char), at));
            i += 1;
        } else {
            let ch = m[i..].chars().next().unwrap_or('?');
            return Err(perr(at, format!("unexpected character `{ch}`"), None));
        }
    }
    Ok(out)
}

struct EP {
    toks: Vec<(ExprToken, usize)>,
    i: usize,
    end: usize,
    /// Values and conditions being parsed inside one another (bounded: they
    /// are parsed, translated and evaluated by recursion).
    depth: usize,
}

impl EP {
    fn new(m: &str, base: usize) -> Result<EP, ParseError> {
        Ok(EP {
            toks: lex_expression(m, base)?,
            i: 0,
            end: base + m.len(),
            depth: 0,
        })
    }
    fn peek(&self) -> Option<&ExprToken> {
        self.toks.get(self.i).map(|t| &t.0)
    }
    fn off(&self) -> usize {
        self.toks.get(self.i).map(|t| t.1).unwrap_or(self.end)
    }
    fn punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&ExprToken::Punct(c)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        if self.punct(c) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{c}`")))
        }
    }
    fn unexpected(&self, wanted: &str) -> ParseError {
        let got = match self.peek() {
            None => "end of markup".to_string(),
            Some(ExprToken::Id(s)) => format!("`{s}`"),
            Some(ExprToken::Str(s)) => format!("string \"{s}\""),
            Some(ExprToken::Num(n)) => format!("number {n}"),
            Some(ExprToken::Cmp(s)) => format!("`{s}`"),
            Some(ExprToken::Punct(c)) => format!("`{c}`"),
            Some(ExprToken::DotDot) => "`..`".into(),
        };
        perr(self.off(), format!("expected {wanted}, found {got}"), None)
    }
    fn done(&self) -> bool {
        self.i >= self.toks.len()
    }
    fn id(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(ExprToken::Id(s)) if s == w) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Run `f` one level deeper, or fail past [`MAX_NESTING`] levels.
    fn nested<R>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<R, ParseError>,
    ) -> Result<R, ParseError> {
        if self.depth >= MAX_NESTING {
            return Err(perr(
                self.off(),
                format!("expression nested more than {MAX_NESTING} levels deep"),
                Some(format!(
                    "an expression may nest at most {MAX_NESTING} brackets, ranges and `and`/`or` terms: split it with `assign`"
                )),
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn val(&mut self) -> Result<Val, ParseError> {
        self.nested(Self::val_here)
    }

    fn val_here(&mut self) -> Result<Val, ParseError> {
        let off = self.off();
        let t = self.peek().cloned();
        match t {
            Some(ExprToken::Str(s)) => {
                self.i += 1;
                Ok(Val::Lit(Value::String(s)))
            }
            Some(ExprToken::Num(n)) => {
                self.i += 1;
                Ok(Val::Lit(n))
            }
            Some(ExprToken::Punct('(')) => {
                self.i += 1;
                let a = self.val()?;
                if self.peek() != Some(&ExprToken::DotDot) {
                    return Err(self.unexpected("`..` in a range"));
                }
                self.i += 1;
                let b = self.val()?;
                self.expect(')')?;
                Ok(Val::Range(Box::new(a), Box::new(b)))
            }
            Some(ExprToken::Id(w)) => {
                self.i += 1;
                match w.as_str() {
                    "true" => return Ok(Val::Lit(Value::Bool(true))),
                    "false" => return Ok(Val::Lit(Value::Bool(false))),
                    "nil" | "null" => return Ok(Val::Lit(Value::Null)),
                    "empty" => return Ok(Val::Empty),
                    "blank" => return Ok(Val::Blank),
                    _ => {}
                }
                let mut segs = Vec::new();
                loop {
                    if self.punct('.') {
                        match self.peek().cloned() {
                            Some(ExprToken::Id(k)) => {
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

    fn filters(&mut self) -> Result<Vec<Filter>, ParseError> {
        let mut fs = Vec::new();
        while self.punct('|') {
            let off = self.off();
            let name = match self.peek().cloned() {
                Some(ExprToken::Id(n)) => n,
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
                        (Some((ExprToken::Id(k), _)), Some((ExprToken::Punct(':'), _))) => {
                            Some(k.clone())
                        }
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

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let val = self.val()?;
        let filters = self.filters()?;
        Ok(Expr { val, filters })
    }

    fn finish(&self) -> Result<(), ParseError> {
        if self.done() {
            Ok(())
        } else {
            Err(self.unexpected("end of markup"))
        }
    }

    fn comparison(&mut self) -> Result<Cond, ParseError> {
        let a = self.val()?;
        if let Some(ExprToken::Cmp(op)) = self.peek().cloned() {
            self.i += 1;
            let b = self.val()?;
            let op = if op == "<>" { "!=".to_string() } else { op };
            Ok(Cond::Cmp(a, op, b))
        } else {
            Ok(Cond::Truthy(a))
        }
    }

    /// `a and b or c` groups to the right, as Liquid evaluates it.
    fn cond(&mut self) -> Result<Cond, ParseError> {
        self.nested(Self::cond_here)
    }

    fn cond_here(&mut self) -> Result<Cond, ParseError> {
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
pub fn parse_expr(m: &str, base: usize) -> Result<Expr, ParseError> {
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

pub(super) fn parse_val_all(m: &str, base: usize) -> Result<Val, ParseError> {
    let mut p = EP::new(m, base)?;
    let v = p.val()?;
    p.finish()?;
    Ok(v)
}

pub fn parse_cond(m: &str, base: usize) -> Result<Cond, ParseError> {
    let mut p = EP::new(m, base)?;
    let c = p.cond()?;
    p.finish()?;
    Ok(c)
}

pub(super) fn parse_when(m: &str, base: usize) -> Result<Vec<Val>, ParseError> {
    let mut p = EP::new(m, base)?;
    let mut vals = vec![p.val()?];
    while p.punct(',') || p.id("or") {
        vals.push(p.val()?);
    }
    p.finish()?;
    Ok(vals)
}

/// `for`'s head as Liquid 5.4's strict parser reads it: `reversed` right
/// after the collection, then `limit:`/`offset:` without commas;
/// `tablerow`'s (read by a regex there) takes them in any order.
pub(super) fn parse_for_head(m: &str, base: usize, tablerow: bool) -> Result<ForLoop, ParseError> {
    let mut p = EP::new(m, base)?;
    let var = match p.peek().cloned() {
        Some(ExprToken::Id(v)) => v,
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
        cols: None,
        tablerow: false,
        body: vec![],
        else_body: None,
        tag_offset: base,
    };
    f.reversed = p.id("reversed");
    while !p.done() {
        if tablerow && p.id("reversed") {
            f.reversed = true;
        } else if p.id("limit") {
            p.expect(':')?;
            f.limit = Some(p.val()?);
        } else if p.id("offset") {
            p.expect(':')?;
            f.offset = Some(p.val()?);
        } else if p.id("cols") {
            p.expect(':')?;
            f.cols = Some(p.val()?);
        } else {
            return Err(p.unexpected(if f.reversed || tablerow {
                "`limit:` or `offset:`"
            } else {
                "`limit:` or `offset:` (`reversed` goes first)"
            }));
        }
        if tablerow {
            p.punct(',');
        }
    }
    Ok(f)
}

/// `cycle [group:] v1, v2...`: the key of its counter (the group's text,
/// or the values' markup as Liquid keys unnamed cycles) and the values.
pub(super) fn parse_cycle(m: &str, base: usize) -> Result<(String, Vec<Val>), ParseError> {
    let mut p = EP::new(m, base)?;
    let first = p.val()?;
    let (key, mut vals) = if p.punct(':') {
        let key = match &first {
            Val::Lit(v) => format!("g:{}", super::values::to_s(v)),
            _ => format!("m:{}", m.split(':').next().unwrap_or("").trim()),
        };
        (key, vec![p.val()?])
    } else {
        (
            format!("m:{}", m.split_whitespace().collect::<String>()),
            vec![first],
        )
    };
    while p.punct(',') {
        vals.push(p.val()?);
    }
    p.finish()?;
    Ok((key, vals))
}

pub(super) fn assign(m: &str, base: usize) -> Result<(String, Expr), ParseError> {
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
pub fn pieces(s: &str, base: usize) -> Result<Vec<Piece>, ParseError> {
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
pub(super) fn include_tag(
    relative: bool,
    m: &str,
    base: usize,
    off: usize,
) -> Result<Include, ParseError> {
    let tag = if relative {
        "include_relative"
    } else {
        "include"
    };
    // Formatted only for an error (include tags are many).
    let example = || format!("write `{{% {tag} file.ext param=\"value\" param2=page.var %}}`");
    let lead = m.len() - m.trim_start().len();
    let b = m.as_bytes();
    let mut i = lead;
    // The file name runs to the first whitespace outside `{{ }}`.
    while i < b.len() && !b[i].is_ascii_whitespace() {
        // Bytes, not `&m[i..]`: `i` may sit inside a multi-byte character.
        if b[i..].starts_with(b"{{") {
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
            Some(example()),
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
                Some(example()),
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
                let raw = &m[j + 1..k];
                let raw: std::borrow::Cow<str> = if raw.contains('\\') {
                    raw.replace(&format!("\\{}", q as char), &(q as char).to_string())
                        .into()
                } else {
                    raw.into()
                };
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
                        Some(example()),
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
