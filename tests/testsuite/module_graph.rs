//! No module imports one that imports it back (issue 16), at any length:
//! among the modules of one parent, the `use crate::…` / `super::…` paths
//! form no cycle (a → b → c → a). Dependencies then go one way, so each
//! module can be read, tested and changed knowing only what is below it.
//!
//! Read from the source, as the compiler sees it: the module tree from
//! `src/lib.rs` through its `mod x;` declarations, with comments, string
//! literals and `#[cfg(test)]` items left out. A path names the longest
//! module it starts with; `a::x` using `b::y` counts as `a` using `b` (their
//! siblings under the common parent). A module and its own ancestors or
//! children may use each other: a parent declares its children, and
//! children are its parts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path from the crate root (`["liquid", "parser"]`).
type ModPath = Vec<String>;

#[test]
fn sibling_modules_form_no_cycle() {
    let modules = crate_modules(&crate::common::crate_root().join("src"));
    assert!(modules.len() > 50, "found only {} modules", modules.len());
    let cycles = sibling_cycles(&modules);
    assert!(
        cycles.is_empty(),
        "modules that depend on each other (make one of them not use the other, \
         e.g. by moving what both need into a module below them):\n{}",
        cycles.join("\n")
    );
}

/// The checker itself: a three-module cycle is found; comments, strings,
/// test items and parent <-> child uses are not dependencies.
#[test]
fn a_longer_cycle_is_found_and_non_dependencies_are_not() {
    let src = |text: &str| clean(text);
    let modules: BTreeMap<ModPath, String> = [
        (vec![], src("mod a; mod b; mod c; mod d;")),
        (path("a"), src("use super::b::Thing; mod inner;")),
        (path("a::inner"), src("use super::super::a::x; use crate::a;")),
        (path("b"), src("use crate::c::{self, y};")),
        (path("c"), src("fn f() { super::a::inner::g() }")),
        (
            path("d"),
            src("// use crate::a;\nconst S: &str = \"crate::b\";\n#[cfg(test)]\nmod t { use crate::c; }"),
        ),
    ]
    .into_iter()
    .collect();
    let cycles = sibling_cycles(&modules);
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(cycles[0].starts_with("a, b, c:"), "{}", cycles[0]);
}

fn path(p: &str) -> ModPath {
    p.split("::").map(str::to_string).collect()
}

/// Every module of the library (not the binary's `main.rs`, nor test
/// modules), with its cleaned source.
fn crate_modules(src_dir: &Path) -> BTreeMap<ModPath, String> {
    let mut out = BTreeMap::new();
    let mut todo = vec![(ModPath::new(), src_dir.join("lib.rs"))];
    while let Some((m, file)) = todo.pop() {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        let text = clean(&text);
        // A module's children live in its folder: `x.rs`'s in `x/`.
        let name = file.file_stem().unwrap().to_str().unwrap();
        let dir = match name {
            "lib" | "mod" => file.parent().unwrap().to_path_buf(),
            _ => file.with_extension(""),
        };
        for child in declared_modules(&text) {
            let (flat, nested) = (
                dir.join(format!("{child}.rs")),
                dir.join(&child).join("mod.rs"),
            );
            let child_file = if flat.exists() { flat } else { nested };
            let mut cm = m.clone();
            cm.push(child);
            todo.push((cm, child_file));
        }
        out.insert(m, text);
    }
    out
}

/// The `mod x;` declarations of a cleaned source (its inline `mod x { }`
/// are test modules, removed by [`clean`]).
fn declared_modules(text: &str) -> Vec<String> {
    let re =
        regex::Regex::new(r"(?m)^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_0-9]+)\s*;").unwrap();
    re.captures_iter(text).map(|c| c[1].to_string()).collect()
}

/// Each cycle as "a, b, c:" and its edges, one a line ("    a -> b").
fn sibling_cycles(modules: &BTreeMap<ModPath, String>) -> Vec<String> {
    // parent -> (sibling -> siblings it uses)
    let mut graphs: BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (m, text) in modules {
        for used in used_paths(text) {
            let Some(target) = resolve(m, &used, modules) else {
                continue;
            };
            let common = m.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common == m.len() || common == target.len() {
                continue; // an ancestor or a descendant
            }
            let g = graphs.entry(m[..common].to_vec()).or_default();
            g.entry(m[common].clone())
                .or_default()
                .insert(target[common].clone());
        }
    }
    let mut out = Vec::new();
    for (parent, g) in &graphs {
        let prefix = parent.iter().map(|p| format!("{p}::")).collect::<String>();
        for group in strongly_connected(g) {
            let edges: Vec<String> = group
                .iter()
                .flat_map(|a| {
                    g[a].iter()
                        .filter(|b| group.contains(*b))
                        .map(move |b| (a, b))
                })
                .map(|(a, b)| format!("\n    {prefix}{a} -> {prefix}{b}"))
                .collect();
            let names: Vec<String> = group.iter().map(|n| format!("{prefix}{n}")).collect();
            out.push(format!("{}:{}", names.join(", "), edges.concat()));
        }
    }
    out
}

/// The groups of two or more nodes that all reach each other.
fn strongly_connected(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let reach = |from: &String| {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![from]);
        while let Some(n) = todo.pop() {
            for next in g.get(n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next);
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = g.keys().map(|n| (n, reach(n))).collect();
    let mut groups: Vec<BTreeSet<String>> = Vec::new();
    for (a, from_a) in &reaches {
        let group: BTreeSet<String> = from_a
            .iter()
            .filter(|b| reaches.get(b).is_some_and(|r| r.contains(*a)))
            .cloned()
            .collect();
        if group.len() > 1 && !groups.contains(&group) {
            groups.push(group);
        }
    }
    groups
}

/// The module `used` (a path as written in `m`) names: its longest prefix
/// that is a module. None for paths outside the crate (`std::…`, children
/// named without `self::`).
fn resolve(m: &ModPath, used: &[String], modules: &BTreeMap<ModPath, String>) -> Option<ModPath> {
    let (mut base, rest) = match used.first().map(String::as_str) {
        Some("crate") => (ModPath::new(), &used[1..]),
        Some("super") => {
            let ups = used.iter().take_while(|s| *s == "super").count();
            (m[..m.len().checked_sub(ups)?].to_vec(), &used[ups..])
        }
        _ => return None,
    };
    let floor = base.len();
    base.extend(rest.iter().cloned());
    (floor + 1..=base.len())
        .rev()
        .map(|n| base[..n].to_vec())
        .find(|p| modules.contains_key(p))
}

/// Every path starting with `crate::` or `super::` in a cleaned source,
/// `use` groups expanded (`use super::{a, b::c}` gives `super::a`, `super::b::c`).
fn used_paths(text: &str) -> Vec<Vec<String>> {
    let re = regex::Regex::new(r"\b(?:crate|super)::").unwrap();
    let mut out = Vec::new();
    for m in re.find_iter(text) {
        let before = &text[..m.start()];
        if before.ends_with("::") {
            continue; // the middle of a path already read (`super::super::`)
        }
        expand(&text[m.start()..], Vec::new(), &mut out);
    }
    out
}

/// Reads one path (with its `{…}` groups) at the start of `s`, after `prefix`.
fn expand(s: &str, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut rest = s.trim_start();
    loop {
        let ident_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if ident_len == 0 {
            if let Some(group) = rest.strip_prefix('{') {
                for part in split_group(group) {
                    expand(part, prefix.clone(), out);
                }
                return;
            }
            break;
        }
        prefix.push(rest[..ident_len].to_string());
        rest = &rest[ident_len..];
        match rest.trim_start().strip_prefix("::") {
            Some(r) => rest = r.trim_start(),
            None => break,
        }
    }
    if !prefix.is_empty() {
        out.push(prefix);
    }
}

/// The comma-separated parts of a `{…}` group (`s` starts after its `{`).
fn split_group(s: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                parts.push(&s[start..i]);
                return parts;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts
}

/// The source without comments, without the contents of string and char
/// literals, and without `#[cfg(test)]` items.
fn clean(src: &str) -> String {
    drop_test_items(&blank_comments_and_literals(src))
}

/// Comments and literal contents become spaces (newlines kept), so that
/// neither a `// crate::x` nor a `"{"` is read as code.
fn blank_comments_and_literals(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, text: &str| {
        out.extend(text.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
    };
    while i < b.len() {
        let rest = &src[i..];
        let end = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            block_comment_len(rest)
        } else if let Some(n) = raw_string_len(rest) {
            n
        } else if rest.starts_with('"') {
            quoted_len(rest, '"')
        } else if rest.starts_with('\'') && is_char_literal(rest) {
            quoted_len(rest, '\'')
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
            continue;
        };
        blank(&mut out, &rest[..end]);
        i += end;
    }
    out
}

fn block_comment_len(s: &str) -> usize {
    let (mut depth, mut i) = (0, 0);
    while i < s.len() {
        if s[i..].starts_with("/*") {
            depth += 1;
            i += 2;
        } else if s[i..].starts_with("*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += s[i..].chars().next().unwrap().len_utf8();
        }
    }
    s.len()
}

/// `r"…"`, `r#"…"#`, `br"…"` at the start of `s`: its length.
fn raw_string_len(s: &str) -> Option<usize> {
    let after_r = s.strip_prefix("br").or_else(|| s.strip_prefix('r'))?;
    let hashes = after_r.len() - after_r.trim_start_matches('#').len();
    let body = after_r[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let n = body.find(&close).map_or(body.len(), |j| j + close.len());
    Some(s.len() - body.len() + n)
}

/// A quoted literal's length, escapes skipped.
fn quoted_len(s: &str, quote: char) -> usize {
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return i + 1;
        }
    }
    s.len()
}

/// `'x'` or `'\n'` rather than a lifetime (`'a`).
fn is_char_literal(s: &str) -> bool {
    let mut c = s.chars().skip(1);
    matches!(
        (c.next(), c.next()),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// Removes each item that follows `#[cfg(test)]`: up to its `;`, or to the
/// `}` closing its first `{`.
fn drop_test_items(src: &str) -> String {
    const ATTR: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(ATTR) {
        out.push_str(&rest[..at]);
        let item = &rest[at + ATTR.len()..];
        let mut depth = 0;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}
