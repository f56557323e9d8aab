//! Tests of the Liquid stage's diagnostics (insta snapshots of the rendered
//! messages) and of its robustness: path escapes, nesting limits, large and
//! random input.

use super::tests::{page, site, site_with};
use super::*;
use std::fs;

fn snap_errs(name: &str, files: &[(&str, &str)], body: &str) {
    let s = site(files);
    insta::assert_snapshot!(name, s.errs(body));
}

#[test]
fn error_unknown_tag() {
    snap_errs(
        "unknown_tag",
        &[],
        "text\n{% fro t in page.tags %}x{% endfor %}\n",
    );
}

#[test]
fn error_unknown_filter() {
    snap_errs("unknown_filter", &[], "# T\n\n{{ page.heading | upcse }}\n");
}

#[test]
fn error_unclosed_blocks() {
    snap_errs("unclosed_if", &[], "a\n{% if page.n %}\nb\n");
    snap_errs(
        "unclosed_for",
        &[],
        "{% for t in page.tags %}\n{% if t %}x{% endif %}\n",
    );
    snap_errs("stray_end", &[], "a\n{% endif %}\n{% else %}\n");
}

#[test]
fn all_errors_of_a_page_are_reported() {
    snap_errs(
        "several_errors",
        &[],
        "{{ page.heading | nope }}\n{% bogus %}\n{% include missing.html %}\n{% for x in %}{% endfor %}\n{{ unterminated \n",
    );
}

#[test]
fn error_missing_include() {
    snap_errs(
        "missing_include",
        &[("_includes/note.html", "n")],
        "Intro\n\n{% include nte.html content=\"x\" %}\n",
    );
}

#[test]
fn error_include_cycle_shows_chain() {
    snap_errs(
        "include_cycle",
        &[
            ("_includes/a.html", "A {% include b.html %}"),
            ("_includes/b.html", "B\n{% include a.html %}"),
        ],
        "{% include a.html %}\n",
    );
}

#[test]
fn error_inside_include_names_include_and_chain() {
    snap_errs(
        "error_in_include",
        &[
            ("_includes/outer.html", "line1\n{% include inner.md %}\n"),
            (
                "_includes/inner.md",
                "ok\n{% if include.x %}\nnever closed\n",
            ),
        ],
        "# Page\n{% include outer.html %}\n",
    );
}

#[test]
fn paths_leaving_the_root_are_refused() {
    let outside = tempfile::Builder::new()
        .prefix("outside")
        .tempdir()
        .unwrap();
    fs::write(outside.path().join("secret.txt"), "SECRET").unwrap();
    let s = site(&[]);
    fs::create_dir_all(s.root().join("docs")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), s.root().join("docs/link")).unwrap();
    for body in [
        "{% include_relative ../../etc/passwd %}",
        "{% include ../secret.txt %}",
        "{% include_relative link/secret.txt %}",
    ] {
        let e = s.errs(body);
        assert!(!e.contains("SECRET"), "{e}");
        assert!(e.contains("error:"), "{e}");
    }
    let abs = format!(
        "{{% include_relative {} %}}",
        outside.path().join("secret.txt").display()
    );
    let e = s.errs(&abs);
    assert!(e.contains("leaves the source root"), "{e}");
    #[cfg(unix)]
    {
        let e = s.errs("{% include_relative link/secret.txt %}");
        assert!(e.contains("leaves the source root"), "{e}");
    }
    insta::assert_snapshot!(
        "path_escape",
        s.errs("x\n{% include_relative ../../etc/passwd %}")
    );
}

#[test]
fn undefined_variable_is_a_warning_with_did_you_mean() {
    let s = site(&[("_includes/c.html", "[{{ include.contnet }}]")]);
    let e = s
        .expand("{{ page.elementkey }}|{{ site.data.glossary.element-auth-nam }}|{{ nothing }}|{% include c.html content='x' %}")
        .unwrap();
    assert_eq!(e.text, "|||[]");
    let w: Vec<String> = e.warnings.iter().map(|d| d.to_string()).collect();
    insta::assert_snapshot!("undefined_warnings", w.join("\n"));
    // Tests of definedness in conditions and `default` are not warned about.
    let e = s
        .expand("{% if page.nope %}{% endif %}{{ page.nope | default: 'x' }}")
        .unwrap();
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    // --strict makes them errors.
    let strict = site_with(&[], true);
    assert!(strict.expand("{{ page.elementkey }}").is_err());
}

#[test]
fn include_parses_once_per_build() {
    let s = site(&[("_includes/n.html", "one")]);
    assert_eq!(s.ok("{% include n.html %}"), "one");
    // Changing the file does not change the cached parse until the cache is cleared.
    fs::write(s.root().join("_includes/n.html"), "two").unwrap();
    assert_eq!(s.ok("{% include n.html %}"), "one");
    s.eng.clear_cache();
    assert_eq!(s.ok("{% include n.html %}"), "two");
}

#[test]
fn positions_count_from_the_page_file() {
    let s = site(&[]);
    let text = "---\ntitle: x\n---\nbody\n  {{ page.heading | bad }}\n";
    let p = page();
    let input = PageInput {
        rel: Path::new("docs/p.md"),
        text,
        body_offset: text.find("body").unwrap(),
        page: &p,
    };
    let d = s.eng.expand(&input).unwrap_err();
    assert_eq!((d[0].line, d[0].col), (5, 21));
}

/// Random Liquid-ish pages never panic and never produce a tera template that
/// fails to parse or render (that would be a translation bug, not a user error).
#[test]
fn random_templates_translate_cleanly() {
    let files = [
        (
            "_includes/n.html",
            "[{{ include.content }}{% if include.x %}x{% endif %}]",
        ),
        ("docs/r.md", "{{ page.heading }}"),
    ];
    let s = site(&files);
    // The same site with constant folding off: both paths must agree.
    let mut unfolded = site(&files);
    unfolded.eng.fold = false;
    let frags = [
        "{{ page.heading }}",
        "{{ page.tags[0] | upcase }}",
        "{{ x }}",
        "{% assign x = 'a' %}",
        "{% if x %}",
        "{% elsif page.n > 2 %}",
        "{% else %}",
        "{% endif %}",
        "{% for t in page.tags %}",
        "{% endfor %}",
        "{{ forloop.index }}",
        "{% unless x == 'b' or page.f %}",
        "{% endunless %}",
        "{% capture x %}",
        "{% endcapture %}",
        "{% case x %}",
        "{% when 'a' %}",
        "{% endcase %}",
        "{% include n.html content=\"c {{ page.n }}\" x=page.f %}",
        "{% include_relative r.md %}",
        "{% raw %}{{ }}{% endraw %}",
        "{#",
        "#}",
        "{{",
        "}}",
        "{%",
        "%}",
        "{",
        "}",
        "é",
        "\n",
        " ",
        "text",
        "\"",
        "'",
        "`",
        "{{- page.n -}}",
        "{%- if true -%}",
        "{% endif -%}",
        "\\",
        "-",
        "{{ page['a\"b'] }}",
        "{{ 'x' | replace: '\"', \"'\" }}",
        "{{ (1..3) | join: ',' }}",
        "{% break %}",
        "{% comment %}",
        "{% endcomment %}",
        "{{ page.tags | where: 'a' | size }}",
        "{{ site.data.glossary.element-auth-name | append: page.nope }}",
        "{{ 1.5 | times: -2 }}",
    ];
    let mut seed: u64 = 0x1234_5678_9ABC_DEF1;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let n = (next() % 20) as usize;
        let body: String = (0..n)
            .map(|_| frags[(next() % frags.len() as u64) as usize])
            .collect();
        let a = s.expand(&body);
        let b = unfolded.expand(&body);
        match (&a, &b) {
            (Ok(x), Ok(y)) => assert_eq!(x.text, y.text, "{body:?}"),
            (Err(_), Err(_)) => {}
            _ => panic!(
                "{body:?}: folded {:?} vs unfolded {:?}",
                a.as_ref().map(|e| &e.text),
                b.as_ref().map(|e| &e.text)
            ),
        }
        if let Err(d) = a.and(b) {
            for x in &d {
                assert!(
                    !x.message.contains("rendering the page failed"),
                    "{body:?}: {x}"
                );
            }
        }
    }
}

/// A 10 MB page (a 3 MB code block and thousands of tags) expands in bounded time.
#[test]
fn large_page_is_linear() {
    let size: usize = std::env::var("LQ_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let s = site(&[("_includes/n.html", "<b>{{ include.content }}</b>\n")]);
    let mut body = String::from("```json\n");
    while body.len() < 3_000_000 {
        body.push_str("{\"key\": \"value {x}\", \"n\": [1, 2, 3]}\n");
    }
    body.push_str("```\n");
    let mut i = 0;
    while body.len() < size {
        i += 1;
        body.push_str(&format!(
            "Line {i} of {{{{ page.heading }}}} with {{% include n.html content=\"c{i}\" %}} text.\n"
        ));
    }
    let t = std::time::Instant::now();
    let e = s.expand(&body).unwrap();
    assert!(e.text.len() > size / 2);
    assert!(t.elapsed().as_secs() < 60, "took {:?}", t.elapsed());
    eprintln!("10 MB page: {:?}", t.elapsed());
}

#[test]
fn include_relative_is_relative_to_the_page_even_inside_an_include() {
    // Jekyll resolves include_relative against the page's folder.
    let s = site(&[
        (
            "_includes/wrap.html",
            "<{% include_relative includes/part.md %}>",
        ),
        ("docs/includes/part.md", "part"),
        ("docs/p.md", "self: {% include_relative p.md %}"),
    ]);
    assert_eq!(s.ok("{% include wrap.html %}"), "<part>");
    let e = s.errs("self: {% include_relative p.md %}");
    assert!(e.contains("include cycle: docs/p.md → docs/p.md"), "{e}");
}

#[test]
fn include_nesting_limit_is_generous_and_safe() {
    // Includes as deep as the limit allows, each inside an `if` and a `for`
    // (three levels per file), on a default 2 MiB test thread.
    let n = crate::liquid::limits::MAX_NESTING / 3;
    let names: Vec<String> = (0..=n).map(|i| format!("_includes/d{i}.html")).collect();
    let bodies: Vec<String> = (0..=n)
        .map(|i| {
            if i < n {
                format!("{{% if true %}}{{% for x in (1..1) %}}{i},{{% include d{}.html %}}{{% endfor %}}{{% endif %}}", i + 1)
            } else {
                "end".into()
            }
        })
        .collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .map(|s| s.as_str())
        .zip(bodies.iter().map(|s| s.as_str()))
        .collect();
    let s = site(&files);
    let out = s.ok("{% include d0.html %}");
    assert!(
        out.starts_with("0,1,2,") && out.ends_with(&format!("{},end", n - 1)),
        "{out}"
    );
    // Two levels more than that is an error at the include tag that would
    // nest too deep, not a crash.
    let mut files = files.clone();
    let extra = "{% if true %}{% include d0.html %}{% endif %}".to_string();
    files.push(("_includes/top.html", extra.as_str()));
    let s = site(&files);
    let e = s.errs("{% include top.html %}");
    assert!(e.contains("nested more than 50 levels"), "{e}");
    assert!(
        e.starts_with(&format!("_includes/d{}.html:1:", n - 2)),
        "{e}"
    );
    assert_eq!(e.matches("error:").count(), 1, "{e}");
    // 100 files each nesting 30 blocks: bounded by the combined limit.
    let names: Vec<String> = (0..=100).map(|i| format!("_includes/b{i}.html")).collect();
    let bodies: Vec<String> = (0..=100)
        .map(|i| {
            format!(
                "{}{{% include b{}.html %}}{}",
                "{% if true %}".repeat(30),
                i + 1,
                "{% endif %}".repeat(30)
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .map(|s| s.as_str())
        .zip(bodies.iter().map(|s| s.as_str()))
        .collect();
    let s = site(&files);
    let e = s.errs("{% include b0.html %}");
    assert!(e.contains("nested more than"), "{e}");
}

/// Every Liquid file of the corpus (`../shared`, beside the crate root) parses.
#[test]
fn corpus_files_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/devportal");
    assert!(root.is_dir(), "{} not found", root.display());
    let mut bad = Vec::new();
    let mut seen = 0;
    for e in walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        let p = e.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if !["md", "html"].contains(&ext) {
            continue;
        }
        let Ok(text) = fs::read_to_string(p) else {
            continue;
        };
        seen += 1;
        let (_, errs) = parser::parse(&text, 0);
        for er in errs {
            let (l, c) = crate::diag::line_col(&text, er.offset);
            bad.push(format!(
                "{}:{l}:{c}: {}",
                p.strip_prefix(&root).unwrap().display(),
                er.message
            ));
        }
    }
    assert!(seen > 100, "only {seen} files");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
