//! One page through the pipeline: Liquid → Markdown (with highlighting) →
//! layout → base URL, on the thread that renders it. A panic in any stage
//! becomes an error on that page, so one bad page never takes the build down.

use super::context::{page_meta, page_value, BuildContext};
use crate::diag::Diagnostic;
use crate::liquid::PageInput;
use crate::markdown::{self, Rendered};
use crate::openapi::ApiReference;
use crate::publish::urls::{rewrite_root_urls, OutputSet};
use crate::render::PageView;
use crate::source::SourcePage;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One rendered page.
#[derive(Debug, Clone)]
pub struct PageOutput {
    /// Source path relative to the root.
    pub source: String,
    /// Output path relative to the output root.
    pub out_path: String,
    pub html: String,
    /// The post-Liquid Markdown.
    pub expanded: String,
    pub rendered: Rendered,
    /// Files this page read (includes, data is implicit), relative to the root.
    pub deps: Vec<PathBuf>,
}

/// [`render_page`], with a panic in any stage turned into an error on that
/// page: the build goes on, reports it with the others, and writes nothing.
pub(super) fn render_page_guarded(
    ctx: &BuildContext,
    p: &SourcePage,
    outputs: &OutputSet,
) -> Result<PageOutput, Vec<Diagnostic>> {
    guarded(&p.rel, || render_page(ctx, p, outputs))
}

/// Run `f`, turning a panic into an internal error on the page `rel`.
pub(super) fn guarded<T>(
    rel: &str,
    f: impl FnOnce() -> Result<T, Vec<Diagnostic>>,
) -> Result<T, Vec<Diagnostic>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(vec![Diagnostic::error(
            rel,
            0,
            0,
            format!("internal error while rendering this page: {what}"),
        )
        .with_help(
            "this is a bug in elementdocs; please report it with this page attached",
        )])
    })
}

/// Expand, render and lay out one page; root-relative URLs move under the
/// base URL (`outputs`: every file of the build, see [`rewrite_root_urls`]).
pub fn render_page(
    ctx: &BuildContext,
    p: &SourcePage,
    outputs: &OutputSet,
) -> Result<PageOutput, Vec<Diagnostic>> {
    if let Some(to) = redirect_to(p)? {
        // jekyll-redirect-from: the page is only a pointer to `to`.
        return Ok(PageOutput {
            source: p.rel.clone(),
            out_path: p.output_path(),
            html: crate::publish::redirects::stub_html(&to),
            expanded: String::new(),
            rendered: Rendered::default(),
            deps: Vec::new(),
        });
    }
    let mut page = page_value(p);
    render_paginator_posts(ctx, &mut page);
    let input = PageInput {
        rel: Path::new(&p.rel),
        text: &p.text,
        body_offset: p.body_offset,
        page: &page,
    };
    let expanded = ctx.liquid.expand(&input)?;
    let mut rendered = if p.is_markdown {
        markdown::render(
            &expanded.text,
            &ctx.config.markdown,
            &ctx.highlighter,
            Path::new(&p.rel),
            p.body_line,
        )
    } else {
        Rendered {
            html: expanded.text.clone(),
            ..Default::default()
        }
    };
    rendered
        .warnings
        .splice(0..0, expanded.warnings.iter().cloned());
    let api = api_reference(ctx, p, &mut rendered)?;
    let mut deps = expanded.deps;
    let html = lay_out(
        ctx,
        p,
        &page,
        &mut rendered,
        api.as_ref(),
        outputs,
        &mut deps,
    )?;
    deps.extend(api.into_iter().flat_map(|a| a.deps));
    Ok(PageOutput {
        source: p.rel.clone(),
        out_path: p.output_path(),
        html,
        expanded: expanded.text,
        rendered,
        deps,
    })
}

/// A paginated page's `paginator.posts[].content` is each post rendered
/// (Liquid, then Markdown), not its source: Jekyll renders posts before
/// pages, so the release notes list shows HTML. A post whose Liquid fails
/// keeps its source here; its own page reports the error.
fn render_paginator_posts(ctx: &BuildContext, page: &mut Value) {
    let Some(posts) = page
        .get_mut(crate::liquid::globals::KEY)
        .and_then(|g| g.get_mut("paginator"))
        .and_then(|p| p.get_mut("posts"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for post in posts {
        let (Some(raw), Some(rel)) = (
            post.get("content").and_then(Value::as_str),
            post.get("path").and_then(Value::as_str),
        ) else {
            continue;
        };
        let input = PageInput {
            rel: Path::new(rel),
            text: raw,
            body_offset: 0,
            page: post,
        };
        let Ok(expanded) = ctx.liquid.expand(&input) else {
            continue;
        };
        let is_markdown = rel
            .rsplit_once('.')
            .is_some_and(|(_, ext)| crate::source::MARKDOWN_EXTS.contains(&ext));
        let html = if is_markdown {
            markdown::render(
                &expanded.text,
                &ctx.config.markdown,
                &ctx.highlighter,
                Path::new(rel),
                1,
            )
            .html
        } else {
            expanded.text
        };
        post["content"] = Value::String(html);
    }
}

/// The page's `redirect_to` URL, if it has one: http(s), or a path of the
/// site; any other scheme (`javascript:`, `data:`...) is an error at the key.
fn redirect_to(p: &SourcePage) -> Result<Option<String>, Vec<Diagnostic>> {
    let to = match p.front.get("redirect_to") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Array(a)) if a.len() == 1 && a[0].is_string() => {
            a[0].as_str().unwrap_or_default().trim().to_string()
        }
        Some(_) => String::new(),
    };
    let scheme = to
        .split(['/', '?', '#'])
        .next()
        .and_then(|head| head.split_once(':'))
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    let allowed = !to.is_empty() && matches!(scheme.as_deref(), None | Some("http" | "https"));
    if allowed {
        return Ok(Some(to));
    }
    let (line, col) = crate::publish::redirects::front_line(p, "redirect_to", None);
    Err(vec![Diagnostic::error(
        &p.rel,
        line,
        col,
        format!("`redirect_to` must be an http(s) URL or a path of the site, not `{to}`"),
    )
    .with_source(&p.text)
    .with_help("write the new address, e.g. `redirect_to: https://docs.example.com/new.html` or `/new.html`")])
}

/// An API page's reference (see [`crate::openapi`]); its warnings join the page's.
fn api_reference(
    ctx: &BuildContext,
    p: &SourcePage,
    rendered: &mut Rendered,
) -> Result<Option<ApiReference>, Vec<Diagnostic>> {
    let api = ctx.api_docs.reference(p, &ctx.theme, &ctx.highlighter)?;
    if let Some(a) = &api {
        rendered.warnings.extend(a.warnings.iter().cloned());
    }
    Ok(api)
}

/// Lay out an already rendered page body (the last step of [`render_page`]);
/// `serve` asks for it alone when only the tabs or the sidebar changed.
pub fn layout_page(
    ctx: &BuildContext,
    p: &SourcePage,
    page: &Value,
    rendered: &mut Rendered,
    outputs: &OutputSet,
) -> Result<String, Vec<Diagnostic>> {
    let api = api_reference(ctx, p, rendered)?;
    // The page's layouts and their includes are the same as when it was
    // rendered: its recorded dependencies stand.
    lay_out(
        ctx,
        p,
        page,
        rendered,
        api.as_ref(),
        outputs,
        &mut Vec::new(),
    )
}

fn lay_out(
    ctx: &BuildContext,
    p: &SourcePage,
    page: &Value,
    rendered: &mut Rendered,
    api: Option<&ApiReference>,
    outputs: &OutputSet,
    deps: &mut Vec<PathBuf>,
) -> Result<String, Vec<Diagnostic>> {
    let meta = page_meta(p);
    let mut layout = meta.layout.clone();
    let out_path = p.output_path();
    // `layout: null`, and any page that is not HTML (`search.json`), is
    // written as it is; so is a page without a layout when the site's own
    // layouts are used (as Jekyll writes it).
    let no_layout = p.front.get("layout").is_some_and(Value::is_null)
        || !out_path.ends_with(".html")
        || (ctx.layouts.in_use() && !p.front.contains_key("layout"));
    if no_layout {
        return Ok(under_base_url(
            rendered.html.clone(),
            &ctx.config.baseurl,
            outputs,
        ));
    }
    if ctx.layouts.lays_out(&layout) {
        let laid = ctx
            .layouts
            .render(&ctx.liquid, p, page, &layout, rendered.html.clone())?;
        rendered.warnings.extend(laid.warnings);
        // The site's layouts and the includes they read: serve re-renders
        // the page when one changes.
        deps.extend(laid.deps);
        return Ok(under_base_url(laid.html, &ctx.config.baseurl, outputs));
    }
    if !ctx.theme.has_layout(&layout) {
        let (line, col) = front_matter_key_pos(p, "layout");
        rendered.warnings.push(
            Diagnostic::warning(
                &p.rel,
                line,
                col,
                format!("unknown layout `{layout}`; using `default`"),
            )
            .with_source(&p.text)
            .with_help(format!(
                "the theme has layouts: {}",
                ctx.theme.layouts().join(", ")
            )),
        );
        layout = "default".into();
    }
    let rr = root_rel(&out_path);
    // The reference's headings follow the page's in "On this page".
    let headings: std::borrow::Cow<[crate::markdown::Heading]> = match api {
        Some(a) => [rendered.headings.as_slice(), &a.headings].concat().into(),
        None => rendered.headings.as_slice().into(),
    };
    let view = PageView {
        page,
        site: &ctx.site,
        body: &rendered.html,
        headings: &headings,
        guide: ctx.catalog.guide_for(&meta.dir),
        shared: &ctx.shared,
        base_url: &ctx.config.baseurl,
        root_rel: &rr,
        api_reference: api.map(|a| &*a.html),
    };
    let html = ctx.theme.render_page(&layout, &view).map_err(|d| vec![d])?;
    Ok(under_base_url(html, &ctx.config.baseurl, outputs))
}

/// A laid-out document with its root-relative URLs under `base` (unchanged
/// without one).
pub(super) fn under_base_url(html: String, base: &str, outputs: &OutputSet) -> String {
    if base.is_empty() {
        html
    } else {
        rewrite_root_urls(&html, base, outputs)
    }
}

/// `../` once per folder level of `out_path`.
fn root_rel(out_path: &str) -> String {
    "../".repeat(out_path.matches('/').count())
}

/// Line and column of the value of front matter `key` in the page (1, 1 if not found).
fn front_matter_key_pos(p: &SourcePage, key: &str) -> (usize, usize) {
    p.text
        .lines()
        .take(p.body_line.saturating_sub(1))
        .enumerate()
        .find_map(|(i, l)| {
            let rest = l.strip_prefix(key)?.strip_prefix(':')?;
            let col = key.len() + 2 + rest.len() - rest.trim_start().len();
            Some((i + 1, col))
        })
        .unwrap_or((1, 1))
}
