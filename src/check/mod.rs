//! `elementdocs check`: everything `build` does except writing, then the
//! checks a site needs before it is published.
//!
//! * every internal link, image and asset of every page (Markdown, raw HTML
//!   and layout alike) resolves to a page, a generated or a static file, and
//!   every `#anchor` to an id on the target page ([`links`]); each problem is
//!   reported where the link was written in the source ([`locate`]);
//! * external links, only with `--external` ([`external`]);
//! * front matter rules per layout and unknown configuration keys ([`rules`]).

pub mod args;
pub mod external;
pub mod links;
pub mod locate;
pub mod rules;

use crate::config::Config;
use crate::diag::{sort_and_dedup, Diagnostic, Severity};
use crate::html;
use crate::publish::urls::OutputSet;
use crate::site::{page_meta, BuildOptions, PageOutput, Site, SiteOutput};
use crate::source::SourcePage;
use links::{extract, Problem, Ref, Resolution, SiteIndex};
use locate::Origin;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What `check` is asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub source: PathBuf,
    /// Configuration files instead of the site's own (as `build --config`).
    pub config_files: Vec<PathBuf>,
    /// Overrides the config's `baseurl`, as for `build`.
    pub base_url: Option<String>,
    /// Warnings fail the check.
    pub deny_warnings: bool,
    /// Fetch external http(s) links.
    pub external: bool,
    pub external_opts: external::ExternalOptions,
}

impl CheckOptions {
    pub fn new(source: impl Into<PathBuf>) -> Self {
        CheckOptions {
            source: source.into(),
            config_files: Vec::new(),
            base_url: None,
            deny_warnings: false,
            external: false,
            external_opts: external::ExternalOptions::default(),
        }
    }
}

/// The outcome of a check.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Build and check diagnostics, sorted by path.
    pub diagnostics: Vec<Diagnostic>,
    pub pages: usize,
    /// Internal references checked.
    pub internal: usize,
    /// Distinct external URLs fetched (0 without `--external`).
    pub external: usize,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Build the site in memory and check it.
pub fn run(opts: &CheckOptions) -> CheckReport {
    let build = BuildOptions {
        source: opts.source.clone(),
        config_files: opts.config_files.clone(),
        base_url: opts.base_url.clone(),
        ..Default::default()
    };
    let built = Site::load(&build).map(|mut site| {
        site.render_all(None);
        site.finish();
        (site.config().clone(), site.into_output())
    });
    let (config, site) = match built {
        Ok(s) => s,
        Err(d) => {
            return CheckReport {
                diagnostics: d,
                ..Default::default()
            }
        }
    };
    let mut report = CheckReport {
        pages: site.pages.len(),
        ..Default::default()
    };
    let mut diags = site.diagnostics.clone();
    diags.extend(rules::config_keys(&config));
    diags.extend(rules::front_matter(&site.sources));
    diags.extend(rules::api_documents(&config.root, &site.sources));
    diags.extend(check_links(&site, &config, opts, &mut report));
    if opts.deny_warnings {
        for d in diags.iter_mut() {
            d.severity = Severity::Error;
        }
    }
    sort_and_dedup(&mut diags);
    report.diagnostics = diags;
    report
}

/// What one HTML document links to that is broken, and its external URLs.
#[derive(Default)]
struct Scan {
    broken: Vec<(Ref, Problem, Severity)>,
    external: Vec<(String, Ref)>,
    internal: usize,
}

fn scan(idx: &SiteIndex, out_path: &str, doc: &str) -> Scan {
    let mut s = Scan::default();
    for r in extract(doc) {
        match idx.resolve(out_path, &r) {
            Resolution::Skipped => {}
            Resolution::External(u) => s.external.push((u, r)),
            Resolution::Ok => s.internal += 1,
            Resolution::Broken(p) => {
                s.internal += 1;
                s.broken.push((r, p, Severity::Error));
            }
        }
    }
    s
}

/// One problem at one place, before problems are merged across pages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    file: String,
    line: usize,
    col: usize,
    severity: Severity,
    /// The reference as written in the HTML: one place and href is one diagnostic.
    href: String,
    problem: Problem,
    /// The page the link was seen on (differs from `file` for includes and layouts).
    page: String,
    note: Option<String>,
}

fn check_links(
    site: &SiteOutput,
    config: &Config,
    opts: &CheckOptions,
    report: &mut CheckReport,
) -> Vec<Diagnostic> {
    let mut outputs = OutputSet::new(
        site.pages
            .iter()
            .map(|p| p.out_path.as_str())
            .chain(site.statics.iter().map(|s| s.out_rel.as_str()))
            .chain(site.generated.keys().map(String::as_str)),
    );
    // A page that failed to render is reported by the build; links to it are fine.
    for s in &site.sources {
        outputs.insert(&s.output_path());
    }
    let mut ids: HashMap<String, HashSet<String>> = site
        .pages
        .par_iter()
        .map(|p| (p.out_path.clone(), html::ids(&p.html).into_iter().collect()))
        .collect();
    let generated_html: Vec<(&String, &str)> = site
        .generated
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .filter_map(|(k, v)| Some((k, std::str::from_utf8(v).ok()?)))
        .collect();
    for (k, text) in &generated_html {
        ids.insert((*k).clone(), html::ids(text).into_iter().collect());
    }
    let idx = SiteIndex::new(&outputs, &ids, &config.baseurl, &config.url);
    let mut scans: Vec<Scan> = site
        .pages
        .par_iter()
        .map(|p| scan(&idx, &p.out_path, &p.html))
        .collect();
    let gen_scans: Vec<Scan> = generated_html
        .iter()
        .map(|(k, text)| scan(&idx, k, text))
        .collect();
    report.internal = scans.iter().chain(&gen_scans).map(|s| s.internal).sum();
    if opts.external {
        report.external = add_external(&mut scans, &opts.external_opts);
    }
    let by_rel: HashMap<&str, &SourcePage> =
        site.sources.iter().map(|s| (s.rel.as_str(), s)).collect();
    let dep_texts = read_deps(&config.root, &site.pages);
    let mut findings: Vec<Finding> = site
        .pages
        .par_iter()
        .zip(scans.par_iter())
        .flat_map_iter(|(p, s)| {
            locate_page(
                p,
                by_rel.get(p.source.as_str()).copied(),
                &dep_texts,
                &config.baseurl,
                s,
            )
        })
        .collect();
    for ((k, _), s) in generated_html.iter().zip(&gen_scans) {
        for (r, problem, severity) in &s.broken {
            findings.push(Finding {
                file: (*k).clone(),
                line: 0,
                col: 0,
                severity: *severity,
                href: r.raw.clone(),
                problem: problem.clone(),
                page: (*k).clone(),
                note: Some(
                    "this file is generated by elementdocs (theme or publishing step)".into(),
                ),
            });
        }
    }
    merge(findings, &by_rel, &dep_texts)
}

/// Fetch the external URLs of every page; failures join the page's problems.
fn add_external(scans: &mut [Scan], eo: &external::ExternalOptions) -> usize {
    let urls: BTreeSet<String> = scans
        .iter()
        .flat_map(|s| {
            s.external
                .iter()
                .map(|(u, _)| external::without_fragment(u))
        })
        .collect();
    let results = external::check_all(&urls.iter().cloned().collect::<Vec<_>>(), eo);
    for s in scans.iter_mut() {
        for (u, r) in &s.external {
            if let Some(Err(f)) = results.get(&external::without_fragment(u)) {
                let sev = if f.is_error() {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                s.broken.push((
                    r.clone(),
                    Problem {
                        message: format!("external link `{u}` failed: {}", f.reason),
                        help: None,
                    },
                    sev,
                ));
            }
        }
    }
    urls.len()
}

/// The text of every include the pages read, read once.
fn read_deps(root: &Path, pages: &[PageOutput]) -> HashMap<String, String> {
    let deps: BTreeSet<&PathBuf> = pages.iter().flat_map(|p| &p.deps).collect();
    deps.into_par_iter()
        .filter_map(|d| {
            let text = crate::source::read_text(&root.join(d), d).ok()?;
            Some((crate::diag::display_path(d), text))
        })
        .collect()
}

/// Map a page's broken references to the places they were written.
fn locate_page(
    p: &PageOutput,
    src: Option<&SourcePage>,
    deps: &HashMap<String, String>,
    baseurl: &str,
    s: &Scan,
) -> Vec<Finding> {
    let mut files: Vec<(&str, &str, usize)> = Vec::new();
    if let Some(src) = src {
        files.push((src.rel.as_str(), src.text.as_str(), src.body_offset));
    }
    for d in &p.deps {
        let key = crate::diag::display_path(d);
        if let Some((k, t)) = deps.get_key_value(&key) {
            files.push((k.as_str(), t.as_str(), 0));
        }
    }
    let layout = src
        .map(|s| page_meta(s).layout)
        .unwrap_or_else(|| "default".into());
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for (r, problem, severity) in &s.broken {
        if !seen.insert(r.raw.as_str()) {
            continue; // the same href twice on a page: its source places are found once
        }
        let needles = locate::needles(&r.raw, &r.href, baseurl);
        let mut origins = locate::find_in_sources(&files, &needles);
        if origins.is_empty() {
            let exp = locate::occurrences(&p.expanded, 0, &needles);
            origins.push(match exp.first() {
                Some(&at) => Origin::Expanded {
                    line: crate::diag::line_col(&p.expanded, at).0,
                },
                None => Origin::Layout,
            });
        }
        for o in origins {
            let (file, line, col, note) = match o {
                Origin::Source { file, line, col } => (file, line, col, None),
                Origin::Expanded { line } => (
                    p.source.clone(),
                    0,
                    0,
                    Some(format!("the link is built by Liquid: line {line} of the page after Liquid (see `build --expanded-dir`)")),
                ),
                Origin::Layout => (
                    format!("templates/{layout}.html"),
                    0,
                    0,
                    Some("the link is not in the page source: it comes from the layout".into()),
                ),
            };
            out.push(Finding {
                file,
                line,
                col,
                severity: *severity,
                href: r.raw.clone(),
                problem: problem.clone(),
                page: p.source.clone(),
                note,
            });
        }
    }
    out
}

/// One diagnostic per place and problem; a place seen from many pages (an
/// include, a layout) names the pages.
fn merge(
    findings: Vec<Finding>,
    sources: &HashMap<&str, &SourcePage>,
    deps: &HashMap<String, String>,
) -> Vec<Diagnostic> {
    // An include seen from several pages resolves the same href against each
    // page: one diagnostic per place and href, worded for the first page.
    type Key = (String, usize, usize, Severity, String);
    let mut groups: BTreeMap<Key, (Problem, BTreeSet<String>, Option<String>)> = BTreeMap::new();
    for f in findings {
        let e = groups
            .entry((f.file, f.line, f.col, f.severity, f.href))
            .or_insert_with(|| (f.problem, BTreeSet::new(), None));
        e.1.insert(f.page);
        if e.2.is_none() {
            e.2 = f.note;
        }
    }
    groups
        .into_iter()
        .map(|((file, line, col, severity, _), (problem, pages, note))| {
            let mut d = Diagnostic::new(severity, &file, line, col, problem.message);
            let text = sources
                .get(file.as_str())
                .map(|s| s.text.as_str())
                .or_else(|| deps.get(&file).map(String::as_str));
            if let Some(t) = text {
                d = d.with_source(t);
            }
            if let Some(n) = note {
                d = d.with_note(n);
            }
            if !(pages.len() == 1 && pages.contains(&file)) {
                d = d.with_note(pages_note(&pages));
            }
            if let Some(h) = problem.help {
                d = d.with_help(h);
            }
            d
        })
        .collect()
}

fn pages_note(pages: &BTreeSet<String>) -> String {
    let shown: Vec<&str> = pages.iter().take(3).map(String::as_str).collect();
    match pages.len() {
        1 => format!("on page `{}`", shown[0]),
        n if n <= 3 => format!(
            "on pages {}",
            shown
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        n => format!(
            "on {n} pages: {} and {} more",
            shown
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
            n - 3
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::line_col;
    use crate::markdown::Rendered;

    fn broken(raw: &str) -> (Ref, Problem, Severity) {
        (
            Ref {
                kind: links::RefKind::Link,
                raw: raw.into(),
                href: raw.into(),
            },
            Problem {
                message: format!("`{raw}` is broken"),
                help: None,
            },
            Severity::Error,
        )
    }

    #[test]
    fn links_are_found_in_the_page_its_includes_the_expansion_or_the_layout() {
        let text = "---\nlayout: guide\n---\nSee [a](a.html).\n";
        let src = SourcePage {
            rel: "g/p.md".into(),
            content_rel: "g/p.md".into(),
            text: text.into(),
            front: serde_json::from_str(r#"{"layout":"guide"}"#).unwrap(),
            body_offset: text.find("See").unwrap(),
            body_line: 4,
            is_markdown: true,
        };
        let include = "x\n<a href=\"b.html\">b</a>\n";
        let deps: HashMap<String, String> =
            [("_includes/n.html".to_string(), include.to_string())].into();
        let page = PageOutput {
            source: "g/p.md".into(),
            out_path: "g/p.html".into(),
            html: String::new(),
            expanded: "line one\n[c](c-1.html)\n".into(),
            rendered: Rendered::default(),
            deps: vec![PathBuf::from("_includes/n.html")],
        };
        let scan = Scan {
            broken: vec![
                broken("a.html"),
                broken("b.html"),
                broken("c-1.html"),
                broken("/nav.html"),
            ],
            ..Default::default()
        };
        let f = locate_page(&page, Some(&src), &deps, "", &scan);
        let places: Vec<(&str, usize, usize)> =
            f.iter().map(|f| (f.file.as_str(), f.line, f.col)).collect();
        let (al, ac) = line_col(text, text.find("a.html").unwrap());
        let (bl, bc) = line_col(include, include.find("b.html").unwrap());
        assert_eq!(
            places,
            [
                ("g/p.md", al, ac),
                ("_includes/n.html", bl, bc),
                ("g/p.md", 0, 0),
                ("templates/guide.html", 0, 0)
            ]
        );
        assert!(f[2]
            .note
            .as_deref()
            .unwrap()
            .contains("line 2 of the page after Liquid"));
        // The include's problem, seen from two pages, is one diagnostic naming both.
        let mut other = f[1].clone();
        other.page = "g/q.md".into();
        other.problem.message = "`b.html` resolved against g/q.html".into();
        let by_rel: HashMap<&str, &SourcePage> = [("g/p.md", &src)].into();
        let d = merge(vec![f[1].clone(), other], &by_rel, &deps);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].source_line.as_deref(),
            Some("<a href=\"b.html\">b</a>")
        );
        assert!(d[0]
            .notes
            .iter()
            .any(|n| n.contains("`g/p.md`") && n.contains("`g/q.md`")));
    }
}
