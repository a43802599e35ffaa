// Shared by every page: the English/中文 switch, the dark/light switch and the "solved"
// marks (all three in localStorage); heading anchors and copy buttons on code blocks.
(function () {
  "use strict";
  var html = document.documentElement;

  function store(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* private mode: not remembered */ }
  }
  function load(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  function setLang(lang) {
    html.setAttribute("data-lang", lang);
    html.lang = lang === "zh" ? "zh-Hans" : "en";
    var title = html.getAttribute("data-title-" + lang);
    if (title) document.title = title;
    document.querySelectorAll("[data-set-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-set-lang") === lang));
    });
    document.querySelectorAll("[data-placeholder-" + lang + "]").forEach(function (el) {
      el.setAttribute("placeholder", el.getAttribute("data-placeholder-" + lang));
    });
    document.querySelectorAll("[data-label-" + lang + "]").forEach(function (el) {
      el.setAttribute("aria-label", el.getAttribute("data-label-" + lang));
    });
    document.dispatchEvent(new CustomEvent("mj:lang", { detail: lang }));
  }
  document.querySelectorAll("[data-set-lang]").forEach(function (b) {
    b.addEventListener("click", function () {
      var lang = b.getAttribute("data-set-lang");
      store("mj-lang", lang);
      setLang(lang);
    });
  });

  // Heading anchors: a "#" link after every heading that has an id (or whose block has).
  document.querySelectorAll("main h2, main h3").forEach(function (h) {
    var id = h.id || (h.parentElement && h.parentElement.firstElementChild === h && h.parentElement.id);
    if (!id || h.querySelector(".anchor")) return;
    var a = document.createElement("a");
    a.className = "anchor";
    a.href = "#" + id;
    a.textContent = "#";
    a.setAttribute("data-label-en", "Link to this section");
    a.setAttribute("data-label-zh", "本节链接");
    h.appendChild(a);
  });

  // A copy button on every code block and command box.
  function bilingual(en, zh) {
    return '<span class="l-en" lang="en">' + en + '</span><span class="l-zh" lang="zh-Hans">' + zh + "</span>";
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }
  document.querySelectorAll("main div.hl, main pre.commands").forEach(function (block) {
    var wrap = document.createElement("div");
    wrap.className = "copy-wrap";
    block.parentNode.insertBefore(wrap, block);
    wrap.appendChild(block);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.innerHTML = '<span class="copy-idle">' + bilingual("Copy", "复制") + "</span>"
      + '<span class="copy-done" aria-live="polite"></span>';
    var done = button.querySelector(".copy-done");
    button.addEventListener("click", function () {
      var pre = block.tagName === "PRE" ? block : block.querySelector("pre");
      copyText(pre.textContent).then(function () {
        button.classList.add("is-done");
        done.innerHTML = bilingual("Copied", "已复制");
        setTimeout(function () { button.classList.remove("is-done"); done.textContent = ""; }, 2000);
      });
    });
    wrap.appendChild(button);
  });

  setLang(html.getAttribute("data-lang") === "zh" ? "zh" : "en");

  // Dark/light: a toggle, pressed = dark. Until the reader chooses, the system's scheme.
  var toggle = document.getElementById("theme-toggle");
  function isDark() {
    var theme = html.getAttribute("data-theme");
    if (theme) return theme === "dark";
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }
  function showTheme() { if (toggle) toggle.setAttribute("aria-pressed", String(isDark())); }
  if (toggle) {
    toggle.addEventListener("click", function () {
      var theme = isDark() ? "light" : "dark";
      html.setAttribute("data-theme", theme);
      store("mj-theme", theme);
      showTheme();
    });
  }
  showTheme();

  // Solved problems: {"slug": true, ...} under "mj-solved".
  function solved() {
    try { return JSON.parse(load("mj-solved") || "{}") || {}; } catch (e) { return {}; }
  }
  function setSolved(slug, value) {
    var all = solved();
    if (value) all[slug] = true; else delete all[slug];
    store("mj-solved", JSON.stringify(all));
    document.dispatchEvent(new CustomEvent("mj:solved"));
  }
  window.MJ = { solved: solved, setSolved: setSolved };

  document.querySelectorAll(".solved-toggle").forEach(function (b) {
    var slug = b.getAttribute("data-slug");
    function show() { b.setAttribute("aria-pressed", String(!!solved()[slug])); }
    b.addEventListener("click", function () { setSolved(slug, !solved()[slug]); });
    document.addEventListener("mj:solved", show);
    show();
  });
})();
