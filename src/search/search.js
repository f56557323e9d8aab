// elementdocs search box: runs in the browser on the static output, offline.
//
// The theme puts `<input id="ed-search" type="search">` and
// `<div id="ed-search-results"></div>` on every page and loads this file
// (assets/elementdocs/search.js, which also carries elasticlunr.js). The index
// is a script beside it (search-index.js) that assigns a global, so it loads
// over file:// as well as over HTTP; it is fetched the first time the box is
// used. Paths are resolved from this script's own URL, so the site works at
// any base URL and from a plain folder.
(function () {
  "use strict";

  var INDEX_FILE = "search-index.js";
  var MAX_RESULTS = 20;
  var script = document.currentScript;
  var assetsUrl = script && script.src ? script.src.replace(/[^\/]*([?#].*)?$/, "") : "";
  // assets/elementdocs/ → the site root.
  var siteRoot = assetsUrl.replace(/assets\/elementdocs\/$/, "");

  // The Korean pipeline elasticlunr-rs used for `ko` pages: the same names,
  // so elasticlunr.Index.load finds them, and the same rules, so a query is
  // cut into the tokens the index holds.
  function registerKorean(lunr) {
    var trimRe;
    try {
      trimRe = new RegExp("^[^\\p{sc=Latin}\\p{sc=Hangul}]+|[^\\p{sc=Latin}\\p{sc=Hangul}]+$", "gu");
    } catch (e) {
      trimRe = /^[^A-Za-z\u00C0-\u024F\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]+|[^A-Za-z\u00C0-\u024F\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]+$/g;
    }
    var stop = {};
    (window.ELEMENTDOCS_KO_STOP_WORDS || []).forEach(function (w) { stop[w] = true; });
    var trimmer = function (token) {
      var t = token.replace(trimRe, "");
      return t === "" ? undefined : t;
    };
    var stopWords = function (token) {
      return stop[token] ? undefined : token;
    };
    var stemmer = function (token) { return token; };
    lunr.Pipeline.registerFunction(trimmer, "trimmer-ko");
    lunr.Pipeline.registerFunction(stopWords, "stopWordFilter-ko");
    lunr.Pipeline.registerFunction(stemmer, "stemmer-ko");
  }

  var state = { loading: false, data: null, indexes: [], waiting: [] };

  function loadIndex(done) {
    if (state.data) { done(); return; }
    state.waiting.push(done);
    if (state.loading) return;
    state.loading = true;
    var s = document.createElement("script");
    s.src = assetsUrl + INDEX_FILE;
    s.onload = function () {
      var data = window.elementdocsSearchIndex;
      if (!data) { fail("the search index is empty"); return; }
      registerKorean(window.elasticlunr);
      Object.keys(data.indexes).sort().forEach(function (lang) {
        state.indexes.push({ lang: lang, index: elasticlunr.Index.load(data.indexes[lang]) });
      });
      state.data = data;
      var w = state.waiting; state.waiting = [];
      w.forEach(function (f) { f(); });
    };
    s.onerror = function () { fail("the search index could not be loaded"); };
    document.head.appendChild(s);
  }

  function fail(message) {
    state.loading = false;
    var out = document.getElementById("ed-search-results");
    if (out) { out.textContent = "Search is unavailable: " + message + "."; }
  }

  var OPTIONS = {
    fields: { title: { boost: 3 }, heading: { boost: 2 }, headings: { boost: 2 }, body: { boost: 1 } },
    bool: "AND",
    expand: true
  };

  function search(query) {
    var hits = [];
    state.indexes.forEach(function (entry) {
      entry.index.search(query, OPTIONS).forEach(function (r) {
        hits.push({ ref: r.ref, score: r.score, lang: entry.lang });
      });
    });
    hits.sort(function (a, b) { return b.score - a.score || (a.ref < b.ref ? -1 : 1); });
    return hits.slice(0, MAX_RESULTS);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function show(query, out) {
    out.textContent = "";
    if (!query.trim()) return;
    var hits = search(query);
    if (!hits.length) {
      out.appendChild(el("p", "ed-search-none", "No results for \u201c" + query + "\u201d."));
      return;
    }
    var list = el("ul", "ed-search-list");
    hits.forEach(function (hit) {
      var doc = state.data.docs[+hit.ref] || {};
      var li = el("li", "ed-search-result");
      li.setAttribute("lang", hit.lang);
      var a = el("a");
      a.href = siteRoot + (doc.u || "");
      var title = doc.h && doc.t && doc.h !== doc.t ? doc.h + " \u203a " + doc.t : (doc.t || doc.h || doc.u);
      a.appendChild(el("span", "ed-search-title", title));
      li.appendChild(a);
      if (doc.b) li.appendChild(el("p", "ed-search-teaser", doc.b));
      list.appendChild(li);
    });
    out.appendChild(list);
  }

  // Plain default looks for the results, at the lowest specificity so that
  // any rule of the theme wins.
  var CSS = [
    ":where(#ed-search-results) .ed-search-list{list-style:none;margin:0;padding:0}",
    ":where(#ed-search-results) .ed-search-result{padding:6px 10px;border-radius:6px}",
    ":where(#ed-search-results) .ed-search-result:hover{background:rgba(127,127,127,.12)}",
    ":where(#ed-search-results) .ed-search-result a{display:block;font-weight:600;text-decoration:none}",
    ":where(#ed-search-results) .ed-search-teaser{margin:2px 0 0;font-size:.85em;line-height:1.4;opacity:.75}",
    ":where(#ed-search-results) .ed-search-none{margin:6px 10px;opacity:.75}"
  ].join("\n");

  function addStyle() {
    var style = document.createElement("style");
    style.textContent = CSS;
    document.head.insertBefore(style, document.head.firstChild);
  }

  function init() {
    var box = document.getElementById("ed-search");
    var out = document.getElementById("ed-search-results");
    if (!box || !out) return;
    addStyle();
    document.addEventListener("click", function (e) {
      if (e.target !== box && !out.contains(e.target)) out.textContent = "";
    });
    var timer = null;
    var run = function () {
      var q = box.value;
      loadIndex(function () { show(q, out); });
    };
    box.addEventListener("focus", function () {
      loadIndex(function () { if (box.value && !out.firstChild) show(box.value, out); });
    });
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { box.value = ""; out.textContent = ""; }
      if (e.key === "Enter") {
        var first = out.querySelector("a");
        if (first) { window.location.href = first.href; }
      }
      if (e.key === "ArrowDown") { move(0); e.preventDefault(); }
    });
    // Up and down walk the result links; Escape goes back to the box.
    var move = function (to) {
      var links = out.querySelectorAll("a");
      if (to >= 0 && to < links.length) links[to].focus();
      else if (to < 0) box.focus();
    };
    out.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(out.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (at < 0) return;
      if (e.key === "ArrowDown") { move(at + 1); e.preventDefault(); }
      if (e.key === "ArrowUp") { move(at - 1); e.preventDefault(); }
      if (e.key === "Escape") { box.focus(); e.preventDefault(); }
    });
    out.setAttribute("aria-live", "polite");
    if (box.value) run();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
