//! Jekyll's posts and permalinks, between the walk ([`crate::source`]) and
//! the pages' rendering.
//!
//! * Posts: `_posts/YYYY-MM-DD-slug.ext` files with front matter (Markdown
//!   or HTML; others are ignored, as Jekyll does). Each gets `date`, `slug`,
//!   `categories` (the front matter's `category`/`categories` and the
//!   folders above `_posts/`), `tags`, `id`, and `previous`/`next` (the older
//!   and the newer post); `published: false` leaves a post out.
//! * Permalinks: a post's URL comes from `permalink:` (its front matter,
//!   else the configuration's; a named style or a template of `:year`,
//!   `:month`, `:day`, `:title`, `:categories`...; Jekyll's `date` style by
//!   default); a page's `permalink:` (`/search/`) replaces the URL of its
//!   path. A URL ending in `/` is written as `index.html` there.
//! * The lists a site's Liquid reads: `site.posts` (newest first),
//!   `site.pages` (every other page, by path), `site.html_pages`,
//!   `site.categories` and `site.tags` (name → posts, newest first).

use crate::config::Config;
use crate::config::SourceLayout;
use crate::diag::Diagnostic;
use crate::source::{parse_page, read_text, Discovered, SourcePage, MARKDOWN_EXTS};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// `YYYY-MM-DD-slug.ext`.
fn post_name(name: &str) -> Option<(i32, u32, u32, &str, &str)> {
    let (stem, ext) = name.rsplit_once('.')?;
    if !(MARKDOWN_EXTS.contains(&ext) || ext == "html") {
        return None;
    }
    let b = stem.as_bytes();
    if b.len() < 12 || b[4] != b'-' || b[7] != b'-' || b[10] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| stem.get(r)?.parse::<u32>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d)?;
    Some((y as i32, m, d, &stem[11..], ext))
}

/// A Jekyll site's share of discovery, after the walk
/// ([`crate::source::discover`]): the pages' permalinks, the posts of
/// `_posts/`, jekyll-paginate's pages; the pages sorted by path again.
pub fn complete_discovery(cfg: &Config, skip: &[PathBuf], found: &mut Discovered) {
    if cfg.layout != SourceLayout::Jekyll {
        return;
    }
    for p in &mut found.pages {
        if let Err(d) = apply_page_permalink(p) {
            found.diagnostics.push(d);
        }
    }
    let (posts, diags) = discover(cfg, skip);
    found.pages.extend(posts);
    found.diagnostics.extend(diags);
    paginate(cfg, &mut found.pages);
    found.pages.sort_by(|a, b| a.rel.cmp(&b.rel));
}

/// The posts of `root/_posts/` (and of any `<folder>/_posts/` whose folder
/// is a category), read and given their URLs and dates, oldest first.
pub fn discover(cfg: &Config, skip: &[PathBuf]) -> (Vec<SourcePage>, Vec<Diagnostic>) {
    let mut posts = Vec::new();
    let mut diags = Vec::new();
    let dir = cfg.root.join("_posts");
    if !dir.is_dir() {
        return (posts, diags);
    }
    let walker = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !e.file_name().to_string_lossy().starts_with('.')
                && !skip.iter().any(|s| e.path().starts_with(s))
        });
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(parts) = post_name(&name) else {
            continue;
        };
        let rel = rel_path(&cfg.root, entry.path());
        let page =
            read_text(entry.path(), Path::new(&rel)).and_then(|text| parse_page(text, &rel, &name));
        match page {
            Ok(p) => match make_post(cfg, p, parts) {
                Ok(Some(p)) => posts.push(p),
                Ok(None) => {}
                Err(d) => diags.push(d),
            },
            Err(d) => diags.push(d),
        }
    }
    // Oldest first; the same date by path, as Jekyll sorts them.
    posts.sort_by(|a, b| (date_key(a), &a.rel).cmp(&(date_key(b), &b.rel)));
    link_neighbours(&mut posts);
    (posts, diags)
}

fn rel_path(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn date_key(p: &SourcePage) -> String {
    p.front
        .get("date")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A list of words from a front matter value: a YAML list, or a string of
/// words separated by spaces (Jekyll's rule for `categories` and `tags`).
fn words(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().map(crate::liquid::filters::to_s).collect(),
        Some(Value::String(s)) => s.split_whitespace().map(String::from).collect(),
        Some(Value::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn make_post(
    cfg: &Config,
    mut p: SourcePage,
    (y, m, d, slug, _ext): (i32, u32, u32, &str, &str),
) -> Result<Option<SourcePage>, Diagnostic> {
    if p.front.get("published") == Some(&Value::Bool(false)) {
        return Ok(None);
    }
    // The front matter's date wins over the file name's (time of day included).
    let date = match p.front.get("date").map(crate::liquid::filters::to_s) {
        Some(s) if !s.trim().is_empty() => jekyll_date(&s).ok_or_else(|| {
            Diagnostic::error(
                &p.rel,
                front_line(&p, "date"),
                1,
                format!("`date: {s}` is not a date"),
            )
            .with_source(&p.text)
            .with_help("write `date: 2017-10-16` or `date: 2017-10-16 10:30:00 +0100`")
        })?,
        _ => format!("{y:04}-{m:02}-{d:02} 00:00:00 +0000"),
    };
    let mut categories = words(p.front.get("categories"));
    categories.splice(0..0, words(p.front.get("category")));
    let title = p
        .front
        .get("slug")
        .map(crate::liquid::filters::to_s)
        .unwrap_or_else(|| slug.to_string());
    let (yy, mm, dd) = (&date[0..4], &date[5..7], &date[8..10]);
    let template = p
        .front
        .get("permalink")
        .or_else(|| cfg.site.get("permalink"))
        .and_then(Value::as_str)
        .unwrap_or("date");
    let cats = categories
        .iter()
        .map(|c| c.to_lowercase())
        .collect::<Vec<_>>()
        .join("/");
    let ordinal = chrono::NaiveDate::parse_from_str(&date[0..10], "%Y-%m-%d")
        .map(|d| format!("{:03}", chrono::Datelike::ordinal(&d)))
        .unwrap_or_default();
    let url = fill(
        named_style(template),
        &[
            ("year", yy),
            ("month", mm),
            ("day", dd),
            ("i_month", mm.trim_start_matches('0')),
            ("i_day", dd.trim_start_matches('0')),
            ("short_year", &yy[2..]),
            ("y_day", &ordinal),
            ("title", &title),
            ("slug", slug),
            ("categories", &cats),
            ("output_ext", ".html"),
        ],
    );
    let id = fill(
        "/:categories/:year/:month/:day/:title",
        &[
            ("categories", &cats),
            ("year", yy),
            ("month", mm),
            ("day", dd),
            ("title", &title),
        ],
    );
    let f = &mut p.front;
    f.insert("date".into(), Value::String(date));
    f.insert("slug".into(), Value::String(slug.to_string()));
    f.insert("categories".into(), strings(categories));
    f.insert("tags".into(), strings(words(f.get("tags"))));
    f.insert("id".into(), Value::String(id));
    f.insert("collection".into(), Value::String("posts".into()));
    f.entry("title")
        .or_insert_with(|| Value::String(unslug(slug)));
    p.content_rel = permalink_output(&p, &url)?;
    Ok(Some(p))
}

/// The output path of a permalink's URL, refused (at the `permalink:` key,
/// or the file when the site's default made it) when it would leave the
/// output folder: the output stage refuses such paths too, but without the
/// place in the source that made them.
fn permalink_output(p: &SourcePage, url: &str) -> Result<String, Diagnostic> {
    let rel = output_of_url(url);
    let plain = !rel.contains(['\\', '\0'])
        && !rel
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if plain {
        return Ok(rel);
    }
    let line = front_line(p, "permalink");
    let col = p
        .text
        .lines()
        .nth(line - 1)
        .and_then(|l| l.find(':'))
        .map_or(1, |c| c + 3);
    Err(Diagnostic::error(
        &p.rel,
        line,
        col,
        format!("the permalink `{url}` leads outside the output folder"),
    )
    .with_source(&p.text)
    .with_help("a permalink is a path under the site's root, without `..`, `.` or backslashes"))
}

fn strings(v: Vec<String>) -> Value {
    Value::Array(v.into_iter().map(Value::String).collect())
}

/// Jekyll's title from a slug: `my-first-post` → `My First Post`.
fn unslug(slug: &str) -> String {
    slug.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A front matter date as Jekyll prints it: `2017-10-16 00:00:00 +0000`.
fn jekyll_date(s: &str) -> Option<String> {
    let s = s.trim();
    let fmts = [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S%z",
    ];
    for f in fmts {
        if let Ok(d) = chrono::DateTime::parse_from_str(s, f) {
            return Some(d.format("%Y-%m-%d %H:%M:%S %z").to_string());
        }
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(d.format("%Y-%m-%d %H:%M:%S +0000").to_string());
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m-%d 00:00:00 +0000").to_string())
}

fn front_line(p: &SourcePage, key: &str) -> usize {
    p.text
        .lines()
        .position(|l| l.starts_with(&format!("{key}:")))
        .map_or(1, |i| i + 1)
}

/// Jekyll's named permalink styles.
fn named_style(t: &str) -> &str {
    match t {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        other => other,
    }
}

/// Replace `:name` placeholders (longest names first), then squeeze the
/// `//` an empty one leaves.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut keys: Vec<&(&str, &str)> = values.iter().collect();
    keys.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    let mut out = template.to_string();
    for (k, v) in keys {
        out = out.replace(&format!(":{k}"), v);
    }
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    out
}

/// The output file of a URL: `/a/b/` → `a/b/index.html`, `/a/b` (no
/// extension) → `a/b.html`, `/a/b.json` → `a/b.json`.
pub fn output_of_url(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        return format!("{path}index.html");
    }
    let last = path.rsplit('/').next().unwrap_or(path);
    if last.contains('.') {
        path.to_string()
    } else {
        format!("{path}.html")
    }
}

/// `previous` (the older post) and `next` (the newer) of each post, as the
/// neighbours' front matter and URL (not their own neighbours).
fn link_neighbours(posts: &mut [SourcePage]) {
    let brief: Vec<Value> = posts.iter().map(brief).collect();
    for (i, p) in posts.iter_mut().enumerate() {
        let prev = i.checked_sub(1).map(|j| brief[j].clone());
        let next = brief.get(i + 1).cloned();
        p.front
            .insert("previous".into(), prev.unwrap_or(Value::Null));
        p.front.insert("next".into(), next.unwrap_or(Value::Null));
    }
}

/// A post as its neighbours see it: its front matter, `url` and `path`.
fn brief(p: &SourcePage) -> Value {
    let mut m: Map<String, Value> = p.front.clone();
    m.remove("previous");
    m.remove("next");
    m.insert("url".into(), Value::String(p.url()));
    m.insert("path".into(), Value::String(p.rel.clone()));
    Value::Object(m)
}

/// A page's own `permalink:` (not a post's: those are made above) moves it.
pub fn apply_page_permalink(p: &mut SourcePage) -> Result<(), Diagnostic> {
    if p.rel.starts_with("_posts/") {
        return Ok(());
    }
    if let Some(link) = p.front.get("permalink").and_then(Value::as_str) {
        let stem = Path::new(&p.content_rel)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let dir = Path::new(&p.content_rel)
            .parent()
            .map(|d| d.to_string_lossy().to_string())
            .unwrap_or_default();
        let url = fill(
            link,
            &[("basename", &stem), ("path", &dir), ("output_ext", ".html")],
        );
        p.content_rel = permalink_output(p, &url)?;
    }
    Ok(())
}

/// jekyll-paginate (when `paginate:` is set and the plugin is listed in
/// `plugins:` or `gems:`): the posts, newest first, `paginate` to a page, on
/// the `index.html` page in the folder of `paginate_path` (the deepest such
/// page) and copies of it at `paginate_path` with `:num` = 2, 3...; each has
/// `paginator` (`page`, `per_page`, `posts`, `total_posts`, `total_pages`,
/// `previous_page`, `previous_page_path`, `next_page`, `next_page_path`).
pub fn paginate(cfg: &Config, pages: &mut Vec<SourcePage>) {
    let listed = |k: &str| {
        cfg.site
            .get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|g| g.as_str() == Some("jekyll-paginate")))
    };
    let per = cfg
        .site
        .get("paginate")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize;
    if per == 0 || !(listed("plugins") || listed("gems")) {
        return;
    }
    let path_fmt = cfg
        .site
        .get("paginate_path")
        .and_then(Value::as_str)
        .unwrap_or("/page:num")
        .to_string();
    let base_dir = path_fmt
        .trim_start_matches('/')
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    let in_dir = |rel: &str| {
        let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        base_dir.is_empty() || dir == base_dir || dir.starts_with(&format!("{base_dir}/"))
    };
    let Some(ti) = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let name = p.rel.rsplit('/').next().unwrap_or(&p.rel);
            name == "index.html" && in_dir(&p.rel)
        })
        .max_by_key(|(_, p)| p.rel.len())
        .map(|(i, _)| i)
    else {
        return;
    };
    let mut posts: Vec<&SourcePage> = pages
        .iter()
        .filter(|p| {
            p.rel.starts_with("_posts/") && p.front.get("hidden") != Some(&Value::Bool(true))
        })
        .collect();
    posts.sort_by(|a, b| (date_key(b), &b.rel).cmp(&(date_key(a), &a.rel)));
    let values: Vec<Value> = posts.iter().map(|p| post_value(p)).collect();
    let total = values.len().div_ceil(per).max(1);
    let template = pages[ti].clone();
    let first_url = match template.url().strip_suffix("index.html") {
        Some(d) => d.to_string(),
        None => template.url(),
    };
    let path_of = |n: usize| {
        if n <= 1 {
            first_url.clone()
        } else {
            let p = path_fmt.replace(":num", &n.to_string());
            format!("/{}", p.trim_start_matches('/'))
        }
    };
    for n in 1..=total {
        let num = |k: Option<usize>| k.map_or(Value::Null, |k| Value::from(k as u64));
        let path = |k: Option<usize>| k.map_or(Value::Null, |k| Value::String(path_of(k)));
        let (prev, next) = ((n > 1).then(|| n - 1), (n < total).then(|| n + 1));
        let chunk = values
            .iter()
            .skip((n - 1) * per)
            .take(per)
            .cloned()
            .collect();
        let pager = serde_json::json!({
            "page": n, "per_page": per, "posts": Value::Array(chunk),
            "total_posts": values.len(), "total_pages": total,
            "previous_page": num(prev), "previous_page_path": path(prev),
            "next_page": num(next), "next_page_path": path(next),
        });
        let mut globals = Map::new();
        globals.insert("paginator".into(), pager);
        if n == 1 {
            pages[ti]
                .front
                .insert(crate::liquid::globals::KEY.into(), Value::Object(globals));
        } else {
            let mut p = template.clone();
            p.rel = format!("{}#page{n}", template.rel);
            p.content_rel = output_of_url(&format!("{}/", path_of(n)));
            p.front
                .insert(crate::liquid::globals::KEY.into(), Value::Object(globals));
            pages.push(p);
        }
    }
}

/// A post as a list shows it: its front matter, `url`, `path` and `content`,
/// and its neighbours (brief: theirs are left out), which its content may
/// read when it is rendered for the list.
fn post_value(p: &SourcePage) -> Value {
    let mut v = brief(p);
    if let Value::Object(m) = &mut v {
        m.insert("content".into(), Value::String(p.body().to_string()));
        for k in ["previous", "next"] {
            m.insert(k.into(), p.front.get(k).cloned().unwrap_or(Value::Null));
        }
    }
    v
}

/// The keys of `site` that [`site_lists`] makes.
pub const LIST_KEYS: [&str; 5] = ["pages", "posts", "html_pages", "categories", "tags"];

/// `site.posts`, `site.pages`, `site.html_pages`, `site.categories`,
/// `site.tags` into the `site` object. `page_value` makes each page's object.
pub fn site_lists<'a>(
    site: &mut Map<String, Value>,
    pages: impl Iterator<Item = &'a SourcePage>,
    page_value: impl Fn(&SourcePage) -> Value,
) {
    let (mut posts, mut others) = (Vec::new(), Vec::new());
    for p in pages {
        if p.front.get("collection").and_then(Value::as_str) == Some("posts")
            && p.rel.starts_with("_posts/")
        {
            posts.push(p);
        } else {
            others.push(p);
        }
    }
    posts.sort_by(|a, b| (date_key(b), &b.rel).cmp(&(date_key(a), &a.rel)));
    others.sort_by_cached_key(|p| jekyll_page_order(&p.rel));
    let post_values: Vec<Value> = posts.iter().map(|p| page_value(p)).collect();
    let by = |key: &str| {
        let mut m: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
        for (p, v) in posts.iter().zip(&post_values) {
            for w in words(p.front.get(key)) {
                m.entry(w).or_default().push(v.clone());
            }
        }
        Value::Object(m.into_iter().map(|(k, v)| (k, Value::Array(v))).collect())
    };
    let categories = by("categories");
    let tags = by("tags");
    let html_pages: Vec<Value> = others
        .iter()
        .filter(|p| p.output_path().ends_with(".html"))
        .map(|p| page_value(p))
        .collect();
    let page_values: Vec<Value> = others.iter().map(|p| page_value(p)).collect();
    site.insert("posts".into(), Value::Array(post_values));
    site.insert("pages".into(), Value::Array(page_values));
    site.insert("html_pages".into(), Value::Array(html_pages));
    site.insert("categories".into(), categories);
    site.insert("tags".into(), tags);
}

#[cfg(test)]
mod tests;

/// Where Jekyll's `site.pages` puts a page: its reader sorts the pages by
/// file name (`sort_by!(&:name)`, stable), over the order it read them in:
/// folder by folder, a folder's subfolders before its own files. That order
/// is `Dir.entries`', the file system's (hash order on ext4), which no
/// portable build can reproduce: sorted entries stand in for it, so pages
/// of one name come in path order, subfolders first. Pages generators add
/// (jekyll-paginate's copies, `rel` with `#page`) come after the others.
fn jekyll_page_order(rel: &str) -> (bool, String, Vec<String>) {
    let generated = rel.contains('#');
    let mut parts: Vec<String> = rel.split('/').map(String::from).collect();
    let name = parts.pop().unwrap_or_default();
    // A folder's own files after its subfolders: above every folder name.
    parts.push(format!("\u{10FFFF}{name}"));
    (generated, name, parts)
}
