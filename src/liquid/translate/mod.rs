//! Translation of the Liquid AST to one tera template per page.
//!
//! Text is never given to tera's parser: each text segment that could look
//! like tera syntax goes to a side table (`lq_texts`) and is printed by index.
//! Includes are inlined; their parameters become uniquely named variables
//! (`lq_i<N>_<key>`) that `include.<key>` maps to. Liquid variables become
//! `v_<name>`; `page` and `site` stay themselves and are checked statically
//! so an undefined variable is reported with a did-you-mean.
//!
//! This module is the translator's core (its state, text, values, paths,
//! conditions); its children add the rest as `impl Translator` blocks:
//! `blocks` (block tags), [`mod@include`] (includes, `link`, `post_url`),
//! `plugin_call` (declared plugin tags), [`fold`] (values known at build
//! time) and [`globals`] (`content`, `layout`, `paginator`). They call back
//! into the core and it into them (an include holds nodes), so they are
//! one module tree rather than siblings that import each other.

mod blocks;
pub mod fold;
pub mod globals;
pub mod include;
mod plugin_call;

use super::filters::{self, UrlInfo};
use super::parser::{Cond, Expr, Node, Path, Seg, Val};
use super::LiquidEngine;
use crate::diag::{did_you_mean, line_col, Diagnostic};
use include::Frame;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write;
use std::path::PathBuf;

/// Text at least this long is printed from the side table (see `emit_text`).
const SIDE_TABLE_MIN: usize = 32;

pub struct Translator<'e> {
    pub eng: &'e LiquidEngine,
    pub page: &'e Value,
    pub page_dir: PathBuf,
    /// The tera template; read it after [`Translator::flush`].
    pub out: String,
    /// Text not yet put in `out` (once the page is dynamic): a run of text
    /// (and values folded into text) becomes a single print.
    pending: String,
    pub texts: Vec<Value>,
    pub diags: Vec<Diagnostic>,
    pub deps: BTreeSet<PathBuf>,
    pub frames: Vec<Frame>,
    pub(super) loops: Vec<(String, usize)>,
    pub(super) assigned: HashSet<String>,
    /// `increment`/`decrement` counters so far: `{{ name }}` reads one
    /// when no variable of that name is assigned (Liquid keeps them apart).
    pub(super) counters: HashSet<String>,
    /// Variables assigned a value known at build time, outside every block
    /// (so the value holds until the next `assign`): include file names may use them.
    pub(super) known_assigns: HashMap<String, Value>,
    /// The variables of the captures being translated, innermost last, with
    /// their limit sites.
    pub(super) captures: Vec<(String, Option<usize>)>,
    /// Limit sites numbered so far (see [`super::limits`]), and the one
    /// whose diagnostic is wanted (when a render hit a limit there).
    sites: usize,
    pub(super) wanted_site: Option<usize>,
    pub(super) site_diag: Option<Diagnostic>,
    /// The site the expressions being translated belong to.
    pub(super) cur_site: Option<usize>,
    n: usize,
    quiet: usize,
    /// Blocks and includes around the node being translated.
    pub(super) depth: usize,
    too_deep: bool,
    pub url: UrlInfo,
    /// The output so far while nothing needs tera (every value was known at build time).
    pub plain: String,
    /// Whether the template needs tera at all.
    pub dynamic: bool,
}

/// Deepest combined nesting of blocks and includes translated for one page.
pub use super::limits::MAX_NESTING as MAX_DEPTH;

/// A tera identifier for a Liquid name (which may hold `-` or non-ASCII).
pub fn tera_ident(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            s.push(c);
        } else {
            let _ = write!(s, "_x{:x}_", c as u32);
        }
    }
    s
}

fn is_ident(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl<'e> Translator<'e> {
    pub fn new(eng: &'e LiquidEngine, page: &'e Value, page_dir: PathBuf, top: Frame) -> Self {
        let url = UrlInfo {
            url: eng.site.get("url").map(filters::to_s).unwrap_or_default(),
            baseurl: eng
                .site
                .get("baseurl")
                .map(filters::to_s)
                .unwrap_or_default(),
        };
        Translator {
            eng,
            page,
            page_dir,
            out: String::new(),
            pending: String::new(),
            texts: Vec::new(),
            diags: Vec::new(),
            deps: BTreeSet::new(),
            frames: vec![top],
            loops: Vec::new(),
            assigned: HashSet::new(),
            counters: HashSet::new(),
            known_assigns: HashMap::new(),
            captures: Vec::new(),
            sites: 0,
            wanted_site: None,
            site_diag: None,
            cur_site: None,
            n: 0,
            quiet: 0,
            depth: 0,
            too_deep: false,
            url,
            plain: String::new(),
            dynamic: false,
        }
    }

    /// A new limit site at byte `off` of the current file. Numbering costs
    /// nothing; the diagnostic is made only when translating again for the
    /// site a render failed at.
    pub(super) fn site(&mut self, off: usize) -> usize {
        let k = self.sites;
        self.sites += 1;
        if self.wanted_site == Some(k) {
            self.site_diag = Some(self.diag_at(true, off, String::new(), None));
        }
        k
    }

    /// ` at=K` for a helper called from the current site, if any.
    fn at(&self) -> String {
        self.cur_site.map_or(String::new(), |k| format!("at={k}"))
    }

    pub(super) fn id(&mut self) -> usize {
        self.n += 1;
        self.n
    }

    pub(super) fn lit(&mut self, v: Value) -> String {
        self.texts.push(v);
        format!("lq_texts.{}", self.texts.len() - 1)
    }

    pub(super) fn frame(&self) -> &Frame {
        self.frames.last().expect("a frame")
    }

    /// A diagnostic at byte `off` of the current file, with the include chain.
    pub fn diag_at(&self, err: bool, off: usize, msg: String, help: Option<String>) -> Diagnostic {
        let f = self.frame();
        let (l, c) = line_col(&f.text, off);
        let mut d = if err {
            Diagnostic::error(&f.rel, l, c, msg)
        } else {
            Diagnostic::warning(&f.rel, l, c, msg)
        }
        .with_source(&f.text);
        d.help = help;
        d.notes = self
            .frames
            .iter()
            .rev()
            .filter_map(Frame::from_note)
            .collect();
        d
    }

    pub fn error(&mut self, off: usize, msg: String, help: Option<String>) {
        let d = self.diag_at(true, off, msg, help);
        self.diags.push(d);
    }

    fn warn_undefined(&mut self, off: usize, name: &str, help: Option<String>) {
        if self.quiet > 0 {
            return;
        }
        let d = self.diag_at(
            self.eng.strict,
            off,
            format!("undefined variable `{name}`"),
            help,
        );
        self.diags.push(d);
    }

    // ---- emission -------------------------------------------------------

    pub(super) fn emit_text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some((t, at)) = self.captures.last().cloned() {
            let l = self.lit(Value::String(s.to_string()));
            let at = at.map_or(String::new(), |k| format!(", at={k}"));
            let _ = write!(
                self.out(),
                "{{% set_global {t} = lq_cat(a={t}, b={l}{at}) %}}"
            );
            return;
        }
        if self.dynamic {
            self.pending.push_str(s);
        } else {
            self.plain.push_str(s);
        }
    }

    /// From now on the page needs tera. The text so far (all of it is
    /// text until then) becomes the start of the template: most pages never
    /// get here, and build only `plain`.
    pub(super) fn set_dynamic(&mut self) {
        if !self.dynamic {
            self.dynamic = true;
            self.pending = std::mem::take(&mut self.plain);
        }
    }

    /// Put the pending text in the template. Long text goes to the side
    /// table: tera's parser reads a template character by character
    /// (thousands of instructions per byte), while printing an entry of the
    /// table is one lookup.
    pub fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let s = std::mem::take(&mut self.pending);
        if s.contains('{') || s.len() >= SIDE_TABLE_MIN {
            let l = self.lit(Value::String(s));
            let _ = write!(self.out, "{{{{ {l} }}}}");
        } else {
            self.out.push_str(&s);
        }
    }

    /// The template, after the pending text.
    pub(super) fn out(&mut self) -> &mut String {
        self.flush();
        &mut self.out
    }

    pub(super) fn emit_value(&mut self, e: &str) {
        if let Some((t, at)) = self.captures.last().cloned() {
            let at = at.map_or(String::new(), |k| format!(", at={k}"));
            let _ = write!(
                self.out(),
                "{{% set_global {t} = lq_cat(a={t}, b={e}{at}) %}}"
            );
        } else {
            let _ = write!(self.out(), "{{{{ {e} | lq_s }}}}");
        }
    }

    pub fn nodes(&mut self, nodes: &[Node]) {
        for n in nodes {
            self.node(n);
        }
    }

    /// The body of a control-flow block; in a *blank* block (Liquid's rule:
    /// every branch holds only whitespace, `assign`, `capture`, comments and
    /// blank blocks) the whitespace text is dropped, as Liquid does.
    pub(super) fn body(&mut self, nodes: &[Node], blank: bool) {
        for n in nodes {
            if !(blank && matches!(n, Node::Text(..))) {
                self.node(n);
            }
        }
    }

    pub(super) fn is_blank(&self, nodes: &[Node]) -> bool {
        let text = &self.frame().text;
        nodes.iter().all(|n| match n {
            Node::Text(a, z) => text[*a..*z]
                .bytes()
                .all(|b| b" \t\r\n\x0b\x0c".contains(&b)),
            Node::Assign(..) | Node::Capture(..) => true,
            Node::If(br, e) => {
                br.iter().all(|(_, b)| self.is_blank(b))
                    && e.as_ref().is_none_or(|b| self.is_blank(b))
            }
            Node::Case(_, w, e) => {
                w.iter().all(|(_, b)| self.is_blank(b))
                    && e.as_ref().is_none_or(|b| self.is_blank(b))
            }
            Node::For(f) => {
                !f.tablerow
                    && self.is_blank(&f.body)
                    && f.else_body.as_ref().is_none_or(|b| self.is_blank(b))
            }
            _ => false,
        })
    }

    /// Translate one node, keeping the nesting (blocks and includes) bounded
    /// (the parser and the include tag report it where it happens; this is
    /// the last guard of the recursion).
    pub(super) fn node(&mut self, n: &Node) {
        if matches!(
            n,
            Node::Text(..)
                | Node::Output(..)
                | Node::Assign(..)
                | Node::Break(_)
                | Node::Continue(_)
        ) {
            return self.node_inner(n);
        }
        self.depth += 1;
        if self.depth <= MAX_DEPTH {
            self.node_inner(n);
        } else if !self.too_deep {
            self.too_deep = true;
            if self.diags.iter().any(Diagnostic::is_error) {
                // The parser stopped at the tag too deep, and said so.
                self.depth -= 1;
                return;
            }
            let msg =
                format!("templates nested more than {MAX_DEPTH} levels deep (blocks and includes)");
            self.error(0, msg, Some("simplify the include structure".into()));
        }
        self.depth -= 1;
    }

    fn node_inner(&mut self, n: &Node) {
        // A plugin tag without a body is an include (known at build time when its template is).
        let inline_plugin = matches!(n, Node::Plugin(c) if c.body.is_none());
        if !inline_plugin
            && !matches!(
                n,
                Node::Text(..)
                    | Node::Output(..)
                    | Node::Include(..)
                    | Node::Seq(..)
                    | Node::Link { .. }
            )
        {
            self.set_dynamic();
        }
        match n {
            Node::Text(a, z) => {
                let text = self.frame().text.clone();
                self.emit_text(&text[*a..*z]);
            }
            Node::Output(..) => self.tr_output(n),
            Node::If(..) => self.tr_if(n),
            Node::Case(..) => self.tr_case(n),
            Node::For(..) => self.tr_for(n),
            Node::Assign(name, e, off) => {
                let at = self.site(*off);
                let outer = self.cur_site.replace(at);
                let x = self.expr(e);
                self.cur_site = outer;
                let _ = write!(
                    self.out(),
                    "{{% set_global v_{} = {x} %}}",
                    tera_ident(name)
                );
                self.assigned.insert(name.clone());
                let top = self.depth == 0 && self.captures.is_empty() && self.loops.is_empty();
                match top.then(|| self.static_expr(e)).flatten() {
                    Some(v) => self.known_assigns.insert(name.clone(), v),
                    None => self.known_assigns.remove(name),
                };
            }
            Node::Capture(name, ..) => {
                self.known_assigns.remove(name);
                self.tr_capture(n)
            }
            Node::Include(inc) => self.include(inc),
            Node::Link {
                post,
                markup,
                offset,
            } => self.link(*post, markup, *offset),
            Node::Break(_) | Node::Continue(_) => self.tr_break(n),
            Node::Seq(body) => self.nodes(body),
            Node::Highlight(..) => self.tr_highlight(n),
            Node::Plugin(call) => self.plugin(call),
            Node::Counter(..) | Node::Cycle(..) | Node::IfChanged(..) => self.tr_stateful(n),
        }
    }

    fn tr_output(&mut self, n: &Node) {
        let Node::Output(e, _) = n else { return };
        let q = e.filters.iter().any(|f| f.name == "default");
        if q {
            self.quiet += 1;
        }
        // Values known at build time (literals, `page`, `site`, literal
        // include parameters) are folded into the text.
        let folded = if self.eng.fold {
            self.static_expr(e)
        } else {
            None
        };
        if let Some(v) = folded {
            self.emit_text(&filters::to_s(&v));
        } else {
            self.set_dynamic();
            let x = self.expr(e);
            self.emit_value(&x);
        }
        if q {
            self.quiet -= 1;
        }
    }

    // ---- expressions -----------------------------------------------------

    pub fn expr(&mut self, e: &Expr) -> String {
        let mut s = self.val(&e.val);
        for f in &e.filters {
            let mut args: Vec<String> = Vec::new();
            for (i, a) in f.args.iter().enumerate() {
                let v = self.val(a);
                args.push(format!("a{i}={v}"));
            }
            for (k, a) in &f.kwargs {
                let v = self.val(a);
                args.push(format!("k_{}={v}", tera_ident(k)));
            }
            if self.cur_site.is_some() {
                args.push(self.at());
            }
            if args.is_empty() {
                let _ = write!(s, " | lq_{}", f.name);
            } else {
                let _ = write!(s, " | lq_{}({})", f.name, args.join(", "));
            }
        }
        s
    }

    pub fn val(&mut self, v: &Val) -> String {
        match v {
            // Bools too go through the table: tera drops the filters of a
            // `true`/`false` literal (`false | lq_truthy(neg=true)` is false).
            Val::Lit(x) => self.lit(x.clone()),
            Val::Empty => self.lit(Value::String("\u{0}empty".into())),
            Val::Blank => self.lit(Value::String(super::values::BLANK.into())),
            Val::Range(a, b) => {
                let (a, b) = (self.val(a), self.val(b));
                match self.cur_site {
                    Some(k) => format!("lq_range(a={a}, b={b}, at={k})"),
                    None => format!("lq_range(a={a}, b={b})"),
                }
            }
            Val::Path(p) => self.path(p),
        }
    }

    fn path(&mut self, p: &Path) -> String {
        self.warn_excerpt(p);
        let root = p.root.as_str();
        if self.loops.iter().any(|(v, _)| v == root) {
            return self.segs(format!("v_{}", tera_ident(root)), &p.segs);
        }
        if root == "tablerowloop" {
            if let Some(&(_, k)) = self.loops.last() {
                return self.segs(format!("lq_trl_{k}"), &p.segs);
            }
        }
        if root == "forloop" {
            // `forloop.parentloop...`: the loop that many levels out.
            let up = p
                .segs
                .iter()
                .take_while(|s| matches!(s, Seg::Key(k) if k == "parentloop"))
                .count();
            let segs = &p.segs[up..];
            let outer = self
                .loops
                .len()
                .checked_sub(up + 1)
                .map(|i| self.loops[i].1);
            if up > 0 && outer.is_none() {
                return self.lit(Value::Null);
            }
            if let Some(k) = outer {
                let field = match segs.first() {
                    Some(Seg::Key(f)) => f.as_str(),
                    _ => "",
                };
                let base = match field {
                    "index" | "index0" | "first" | "last" if up > 0 => format!("lq_{field}_{k}"),
                    "index" | "index0" | "first" | "last" => format!("loop.{field}"),
                    "length" => format!("lq_len_{k}"),
                    "rindex" => format!("lq_rix_{k}"),
                    "rindex0" => format!("lq_rix0_{k}"),
                    _ => return self.lit(Value::Null),
                };
                return self.segs(base, &segs[1.min(segs.len())..]);
            }
        }
        if root == "include" && self.frames.len() > 1 {
            let key = match p.segs.first() {
                Some(Seg::Key(k)) => k.clone(),
                _ => return self.lit(Value::Null),
            };
            let param = self.frame().params.get(&key).cloned();
            return match param {
                Some((var, _)) => self.segs(var, &p.segs[1..]),
                None => {
                    let names: Vec<String> = self.frame().params.keys().cloned().collect();
                    let help = did_you_mean(&key, names.iter().map(|s| s.as_str()))
                        .map(|s| format!("did you mean `include.{s}`?"))
                        .or_else(|| Some(format!("this include was given no parameter `{key}`")));
                    self.warn_undefined(p.offset, &format!("include.{key}"), help);
                    self.lit(Value::Null)
                }
            };
        }
        if self.assigned.contains(root) {
            return self.segs(format!("v_{}", tera_ident(root)), &p.segs);
        }
        if self.counters.contains(root) {
            return self.segs(format!("lq_ctr_{}", tera_ident(root)), &p.segs);
        }
        if let Some(g) = self.global_path(p) {
            return self.path(&g);
        }
        if root == "page" || root == "site" {
            self.check_static(p);
            return self.segs(root.to_string(), &p.segs);
        }
        let mut known: Vec<&str> = vec!["page", "site"];
        known.extend(self.assigned.iter().map(|s| s.as_str()));
        known.extend(self.loops.iter().map(|(s, _)| s.as_str()));
        let help =
            did_you_mean(root, known.iter().copied()).map(|s| format!("did you mean `{s}`?"));
        let shown = describe(p);
        self.warn_undefined(p.offset, &shown, help);
        self.segs(format!("v_{}", tera_ident(root)), &p.segs)
    }

    /// Check a `page.*`/`site.*` path against the known values.
    pub(super) fn check_static(&mut self, p: &Path) {
        let mut cur = if p.root == "page" {
            self.page
        } else {
            // Nothing to check of `site` or `site[name]`.
            let Some(k) = fold::first_key(p) else {
                return;
            };
            self.eng.site_for(Some(k))
        };
        for (i, s) in p.segs.iter().enumerate() {
            let Seg::Key(k) = s else { return };
            match cur {
                Value::Object(m) => match m.get(k) {
                    Some(v) => cur = v,
                    None if k == "size" => return,
                    None => {
                        // The path up to the missing key (built only here: most paths exist).
                        let shown = describe(&Path {
                            root: p.root.clone(),
                            segs: p.segs[..i].to_vec(),
                            offset: p.offset,
                        });
                        let help = did_you_mean(k, m.keys().map(|s| s.as_str()))
                            .map(|s| format!("did you mean `{shown}.{s}`?"));
                        let name = format!("{shown}.{k}");
                        self.warn_undefined(p.offset, &name, help);
                        return;
                    }
                },
                _ => return,
            }
        }
    }

    /// Whether a tera name is defined wherever the translation uses it: an
    /// entry of the side table, a loop's own variables (only used inside the
    /// loop) and the variable of an enclosing loop.
    fn always_defined(&self, name: &str) -> bool {
        ["lq_texts.", "loop.", "lq_len_", "lq_rix_", "lq_rix0_"]
            .iter()
            .any(|p| name.starts_with(p))
            || self
                .loops
                .iter()
                .any(|(v, _)| name.strip_prefix("v_") == Some(tera_ident(v).as_str()))
    }

    /// Append lookups to a base tera identifier.
    fn segs(&mut self, base: String, segs: &[Seg]) -> String {
        let mut s = base;
        let mut i = 0;
        while i < segs.len() {
            match &segs[i] {
                Seg::Key(k) if !["size", "first", "last"].contains(&k.as_str()) => {
                    // tera 1.20 slices quoted path segments by char index as if it
                    // were a byte index, so non-ASCII keys go through `lq_key` below.
                    if is_ident(k) {
                        let _ = write!(s, ".{k}");
                    } else if let Some(q) = ['"', '\'', '`']
                        .into_iter()
                        .find(|q| k.is_ascii() && !k.contains(*q))
                    {
                        let _ = write!(s, "[{q}{k}{q}]");
                    } else {
                        break;
                    }
                }
                _ => break,
            }
            i += 1;
        }
        // A name that is always defined needs no `default` (less for tera to parse).
        if i > 0 || !self.always_defined(&s) {
            s.push_str(" | default(value=lq_nil)");
        }
        for seg in &segs[i..] {
            let k = match seg {
                Seg::Key(k) => self.lit(Value::String(k.clone())),
                Seg::Index(v) => self.val(v),
            };
            let _ = write!(s, " | lq_key(k={k})");
        }
        s
    }

    /// A tera boolean expression for a Liquid condition.
    pub(super) fn cond(&mut self, c: &Cond, neg: bool) -> String {
        self.quiet += 1;
        let r = match c {
            Cond::Truthy(v) => {
                let x = self.val(v);
                if neg {
                    format!("({x} | lq_truthy(neg=true))")
                } else {
                    format!("({x} | lq_truthy)")
                }
            }
            Cond::Cmp(a, op, b) => {
                let (a, b) = (self.val(a), self.val(b));
                let (op, neg) = match (neg, op.as_str()) {
                    (true, "==") => ("!=", false),
                    (true, "!=") => ("==", false),
                    (n, o) => (o, n),
                };
                if neg {
                    format!("({a} | lq_cmp(op=\"{op}\", b={b}, neg=true))")
                } else {
                    format!("({a} | lq_cmp(op=\"{op}\", b={b}))")
                }
            }
            Cond::And(a, b) | Cond::Or(a, b) => {
                let is_and = matches!(c, Cond::And(..));
                let (x, y) = (self.cond(a, neg), self.cond(b, neg));
                let op = if is_and != neg { "and" } else { "or" };
                format!("({x} {op} {y})")
            }
            Cond::Not(inner) => self.cond(inner, !neg),
        };
        self.quiet -= 1;
        r
    }

    pub fn next_id(&mut self) -> usize {
        self.id()
    }

    pub fn emit_set(&mut self, var: &str, expr: &str) {
        self.set_dynamic();
        let _ = write!(self.out(), "{{% set_global {var} = {expr} %}}");
    }
}

fn describe(p: &Path) -> String {
    let mut s = p.root.clone();
    for seg in &p.segs {
        match seg {
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Index(_) => s.push_str("[...]"),
        }
    }
    s
}
