//! Who may talk to the preview server: on a loopback address only loopback
//! `Host` names are answered (no DNS rebinding), and the live-reload
//! websocket only opens from a page of this server.

use axum::http::header;

/// The host part of a `Host` header or an origin's authority (`h:port`, `[v6]:port`).
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    authority
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(authority)
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// On a loopback address, only loopback `Host` names are served: a web page
/// elsewhere cannot read the preview through DNS rebinding.
pub fn host_allowed(loopback_only: bool, headers: &axum::http::HeaderMap) -> bool {
    if !loopback_only {
        return true;
    }
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(h) => is_loopback_name(host_of(h)),
        None => true,
    }
}

/// A websocket may only be opened from a page of this server (or a non-browser client).
pub fn origin_allowed(headers: &axum::http::HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let authority = origin.split("://").nth(1).unwrap_or("");
    !host.is_empty() && authority.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn host_names() {
        assert_eq!(host_of("127.0.0.1:4000"), "127.0.0.1");
        assert_eq!(host_of("[::1]:4000"), "::1");
        assert_eq!(host_of("localhost"), "localhost");
        assert!(is_loopback_name("localhost") && is_loopback_name("::1"));
        assert!(!is_loopback_name("evil.example"));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:4000"));
        assert!(origin_allowed(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:4000"),
        );
        assert!(origin_allowed(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!origin_allowed(&h));
    }
}
