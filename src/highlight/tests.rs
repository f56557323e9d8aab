use super::*;

fn hl(lang: &str, code: &str) -> Highlighted {
    Highlighter::new().highlight(lang, code)
}

#[test]
fn aliases_resolve_to_canonical_names() {
    let h = Highlighter::new();
    for (alias, canonical) in [
        ("sh", "bash"),
        ("shell", "bash"),
        ("curl", "bash"),
        ("console", "bash"),
        ("zsh", "bash"),
        ("Bash", "bash"),
        ("js", "javascript"),
        ("javascript", "javascript"),
        ("jsonc", "json"),
        ("json5", "json"),
        ("json", "json"),
        ("yml", "yaml"),
        ("yaml", "yaml"),
        ("xml", "xml"),
        ("html", "html"),
    ] {
        let out = h.highlight(alias, "x = 1\n");
        assert_eq!(out.language.as_deref(), Some(canonical), "alias {alias}");
        assert!(
            out.html.contains("hl-"),
            "{alias} not highlighted: {}",
            out.html
        );
    }
}

#[test]
fn json_is_highlighted_and_escaped() {
    let h = hl("json", "{\"name\": \"<INSTANCE_NAME>\"}\n");
    assert_eq!(h.language.as_deref(), Some("json"));
    assert!(h.html.contains("&lt;INSTANCE_NAME&gt;"), "{}", h.html);
    assert!(h.html.contains("class=\"hl-"), "{}", h.html);
    assert!(!h.html.contains("<INSTANCE_NAME>"));
}

#[test]
fn bash_curl_is_highlighted() {
    let h = hl("bash", "curl -X POST \\\n  -H 'a: b' https://x/y\n");
    assert_eq!(h.language.as_deref(), Some("bash"));
    assert!(h.html.contains("hl-"));
    // syntect's escaping of quotes, which the corpus output has.
    assert!(h.html.contains("&#39;</span>a: b"), "{}", h.html);
    assert!(!h.html.contains('\''), "{}", h.html);
}

#[test]
fn text_like_languages_are_known_plain() {
    for lang in ["text", "plaintext", "plain", "none", "http", "toml"] {
        let h = hl(lang, "GET /a?b=<c> & d\n");
        assert!(h.language.is_some(), "{lang}");
        assert_eq!(h.html, "GET /a?b=&lt;c&gt; &amp; d\n");
    }
    assert_eq!(hl("http", "x").language.as_deref(), Some("http"));
    assert_eq!(hl("plain", "x").language.as_deref(), Some("text"));
}

#[test]
fn unknown_language_is_escaped_plain_without_language() {
    let h = hl("no-such-language-xyz", "<b>&</b>");
    assert_eq!(h.language, None);
    assert_eq!(h.html, "&lt;b&gt;&amp;&lt;/b&gt;");
    assert_eq!(hl("", "a<b").language, None);
}

#[test]
fn syntect_tokens_outside_the_alias_map_work() {
    let h = hl("lua", "local x = 1\n");
    assert_eq!(h.language.as_deref(), Some("lua"));
    assert!(h.html.contains("hl-"));
}

#[test]
fn oversized_blocks_are_plain_text() {
    let code = "{\"a\": 1}\n".repeat(MAX_HIGHLIGHT_BYTES / 8);
    assert!(code.len() > MAX_HIGHLIGHT_BYTES);
    let h = hl("json", &code);
    assert_eq!(h.language.as_deref(), Some("json"));
    assert!(!h.html.contains("<span"));
    assert_eq!(h.html, html_escape::encode_text(&code));
}

#[test]
fn cache_returns_the_same_result_for_one_fence_word() {
    let h = Highlighter::new();
    let a = h.highlight("json", "[1, 2]\n");
    assert_eq!(h.highlight("JSON", "[1, 2]\n"), a);
    assert_eq!(h.highlight(" json title=x", "[1, 2]\n"), a);
    assert_eq!(h.highlight("{.json}", "[1, 2]\n"), a);
    assert_eq!(h.state().blocks.len(), 1);
    h.forget();
    assert_eq!(h.state().blocks.len(), 0);
}

#[test]
fn highlighters_are_separate() {
    let (a, b) = (Highlighter::new(), Highlighter::new());
    a.highlight("json", "[1]\n");
    assert_eq!(a.state().blocks.len(), 1);
    assert_eq!(b.state().blocks.len(), 0, "no cache shared between builds");
}

#[test]
fn one_highlighter_serves_many_threads() {
    fn assert_send_sync<T: Sync + Send>() {}
    assert_send_sync::<Highlighter>();
    let h = Highlighter::new();
    let want: Vec<_> = (0..8)
        .map(|i| hl("bash", &format!("echo {}\n", i % 3)))
        .collect();
    std::thread::scope(|scope| {
        for (i, want) in want.iter().enumerate() {
            let h = &h;
            scope.spawn(move || {
                assert_eq!(&h.highlight("bash", &format!("echo {}\n", i % 3)), want);
            });
        }
    });
    assert_eq!(h.state().blocks.len(), 3);
}

#[test]
fn css_is_made_once_per_highlighter() {
    let h = Highlighter::new();
    assert!(h.css().contains(":root[data-theme=dark] .hl-"));
    assert_eq!(h.css(), css::build_css());
}

mod persisted {
    use super::*;

    const CODE: &str = "{\"id\": 1}\n";

    /// A cache file for this binary holding one block with made-up HTML.
    fn forged(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("highlight");
        let stamp = persist::stamp().unwrap();
        let block = ("json", CODE, Some("json"), "FORGED");
        persist::write(&path, &stamp, ".css{}", [block].into_iter()).unwrap();
        path
    }

    #[test]
    fn a_kept_block_is_not_highlighted_again() {
        let dir = tempfile::tempdir().unwrap();
        let h = Highlighter::new();
        assert!(h.load_persisted(&forged(dir.path())));
        assert_eq!(h.highlight("JSON", CODE).html, "FORGED");
        assert_eq!(h.css(), ".css{}");
        assert!(!h.state().missed, "nothing highlighted");
    }

    #[test]
    fn the_file_is_rewritten_only_when_the_blocks_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = forged(dir.path());
        let before = std::fs::read(&path).unwrap();

        // Every kept block asked for, nothing new: the file stays.
        let h = Highlighter::new();
        h.load_persisted(&path);
        h.highlight("json", CODE);
        std::fs::remove_file(&path).unwrap();
        h.save_persisted(&path);
        assert!(!path.exists(), "unchanged blocks are not written again");

        // A new block: written with the kept one; a block not asked for goes.
        std::fs::write(&path, &before).unwrap();
        let h = Highlighter::new();
        h.load_persisted(&path);
        h.highlight("json", CODE);
        let fresh = h.highlight("bash", "echo hi\n");
        h.save_persisted(&path);
        let again = Highlighter::new();
        assert!(again.load_persisted(&path));
        assert_eq!(again.highlight("json", CODE).html, "FORGED");
        assert_eq!(again.highlight("bash", "echo hi\n"), fresh);
        assert!(!again.state().missed);

        let h = Highlighter::new();
        h.load_persisted(&path);
        h.highlight("bash", "echo hi\n");
        h.save_persisted(&path);
        let last = Highlighter::new();
        last.load_persisted(&path);
        assert_ne!(
            last.highlight("json", CODE).html,
            "FORGED",
            "dropped, highlighted again"
        );
    }

    #[test]
    fn a_missing_or_foreign_file_loads_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let h = Highlighter::new();
        assert!(!h.load_persisted(&dir.path().join("none")));
        let path = dir.path().join("other");
        let block = ("json", CODE, None, "FORGED");
        persist::write(&path, "another binary", "", [block].into_iter()).unwrap();
        assert!(!h.load_persisted(&path));
        assert_ne!(h.highlight("json", CODE).html, "FORGED");
    }
}
