//! Stage timings for profiling: with `ELEMENTDOCS_TIMINGS=1` in the
//! environment, each stage of a build prints its wall time, the process's
//! CPU time so far and its resident memory (current and peak) to stderr.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("ELEMENTDOCS_TIMINGS").map(|_| Instant::now()))
}

/// `VmRSS`, `VmHWM`, `RssAnon` and `RssFile` of this process in MiB (Linux; 0 elsewhere).
fn rss_mib() -> (u64, u64, u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (
        field("VmRSS:"),
        field("VmHWM:"),
        field("RssAnon:"),
        field("RssFile:"),
    )
}

/// User + system CPU seconds of the process so far (Linux; 0 elsewhere).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line: 11 and 12 after `)`.
    (ticks(11) + ticks(12)) / 100.0
}

/// Print one stage line (when enabled): `stage  wall ms  cpu ms  rss/peak MiB`.
pub fn stage(name: &str) {
    if let Some(start) = enabled() {
        let (rss, hwm, anon, file) = rss_mib();
        eprintln!(
            "[timing] {name:<14} at {:7.1} ms  cpu {:6.0} ms  rss {rss} MiB (peak {hwm}; anon {anon}, file {file})",
            start.elapsed().as_secs_f64() * 1000.0,
            cpu_secs() * 1000.0
        );
    }
}
