//! Liquid parser: tokens → a validated AST with byte spans.
//!
//! Follows Liquid 4's strict mode: expressions are lexed into ids, strings,
//! numbers and punctuation; `and`/`or` chain to the right; unknown tags,
//! unknown filters, stray `end` tags and unclosed blocks are errors.

use super::expr::{
    assign, include_tag, parse_cond, parse_cycle, parse_expr, parse_for_head, parse_val_all,
    parse_when,
};
use super::filters::FILTERS;
use super::lexer::{lex, Kind, Token};
use super::plugin_registry::{unknown_help, Registry, RubyKind};

// The AST is a module of its own (see there why); it is the parser's output.
use super::ast::perr;
pub use super::ast::{
    Cond, Expr, Filter, ForLoop, Include, Node, Param, ParseError, Path, Piece, PluginCall, Seg,
    Val,
};

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
    "increment",
    "decrement",
    "cycle",
    "tablerow",
    "endtablerow",
    "echo",
    "liquid",
    "ifchanged",
    "endifchanged",
    "link",
    "post_url",
];

use super::limits::MAX_NESTING;

/// How deep the tags of `nodes` nest, as translation counts it: one level
/// per block or include, plus the levels of its bodies.
pub fn depth(nodes: &[Node]) -> usize {
    let deepest = |bodies: &mut dyn Iterator<Item = &Vec<Node>>| -> usize {
        bodies.map(|b| depth(b)).max().unwrap_or(0)
    };
    nodes
        .iter()
        .map(|n| match n {
            Node::Text(..)
            | Node::Output(..)
            | Node::Assign(..)
            | Node::Break(_)
            | Node::Continue(_)
            | Node::Counter(..)
            | Node::Cycle(..)
            | Node::Link { .. } => 0,
            Node::IfChanged(b, _) => 1 + depth(b),
            Node::If(br, e) => 1 + deepest(&mut br.iter().map(|(_, b)| b).chain(e)),
            Node::Case(_, w, e) => 1 + deepest(&mut w.iter().map(|(_, b)| b).chain(e)),
            Node::For(f) => 1 + deepest(&mut std::iter::once(&f.body).chain(&f.else_body)),
            Node::Capture(_, b, _) | Node::Seq(b) | Node::Highlight(_, _, b) => 1 + depth(b),
            Node::Include(..) => 1,
            // A declared tag is an include; its body is captured first.
            Node::Plugin(p) => 1 + p.body.as_deref().map_or(0, depth),
        })
        .max()
        .unwrap_or(0)
}

/// Parse a whole template (`src[from..]`), with no plugin tags or filters.
pub fn parse(src: &str, from: usize) -> (Vec<Node>, Vec<ParseError>) {
    parse_with(src, from, &Registry::default())
}

/// Parse a whole template (`src[from..]`), knowing the site's declared plugin
/// tags and filters (and the Ruby plugins that register others).
pub fn parse_with(src: &str, from: usize, reg: &Registry) -> (Vec<Node>, Vec<ParseError>) {
    let (toks, lerrs) = lex(src, from);
    let mut errs: Vec<ParseError> = lerrs
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
        reg,
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
    errs: &'e mut Vec<ParseError>,
    depth: usize,
    too_deep: bool,
    reg: &'e Registry,
}

/// Which block tags may end or split which block.
fn closers(open: &str) -> &'static [&'static str] {
    match open {
        "if" => &["elsif", "else", "endif"],
        "unless" => &["elsif", "else", "endunless"],
        "case" => &["when", "else", "endcase"],
        "for" => &["else", "endfor"],
        "tablerow" => &["endtablerow"],
        "ifchanged" => &["endifchanged"],
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
            if !FILTERS.contains(&f.name.as_str()) && !self.reg.filters.contains_key(&f.name) {
                let help = unknown_help(self.reg, &f.name)
                    .or_else(|| suggest(&f.name, FILTERS).map(|s| format!("did you mean `{s}`?")))
                    .or_else(|| Some(format!("known filters: {}", FILTERS.join(", "))));
                self.err(f.offset, format!("unknown filter `{}`", f.name), help);
            } else if let Some((lo, hi)) = super::filters_std::arity(&f.name) {
                let n = f.args.len() + usize::from(!f.kwargs.is_empty());
                if (n < lo || n > hi) && !self.reg.filters.contains_key(&f.name) {
                    let want = if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo} to {hi}")
                    };
                    self.err(
                        f.offset,
                        format!("filter `{}` takes {want} argument(s), given {n}", f.name),
                        Some(format!("write `| {}: ...` with {want} argument(s)", f.name)),
                    );
                }
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
                Some(format!(
                    "a page may nest at most {MAX_NESTING} blocks (`if`, `for`, `case`, `capture`...): flatten the nesting or split the page"
                )),
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
            "for" | "tablerow" => self.for_tag(name, rest, roff, off),
            "echo" => parse_expr(rest, roff).map(|e| {
                self.check_filters(&e);
                Node::Output(e, off)
            }),
            "increment" | "decrement" => {
                let var = rest.trim();
                if var.is_empty() || !var.chars().all(|c| c.is_alphanumeric() || "_-".contains(c)) {
                    return self.fail(perr(
                        roff,
                        format!("`{name}` needs a variable name"),
                        Some(format!("write `{{% {name} counter %}}`")),
                    ));
                }
                Ok(Node::Counter(
                    var.to_string(),
                    if name == "increment" { 1 } else { -1 },
                ))
            }
            "cycle" => parse_cycle(rest, roff).map(|(k, vals)| Node::Cycle(k, vals, off)),
            "ifchanged" => {
                let (body, _) = self.body_until("ifchanged", off);
                Ok(Node::IfChanged(body, off))
            }
            "link" | "post_url" => Ok(Node::Link {
                post: name == "post_url",
                markup: rest.trim().to_string(),
                offset: off,
            }),
            // `{% # a comment %}` (Liquid 5's inline comment).
            "" if rest.trim_start().starts_with('#') => return None,
            "assign" => assign(rest, roff).map(|(n, e)| {
                self.check_filters(&e);
                Node::Assign(n, e, off)
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
                Ok(Node::Capture(var.to_string(), body, off))
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
                let after = rest.trim_start();
                let after = after[after.find(char::is_whitespace).unwrap_or(after.len())..].trim();
                let opts = (!after.is_empty()).then(|| roff + rest.find(after).unwrap_or(0));
                let (body, _) = self.body_until("highlight", off);
                Ok(Node::Highlight(lang, opts, body))
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
            _ if self.reg.tags.contains_key(name) => {
                let block = self.reg.tags[name];
                return Some(self.plugin_tag(name, rest, block, off));
            }
            // The end of a Ruby block tag: its start was reported.
            _ if name
                .strip_prefix("end")
                .is_some_and(|n| self.reg.ruby.get(n).map(|d| d.kind) == Some(RubyKind::Block)) =>
            {
                return None
            }
            _ => {
                let is_end = name.starts_with("end") || ["elsif", "else", "when"].contains(&name);
                let plugin_end = name
                    .strip_prefix("end")
                    .is_some_and(|n| self.reg.tags.get(n) == Some(&true));
                let (msg, help) = if is_end && (TAGS.contains(&name) || plugin_end) {
                    (
                        format!("unexpected `{name}`: no open block it could belong to"),
                        Some("remove it, or open the block it closes".to_string()),
                    )
                } else if name.is_empty() {
                    (
                        "empty tag".to_string(),
                        Some("write `{{ \"{%\" }}` for a literal `{%`".to_string()),
                    )
                } else if let Some(help) = unknown_help(self.reg, name) {
                    (format!("unknown tag `{name}`"), Some(help))
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

    /// A declared plugin tag; a block's body runs to `end<name>`.
    fn plugin_tag(&mut self, name: &str, rest: &str, block: bool, off: usize) -> Node {
        let body = block.then(|| {
            let end = format!("end{name}");
            if self.depth >= MAX_NESTING {
                self.err(
                    off,
                    format!("blocks nested more than {MAX_NESTING} levels deep"),
                    Some("simplify the template".into()),
                );
                self.i = self.toks.len();
                self.too_deep = true;
                return Vec::new();
            }
            self.depth += 1;
            let (nodes, stop) = self.block(&[end.as_str()]);
            self.depth -= 1;
            if stop.is_some() {
                self.take_stop();
            } else if !self.too_deep {
                self.err(
                    off,
                    format!("`{name}` is never closed"),
                    Some(format!("add `{{% {end} %}}` where the block should end")),
                );
            }
            nodes
        });
        Node::Plugin(Box::new(PluginCall {
            name: name.to_string(),
            markup: rest.trim().to_string(),
            body,
            offset: off,
        }))
    }

    fn fail(&mut self, e: ParseError) -> Option<Node> {
        self.errs.push(e);
        None
    }

    fn if_tag(
        &mut self,
        name: &str,
        rest: &str,
        roff: usize,
        off: usize,
    ) -> Result<Node, ParseError> {
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

    fn case_tag(&mut self, rest: &str, roff: usize, off: usize) -> Result<Node, ParseError> {
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

    fn for_tag(
        &mut self,
        name: &str,
        rest: &str,
        roff: usize,
        off: usize,
    ) -> Result<Node, ParseError> {
        let head = parse_for_head(rest, roff, name == "tablerow");
        let (body, stop) = self.body_until(name, off);
        let mut else_body = None;
        if let Some((s, _, _)) = stop {
            if s == "else" {
                let (b, _) = self.body_until("for", off);
                else_body = Some(b);
            }
        }
        let mut f = head?;
        f.tablerow = name == "tablerow";
        if f.cols.is_some() && !f.tablerow {
            return Err(perr(
                roff,
                "`cols:` is a `tablerow` attribute, not a `for` one",
                None,
            ));
        }
        f.body = body;
        f.else_body = else_body;
        f.tag_offset = off;
        Ok(Node::For(Box::new(f)))
    }
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
