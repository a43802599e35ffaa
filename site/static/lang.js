// Runs in <head> before the page paints: apply the language chosen on an earlier page.
(function () {
  var lang = "en";
  try { lang = localStorage.getItem("mj-lang") === "zh" ? "zh" : "en"; } catch (e) { /* storage off */ }
  var html = document.documentElement;
  html.setAttribute("data-lang", lang);
  html.lang = lang === "zh" ? "zh-Hans" : "en";
})();
