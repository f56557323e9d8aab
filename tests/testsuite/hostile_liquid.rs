//! Hostile Liquid: pages written to make the build run forever, eat memory
//! or overflow the stack end quickly with an error at the tag that hits a
//! limit (`src/liquid/limits.rs`), and the previous output is untouched.
//! Each test builds a small site with the real binary (helpers of
//! `hardening`).

use super::hardening::{assert_breaks_at, Run, Site};
use std::time::Duration;

const HEAD: &str = "---\ntitle: Hostile\n---\n\n";

/// `docs/hostile.md` holding `body` after its front matter must fail, at
/// the line and column of the first occurrence of `tag` in the body, with a
/// message containing `says`, within 30 seconds, leaving the output as the
/// last good build wrote it.
#[track_caller]
fn assert_bounded(body: &str, tag: &str, says: &str) -> Run {
    let at = body.find(tag).expect("the tag is in the page");
    assert_bounded_at(body, at, says)
}

/// [`assert_bounded`], with the error expected at byte `at` of `body`.
#[track_caller]
fn assert_bounded_at(body: &str, at: usize, says: &str) -> Run {
    let page = format!("{HEAD}{body}");
    let at = HEAD.len() + at;
    let line = page[..at].matches('\n').count() + 1;
    let col = page[..at].rfind('\n').map_or(at, |nl| at - nl - 1) + 1;
    let place = format!("docs/hostile.md:{line}:{col}");
    let (_, run) = assert_breaks_at(|s: &Site| s.write("docs/hostile.md", &page), &place);
    assert!(
        run.elapsed < Duration::from_secs(30),
        "took {:?}",
        run.elapsed
    );
    let block = run.block(&place);
    assert!(block.contains(says), "expected `{says}` in:\n{block}");
    run
}

#[test]
fn a_loop_of_a_hundred_million_iterations_is_an_error_at_the_loop() {
    assert_bounded(
        "Before.\n\n{% for i in (1..100000000) %}x{% endfor %}\n",
        "{% for",
        "more than the 1000000",
    );
}

#[test]
fn nested_loops_share_one_budget_and_the_error_names_the_inner_loop() {
    assert_bounded(
        "{% for i in (1..2000) %}\n  {% for j in (1..2000) %}x{% endfor %}\n{% endfor %}\n",
        "{% for j",
        "iterations",
    );
}

#[test]
fn five_thousand_nested_ifs_are_an_error_at_the_first_one_too_deep() {
    let body = format!(
        "{}x{}\n",
        "{% if true %}".repeat(5000),
        "{% endif %}".repeat(5000)
    );
    // The 51st `if` is the first past the limit of 50.
    let run = assert_bounded_at(&body, 50 * "{% if true %}".len(), "nested more than 50");
    assert_eq!(run.stderr.matches(": error:").count(), 1, "{}", run.stderr);
}

#[test]
fn an_assign_doubling_a_string_hits_the_value_cap_at_the_assign() {
    assert_bounded(
        "{% assign s = \"x\" %}\n{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}\n{{ s | size }}\n",
        "{% assign s = s",
        "`append` would make a value of",
    );
}

#[test]
fn a_capture_doubling_its_text_hits_the_value_cap_at_the_capture() {
    assert_bounded(
        "{% assign s = \"x\" %}\n{% for i in (1..60) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}\n",
        "{% capture",
        "`capture` would make a value of",
    );
}

#[test]
fn a_replace_multiplying_a_string_is_refused_before_it_runs() {
    assert_bounded(
        "{% assign s = \"xxxxxxxxxxxxxxxx\" %}\n{% for i in (1..10) %}{% assign s = s | replace: \"x\", s %}{% endfor %}\n",
        "{% assign s = s",
        "`replace` would make a value of",
    );
}

#[test]
fn output_past_the_page_cap_is_an_error_at_the_loop_printing_it() {
    // A 1 MiB string (20 doublings: under the value cap), printed 100 times.
    assert_bounded(
        "{% assign s = \"x\" %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}\n{% for i in (1..100) %}{{ s }}{% endfor %}\n",
        "{% for i in (1..100)",
        "output grows past",
    );
}

#[test]
fn expressions_nested_too_deep_are_an_error_in_the_tag() {
    let cond = vec!["true"; 5000].join(" and ");
    let page = format!("{HEAD}{{% if {cond} %}}x{{% endif %}}\n");
    // At the term past the limit, on the tag's line.
    let (_, run) = assert_breaks_at(
        |s: &Site| s.write("docs/hostile.md", &page),
        "docs/hostile.md:5",
    );
    assert!(
        run.elapsed < Duration::from_secs(30),
        "took {:?}",
        run.elapsed
    );
    let block = run.block("docs/hostile.md:5");
    assert!(block.contains("expression nested more than 50"), "{block}");
}

#[test]
fn loops_and_nesting_within_the_limits_build() {
    let s = Site::jekyll();
    let deep = 45;
    let page = format!(
        "{HEAD}{}{}{}\n\n{{% for i in (1..50000) %}}{{% if i == 50000 %}}last={{{{ i }}}}{{% endif %}}{{% endfor %}}\n",
        "{% if true %}".repeat(deep),
        "deep",
        "{% endif %}".repeat(deep)
    );
    s.write("docs/fine.md", &page);
    let run = s.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = s.out_file("docs/fine.html");
    assert!(html.contains("deep"), "{html}");
    assert!(html.contains("last=50000"), "{html}");
}
