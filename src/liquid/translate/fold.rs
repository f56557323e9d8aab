//! Values known at build time: `page`, `site`, literals and include
//! parameters given as literals are evaluated while translating. They name
//! include files and are folded into the text, so most pages need no tera
//! rendering at all.

use super::{tera_ident, Translator};
use crate::liquid::filters;
use crate::liquid::parser::{Expr, Param, Piece, Seg, Val};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

impl Translator<'_> {
    /// Evaluate an expression at build time, if it only uses literals, `page`,
    /// `site` and known include parameters.
    pub fn static_expr(&mut self, e: &Expr) -> Option<Value> {
        let mut v = self.static_val(&e.val)?;
        for f in &e.filters {
            let mut args: HashMap<String, Value> = HashMap::new();
            for (i, a) in f.args.iter().enumerate() {
                args.insert(format!("a{i}"), self.static_val(a)?);
            }
            for (k, a) in &f.kwargs {
                args.insert(format!("k_{}", tera_ident(k)), self.static_val(a)?);
            }
            // Past a limit, not folded: the render reports it at its tag.
            v = if self.eng.plugins.filters.contains_key(&f.name) {
                self.eng.plugins.apply_filter(&f.name, &v)
            } else {
                let md = &self.eng.markdownify;
                crate::liquid::helpers::guarded_filter(&f.name, &v, &args, &self.url, md).ok()?
            };
        }
        Some(v)
    }

    pub fn static_val(&mut self, v: &Val) -> Option<Value> {
        match v {
            Val::Lit(x) => Some(x.clone()),
            Val::Path(p) => {
                if self.loops.iter().any(|(n, _)| *n == p.root) || self.assigned.contains(&p.root) {
                    return None;
                }
                if let Some(g) = self.global_path(p) {
                    return self.static_val(&Val::Path(g));
                }
                let (eng, page) = (self.eng, self.page);
                let root: &Value = match p.root.as_str() {
                    "page" => {
                        self.check_static(p);
                        page
                    }
                    "site" => {
                        self.check_static(p);
                        eng.site_for(first_key(p))
                    }
                    "include" if self.frames.len() > 1 => {
                        let Some(Seg::Key(k)) = p.segs.first() else {
                            return None;
                        };
                        let (_, sv) = self.frame().params.get(k).cloned()?;
                        let mut cur = sv?;
                        for s in &p.segs[1..] {
                            let k = match s {
                                Seg::Key(k) => Value::String(k.clone()),
                                Seg::Index(i) => self.static_val(i)?,
                            };
                            cur = filters::key(&cur, &k);
                        }
                        return Some(cur);
                    }
                    _ => return None,
                };
                // Walk by reference: only the value reached is copied.
                let mut cur = Cow::Borrowed(root);
                for s in &p.segs {
                    // The common case, a key that exists, without making a key value.
                    if let (Seg::Key(k), Cow::Borrowed(Value::Object(m))) = (s, &cur) {
                        if let Some(x) = m.get(k) {
                            cur = Cow::Borrowed(x);
                            continue;
                        }
                    }
                    let k = match s {
                        Seg::Key(k) => Value::String(k.clone()),
                        Seg::Index(i) => self.static_val(i)?,
                    };
                    cur = match cur {
                        Cow::Borrowed(v) => match filters::key_ref(v, &k) {
                            Some(x) => Cow::Borrowed(x),
                            None => Cow::Owned(filters::key(v, &k)),
                        },
                        Cow::Owned(v) => Cow::Owned(filters::key(&v, &k)),
                    };
                }
                Some(cur.into_owned())
            }
            _ => None,
        }
    }

    /// The tera expression for an include parameter, evaluated in the current frame.
    pub fn param_expr(&mut self, p: &Param) -> (String, Option<Value>) {
        match p {
            Param::Val(v) => {
                let st = self.static_val(v);
                (self.val(v), st)
            }
            Param::Str(pieces) => {
                if pieces.iter().all(|p| matches!(p, Piece::Lit(_))) {
                    let s: String = pieces
                        .iter()
                        .map(|p| match p {
                            Piece::Lit(s) => s.as_str(),
                            Piece::Expr(_) => "",
                        })
                        .collect();
                    let v = Value::String(s);
                    return (self.lit(v.clone()), Some(v));
                }
                let mut parts = Vec::new();
                let mut st = Some(String::new());
                for pc in pieces {
                    match pc {
                        Piece::Lit(s) => {
                            if let Some(x) = st.as_mut() {
                                x.push_str(s)
                            }
                            parts.push(self.lit(Value::String(s.clone())));
                        }
                        Piece::Expr(e) => {
                            let sv = self.static_expr(e);
                            match (&mut st, sv) {
                                (Some(x), Some(v)) => x.push_str(&filters::to_s(&v)),
                                _ => st = None,
                            }
                            let x = self.expr(e);
                            parts.push(format!("lq_sf(v={x})"));
                        }
                    }
                }
                (parts.join(" ~ "), st.map(Value::String))
            }
        }
    }

    pub fn lit_ref(&mut self, v: Value) -> String {
        self.lit(v)
    }
}

/// The first key of a path (`pages` of `site.pages.size`); None when it
/// starts with an index (`site[name]`).
pub(crate) fn first_key(p: &crate::liquid::parser::Path) -> Option<&str> {
    match p.segs.first() {
        Some(Seg::Key(k)) => Some(k),
        _ => None,
    }
}
