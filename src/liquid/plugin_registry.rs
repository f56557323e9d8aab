//! What the parser knows of a site's plugins: the names of declared tags
//! (and whether each is a block) and filters, and what `_plugins/*.rb`
//! registers, for the error about a tag or filter nobody declared. Kept
//! apart from [`super::plugins`], which parses the declared templates and
//! so imports the parser.

use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the parser needs to know: which names are declared tags (and
/// whether each is a block), which are declared filters, and which a Ruby
/// plugin registers.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    /// Declared tag name → whether it is a block (`{% x %}...{% endx %}`).
    pub tags: BTreeMap<String, bool>,
    pub filters: BTreeMap<String, ()>,
    /// Names registered by `_plugins/*.rb` (tags and filters alike).
    pub ruby: BTreeMap<String, RubyDef>,
}

/// A tag or filter a Ruby plugin registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubyDef {
    /// The plugin file, relative to the source root.
    pub file: PathBuf,
    pub kind: RubyKind,
    /// For a filter: the `gsub(%r{...}i, '...')` replacements it makes, in
    /// order, when that is all it does (they become the suggested declaration).
    pub gsubs: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RubyKind {
    Tag,
    Block,
    Filter,
}

/// The tags and filters `root/_plugins/*.rb` registers (read, never run).
pub fn scan_ruby(root: &Path) -> BTreeMap<String, RubyDef> {
    static TAG: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r#"register_tag\(\s*['"]([\w-]+)['"]\s*,\s*([\w:]+)\s*\)"#).expect("regex")
    });
    static FILTER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"register_filter\(\s*([\w:]+)\s*\)").expect("regex")
    });
    static DEF: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"(?m)^\s*def\s+(\w+)").expect("regex"));
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir(root.join("_plugins")) else {
        return out;
    };
    let mut files: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rb"))
        .collect();
    files.sort();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let file = f.strip_prefix(root).unwrap_or(&f).to_path_buf();
        for c in TAG.captures_iter(&text) {
            let class = c[2].rsplit("::").next().unwrap_or(&c[2]);
            let block = text.contains(&format!("class {class} < Liquid::Block"));
            let kind = if block {
                RubyKind::Block
            } else {
                RubyKind::Tag
            };
            let def = RubyDef {
                file: file.clone(),
                kind,
                gsubs: Vec::new(),
            };
            out.entry(c[1].to_string()).or_insert(def);
        }
        if FILTER.is_match(&text) {
            let gsubs = gsubs(&text);
            for c in DEF.captures_iter(&text) {
                if c[1] == *"initialize" {
                    continue;
                }
                let def = RubyDef {
                    file: file.clone(),
                    kind: RubyKind::Filter,
                    gsubs: gsubs.clone(),
                };
                out.entry(c[1].to_string()).or_insert(def);
            }
        }
    }
    out
}

/// The `gsub(%r{pattern}i, 'text')` calls of a Ruby filter, in order.
fn gsubs(text: &str) -> Vec<(String, String)> {
    static GSUB: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"gsub\(\s*%r\{([^}]*)\}(i?)\s*,\s*'([^']*)'\s*\)").expect("regex")
    });
    GSUB.captures_iter(text)
        .map(|c| {
            let flags = if &c[2] == "i" { "(?i)" } else { "" };
            (format!("{flags}{}", &c[1]), c[3].to_string())
        })
        .collect()
}

/// The `help:` of the error for the unknown tag or filter `name`: the Ruby
/// file that registers it, if one does, and the configuration that would
/// declare it.
pub fn unknown_help(reg: &Registry, name: &str) -> Option<String> {
    let def = reg.ruby.get(name)?;
    let file = crate::diag::display_path(&def.file);
    let decl = match def.kind {
        RubyKind::Filter => {
            let steps: Vec<String> = if def.gsubs.is_empty() {
                vec!["          - {regex: 'PATTERN', with: 'TEXT'}".into()]
            } else {
                def.gsubs
                    .iter()
                    .map(|(p, w)| format!("          - {{regex: {}, with: {}}}", yaml_str(p), yaml_str(w)))
                    .collect()
            };
            format!("    filters:\n      {name}:\n        replace:\n{}", steps.join("\n"))
        }
        RubyKind::Tag => format!(
            "    tags:\n      {name}:\n        template: '<!-- what {{% {name} ... %}} renders; the words after the name are include.args -->'"
        ),
        RubyKind::Block => format!(
            "    blocks:\n      {name}:\n        template: '<div>{{{{ include.body }}}}</div>'"
        ),
    };
    let what = match def.kind {
        RubyKind::Filter => "filter",
        RubyKind::Tag => "tag",
        RubyKind::Block => "block tag",
    };
    Some(format!(
        "`{name}` is a {what} of the Ruby plugin `{file}`, which elementdocs does not run; \
         declare what it renders in a configuration file of your own \
         (`--config _config.yml,plugins.yml`):\n\nelementdocs:\n  plugins:\n{decl}"
    ))
}

/// A single-quoted YAML string.
fn yaml_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
