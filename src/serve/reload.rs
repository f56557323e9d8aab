//! Live reload: the websocket endpoint, the messages sent over it, and the
//! script injected (at serve time only) into every HTML response.
//!
//! After each rebuild every browser gets one message:
//! `{"type":"rebuild","changed":["/docs/a.html"],"css":[...],"assets":[...],
//! "rebuilt":["docs/a.md"],"relaid":0,"full":false,"ms":3.1,"errors":null}`.
//! A browser reloads only if its own page is in `changed` (or a non-CSS
//! asset changed); changed stylesheets are swapped in place; `errors` is the
//! overlay's HTML while the site has errors, and null once they are fixed.

use super::app::App;
use super::guard::{host_allowed, origin_allowed};
use super::rebuild::Rebuild;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// The websocket endpoint (on the same port as the site).
pub const WS_PATH: &str = "/__elementdocs/ws";

/// The message announcing a rebuild.
pub fn rebuild_message(rb: &Rebuild, base_url: &str, overlay: Option<&str>) -> String {
    let url = |p: &String| format!("{base_url}/{p}");
    json!({
        "type": "rebuild",
        "changed": rb.changed.iter().map(url).collect::<Vec<_>>(),
        "css": rb.css.iter().map(url).collect::<Vec<_>>(),
        "assets": rb.assets.iter().map(url).collect::<Vec<_>>(),
        "rebuilt": rb.rebuilt,
        "relaid": rb.relaid.len(),
        "full": rb.full,
        "cause": rb.cause,
        "ms": (rb.elapsed.as_secs_f64() * 1e4).round() / 10.0,
        "errors": overlay,
    })
    .to_string()
}

pub async fn ws_handler(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !host_allowed(app.loopback_only, &headers) || !origin_allowed(&headers) {
        return axum::http::StatusCode::FORBIDDEN.into_response();
    }
    // Subscribe before the upgrade: the `hello` a client receives means every
    // later rebuild reaches it.
    let rx = app.tx.subscribe();
    let version = app.version();
    ws.on_upgrade(move |socket| client(socket, rx, version))
}

async fn client(
    mut socket: WebSocket,
    mut rx: tokio::sync::broadcast::Receiver<Arc<str>>,
    version: u64,
) {
    let hello = json!({"type": "hello", "version": version}).to_string();
    if socket.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(text) => {
                    if socket.send(Message::Text(text.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // Missed messages: tell the page to reload itself.
                    let m = json!({"type": "reload"}).to_string();
                    if socket.send(Message::Text(m.into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// The script injected before `</body>` of HTML responses; `version` is the
/// rebuild the page was served from (a newer one on connect reloads it).
pub fn script(version: u64) -> String {
    format!(
        "<script data-elementdocs-live>{}</script>",
        SCRIPT
            .replace("__WS_PATH__", WS_PATH)
            .replace("__VERSION__", &version.to_string())
    )
}

const SCRIPT: &str = r#"(function () {
  var KEY = "__elementdocs_scroll";
  try {
    var saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
    if (saved && saved.path === location.pathname) {
      var restore = function () { window.scrollTo(saved.x, saved.y); };
      if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
    }
  } catch (e) {}
  function norm(p) {
    try { p = decodeURIComponent(p); } catch (e) {}
    return p.charAt(p.length - 1) === "/" ? p + "index.html" : p;
  }
  function reload() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ path: location.pathname, x: window.scrollX, y: window.scrollY }));
    } catch (e) {}
    location.reload();
  }
  function overlay(html) {
    var old = document.getElementById("__elementdocs_overlay");
    if (old) old.remove();
    if (html) document.body.insertAdjacentHTML("beforeend", html);
  }
  function swapCss(paths) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var u = new URL(links[i].href, location.href);
      if (u.host === location.host && paths.indexOf(norm(u.pathname)) >= 0) {
        u.searchParams.set("__elementdocs", Date.now());
        links[i].href = u.toString();
      }
    }
  }
  var delay = 200;
  var seen = __VERSION__;
  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "__WS_PATH__");
    ws.onmessage = function (ev) {
      var m = JSON.parse(ev.data);
      window.__elementdocsLast = m;
      if (m.type === "hello") {
        if (seen !== m.version) return reload();
        delay = 200;
        return;
      }
      if (m.type === "reload") return reload();
      if (m.type !== "rebuild") return;
      var here = norm(location.pathname);
      if (m.changed.indexOf(here) >= 0 || m.assets.length > 0) return reload();
      overlay(m.errors);
      if (m.css.length > 0) swapCss(m.css);
    };
    ws.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }
  connect();
})();"#;
