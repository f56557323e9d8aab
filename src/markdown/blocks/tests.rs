use super::*;

#[test]
fn tables_take_the_width_of_their_longest_row() {
    let md = "x\n\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n\nafter\n";
    assert_eq!(
        prepare(md),
        "x\n\n| a | b |  |\n|---|---| --- |\n| 1 | 2 | 3 |\n\nafter\n"
    );
    let plain = "| a | b |\n|---|---|\n| 1 | 2 |\n\nnext\n";
    assert!(matches!(prepare(plain), Cow::Borrowed(_)));
}

// kramdown 2.4: a table needs a blank line before and after it, and a body.
#[test]
fn tables_stand_between_blank_lines() {
    assert_eq!(
        prepare("| a | b |\n|---|---|\n"),
        "| a | b |\n\\|---|---|\n"
    );
    assert_eq!(
        prepare("```\nx\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
        "```\nx\n```\n| a | b |\n\\|---|---|\n| 1 | 2 |\n"
    );
    assert_eq!(
        prepare("| a | b |\n|---|---|\n| 1 | 2 |\ntext\n"),
        "| a | b |\n\\|---|---|\n| 1 | 2 |\ntext\n"
    );
}

// kramdown 2.4: `![i](i.png)\n2. Step` is a paragraph and a list.
#[test]
fn ordered_lists_interrupt_paragraphs() {
    assert_eq!(
        prepare("![i](i.png)\n2. Step\n3. Next\n"),
        "![i](i.png)\n1. Step\n1. Next\n"
    );
    assert!(matches!(prepare("Text\n\n2. Step\n"), Cow::Borrowed(_)));
}

// kramdown 2.4: `# ` is a paragraph "#", `##### #` a heading "#".
#[test]
fn empty_headings_are_text() {
    assert_eq!(prepare("# \t\n\n##### #\n"), "\\# \t\n\n##### \\#\n");
    assert!(matches!(prepare("## Foo ##\n"), Cow::Borrowed(_)));
}

// kramdown 2.4: "wrap it in the ` character, see `code`" keeps the lone backtick.
#[test]
fn lone_backticks_are_text() {
    assert_eq!(
        prepare("wrap it in the ` character, see `code`.\n"),
        "wrap it in the \\` character, see `code`.\n"
    );
    assert!(matches!(prepare("a `x ` y` b\n"), Cow::Borrowed(_)));
}

#[test]
fn code_is_never_rewritten() {
    let md = "```\n*\n6.\nx\n2. y\n#\n| a | b |\n|---|---|\n```\n";
    assert!(matches!(prepare(md), Cow::Borrowed(_)));
}

// kramdown 2.4: `1. a\n6.\n6. b` is two items, the first ending in "6.".
#[test]
fn bare_list_markers_are_text() {
    assert_eq!(prepare("1. a\n6.\n6. b\n*\n"), "1. a\n6\\.\n1. b\n\\*\n");
}

// kramdown 2.4 closes a fence opened in a list item at column 0, and keeps
// the content's indent past the item's content column (the fence moves there).
#[test]
fn fences_in_list_items_close_at_a_smaller_indent() {
    let md = "* item\n\n    ```bash\n    code\n```\n\n* next\n";
    assert_eq!(
        prepare(md),
        "* item\n\n  ```bash\n    code\n  ```\n\n* next\n"
    );
    // kramdown 2.4: an unclosed fence is paragraph text.
    assert_eq!(prepare("a\n\n```js\nx\n"), "a\n\n\\`\\`\\`js\nx\n");
    let top = "```\ncode\n```\n";
    assert!(matches!(prepare(top), Cow::Borrowed(_)));
}

// kramdown 2.4: `| `x|y` | c |` is two cells.
#[test]
fn pipes_in_code_do_not_split_cells() {
    let md = "| a | b |\n|---|---|\n| `x|y` | c |\n| <code>p|q</code> | d |\n";
    assert_eq!(
        prepare(md),
        "| a | b |\n|---|---|\n| `x\\|y` | c |\n| <code>p\\|q</code> | d |\n"
    );
}

#[test]
fn splits_lines_like_split_inclusive() {
    for md in [
        "",
        "\n",
        "a",
        "a\n",
        "ab\n\ncd",
        "0123456789\n01234567\n\n\né\nxyz\n0123456789abcdef",
    ] {
        let expected: Vec<&str> = md.split_inclusive('\n').collect();
        let lines: Vec<&str> = split_lines(md).iter().map(|l| l.text).collect();
        assert_eq!(lines, expected);
    }
    assert!(is_blank(" \t\u{a0}\n") && is_blank("") && !is_blank(" é\n") && !is_blank("\x0ba"));
    assert!(is_blank("\x0b\x0c\n") && !is_blank("\u{7f}"));
}

/// The byte-by-byte scan the jumping one replaced, as a reference.
mod reference {
    pub fn count_cells(line: &str) -> usize {
        let t = line.trim();
        let t = t.strip_prefix('|').unwrap_or(t);
        let bytes = t.as_bytes();
        let (mut pipes, mut k) = (0, 0);
        while k < bytes.len() {
            match bytes[k] {
                b'\\' => k += 1,
                b'|' => pipes += 1,
                _ => {}
            }
            k += 1;
        }
        let trailing = t.ends_with('|') && !t.ends_with("\\|");
        pipes + 1 - usize::from(trailing)
    }
}

#[test]
fn jumping_cell_count_matches_the_byte_scan() {
    let mut state = 7u32;
    for len in 0..60 {
        for _ in 0..40 {
            let line: String = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    ['|', '\\', '`', ' ', 'a', '<', 'é'][(state >> 16) as usize % 7]
                })
                .collect();
            assert_eq!(
                count_cells(&line),
                reference::count_cells(&line),
                "{line:?}"
            );
        }
    }
}

#[test]
fn counts_cells_like_gfm() {
    assert_eq!(count_cells("| a | b |\n"), 2);
    assert_eq!(count_cells("a | b\n"), 2);
    assert_eq!(count_cells("| a \\| b | c |  | d |\n"), 4);
}
