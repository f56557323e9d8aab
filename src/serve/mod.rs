//! `elementdocs serve`: build the site in memory, serve it, watch the source
//! and rebuild incrementally, pushing live-reload messages to the browsers.
//!
//! * [`live`]: the site kept between rebuilds and what a change redoes
//!   (`changes` sorts the changed files, [`rebuild`] reports what was done);
//! * [`watch`]: debounced file events (or polling), minus editor noise;
//! * [`http`]: the axum router (files from memory, path safety, 404, HEAD),
//!   with `guard` deciding who may talk to it and `app` the shared state;
//! * [`reload`]: the websocket and the injected script;
//! * [`overlay`]: the error panel shown while the last rebuild failed.
//!
//! Nothing is ever written to the output folder.

mod app;
mod changes;
mod guard;
pub mod http;
pub mod live;
pub mod overlay;
pub mod rebuild;
pub mod reload;
pub mod watch;

use crate::diag::Diagnostic;
use crate::site::BuildOptions;
use app::{App, Snapshot};
use live::LiveSite;
use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Instant;
use tokio::sync::broadcast;

/// `elementdocs serve`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The site's source folder.
    #[arg(long, default_value = ".")]
    pub source: PathBuf,
    /// Configuration files instead of the site's own, separated by commas
    /// (as `build --config`).
    #[arg(long, value_delimiter = ',')]
    pub config: Vec<PathBuf>,
    /// Address to listen on (loopback by default; anything else is reachable from the network).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Poll the file system (every 0.3 s) instead of waiting for events
    /// (containers, network mounts). Modification times are compared in
    /// whole seconds: a second save within the same second shows with the next change.
    #[arg(long)]
    pub poll: bool,
}

impl ServeArgs {
    /// Serve until interrupted; returns the diagnostics that stopped it.
    pub fn run(&self) -> (Vec<Diagnostic>, bool) {
        let opts = ServeOptions {
            source: self.source.clone(),
            config_files: self.config.clone(),
            host: self.host.clone(),
            port: self.port,
            open: self.open,
            poll: self.poll,
        };
        match run(&opts) {
            Ok(()) => (Vec::new(), true),
            Err(d) => (d, false),
        }
    }
}

/// What `serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub source: PathBuf,
    /// Configuration files instead of the site's own (as `build --config`).
    pub config_files: Vec<PathBuf>,
    pub host: String,
    /// 0: any free port (the address is printed).
    pub port: u16,
    pub open: bool,
    pub poll: bool,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// Build, serve and watch until interrupted.
pub fn run(opts: &ServeOptions) -> Result<(), Vec<Diagnostic>> {
    let started = Instant::now();
    let source = opts.source.canonicalize().map_err(|e| {
        vec![Diagnostic::error(
            &opts.source,
            0,
            0,
            format!("cannot open source folder: {e}"),
        )]
    })?;
    let out_dir = source.join("public");
    let site = LiveSite::load(BuildOptions {
        source: source.clone(),
        config_files: opts.config_files.clone(),
        out: Some(out_dir.clone()),
        ..Default::default()
    })?;
    let errors = site.errors();
    for d in site.warnings().iter().chain(errors.iter()) {
        eprintln!("{d}\n");
    }
    eprintln!(
        "built {} pages in memory in {:.0} ms{}",
        site.page_count(),
        started.elapsed().as_secs_f64() * 1000.0,
        if errors.is_empty() {
            String::new()
        } else {
            format!(" with {} error(s) (shown on every page)", errors.len())
        }
    );
    if !is_loopback(&opts.host) {
        eprintln!(
            "warning: serving on `{}`, which other machines can reach; this is a preview server, \
             use the default 127.0.0.1 unless you mean it",
            opts.host
        );
    }
    let listener = TcpListener::bind((opts.host.as_str(), opts.port)).map_err(|e| {
        vec![Diagnostic::error(
            "serve",
            0,
            0,
            format!("cannot listen on {}:{}: {e}", opts.host, opts.port),
        )
        .with_help("choose another --port, or 0 for any free port")]
    })?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| vec![Diagnostic::error("serve", 0, 0, e.to_string())])?;
    let (tx, _) = broadcast::channel(64);
    let base_url = site.config().baseurl.clone();
    let app = Arc::new(App {
        snap: RwLock::new(Arc::new(Snapshot {
            files: HashMap::new(),
            overlay: None,
            warnings: HashMap::new(),
            version: 0,
        })),
        tx,
        base_url: base_url.clone(),
        loopback_only: addr.ip().is_loopback(),
    });
    app.publish(&site);

    // Watch; rebuild on a thread of its own.
    let mut ignored = vec![out_dir];
    if site.config().layout == crate::config::SourceLayout::Jekyll {
        ignored.push(source.join("_site"));
    }
    let (etx, erx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let _watcher = watch::watch(
        watch::Ignore {
            root: source.clone(),
            folders: ignored,
        },
        opts.poll,
        etx,
    )
    .map_err(|e| {
        vec![Diagnostic::error(
            &source,
            0,
            0,
            format!("cannot watch the source folder: {e}"),
        )
        .with_help("try --poll")]
    })?;
    let rebuild_app = app.clone();
    std::thread::Builder::new()
        .name("elementdocs-rebuild".into())
        .spawn(move || rebuild_loop(site, erx, rebuild_app))
        .map_err(|e| vec![Diagnostic::error("serve", 0, 0, e.to_string())])?;

    let url = format!("http://{addr}{base_url}/");
    println!("serving at {url} (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    if opts.open {
        if let Err(e) = std::process::Command::new("xdg-open").arg(&url).spawn() {
            eprintln!("warning: cannot open a browser: {e}");
        }
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| vec![Diagnostic::error("serve", 0, 0, e.to_string())])?;
    rt.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, http::router(app))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
    .map_err(|e| vec![Diagnostic::error("serve", 0, 0, e.to_string())])?;
    Ok(())
}

/// Print, after a rebuild, the errors when they changed (or "errors
/// fixed"), and the warnings of the pages that were rendered again, as
/// `build` prints them.
fn report_changes(site: &LiveSite, rb: &rebuild::Rebuild, shown_errors: &mut Vec<Diagnostic>) {
    let errors = site.errors();
    if errors != *shown_errors {
        for d in &errors {
            eprintln!("{d}\n");
        }
        if errors.is_empty() && !shown_errors.is_empty() {
            eprintln!("errors fixed");
        }
        *shown_errors = errors;
    }
    for d in site.page_warnings(&rb.rebuilt) {
        eprintln!("{d}\n");
    }
}

fn rebuild_loop(mut site: LiveSite, rx: std::sync::mpsc::Receiver<Vec<PathBuf>>, app: Arc<App>) {
    let mut shown_errors: Vec<Diagnostic> = Vec::new();
    let debug = std::env::var_os("ELEMENTDOCS_SERVE_DEBUG").is_some();
    while let Ok(mut paths) = rx.recv() {
        // Coalesce batches that arrived meanwhile.
        while let Ok(more) = rx.try_recv() {
            paths.extend(more);
        }
        paths.sort();
        paths.dedup();
        if debug {
            eprintln!("changed: {paths:?}");
        }
        let t = Instant::now();
        let rb = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| site.apply(&paths)))
        {
            Ok(rb) => rb,
            Err(panic) => {
                // A bug, not the writer's fault: say so on every page and keep serving.
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                let first = paths.first().cloned().unwrap_or_default();
                let shown = first
                    .strip_prefix(site.root())
                    .unwrap_or(&first)
                    .to_path_buf();
                site.set_internal_error(
                    Diagnostic::error(
                        shown,
                        0,
                        0,
                        format!("elementdocs crashed while rebuilding after this change: {what}"),
                    )
                    .with_help("this is a bug in elementdocs; please report it with the file that triggered it"),
                );
                rebuild::Rebuild {
                    cause: vec!["internal error".into()],
                    failed: true,
                    ..Default::default()
                }
            }
        };
        let t_apply = t.elapsed();
        let overlay = app.publish(&site);
        if debug {
            eprintln!("apply {t_apply:?}, publish {:?}", t.elapsed() - t_apply);
        }
        let msg = reload::rebuild_message(&rb, &app.base_url, overlay.as_deref());
        let _ = app.tx.send(Arc::from(msg));
        report_changes(&site, &rb, &mut shown_errors);
        println!("{}", rb.summary());
        let _ = std::io::stdout().flush();
    }
}
