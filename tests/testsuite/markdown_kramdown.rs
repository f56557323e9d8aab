//! The kramdown rules of the Markdown stage, on small inputs of our own.
//! Expected ids, texts and structures come from kramdown 2.4 with the GFM
//! parser (input: GFM, auto_ids, smart_quotes lsquo,rsquo,ldquo,rdquo,
//! hard_wrap false), the configuration of the portals we read.

use elementdocs::config::MarkdownOptions;
use elementdocs::highlight::Highlighter;
use elementdocs::markdown::{self, LinkKind, Rendered};
use std::path::Path;

fn render(md: &str) -> Rendered {
    markdown::render(
        md,
        &MarkdownOptions::default(),
        &Highlighter::new(),
        Path::new("docs/page.md"),
        5,
    )
}

fn ids(r: &Rendered) -> Vec<&str> {
    r.headings.iter().map(|h| h.id.as_str()).collect()
}

#[test]
fn heading_ids_follow_kramdown_gfm() {
    let r = render(
        "# Getting Started: \"Quick\" Setup\n\n## 2. Create an `Instance`\n\n\
         ## Ünïcödé & Émojis 😀\n\n## Getting Started: \"Quick\" Setup\n\n### ...\n\n\
         #### snake_case -- vs kebab-case\n",
    );
    assert_eq!(
        ids(&r),
        [
            "getting-started-quick-setup",
            "2-create-an-instance",
            "ünïcödé--émojis-",
            "getting-started-quick-setup-1",
            "",
            "snake_case--vs-kebab-case",
        ]
    );
    assert_eq!(r.headings[0].text, "Getting Started: “Quick” Setup");
    assert_eq!(r.headings[1].text, "2. Create an Instance");
    // A heading whose id is empty has no id attribute.
    assert!(r.html.contains("<h3>…</h3>"), "{}", r.html);
    assert!(r.ids.contains(&"2-create-an-instance".to_string()));
}

#[test]
fn smart_quotes_and_dashes_outside_code() {
    let r = render(
        "\"Hello,\" she said -- it's the '90s... don't `\"quote\" -- code`.\n\n\
         ```\n\"not\" -- smart...\n```\n",
    );
    assert!(
        r.html
            .contains("“Hello,” she said – it’s the ’90s… don’t <code>\"quote\" -- code</code>."),
        "{}",
        r.html
    );
    assert!(r.html.contains("\"not\" -- smart..."), "{}", r.html);
}

#[test]
fn markdown_span_elements_render_their_content() {
    let md = "Intro.\n\n<div markdown=\"span\" class=\"alert alert-info\"><b>Note:</b> it's *important*, \
              see [Setup](setup.html) and `x--y`.</div>\n\n1. Step one.\n\n    \
              <div markdown=\"span\" class=\"note\">Use **bold** \"here\".</div>\n";
    let r = render(md);
    insta::assert_snapshot!(r.html);
    assert!(!r.html.contains("markdown="));
    let setup = r.links.iter().find(|l| l.href == "setup.html").unwrap();
    assert_eq!((setup.line, setup.col), (3, 82));
}

#[test]
fn markdown_block_elements_use_converter_ids() {
    let r = render(
        "# 1. Über “uns”\n\n<div markdown=\"1\">\n# 1. Über “uns”\n\n# 1. Über “uns”\n\n# 123\n</div>\n",
    );
    assert_eq!(ids(&r), ["1-über-uns", "ber-uns", "ber-uns-1", "section"]);
    assert!(r.html.contains("<div>"), "{}", r.html);
}

#[test]
fn fence_in_list_item_closes_at_column_zero() {
    let r = render("* First item:\n\n    ```json\n    {\"a\": \"b\"}\n```\n\n* Second item.\n");
    insta::assert_snapshot!(r.html);
    assert_eq!(r.html.matches("<li>").count(), 2);
}

#[test]
fn tables_pad_rows_and_need_blank_lines() {
    let r = render(
        "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n\n```\nx\n```\n| c | d |\n|---|---|\n| 1 | 2 |\n",
    );
    insta::assert_snapshot!(r.html);
    assert_eq!(r.html.matches("<table>").count(), 1);
}

#[test]
fn bare_list_markers_are_lazy_text() {
    let r = render("1. a\n6.\n6. b\n");
    assert_eq!(r.html.matches("<li>").count(), 2);
    assert!(r.html.contains("a\n6.</li>"), "{}", r.html);
}

#[test]
fn strong_emphasis_around_punctuation() {
    let r = render("/contacts**?where=x='y'**&z\n");
    assert!(
        r.html
            .contains("/contacts<strong>?where=x=’y’</strong>&amp;z"),
        "{}",
        r.html
    );
}

#[test]
fn code_blocks_keep_their_language_and_warn_when_unknown() {
    let r = render("Text.\n\n```no-such-language\nx\n```\n\n    indented\n");
    assert!(
        r.html.contains(
            "<pre class=\"highlight language-no-such-language\"><code class=\"language-no-such-language\">x\n</code></pre>"
        ),
        "{}",
        r.html
    );
    assert!(r
        .html
        .contains("<pre class=\"highlight\"><code>indented\n</code></pre>"));
    assert_eq!(r.warnings.len(), 1);
    let w = &r.warnings[0];
    assert_eq!((w.line, w.col), (7, 1));
    assert_eq!(
        w.message,
        "unknown code language `no-such-language`; rendered as plain text"
    );
}

#[test]
fn links_images_and_ids_from_markdown_and_raw_html() {
    let r = render(
        "See [a](a.html) and ![i](i.png).\n\n<a href=b.html id=\"top\">b</a> <img src=\"j.png\">\n",
    );
    let got: Vec<_> = r
        .links
        .iter()
        .map(|l| (l.kind, l.href.as_str(), l.line, l.col))
        .collect();
    assert_eq!(
        got,
        [
            (LinkKind::Link, "a.html", 1, 5),
            (LinkKind::Image, "i.png", 1, 21),
            (LinkKind::Link, "b.html", 3, 9),
            (LinkKind::Image, "j.png", 3, 41),
        ]
    );
    assert_eq!(r.ids, ["top"]);
}

#[test]
fn lenient_html_tags_stay_html() {
    let r = render("| a | b |\n|---|---|\n| x | <span style:\"color:red\">No</span> |\n\nAdd > <file.pdf> here.\n");
    assert!(
        r.html.contains("<span style:\"color:red\">No</span>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("Add &gt; &lt;file.pdf&gt; here."),
        "{}",
        r.html
    );
}

#[test]
fn block_html_elements_keep_their_content_raw() {
    let r = render(
        "<div class=\"x\">\n\nSome *text* with [link](x) \"q\"\n\n  <p>para</p>\n\n## Not heading\n\n</div>\n\nAfter *em*\n",
    );
    assert!(
        r.html.contains(
            "Some *text* with [link](x) \"q\"\n\n  <p>para</p>\n\n## Not heading\n\n</div>"
        ),
        "{}",
        r.html
    );
    assert!(r.html.contains("<p>After <em>em</em></p>"), "{}", r.html);
    assert!(r.links.is_empty() && r.headings.is_empty());
}

#[test]
fn explicit_heading_ids() {
    // kramdown 2.4: an explicit id is used as is and does not count as a duplicate.
    let r = render("## Setup {#custom-id}\n\n## Setup\n\n## Setup\n");
    assert_eq!(ids(&r), ["custom-id", "setup", "setup-1"]);
    assert_eq!(r.headings[0].text, "Setup");
}

#[test]
fn image_alts_are_not_part_of_heading_ids() {
    // kramdown 2.4: `## -- ![Step 2](s.png) ...` → id "--", text "– …".
    let r = render("## ![Step 1](s.png)\n\n## -- ![Step 2](s.png) ...\n");
    assert_eq!(ids(&r), ["", "--"]);
    assert_eq!(r.headings[1].text, "– …");
}

#[test]
fn pipe_lines_without_header_are_tables() {
    // kramdown 2.4: a table needs no header row; any block of `|` lines is one.
    let r = render(
        "| 404 | Not found |\n| 405 | Not `a|b` allowed |\n\n1. GET | POST\n\n2. two\n\nUse `a|b` here.\n",
    );
    insta::assert_snapshot!(r.html);
    assert_eq!(r.html.matches("<table>").count(), 2);
    // The same in a tight list, before a nested list too.
    let r = render("* GET | POST\n* two\n* a | b\n  * nested\n");
    assert_eq!(r.html.matches("<table>").count(), 2, "{}", r.html);
    assert!(r.html.contains("<td>GET</td>"), "{}", r.html);
}

#[test]
fn text_after_a_block_html_element_is_markdown() {
    // kramdown 2.4: the rest of the line after a block element or comment is a paragraph.
    let r = render(
        "<!-- c --> [a](b.html) *x*\n\n<div class=\"n\">x</div> [a](c.html) *y*\n\n\
         <div markdown=\"span\">s</div> *z* it's\n",
    );
    assert_eq!(r.links.len(), 2, "{}", r.html);
    assert!(
        r.html.contains("<em>x</em>") && r.html.contains("<em>y</em>"),
        "{}",
        r.html
    );
    assert!(r.html.contains("<em>z</em> it’s"), "{}", r.html);
    let r = render("An id.\n\n  <div class=\"arrow\"></div> '\n");
    assert!(r.html.contains("<p>’</p>"), "{}", r.html);
}

#[test]
fn span_content_has_no_blocks() {
    // kramdown 2.4: table cells and markdown="span" content are span-level only.
    let r = render(
        "| > | Greater than |\n| >= | At least |\n\n<div markdown=\"span\"># not a heading</div>\n",
    );
    assert!(r.html.contains("<td>&gt;</td>"), "{}", r.html);
    assert!(r.html.contains("<td>&gt;=</td>"), "{}", r.html);
    assert!(r.html.contains("<div># not a heading</div>"), "{}", r.html);
    assert!(r.headings.is_empty());
}

#[test]
fn escaped_quotes_stay_straight() {
    // kramdown 2.4: `\'` and `\"` are literal quotes.
    let r = render("a \\' b \\\"c\\\" it's \\\\'x'\n");
    assert!(r.html.contains("a ' b \"c\" it’s \\‘x’"), "{}", r.html);
}

#[test]
fn heading_edges_and_escapes() {
    // kramdown 2.4: whitespace around the heading text is not part of the id;
    // escaped delimiters are text (`\_` is a word character in ids).
    let r = render("# 日本 \t ##\n\n### a/b \\*\n\n### \\_x\\_ Word\n\n## *em* 100% \t\n");
    assert_eq!(ids(&r), ["日本", "ab-", "_x_-word", "em-100"]);
    assert_eq!(r.headings[1].text, "a/b *");
    assert!(r.html.contains("<em>em</em>"), "{}", r.html);
}

#[test]
fn pipes_inside_code_stay_in_their_cell() {
    // kramdown 2.4: code spans and <code> protect their pipes in table rows.
    let r = render("| a | b |\n|---|---|\n| `x|y` | c |\n| <code>p|q</code> | d |\n");
    assert!(r.html.contains("<td><code>x|y</code></td>"), "{}", r.html);
    assert!(r.html.contains("<td><code>p|q</code></td>"), "{}", r.html);
    assert_eq!(r.html.matches("<td>").count(), 4, "{}", r.html);
}

/// kramdown ends every table cell with a line break, also one whose content
/// ends in a `markdown="span"` element (an include's tip box in a cell):
/// the text of two cells stays two words.
#[test]
fn a_cell_ending_in_a_markdown_span_element_ends_its_line() {
    let r =
        render("| a | b |\n|---|---|\n| x <div markdown=\"span\" class=\"t\">`q`.</div> | N |\n");
    assert!(
        r.html.contains("<code>q</code>.</div></td>\n<td>N</td>\n"),
        "{}",
        r.html
    );
}
