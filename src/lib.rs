//! elementdocs: a static-site generator for API element guides.
//!
//! The pipeline, module by module, in the order data flows:
//! [`config`] → [`source`] (walk, front matter) and [`data`] → [`liquid`]
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
pub mod data;
pub mod diag;
pub mod fresh;
pub mod guide;
pub mod highlight;
pub mod html;
pub mod liquid;
pub mod markdown;
pub mod nav;
pub mod openapi;
pub mod output;
pub mod publish;
pub mod read;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod source;
pub mod timing;
