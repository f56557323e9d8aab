//! Jekyll plugin tags and filters, declared instead of run.
//!
//! elementdocs does not run `_plugins/*.rb`. A site declares what each custom
//! tag, block and filter renders to under `elementdocs.plugins` in its
//! configuration (usually a file of its own, `--config _config.yml,extra.yml`):
//!
//! ```yaml
//! elementdocs:
//!   plugins:
//!     tags:        # {% icon fa-check %}
//!       icon: {template: '<i class="fa {{ include.args[0] }}"></i>'}
//!     blocks:      # {% note warning %}...{% endnote %}
//!       note: {include: note-block.html}
//!     filters:     # {{ content | column }}
//!       column:
//!         replace:
//!           - {regex: '(?i)<ul>', with: '<div class="row">'}
//! ```
//!
//! A tag or block is an include in disguise: its template (inline Liquid, or
//! a file of the include folder) is inlined where the tag is, and sees
//! `include.markup` (the tag's text after its name), `include.args` (that
//! text split at whitespace) and, for a block, `include.body` (the block's
//! content, rendered). A filter is a list of replacements (literal text or a
//! regular expression, `$1` for groups) applied in order to the value as
//! text: what the Ruby filters of real portals do with `gsub`.
//!
//! The `_plugins/` folder is read only to name, in the error for a tag or
//! filter nobody declared, the Ruby file that registers it and the
//! declaration that would replace it (see [`super::plugin_registry`]).

use super::ast::{Node, ParseError, Parsed};
use super::parser;
use super::plugin_registry::{scan_ruby, Registry};
use crate::diag::Diagnostic;
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a declared tag renders.
pub enum TagSource {
    /// Inline Liquid from the configuration, parsed once.
    Template(Arc<Parsed>),
    /// A file of the include folder.
    Include(String),
}

pub struct TagDecl {
    pub block: bool,
    pub source: TagSource,
    /// Shown in diagnostics about the template: `<config file>#plugins.tags.<name>`.
    pub origin: PathBuf,
}

/// One step of a declared filter.
#[derive(Debug, Clone)]
pub struct Replace {
    pub pattern: Regex,
    pub with: String,
}

/// Every plugin declaration of the site.
#[derive(Default)]
pub struct Plugins {
    pub registry: Registry,
    pub tags: BTreeMap<String, TagDecl>,
    pub filters: BTreeMap<String, Vec<Replace>>,
    /// Names of the declared generators (each a `site.<name>`).
    pub generators: Vec<String>,
}

impl Plugins {
    /// The declarations under `elementdocs.plugins` of the merged `config`
    /// (`files`: the configuration files read, for locating errors), and the
    /// names `root/_plugins/*.rb` registers.
    pub fn load(
        config: &serde_json::Map<String, Value>,
        files: &[PathBuf],
        root: &Path,
    ) -> Result<Plugins, Vec<Diagnostic>> {
        let mut p = Plugins {
            registry: Registry {
                ruby: scan_ruby(root),
                ..Default::default()
            },
            ..Default::default()
        };
        let Some(decl) = config.get("elementdocs").and_then(|e| e.get("plugins")) else {
            return Ok(p);
        };
        let mut errs = Vec::new();
        let err = |errs: &mut Vec<Diagnostic>, key: &str, msg: String, help: &str| {
            let (file, line) = locate_key(files, key, root);
            errs.push(Diagnostic::error(&file, line, 1, msg).with_help(help.to_string()));
        };
        let Some(decl) = decl.as_object() else {
            err(
                &mut errs,
                "plugins",
                "`elementdocs.plugins` must be a mapping".into(),
                "give it `tags:`, `blocks:` and `filters:` mappings",
            );
            return Err(errs);
        };
        for (section, v) in decl {
            let block = match section.as_str() {
                "tags" => false,
                "blocks" => true,
                "filters" => {
                    p.load_filters(v, files, root, &mut errs);
                    continue;
                }
                "generators" => {
                    p.load_generators(v, files, root, &mut errs);
                    continue;
                }
                other => {
                    err(
                        &mut errs,
                        other,
                        format!("unknown key `elementdocs.plugins.{other}`"),
                        "the keys are `tags`, `blocks`, `filters` and `generators`",
                    );
                    continue;
                }
            };
            p.load_tags(section, v, block, files, root, &mut errs);
        }
        // Templates are parsed once every name is known: they may use
        // declared filters and other declared tags.
        for d in p.tags.values_mut() {
            if let TagSource::Template(t) = &mut d.source {
                let text = t.text.clone();
                *t = Arc::new(parse_template(&text, &p.registry));
            }
        }
        if errs.is_empty() {
            Ok(p)
        } else {
            Err(errs)
        }
    }

    fn load_tags(
        &mut self,
        section: &str,
        v: &Value,
        block: bool,
        files: &[PathBuf],
        root: &Path,
        errs: &mut Vec<Diagnostic>,
    ) {
        let Some(map) = v.as_object() else {
            let (file, line) = locate_key(files, section, root);
            errs.push(
                Diagnostic::error(
                    &file,
                    line,
                    1,
                    format!("`elementdocs.plugins.{section}` must be a mapping of tag names"),
                )
                .with_help(
                    "write `icon: {template: '<i class=\"fa {{ include.args[0] }}\"></i>'}`",
                ),
            );
            return;
        };
        for (name, d) in map {
            let (file, line) = locate_key(files, name, root);
            let fail = |msg: String, help: &str| {
                Diagnostic::error(&file, line, 1, msg).with_help(help.to_string())
            };
            if parser::TAGS.contains(&name.as_str()) || self.registry.tags.contains_key(name) {
                errs.push(fail(
                    format!("`{name}` is already a tag"),
                    "declare plugin tags under names no other tag has",
                ));
                continue;
            }
            let template = d.get("template").and_then(Value::as_str);
            let include = d.get("include").and_then(Value::as_str);
            let source = match (template, include) {
                (Some(t), None) => TagSource::Template(Arc::new(Parsed {
                    text: t.into(),
                    nodes: Vec::new(),
                    errs: Vec::new(),
                    depth: 0,
                })),
                (None, Some(i)) => TagSource::Include(i.to_string()),
                _ => {
                    errs.push(fail(
                        format!("plugin tag `{name}` needs either `template:` or `include:`"),
                        "`template:` is Liquid text, `include:` a file of the include folder; both see `include.args`, `include.markup` (and `include.body` in a block)",
                    ));
                    continue;
                }
            };
            let shown = crate::diag::display_path(&file);
            self.registry.tags.insert(name.clone(), block);
            self.tags.insert(
                name.clone(),
                TagDecl {
                    block,
                    source,
                    origin: PathBuf::from(format!("{shown}#plugins.{section}.{name}")),
                },
            );
        }
    }

    fn load_filters(
        &mut self,
        v: &Value,
        files: &[PathBuf],
        root: &Path,
        errs: &mut Vec<Diagnostic>,
    ) {
        let help = "write `name: {replace: [{regex: '(?i)<ul>', with: '<div>'}, {literal: 'a', with: 'b'}]}`";
        let Some(map) = v.as_object() else {
            let (file, line) = locate_key(files, "filters", root);
            errs.push(
                Diagnostic::error(
                    &file,
                    line,
                    1,
                    "`elementdocs.plugins.filters` must be a mapping of filter names",
                )
                .with_help(help),
            );
            return;
        };
        for (name, d) in map {
            let (file, line) = locate_key(files, name, root);
            let fail = |msg: String| Diagnostic::error(&file, line, 1, msg).with_help(help);
            if super::filters::FILTERS.contains(&name.as_str()) {
                errs.push(fail(format!("`{name}` is already a filter")));
                continue;
            }
            let Some(steps) = d.get("replace").and_then(Value::as_array) else {
                errs.push(fail(format!(
                    "plugin filter `{name}` needs a `replace:` list"
                )));
                continue;
            };
            let mut out = Vec::new();
            for s in steps {
                match replace_step(s) {
                    Ok(r) => out.push(r),
                    Err(msg) => errs.push(fail(format!("plugin filter `{name}`: {msg}"))),
                }
            }
            self.registry.filters.insert(name.clone(), ());
            self.filters.insert(name.clone(), out);
        }
    }

    /// `generators: {name: {group_pages_by: folder_id}}`: `site.<name>` maps
    /// each folder's id (its path, `/` and `-` made `_`, as the devportal's
    /// `ShardGenerator.rb` makes it) to the pages in it, by path.
    fn load_generators(
        &mut self,
        v: &Value,
        files: &[PathBuf],
        root: &Path,
        errs: &mut Vec<Diagnostic>,
    ) {
        let map = v.as_object().cloned().unwrap_or_default();
        if !v.is_object() {
            let (file, line) = locate_key(files, "generators", root);
            errs.push(
                Diagnostic::error(
                    &file,
                    line,
                    1,
                    "`elementdocs.plugins.generators` must be a mapping of names",
                )
                .with_help("write `shards: {group_pages_by: folder_id}`"),
            );
        }
        for (name, d) in map {
            if d.get("group_pages_by").and_then(Value::as_str) == Some("folder_id") {
                self.generators.push(name);
            } else {
                let (file, line) = locate_key(files, &name, root);
                errs.push(
                    Diagnostic::error(&file, line, 1, format!("generator `{name}` needs `group_pages_by: folder_id`"))
                        .with_help("the one generator elementdocs makes groups pages by folder (site.<name>[folder_id] is the folder's pages); element guides group their tabs themselves"),
                );
            }
        }
    }

    /// Apply the declared filter `name` (which exists) to `v`.
    pub fn apply_filter(&self, name: &str, v: &Value) -> Value {
        let mut s = super::filters::to_s(v);
        for r in self.filters.get(name).into_iter().flatten() {
            if let std::borrow::Cow::Owned(x) = r.pattern.replace_all(&s, r.with.as_str()) {
                s = x;
            }
        }
        Value::String(s)
    }

    /// Register the declared filters as tera filters (`lq_<name>`, as the
    /// translation names filters).
    pub fn register(self: &Arc<Self>, t: &mut tera::Tera) {
        for name in self.filters.keys() {
            let (me, n) = (Arc::clone(self), name.clone());
            t.register_filter(
                &format!("lq_{name}"),
                move |v: &Value, _: &std::collections::HashMap<String, Value>| {
                    Ok(me.apply_filter(&n, v))
                },
            );
        }
    }
}

/// Parse a tag's inline template (text that is not a file: offsets are in it).
fn parse_template(text: &str, reg: &Registry) -> Parsed {
    let (nodes, errs): (Vec<Node>, Vec<ParseError>) = parser::parse_with(text, 0, reg);
    let depth = parser::depth(&nodes);
    Parsed {
        text: text.into(),
        nodes,
        errs,
        depth,
    }
}

fn replace_step(s: &Value) -> Result<Replace, String> {
    let with = s
        .get("with")
        .and_then(Value::as_str)
        .ok_or("each replacement needs `with:` (the text put instead)")?;
    let pattern = match (
        s.get("regex").and_then(Value::as_str),
        s.get("literal").and_then(Value::as_str),
    ) {
        (Some(r), None) => Regex::new(r).map_err(|e| {
            let e = e.to_string();
            let why = e
                .lines()
                .last()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            format!("bad regex `{r}`: {why}")
        })?,
        (None, Some(l)) => Regex::new(&regex::escape(l)).map_err(|e| e.to_string())?,
        _ => return Err("each replacement needs either `regex:` or `literal:`".into()),
    };
    // A literal replacement text, unless the pattern is a regex with groups.
    let with = if s.get("literal").is_some() {
        with.replace('$', "$$")
    } else {
        with.to_string()
    };
    Ok(Replace { pattern, with })
}

/// The configuration file and line where `key:` is declared under
/// `plugins:` (the last file that declares it wins, as in the merge).
fn locate_key(files: &[PathBuf], key: &str, root: &Path) -> (PathBuf, usize) {
    // (The column is always 1: a key's line is what an editor needs.)
    let shown = |f: &PathBuf| {
        f.strip_prefix(root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| f.clone())
    };
    for f in files.iter().rev() {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Some(start) = text.find("plugins:") else {
            continue;
        };
        let before = text[..start].lines().count().max(1);
        for (i, line) in text[start..].lines().enumerate() {
            let t = line.trim_start().trim_start_matches(['"', '\'']);
            if t.strip_prefix(key)
                .is_some_and(|r| r.trim_start_matches(['"', '\'']).starts_with(':'))
            {
                return (shown(f), before + i);
            }
        }
        return (shown(f), before);
    }
    (files.last().map(shown).unwrap_or_default(), 0)
}

/// `site.<name>` of each declared generator.
pub fn generated(
    generators: &[String],
    pages: &[&crate::source::SourcePage],
    value: impl Fn(&crate::source::SourcePage) -> Value,
) -> Vec<(String, Value)> {
    if generators.is_empty() {
        return Vec::new();
    }
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut sorted: Vec<&&crate::source::SourcePage> = pages
        .iter()
        .filter(|p| !p.rel.starts_with("_posts/"))
        .collect();
    sorted.sort_by(|a, b| a.rel.cmp(&b.rel));
    for p in sorted {
        let dir = p.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        groups
            .entry(dir.replace(['/', '-'], "_"))
            .or_default()
            .push(value(p));
    }
    let obj = Value::Object(
        groups
            .into_iter()
            .map(|(k, v)| (k, Value::Array(v)))
            .collect(),
    );
    generators
        .iter()
        .map(|n| (n.clone(), obj.clone()))
        .collect()
}

#[cfg(test)]
mod tests;
