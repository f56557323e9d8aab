//! Command-line interface: one struct per subcommand, each with its own `run()`.

use crate::diag::Diagnostic;
use crate::site::{BuildOptions, Site};
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
    /// Configuration files to read instead of the site's own, separated by
    /// commas; later files override earlier ones key by key (Jekyll's
    /// `--config _config.yml,extra.yml`).
    #[arg(long, value_delimiter = ',')]
    pub config: Vec<PathBuf>,
    /// Output folder (default: `public/` in the source folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write each page's source after Liquid (before Markdown) here.
    #[arg(long)]
    pub expanded_dir: Option<PathBuf>,
    /// Also write each page's rendered body alone (after Markdown, before
    /// any layout) here, at the page's output path.
    #[arg(long)]
    pub bodies_dir: Option<PathBuf>,
    /// Serve the site from this sub-path (overrides the config's `baseurl`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Skip the whole build when no input (paths, sizes, modification times,
    /// options, binary) changed since the last successful build into this
    /// output folder. Off by default: a plain build always renders everything.
    #[arg(long)]
    pub skip_unchanged: bool,
    /// Neither read nor write the highlighted code blocks kept between
    /// builds into this output folder (every block is highlighted again).
    #[arg(long)]
    pub no_cache: bool,
}

impl BuildArgs {
    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            source: self.source.clone(),
            config_files: self.config.clone(),
            out: self.out.clone(),
            expanded_dir: self.expanded_dir.clone(),
            bodies_dir: self.bodies_dir.clone(),
            base_url: self.base_url.clone(),
            strict: self.strict,
            one_shot: true,
            highlight_cache: None,
        }
    }

    /// Build and write; returns the diagnostics and whether the build succeeded.
    pub fn run(&self) -> (Vec<Diagnostic>, bool) {
        let mut opts = self.options();
        let started = std::time::Instant::now();
        let root = opts.source.canonicalize().unwrap_or(opts.source.clone());
        // The output folder as the build will resolve it (from the config's root).
        let cfg = match opts.load_config() {
            Ok(cfg) => cfg,
            Err(d) => return (vec![d], false),
        };
        let out = opts.out_dir(&cfg);
        if !self.no_cache {
            opts.highlight_cache = crate::output::state_file(&out, "highlight");
        }
        let fingerprint = (self.skip_unchanged
            && opts.expanded_dir.is_none()
            && opts.bodies_dir.is_none())
        .then(|| {
            let skip: Vec<std::path::PathBuf> = std::iter::once(out.clone())
                .map(|p| p.canonicalize().unwrap_or(p))
                .collect();
            crate::fresh::fingerprint(&cfg, &opts, &skip)
        });
        if let Some((record, files)) = fingerprint
            .as_deref()
            .and_then(|f| crate::fresh::unchanged(&out, f))
        {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "built {} pages into {} in {:.0} ms (0 written, {files} unchanged, 0 removed; no source changed since the last build)",
                record.pages,
                out.display(),
                started.elapsed().as_secs_f64() * 1000.0,
            );
            return (record.diagnostics, true);
        }
        // Pages are staged as they are rendered (not kept in memory), and
        // only put in place once the whole build succeeded.
        let folders = crate::output::Folders {
            site: &out,
            expanded: opts.expanded_dir.as_deref(),
            bodies: opts.bodies_dir.as_deref(),
        };
        let writer = match crate::output::Writer::open(folders, &root) {
            Ok(w) => w,
            Err(d) => return (vec![d], false),
        };
        let built = Site::load(&opts).map(|mut site| {
            site.render_all(Some(&writer));
            site.save_caches(opts.highlight_cache.as_deref());
            site.finish();
            site.into_output()
        });
        let site = match built {
            Ok(s) => s,
            Err(d) => return (d, false),
        };
        if site.has_errors() {
            return (site.diagnostics, false);
        }
        let mut diags = site.diagnostics.clone();
        match writer.commit(&site) {
            Ok(stats) => {
                crate::timing::stage("write");
                if let Some(fingerprint) = fingerprint {
                    let record = crate::fresh::Record {
                        fingerprint,
                        pages: site.pages.len(),
                        diagnostics: diags.clone(),
                    };
                    crate::fresh::record(&out, &record);
                }
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
