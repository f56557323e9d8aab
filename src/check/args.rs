//! The `check` subcommand's arguments (kept here so `cli.rs` only names it).

use crate::diag::Diagnostic;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// The site's source folder.
    #[arg(long, default_value = ".")]
    pub source: PathBuf,
    /// Configuration files instead of the site's own, separated by commas
    /// (as `build --config`).
    #[arg(long, value_delimiter = ',')]
    pub config: Vec<PathBuf>,
    /// Check the site as served from this sub-path (overrides the config's `baseurl`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Fail on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also fetch external http(s) links.
    #[arg(long)]
    pub external: bool,
    /// Where `--external` keeps its cache (default: a folder in the system temp folder).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Seconds before an external request gives up.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
}

impl CheckArgs {
    pub fn options(&self) -> super::CheckOptions {
        let mut o = super::CheckOptions::new(&self.source);
        o.config_files = self.config.clone();
        o.base_url = self.base_url.clone();
        o.deny_warnings = self.deny_warnings;
        o.external = self.external;
        o.external_opts.cache_dir = self.cache_dir.clone();
        o.external_opts.timeout = std::time::Duration::from_secs(self.timeout.max(1));
        o
    }

    /// Check; returns the diagnostics and whether the site passed.
    pub fn run(&self) -> (Vec<Diagnostic>, bool) {
        let started = std::time::Instant::now();
        let report = super::run(&self.options());
        let ok = !report.has_errors();
        eprintln!(
            "checked {} pages: {} internal links{} in {:.0} ms",
            report.pages,
            report.internal,
            if self.external {
                format!(", {} external URLs", report.external)
            } else {
                String::new()
            },
            started.elapsed().as_secs_f64() * 1000.0
        );
        (report.diagnostics, ok)
    }
}
