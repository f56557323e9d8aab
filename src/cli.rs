//! Command-line interface: one struct per subcommand, each with its own `run()`.

use crate::diag::Diagnostic;
use crate::site::{build_site, BuildOptions};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "elementdocs",
    version,
    about = "Static-site generator for API element guides"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Render the site into the output folder.
    Build(BuildArgs),
    /// Build in memory (nothing is written) and check links, anchors, images,
    /// front matter and configuration.
    Check(CheckArgs),
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// The site's source folder.
    #[arg(long, default_value = ".")]
    pub source: PathBuf,
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
    pub fn options(&self) -> crate::check::CheckOptions {
        let mut o = crate::check::CheckOptions::new(&self.source);
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
        let report = crate::check::run(&self.options());
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

#[derive(Args, Debug, Clone)]
pub struct BuildArgs {
    /// The site's source folder.
    #[arg(long, default_value = ".")]
    pub source: PathBuf,
    /// Output folder (default: `public/` in the source folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write each page's source after Liquid (before Markdown) here.
    #[arg(long)]
    pub expanded_dir: Option<PathBuf>,
    /// Serve the site from this sub-path (overrides the config's `baseurl`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

impl BuildArgs {
    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            source: self.source.clone(),
            out: self.out.clone(),
            expanded_dir: self.expanded_dir.clone(),
            base_url: self.base_url.clone(),
            strict: self.strict,
        }
    }

    /// Build and write; returns the diagnostics and whether the build succeeded.
    pub fn run(&self) -> (Vec<Diagnostic>, bool) {
        let opts = self.options();
        let started = std::time::Instant::now();
        let site = match build_site(&opts) {
            Ok(s) => s,
            Err(d) => return (d, false),
        };
        if site.has_errors() {
            return (site.diagnostics, false);
        }
        let root = opts.source.canonicalize().unwrap_or(opts.source.clone());
        let out = opts.out.clone().unwrap_or_else(|| root.join("public"));
        let mut diags = site.diagnostics.clone();
        match crate::output::write_site(&site, &out, &root, opts.expanded_dir.as_deref()) {
            Ok(stats) => {
                eprintln!(
                    "built {} pages into {} in {:.0} ms ({} written, {} unchanged, {} removed)",
                    site.pages.len(),
                    out.display(),
                    started.elapsed().as_secs_f64() * 1000.0,
                    stats.written,
                    stats.unchanged,
                    stats.removed
                );
                (diags, true)
            }
            Err(d) => {
                diags.push(d);
                (diags, false)
            }
        }
    }
}
