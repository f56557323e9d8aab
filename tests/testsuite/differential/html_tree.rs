//! HTML bodies as comparable trees: a forgiving tokenizer (regex for tags,
//! `html-escape` for entities; no HTML parser dependency), a tree with void
//! elements and implied end tags, and a normal form in which only what a
//! reader sees or a stylesheet selects remains: tags, attributes as a sorted
//! set, text with whitespace runs collapsed (kept verbatim inside `pre`),
//! whitespace between blocks dropped. Code blocks become one `code-block`
//! node (language, text, the author's other attributes), because Jekyll
//! highlights with rouge and elementdocs with syntect: the markup of tokens
//! differs by design, the code and its language must not.
//!
//! The normal form is printed one node per line, so a difference is a line.

use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
    Comment(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub children: Vec<Node>,
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Elements around which whitespace is not content.
const BLOCK: &[&str] = &[
    "#root",
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "code-block",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "math",
    "nav",
    "ol",
    "p",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "script",
    "style",
];

fn is_block(name: &str) -> bool {
    BLOCK.contains(&name)
}

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?s)<!--(.*?)-->|<!\[CDATA\[(.*?)\]\]>|<![^>]*>|<\?[^>]*>|</([A-Za-z][A-Za-z0-9:-]*)\s*>|<([A-Za-z][A-Za-z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(/?)>"#,
    )
    .unwrap()
});

static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"#).unwrap()
});

fn decode(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

/// Parse `html` into a tree under a `#root` element.
pub fn parse(html: &str) -> Element {
    let mut stack = vec![Element {
        name: "#root".into(),
        ..Default::default()
    }];
    let mut at = 0;
    let push_text = |stack: &mut Vec<Element>, t: &str| {
        if !t.is_empty() {
            stack
                .last_mut()
                .unwrap()
                .children
                .push(Node::Text(decode(t)));
        }
    };
    while at < html.len() {
        let top = stack.last().unwrap().name.clone();
        // Raw text: everything up to the matching end tag.
        if top == "script" || top == "style" {
            let close = format!("</{top}");
            let end = html[at..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |i| at + i);
            let raw = html[at..end].to_string();
            stack.last_mut().unwrap().children.push(Node::Text(raw));
            at = html[end..].find('>').map_or(html.len(), |i| end + i + 1);
            close_to(&mut stack, &top);
            continue;
        }
        let Some(m) = TOKEN.captures_at(html, at) else {
            push_text(&mut stack, &html[at..]);
            break;
        };
        let whole = m.get(0).unwrap();
        push_text(&mut stack, &html[at..whole.start()]);
        at = whole.end();
        if let Some(c) = m.get(1) {
            stack
                .last_mut()
                .unwrap()
                .children
                .push(Node::Comment(c.as_str().to_string()));
        } else if let Some(c) = m.get(2) {
            push_text(&mut stack, c.as_str());
        } else if let Some(end) = m.get(3) {
            close_to(&mut stack, &end.as_str().to_ascii_lowercase());
        } else if let Some(name) = m.get(4) {
            let name = name.as_str().to_ascii_lowercase();
            let mut el = Element {
                name: name.clone(),
                ..Default::default()
            };
            for a in ATTR.captures_iter(m.get(5).map_or("", |a| a.as_str())) {
                let v = a
                    .get(2)
                    .or(a.get(3))
                    .or(a.get(4))
                    .map_or("", |v| v.as_str());
                let name = a[1].to_ascii_lowercase();
                let mut v = decode(v);
                if name == "href" || name == "src" {
                    // A browser sends a space in a URL as %20: the same link.
                    v = v.replace(' ', "%20");
                }
                el.attrs.insert(name, v);
            }
            imply_end(&mut stack, &name);
            let self_closing = !m[6].is_empty() || VOID.contains(&name.as_str());
            if self_closing {
                stack.last_mut().unwrap().children.push(Node::Element(el));
            } else {
                stack.push(el);
            }
        }
    }
    while stack.len() > 1 {
        pop(&mut stack);
    }
    stack.pop().unwrap()
}

fn pop(stack: &mut Vec<Element>) {
    let el = stack.pop().unwrap();
    stack.last_mut().unwrap().children.push(Node::Element(el));
}

/// An end tag closes up to its open element; a stray one is ignored.
fn close_to(stack: &mut Vec<Element>, name: &str) {
    if let Some(i) = stack.iter().rposition(|e| e.name == name) {
        if i > 0 {
            while stack.len() > i {
                pop(stack);
            }
        }
    }
}

/// The end tags HTML lets authors leave out (`<p>` before a block, `<li>`
/// before the next `<li>`...).
fn imply_end(stack: &mut Vec<Element>, name: &str) {
    let top = stack.last().unwrap().name.as_str();
    let closes = match top {
        "p" => is_block(name) && name != "code-block",
        "li" => name == "li",
        "dt" | "dd" => name == "dt" || name == "dd",
        "td" | "th" => name == "td" || name == "th" || name == "tr",
        "tr" => name == "tr",
        _ => false,
    };
    if closes {
        pop(stack);
    }
}

/// The normal form of a body (see the module doc).
pub fn normalize(mut root: Element) -> Element {
    undo_inline_tables(&mut root);
    let mut root = code_blocks(root);
    whitespace(&mut root, false);
    root
}

fn text_of(el: &Element, out: &mut String) {
    for c in &el.children {
        match c {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let cls = e.attrs.get("class").map_or("", String::as_str);
                if cls.split_whitespace().any(|c| c == "rouge-gutter") {
                    continue;
                }
                if e.name == "br" {
                    out.push('\n');
                }
                text_of(e, out);
            }
            Node::Comment(_) => {}
        }
    }
}

/// Jekyll bug kept out of the comparison (bugs.yml, `*`): with the
/// portal's `line_numbers: true`, kramdown renders inline code as a
/// line-number table; the author wrote plain code text.
fn undo_inline_tables(el: &mut Element) {
    for c in &mut el.children {
        if let Node::Element(e) = c {
            if e.name == "code" {
                rouge_inline_classes(e);
            }
            if e.name == "code"
                && e.children
                    .iter()
                    .any(|n| matches!(n, Node::Element(t) if t.name == "table"))
            {
                let mut t = String::new();
                text_of(e, &mut t);
                e.children = vec![Node::Text(t.trim_matches('\n').to_string())];
            } else if e.name != "pre" {
                undo_inline_tables(e);
            }
        }
    }
}

/// rouge marks inline code `language-plaintext highlighter-rouge`: its
/// markup, as its token spans are (bugs.yml, `*`); an author's class stays.
fn rouge_inline_classes(code: &mut Element) {
    let kept: Vec<String> = classes(code)
        .into_iter()
        .filter(|c| c != "highlighter-rouge" && c != "language-plaintext")
        .collect();
    if kept.is_empty() {
        code.attrs.remove("class");
    } else {
        code.attrs.insert("class".into(), kept.join(" "));
    }
}

fn classes(el: &Element) -> Vec<String> {
    el.attrs
        .get("class")
        .map(|c| c.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

/// The `language-x` class of a code block's wrapper, `pre` or `code`.
fn language(chain: &[&Element]) -> String {
    for el in chain {
        for c in classes(el) {
            if let Some(l) = c.strip_prefix("language-") {
                return if matches!(l, "plaintext" | "text" | "plain") {
                    String::new()
                } else {
                    l.to_string()
                };
            }
        }
    }
    String::new()
}

fn is_rouge_wrapper(el: &Element) -> bool {
    el.name == "div"
        && classes(el)
            .iter()
            .any(|c| c == "highlighter-rouge" || c == "highlight")
        && el
            .children
            .iter()
            .filter(|n| matches!(n, Node::Element(_)))
            .count()
            == 1
}

/// Turn every code block (a `pre`, with the wrappers rouge puts around it)
/// into `<code-block lang=...>code</code-block>`, keeping the other
/// attributes the author set (an IAL's class or id).
fn code_blocks(el: Element) -> Element {
    if is_rouge_wrapper(&el) || el.name == "pre" {
        let mut chain = vec![];
        let mut cur = &el;
        loop {
            chain.push(cur);
            if cur.name == "pre" {
                break;
            }
            match cur.children.iter().find_map(|n| match n {
                Node::Element(e) => Some(e),
                _ => None,
            }) {
                Some(e) if e.name == "pre" || is_rouge_wrapper(e) => cur = e,
                _ => return descend(el),
            }
        }
        let pre = *chain.last().unwrap();
        let mut code = String::new();
        text_of(pre, &mut code);
        let inner: Vec<&Element> = pre
            .children
            .iter()
            .filter_map(|n| match n {
                Node::Element(e) if e.name == "code" => Some(e),
                _ => None,
            })
            .collect();
        let lang = language(
            &chain
                .iter()
                .copied()
                .chain(inner.iter().copied())
                .collect::<Vec<_>>(),
        );
        let mut attrs = BTreeMap::new();
        let mut kept = vec![];
        for e in chain.iter().chain(inner.iter()) {
            for (k, v) in &e.attrs {
                if k == "class" {
                    kept.extend(classes(e).into_iter().filter(|c| {
                        !(c == "highlight"
                            || c == "highlighter-rouge"
                            || c.starts_with("language-"))
                    }));
                } else {
                    attrs.insert(k.clone(), v.clone());
                }
            }
        }
        kept.sort();
        kept.dedup();
        if !kept.is_empty() {
            attrs.insert("class".into(), kept.join(" "));
        }
        attrs.insert("lang".into(), lang);
        return Element {
            name: "code-block".into(),
            attrs,
            children: vec![Node::Text(norm_code(&code))],
        };
    }
    descend(el)
}

fn descend(mut el: Element) -> Element {
    el.children = std::mem::take(&mut el.children)
        .into_iter()
        .map(|n| match n {
            Node::Element(e) => Node::Element(code_blocks(e)),
            other => other,
        })
        .collect();
    el
}

/// Code text without what is not content: trailing spaces, blank lines at
/// either end.
fn norm_code(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |i| i + 1);
    lines[first..last].join("\n")
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.chars() {
        // Only HTML's whitespace: a no-break space is content.
        if matches!(ch, ' ' | '\t' | '\n' | '\r' | '\x0c') {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(ch);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

fn block_at(children: &[Node], i: Option<usize>, parent_block: bool) -> bool {
    match i.and_then(|i| children.get(i)) {
        None => parent_block,
        Some(Node::Element(e)) => is_block(&e.name) || e.name == "br",
        Some(Node::Comment(_)) => true,
        Some(Node::Text(_)) => false,
    }
}

fn whitespace(el: &mut Element, in_pre: bool) {
    let pre = in_pre || el.name == "pre" || el.name == "code-block";
    if !pre {
        // Adjacent texts (split by a dropped node) are one text.
        let mut merged: Vec<Node> = vec![];
        for n in std::mem::take(&mut el.children) {
            match (merged.last_mut(), n) {
                (Some(Node::Text(a)), Node::Text(b)) => a.push_str(&b),
                (_, n) => merged.push(n),
            }
        }
        let parent_block = is_block(&el.name);
        let n = merged.len();
        let mut out = vec![];
        for i in 0..n {
            if let Node::Text(t) = &merged[i] {
                let mut t = collapse(t);
                if block_at(&merged, i.checked_sub(1), parent_block) {
                    t = t.trim_start().to_string();
                }
                if block_at(&merged, Some(i + 1).filter(|&j| j < n), parent_block) {
                    t = t.trim_end().to_string();
                }
                if !t.is_empty() {
                    out.push(Node::Text(t));
                }
            } else {
                out.push(merged[i].clone());
            }
        }
        el.children = out;
    }
    for c in &mut el.children {
        match c {
            Node::Element(e) => whitespace(e, pre),
            Node::Comment(t) => *t = collapse(t).trim().to_string(),
            Node::Text(_) => {}
        }
    }
}

/// One node per line, indented by depth.
pub fn print(el: &Element) -> Vec<String> {
    let mut out = vec![];
    print_into(el, 0, &mut out);
    out
}

fn print_into(el: &Element, depth: usize, out: &mut Vec<String>) {
    let pad = "  ".repeat(depth);
    for c in &el.children {
        match c {
            Node::Text(t) => out.push(format!("{pad}{t:?}")),
            Node::Comment(t) => out.push(format!("{pad}<!--{t}-->")),
            Node::Element(e) => {
                let mut line = format!("{pad}<{}", e.name);
                for (k, v) in &e.attrs {
                    let v = if k == "class" {
                        let mut c: Vec<&str> = v.split_whitespace().collect();
                        c.sort();
                        c.join(" ")
                    } else {
                        v.clone()
                    };
                    line.push_str(&format!(" {k}={v:?}"));
                }
                line.push('>');
                out.push(line);
                print_into(e, depth + 1, out);
            }
        }
    }
}

/// The normal form of `html`, printed.
pub fn canonical(html: &str) -> Vec<String> {
    print(&normalize(parse(html)))
}

#[test]
fn whitespace_between_blocks_is_not_content_inside_text_it_is() {
    assert_eq!(
        canonical("<p>a  <em>b</em>\n c</p>\n\n<ul>\n<li>x</li>\n</ul>"),
        canonical("<p>a <em>b</em> c</p><ul><li>x</li></ul>")
    );
    assert_ne!(
        canonical("<p>a<em>b</em></p>"),
        canonical("<p>a <em>b</em></p>")
    );
    assert_eq!(
        canonical("<p class=\"b a\" id=x>&amp;&#8211;</p>"),
        canonical("<p id=\"x\" class=\"a b\">&–</p>")
    );
}

#[test]
fn code_blocks_compare_by_language_and_text() {
    let rouge = "<div class=\"language-ruby highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code><table class=\"rouge-table\"><tbody><tr><td class=\"rouge-gutter gl\"><pre class=\"lineno\">1\n</pre></td><td class=\"rouge-code\"><pre><span class=\"nb\">puts</span> 1\n</pre></td></tr></tbody></table></code></pre></div></div>";
    let ours = "<pre class=\"highlight language-ruby\"><code class=\"language-ruby\"><span class=\"hl-x\">puts</span> 1\n</code></pre>";
    assert_eq!(canonical(rouge), canonical(ours));
    assert_ne!(canonical(rouge), canonical(&ours.replace("ruby", "python")));
}
