//! A fast parser for the tera syntax that [`super::translate`] writes.
//!
//! tera parses templates with a pest grammar that tries every kind of
//! expression at every level (an identifier is read four or five times, a
//! filter argument inside a filter argument twenty-five times...): about
//! 3,000 instructions per byte of a translated page, most of the Liquid
//! stage's cost. The translator only writes a small subset of tera (text,
//! `{{ }}`, `set`/`set_global`, `if`/`elif`/`else`, `for`, `break`,
//! `continue`, filters with keyword arguments, `and`/`or`, one comparison,
//! `-`, `~`), always spelled the same way; this module reads that subset
//! straight into tera's own AST ([`tera::ast`]), which tera then renders as
//! usual.
//!
//! It gives up (returns `None`) on anything outside the subset, and the
//! caller falls back to tera's parser: the result is the same either way.
//! Debug builds (hence every test) compare the two ASTs on each template.

use std::collections::HashMap;
use tera::ast::{
    Expr, ExprVal, FunctionCall, If, LogicExpr, LogicOperator, MathExpr, MathOperator, Node, Set,
    StringConcat, WS,
};

/// Parse a whole template, or `None` when it leaves the subset.
pub fn parse(src: &str) -> Option<Vec<Node>> {
    let mut p = P {
        s: src.as_bytes(),
        src,
        i: 0,
        loops: 0,
    };
    let (nodes, end) = p.body()?;
    (end == Stop::Eof).then_some(nodes)
}

/// What ended a body: the end of the template or a closing/continuing tag.
#[derive(PartialEq, Debug)]
enum Stop {
    Eof,
    Elif(Expr),
    Else,
    EndIf,
    EndFor,
}

struct P<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    /// `for` loops open around the current position (`break` and
    /// `continue` are only valid inside one).
    loops: usize,
}

impl<'a> P<'a> {
    // ---- lexical helpers ------------------------------------------------

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn at(&self, lit: &str) -> bool {
        self.s[self.i..].starts_with(lit.as_bytes())
    }

    /// Skip whitespace, then consume `lit` if it is next.
    fn eat(&mut self, lit: &str) -> bool {
        self.ws();
        let ok = self.at(lit);
        if ok {
            self.i += lit.len();
        }
        ok
    }

    /// Consume a keyword (`and`, `or`...) followed by whitespace, as tera's
    /// grammar requires.
    fn keyword(&mut self, kw: &str) -> bool {
        self.ws();
        let ok = self.at(kw)
            && matches!(
                self.s.get(self.i + kw.len()),
                Some(b' ' | b'\t' | b'\r' | b'\n')
            );
        if ok {
            self.i += kw.len();
        }
        ok
    }

    fn is_start(b: u8) -> bool {
        b.is_ascii_alphabetic() || b == b'_'
    }

    fn is_char(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_'
    }

    /// A plain identifier (names of variables set, filters, arguments).
    fn ident(&mut self) -> Option<&'a str> {
        self.ws();
        let a = self.i;
        if !self.peek().is_some_and(Self::is_start) {
            return None;
        }
        while self.peek().is_some_and(Self::is_char) {
            self.i += 1;
        }
        Some(&self.src[a..self.i])
    }

    /// A variable path: `a.b.0`, `a["k"]`; tera keeps it as written.
    fn path(&mut self) -> Option<&'a str> {
        let a = self.i;
        self.ident()?;
        loop {
            match self.peek() {
                Some(b'.') if self.s.get(self.i + 1).is_some_and(|&b| Self::is_char(b)) => {
                    self.i += 1;
                    while self.peek().is_some_and(Self::is_char) {
                        self.i += 1;
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    let q = self.peek().filter(|q| b"\"'`".contains(q))?;
                    let close = self.s[self.i + 1..].iter().position(|&b| b == q)?;
                    self.i += close + 2;
                    if self.peek() != Some(b']') {
                        return None;
                    }
                    self.i += 1;
                }
                _ => break,
            }
        }
        Some(&self.src[a..self.i])
    }

    // ---- template structure ---------------------------------------------

    /// Nodes up to the end of the template or a tag that closes a block.
    fn body(&mut self) -> Option<(Vec<Node>, Stop)> {
        let mut nodes = Vec::new();
        loop {
            let rest = &self.s[self.i..];
            if rest.is_empty() {
                return Some((nodes, Stop::Eof));
            }
            if rest.starts_with(b"{{") {
                self.i += 2;
                let e = self.logic_expr()?;
                self.close("}}")?;
                nodes.push(Node::VariableBlock(WS::default(), e));
            } else if rest.starts_with(b"{%") {
                self.i += 2;
                match self.tag()? {
                    Ok(node) => nodes.push(node),
                    Err(end) => return Some((nodes, end)),
                }
            } else if rest.starts_with(b"{#") {
                return None;
            } else {
                nodes.push(Node::Text(self.text().to_string()));
            }
        }
    }

    /// Text up to the next `{{`, `{%` or `{#`.
    fn text(&mut self) -> &'a str {
        let a = self.i;
        self.i += 1;
        while let Some(k) = memchr(b'{', &self.s[self.i..]) {
            self.i += k;
            if matches!(self.s.get(self.i + 1), Some(b'{' | b'%' | b'#')) {
                return &self.src[a..self.i];
            }
            self.i += 1;
        }
        self.i = self.s.len();
        &self.src[a..]
    }

    /// `%}` or `}}` (tera's whitespace-trimming variants are not written).
    fn close(&mut self, end: &str) -> Option<()> {
        self.eat(end).then_some(())
    }

    /// A `{% %}` tag (after `{%`): a node, or the end of the current body.
    fn tag(&mut self) -> Option<Result<Node, Stop>> {
        let kw = self.ident()?;
        let r = match kw {
            "set" | "set_global" => {
                let global = kw == "set_global";
                let key = self.ident()?.to_string();
                if !self.eat("=") {
                    return None;
                }
                let value = self.logic_expr()?;
                Ok(Node::Set(WS::default(), Set { key, value, global }))
            }
            "if" => {
                let e = self.logic_expr()?;
                self.close("%}")?;
                return self.if_block(e).map(Ok);
            }
            "elif" => Err(Stop::Elif(self.logic_expr()?)),
            "else" => Err(Stop::Else),
            "endif" => Err(Stop::EndIf),
            "for" => return self.for_block().map(Ok),
            "endfor" => Err(Stop::EndFor),
            "break" if self.loops > 0 => Ok(Node::Break(WS::default())),
            "continue" if self.loops > 0 => Ok(Node::Continue(WS::default())),
            _ => return None,
        };
        self.close("%}")?;
        Some(r)
    }

    /// The rest of an `if` (after its tag) up to `endif`.
    fn if_block(&mut self, first: Expr) -> Option<Node> {
        let mut conditions = Vec::new();
        let mut cond = first;
        loop {
            let (body, end) = self.body()?;
            conditions.push((WS::default(), cond, body));
            match end {
                Stop::Elif(e) => cond = e,
                Stop::Else => {
                    let (body, end) = self.body()?;
                    if end != Stop::EndIf {
                        return None;
                    }
                    let otherwise = Some((WS::default(), body));
                    return Some(Node::If(
                        If {
                            conditions,
                            otherwise,
                        },
                        WS::default(),
                    ));
                }
                Stop::EndIf => {
                    let otherwise = None;
                    return Some(Node::If(
                        If {
                            conditions,
                            otherwise,
                        },
                        WS::default(),
                    ));
                }
                _ => return None,
            }
        }
    }

    /// A `for` (after `for`) up to `endfor`; the container is a plain path.
    fn for_block(&mut self) -> Option<Node> {
        let value = self.ident()?.to_string();
        if !self.keyword("in") {
            return None;
        }
        self.ws();
        let container = Expr::new(ExprVal::Ident(self.path()?.to_string()));
        self.close("%}")?;
        self.loops += 1;
        let (body, end) = self.body()?;
        self.loops -= 1;
        if end != Stop::EndFor {
            return None;
        }
        let f = tera::ast::Forloop {
            key: None,
            value,
            container,
            body,
            empty_body: None,
        };
        Some(Node::Forloop(WS::default(), f, WS::default()))
    }

    // ---- expressions ------------------------------------------------------

    /// `a or b and c`: `and` binds tighter, both associate to the left.
    fn logic_expr(&mut self) -> Option<Expr> {
        let mut lhs = self.and_expr()?;
        while self.keyword("or") {
            let rhs = self.and_expr()?;
            lhs = logic(lhs, LogicOperator::Or, rhs);
        }
        Some(lhs)
    }

    fn and_expr(&mut self) -> Option<Expr> {
        let mut lhs = self.logic_val()?;
        while self.keyword("and") {
            let rhs = self.logic_val()?;
            lhs = logic(lhs, LogicOperator::And, rhs);
        }
        Some(lhs)
    }

    /// A parenthesized expression or a comparison. A parenthesized
    /// expression without a filter or `and`/`or` (which tera would read as
    /// arithmetic) is left to tera.
    fn logic_val(&mut self) -> Option<Expr> {
        if self.keyword("not") {
            return None;
        }
        if self.eat("(") {
            let e = self.logic_expr()?;
            if e.filters.is_empty() && !matches!(e.val, ExprVal::Logic(_)) {
                return None;
            }
            if !self.eat(")") {
                return None;
            }
            return Some(e);
        }
        self.comparison()
    }

    /// One value, optionally compared with another (`==`, `!=`...).
    fn comparison(&mut self) -> Option<Expr> {
        let lhs = self.filtered()?;
        self.ws();
        let op = [
            ("==", LogicOperator::Eq),
            ("!=", LogicOperator::NotEq),
            ("<=", LogicOperator::Lte),
            (">=", LogicOperator::Gte),
            ("<", LogicOperator::Lt),
            (">", LogicOperator::Gt),
        ]
        .into_iter()
        .find(|(s, _)| self.at(s));
        let Some((s, op)) = op else {
            return Some(lhs);
        };
        self.i += s.len();
        let rhs = self.filtered()?;
        Some(logic(lhs, op, rhs))
    }

    /// A value (a concatenation, or `a - b`) followed by filters.
    fn filtered(&mut self) -> Option<Expr> {
        let first = self.primary()?;
        let val = if self.eat("~") {
            let mut values = vec![concat_part(first)?];
            loop {
                values.push(concat_part(self.primary()?)?);
                if !self.eat("~") {
                    break;
                }
            }
            ExprVal::StringConcat(StringConcat { values })
        } else if self.eat("-") {
            // Only `name - name` (the translator's loop counters).
            let rhs = self.primary()?;
            if !matches!(first, ExprVal::Ident(_)) || !matches!(rhs, ExprVal::Ident(_)) {
                return None;
            }
            ExprVal::Math(MathExpr {
                lhs: Box::new(Expr::new(first)),
                operator: MathOperator::Sub,
                rhs: Box::new(Expr::new(rhs)),
            })
        } else {
            first
        };
        let mut filters = Vec::new();
        while self.eat("|") {
            filters.push(self.call()?);
        }
        self.ws();
        // Arithmetic or more comparisons after this point: not ours.
        if matches!(self.peek(), Some(b'+' | b'-' | b'*' | b'/' | b'%' | b'~')) && !self.at("%}") {
            return None;
        }
        Some(Expr {
            val,
            negated: false,
            filters,
        })
    }

    /// A filter or function: `name` or `name(k=expr, ...)`.
    fn call(&mut self) -> Option<FunctionCall> {
        let name = self.ident()?.to_string();
        let mut args = HashMap::new();
        if self.peek() == Some(b'(') {
            self.i += 1;
            if !self.eat(")") {
                loop {
                    let k = self.ident()?.to_string();
                    if !self.eat("=") {
                        return None;
                    }
                    args.insert(k, self.logic_expr()?);
                    if self.eat(")") {
                        break;
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
        }
        Some(FunctionCall { name, args })
    }

    /// A literal, a variable path or a function call.
    fn primary(&mut self) -> Option<ExprVal> {
        self.ws();
        let b = self.peek()?;
        if b.is_ascii_digit() {
            let a = self.i;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.i += 1;
            }
            let digits = &self.src[a..self.i];
            // tera's integers have no leading zero; `.` would make a float.
            if (digits.len() > 1 && digits.starts_with('0')) || self.peek() == Some(b'.') {
                return None;
            }
            return digits.parse().ok().map(ExprVal::Int);
        }
        if b == b'"' {
            self.i += 1;
            let close = memchr(b'"', &self.s[self.i..])?;
            let s = self.src[self.i..self.i + close].to_string();
            self.i += close + 1;
            return Some(ExprVal::String(s));
        }
        let a = self.i;
        let path = self.path()?;
        if self.peek() == Some(b'(') {
            if path.contains(['.', '[']) {
                return None;
            }
            self.i = a;
            return Some(ExprVal::FunctionCall(self.call()?));
        }
        Some(match path {
            "true" | "True" => ExprVal::Bool(true),
            "false" | "False" => ExprVal::Bool(false),
            // Words tera reads differently (tests, `in`, `not`, keywords
            // glued to a boolean...): not ours.
            p if p.starts_with("true")
                || p.starts_with("false")
                || p.starts_with("True")
                || p.starts_with("False") =>
            {
                return None
            }
            p => {
                let p = p.to_string();
                let save = self.i;
                if self.keyword("is") || self.keyword("in") || self.at("::") {
                    return None;
                }
                self.i = save;
                ExprVal::Ident(p)
            }
        })
    }
}

fn logic(lhs: Expr, operator: LogicOperator, rhs: Expr) -> Expr {
    Expr::new(ExprVal::Logic(LogicExpr {
        lhs: Box::new(lhs),
        operator,
        rhs: Box::new(rhs),
    }))
}

/// An operand of `~` (tera reads a boolean there as a variable name, and
/// merges adjacent strings: both left to tera).
fn concat_part(v: ExprVal) -> Option<ExprVal> {
    matches!(
        v,
        ExprVal::Ident(_) | ExprVal::FunctionCall(_) | ExprVal::Int(_)
    )
    .then_some(v)
}

fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == b)
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn tera(src: &str) -> Option<Vec<tera::ast::Node>> {
        tera::Template::new("t", None, src).ok().map(|t| t.ast)
    }

    #[test]
    fn same_ast_as_tera_on_what_the_translator_writes() {
        let cases = [
            "",
            "plain text } with { braces %}",
            "{{ lq_t.11 }}{{ v_name | lq_s }}",
            "{{ v_x | default(value=lq_nil) | lq_key(k=loop.index0) | lq_s }}",
            "{{ v_x[\"a b\"]['c'].d | default(value=lq_nil) | lq_s }}",
            "{% set_global v_n = lq_t.5 | lq_split(a0=lq_t.10) %}",
            "{% set_global lq_c_3 = v_n | default(value=lq_nil) | lq_iter() %}\
             {% set_global lq_len_3 = lq_c_3 | length %}{% for v_n in lq_c_3 %}\
             {% set lq_rix_3 = lq_len_3 - loop.index0 %}{% break %}{% continue %}{% endfor %}",
            "{% if (v_n | lq_cmp(op=\"==\", b=lq_t.9)) %}a{% elif (x | lq_truthy(neg=true)) %}b{% else %}c{% endif %}",
            "{% if (a | lq_truthy) or (b | lq_truthy) and (c | lq_truthy) %}{% endif %}",
            "{% if ((a | lq_truthy) and (b | lq_truthy)) %}{% endif %}",
            "{% if lq_cm_2 == false %}{% endif %}{% if lq_len_3 == 0 %}{% endif %}{% if false %}{% endif %}",
            "{% set_global v_t = v_t ~ lq_sf(v=x | lq_s) %}{% set_global v_t = v_t ~ lq_t.4 %}",
            "{% set_global lq_i1_k = lq_t.1 ~ lq_sf(v=lq_range(a=lq_t.2, b=y | default(value=lq_nil))) ~ lq_t.3 %}",
            "{% for v_i in lq_c_1 %}{% if (v_i | lq_truthy) %}{% break %}{% endif %}{% endfor %}",
            "é{{ lq_hl_1 | lq_fence(lang=lq_t.0) | lq_s }}ü",
        ];
        for src in cases {
            let fast = parse(src);
            assert!(fast.is_some(), "not parsed: {src}");
            assert_eq!(fast, tera(src), "{src}");
        }
    }

    #[test]
    fn leaves_everything_else_to_tera() {
        let cases = [
            "{# comment #}",
            "{%- if x %}{% endif %}",
            "{% if not x %}{% endif %}",
            "{% if x is defined %}{% endif %}",
            "{% if x in y %}{% endif %}",
            "{{ (x) }}",
            "{{ x + 1 }}",
            "{{ 'a' ~ x }}",
            "{{ 1.5 }}",
            "{{ truex }}",
            "{% break %}",
            "{% for x in y %}{% else %}{% endfor %}",
            "{% if x %}",
            "{% endif %}",
            "{% include \"a\" %}",
            "{{ x }",
        ];
        for src in cases {
            assert_eq!(parse(src), None, "{src}");
        }
    }
}
