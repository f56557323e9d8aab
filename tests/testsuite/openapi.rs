//! API reference pages on fixture sites: the document a page names is
//! rendered beside `#page-body` (which keeps the Markdown alone), a
//! translation shows its original's, a page without a document shows the
//! placeholder and `check` warns, bad documents are located errors, and
//! `openapi_url` is fetched only when allowed (from a loopback server).
//! Expected values come from the fixture texts, never from output.

use elementdocs::check::{run, CheckOptions};
use elementdocs::diag::{line_col, Diagnostic, Severity};
use elementdocs::site::{build_site, BuildOptions, PageOutput, SiteOutput};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Swagger 2.0 document (Cloud Elements' format): a cycle through
/// `Category.parent`, a body parameter, Markdown in a description, a
/// written example and one made from the schema.
const SWAGGER: &str = r##"{
  "swagger": "2.0",
  "info": {"title": "Acme Pets", "version": "3.1", "description": "Pets, **all** of them."},
  "host": "api.acme.test",
  "basePath": "/v1",
  "tags": [{"name": "pets", "description": "The animals."}],
  "paths": {
    "/pets": {
      "get": {
        "tags": ["pets"],
        "operationId": "listPets",
        "summary": "List the pets",
        "parameters": [{"name": "where", "in": "query", "type": "string", "description": "A CEQL query."}],
        "responses": {"200": {"description": "The pets", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}}
      },
      "post": {
        "tags": ["pets"],
        "operationId": "createPet",
        "parameters": [{"name": "pet", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}],
        "responses": {"200": {"description": "Created", "examples": {"application/json": {"id": 4242}}}}
      }
    }
  },
  "definitions": {
    "Pet": {"type": "object", "required": ["name"], "properties": {
      "id": {"type": "integer"}, "name": {"type": "string", "example": "Rex"},
      "category": {"$ref": "#/definitions/Category"}}},
    "Category": {"type": "object", "properties": {
      "label": {"type": "string"}, "parent": {"$ref": "#/definitions/Category"}}}
  }
}
"##;

const API_FRONT: &str =
    "heading: Acme\ntitle: API Docs\nlayout: swagger-only\nelementId: 42\norder: 90\n";
const PLACEHOLDER_ELEMENT: &str = "7";

fn files() -> Vec<(String, String)> {
    let api_page = |extra: &str| {
        format!("---\n{API_FRONT}{extra}---\n\nThe **Acme** API.\n\n{{% include swagger.html %}}\n")
    };
    vec![
        ("_config.yml".into(), "title: Fixture\n".into()),
        (
            "_includes/swagger.html".into(),
            "<div id=\"swagger-ui-container\"></div>\n".into(),
        ),
        (
            "docs/acme/index.md".into(),
            "---\nheading: Acme\ntitle: Overview\nlayout: sidebarelementdoc\norder: 1\n---\n\nHello.\n".into(),
        ),
        ("docs/acme/swagger.json".into(), SWAGGER.into()),
        ("docs/acme/api-documentation.md".into(), api_page("openapi: swagger.json\n")),
        ("docs/acme/ko/api-documentation.md".into(), api_page("")),
        (
            "docs/other/api-documentation.md".into(),
            format!("---\nheading: Other\ntitle: API Docs\nlayout: sidebarapidocs\nelementId: {PLACEHOLDER_ELEMENT}\norder: 90\n---\n\nNothing yet.\n"),
        ),
    ]
}

fn write_all(root: &Path, files: &[(String, String)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn build(files: &[(String, String)]) -> (tempfile::TempDir, SiteOutput) {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path(), files);
    let out = build_site(&BuildOptions {
        source: dir.path().to_path_buf(),
        out: Some(dir.path().join("_site")),
        ..Default::default()
    })
    .unwrap_or_else(|d| panic!("build failed: {d:?}"));
    (dir, out)
}

fn page<'a>(site: &'a SiteOutput, out_path: &str) -> &'a PageOutput {
    site.pages
        .iter()
        .find(|p| p.out_path == out_path)
        .unwrap_or_else(|| panic!("no page {out_path}"))
}

/// The API reference section of a page.
fn reference(html: &str) -> &str {
    let start = html
        .find("<section class=\"ed-article ed-api")
        .expect("an API reference section");
    let end = html.rfind("</section>").unwrap() + "</section>".len();
    &html[start..end]
}

fn errors(site: &SiteOutput) -> Vec<&Diagnostic> {
    site.diagnostics.iter().filter(|d| d.is_error()).collect()
}

#[test]
fn the_reference_is_rendered_beside_the_body() {
    let (_dir, site) = build(&files());
    assert!(errors(&site).is_empty(), "{:?}", site.diagnostics);
    let p = page(&site, "docs/acme/api-documentation.html");
    // #page-body holds the Markdown alone.
    let body = format!("id=\"page-body\">{}</article>", p.rendered.html);
    assert!(p.html.contains(&body));
    assert!(!p.rendered.html.contains("ed-api"));
    let r = reference(&p.html);
    assert!(p.html.find(&body).unwrap() < p.html.find(r).unwrap());
    // Operations by tag, anchors from the operation ids, methods and paths.
    assert!(r.contains("<h3 id=\"tag-pets\">pets</h3>"), "{r}");
    assert!(r.contains("<h4 id=\"op-listpets\">List the pets</h4>"));
    assert!(r.contains("id=\"op-createpet\""));
    assert!(r.contains("href=\"#op-listpets\""));
    assert!(r.contains(">GET</span> <code class=\"ed-api-path\">/pets</code>"));
    assert!(r.contains("<code>https://api.acme.test/v1</code>"));
    // Markdown in descriptions; parameters in a table with headers.
    assert!(r.contains("Pets, <strong>all</strong> of them."));
    assert!(r.contains("<th scope=\"col\">Name</th>"));
    assert!(r.contains("<code>where</code>"));
    // The body parameter became a required request body; the cycle ends in a link.
    assert!(r.contains("Request body <span class=\"ed-api-req\">required</span>"));
    assert!(r.contains("<a href=\"#schema-category\">Category</a>"));
    assert!(r.contains("id=\"schema-category\""));
    // Examples are highlighted JSON: the written one, and one from the schema.
    assert!(r.contains("4242"));
    assert!(r.contains("Example (from the schema)"));
    assert!(r.contains("Rex"));
    assert!(r.contains("<code class=\"language-json\"><span class=\"hl-"));
    // The page depends on its document; "On this page" lists the reference.
    assert!(p.deps.contains(&PathBuf::from("docs/acme/swagger.json")));
    assert!(p
        .html
        .contains("ed-toc-h3\"><a href=\"#tag-pets\">pets</a>"));
}

#[test]
fn a_translation_shows_its_originals_reference() {
    let (_dir, site) = build(&files());
    let en = page(&site, "docs/acme/api-documentation.html");
    let ko = page(&site, "docs/acme/ko/api-documentation.html");
    assert_eq!(reference(&ko.html), reference(&en.html));
    assert!(ko
        .deps
        .contains(&PathBuf::from("docs/acme/api-documentation.md")));
    assert!(ko.deps.contains(&PathBuf::from("docs/acme/swagger.json")));
}

#[test]
fn a_page_without_a_document_shows_the_placeholder_and_check_warns() {
    let (dir, site) = build(&files());
    let p = page(&site, "docs/other/api-documentation.html");
    let r = reference(&p.html);
    assert!(r.contains("ed-api-missing"));
    let url = format!("/elements/{PLACEHOLDER_ELEMENT}/docs?version=-1");
    assert!(r.contains(&url), "{r}");
    assert!(r.contains("<code>openapi: "));
    // The build does not warn (the corpus has hundreds of such pages)...
    assert!(site
        .diagnostics
        .iter()
        .all(|d| d.file != Path::new("docs/other/api-documentation.md")));
    // ...check does, at the page's elementId.
    let report = run(&CheckOptions::new(dir.path().to_path_buf()));
    let text = std::fs::read_to_string(dir.path().join("docs/other/api-documentation.md")).unwrap();
    let want = line_col(&text, text.find("elementId").unwrap());
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.file == Path::new("docs/other/api-documentation.md"))
        .unwrap_or_else(|| panic!("no warning: {:?}", report.diagnostics));
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!((d.line, d.col), want);
    assert!(d.message.contains("names no OpenAPI document"));
    // The pages whose document is known (the translation's through its original) are not warned about.
    let warned: Vec<&Path> = report
        .diagnostics
        .iter()
        .map(|d| d.file.as_path())
        .collect();
    assert!(
        !warned.contains(&Path::new("docs/acme/ko/api-documentation.md")),
        "{warned:?}"
    );
}

#[test]
fn a_broken_document_is_an_error_at_its_line_and_column() {
    let bad = "{\"swagger\": \"2.0\",\n  \"info\": }\n";
    let mut f = files();
    f.retain(|(rel, _)| rel != "docs/acme/swagger.json");
    f.push(("docs/acme/swagger.json".into(), bad.into()));
    let (dir, site) = build(&f);
    let errs = errors(&site);
    let d = errs
        .iter()
        .find(|d| d.file == Path::new("docs/acme/swagger.json"))
        .unwrap_or_else(|| panic!("no error: {:?}", site.diagnostics));
    assert_eq!((d.line, d.col), line_col(bad, bad.find(": }").unwrap() + 2));
    assert_eq!(d.source_line.as_deref(), Some("  \"info\": }"));
    // Nothing is written when a build has errors.
    assert!(!dir.path().join("_site").exists());
}

#[test]
fn a_missing_document_is_an_error_at_the_front_matter_key() {
    let mut f = files();
    f.retain(|(rel, _)| rel != "docs/acme/swagger.json");
    let (_dir, site) = build(&f);
    let d = errors(&site)
        .into_iter()
        .find(|d| d.file == Path::new("docs/acme/api-documentation.md"))
        .unwrap_or_else(|| panic!("no error: {:?}", site.diagnostics));
    let text = &f
        .iter()
        .find(|(r, _)| r == "docs/acme/api-documentation.md")
        .unwrap()
        .1;
    assert_eq!(d.line, line_col(text, text.find("openapi:").unwrap()).0);
    assert!(
        d.message.contains("`swagger.json` cannot be read"),
        "{}",
        d.message
    );
}

/// Answer `count` requests on a loopback port with `body`; returns the URL
/// and a handle that ends when they are served.
fn serve_document(body: &'static str, count: usize) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/elements/42/docs", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(count).flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut out = &stream;
            let _ = write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, handle)
}

fn build_cli(src: &Path, out: &Path, cache: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_elementdocs"))
        .args(["build", "--source"])
        .arg(src)
        .arg("--out")
        .arg(out)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .unwrap()
}

#[test]
fn a_document_url_is_fetched_only_when_allowed_and_then_kept() {
    let (url, server) = serve_document(SWAGGER, 1);
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut f = files();
    f.retain(|(rel, _)| !rel.starts_with("docs/acme/"));
    f.push((
        "docs/acme/api-documentation.md".into(),
        format!("---\n{API_FRONT}openapi_url: {url}\n---\n\nBody.\n"),
    ));
    write_all(dir.path(), &f);
    let out = dir.path().join("_site");
    let page = out.join("docs/acme/api-documentation.html");

    // Not allowed: a warning at the key, the placeholder naming the URL.
    let denied = build_cli(dir.path(), &out, cache.path());
    assert!(denied.status.success());
    let stderr = String::from_utf8_lossy(&denied.stderr);
    let text = &f.last().unwrap().1;
    let (line, _) = line_col(text, text.find("openapi_url").unwrap());
    let at = format!("docs/acme/api-documentation.md:{line}:1: warning");
    assert!(stderr.contains(&at), "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(reference(&html).contains(&format!("<a href=\"{url}\">")));

    // Allowed: fetched once...
    let config = "title: Fixture\nopenapi:\n  fetch: true\n";
    std::fs::write(dir.path().join("_config.yml"), config).unwrap();
    let fetched = build_cli(dir.path(), &out, cache.path());
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    server.join().unwrap();
    let first = std::fs::read_to_string(&page).unwrap();
    assert!(reference(&first).contains("id=\"op-listpets\""));
    // ...then read from the cache: the server is gone, the page is the same.
    std::fs::remove_dir_all(&out).unwrap();
    let again = build_cli(dir.path(), &out, cache.path());
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), first);
    // Nothing was written into the source.
    let mut names: Vec<String> = walk(dir.path())
        .into_iter()
        .filter(|p| !p.starts_with(&out))
        .map(|p| {
            p.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    names.sort();
    let mut want: Vec<String> = f.iter().map(|(r, _)| r.clone()).collect();
    want.sort();
    assert_eq!(names, want);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_bundled_guide_renders_its_openapi_file() {
    let root = crate::common::crate_root();
    let doc =
        std::fs::read_to_string(root.join("content/docs/elements/smartrecruiters/openapi.yaml"))
            .unwrap();
    let out = tempfile::tempdir().unwrap();
    let site = build_site(&BuildOptions {
        source: root.clone(),
        out: Some(out.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap();
    assert!(errors(&site).is_empty(), "{:?}", site.diagnostics);
    let p = page(
        &site,
        "docs/elements/smartrecruiters/api-documentation.html",
    );
    let r = reference(&p.html);
    // Every operationId of the document has its anchor.
    let ids: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.trim().strip_prefix("operationId: "))
        .collect();
    assert!(ids.len() >= 4);
    for id in ids {
        let anchor = format!("id=\"op-{}\"", id.to_lowercase());
        assert!(r.contains(&anchor), "no {anchor}");
    }
    // Response headers are listed.
    let header = "Elements-Next-Page-Token";
    assert!(doc.contains(&format!("{header}:")));
    assert!(
        r.contains(&format!("<th scope=\"row\"><code>{header}</code>")),
        "{r}"
    );
    // The document is published beside the page and linked.
    assert!(r.contains("href=\"/docs/elements/smartrecruiters/openapi.yaml\""));
    assert!(site
        .statics
        .iter()
        .any(|s| s.out_rel == "docs/elements/smartrecruiters/openapi.yaml"));
}

/// The relative luminance of a CSS `rgb(r, g, b)` colour (WCAG 2).
fn luminance(rgb: &str) -> f64 {
    let parts: Vec<f64> = rgb
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .map(|c| c.trim().parse::<f64>().unwrap() / 255.0)
        .collect();
    let lin = |c: f64| {
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(parts[0]) + 0.7152 * lin(parts[1]) + 0.0722 * lin(parts[2])
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
#[ignore = "needs chromium and chromedriver (.ci/run installs them)"]
fn the_reference_reads_on_a_phone_and_in_dark_mode() {
    use crate::static_host::serve;
    use crate::webdriver::Browser;
    use base64::Engine;
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let built = build_cli(&crate::common::crate_root(), out.path(), cache.path());
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let site = serve(out.path().to_path_buf(), "/");
    let d = Browser::start();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (width, height) in [(1280, 1600), (390, 1600)] {
        d.post(
            "/window/rect",
            serde_json::json!({"width": width, "height": height}),
        );
        for dark in [false, true] {
            d.goto(&format!(
                "{site}docs/elements/smartrecruiters/api-documentation.html"
            ));
            if dark {
                d.js("document.documentElement.setAttribute('data-theme', 'dark'); return 1;");
            }
            // The reference is there, styled, and wider than nothing.
            let state = d.js(
                "var op = document.querySelector('.ed-api-op');\
                 var badge = document.querySelector('.ed-api-method');\
                 var s = getComputedStyle(badge);\
                 return {op: op ? op.getBoundingClientRect().width : 0,\
                         right: Math.max.apply(null, Array.from(document.querySelectorAll('.ed-api-op, .ed-api table'))\
                                   .map(function (e) { return e.getBoundingClientRect().right; })),\
                         inner: window.innerWidth, scroll: document.documentElement.scrollWidth,\
                         fg: s.color, bg: s.backgroundColor,\
                         page: getComputedStyle(document.body).backgroundColor};",
            );
            let inner = state["inner"].as_f64().unwrap();
            assert!(state["op"].as_f64().unwrap() > 200.0, "{state}");
            // Nothing wider than the screen: no sideways scrolling on a phone.
            assert!(
                state["scroll"].as_f64().unwrap() <= inner,
                "{width} {dark}: {state}"
            );
            assert!(
                state["right"].as_f64().unwrap() <= inner,
                "{width} {dark}: {state}"
            );
            // The method badge's text reads (WCAG AA), and dark mode is dark.
            let fg = state["fg"].as_str().unwrap();
            let bg = state["bg"].as_str().unwrap();
            assert!(contrast(fg, bg) >= 4.5, "{width} {dark}: {state}");
            assert_eq!(
                luminance(state["page"].as_str().unwrap()) < 0.2,
                dark,
                "{state}"
            );
            // The picture shows the first operation.
            d.js("document.querySelector('.ed-api-op').scrollIntoView(); return 1;");
            let png = d.get("/screenshot");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(png.as_str().unwrap())
                .unwrap();
            let name = format!(
                "openapi-{width}-{}.png",
                if dark { "dark" } else { "light" }
            );
            std::fs::write(shots.join(name), bytes).unwrap();
        }
    }
    // The index's links lead to their operations.
    d.post(
        "/window/rect",
        serde_json::json!({"width": 1280, "height": 900}),
    );
    d.goto(&format!(
        "{site}docs/elements/smartrecruiters/api-documentation.html"
    ));
    let moved = d.js(
        "var a = document.querySelector('.ed-api-index a[href^=\"#op-\"]');\
         a.click();\
         var t = document.getElementById(a.getAttribute('href').slice(1));\
         return {hash: location.hash, href: a.getAttribute('href'), top: t.getBoundingClientRect().top, h: window.innerHeight};",
    );
    assert_eq!(moved["hash"], moved["href"], "{moved}");
    let top = moved["top"].as_f64().unwrap();
    assert!(
        top >= 0.0 && top < moved["h"].as_f64().unwrap() / 2.0,
        "{moved}"
    );
}
