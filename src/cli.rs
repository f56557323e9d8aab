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
    Check(crate::check::args::CheckArgs),
    /// Create something new from the scaffold templates (`new element KEY`).
    New(crate::scaffold::NewArgs),
    /// Serve the site from memory with live reload, rebuilding what each edit touches.
    Serve(crate::serve::ServeArgs),
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
                // Not eprintln!: a closed stderr must not turn a good build into a panic.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
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
