// Shared by every page: the English/中文 switch and the "solved" marks (both in localStorage).
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
    document.dispatchEvent(new CustomEvent("mj:lang", { detail: lang }));
  }
  document.querySelectorAll("[data-set-lang]").forEach(function (b) {
    b.addEventListener("click", function () {
      var lang = b.getAttribute("data-set-lang");
      store("mj-lang", lang);
      setLang(lang);
    });
  });
  setLang(html.getAttribute("data-lang") === "zh" ? "zh" : "en");

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
