//! Tests of the Liquid stage. Expected values follow Liquid 4 / Jekyll 4.3
//! semantics (checked against the installed jekyll where noted).

use super::*;
use serde_json::json;
use std::fs;

/// A throwaway site: root with `_includes/` and the given files.
struct Site {
    dir: tempfile::TempDir,
    eng: LiquidEngine,
}

fn site(files: &[(&str, &str)]) -> Site {
    site_with(files, false)
}

fn site_with(files: &[(&str, &str)], strict: bool) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    fs::create_dir_all(root.join("_includes")).unwrap();
    for (p, t) in files {
        let f = root.join(p);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, t).unwrap();
    }
    let site = json!({
        "url": "https://example.com",
        "baseurl": "/docs",
        "console": "Cloud Elements",
        "data": {"glossary": {"element-auth-name": "Name of the instance"}}
    });
    let md: MarkdownifyFn = Arc::new(|s: &str| format!("<p>{}</p>\n", s.trim()));
    let eng = LiquidEngine::new(root.clone(), root.join("_includes"), site, md, strict);
    Site { dir, eng }
}

fn page() -> Value {
    json!({"heading": "Box", "elementKey": "box", "title": "Authenticate", "n": 3,
           "tags": ["b", "a", "c"], "empty": "", "f": false, "url": "/x/y.html"})
}

impl Site {
    fn expand_at(&self, rel: &str, body: &str) -> Result<Expanded, Vec<Diagnostic>> {
        let p = page();
        let input = PageInput {
            rel: Path::new(rel),
            text: body,
            body_offset: 0,
            page: &p,
        };
        self.eng.expand(&input)
    }
    fn expand(&self, body: &str) -> Result<Expanded, Vec<Diagnostic>> {
        self.expand_at("docs/p.md", body)
    }
    fn ok(&self, body: &str) -> String {
        match self.expand(body) {
            Ok(e) => e.text,
            Err(d) => panic!(
                "{body:?} failed:\n{}",
                d.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
    fn errs(&self, body: &str) -> String {
        match self.expand(body) {
            Ok(e) => panic!("{body:?} should fail, gave {:?}", e.text),
            Err(d) => d
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
    fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// Each case expands to the expected text, with and without constant folding.
fn check(cases: &[(&str, &str)]) {
    let s = site(&[]);
    let mut unfolded = site(&[]);
    unfolded.eng.fold = false;
    for (src, want) in cases {
        assert_eq!(s.ok(src), *want, "for {src:?}");
        assert_eq!(unfolded.ok(src), *want, "unfolded, for {src:?}");
    }
}

#[test]
fn outputs_and_lookups() {
    check(&[
        ("plain {text} }} here", "plain {text} }} here"),
        ("{{ page.heading }}", "Box"),
        ("a{{page.elementKey}}b", "aboxb"),
        (
            "{{ site.data.glossary.element-auth-name }}",
            "Name of the instance",
        ),
        (
            "{{ page.tags[1] }} {{ page.tags.first }} {{ page.tags.last }} {{ page.tags.size }}",
            "a b c 3",
        ),
        ("{{ page.tags }}", "bac"),
        (
            "{{ 'lit' }} {{ 12 }} {{ 1.5 }} {{ true }} {{ nil }}|",
            "lit 12 1.5 true |",
        ),
        (
            "{# not a tera comment #} {{ page.n }}",
            "{# not a tera comment #} 3",
        ),
        ("{{ \"{%\" }}", "{%"),
    ]);
}

#[test]
fn filters_follow_liquid() {
    check(&[
        ("{{ 'a-b-c' | replace: '-', '+' }}", "a+b+c"),
        ("{{ 'x' | prepend: 'a' | append: 'z' }}", "axz"),
        ("{{ 'a,b,,c,,' | split: ',' | join: '|' }}", "a|b||c"),
        ("{{ '  a  b ' | split: ' ' | size }}", "2"),
        ("{{ '<a href=\"x\">&' | escape }}", "&lt;a href=&quot;x&quot;&gt;&amp;"),
        ("{{ page.tags | sort | join: ',' }}", "a,b,c"),
        ("{{ 'AbC' | downcase }}{{ 'AbC' | upcase }}", "abcABC"),
        ("{{ page.nope | default: 'd' }}{{ page.empty | default: 'e' }}{{ page.f | default: 'f' }}", "def"),
        ("{{ 'héllo' | size }}", "5"),
        ("{{ page.tags | first }}{{ page.tags | last }}", "bc"),
        ("{{ '  x \n' | strip }}|", "x|"),
        ("{{ 'a/b' | relative_url }} {{ '/a' | absolute_url }}", "/docs/a/b https://example.com/docs/a"),
        ("{{ 'http://x.org/a' | relative_url }}", "http://x.org/a"),
        ("{{ page.tags | jsonify }}", "[\"b\",\"a\",\"c\"]"),
        ("{{ 'Hello, World! (v2)' | slugify }}", "hello-world-v2"),
        ("{{ '*x*' | markdownify }}", "<p>*x*</p>\n"),
        ("{{ '2017-03-04' | date: '%Y/%m/%d %b' }}", "2017/03/04 Mar"),
        ("{{ 5 | plus: 2 }} {{ 5 | minus: 7 }} {{ 7 | divided_by: 2 }}", "7 -2 3"),
    ]);
}

#[test]
fn truthiness_is_liquids() {
    check(&[
        // Only nil and false are falsy: "", 0 and [] are truthy.
        ("{% if page.empty %}y{% else %}n{% endif %}", "y"),
        ("{% if 0 %}y{% endif %}", "y"),
        ("{% if page.f %}y{% else %}n{% endif %}", "n"),
        ("{% if page.nope %}y{% else %}n{% endif %}", "n"),
        ("{% unless page.nope %}u{% endunless %}", "u"),
        ("{% unless page.heading %}u{% else %}e{% endunless %}", "e"),
        ("{% if page.n == 3 and page.heading == 'Box' %}y{% endif %}", "y"),
        ("{% if page.n == 4 or page.heading == 'Box' %}y{% endif %}", "y"),
        // `and`/`or` group to the right: false and (false or true) = false.
        ("{% if false and false or true %}y{% else %}n{% endif %}", "n"),
        ("{% if page.nope == nil %}y{% endif %}{% if page.nope != null %}z{% endif %}", "y"),
        ("{% if page.heading contains 'o' %}y{% endif %}{% if page.tags contains 'a' %}z{% endif %}", "yz"),
        ("{% if page.empty == empty %}y{% endif %}", "y"),
        ("{% if page.n > 2 %}a{% elsif page.n > 1 %}b{% else %}c{% endif %}", "a"),
        ("{% if page.n > 5 %}a{% elsif page.n > 1 %}b{% else %}c{% endif %}", "b"),
    ]);
}

#[test]
fn loops_case_assign_capture() {
    check(&[
        ("{% for t in page.tags %}{{ forloop.index }}{{ t }}{% unless forloop.last %},{% endunless %}{% endfor %}", "1b,2a,3c"),
        ("{% for t in page.tags %}{{ forloop.index0 }}{{ forloop.rindex }}{{ forloop.length }}{% if forloop.first %}F{% endif %}{% endfor %}", "033F123213"),
        ("{% for t in page.tags limit:2 offset:1 %}{{ t }}{% endfor %}", "ac"),
        ("{% for t in page.tags reversed %}{{ t }}{% endfor %}", "cab"),
        ("{% for i in (1..3) %}{{ i }}{% endfor %}", "123"),
        ("{% for t in page.nope %}x{% else %}none{% endfor %}", "none"),
        ("{% for t in page.tags %}{% if t == 'a' %}{% break %}{% endif %}{{ t }}{% endfor %}", "b"),
        ("{% case page.n %}{% when 1, 2 %}low{% when 3 %}three{% else %}other{% endcase %}", "three"),
        ("{% case page.heading %}{% when 'x' %}x{% else %}other{% endcase %}", "other"),
        ("{% assign x = page.heading | upcase %}{{ x }}", "BOX"),
        ("{% assign l = 'a,b' | split: ',' %}{% for i in l %}[{{ l[forloop.index0] }}]{% endfor %}", "[a][b]"),
        ("{% capture c %}<{{ page.heading }}>{% if page.n %}n{% endif %}{% endcapture %}={{ c }}=", "=<Box>n="),
        ("{% for t in page.tags %}{% assign last = t %}{% endfor %}{{ last }}", "c"),
        ("{% for page in page.tags %}{{ page }}{% endfor %}", "bac"),
        ("{% raw %}{{ page.heading }}{% endraw %}", "{{ page.heading }}"),
        ("a{% comment %}{{ nope }}{% if %}{% endcomment %}b", "ab"),
    ]);
}

#[test]
fn whitespace_control() {
    check(&[
        ("a  \n  {%- if true -%}  \n b {%- endif %}\n", "ab\n"),
        ("a \n{{- page.n -}}\n b", "a3b"),
        ("a\n{% if true %}\nb\n{% endif %}\nc", "a\n\nb\n\nc"),
        ("x {%- comment -%} y {%- endcomment -%} z", "xz"),
        // A block holding only whitespace and assigns prints nothing (Liquid's blank rule).
        (
            "a {% if true %} {% assign y = 1 %} \n {% endif %} b",
            "a  b",
        ),
        (
            "a {% for t in page.tags %} {% assign y = t %} {% endfor %} b{{ y }}",
            "a  bc",
        ),
        ("a {% if true %} {{ page.n }} {% endif %} b", "a  3  b"),
    ]);
}

#[test]
fn assign_with_braces_inside_a_string_is_one_tag() {
    // Liquid's tokenizer ends a tag at the first `%}`, so `{{` inside a quoted
    // string of a tag is text (Jekyll prints it literally).
    check(&[(
        "{% assign e = '{\"a\":{{x y}}}' %}{{ e }}",
        "{\"a\":{{x y}}}",
    )]);
}

#[test]
fn includes_with_params() {
    let s = site(&[
        (
            "_includes/note.html",
            "<b>Note:</b> {{include.content}}</div>\n",
        ),
        (
            "_includes/callout.html",
            "[{{ include.type }}|{{ include.content }}]",
        ),
        (
            "_includes/outer.html",
            "O({% include callout.html type=include.t content=\"in\" %})",
        ),
        ("_includes/p-box.html", "named by page"),
        ("docs/includes/rel.md", "rel {{ page.heading }}"),
        ("docs/box-postman.html", "postman"),
    ]);
    assert_eq!(
        s.ok("{% include note.html content=\"hi\" %}"),
        "<b>Note:</b> hi</div>\n"
    );
    assert_eq!(
        s.ok("{% include callout.html content='a \"q\"' type=\"info\" %}"),
        "[info|a \"q\"]"
    );
    assert_eq!(
        s.ok("{% include callout.html content=page.heading type=3 %}"),
        "[3|Box]"
    );
    assert_eq!(s.ok("{% include outer.html t='w' %}"), "O([w|in])");
    assert_eq!(
        s.ok("{% include p-{{page.elementKey}}.html %}"),
        "named by page"
    );
    assert_eq!(
        s.ok("{% include callout.html content=\"Use {{ page.heading | upcase }} now\" type=x %}"),
        "[|Use BOX now]"
    );
    assert_eq!(s.ok("{% include_relative includes/rel.md %}"), "rel Box");
    assert_eq!(
        s.ok("{% include_relative {{page.elementKey}}-postman.html %}"),
        "postman"
    );
    let e = s
        .expand("{% include note.html content='x' %}{% include_relative includes/rel.md %}")
        .unwrap();
    assert_eq!(
        e.deps,
        vec![
            PathBuf::from("_includes/note.html"),
            PathBuf::from("docs/includes/rel.md")
        ]
    );
    // Parameters of one include do not leak into the next.
    assert_eq!(s.ok("{% include callout.html type='a' content='b' %}{% include callout.html content='c' type='d' %}"), "[a|b][d|c]");
}

#[test]
fn include_files_keep_their_bytes_but_not_a_bom() {
    let s = site(&[
        ("_includes/crlf.md", "a\r\nb\r\n"),
        ("_includes/bom.md", "\u{feff}x {{ page.n }}"),
    ]);
    assert_eq!(s.ok("{% include crlf.md %}|"), "a\r\nb\r\n|");
    assert_eq!(s.ok("{% include bom.md %}"), "x 3");
    fs::write(s.root().join("_includes/bin.md"), [0xff, 0xfe, 0x00]).unwrap();
    assert!(s.errs("{% include bin.md %}").contains("not UTF-8"));
}

#[test]
fn include_inside_a_loop_sees_the_loop() {
    let s = site(&[("_includes/item.html", "<{{ include.v }}>")]);
    assert_eq!(
        s.ok("{% for t in page.tags %}{% include item.html v=t %}{% endfor %}"),
        "<b><a><c>"
    );
}

#[test]
fn highlight_becomes_a_fence() {
    check(&[(
        "a\n{% highlight JSON %}\n{\"k\": \"{{ page.heading }}\"}\n{% endhighlight %}\nb",
        "a\n\n```json\n{\"k\": \"Box\"}\n```\n\nb",
    )]);
}

#[test]
fn runaway_nesting_is_an_error_not_a_crash() {
    let s = site(&[("_includes/self.html", "{% include self.html %}")]);
    let deep = "{% if true %}".repeat(5000);
    let e = s.errs(&deep);
    assert!(e.contains("nested more than"), "{e}");
    assert_eq!(e.matches("error:").count(), 1, "{e}");
    assert!(s.errs("{% include self.html %}").contains("include cycle"));
}

#[test]
fn deep_nesting_works() {
    let mut files = vec![];
    let names: Vec<String> = (0..30).map(|i| format!("_includes/d{i}.html")).collect();
    let bodies: Vec<String> = (0..30)
        .map(|i| {
            if i < 29 {
                format!("{i}{{% include d{}.html %}}", i + 1)
            } else {
                "end".into()
            }
        })
        .collect();
    for i in 0..30 {
        files.push((names[i].as_str(), bodies[i].as_str()));
    }
    let s = site(&files);
    let want: String = (0..29).map(|i| i.to_string()).collect::<String>() + "end";
    assert_eq!(s.ok("{% include d0.html %}"), want);
}

#[test]
fn dbg_one() {
    let s = site(&[]);
    if let Ok(x) = std::env::var("LQ_DBG") {
        eprintln!("=> {:?}", s.expand(&x).map(|e| e.text));
    }
}

// ---- errors and warnings (insta snapshots of the rendered diagnostics) ----

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
    // 99 levels, each inside an `if` and a `for`, on a default 2 MB test thread.
    let n = 99;
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
        out.starts_with("0,1,2,") && out.ends_with("98,end"),
        "{out}"
    );
    // One level more than the limit is an error, not a crash.
    let mut files = files.clone();
    let extra = "{% include d0.html %}".to_string();
    files.push(("_includes/top.html", extra.as_str()));
    let s = site(&files);
    let e = s.errs("{% include top.html %}");
    assert!(e.contains("nested more than"), "{e}");
    // 100 files each nesting 90 blocks: bounded by the combined limit.
    let names: Vec<String> = (0..=100).map(|i| format!("_includes/b{i}.html")).collect();
    let bodies: Vec<String> = (0..=100)
        .map(|i| {
            format!(
                "{}{{% include b{}.html %}}{}",
                "{% if true %}".repeat(90),
                i + 1,
                "{% endif %}".repeat(90)
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

/// Every Liquid file of the corpus (when present beside the repository) parses.
#[test]
fn corpus_files_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/devportal");
    let root = if root.exists() {
        root
    } else {
        PathBuf::from("/work/shared/corpus/devportal")
    };
    if !root.exists() {
        return;
    }
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
