//! Translation of Liquid's block tags (`if`, `case`, `for`, `capture`,
//! `break`/`continue`, `highlight`) into tera blocks; the rest of the
//! translation is in [`super`].

use super::{tera_ident, Translator};
use crate::liquid::parser::{Cond, Node, Path, Seg};
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
            "{{% set_global lq_c_{k} = {coll} | lq_iter({}) %}}{{% set_global lq_len_{k} = lq_c_{k} | length %}}",
            args.join(", ")
        );
        if f.tablerow {
            let cols = match &f.cols {
                Some(c) => self.val(c),
                None => format!("lq_len_{k}"),
            };
            let _ = write!(
                self.out(),
                "{{% set_global lq_cols_{k} = {cols} | lq_to_integer %}}{{% set_global lq_tr_{k} = {coll} | lq_truthy %}}{{% if lq_tr_{k} %}}"
            );
            self.emit_text("<tr class=\"row1\">\n");
            self.out().push_str("{% endif %}");
        }
        let _ = write!(
            self.out(),
            "{{% for {v} in lq_c_{k} %}}{{% set lq_rix_{k} = lq_len_{k} - loop.index0 %}}{{% set lq_rix0_{k} = lq_len_{k} - loop.index %}}"
        );
        if self.frame().text.contains("parentloop") {
            // An inner loop's `forloop.parentloop` reads these (tera's
            // `loop` is the innermost loop's).
            let _ = write!(
                self.out(),
                "{{% set lq_index_{k} = loop.index %}}{{% set lq_index0_{k} = loop.index0 %}}{{% set lq_first_{k} = loop.first %}}{{% set lq_last_{k} = loop.last %}}"
            );
        }
        self.loops.push((f.var.clone(), k));
        if f.tablerow {
            self.tablerow_cell(k, &f.body);
        } else {
            self.body(&f.body, blank);
        }
        self.loops.pop();
        self.cur_site = outer;
        self.out().push_str("{% endfor %}");
        if f.tablerow {
            let _ = write!(self.out(), "{{% if lq_tr_{k} %}}");
            self.emit_text("</tr>\n");
            self.out().push_str("{% endif %}");
        }
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
        let Node::Highlight(lang, opts, body) = n else {
            return;
        };
        if let Some(at) = *opts {
            let d = self.diag_at(
                false,
                at,
                "`highlight` options (`linenos`, `mark_lines`...) are not supported: \
                 the code is shown without them"
                    .into(),
                Some("remove the options, or number the lines in the text".into()),
            );
            self.diags.push(d);
        }
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

impl Translator<'_> {
    /// A post's `excerpt` is not provided (Jekyll renders the post's first
    /// paragraph): a warning where one is read, outside `page.*` (whose
    /// keys are checked against the front matter).
    pub(super) fn warn_excerpt(&mut self, p: &Path) {
        let last = p.segs.last();
        if p.root != "page" && last.is_some_and(|s| matches!(s, Seg::Key(k) if k == "excerpt")) {
            let d = self.diag_at(
                false,
                p.offset,
                "`excerpt` is not supported: it is empty here, where Jekyll gives the \
                 post's first paragraph, rendered"
                    .into(),
                Some("write the summary in the front matter, and use that key".into()),
            );
            self.diags.push(d);
        }
    }

    /// One cell of a `tablerow` (Liquid 5's markup: `<td class="colN">`, a
    /// new `<tr class="rowN">` after the last column), with `tablerowloop`.
    fn tablerow_cell(&mut self, k: usize, body: &[Node]) {
        let _ = write!(
            self.out(),
            "{{% set lq_trl_{k} = lq_trl(i=loop.index0, n=lq_len_{k}, cols=lq_cols_{k}) %}}"
        );
        self.emit_text("<td class=\"col");
        self.emit_value(&format!("lq_trl_{k}.col"));
        self.emit_text("\">");
        self.nodes(body);
        self.emit_text("</td>");
        let _ = write!(
            self.out(),
            "{{% if lq_trl_{k}.col_last and not lq_trl_{k}.last %}}"
        );
        self.emit_text("</tr>\n<tr class=\"row");
        self.emit_value(&format!("lq_trl_{k}.next_row"));
        self.emit_text("\">");
        self.out().push_str("{% endif %}");
    }

    /// `increment`/`decrement`, `cycle`, `ifchanged`: state kept in tera
    /// globals for the whole page (Liquid keeps it for the whole render).
    pub(super) fn tr_stateful(&mut self, n: &Node) {
        match n {
            Node::Counter(name, d) => {
                let c = format!("lq_ctr_{}", tera_ident(name));
                self.counters.insert(name.clone());
                let _ = write!(
                    self.out(),
                    "{{% set_global {c} = {c} | default(value=0) %}}"
                );
                if *d > 0 {
                    self.emit_value(&c);
                    let _ = write!(self.out(), "{{% set_global {c} = {c} + 1 %}}");
                } else {
                    let _ = write!(self.out(), "{{% set_global {c} = {c} - 1 %}}");
                    self.emit_value(&c);
                }
            }
            Node::Cycle(key, vals, _) => {
                let h = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
                let c = format!("lq_cy_{h:016x}");
                let vals: Vec<String> = vals.iter().map(|v| self.val(v)).collect();
                let _ = write!(
                    self.out(),
                    "{{% set_global {c} = {c} | default(value=0) %}}"
                );
                self.emit_value(&format!("lq_nth(l=[{}], i={c})", vals.join(", ")));
                let _ = write!(self.out(), "{{% set_global {c} = {c} + 1 %}}");
            }
            Node::IfChanged(body, off) => {
                let k = self.id();
                let t = format!("lq_ifc_{k}");
                let empty = self.lit(Value::String(String::new()));
                let _ = write!(
                    self.out(),
                    "{{% set_global {t} = {empty} %}}{{% set_global lq_ifc_last = lq_ifc_last | default(value=false) %}}"
                );
                let at = self.site(*off);
                self.captures.push((t.clone(), Some(at)));
                self.nodes(body);
                self.captures.pop();
                let _ = write!(self.out(), "{{% if {t} != lq_ifc_last %}}");
                self.emit_value(&t);
                let _ = write!(
                    self.out(),
                    "{{% set_global lq_ifc_last = {t} %}}{{% endif %}}"
                );
            }
            _ => {}
        }
    }
}
