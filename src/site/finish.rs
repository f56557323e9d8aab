//! What a build makes once every page is rendered: the theme's generated
//! files (catalog, CSS, JS) and the highlight CSS, the search index, and
//! publishing (a home page when the site has none, 404, `redirect_from` stubs, sitemap, robots; see
//! [`crate::publish`]); then the checks that span the whole output (two
//! sources writing one path, a file where a folder is needed).
//!
//! A file the site provides itself (its own `404.md`, `robots.txt`...) is
//! never replaced.

use super::context::BuildContext;
use super::page::{render_page, under_base_url, PageOutput};
use crate::diag::Diagnostic;
use crate::publish::redirects;
use crate::publish::urls::{pretty_url, OutputSet};
use crate::publish::{absolute_url, in_sitemap, plain_not_found, robots_txt, sitemap_xml};
use crate::render::HOME_PATH;
use crate::source::{SourcePage, StaticFile};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The files a build generates from its context alone (theme extras,
/// highlight CSS): they need no page.
pub(super) fn theme_files(ctx: &BuildContext) -> Result<BTreeMap<String, Vec<u8>>, Diagnostic> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (path, bytes) in
        ctx.theme
            .extra_files(&ctx.catalog, &ctx.site, &ctx.shared, &ctx.config.baseurl)?
    {
        files.insert(path, bytes);
    }
    files.insert(
        "assets/elementdocs/highlight.css".into(),
        ctx.highlighter.css().into_bytes(),
    );
    Ok(files)
}

/// Every output path of a build so far: pages, static and generated files.
pub(super) fn output_set<'a>(
    pages: impl Iterator<Item = &'a str>,
    statics: &'a [StaticFile],
    generated: &'a BTreeMap<String, Vec<u8>>,
) -> OutputSet {
    OutputSet::new(
        pages
            .chain(statics.iter().map(|s| s.out_rel.as_str()))
            .chain(generated.keys().map(String::as_str)),
    )
}

/// Add the publishing files to `generated` (which holds the theme's and the
/// search's files) and apply the base URL to the generated HTML.
pub(super) fn publish(
    ctx: &BuildContext,
    sources: &[&SourcePage],
    statics: &[StaticFile],
    generated: &mut BTreeMap<String, Vec<u8>>,
    outputs: &OutputSet,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let cfg = &ctx.config;
    let mut taken = output_set(
        sources
            .iter()
            .map(|s| s.output_path())
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
        statics,
        generated,
    );
    if !taken.contains(HOME_PATH) {
        match ctx
            .theme
            .render_home(&ctx.catalog, &ctx.site, &ctx.shared, &cfg.baseurl)
        {
            Ok(html) => {
                generated.insert(HOME_PATH.into(), html.into_bytes());
                taken.insert(HOME_PATH);
            }
            Err(d) => diags.push(d),
        }
    }
    if !taken.contains("404.html") {
        let (html, d) = not_found_page(ctx, taken.resolve("").is_some(), outputs);
        diags.extend(d);
        generated.insert("404.html".into(), html.into_bytes());
        taken.insert("404.html");
    }
    let (stubs, d) = redirects::collect(sources, &taken);
    diags.extend(d);
    for s in &stubs {
        taken.insert(&s.out_path);
    }
    if !cfg.baseurl.is_empty() {
        for (path, bytes) in generated.iter_mut() {
            if path.ends_with(".html") && path != "404.html" {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    *bytes = under_base_url(text.to_string(), &cfg.baseurl, outputs).into_bytes();
                }
            }
        }
    }
    let mut moved = Vec::new();
    for s in &stubs {
        let to = absolute_url(&cfg.url, &cfg.baseurl, &pretty_url(&s.target));
        generated.insert(s.out_path.clone(), redirects::stub_html(&to).into_bytes());
        moved.push((s.from.clone(), to));
    }
    moved.extend(sources.iter().filter_map(|p| {
        let to = match p.front.get("redirect_to")? {
            Value::String(t) => t.trim(),
            Value::Array(a) if a.len() == 1 => a[0].as_str()?.trim(),
            _ => return None,
        };
        let to = if to.starts_with("http://") || to.starts_with("https://") {
            to.to_string()
        } else {
            absolute_url(&cfg.url, &cfg.baseurl, to)
        };
        Some((p.url(), to))
    }));
    let json_off = ctx
        .site
        .get("redirect_from")
        .and_then(|r| r.get("json"))
        .is_some_and(|j| j == &Value::Bool(false));
    if !moved.is_empty() && !json_off && !taken.contains(REDIRECTS_JSON) {
        generated.insert(
            REDIRECTS_JSON.into(),
            redirects::redirects_json(moved).into_bytes(),
        );
    }
    if cfg.url.is_empty() {
        diags.push(
            Diagnostic::warning(&cfg.file, 0, 0, "`url` is not set: sitemap.xml lists root-relative URLs and robots.txt has no Sitemap line")
                .with_help("set the published address, e.g. `url: https://docs.example.com`"),
        );
    }
    if !taken.contains("sitemap.xml") {
        let listed = sources
            .iter()
            .filter(|s| in_sitemap(&s.front) && s.front.get("redirect_to").is_none())
            .map(|s| s.output_path());
        generated.insert(
            "sitemap.xml".into(),
            sitemap_xml(&cfg.url, &cfg.baseurl, listed).into_bytes(),
        );
    }
    if !taken.contains("robots.txt") {
        generated.insert(
            "robots.txt".into(),
            robots_txt(&cfg.url, &cfg.baseurl).into_bytes(),
        );
    }
    diags
}

/// jekyll-redirect-from's map of every redirect (off with `redirect_from: {json: false}`).
const REDIRECTS_JSON: &str = "redirects.json";

const NOT_FOUND_TITLE: &str = "Page not found";

/// `404.html` through the theme's `default` layout (a plain page if that fails).
fn not_found_page(
    ctx: &BuildContext,
    has_home: bool,
    outputs: &OutputSet,
) -> (String, Vec<Diagnostic>) {
    let mut body = format!(
        "# {NOT_FOUND_TITLE}\n\nThere is no page at this address. It may have moved or been removed.\n"
    );
    if has_home {
        body.push_str("\n[Go to the home page](/)\n");
    }
    let mut front = Map::new();
    front.insert("layout".into(), Value::String("default".into()));
    front.insert("title".into(), Value::String(NOT_FOUND_TITLE.into()));
    front.insert("sitemap".into(), Value::Bool(false));
    front.insert("edit".into(), Value::Bool(false));
    let text = format!(
        "---\nlayout: default\ntitle: {NOT_FOUND_TITLE}\nsitemap: false\nedit: false\n---\n{body}"
    );
    let page = SourcePage {
        rel: "404.md".into(),
        content_rel: "404.md".into(),
        body_offset: text.len() - body.len(),
        body_line: 7,
        text,
        front,
        is_markdown: true,
    };
    match render_page(ctx, &page, outputs) {
        Ok(out) => (out.html, Vec::new()),
        Err(d) => (plain_not_found(has_home), d),
    }
}

/// Two sources that would write the same output path is an error naming both;
/// so is a file whose output path is the folder of another output (`a.html`
/// and `a.html/b.png`), which could not both be written.
pub(super) fn duplicate_outputs<'a>(
    pages: impl Iterator<Item = &'a PageOutput>,
    statics: &[StaticFile],
    generated: &BTreeMap<String, Vec<u8>>,
) -> Vec<Diagnostic> {
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut diags = Vec::new();
    let all = pages
        .map(|p| (p.out_path.clone(), p.source.clone()))
        .chain(
            statics
                .iter()
                .map(|s| (s.out_rel.clone(), crate::diag::display_path(&s.abs))),
        )
        .chain(
            generated
                .keys()
                .map(|k| (k.clone(), "(generated by elementdocs)".to_string())),
        );
    for (out, src) in all {
        if let Some(first) = owners.get(&out) {
            diags.push(
                Diagnostic::error(&src, 0, 0, format!("two sources would write `{out}`"))
                    .with_note(format!("`{first}` writes it too"))
                    .with_help("rename or remove one of them"),
            );
        } else {
            owners.insert(out, src);
        }
    }
    for (out, src) in &owners {
        let parts: Vec<&str> = out.split('/').collect();
        let Some((_, folders)) = parts.split_last() else {
            continue;
        };
        let mut folder = String::new();
        for part in folders {
            folder.push_str(part);
            if let Some(file_src) = owners.get(&folder) {
                diags.push(
                    Diagnostic::error(
                        src,
                        0,
                        0,
                        format!("`{out}` would be written inside `{folder}`, which is a file"),
                    )
                    .with_note(format!("`{file_src}` writes `{folder}`"))
                    .with_help("rename or remove one of them"),
                );
            }
            folder.push('/');
        }
    }
    diags
}
