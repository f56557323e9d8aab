//! What one rebuild of `serve` did: for the console line and the reload
//! message the browsers get.

use std::time::Duration;

/// What one rebuild did, for the console and the reload message.
#[derive(Debug, Clone, Default)]
pub struct Rebuild {
    /// Why: "page", "include", "data", "new or removed files", "config or theme"...
    pub cause: Vec<String>,
    /// Sources rendered again (Liquid, Markdown and layout), sorted.
    pub rebuilt: Vec<String>,
    /// Pages only laid out again (tabs or sidebar changed).
    pub relaid: Vec<String>,
    /// Everything was rebuilt.
    pub full: bool,
    /// Output paths (relative to the site root) of pages whose HTML changed.
    pub changed: Vec<String>,
    /// Output paths of stylesheets that changed.
    pub css: Vec<String>,
    /// Output paths of other files that changed (images, scripts...).
    pub assets: Vec<String>,
    pub elapsed: Duration,
    /// The site has errors after this rebuild.
    pub failed: bool,
}

impl Rebuild {
    /// One console line: what was rebuilt and how long it took.
    pub fn summary(&self) -> String {
        let ms = self.elapsed.as_secs_f64() * 1000.0;
        let what = if self.full {
            format!("full rebuild: {} page(s)", self.rebuilt.len())
        } else if self.rebuilt.is_empty() {
            "no page rebuilt".to_string()
        } else if self.rebuilt.len() <= 5 {
            format!("rebuilt {}", self.rebuilt.join(", "))
        } else {
            format!(
                "rebuilt {} pages ({}, ...)",
                self.rebuilt.len(),
                self.rebuilt[..3].join(", ")
            )
        };
        let mut s = format!("{} ({}): {what}", ms_str(ms), self.cause.join(", "));
        if !self.relaid.is_empty() {
            s.push_str(&format!(", re-laid out {} page(s)", self.relaid.len()));
        }
        if !self.css.is_empty() || !self.assets.is_empty() {
            s.push_str(&format!(
                ", {} stylesheet(s) and {} other file(s) changed",
                self.css.len(),
                self.assets.len()
            ));
        }
        if self.failed {
            s.push_str(" — with errors (the last good pages are served)");
        }
        s
    }
}

fn ms_str(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}
