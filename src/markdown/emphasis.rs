//! kramdown's looser emphasis: `**` (strong) and `*` (em) open when not
//! followed by whitespace and close when not preceded by whitespace,
//! whatever the punctuation around them (CommonMark's flanking rules reject
//! `x**?y**&z` and `*'r'*e`). The pass pairs the delimiters pulldown-cmark
//! left as literal text, within one run of inline content.

use super::sub_str;
use pulldown_cmark::{Event, Tag, TagEnd};

/// A delimiter found in a text event: (event index, byte offset in its text, width).
type Delim = (usize, usize, usize);

/// Turn literal `**…**` pairs into strong emphasis.
pub fn strong_pairs(events: &mut Vec<Event<'_>>) {
    // Most runs of content have no literal `*` left at all.
    if !events
        .iter()
        .any(|e| matches!(e, Event::Text(t) if memchr::memchr(b'*', t.as_bytes()).is_some()))
    {
        return;
    }
    let mut pairs = find_pairs(events);
    pairs.extend(lone_four(events));
    if pairs.is_empty() {
        return;
    }
    // Split points per event: (event, offset, is_open, width).
    let mut splits: Vec<(usize, usize, bool, usize)> = pairs
        .iter()
        .flat_map(|(o, c)| [(o.0, o.1, true, o.2), (c.0, c.1, false, c.2)])
        .collect();
    splits.sort_unstable();
    // Each split adds at most two events (the tag and the text after it).
    let room = events.len() + 2 * splits.len();
    let old = std::mem::replace(events, Vec::with_capacity(room));
    let mut k = 0;
    for (i, ev) in old.into_iter().enumerate() {
        if k >= splits.len() || splits[k].0 != i {
            events.push(ev);
            continue;
        }
        let Event::Text(text) = ev else {
            events.push(ev);
            continue;
        };
        let mut from = 0;
        while k < splits.len() && splits[k].0 == i {
            let (_, off, open, width) = splits[k];
            if off > from {
                events.push(Event::Text(sub_str(&text, from..off)));
            }
            events.push(match (open, width) {
                (true, 2) => Event::Start(Tag::Strong),
                (false, 2) => Event::End(TagEnd::Strong),
                (true, _) => Event::Start(Tag::Emphasis),
                (false, _) => Event::End(TagEnd::Emphasis),
            });
            from = off + width;
            k += 1;
        }
        if from < text.len() {
            events.push(Event::Text(sub_str(&text, from..text.len())));
        }
    }
}

fn find_pairs(events: &[Event<'_>]) -> Vec<(Delim, Delim)> {
    let mut pairs = Vec::new();
    // The open `*` and `**` waiting for their close, with their nesting depth.
    let mut open: [Option<(Delim, usize)>; 2] = [None, None];
    let mut depth = 0usize;
    // Whether the character before the current position is whitespace (or none).
    let mut prev_space = true;
    for (i, ev) in events.iter().enumerate() {
        match ev {
            Event::Start(_) => {
                depth += 1;
                prev_space = false;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                for o in &mut open {
                    if o.is_some_and(|(_, d)| d > depth) {
                        *o = None;
                    }
                }
                prev_space = false;
            }
            Event::Text(t) => {
                let next_space = match events.get(i + 1) {
                    None | Some(Event::SoftBreak | Event::HardBreak | Event::End(_)) => true,
                    Some(Event::Text(n)) => n.chars().next().is_none_or(char::is_whitespace),
                    Some(_) => false,
                };
                let mut st = (open, prev_space);
                scan_text(t, (i, depth, next_space), &mut st, &mut pairs);
                (open, prev_space) = st;
            }
            Event::SoftBreak | Event::HardBreak => prev_space = true,
            _ => prev_space = false,
        }
    }
    pairs
}

/// `a **** b`: kramdown tries strong emphasis at the run, finds no `**` to
/// close it (the inner one is text: strong cannot nest), tries emphasis
/// from its first `*`, reads the next two as text (strong, again unclosed)
/// and closes at the fourth: `a <em>**</em> b`. Only a run of four
/// standing alone, with no `**` after it in the run of content: a later
/// one would close the strong emphasis instead.
fn lone_four(events: &[Event<'_>]) -> Vec<(Delim, Delim)> {
    let alone = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let mut found = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        let Event::Text(t) = ev else { continue };
        let mut from = 0;
        while let Some(rel) = t[from..].find("****") {
            let k = from + rel;
            from = k + t[k..].bytes().take_while(|&b| b == b'*').count();
            if from == k + 4
                && alone(t[..k].chars().next_back())
                && alone(t[from..].chars().next())
                && !t[from..].contains("**")
                && !later_in_block(events, i)
            {
                found.push(((i, k, 1), (i, k + 3, 1)));
            }
        }
    }
    found
}

/// Whether a `**` follows event `i` up to the end of its container (in a
/// text, or one pulldown-cmark paired already).
fn later_in_block(events: &[Event<'_>], i: usize) -> bool {
    let mut depth = 0usize;
    for e in &events[i + 1..] {
        match e {
            Event::Start(Tag::Strong) => return true,
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return false,
            Event::End(_) => depth -= 1,
            Event::Text(n) if n.contains("**") => return true,
            _ => {}
        }
    }
    false
}

/// The open delimiters (with their depth) and whether the last character was whitespace.
type ScanState = ([Option<(Delim, usize)>; 2], bool);

fn scan_text(
    t: &str,
    (i, depth, next_space): (usize, usize, bool),
    (open, prev_space): &mut ScanState,
    pairs: &mut Vec<(Delim, Delim)>,
) {
    let b = t.as_bytes();
    let mut k = 0;
    // Jump from `*` to `*`: only the character before each one matters.
    while let Some(rel) = t[k..].find('*') {
        if let Some(c) = t[k..k + rel].chars().next_back() {
            *prev_space = c.is_whitespace();
        }
        k += rel;
        let run = b[k..].iter().take_while(|&&c| c == b'*').count();
        if run <= 2 {
            let after_space = match t[k + run..].chars().next() {
                Some(c) => c.is_whitespace(),
                None => next_space,
            };
            let slot = &mut open[run - 1];
            match *slot {
                Some((o, d)) if d == depth && !*prev_space && (o.0, o.1 + run) != (i, k) => {
                    pairs.push((o, (i, k, run)));
                    *slot = None;
                }
                _ if !after_space => *slot = Some(((i, k, run), depth)),
                _ => {}
            }
        }
        k += run;
        *prev_space = false;
    }
    if let Some(c) = t[k..].chars().next_back() {
        *prev_space = c.is_whitespace();
    }
}

/// `***a***`: kramdown nests the emphasis inside the strong emphasis
/// (`<strong><em>a</em></strong>`), pulldown-cmark the other way round.
pub fn strong_outside(out: &mut [Event<'_>]) {
    let mut i = 0;
    while i + 1 < out.len() {
        if matches!(out[i], Event::Start(Tag::Emphasis))
            && matches!(out[i + 1], Event::Start(Tag::Strong))
        {
            let mut depth = 0usize;
            let end = (i + 1..out.len()).find(|&k| {
                match out[k] {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth -= 1,
                    _ => {}
                }
                depth == 0
            });
            if let Some(end) =
                end.filter(|&e| matches!(out.get(e + 1), Some(Event::End(TagEnd::Emphasis))))
            {
                out.swap(i, i + 1);
                out.swap(end, end + 1);
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{html, CowStr, Parser};

    fn render(md: &str) -> String {
        let mut evs: Vec<Event> = Vec::new();
        for e in Parser::new(md) {
            // The renderer joins adjacent text events before this pass.
            if let (Some(Event::Text(a)), Event::Text(b)) = (evs.last_mut(), &e) {
                *a = CowStr::from(format!("{a}{b}"));
                continue;
            }
            evs.push(e);
        }
        strong_pairs(&mut evs);
        let mut out = String::new();
        html::push_html(&mut out, evs.into_iter());
        out
    }

    // kramdown 2.4: `/contacts**?where=x**&y` → `/contacts<strong>?where=x</strong>&amp;y`
    #[test]
    fn strong_around_punctuation() {
        assert_eq!(
            render("/contacts**?where=x**&y\n"),
            "<p>/contacts<strong>?where=x</strong>&amp;y</p>\n"
        );
    }

    // kramdown 2.4: `*'r'*e` → `<em>‘r’</em>e` (here without smart quotes).
    #[test]
    fn em_around_punctuation() {
        assert_eq!(render("*'r'*e\n"), "<p><em>'r'</em>e</p>\n");
        assert_eq!(render("a * b * c\n"), "<p>a * b * c</p>\n");
    }

    // kramdown 2.4: `the **** that` → `the <em>**</em> that`.
    #[test]
    fn four_stars_alone_are_emphasis_around_two() {
        assert_eq!(render("the **** that\n"), "<p>the <em>**</em> that</p>\n");
        assert_eq!(
            render("a **** b **c**\n"),
            "<p>a **** b <strong>c</strong></p>\n"
        );
        assert_eq!(render("a *****\n"), "<p>a *****</p>\n");
        assert_eq!(
            render("a ****\n\nb **c**\n"),
            "<p>a <em>**</em></p>\n<p>b <strong>c</strong></p>\n"
        );
    }

    #[test]
    fn spaced_delimiters_stay_literal() {
        assert_eq!(render("a ** b ** c\n"), "<p>a ** b ** c</p>\n");
        assert_eq!(render("**ok** text\n"), "<p><strong>ok</strong> text</p>\n");
    }
}
