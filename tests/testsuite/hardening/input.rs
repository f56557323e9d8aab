//! Bad input files: front matter, bytes, the source tree.

use super::*;

#[test]
fn bad_yaml_in_front_matter_points_at_the_page_line() {
    let (s, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/bad.md",
                "---\ntitle: Hello\nsummary: a: b\n---\nbody\n",
            )
        },
        "docs/bad.md:3:11",
    );
    insta::assert_snapshot!("bad_yaml", s.normalize(&run.block("docs/bad.md:3:11")));
}

#[test]
fn unclosed_front_matter_is_an_error_at_the_fence() {
    let (s, run) = assert_breaks_at(
        |s| s.write("docs/open.md", "---\ntitle: Hello\n\n# Body\n"),
        "docs/open.md:1:1",
    );
    assert!(run.stderr.contains("never closed"), "{}", run.stderr);
    insta::assert_snapshot!(
        "unclosed_front_matter",
        s.normalize(&run.block("docs/open.md:1:1"))
    );
}

#[test]
fn front_matter_that_is_a_list_or_a_scalar_is_an_error() {
    let (_, run) = assert_breaks_at(
        |s| {
            s.write("docs/list.md", "---\n- a\n- b\n---\nbody\n");
            s.write("docs/scalar.md", "---\njust some text\n---\nbody\n");
        },
        "docs/list.md:2:1",
    );
    run.assert_error_at("docs/scalar.md:2:1");
    assert!(run.stderr.contains("mapping"), "{}", run.stderr);
}

#[test]
fn tab_indented_front_matter_is_a_yaml_error_with_position() {
    let (_, run) = assert_breaks_at(
        |s| s.write("docs/tab.md", "---\nparent:\n\tchild: 1\n---\nbody\n"),
        "docs/tab.md:3:1",
    );
    assert!(run.stderr.contains("invalid YAML"), "{}", run.stderr);
}

#[test]
fn yaml_bombs_and_deep_nesting_are_refused_quickly() {
    let laughs = format!("---\n{}---\nlaughs\n", super::billion_laughs(9));
    let deep = format!(
        "---\na: {}{}\n---\ndeep\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let (s, run) = assert_breaks_at(
        |s| {
            s.write("docs/laughs.md", &laughs);
            s.write("docs/deep.md", &deep);
        },
        "docs/laughs.md:2",
    );
    run.assert_error_at("docs/deep.md:2:131");
    assert!(run.elapsed < Duration::from_secs(30), "{:?}", run.elapsed);
    // The 10,000-character line is shown as a window around the caret.
    let block = run.block("docs/deep.md:2:131");
    assert!(block.lines().all(|l| l.chars().count() < 200), "{block}");
    insta::assert_snapshot!("deep_yaml", s.normalize(&block));
}

// ---------------------------------------------------------------- bytes

#[test]
fn non_utf8_bytes_are_located() {
    let (s, run) = assert_breaks_at(
        |s| s.write("docs/latin1.md", b"---\ntitle: x\n---\nCaf\xe9 au lait\n"),
        "docs/latin1.md:4:4",
    );
    insta::assert_snapshot!("non_utf8", s.normalize(&run.block("docs/latin1.md:4:4")));
}

#[test]
fn binary_file_named_md_is_refused() {
    // With front matter (so it would be a page) and without (a "partial").
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let (_, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/a.md",
                [b"---\ntitle: x\n---\n".as_slice(), &png].concat(),
            );
            s.write("docs/b.md", &png);
        },
        "docs/a.md:6:1",
    );
    run.assert_error_at("docs/b.md:3:1");
    assert!(run.stderr.contains("binary"), "{}", run.stderr);
    // UTF-16 text (a Windows editor's "Unicode") is named as such.
    let utf16: Vec<u8> = "\u{feff}---\ntitle: x\n---\nbody\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let (_, run) = assert_breaks_at(|s| s.write("docs/u16.md", &utf16), "docs/u16.md:1:1");
    assert!(run.stderr.contains("UTF-16"), "{}", run.stderr);
}

#[test]
fn invalid_data_and_config_files_are_located() {
    let (_, run) = assert_breaks_at(
        |s| {
            s.write("_data/glossary.yml", "a: 1\nb: [unclosed\n");
            s.write("_data/list.json", "{\"a\": 1,\n \"b\": }\n");
        },
        "_data/list.json:2:7",
    );
    run.assert_error_at("_data/glossary.yml:3:1");
    let (_, run) = assert_breaks_at(
        |s| s.write("_config.yml", "title: x\nbaseurl: a: b\n"),
        "_config.yml:2:11",
    );
    assert!(run.stderr.contains("invalid YAML"), "{}", run.stderr);
    assert_breaks_at(
        |s| s.write("_config.yml", b"title: caf\xe9\n"),
        "_config.yml:1:11",
    );
    assert_breaks_at(|s| s.write("_config.yml", "- a\n- b\n"), "_config.yml:1:1");
}

#[test]
fn two_data_files_for_one_key_is_an_error() {
    assert_breaks_at(
        |s| {
            s.write("_data/terms.yml", "a: 1\n");
            s.write("_data/terms.json", "{\"a\": 2}\n");
        },
        "_data/terms.yml",
    );
}

// ---------------------------------------------------------------- the tree

#[cfg(unix)]
#[test]
fn symlink_loop_is_an_error() {
    let (s, run) = assert_breaks_at(|s| s.symlink("docs/loop", ".."), "docs/loop");
    assert!(run.stderr.contains("symbolic link loop"), "{}", run.stderr);
    // A link to itself too.
    s.symlink("self.md", "self.md");
    let run = s.build(&[]);
    run.assert_error_at("self.md");
    assert!(run.stderr.contains("symbolic link loop"), "{}", run.stderr);
}

/// A link leading outside the source root is refused, and what is behind it is
/// never opened: the target is a FIFO, so opening it would hang the build.
#[cfg(unix)]
#[test]
fn symlink_leaving_the_root_is_refused_and_not_read() {
    let (s, run) = assert_breaks_at(
        |s| {
            let outside = s.tmp.path().join("outside");
            std::fs::create_dir_all(&outside).unwrap();
            let fifo = outside.join("secret.md");
            let ok = Command::new("mkfifo").arg(&fifo).status().unwrap();
            assert!(ok.success());
            std::fs::write(
                outside.join("notes.md"),
                "---\ntitle: secret\n---\nSECRET\n",
            )
            .unwrap();
            s.symlink("docs/leak.md", &fifo);
            s.symlink("docs/shared", &outside);
        },
        "docs/leak.md",
    );
    run.assert_error_at("docs/shared");
    assert!(run.stderr.contains("outside the source folder"));
    // Only the link errors: nothing behind `docs/shared` was listed or read.
    assert!(!run.stderr.contains("notes.md"), "{}", run.stderr);
    assert!(!s.out().join("docs/shared").exists());
}

#[test]
fn two_sources_writing_one_output_path_is_an_error() {
    let (s, run) = assert_breaks_at(
        |s| {
            s.write("docs/a.md", "---\ntitle: A\n---\nmarkdown\n");
            s.write("docs/a.html", "---\ntitle: A\n---\n<p>html</p>\n");
        },
        "docs/a.md",
    );
    assert!(run.stderr.contains("two sources would write `docs/a.html`"));
    insta::assert_snapshot!("duplicate_output", s.normalize(&run.block("docs/a.md")));
}

#[test]
fn a_page_and_a_static_file_writing_one_path_is_an_error() {
    let (_, run) = assert_breaks_at(
        |s| {
            s.write("docs/b.md", "---\ntitle: B\n---\nmarkdown\n");
            s.write("docs/b.html", "<p>no front matter: copied as is</p>\n");
        },
        "docs/b.html",
    );
    // The static file is named relative to the source root, not absolute.
    assert!(
        run.stderr.contains("`docs/b.md` writes it too"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_where_a_folder_is_needed_is_an_error() {
    let (_, run) = assert_breaks_at(
        |s| {
            s.write("docs/c.md", "---\ntitle: C\n---\nmarkdown\n");
            s.write("docs/c.html/logo.png", b"\x89PNG");
        },
        "docs/c.html/logo.png",
    );
    assert!(run.stderr.contains("which is a file"), "{}", run.stderr);
}

#[test]
fn a_permalink_leading_outside_the_output_is_an_error_at_its_key() {
    let (_s, run) = assert_breaks_at(
        |s| {
            s.write(
                "docs/up.md",
                "---\ntitle: Up\npermalink: /../../escape.html\n---\nx\n",
            );
            s.write(
                "_posts/2020-01-01-p.md",
                "---\ntitle: P\npermalink: /x/../../up/:title.html\n---\ny\n",
            );
        },
        "docs/up.md:3:12",
    );
    run.assert_error_at("_posts/2020-01-01-p.md:3:12");
    assert!(
        run.stderr.contains("leads outside the output folder"),
        "{}",
        run.stderr
    );
}
