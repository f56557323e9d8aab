//! The Liquid AST: what [`super::parser`] builds from a template (with
//! [`super::expr`] for expressions and tag markup) and the translation
//! reads. A leaf module, so the expression parser can build nodes without
//! importing the parser that calls it.

use serde_json::Value;
use std::sync::Arc;

/// A parse problem: byte offset, message, help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
    pub help: Option<String>,
}

pub(super) fn perr(offset: usize, message: impl Into<String>, help: Option<String>) -> ParseError {
    ParseError {
        offset,
        message: message.into(),
        help,
    }
}

/// A value: a literal, a variable lookup or a range.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Lit(Value),
    /// `empty` (only meaningful in comparisons).
    Empty,
    /// `blank` (in comparisons: never equal to anything, as in Liquid 5.4).
    Blank,
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
    /// Name, value, offset of the tag.
    Assign(String, Expr, usize),
    /// Name, body, offset of the tag.
    Capture(String, Vec<Node>, usize),
    Include(Box<Include>),
    Break(usize),
    Continue(usize),
    /// Nodes that need no wrapper (a `raw` body).
    Seq(Vec<Node>),
    /// Jekyll's `{% highlight lang %}`: becomes a fenced code block. The
    /// language, where its options start (not supported: `linenos`...), the body.
    Highlight(String, Option<usize>, Vec<Node>),
    /// A tag or block declared in the configuration (see `plugins`).
    Plugin(Box<PluginCall>),
    /// `increment` (+1, the value before) / `decrement` (-1, the value after).
    Counter(String, i64),
    /// `cycle`: the group's key, the values, the offset of the tag.
    Cycle(String, Vec<Val>, usize),
    /// `ifchanged`: the body, printed when it differs from its last output.
    IfChanged(Vec<Node>, usize),
    /// Jekyll's `link` (a source path) or `post_url` (a post's name): the
    /// markup, resolved to the URL at build time; the offset of the tag.
    Link {
        post: bool,
        markup: String,
        offset: usize,
    },
}

/// `{% name markup %}` (and its body, for a block) of a declared plugin tag.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginCall {
    pub name: String,
    pub markup: String,
    pub body: Option<Vec<Node>>,
    /// Offset of the tag.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForLoop {
    pub var: String,
    pub coll: Val,
    pub limit: Option<Val>,
    pub offset: Option<Val>,
    pub reversed: bool,
    /// `tablerow`'s `cols:` (None in a `for`).
    pub cols: Option<Val>,
    /// A `tablerow` block: the body in `<td>` cells, `cols` to a row.
    pub tablerow: bool,
    pub body: Vec<Node>,
    pub else_body: Option<Vec<Node>>,
    /// Offset of the tag.
    pub tag_offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    pub relative: bool,
    pub name: Vec<Piece>,
    pub params: Vec<(String, Param)>,
    /// Offset of the tag.
    pub offset: usize,
}

/// A parsed include file (or a plugin tag's inline template).
pub struct Parsed {
    pub text: Arc<str>,
    pub nodes: Vec<Node>,
    pub errs: Vec<ParseError>,
    /// How deep its tags nest ([`super::parser::depth`]).
    pub depth: usize,
}
