//! Translation of Liquid's block tags (`if`, `case`, `for`, `capture`,
//! `break`/`continue`, `highlight`) into tera blocks; the rest of the
//! translation is in [`super::translate`].

use super::parser::{Cond, Node};
use super::translate::{tera_ident, Translator};
use serde_json::Value;
use std::fmt::Write;

impl Translator<'_> {
    pub(super) fn tr_if(&mut self, n: &Node) {
        let Node::If(branches, else_body) = n else {
            return;
        };
        let blank = self.is_blank(std::slice::from_ref(n));
        for (i, (c, body)) in branches.iter().enumerate() {
            let c = self.cond(c, false);
            let kw = if i == 0 { "if" } else { "elif" };
            let _ = write!(self.out(), "{{% {kw} {c} %}}");
            self.body(body, blank);
        }
        if branches.is_empty() {
            self.out().push_str("{% if false %}");
        }
        if let Some(b) = else_body {
            self.out().push_str("{% else %}");
            self.body(b, blank);
        }
        self.out().push_str("{% endif %}");
    }

    pub(super) fn tr_case(&mut self, n: &Node) {
        let Node::Case(subject, whens, else_body) = n else {
            return;
        };
        let blank = self.is_blank(std::slice::from_ref(n));
        let k = self.id();
        let _ = write!(self.out(), "{{% set_global lq_cm_{k} = false %}}");
        for (vals, body) in whens {
            let conds: Vec<String> = vals
                .iter()
                .map(|v| self.cond(&Cond::Cmp(subject.clone(), "==".into(), v.clone()), false))
                .collect();
            let _ = write!(
                self.out(),
                "{{% if {} %}}{{% set_global lq_cm_{k} = true %}}",
                conds.join(" or ")
            );
            self.body(body, blank);
            self.out().push_str("{% endif %}");
        }
        if let Some(b) = else_body {
            let _ = write!(self.out(), "{{% if lq_cm_{k} == false %}}");
            self.body(b, blank);
            self.out().push_str("{% endif %}");
        }
    }

    pub(super) fn tr_for(&mut self, n: &Node) {
        let Node::For(f) = n else { return };
        let blank = self.is_blank(std::slice::from_ref(n));
        let k = self.id();
        let at = self.site(f.tag_offset);
        let outer = self.cur_site.replace(at);
        let coll = self.val(&f.coll);
        let mut args = vec![format!("at={at}")];
        if let Some(l) = &f.limit {
            args.push(format!("limit={}", self.val(l)));
        }
        if let Some(o) = &f.offset {
            args.push(format!("offset={}", self.val(o)));
        }
        if f.reversed {
            args.push("reversed=true".into());
        }
        let v = format!("v_{}", tera_ident(&f.var));
        let _ = write!(
            self.out(),
            "{{% set_global lq_c_{k} = {coll} | lq_iter({}) %}}{{% set_global lq_len_{k} = lq_c_{k} | length %}}{{% for {v} in lq_c_{k} %}}{{% set lq_rix_{k} = lq_len_{k} - loop.index0 %}}{{% set lq_rix0_{k} = lq_len_{k} - loop.index %}}",
            args.join(", ")
        );
        self.loops.push((f.var.clone(), k));
        self.body(&f.body, blank);
        self.loops.pop();
        self.cur_site = outer;
        self.out().push_str("{% endfor %}");
        if let Some(b) = &f.else_body {
            let _ = write!(self.out(), "{{% if lq_len_{k} == 0 %}}");
            self.body(b, blank);
            self.out().push_str("{% endif %}");
        }
    }

    pub(super) fn tr_capture(&mut self, n: &Node) {
        let Node::Capture(name, body, off) = n else {
            return;
        };
        // The body is rendered into a variable of its own and assigned at the
        // end, as Liquid does: inside the body, the variable is still the old one.
        let k = self.id();
        let t = format!("lq_cap_{k}");
        let empty = self.lit(Value::String(String::new()));
        let _ = write!(self.out(), "{{% set_global {t} = {empty} %}}");
        let at = self.site(*off);
        let outer = self.cur_site.replace(at);
        self.captures.push((t.clone(), Some(at)));
        self.nodes(body);
        self.captures.pop();
        self.cur_site = outer;
        let _ = write!(
            self.out(),
            "{{% set_global v_{} = {t} %}}",
            tera_ident(name)
        );
        self.assigned.insert(name.clone());
    }

    pub(super) fn tr_break(&mut self, n: &Node) {
        let (Node::Break(off) | Node::Continue(off)) = n else {
            return;
        };
        let kw = if matches!(n, Node::Break(_)) {
            "break"
        } else {
            "continue"
        };
        if self.loops.is_empty() {
            let d = self.diag_at(
                false,
                *off,
                format!("`{kw}` outside a `for` loop is ignored"),
                Some("remove it, or move it into the loop it should leave".into()),
            );
            self.diags.push(d);
        } else {
            let _ = write!(self.out(), "{{% {kw} %}}");
        }
    }

    pub(super) fn tr_highlight(&mut self, n: &Node) {
        let Node::Highlight(lang, body) = n else {
            return;
        };
        let k = self.id();
        let t = format!("lq_hl_{k}");
        let empty = self.lit(Value::String(String::new()));
        let _ = write!(self.out(), "{{% set_global {t} = {empty} %}}");
        self.captures.push((t.clone(), self.cur_site));
        self.nodes(body);
        self.captures.pop();
        let l = self.lit(Value::String(lang.clone()));
        self.emit_value(&format!("{t} | lq_fence(lang={l})"));
    }
}
