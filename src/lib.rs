//! elementdocs: a static-site generator for API element guides.
//!
//! The pipeline, module by module, in the order data flows (the README's
//! architecture table says the same, with each module's parts):
//! [`read`] (text and YAML with positions) → [`config`], [`source`] (walk,
//! front matter), [`posts`] (posts and permalinks) and [`data`] →
//! [`liquid`] (Jekyll's Liquid through tera) → [`markdown`] (with
//! [`highlight`]) → [`guide`] (tabs, catalog), [`nav`] (sections,
//! breadcrumbs), [`openapi`] (API reference pages) and [`render`] (the
//! built-in theme) → [`site`] (the `Site` pipeline: load, render, finish;
//! the site's own layouts) → [`search`] and [`publish`] (sitemap,
//! redirects, 404, base URL) at finish → [`output`] (one atomic exchange,
//! only if the build succeeded; [`fresh`] skips a build whose inputs did
//! not change).
//! [`check`] validates links and front matter without writing; [`serve`]
//! keeps a `Site` in memory and re-renders what an edit touched.
//! Shared by all: [`diag`] (diagnostics), [`html`] (the one HTML scanner),
//! [`timing`] (stage timings); [`cli`] the commands, [`scaffold`] `new element`.

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
