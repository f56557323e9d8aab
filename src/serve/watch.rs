//! Watching the source tree: debounced file events, minus what is never
//! source (the output folder, dotfiles, editor temp and swap files).

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{new_debouncer_opt, Config, DebounceEventResult, Debouncer};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::{Duration, SystemTime};

/// Which changed paths are not worth a rebuild.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub root: PathBuf,
    /// Folders whose changes are ignored (the output folder...).
    pub folders: Vec<PathBuf>,
}

impl Ignore {
    pub fn ignored(&self, path: &Path) -> bool {
        if self.folders.iter().any(|f| path.starts_with(f)) {
            return true;
        }
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        if rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        {
            return true;
        }
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        is_editor_temp(&name)
    }
}

/// Backup, swap and lock files editors write next to the file being edited.
pub fn is_editor_temp(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".crswap"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// What identifies one version of a file: events that leave it unchanged
/// (the watcher also reports files being opened, e.g. by our own rebuild)
/// are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
    is_dir: bool,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
        inode,
        is_dir: m.is_dir(),
    })
}

/// The last known stamp of every file under the root.
struct Seen(HashMap<PathBuf, Option<Stamp>>);

impl Seen {
    fn scan(ignore: &Ignore) -> Seen {
        let mut m = HashMap::new();
        let walker = walkdir::WalkDir::new(&ignore.root)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !ignore.ignored(e.path()));
        for e in walker.filter_map(Result::ok) {
            m.insert(e.path().to_path_buf(), stamp(e.path()));
        }
        Seen(m)
    }

    /// Did `path` change since it was last seen? Unknown paths did.
    fn changed(&mut self, path: &Path) -> bool {
        let now = stamp(path);
        match self.0.insert(path.to_path_buf(), now) {
            // A folder's own stamp changes with its entries, which are
            // reported by themselves.
            Some(Some(a)) if a.is_dir && now.is_some_and(|b| b.is_dir) => false,
            Some(before) => before != now,
            None => true,
        }
    }
}

/// A running watcher; dropping it stops watching.
pub enum WatchHandle {
    Native(#[allow(dead_code)] Debouncer<RecommendedWatcher>),
    Poll(#[allow(dead_code)] Debouncer<PollWatcher>),
}

/// Watch `ignore.root` recursively; each debounced batch of relevant paths
/// is sent to `tx`. `poll`: stat the tree periodically instead of relying on
/// file system events (containers, network mounts).
pub fn watch(ignore: Ignore, poll: bool, tx: Sender<Vec<PathBuf>>) -> notify::Result<WatchHandle> {
    let root = ignore.root.clone();
    let mut seen = Seen::scan(&ignore);
    let handler = move |res: DebounceEventResult| match res {
        Ok(events) => {
            let mut paths: Vec<PathBuf> = events
                .into_iter()
                .map(|e| e.path)
                .filter(|p| !ignore.ignored(p) && seen.changed(p))
                .collect();
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                let _ = tx.send(paths);
            }
        }
        Err(e) => eprintln!("warning: file watcher: {e}"),
    };
    if poll {
        let cfg = Config::default()
            .with_timeout(Duration::from_millis(50))
            .with_notify_config(
                notify::Config::default().with_poll_interval(Duration::from_millis(300)),
            );
        let mut d = new_debouncer_opt::<_, PollWatcher>(cfg, handler)?;
        d.watcher().watch(&root, RecursiveMode::Recursive)?;
        Ok(WatchHandle::Poll(d))
    } else {
        let cfg = Config::default().with_timeout(Duration::from_millis(15));
        let mut d = new_debouncer_opt::<_, RecommendedWatcher>(cfg, handler)?;
        d.watcher().watch(&root, RecursiveMode::Recursive)?;
        Ok(WatchHandle::Native(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_dotfiles_temp_files_and_output() {
        let ig = Ignore {
            root: "/s".into(),
            folders: vec!["/s/public".into()],
        };
        for p in [
            "/s/public/a.html",
            "/s/.git/index",
            "/s/docs/.a.md.swp",
            "/s/docs/a.md~",
            "/s/docs/.#a.md",
            "/s/docs/#a.md#",
            "/s/docs/4913",
        ] {
            assert!(ig.ignored(Path::new(p)), "{p}");
        }
        for p in ["/s/docs/a.md", "/s/_includes/note.html", "/s/publicity.md"] {
            assert!(!ig.ignored(Path::new(p)), "{p}");
        }
    }
}
