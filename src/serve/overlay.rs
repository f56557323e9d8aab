//! What serve adds to a page to show problems: while the last rebuild
//! failed, every served page (still the last good version) carries the error
//! overlay, listing the errors, each with its file, line, column and source
//! line, as the console shows them; a page with warnings (an undefined
//! variable, an unknown code language...) carries a small panel listing
//! them, which the reader may dismiss until the warnings change.

use crate::diag::Diagnostic;

/// Marks the overlay element; the live-reload script removes it once fixed.
pub const OVERLAY_ID: &str = "__elementdocs_overlay";

/// The overlay's HTML, or None when there are no errors.
pub fn overlay_html(errors: &[Diagnostic]) -> Option<String> {
    if errors.is_empty() {
        return None;
    }
    let mut items = String::new();
    for d in errors {
        let place = format!(
            "{}:{}:{}",
            d.file.to_string_lossy(),
            d.line.max(1),
            d.col.max(1)
        );
        items.push_str(&format!(
            "<li style=\"margin:0 0 18px\"><div style=\"color:#ffb4b4;font-weight:bold\">{} <span style=\"color:#fff\">{}</span></div><pre style=\"white-space:pre-wrap;margin:6px 0 0;color:#eee\">{}</pre></li>",
            html_escape::encode_text(&place),
            html_escape::encode_text(&d.message),
            html_escape::encode_text(&d.to_string()),
        ));
    }
    Some(format!(
        "<div id=\"{OVERLAY_ID}\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(24,24,28,.94);color:#eee;padding:28px 36px;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left\">\
<div style=\"font:bold 18px/1.4 system-ui,sans-serif;color:#ff7b7b;margin-bottom:4px\">The last rebuild failed: {n} error{s}</div>\
<div style=\"font:13px/1.4 system-ui,sans-serif;color:#bbb;margin-bottom:18px\">This is the last good version of the page. Fix the error{s} and save: this panel goes away by itself.</div>\
<ol style=\"margin:0;padding:0 0 0 20px\">{items}</ol></div>",
        n = errors.len(),
        s = if errors.len() == 1 { "" } else { "s" },
    ))
}

/// Marks the warnings panel.
pub const WARNINGS_ID: &str = "__elementdocs_warnings";

/// The warnings panel of one page, or None without warnings. Dismissed, it
/// stays away (for this tab) until its warnings change: the dismissal is
/// kept under a hash of their text.
pub fn warnings_html(warnings: &[Diagnostic]) -> Option<String> {
    if warnings.is_empty() {
        return None;
    }
    let mut items = String::new();
    let mut text = String::new();
    for d in warnings {
        let shown = d.to_string();
        text.push_str(&shown);
        items.push_str(&format!(
            "<li style=\"margin:0 0 10px\"><pre style=\"white-space:pre-wrap;margin:0;color:#eee\">{}</pre></li>",
            html_escape::encode_text(&shown)
        ));
    }
    let key = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
    let n = warnings.len();
    let s = if n == 1 { "" } else { "s" };
    Some(format!(
        "<aside id=\"{WARNINGS_ID}\" data-key=\"{key}\" role=\"status\" aria-label=\"Build warnings\" style=\"position:fixed;right:12px;bottom:12px;z-index:2147483646;max-width:min(640px,calc(100vw - 24px));max-height:50vh;overflow:auto;background:rgba(40,34,10,.96);color:#eee;border:1px solid #d6a400;border-radius:6px;padding:10px 14px;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left\">\
<button type=\"button\" aria-label=\"Dismiss the warnings\" style=\"float:right;margin:0 0 6px 12px;background:#d6a400;color:#000;border:0;border-radius:4px;font:bold 14px system-ui,sans-serif;padding:2px 9px;cursor:pointer\" \
onclick=\"try{{sessionStorage.setItem('__elementdocs_warnings_dismissed',this.parentNode.dataset.key)}}catch(e){{}}this.parentNode.remove()\">&#215;</button>\
<div style=\"font:bold 14px/1.4 system-ui,sans-serif;color:#ffd54a;margin-bottom:8px\">{n} warning{s} on this page</div>\
<ol style=\"margin:0;padding:0 0 0 20px\">{items}</ol>\
<script>try{{if(sessionStorage.getItem('__elementdocs_warnings_dismissed')==='{key}')document.getElementById('{WARNINGS_ID}').remove()}}catch(e){{}}</script></aside>"
    ))
}

/// Put `extra` just before the last `</body>` (any case), or at the end.
pub fn inject(html: &[u8], extra: &str) -> Vec<u8> {
    let at = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_last_body_close() {
        let out = inject(b"<html><BODY>x</Body></html>", "<s>");
        assert_eq!(out, b"<html><BODY>x<s></Body></html>");
        assert_eq!(inject(b"plain", "<s>"), b"plain<s>");
    }

    #[test]
    fn warnings_panel_lists_them_escaped_and_is_keyed_by_their_text() {
        assert!(warnings_html(&[]).is_none());
        let w = |m: &str| Diagnostic::warning("docs/a.md", 3, 7, m);
        let one = warnings_html(&[w("undefined `page.titel` <b>")]).unwrap();
        assert!(one.contains("1 warning on this page"), "{one}");
        assert!(one.contains("docs/a.md:3:7"), "{one}");
        assert!(one.contains("&lt;b&gt;") && !one.contains("<b>"), "{one}");
        let other = warnings_html(&[w("another")]).unwrap();
        let key = |h: &str| h.split("data-key=\"").nth(1).unwrap()[..16].to_string();
        assert_ne!(
            key(&one),
            key(&other),
            "a dismissal is for these warnings only"
        );
    }

    #[test]
    fn overlay_lists_located_errors() {
        assert!(overlay_html(&[]).is_none());
        let d = Diagnostic::error("docs/a.md", 3, 5, "bad <thing>");
        let h = overlay_html(&[d]).unwrap();
        assert!(h.contains(OVERLAY_ID));
        assert!(h.contains("docs/a.md:3:5"));
        assert!(h.contains("bad &lt;thing&gt;"));
    }
}
