//! A small fixed site (includes in a temp folder) shared by the Liquid targets.
//! The folder is always the same one, rewritten at start, so runs leave no litter.

use elementdocs::liquid::{LiquidEngine, MarkdownifyFn};
use serde_json::json;
use std::sync::{Arc, OnceLock};

const FILES: &[(&str, &str)] = &[
    (
        "_includes/note.html",
        "<div class=\"note\" markdown=\"span\">{{ include.content }}</div>\n",
    ),
    (
        "_includes/callout.html",
        "{% if include.title %}**{{ include.title }}**{% endif %}\n{{ include.content | markdownify }}\n",
    ),
    (
        "_includes/loop.html",
        "{% for i in (1..3) %}{{ forloop.index }}{% endfor %}\n",
    ),
    (
        "_includes/nested.html",
        "{% include note.html content=include.x %}\n",
    ),
    ("_includes/self.html", "{% include self.html %}\n"),
    ("_includes/config.json", "{\"a\": \"{{ site.title }}\"}\n"),
    ("docs/part.md", "Part with {{ page.title }}\n"),
    ("docs/page.md", "---\ntitle: T\n---\nbody\n"),
];

/// The engine over the fixed site; `page.md` lives in `docs/`.
pub fn engine() -> &'static LiquidEngine {
    static ENGINE: OnceLock<LiquidEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = std::env::temp_dir().join("elementdocs-fuzz-site");
        for (rel, text) in FILES {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        let root = root.canonicalize().unwrap();
        let site = json!({
            "title": "Fuzz",
            "baseurl": "/base",
            "url": "https://example.com",
            "data": {"glossary": {"element-auth-name": "OAuth 2.0", "list": ["a", "b"]}},
        });
        let md: MarkdownifyFn = Arc::new(|s: &str| s.to_string());
        LiquidEngine::new(root.clone(), root.join("_includes"), site, md, false)
    })
}

#[allow(dead_code)] // used by `liquid`, not by `page_pipeline`
pub fn page_value() -> serde_json::Value {
    json!({
        "title": "Fuzz page",
        "elementKey": "fuzz",
        "url": "/docs/page.html",
        "path": "docs/page.md",
        "tags": ["x", "y"],
    })
}
