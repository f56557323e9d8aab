//! Translating a declared plugin tag (see [`crate::liquid::plugins`]): it is an
//! include of its template, or of its include file, given the tag's markup
//! and words (and a block's rendered body) as `include.*` parameters.

use super::Translator;
use crate::liquid::parser::{Include, Node, Param, Path, Piece, PluginCall, Val};
use crate::liquid::plugins::TagSource;
use serde_json::Value;
use std::path::PathBuf;

impl Translator<'_> {
    pub(super) fn plugin(&mut self, call: &PluginCall) {
        let mut params = vec![
            (
                "markup".to_string(),
                Param::Val(Val::Lit(Value::String(call.markup.clone()))),
            ),
            (
                "args".to_string(),
                Param::Val(Val::Lit(Value::Array(
                    call.markup
                        .split_whitespace()
                        .map(|w| Value::String(w.to_string()))
                        .collect(),
                ))),
            ),
        ];
        if let Some(body) = &call.body {
            // The body is rendered into a variable of its own, as `capture` does.
            let var = format!("lq_body_{}", self.next_id());
            self.node(&Node::Capture(var.clone(), body.clone(), call.offset));
            let path = Path {
                root: var,
                segs: Vec::new(),
                offset: call.offset,
            };
            params.push(("body".to_string(), Param::Val(Val::Path(path))));
        }
        let eng = self.eng;
        let Some(decl) = eng.plugins.tags.get(&call.name) else {
            return;
        };
        match &decl.source {
            TagSource::Include(file) => {
                let inc = Include {
                    relative: false,
                    name: vec![Piece::Lit(file.clone())],
                    params,
                    offset: call.offset,
                };
                self.include(&inc);
            }
            TagSource::Template(parsed) => {
                // The template's own name stands for a file path: a template
                // that uses its own tag is a cycle, reported as an include's.
                let canon = PathBuf::from(format!("\u{0}plugin:{}", call.name));
                if self.frames.iter().any(|f| f.canon == canon) {
                    let msg = format!("plugin tag `{}` uses itself", call.name);
                    self.error(
                        call.offset,
                        msg,
                        Some("remove the tag from its own template".into()),
                    );
                    return;
                }
                let inc = Include {
                    relative: false,
                    name: Vec::new(),
                    params,
                    offset: call.offset,
                };
                self.inline(&inc, parsed.clone(), canon, decl.origin.clone());
            }
        }
    }
}
