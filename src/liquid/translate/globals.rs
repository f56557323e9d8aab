//! Variables beside `page` and `site` that Jekyll gives some templates: a
//! layout's `content` and `layout`, a paginated page's `paginator`. They
//! travel in the page object under [`KEY`], so they are values known at
//! build time like the page's own (a layout's `{{ content }}` is folded
//! into its text, needing no tera), and `name.x` reads `page.<KEY>.name.x`
//! unless a loop variable or an `assign` of that name hides it.

use super::Translator;
use crate::liquid::parser::{Path, Seg};

/// The page object's key holding the extra variables.
pub const KEY: &str = "lq_globals";

impl Translator<'_> {
    /// `name.rest` as `page.<KEY>.name.rest`, when `name` is such a variable here.
    pub(super) fn global_path(&self, p: &Path) -> Option<Path> {
        if p.root == "page" || self.loops.iter().any(|(n, _)| *n == p.root) {
            return None;
        }
        if self.assigned.contains(&p.root) {
            return None;
        }
        self.page.get(KEY)?.get(&p.root)?;
        let mut segs = vec![Seg::Key(KEY.into()), Seg::Key(p.root.clone())];
        segs.extend(p.segs.iter().cloned());
        Some(Path {
            root: "page".into(),
            segs,
            offset: p.offset,
        })
    }
}
