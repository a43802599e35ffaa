// Runs in <head> before the page paints: apply the language and the colour theme chosen on
// an earlier page (no theme chosen: the system's, through the stylesheet's media query).
(function () {
  var lang = "en", theme = null;
  try {
    lang = localStorage.getItem("mj-lang") === "zh" ? "zh" : "en";
    theme = localStorage.getItem("mj-theme");
  } catch (e) { /* storage off */ }
  var html = document.documentElement;
  html.setAttribute("data-lang", lang);
  html.lang = lang === "zh" ? "zh-Hans" : "en";
  if (theme === "dark" || theme === "light") html.setAttribute("data-theme", theme);
})();
