//! What the HTTP handlers and the rebuild thread share: the current
//! snapshot of the served site (swapped whole after each rebuild) and the
//! channel that announces rebuilds to the browsers.

use super::live::{Entry, LiveSite};
use super::overlay;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

/// One consistent state of the served site.
pub struct Snapshot {
    pub files: HashMap<String, Entry>,
    /// The error overlay while the site has errors.
    pub overlay: Option<String>,
    /// The warnings panel of each page that has warnings, by output path.
    pub warnings: HashMap<String, String>,
    /// Rebuild counter; pages carry it so a stale page reloads on connect.
    pub version: u64,
}

/// State shared by the HTTP handlers and the rebuild thread.
pub struct App {
    pub(super) snap: RwLock<Arc<Snapshot>>,
    pub tx: broadcast::Sender<Arc<str>>,
    pub base_url: String,
    /// Bound to a loopback address: only loopback `Host` names are answered.
    pub loopback_only: bool,
}

impl App {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snap.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn version(&self) -> u64 {
        self.snapshot().version
    }

    pub(super) fn publish(&self, site: &LiveSite) -> Option<String> {
        let overlay = overlay::overlay_html(&site.errors());
        let files = site.files();
        let warnings = site
            .warnings_by_output()
            .into_iter()
            .filter_map(|(out, w)| Some((out, overlay::warnings_html(&w)?)))
            .collect();
        let mut guard = self.snap.write().unwrap_or_else(|e| e.into_inner());
        let version = guard.version + 1;
        // The old snapshot is dropped after the lock is released.
        let _old = std::mem::replace(
            &mut *guard,
            Arc::new(Snapshot {
                files,
                overlay: overlay.clone(),
                warnings,
                version,
            }),
        );
        drop(guard);
        overlay
    }
}
