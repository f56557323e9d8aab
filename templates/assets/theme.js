/* elementdocs theme script: the light/dark toggle, the navigation drawer on
   narrow screens, the catalog filter, heading anchors, the language label and
   copy button of code blocks, and the "On this page" highlight. The pages
   work without it: the drawer opens through its link (#ed-sidebar), and
   every heading of the "On this page" list is linked from there. */
(function () {
  "use strict";
  var doc = document.documentElement;
  var body = document.body;

  function effectiveTheme() {
    var chosen = doc.getAttribute("data-theme");
    if (chosen) return chosen;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setupThemeToggle() {
    var button = document.querySelector(".ed-theme-toggle");
    if (!button) return;
    button.hidden = false; // useless without this script, so hidden until it runs
    var sync = function () { button.setAttribute("aria-pressed", effectiveTheme() === "dark" ? "true" : "false"); };
    sync();
    button.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      doc.setAttribute("data-theme", next);
      try { localStorage.setItem("ed-theme", next); } catch (e) { /* private mode */ }
      sync();
    });
  }

  // The menu link opens the sidebar as a drawer; with this script it toggles
  // in place (no jump in history) and closes on Escape or outside.
  function setupMenu() {
    var link = document.querySelector(".ed-menu");
    var sidebar = document.getElementById("ed-sidebar");
    var backdrop = document.querySelector(".ed-backdrop");
    var close = document.querySelector(".ed-sidebar-close");
    if (!link || !sidebar) return;
    link.setAttribute("role", "button");
    link.setAttribute("aria-expanded", "false");
    var set = function (open) {
      body.classList.toggle("ed-nav-open", open);
      link.setAttribute("aria-expanded", open ? "true" : "false");
      if (backdrop) backdrop.hidden = !open;
      if (open) {
        var first = sidebar.querySelector("a[aria-current], a:not(.ed-sidebar-close)");
        if (first) first.focus();
      }
    };
    link.addEventListener("click", function (e) {
      e.preventDefault();
      set(!body.classList.contains("ed-nav-open"));
    });
    if (close) close.addEventListener("click", function (e) { e.preventDefault(); set(false); link.focus(); });
    if (backdrop) backdrop.addEventListener("click", function () { set(false); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && body.classList.contains("ed-nav-open")) { set(false); link.focus(); }
    });
  }

  // Keep the current page's link in view in a long sidebar.
  function revealCurrentLink() {
    var box = document.getElementById("ed-sidebar");
    var current = box && box.querySelector("a[aria-current]");
    if (!current) return;
    var top = current.offsetTop - box.clientHeight / 3;
    if (top > 0) box.scrollTop = top;
  }

  function setupCatalogFilter() {
    var input = document.getElementById("ed-catalog-filter");
    if (!input) return;
    input.hidden = false;
    var cards = document.querySelectorAll(".ed-card");
    var groups = document.querySelectorAll(".ed-letter");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      for (var i = 0; i < cards.length; i++) {
        cards[i].hidden = q !== "" && cards[i].textContent.toLowerCase().indexOf(q) < 0;
      }
      for (var j = 0; j < groups.length; j++) {
        groups[j].hidden = !groups[j].querySelector(".ed-card:not([hidden])");
      }
    });
  }

  // A link to each heading of the body, after its text: added here, so the
  // body stays the rendered Markdown as written.
  function addHeadingAnchors() {
    if (document.querySelector(".ed-catalog, .ed-home")) return; // generated pages: nothing to link to
    var headings = document.querySelectorAll("#page-body h2[id], #page-body h3[id], #page-body h4[id], #page-body h5[id], #page-body h6[id]");
    for (var i = 0; i < headings.length; i++) {
      var h = headings[i];
      var a = document.createElement("a");
      a.className = "ed-anchor";
      a.href = "#" + encodeURIComponent(h.id);
      a.setAttribute("aria-label", "Link to this section: " + h.textContent.trim());
      a.textContent = "#";
      h.appendChild(a);
    }
  }

  var LANGUAGE_NAMES = {
    bash: "Shell", sh: "Shell", shell: "Shell", console: "Shell", curl: "Shell",
    js: "JavaScript", javascript: "JavaScript", ts: "TypeScript", typescript: "TypeScript",
    json: "JSON", jsonc: "JSON", xml: "XML", html: "HTML", css: "CSS", yaml: "YAML", yml: "YAML",
    http: "HTTP", sql: "SQL", py: "Python", python: "Python", java: "Java", csharp: "C#", cs: "C#",
    go: "Go", rb: "Ruby", ruby: "Ruby", php: "PHP", rust: "Rust", groovy: "Groovy", text: "Text", plaintext: "Text"
  };

  function languageOf(pre) {
    var nodes = [pre, pre.querySelector("code"), pre.parentElement, pre.parentElement && pre.parentElement.parentElement];
    for (var i = 0; i < nodes.length; i++) {
      var m = nodes[i] && /(?:^|\s)language-([\w+#.-]+)/.exec(nodes[i].className || "");
      if (m) return LANGUAGE_NAMES[m[1].toLowerCase()] || m[1];
    }
    return "Code";
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyBySelection(text); });
    }
    // Pages served over plain HTTP or opened from disk have no clipboard API.
    return copyBySelection(text);
  }

  function copyBySelection(text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  // Each code block gets a bar with its language and a copy button, always visible.
  function frameCodeBlocks() {
    var blocks = document.querySelectorAll("#page-body pre");
    for (var i = 0; i < blocks.length; i++) {
      (function (pre) {
        if (pre.parentElement.closest("pre")) return;
        var frame = document.createElement("div");
        frame.className = "ed-code";
        var bar = document.createElement("div");
        bar.className = "ed-code-bar";
        var label = document.createElement("span");
        label.className = "ed-code-lang";
        label.textContent = languageOf(pre);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "ed-copy";
        button.textContent = "Copy";
        button.setAttribute("aria-label", "Copy the " + label.textContent + " code");
        button.addEventListener("click", function () {
          var code = pre.querySelector("code") || pre;
          copyText(code.innerText).then(function () {
            button.textContent = "Copied";
            setTimeout(function () { button.textContent = "Copy"; }, 1500);
          }, function () { button.textContent = "Select and copy"; });
        });
        bar.appendChild(label);
        bar.appendChild(button);
        pre.parentNode.insertBefore(frame, pre);
        frame.appendChild(bar);
        frame.appendChild(pre);
        // A block wider than the page scrolls: keyboard users reach it too.
        pre.tabIndex = 0;
      })(blocks[i]);
    }
  }

  // Tables wider than the page scroll sideways: make them reachable by keyboard.
  function focusableWideTables() {
    var tables = document.querySelectorAll("#page-body table");
    for (var i = 0; i < tables.length; i++) {
      if (tables[i].scrollWidth > tables[i].clientWidth) tables[i].tabIndex = 0;
    }
  }

  // On narrow screens the "On this page" box sits above the body: start it closed.
  function collapseTocOnNarrowScreens() {
    var details = document.querySelector(".ed-toc-details");
    if (details && window.matchMedia && window.matchMedia("(max-width: 1180px)").matches) {
      details.open = false;
    }
  }

  function setupTocSpy() {
    var links = document.querySelectorAll(".ed-toc a[href^='#']");
    if (!links.length || !("IntersectionObserver" in window)) return;
    var byId = {};
    for (var i = 0; i < links.length; i++) byId[decodeURIComponent(links[i].hash.slice(1))] = links[i];
    var current = null;
    var observer = new IntersectionObserver(function (entries) {
      for (var j = 0; j < entries.length; j++) {
        if (!entries[j].isIntersecting) continue;
        var link = byId[entries[j].target.id];
        if (!link) continue;
        if (current) current.removeAttribute("aria-current");
        link.setAttribute("aria-current", "location");
        current = link;
      }
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(byId).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) observer.observe(el);
    });
  }

  setupThemeToggle();
  setupMenu();
  revealCurrentLink();
  setupCatalogFilter();
  addHeadingAnchors();
  frameCodeBlocks();
  focusableWideTables();
  collapseTocOnNarrowScreens();
  setupTocSpy();
})();
