//! The Liquid stage on bad input.

use super::*;

// Written against issues 2 and 7; they need the Liquid and Markdown stages.

#[test]
fn unclosed_if_is_an_error_at_the_tag() {
    let (_, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/if.md",
                "---\ntitle: x\n---\nline\n\n{% if page.title %}\nyes\n",
            )
        },
        "docs/if.md:6:1",
    );
    assert!(run.stderr.contains("if"), "{}", run.stderr);
}

#[test]
fn unclosed_for_is_an_error_at_the_tag() {
    assert_breaks_at(
        |s| {
            s.write(
                "docs/for.md",
                "---\ntitle: x\n---\nintro {% for x in page.list %}\n{{ x }}\n",
            )
        },
        "docs/for.md:4:7",
    );
}

#[test]
fn unknown_tag_is_an_error_with_a_suggestion() {
    let (s, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/tag.md",
                "---\ntitle: x\n---\n\n  {% incldue note.html %}\n",
            )
        },
        "docs/tag.md:5:3",
    );
    assert!(
        run.stderr.contains("include"),
        "did you mean: {}",
        run.stderr
    );
    insta::assert_snapshot!("unknown_tag", s.normalize(&run.block("docs/tag.md:5:3")));
}

#[test]
fn unknown_filter_is_an_error() {
    let (_, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/f.md",
                "---\ntitle: x\n---\n{{ page.title | upcaes }}\n",
            )
        },
        "docs/f.md:4",
    );
    assert!(run.stderr.contains("upcaes"), "{}", run.stderr);
}

#[test]
fn missing_include_is_an_error() {
    let (_, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/m.md",
                "---\ntitle: x\n---\ntext\n{% include nosuch.html %}\n",
            )
        },
        "docs/m.md:5:1",
    );
    assert!(run.stderr.contains("nosuch.html"), "{}", run.stderr);
}

#[test]
fn include_cycle_is_an_error_showing_the_chain() {
    let (s, run) = assert_breaks_at(
        |s| {
            s.write("_includes/a.html", "A\n{% include b.html %}\n");
            s.write("_includes/b.html", "B\n{% include a.html %}\n");
            s.write(
                "docs/cycle.md",
                "---\ntitle: x\n---\n{% include a.html %}\n",
            );
        },
        "_includes/b.html:2:1",
    );
    assert!(run.stderr.contains("a.html"), "{}", run.stderr);
    assert!(
        run.stderr.contains("docs/cycle.md:4:1"),
        "chain: {}",
        run.stderr
    );
    insta::assert_snapshot!(
        "include_cycle",
        s.normalize(&run.block("_includes/b.html:2:1"))
    );
}

#[cfg(unix)]
#[test]
fn include_relative_leaving_the_root_is_refused_and_not_read() {
    let (_, run) = assert_breaks_at(
        |s| {
            let outside = s.tmp.path().join("secret.md");
            let ok = Command::new("mkfifo").arg(&outside).status().unwrap();
            assert!(ok.success());
            s.write(
                "docs/rel.md",
                "---\ntitle: x\n---\n{% include_relative ../../secret.md %}\n",
            );
        },
        "docs/rel.md:4:1",
    );
    assert!(run.stderr.contains("outside"), "{}", run.stderr);
    // Also through a `{{ }}` path and an absolute one.
    let (_, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/rel2.md",
                "---\ntitle: x\nup: ../..\n---\n{% include_relative {{ page.up }}/etc/passwd %}\n{% include_relative /etc/passwd %}\n",
            )
        },
        "docs/rel2.md:5:1",
    );
    run.assert_error_at("docs/rel2.md:6:1");
    assert!(!run.stderr.contains("root:"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn an_include_linking_outside_the_root_is_refused_and_not_read() {
    let (s, run) = assert_breaks_at(
        |s| {
            let secret = s.tmp.path().join("secret.html");
            std::fs::write(&secret, "SECRET").unwrap();
            s.symlink("_includes/evil.html", &secret);
            s.symlink("_includes/up", s.tmp.path());
            // A FIFO: opening it would hang the build.
            let fifo = s.tmp.path().join("fifo.html");
            let ok = Command::new("mkfifo").arg(&fifo).status().unwrap();
            assert!(ok.success());
            s.symlink("_includes/fifo.html", &fifo);
            s.write(
                "docs/i.md",
                "---\ntitle: x\n---\n{% include evil.html %}\n{% include up/secret.html %}\n{% include fifo.html %}\n",
            );
        },
        "docs/i.md:4:1",
    );
    run.assert_error_at("docs/i.md:5:1");
    run.assert_error_at("docs/i.md:6:1");
    let block = run.block("docs/i.md:4:1");
    assert!(
        block.contains("outside") || block.contains("leaves"),
        "{block}"
    );
    assert!(!run.stderr.contains("SECRET"));
    assert!(!s.exp().join("docs/i.md").exists());
}

/// Found by the `liquid` fuzz target on the merged stages: a multi-byte
/// character in an include's file name panicked the parser (slicing inside a
/// character). Whether such a name is accepted (Jekyll refuses it) or refused,
/// the build must answer with a result or an error, never an internal error.
#[test]
fn a_non_ascii_include_name_is_not_a_panic() {
    let s = Site::jekyll();
    s.write("_includes/café.html", "x");
    s.write("docs/n.md", "---\ntitle: x\n---\n{% include café.html %}\n");
    let run = s.build(&[]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
    let (_, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/bom.md",
                "---\ntitle: x\n---\n{% include note.ht\u{feff}\nte %}\n",
            )
        },
        "docs/bom.md",
    );
    assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
}

/// Found by the `liquid` fuzz target on the merged stages: a variable name
/// with a multi-byte character reached tera 1.20's path lookup, which panics
/// on it. Non-ASCII front matter keys exist in docs written by many hands.
#[test]
fn a_non_ascii_variable_name_is_not_a_panic() {
    let s = Site::jekyll();
    s.write(
        "docs/v.md",
        "---\ntitle: x\ncafé: y\n---\n{{ page.café }} {{ site.données }}\n",
    );
    let run = s.build(&[]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
    if run.code == 1 {
        run.assert_error_at("docs/v.md:5");
    }
}

/// Found by the `page_pipeline` fuzz target on the merged stages: a `<`
/// followed by a multi-byte character inside an HTML block panicked the
/// Markdown stage's close-tag matcher.
#[test]
fn a_non_ascii_character_after_lt_in_an_html_block_builds() {
    let s = Site::jekyll();
    s.write("docs/h.md", "---\ntitle: x\n---\n<p>\nfoo <é\n</p>\n");
    s.write(
        "docs/h2.md",
        "---\ntitle: x\n---\n<div markdown=\"1\">\n<\u{feff}x 日本 <日\n</div>\n",
    );
    let run = s.build(&[]);
    run.assert_ok();
    assert!(s.out_file("docs/h.html").contains("foo"));
}

#[test]
fn deep_but_finite_include_nesting_builds() {
    let s = Site::jekyll();
    let depth = 40;
    for i in 0..depth {
        s.write(
            &format!("_includes/n{i}.html"),
            format!("<{i}>{{% include n{}.html %}}", i + 1),
        );
    }
    s.write(&format!("_includes/n{depth}.html"), "bottom");
    s.write("deep.md", "---\ntitle: deep\n---\n{% include n0.html %}\n");
    s.build(&[]).assert_ok();
    let exp = std::fs::read_to_string(s.exp().join("deep.md")).unwrap();
    assert!(exp.contains("<39>bottom"), "{exp}");
}

#[test]
fn undefined_variable_warns_with_did_you_mean_and_fails_under_strict() {
    let s = Site::jekyll();
    s.write(
        "docs/u.md",
        "---\ntitle: x\nelementKey: sr\n---\nKey: {{ page.elementkey }}\n",
    );
    let run = s.build(&[]);
    run.assert_ok();
    assert!(
        run.find("docs/u.md:5", "warning").is_some(),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("elementKey"),
        "did you mean: {}",
        run.stderr
    );
    insta::assert_snapshot!("undefined_variable", s.normalize(&run.block("docs/u.md:5")));
    let before = s.snapshot();
    s.write(
        "docs/u.md",
        "---\ntitle: y\nelementKey: sr\n---\nKey: {{ page.elementkey }}\n",
    );
    let run = s.build(&["--strict"]);
    run.assert_error_at("docs/u.md:5");
    assert!(s.snapshot() == before);
}

#[test]
fn unknown_code_language_warns_and_renders_plain() {
    let s = Site::jekyll();
    s.write(
        "docs/c.md",
        "---\ntitle: x\n---\ntext\n\n```nosuchlang\n<b>x</b>\n```\n",
    );
    let run = s.build(&[]);
    run.assert_ok();
    assert!(
        run.find("docs/c.md:6", "warning").is_some(),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nosuchlang"), "{}", run.stderr);
    assert!(s.out_file("docs/c.html").contains("&lt;b&gt;x&lt;/b&gt;"));
    // Under --strict it is an error (a help line is not required of warnings).
    let run = s.build(&["--strict"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.find("docs/c.md:6", "error").is_some(), "{}", run.stderr);
}

#[test]
fn liquid_errors_in_many_pages_are_all_reported() {
    let (_, run) = assert_breaks_at(
        |s| {
            s.write("a.md", "---\ntitle: x\n---\n{% if x %}\n");
            s.write("b.md", "---\ntitle: x\n---\n{{ x | nosuchfilter }}\n");
            s.write("c.md", "---\ntitle: x\n---\n{% include missing.html %}\n");
        },
        "a.md:4:1",
    );
    run.assert_error_at("b.md:4");
    run.assert_error_at("c.md:4:1");
}
