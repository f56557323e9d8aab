//! Tests of the Liquid stage. Expected values follow Liquid 4 / Jekyll 4.3
//! semantics (checked against the installed jekyll where noted).

use super::*;
use serde_json::json;
use std::fs;

/// A throwaway site: root with `_includes/` and the given files.
pub(super) struct Site {
    dir: tempfile::TempDir,
    pub(super) eng: LiquidEngine,
}

pub(super) fn site(files: &[(&str, &str)]) -> Site {
    site_with(files, false)
}

pub(super) fn site_with(files: &[(&str, &str)], strict: bool) -> Site {
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

pub(super) fn page() -> Value {
    json!({"heading": "Box", "elementKey": "box", "title": "Authenticate", "n": 3,
           "tags": ["b", "a", "c"], "empty": "", "f": false, "url": "/x/y.html"})
}

impl Site {
    pub(super) fn expand_at(&self, rel: &str, body: &str) -> Result<Expanded, Vec<Diagnostic>> {
        let p = page();
        let input = PageInput {
            rel: Path::new(rel),
            text: body,
            body_offset: 0,
            page: &p,
        };
        self.eng.expand(&input)
    }
    pub(super) fn expand(&self, body: &str) -> Result<Expanded, Vec<Diagnostic>> {
        self.expand_at("docs/p.md", body)
    }
    pub(super) fn ok(&self, body: &str) -> String {
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
    pub(super) fn errs(&self, body: &str) -> String {
        match self.expand(body) {
            Ok(e) => panic!("{body:?} should fail, gave {:?}", e.text),
            Err(d) => d
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
    pub(super) fn root(&self) -> &Path {
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
        ("{{ \"it's a/b\" | escape }}", "it&#39;s a/b"),
        ("{{ page.tags | sort | join: ',' }}", "a,b,c"),
        (
            "{% assign h = site.data.glossary | sort %}{{ h[0][0] }}={{ h[0][1] }} {{ h.size }}",
            "element-auth-name=Name of the instance 1",
        ),
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
        // Inside its body, the captured variable is still the old value (Liquid assigns at the end).
        ("{% assign s = 'ab' %}{% capture s %}{{ s }}-{{ s }}{% endcapture %}{{ s }}", "ab-ab"),
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
fn filters_as_ruby_computes_them() {
    check(&[
        ("{{ 1234.5678 | round: -2 }} {{ 1250 | round: -2 }} {{ -1250 | round: -2 }}", "1200 1300 -1300"),
        ("{{ 'ǆemal' | capitalize }} {{ 'ßa' | capitalize }}", "ǅemal Ssa"),
        ("{{ \"it's\" | xml_escape }} {{ \"it's\" | escape }}", "it&apos;s it&#39;s"),
        ("{% assign a = 'a,b' | split: ',' %}{% assign l = '' | split: '' | push: a | push: 'c' %}{{ l | join: '-' }}", "a-b-c"),
        ("{% decrement m %}{% increment m %}[{{ m }}]{% assign m = 5 %}{{ m }}", "-1-1[0]5"),
    ]);
}

#[test]
fn raw_ends_as_liquid_5_4_reads_it() {
    check(&[
        // `{%- endraw %}` does not end a raw body: it is text of it.
        (
            "x {% raw %} {{ a }} {%- endraw %} y {% endraw %} z",
            "x  {{ a }} {%- endraw %} y  z",
        ),
        // `-%}` on `raw` trims after `endraw`, never the body.
        (
            "p {% raw -%}\n  {{ b }}\n{% endraw %} q",
            "p \n  {{ b }}\nq",
        ),
        ("a {%- raw %} {{ x }} {% endraw -%} b", "a {{ x }}  b"),
        ("{% raw %}{%endraw-%}|{%raw%}{% endraw foo %}", "|"),
        // Liquid's token `{{ "{%" }}` hides its `{%`.
        ("{% raw %}{{ '{%' }} {% endraw %}", "{{ '{%' }} "),
        ("{% raw %}{{ a {% endraw %}b", "{{ a b"),
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
fn engine_is_shared_across_threads() {
    fn sync<T: Sync + Send>() {}
    sync::<LiquidEngine>();
    let s = site(&[("_includes/n.html", "<{{ include.v }}>")]);
    let outs: Vec<String> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..4)
            .map(|i| {
                let s = &s;
                sc.spawn(move || s.ok(&format!("{{% include n.html v={i} %}}")))
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(outs, ["<0>", "<1>", "<2>", "<3>"]);
}

#[test]
fn pages_with_the_same_translation_share_a_template_not_their_text() {
    let s = site(&[]);
    let a = "A long first paragraph that goes to the side table.\n{% for x in (1..2) %}{{ x }}{% endfor %}";
    let b = "Another long paragraph, different, in the side table.\n{% for x in (1..2) %}{{ x }}{% endfor %}";
    for _ in 0..2 {
        assert_eq!(
            s.ok(a),
            "A long first paragraph that goes to the side table.\n12"
        );
        assert_eq!(
            s.ok(b),
            "Another long paragraph, different, in the side table.\n12"
        );
    }
}
