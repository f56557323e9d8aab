//! The HTTP side of `serve`: the site from memory (statics from the source
//! tree), GET and HEAD only, request paths resolved strictly inside the site
//! root, the site's `404.html` (or a built-in one) for misses, and the
//! live-reload script (plus the error overlay) added to HTML responses.

use super::app::{App, Snapshot};
use super::guard::host_allowed;
use super::live::Entry;
use super::overlay::inject;
use super::reload::{script, ws_handler, WS_PATH};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(WS_PATH, get(ws_handler))
        .fallback(serve_file)
        .with_state(app)
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    /// Malformed or escaping: 400.
    Bad,
    /// Outside the base URL: 404.
    NotFound,
}

/// Decode `%XX` escapes; a malformed escape is an error (the crate's
/// decoder keeps it as text, which a path check must not accept).
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let well_formed = s
        .split('%')
        .skip(1)
        .all(|rest| rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit));
    well_formed.then(|| percent_encoding::percent_decode_str(s).collect())
}

/// Encode a resolved key for a `Location` header (`/` and `-._~` kept).
fn percent_encode(key: &str) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    const KEEP: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(key, KEEP).to_string()
}

/// Resolve a raw request path (still percent-encoded) to a key of the site:
/// `index.html` for `/`, `dir/index.html` for `/dir/`. Refuses `..` and `.`
/// segments, backslashes, NUL and other control bytes, invalid UTF-8 and
/// paths outside `base_url`.
pub fn resolve(raw: &str, base_url: &str) -> Result<String, PathError> {
    if !raw.starts_with('/') {
        return Err(PathError::Bad);
    }
    let bytes = percent_decode(raw).ok_or(PathError::Bad)?;
    let path = String::from_utf8(bytes).map_err(|_| PathError::Bad)?;
    if path.chars().any(|c| c.is_control() || c == '\\') {
        return Err(PathError::Bad);
    }
    let rest = if base_url.is_empty() {
        path.as_str()
    } else if path == base_url {
        "/"
    } else {
        path.strip_prefix(base_url)
            .filter(|r| r.starts_with('/'))
            .ok_or(PathError::NotFound)?
    };
    let mut segs = Vec::new();
    for seg in rest.split('/') {
        match seg {
            "" => {}
            "." | ".." => return Err(PathError::Bad),
            s => segs.push(s),
        }
    }
    let mut key = segs.join("/");
    if rest.ends_with('/') || key.is_empty() {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok(key)
}

/// The content type for a file name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" | "markdown" | "yml" | "yaml" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

const BUILTIN_404: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>404: page not found</h1><p>elementdocs serve has no file at this address.</p></body></html>";

async fn serve_file(State(app): State<Arc<App>>, req: Request) -> Response {
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if !host_allowed(app.loopback_only, req.headers()) {
        return plain(StatusCode::FORBIDDEN, "unexpected Host header\n");
    }
    let raw = req.uri().path().to_string();
    let snap = app.snapshot();
    let key = match resolve(&raw, &app.base_url) {
        Ok(k) => k,
        Err(PathError::Bad) => return plain(StatusCode::BAD_REQUEST, "bad request path\n"),
        Err(PathError::NotFound) => {
            if raw == "/" {
                // The site lives under its base URL.
                return redirect(&format!("{}/", app.base_url));
            }
            return not_found(&app, &snap, head);
        }
    };
    let entry = match snap.files.get(&key) {
        Some(e) => Some((key.clone(), e)),
        None if snap.files.contains_key(&format!("{key}/index.html")) => {
            let q = req
                .uri()
                .query()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            return redirect(&format!("{}/{}/{q}", app.base_url, percent_encode(&key)));
        }
        None => {
            let html = format!("{key}.html");
            snap.files.get(&html).map(|e| (html, e))
        }
    };
    let Some((key, entry)) = entry else {
        return not_found(&app, &snap, head);
    };
    let bytes = match entry {
        Entry::Bytes(b) => b.clone(),
        Entry::File(abs) => {
            let abs = abs.clone();
            match tokio::task::spawn_blocking(move || std::fs::read(abs)).await {
                Ok(Ok(b)) => Bytes::from(b),
                _ => return not_found(&app, &snap, head),
            }
        }
    };
    respond(&app, &snap, StatusCode::OK, &key, bytes, head)
}

fn redirect(to: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn not_found(app: &App, snap: &Snapshot, head: bool) -> Response {
    let body = match snap.files.get("404.html") {
        Some(Entry::Bytes(b)) => b.clone(),
        Some(Entry::File(abs)) => std::fs::read(abs)
            .map(Bytes::from)
            .unwrap_or_else(|_| Bytes::from_static(BUILTIN_404.as_bytes())),
        None => Bytes::from_static(BUILTIN_404.as_bytes()),
    };
    respond(app, snap, StatusCode::NOT_FOUND, "404.html", body, head)
}

fn respond(
    _app: &App,
    snap: &Snapshot,
    status: StatusCode,
    key: &str,
    body: Bytes,
    head: bool,
) -> Response {
    let ctype = content_type(key);
    let body = if ctype.starts_with("text/html") {
        let mut extra = script(snap.version);
        if let Some(w) = snap.warnings.get(key) {
            extra.insert_str(0, w);
        }
        if let Some(o) = &snap.overlay {
            extra.insert_str(0, o);
        }
        Bytes::from(inject(&body, &extra))
    } else {
        body
    };
    let len = body.len();
    let mut r = Response::new(if head {
        Body::empty()
    } else {
        Body::from(body)
    });
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_inside_the_root() {
        assert_eq!(resolve("/", ""), Ok("index.html".into()));
        assert_eq!(resolve("/docs/", ""), Ok("docs/index.html".into()));
        assert_eq!(resolve("/docs/a.html", ""), Ok("docs/a.html".into()));
        assert_eq!(resolve("/a%20b.html", ""), Ok("a b.html".into()));
        assert_eq!(resolve("//etc/passwd", ""), Ok("etc/passwd".into()));
        assert_eq!(resolve("/sub/x.html", "/sub"), Ok("x.html".into()));
        assert_eq!(resolve("/sub", "/sub"), Ok("index.html".into()));
        assert_eq!(resolve("/subx/x.html", "/sub"), Err(PathError::NotFound));
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a/%2e%2e%2f%2e%2e%2fx",
            "/a%5c..%5cx",
            "/a%00.html",
            "/%zz",
            "/%ff.html",
            "relative",
        ] {
            assert_eq!(resolve(bad, ""), Err(PathError::Bad), "{bad}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("i.png"), "image/png");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
