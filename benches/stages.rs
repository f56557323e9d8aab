//! Per-stage benchmarks on small fixtures of our own: front matter, Liquid,
//! Markdown, highlight, layout, write. Run with `cargo bench`; a regression in
//! one stage shows up in its group. `whole_build` also builds the devportal
//! corpus when it is found (`$ELEMENTDOCS_CORPUS`, `../shared/corpus/devportal`
//! or `../../shared/...`; skipped otherwise, and never copied into the repository).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use elementdocs::config::MarkdownOptions;
use elementdocs::guide::{Catalog, PageMeta};
use elementdocs::highlight::Highlighter;
use elementdocs::liquid::{LiquidEngine, PageInput};
use elementdocs::markdown;
use elementdocs::render::{PageView, Theme};
use elementdocs::site::{build_site, BuildOptions};
use elementdocs::source::{parse_yaml, split_front_matter};
use serde_json::json;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const PAGE: &str = r#"---
layout: sidebarelementdoc
title: Authenticate
heading: Acme CRM
seo: Authenticate | Acme CRM | Element guides
description: Authenticate an Acme CRM element instance
apiProvider: Acme
order: 25
redirect_from:
  - /docs/elements/acme/old-authenticate.html
  - /docs/elements/acme/authenticate-old.html
parent: Back to Element Guides
---
"#;

/// A guide page body: headings, a table, lists, inline code, smart quotes,
/// and the JSON and curl blocks element guides repeat.
fn markdown_body(n: usize) -> String {
    let mut md = String::from("# Authenticate with {{page.heading}}\n\n");
    for i in 0..n {
        md.push_str(&format!(
            "## Step {i}: \"create\" an instance\n\n\
             You can authenticate with {{{{page.heading}}}} to create your own instance of the element. \
             It's *easy*: send a `POST` to `/instances`, see [the API docs](/docs/api.html#instances).\n\n\
             | Parameter | Description | Required |\n| :--- | :--- | :--- |\n\
             | `key` | The element key, e.g. `acme{i}`. | Y |\n| `name` | The instance's name. | Y |\n\n\
             1. Open the *Elements* catalog.\n2. Search for **Acme**.\n   * Hover over the card.\n\n\
             ```json\n{{\n  \"element\": {{\n    \"key\": \"acme{i}\"\n  }},\n  \"configuration\": {{\n    \"oauth.api.key\": \"<INSERT_KEY>\",\n    \"oauth.callback.url\": \"https://mycoolapp.com\"\n  }},\n  \"tags\": [\"Docs\"],\n  \"name\": \"API Instance\"\n}}\n```\n\n\
             ```bash\ncurl -X POST \\\n  https://api.cloud-elements.com/elements/api-v2/instances \\\n  -H 'authorization: User <USER_SECRET>, Organization <ORG_SECRET>' \\\n  -H 'content-type: application/json' \\\n  -d @instance.json\n```\n\n"
        ));
    }
    md
}

fn front_matter(c: &mut Criterion) {
    c.bench_function("front_matter/split_and_parse", |b| {
        let text = format!("{PAGE}# Body\n");
        b.iter(|| {
            let split = split_front_matter(black_box(&text), Path::new("p.md"))
                .unwrap()
                .unwrap();
            parse_yaml(split.yaml, Path::new("p.md"), split.yaml_line).unwrap()
        })
    });
}

/// A site folder with one include, in a temporary directory.
fn liquid_site() -> (tempfile::TempDir, LiquidEngine) {
    let dir = tempfile::tempdir().unwrap();
    let inc = dir.path().join("_includes");
    std::fs::create_dir_all(&inc).unwrap();
    std::fs::write(
        inc.join("note.html"),
        "<div class=\"note\">{{ include.text }}{% if include.kind == \"warn\" %} (warning){% endif %}</div>\n",
    )
    .unwrap();
    let site = json!({"title": "Docs", "console": "Cloud Elements", "data": {"glossary": {"instance": "An authenticated connection"}}});
    let md: elementdocs::liquid::MarkdownifyFn = Arc::new(|s: &str| s.to_string());
    let engine = LiquidEngine::new(dir.path().to_path_buf(), inc, site, md, false);
    (dir, engine)
}

fn liquid(c: &mut Criterion) {
    let (_dir, engine) = liquid_site();
    let mut text = String::from(PAGE);
    for i in 0..20 {
        text.push_str(&format!(
            "## {{{{ page.title }}}} {i}\n\n{{% include note.html text=\"Sign in to {{{{site.console}}}}\" kind=\"warn\" %}}\n\n\
             {{% for p in page.redirect_from %}}* {{{{ p | upcase }}}}\n{{% endfor %}}\n\
             {{% assign n = {i} | plus: 1 %}}{{% if n > 3 %}}Step {{{{ n }}}}{{% else %}}First{{% endif %}}\n\n"
        ));
    }
    let body_offset = PAGE.len();
    let page = json!({
        "title": "Authenticate",
        "heading": "Acme CRM",
        "redirect_from": ["/a.html", "/b.html"],
        "url": "/docs/elements/acme/authenticate.html",
    });
    c.bench_function("liquid/expand_page", |b| {
        b.iter(|| {
            let input = PageInput {
                rel: Path::new("docs/elements/acme/authenticate.md"),
                text: &text,
                body_offset,
                page: &page,
            };
            engine.expand(black_box(&input)).unwrap()
        })
    });
}

fn markdown_stage(c: &mut Criterion) {
    let md = markdown_body(10);
    let opts = MarkdownOptions::default();
    // The highlighter keeps the blocks of the first run: this measures
    // Markdown itself.
    let hl = Highlighter::new();
    c.bench_function("markdown/render_guide_page", |b| {
        b.iter(|| markdown::render(black_box(&md), &opts, &hl, Path::new("p.md"), 1))
    });
}

fn highlight(c: &mut Criterion) {
    let json_block = "{\n  \"element\": {\n    \"key\": \"acme\"\n  },\n  \"configuration\": {\n    \"oauth.api.key\": \"<INSERT_KEY>\"\n  },\n  \"tags\": [\"Docs\", 1, true, null]\n}\n";
    let hl = Highlighter::new();
    hl.preload();
    hl.highlight("json", json_block);
    c.bench_function("highlight/cached_block", |b| {
        b.iter(|| hl.highlight("json", black_box(json_block)))
    });
    let mut n = 0u64;
    // Blocks never seen before. JSON takes the tokenizer of
    // `highlight/json.rs`; JSON with a comment and bash take syntect's grammar.
    c.bench_function("highlight/new_json_block", |b| {
        b.iter(|| {
            n += 1;
            let code = json_block.replace("acme", &format!("acme{n}"));
            hl.highlight("json", &code)
        })
    });
    c.bench_function("highlight/new_json_block_with_comment", |b| {
        b.iter(|| {
            n += 1;
            let code = format!(
                "// sent as is\n{}",
                json_block.replace("acme", &format!("acme{n}"))
            );
            hl.highlight("json", &code)
        })
    });
    c.bench_function("highlight/new_bash_block", |b| {
        b.iter(|| {
            n += 1;
            let code = format!(
                "curl -X POST \\\n  https://api.example.com/v{n}/instances \\\n  -H 'content-type: application/json' \\\n  -d @instance.json\n"
            );
            hl.highlight("bash", &code)
        })
    });
}

fn layout(c: &mut Criterion) {
    let theme = Theme::load(None).unwrap();
    let metas: Vec<PageMeta> = (0..130)
        .flat_map(|g| {
            ["index", "setup", "authenticate", "events", "bulk"]
                .iter()
                .enumerate()
                .map(move |(i, p)| PageMeta {
                    out_path: format!("docs/elements/g{g}/{p}.html"),
                    dir: format!("docs/elements/g{g}"),
                    layout: "sidebarelementdoc".into(),
                    title: Some(p.to_string()),
                    heading: Some(format!("Guide {g}")),
                    order: Some(i as f64),
                    hub: Some("crm".into()),
                    auth: None,
                })
        })
        .collect();
    let catalog = Catalog::build(&metas);

    let rendered = markdown::render(
        &markdown_body(5),
        &MarkdownOptions::default(),
        &Highlighter::new(),
        Path::new("p.md"),
        1,
    );
    let page = json!({"title": "Authenticate", "url": "/docs/elements/g7/authenticate.html", "layout": "sidebarelementdoc"});
    let site = json!({"title": "Docs", "url": "https://docs.example.com", "data": {"glossary": {"a": "b"}}});
    let shared = theme.render_shared(&catalog, &site, "").unwrap();
    c.bench_function("layout/guide_page", |b| {
        b.iter(|| {
            let view = PageView {
                page: &page,
                site: &site,
                body: &rendered.html,
                headings: &rendered.headings,
                guide: catalog.guide_for("docs/elements/g7"),
                shared: &shared,
                base_url: "",
                root_rel: "../../../",
                api_reference: None,
            };
            theme
                .render_page("sidebarelementdoc", black_box(&view))
                .unwrap()
        })
    });
}

/// A small site on disk: `n` pages with code blocks, one include.
fn write_site_fixture(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("elementdocs.yml"),
        "title: Bench docs\nurl: https://docs.example.com\n",
    )
    .unwrap();
    for g in 0..n / 5 {
        let d = root.join(format!("content/docs/elements/g{g}"));
        std::fs::create_dir_all(&d).unwrap();
        for (i, p) in ["index", "setup", "authenticate", "events", "bulk"]
            .iter()
            .enumerate()
        {
            let text = format!(
                "---\nlayout: sidebarelementdoc\ntitle: {p}\nheading: Guide {g}\norder: {i}\n---\n{}",
                markdown_body(3)
            );
            std::fs::write(d.join(format!("{p}.md")), text).unwrap();
        }
    }
    dir
}

fn write(c: &mut Criterion) {
    let src = write_site_fixture(100);
    let opts = BuildOptions {
        source: src.path().to_path_buf(),
        out: Some(src.path().join("public")),
        ..Default::default()
    };
    let site = build_site(&opts).unwrap();
    assert!(!site.has_errors(), "{:?}", site.diagnostics);
    let root = src.path().canonicalize().unwrap();
    let mut group = c.benchmark_group("write");
    group.sample_size(20);
    group.bench_function("fresh_output_100_pages", |b| {
        b.iter_batched(
            || {
                let out = tempfile::tempdir().unwrap();
                let path = out.path().join("public");
                (out, path)
            },
            |(_out, path)| elementdocs::output::write_site(&site, &path, &root, None).unwrap(),
            BatchSize::PerIteration,
        )
    });
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("public");
    elementdocs::output::write_site(&site, &path, &root, None).unwrap();
    group.bench_function("unchanged_output_100_pages", |b| {
        b.iter(|| {
            let stats = elementdocs::output::write_site(&site, &path, &root, None).unwrap();
            assert_eq!(stats.written, 0);
            stats
        })
    });
    group.finish();
}

/// The devportal corpus: `$ELEMENTDOCS_CORPUS`, or the shared folder next to
/// the repository (or next to the worktrees' folder).
fn corpus() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("ELEMENTDOCS_CORPUS")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            here.join("../shared/corpus/devportal"),
            here.join("../../shared/corpus/devportal"),
        ])
        .find(|p| p.is_dir())
}

fn whole_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("whole_build");
    group.sample_size(10);
    let small = write_site_fixture(100);
    group.bench_function("fixture_100_pages_in_memory", |b| {
        let opts = BuildOptions {
            source: small.path().to_path_buf(),
            ..Default::default()
        };
        b.iter(|| build_site(&opts).unwrap())
    });
    if let Some(corpus) = corpus() {
        group.bench_function("devportal_corpus_in_memory", |b| {
            let opts = BuildOptions {
                source: corpus.clone(),
                out: Some(std::env::temp_dir().join("elementdocs-bench-unused")),
                ..Default::default()
            };
            b.iter(|| build_site(&opts).unwrap())
        });
    }
    group.finish();
}

criterion_group!(
    stages,
    front_matter,
    liquid,
    markdown_stage,
    highlight,
    layout,
    write,
    whole_build
);
criterion_main!(stages);
