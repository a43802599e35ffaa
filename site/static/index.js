// The index: search over the prebuilt index (search-index.js), difficulty and tag filters,
// and the learner's progress. Cards are in the HTML already; this only hides and marks them,
// and under a search shows where each card matched, the words highlighted.
(function () {
  "use strict";
  var entries = {};
  (window.MJ_SEARCH_INDEX || []).forEach(function (e) {
    e.hay = (e.text.en + " " + e.text.zh).toLowerCase();
    entries[e.slug] = e;
  });
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  var q = document.getElementById("q");
  var difficulty = document.getElementById("difficulty");
  var hideSolved = document.getElementById("hide-solved");
  var tagButtons = Array.prototype.slice.call(document.querySelectorAll(".tag[data-tag]"));
  var matchCount = document.getElementById("match-count");
  var progress = document.getElementById("progress");
  var noMatch = document.getElementById("no-match");
  var tagSummary = document.getElementById("tag-summary");
  var nextUp = document.getElementById("next-up");

  function zh() { return document.documentElement.getAttribute("data-lang") === "zh"; }

  function selectedTags() {
    return tagButtons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
      .map(function (b) { return b.getAttribute("data-tag"); });
  }

  function matches(card, words, diff, tags, solved) {
    var slug = card.getAttribute("data-slug");
    if (diff && card.getAttribute("data-difficulty") !== diff) return false;
    if (hideSolved.checked && solved[slug]) return false;
    var cardTags = card.getAttribute("data-tags").split(" ");
    for (var i = 0; i < tags.length; i++) if (cardTags.indexOf(tags[i]) < 0) return false;
    var entry = entries[slug];
    var hay = entry ? entry.hay : card.textContent.toLowerCase();
    return words.every(function (w) { return hay.indexOf(w) >= 0; });
  }

  // An excerpt of the card's text around the first word found, every word marked. Built
  // from text nodes, so nothing in the index is ever parsed as HTML.
  var SNIPPET_BEFORE = 40, SNIPPET_AFTER = 90;
  function snippet(card, words) {
    var box = card.querySelector(".card-snippet");
    var entry = entries[card.getAttribute("data-slug")];
    box.textContent = "";
    box.hidden = true;
    if (!entry || !words.length) return;
    var langs = zh() ? ["zh", "en"] : ["en", "zh"];
    for (var i = 0; i < langs.length; i++) {
      var text = entry.text[langs[i]];
      var lower = text.toLowerCase();
      var at = -1;
      for (var j = 0; j < words.length && at < 0; j++) at = lower.indexOf(words[j]);
      if (at < 0) continue;
      var start = Math.max(0, at - SNIPPET_BEFORE), end = Math.min(text.length, at + SNIPPET_AFTER);
      var piece = text.slice(start, end), low = lower.slice(start, end);
      if (start > 0) box.appendChild(document.createTextNode("… "));
      var pos = 0;
      while (pos < piece.length) {
        var next = -1, len = 0;
        words.forEach(function (w) {
          var k = low.indexOf(w, pos);
          if (k >= 0 && (next < 0 || k < next)) { next = k; len = w.length; }
        });
        if (next < 0) { box.appendChild(document.createTextNode(piece.slice(pos))); break; }
        box.appendChild(document.createTextNode(piece.slice(pos, next)));
        var mark = document.createElement("mark");
        mark.textContent = piece.slice(next, next + len);
        box.appendChild(mark);
        pos = next + len;
      }
      if (end < text.length) box.appendChild(document.createTextNode(" …"));
      box.lang = langs[i] === "zh" ? "zh-Hans" : "en";
      box.hidden = false;
      return;
    }
  }

  // <option> holds text only, so its words are swapped rather than both shown.
  Array.prototype.forEach.call(difficulty.options, function (o) { o.setAttribute("data-en", o.textContent); });
  function relabel() {
    Array.prototype.forEach.call(difficulty.options, function (o) {
      o.textContent = o.getAttribute(zh() ? "data-zh" : "data-en");
    });
  }

  function update() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var tags = selectedTags();
    var solved = window.MJ.solved();
    var shown = 0, done = 0;
    cards.forEach(function (card) {
      var slug = card.getAttribute("data-slug");
      card.classList.toggle("is-solved", !!solved[slug]);
      if (solved[slug]) done++;
      var ok = matches(card, words, difficulty.value, tags, solved);
      card.hidden = !ok;
      snippet(card, ok ? words : []);
      if (ok) shown++;
    });
    document.querySelectorAll("section.topic").forEach(function (s) {
      s.hidden = !s.querySelector(".card:not([hidden])");
    });
    noMatch.hidden = shown > 0;
    var total = cards.length;
    matchCount.textContent = zh()
      ? (shown === total ? "共 " + total + " 题" : "显示 " + shown + " / " + total + " 题")
      : (shown === total ? total + " problems" : shown + " of " + total + " problems shown");
    progress.textContent = zh() ? "已完成 " + done + " / " + total : done + " of " + total + " solved";
    tagSummary.textContent = tags.length ? tags.join(", ") : "";
    // The first unsolved problem in learning order, once the learner has started.
    var next = cards.filter(function (c) { return !solved[c.getAttribute("data-slug")]; })[0];
    nextUp.hidden = !(done > 0 && next);
    if (next) {
      var link = next.querySelector(".card-title");
      nextUp.querySelector("a").href = link.getAttribute("href");
      nextUp.querySelector("a").innerHTML = link.innerHTML;
    }
    document.querySelectorAll("[data-filter-tag]").forEach(function (b) {
      b.classList.toggle("is-active", tags.indexOf(b.getAttribute("data-filter-tag")) >= 0);
    });
  }

  tagButtons.forEach(function (b) {
    b.addEventListener("click", function () {
      b.setAttribute("aria-pressed", String(b.getAttribute("aria-pressed") !== "true"));
      update();
    });
  });
  // A tag on a card toggles the same filter as the tag list.
  document.querySelectorAll("[data-filter-tag]").forEach(function (b) {
    b.addEventListener("click", function () {
      var tag = b.getAttribute("data-filter-tag");
      tagButtons.forEach(function (t) {
        if (t.getAttribute("data-tag") === tag) {
          t.setAttribute("aria-pressed", String(t.getAttribute("aria-pressed") !== "true"));
        }
      });
      update();
    });
  });
  document.getElementById("clear-filters").addEventListener("click", function () {
    tagButtons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    q.value = "";
    difficulty.value = "";
    hideSolved.checked = false;
    update();
  });
  q.addEventListener("input", update);
  difficulty.addEventListener("change", update);
  hideSolved.addEventListener("change", update);
  document.addEventListener("mj:lang", function () { relabel(); update(); });
  document.addEventListener("mj:solved", update);
  window.addEventListener("storage", update);
  relabel();
  update();
})();
