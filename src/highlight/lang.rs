//! Which language a fence names: the first word of the info string,
//! lowercased, through an alias map (`sh`, `curl`, `console` → bash,
//! `js` → javascript, `jsonc` → json...).

/// How a fence word is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang<'a> {
    /// Highlight with the syntect syntax found by this token; canonical name.
    Syntax { token: &'a str, name: &'a str },
    /// A language we know but render as plain text (no grammar, or `text`).
    Plain(&'a str),
    /// Not in the alias map: try syntect's own token lookup.
    Other,
}

/// The fence word of an info string (`" json title=x"`, `{.json}`):
/// its first word, without Pandoc-style `{.lang}` punctuation, lowercased.
pub(super) fn fence_word(info: &str) -> String {
    info.split(|c: char| c.is_whitespace() || c == ',')
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .trim_matches(|c| c == '{' || c == '}' || c == '.')
        .to_ascii_lowercase()
}

/// A lowercase fence word to the language it is.
pub(super) fn resolve_alias(word: &str) -> Lang<'static> {
    let syn = |token, name| Lang::Syntax { token, name };
    match word {
        "bash" | "sh" | "shell" | "curl" | "console" | "zsh" | "shell-session" => {
            syn("bash", "bash")
        }
        "js" | "javascript" | "node" | "mjs" => syn("js", "javascript"),
        "json" | "jsonc" | "json5" => syn("json", "json"),
        "yml" | "yaml" => syn("yaml", "yaml"),
        "xml" | "xsd" | "wsdl" | "soap" => syn("xml", "xml"),
        "html" | "htm" | "xhtml" => syn("html", "html"),
        "css" => syn("css", "css"),
        "sql" => syn("sql", "sql"),
        "python" | "py" => syn("py", "python"),
        "ruby" | "rb" => syn("rb", "ruby"),
        "java" => syn("java", "java"),
        "php" => syn("php", "php"),
        "go" | "golang" => syn("go", "go"),
        "rust" | "rs" => syn("rs", "rust"),
        "c#" | "csharp" | "cs" => syn("cs", "csharp"),
        "markdown" | "md" => syn("md", "markdown"),
        "http" => Lang::Plain("http"),
        "toml" => Lang::Plain("toml"),
        "text" | "txt" | "plaintext" | "plain" | "none" | "nohighlight" => Lang::Plain("text"),
        _ => Lang::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_word_is_the_first_word_lowercased() {
        for (info, word) in [
            ("json", "json"),
            ("JSON", "json"),
            (" json title=x", "json"),
            ("{.json}", "json"),
            ("bash,linenos", "bash"),
            ("", ""),
            ("   ", ""),
        ] {
            assert_eq!(fence_word(info), word, "{info:?}");
        }
    }

    #[test]
    fn aliases_and_plain_languages() {
        assert_eq!(
            resolve_alias("curl"),
            Lang::Syntax {
                token: "bash",
                name: "bash"
            }
        );
        assert_eq!(resolve_alias("nohighlight"), Lang::Plain("text"));
        assert_eq!(resolve_alias("http"), Lang::Plain("http"));
        assert_eq!(resolve_alias("lua"), Lang::Other);
    }
}
