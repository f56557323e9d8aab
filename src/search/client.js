// elementdocs search box: searches the index the build wrote beside this
// script (assets/elementdocs/search/), loading only the files a query needs.
//
// The theme puts `<input id="ed-search">` and `<div id="ed-search-results">`
// on every page. Index files are scripts calling `elementdocsSearch(name,
// data)`, loaded with <script> tags, so search works over HTTP at any base
// URL and from a folder opened over file:// alike. Paths are resolved from
// this script's own URL.
//
// A query is cut into words as the build cut the pages (letters and digits,
// lower case). Each word is looked up in its shard: the word itself, the
// words it begins (type-ahead, and Korean particles: 인증 finds 인증을), and
// when it has no exact match and five letters or more, the words one edit
// away. Each leads to the postings of its stem group. A section's score
// sums, per query word, its best match: weight x rarity x match kind;
// sections matching more of the query words rank first.
(function () {
  "use strict";

  var MAX_RESULTS = 8;
  var PER_PAGE = 3;
  var PREFIX_SHARDS = 3;
  var MAX_WORD_CHARS = 32;
  var EXACT = 1, PREFIX = 0.6, TYPO = 0.45, SAME_LANG = 1.25;
  var SPLIT = /[^\p{Alphabetic}\p{N}]+/u;
  var SPLIT_KEEP = /([^\p{Alphabetic}\p{N}]+)/u;

  var script = document.currentScript;
  var assetsUrl = script && script.src ? script.src.replace(/[^\/]*([?#].*)?$/, "") : "";
  var siteRoot = assetsUrl.replace(/assets\/elementdocs\/$/, "");
  var indexUrl = assetsUrl + "search/";

  // ---- loading index files ----

  var files = {};
  var manifest = null;

  window.elementdocsSearch = function (name, data) {
    var f = files[name];
    if (f) { f.data = data; f.done(data); }
  };

  function load(name) {
    if (files[name]) return files[name].promise;
    var f = files[name] = {};
    f.promise = new Promise(function (resolve, reject) {
      f.done = resolve;
      var s = document.createElement("script");
      s.src = indexUrl + name + ".js" + (manifest ? "?v=" + manifest.version : "");
      s.async = true;
      s.onerror = function () {
        delete files[name];
        reject(new Error("the search index could not be loaded"));
      };
      document.head.appendChild(s);
    });
    return f.promise;
  }

  function loadManifest() {
    return load("manifest").then(function (m) { manifest = m; return m; });
  }

  // The shard whose range holds `word`: the last whose first word is <= it.
  function shardOf(word) {
    var s = manifest.shards, lo = 0, hi = s.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (s[mid] <= word) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // The fragment of page `page`, from the bundle holding it.
  function loadFragment(page) {
    var starts = manifest.fragments, b = starts.length - 1;
    while (b > 0 && starts[b] > page) b--;
    return load("f" + b).then(function (bundle) { return bundle[page - starts[b]]; });
  }

  // ---- matching ----

  function words(text) {
    return text.toLowerCase().split(SPLIT).filter(function (w) {
      return w && Array.from(w).length <= MAX_WORD_CHARS;
    });
  }

  // What one query word matches: null for a stop word, else the groups
  // found, as {postings, factor, words}.
  function matchWord(word) {
    var first = shardOf(word);
    var last = Array.from(word).length >= 2 ? shardOf(word + "\uffff") : first;
    if (last - first >= PREFIX_SHARDS) last = first;
    var names = [];
    for (var n = first; n <= last; n++) names.push(n);
    return Promise.all(names.map(function (n) { return load("s" + n); })).then(function (shards) {
      var found = [], exact = false, stop = false;
      shards.forEach(function (shard) {
        shard.w.forEach(function (w, i) {
          var kind = w === word ? EXACT : w.lastIndexOf(word, 0) === 0 ? PREFIX : 0;
          if (!kind) return;
          if (shard.g[i] < 0) { if (kind === EXACT) stop = true; return; }
          exact = exact || kind === EXACT;
          found.push(group(shard, i, kind === EXACT ? EXACT : PREFIX * (0.6 + 0.4 * word.length / w.length)));
        });
      });
      if (stop) return null;
      if (exact || Array.from(word).length < 5) return found;
      return typoMatches(word).then(function (more) { return found.concat(more); });
    });
  }

  function group(shard, i, factor) {
    var g = shard.g[i];
    var siblings = shard.w.filter(function (w, j) { return shard.g[j] === g; });
    return { postings: shard.p[g], factor: factor, words: siblings };
  }

  // Words one edit (insertion, deletion, substitution, transposition) away,
  // from the word lists of the query word's first two characters.
  function typoMatches(word) {
    var chars = Array.from(word);
    var lists = [chars[0], chars[1]].filter(function (c, i, a) {
      return a.indexOf(c) === i && manifest.typo.indexOf(c) >= 0;
    });
    return Promise.all(lists.map(function (c) {
      return load("w-" + c.codePointAt(0).toString(16));
    })).then(function (found) {
      var near = [];
      found.forEach(function (list) {
        list.forEach(function (w) { if (oneEditApart(word, w)) near.push(w); });
      });
      return Promise.all(near.slice(0, 8).map(function (w) {
        return load("s" + shardOf(w)).then(function (shard) {
          var i = shard.w.indexOf(w);
          return i >= 0 && shard.g[i] >= 0 ? group(shard, i, TYPO) : null;
        });
      }));
    }).then(function (groups) { return groups.filter(Boolean); });
  }

  function oneEditApart(a, b) {
    a = Array.from(a); b = Array.from(b);
    if (Math.abs(a.length - b.length) > 1 || a.join("") === b.join("")) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      var swapped = a[i] === b[i + 1] && a[i + 1] === b[i];
      var rest = swapped ? i + 2 : i + 1;
      return a.slice(rest).join("") === b.slice(rest).join("");
    }
    var longer = a.length > b.length ? a : b, shorter = longer === a ? b : a;
    return longer.slice(i + 1).join("") === shorter.slice(i).join("");
  }

  // ---- ranking ----

  function pageLang(page) {
    var l = manifest.langs;
    for (var code in l) if (l[code].indexOf(page) >= 0) return code;
    return manifest.lang;
  }

  function rank(matches, docLang) {
    var sections = {};
    matches.forEach(function (groups, q) {
      var best = {};
      groups.forEach(function (g) {
        var p = g.postings, df = p.length / 3, page = 0;
        var rarity = Math.log(1 + manifest.sections / df);
        for (var k = 0; k < p.length; k += 3) {
          page += p[k];
          var key = page + ":" + p[k + 1];
          var score = p[k + 2] * rarity * g.factor;
          if (!(best[key] >= score)) best[key] = score;
        }
      });
      Object.keys(best).forEach(function (key) {
        var s = sections[key] || (sections[key] = { key: key, terms: 0, score: 0 });
        s.terms += 1;
        s.score += best[key];
      });
    });
    var list = Object.keys(sections).map(function (k) {
      var s = sections[k], parts = k.split(":");
      s.page = +parts[0];
      s.section = +parts[1];
      if (pageLang(s.page) === docLang) s.score *= SAME_LANG;
      return s;
    });
    list.sort(function (a, b) {
      return b.terms - a.terms || b.score - a.score || a.page - b.page || a.section - b.section;
    });
    var perPage = {}, out = [];
    for (var i = 0; i < list.length && out.length < MAX_RESULTS; i++) {
      var s = list[i];
      perPage[s.page] = (perPage[s.page] || 0) + 1;
      if (perPage[s.page] <= PER_PAGE) out.push(s);
    }
    return out;
  }

  function search(query) {
    var qs = words(query).filter(function (w, i, a) { return a.indexOf(w) === i; });
    if (!qs.length) return Promise.resolve({ hits: [], marks: null });
    return loadManifest().then(function () {
      return Promise.all(qs.map(matchWord));
    }).then(function (found) {
      var matches = found.filter(function (f) { return f && f.length; });
      var marks = { words: {}, prefixes: [] };
      qs.forEach(function (q, i) {
        if (found[i]) marks.prefixes.push(q);
        (found[i] || []).forEach(function (g) {
          g.words.forEach(function (w) { marks.words[w] = true; });
        });
      });
      var docLang = (document.documentElement.lang || "en").split(/[-_]/)[0].toLowerCase();
      var hits = rank(matches, docLang);
      return Promise.all(hits.map(function (h) { return loadFragment(h.page); })).then(function (pages) {
        hits.forEach(function (h, i) { h.fragment = pages[i]; });
        return { hits: hits, marks: marks };
      });
    });
  }

  // ---- showing results ----

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function isMarked(word, marks) {
    var w = word.toLowerCase();
    return marks.words[w] || marks.prefixes.some(function (p) { return w.lastIndexOf(p, 0) === 0; });
  }

  // Appends `text` to `parent` with the matched words in <mark>.
  function appendMarked(parent, text, marks) {
    text.split(SPLIT_KEEP).forEach(function (piece, i) {
      if (!piece) return;
      if (i % 2 === 0 && isMarked(piece, marks)) parent.appendChild(el("mark", "", piece));
      else parent.appendChild(document.createTextNode(piece));
    });
  }

  // About 28 words of `text` around its first match (or its start).
  function snippet(text, marks) {
    var pieces = text.split(SPLIT_KEEP);
    var first = 0;
    for (var i = 0; i < pieces.length; i += 2) {
      if (pieces[i] && isMarked(pieces[i], marks)) { first = i; break; }
    }
    var from = Math.max(0, first - 16), to = Math.min(pieces.length, from + 56);
    var s = pieces.slice(from, to).join("").trim();
    return (from > 0 ? "\u2026" : "") + s + (to < pieces.length ? "\u2026" : "");
  }

  function result(hit, marks) {
    var f = hit.fragment, sec = f.s[hit.section] || ["", "", ""];
    var li = el("li", "ed-search-result");
    li.setAttribute("lang", pageLang(hit.page));
    var a = el("a");
    a.href = siteRoot + f.u + (hit.section > 0 && sec[0] ? "#" + encodeURIComponent(sec[0]) : "");
    var path = [f.h, hit.section > 0 ? f.t : ""].filter(Boolean).join(" \u203a ");
    if (path) appendMarked(a.appendChild(el("span", "ed-search-path")), path, marks);
    appendMarked(a.appendChild(el("span", "ed-search-title")), hit.section > 0 && sec[1] ? sec[1] : f.t, marks);
    li.appendChild(a);
    if (sec[2]) appendMarked(li.appendChild(el("p", "ed-search-snippet")), snippet(sec[2], marks), marks);
    return li;
  }

  function show(out, query, found) {
    out.textContent = "";
    if (!found.hits.length) {
      out.appendChild(el("p", "ed-search-none", "No results for \u201c" + query + "\u201d."));
      return;
    }
    var list = el("ul", "ed-search-list");
    found.hits.forEach(function (h) { list.appendChild(result(h, found.marks)); });
    out.appendChild(list);
  }

  function init() {
    var box = document.getElementById("ed-search");
    var out = document.getElementById("ed-search-results");
    if (!box || !out) return;
    out.setAttribute("aria-live", "polite");
    var asked = 0, timer = null;
    var run = function () {
      var query = box.value, n = ++asked;
      if (!query.trim()) { out.textContent = ""; return; }
      if (!out.firstChild) out.appendChild(el("p", "ed-search-none", "Searching\u2026"));
      search(query).then(function (found) {
        if (n === asked) show(out, query, found);
      }, function (err) {
        if (n !== asked) return;
        out.textContent = "";
        out.appendChild(el("p", "ed-search-none", "Search is unavailable: " + err.message + "."));
      });
    };
    box.addEventListener("focus", function () {
      loadManifest().catch(function () {});
      if (box.value && !out.firstChild) run();
    });
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 80);
    });
    document.addEventListener("click", function (e) {
      if (e.target !== box && !out.contains(e.target)) out.textContent = "";
    });
    var move = function (to) {
      var links = out.querySelectorAll("a");
      if (to >= 0 && to < links.length) links[to].focus();
      else if (to < 0) box.focus();
    };
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { box.value = ""; out.textContent = ""; }
      if (e.key === "Enter") {
        var first = out.querySelector("a");
        if (first) window.location.href = first.href;
      }
      if (e.key === "ArrowDown") { move(0); e.preventDefault(); }
    });
    out.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(out.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (at < 0) return;
      if (e.key === "ArrowDown") { move(at + 1); e.preventDefault(); }
      if (e.key === "ArrowUp") { move(at - 1); e.preventDefault(); }
      if (e.key === "Escape") { box.focus(); e.preventDefault(); }
    });
    // "/" focuses the box (unless the reader is typing somewhere).
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        box.focus();
      }
    });
    if (box.value) run();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
