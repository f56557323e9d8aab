/* elementdocs theme script: marks the current guide in the shared sidebar,
   the light/dark toggle, the mobile menu, the sidebar filter, copy buttons
   and the "On this page" highlight. The pages work without it. */
(function () {
  "use strict";
  var doc = document.documentElement;
  var body = document.body;

  // The sidebar is rendered once per build; mark the current guide here.
  function markCurrentGuide() {
    var dir = body.getAttribute("data-guide");
    if (!dir) return;
    var links = document.querySelectorAll(".ed-guide-list a[data-guide]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("data-guide") === dir) {
        links[i].setAttribute("aria-current", "true");
        var box = document.getElementById("ed-sidebar");
        var top = links[i].offsetTop - box.clientHeight / 3;
        if (top > 0) box.scrollTop = top;
        break;
      }
    }
  }

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

  function setupMenu() {
    var button = document.querySelector(".ed-menu");
    var backdrop = document.querySelector(".ed-backdrop");
    if (!button) return;
    var set = function (open) {
      body.classList.toggle("ed-nav-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (backdrop) backdrop.hidden = !open;
    };
    button.addEventListener("click", function () { set(!body.classList.contains("ed-nav-open")); });
    if (backdrop) backdrop.addEventListener("click", function () { set(false); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && body.classList.contains("ed-nav-open")) { set(false); button.focus(); }
    });
  }

  // Keep the current tab visible when the tab row scrolls (narrow screens).
  function revealCurrentTab() {
    var tab = document.querySelector(".ed-tabs a[aria-current]");
    if (!tab) return;
    var row = tab.closest("ul");
    if (row && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = tab.offsetLeft - (row.clientWidth - tab.offsetWidth) / 2;
    }
  }

  function setupCatalogFilter() {
    var input = document.getElementById("ed-catalog-filter");
    if (!input) return;
    input.hidden = false;
    var rows = document.querySelectorAll(".ed-catalog tbody tr");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      for (var i = 0; i < rows.length; i++) {
        rows[i].hidden = q !== "" && rows[i].textContent.toLowerCase().indexOf(q) < 0;
      }
    });
  }

  function setupFilter() {
    var input = document.getElementById("ed-guide-filter");
    if (!input) return;
    input.hidden = false;
    var items = document.querySelectorAll(".ed-guide-list li");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      for (var i = 0; i < items.length; i++) {
        items[i].hidden = q !== "" && items[i].textContent.toLowerCase().indexOf(q) < 0;
      }
    });
  }

  function setupCopyButtons() {
    if (!navigator.clipboard) return;
    var blocks = document.querySelectorAll("#page-body pre");
    for (var i = 0; i < blocks.length; i++) {
      (function (pre) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "ed-copy";
        b.textContent = "Copy";
        b.addEventListener("click", function () {
          var code = pre.querySelector("code") || pre;
          navigator.clipboard.writeText(code.innerText).then(function () {
            b.textContent = "Copied";
            setTimeout(function () { b.textContent = "Copy"; }, 1500);
          });
        });
        pre.appendChild(b);
      })(blocks[i]);
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

  markCurrentGuide();
  setupThemeToggle();
  setupMenu();
  setupFilter();
  setupCatalogFilter();
  revealCurrentTab();
  setupCopyButtons();
  collapseTocOnNarrowScreens();
  setupTocSpy();
})();
