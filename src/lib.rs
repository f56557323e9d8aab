//! elementdocs: a static-site generator for API element guides.
//!
//! The pipeline, module by module, in the order data flows:
//! [`config`] → [`source`] (walk, front matter; [`posts`] and permalinks)
//! and [`data`] → [`liquid`]
//! (Jekyll's Liquid through tera) → [`markdown`] (with [`highlight`]) →
//! [`guide`] (tabs, catalog), [`nav`] (sections, breadcrumbs), [`openapi`]
//! (API reference pages) and [`render`]
//! (tera layouts) → [`site`] (the whole build in memory) → [`output`]
//! (written only if the build succeeded).
//! [`publish`] adds sitemap, redirects, 404 and robots and applies the base URL;
//! [`check`] validates links and front matter without writing.
//! [`diag`] is the diagnostics every stage reports; [`cli`] the commands;
//! [`html`] the one HTML start-tag scanner every stage that reads HTML uses.

pub mod check;
pub mod cli;
pub mod config;
pub(crate) mod data;
pub mod diag;
pub(crate) mod fresh;
pub mod guide;
pub mod highlight;
pub(crate) mod html;
pub mod liquid;
pub mod markdown;
pub(crate) mod nav;
pub(crate) mod openapi;
pub mod output;
pub(crate) mod posts;
pub(crate) mod publish;
pub(crate) mod read;
pub mod render;
pub mod scaffold;
pub mod search;
pub(crate) mod serve;
pub mod site;
pub mod source;
pub(crate) mod timing;
