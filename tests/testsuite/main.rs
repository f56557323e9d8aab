//! The integration tests, one binary (as mdBook's `tests/testsuite`): one
//! link step for all of them, and one place to find shared helpers.
//!
//! Tests that need a tool this machine may lack are `#[ignore]`d with the
//! reason (`needs chromium`...); `.ci/run` installs the tools and runs them
//! with `--include-ignored`. Tests that read the shared corpus find it beside
//! the crate root (`../shared`) and fail, never skip, when it is missing.

mod common;

mod check;
mod crash;
mod determinism;
mod differential;
mod differential_errors;
mod docs_commands;
mod example_site;
mod hardening;
mod hostile;
mod hostile_liquid;
mod injection;
mod markdown_kramdown;
mod module_graph;
mod openapi;
mod portal;
mod publish;
mod scaffold;
mod search;
mod serve;
mod serve_browser;
mod serve_portal;
mod static_host;
mod theme;
mod theme_browser;
mod webdriver;
