//! The site's own layouts (Jekyll's `_layouts/*.html`), the alternative to
//! the built-in theme for a whole portal.
//!
//! A page whose layout is in `_layouts/` is laid out by it, as Jekyll does:
//! the layout is Liquid, expanded by the same engine as pages (includes,
//! plugin tags and filters), with `content` (what was laid out so far) and
//! `layout` (the layout's front matter) beside `page` and `site`; a layout
//! naming another in its front matter (`layout: default`) is laid out in
//! turn. A page naming a layout the site lacks gets the built-in theme.
//!
//! `elementdocs.theme` chooses: `site` (the default) or `builtin` for every
//! page, or a mapping of layout names to either (`default:` for the others).

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::liquid::LiquidEngine;
use crate::liquid::{globals, PageInput};
use crate::source::{parse_page, read_text, SourcePage};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Deepest chain of layouts (a guard; real chains are two or three long).
const MAX_CHAIN: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Site,
    Builtin,
}

/// The layouts of `_layouts/` and which of them are used.
#[derive(Default)]
pub struct SiteLayouts {
    layouts: BTreeMap<String, SourcePage>,
    /// Per layout name; `default_choice` for the others.
    choices: BTreeMap<String, Choice>,
    default_choice: Option<Choice>,
}

/// A laid-out page, with what the layouts read and warned about.
pub struct LaidOut {
    pub html: String,
    pub deps: Vec<PathBuf>,
    pub warnings: Vec<Diagnostic>,
}

impl SiteLayouts {
    /// The layouts of a Jekyll site's `_layouts/` folder (none for a native
    /// site) and the `elementdocs.theme` choice.
    pub fn load(cfg: &Config) -> Result<SiteLayouts, Vec<Diagnostic>> {
        let mut out = SiteLayouts::default();
        let mut errs = Vec::new();
        out.read_choice(cfg, &mut errs);
        let dir = cfg.root.join("_layouts");
        if cfg.layout != crate::config::SourceLayout::Jekyll || !dir.is_dir() {
            return if errs.is_empty() { Ok(out) } else { Err(errs) };
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        for f in files {
            let Some(name) = f.file_stem().map(|s| s.to_string_lossy().to_string()) else {
                continue;
            };
            if !f.is_file() || name.starts_with('.') {
                continue;
            }
            let rel = format!(
                "_layouts/{}",
                f.file_name().unwrap_or_default().to_string_lossy()
            );
            match read_text(&f, Path::new(&rel)).and_then(|t| parse_page(t, &rel, &rel)) {
                Ok(p) => {
                    out.layouts.insert(name, p);
                }
                Err(d) => errs.push(d),
            }
        }
        if errs.is_empty() {
            Ok(out)
        } else {
            Err(errs)
        }
    }

    fn read_choice(&mut self, cfg: &Config, errs: &mut Vec<Diagnostic>) {
        let Some(v) = cfg.site.get("elementdocs").and_then(|e| e.get("theme")) else {
            return;
        };
        let parse = |v: &Value| match v.as_str() {
            Some("site") => Some(Choice::Site),
            Some("builtin") => Some(Choice::Builtin),
            _ => None,
        };
        let bad = |what: String| {
            Diagnostic::error(&cfg.file, 0, 0, format!("`elementdocs.theme`: {what}")).with_help(
                "write `theme: site`, `theme: builtin`, or a mapping such as `theme: {default: site, sidebarelementdoc: builtin}`",
            )
        };
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    match parse(c) {
                        Some(c) if k == "default" => self.default_choice = Some(c),
                        Some(c) => {
                            self.choices.insert(k.clone(), c);
                        }
                        None => errs.push(bad(format!("`{k}` must be `site` or `builtin`"))),
                    }
                }
            }
            other => match parse(other) {
                Some(c) => self.default_choice = Some(c),
                None => errs.push(bad("must be `site` or `builtin`".into())),
            },
        }
    }

    /// Whether a page whose layout is `layout` is laid out by the site's layouts.
    pub fn lays_out(&self, layout: &str) -> bool {
        let choice = self
            .choices
            .get(layout)
            .or(self.default_choice.as_ref())
            .copied()
            .unwrap_or(Choice::Site);
        choice == Choice::Site && self.layouts.contains_key(layout)
    }

    /// Whether the site uses its own layouts for anything (a page without a
    /// layout is then written as it is, as Jekyll writes it).
    pub fn in_use(&self) -> bool {
        !self.layouts.is_empty() && self.default_choice != Some(Choice::Builtin)
    }

    /// Lay out `content` (the page's rendered body) with the chain of layouts
    /// that starts at `layout` (which [`SiteLayouts::lays_out`]).
    pub fn render(
        &self,
        liquid: &LiquidEngine,
        p: &SourcePage,
        page: &Value,
        layout: &str,
        content: String,
    ) -> Result<LaidOut, Vec<Diagnostic>> {
        let mut out = LaidOut {
            html: content,
            deps: Vec::new(),
            warnings: Vec::new(),
        };
        let mut name = layout.to_string();
        let mut chain: Vec<String> = Vec::new();
        let mut acc: Map<String, Value> = Map::new();
        while let Some(l) = self.layouts.get(&name) {
            if chain.contains(&name) || chain.len() >= MAX_CHAIN {
                chain.push(name);
                return Err(vec![Diagnostic::error(
                    &l.rel,
                    1,
                    1,
                    format!("layout cycle: {}", chain.join(" → ")),
                )
                .with_help("remove the `layout:` of one of these layouts")]);
            }
            chain.push(name.clone());
            let mut pv = page.clone();
            if let Value::Object(m) = &mut pv {
                let mut g = match m.remove(globals::KEY) {
                    Some(Value::Object(g)) => g,
                    _ => Map::new(),
                };
                g.insert(
                    "content".into(),
                    Value::String(std::mem::take(&mut out.html)),
                );
                // Jekyll merges each layout's front matter over its children's.
                let mut merged = acc.clone();
                merged.extend(l.front.clone());
                acc = merged.clone();
                g.insert("layout".into(), Value::Object(merged));
                m.insert(globals::KEY.into(), Value::Object(g));
            }
            let input = PageInput {
                rel: Path::new(&l.rel),
                text: &l.text,
                body_offset: l.body_offset,
                page: &pv,
            };
            let expanded = liquid.expand(&input).map_err(|mut d| {
                for x in &mut d {
                    x.notes.push(format!("while laying out {}", p.rel));
                }
                d
            })?;
            out.html = expanded.text;
            out.deps.push(PathBuf::from(&l.rel));
            out.deps.extend(expanded.deps);
            out.warnings.extend(expanded.warnings);
            match l.front.get("layout") {
                Some(Value::String(next)) if !next.is_empty() => name = next.clone(),
                _ => break,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
