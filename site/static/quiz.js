// A quiz page: score the picks in the browser with the key embedded in the page, show each
// question's verdict and explanation, and for each wrong pick why it is wrong (where the key
// says: the page holds those notes hidden). Scoring is the judge's (docs/authoring.md): single,
// true_false and numeric all-or-nothing; multi gives max(0, (right - wrong) / #right) of its points.
// The picks are kept in localStorage ("mj-quiz-<slug>") so that a reload keeps them. A check
// is announced once, by the score line (the only live region): the per-question verdicts
// are read where they stand.
(function () {
  "use strict";
  var form = document.getElementById("quiz");
  var key = JSON.parse(document.getElementById("quiz-key").textContent);
  var scoreLine = document.getElementById("quiz-score");
  var slug = document.querySelector(".solved-toggle").getAttribute("data-slug");

  function zh() { return document.documentElement.getAttribute("data-lang") === "zh"; }
  function picked(fs) {
    return Array.prototype.slice.call(fs.querySelectorAll("input:checked"))
      .map(function (i) { return i.value; });
  }
  function show(answer, kind) {
    if (kind === "true_false") return zh() ? (answer ? "正确" : "错误") : (answer ? "true" : "false");
    if (Array.isArray(answer)) return answer.join(", ");
    return String(answer);
  }

  // Returns the fraction of the question's points earned (0..1) and whether anything was given.
  function grade(fs) {
    var kind = fs.getAttribute("data-kind");
    var k = key[fs.getAttribute("data-qid")];
    if (kind === "numeric") {
      var raw = fs.querySelector("input").value.trim();
      var x = Number(raw);
      if (!raw || !isFinite(x)) return { given: !!raw, frac: 0 };
      var tol = Math.max(Number(k.tolerance) || 0, 1e-9 * Math.abs(k.answer));
      return { given: true, frac: Math.abs(x - Number(k.answer)) <= tol ? 1 : 0 };
    }
    var picks = picked(fs);
    if (!picks.length) return { given: false, frac: 0 };
    if (kind === "true_false") return { given: true, frac: picks[0] === String(k.answer) ? 1 : 0 };
    if (kind === "single") return { given: true, frac: picks[0] === k.answer ? 1 : 0 };
    var right = k.answer.filter(function (a) { return picks.indexOf(a) >= 0; }).length;
    var wrong = picks.length - right;
    return { given: true, frac: Math.max(0, (right - wrong) / k.answer.length) };
  }

  var storeKey = "mj-quiz-" + slug;
  function save() {
    var picks = {};
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      var qid = fs.getAttribute("data-qid");
      if (fs.getAttribute("data-kind") === "numeric") picks[qid] = fs.querySelector("input").value;
      else picks[qid] = picked(fs);
    });
    try { localStorage.setItem(storeKey, JSON.stringify(picks)); } catch (e) { /* not kept */ }
  }
  function restore() {
    var picks;
    try { picks = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { picks = null; }
    if (!picks || typeof picks !== "object") return;
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      var value = picks[fs.getAttribute("data-qid")];
      if (fs.getAttribute("data-kind") === "numeric") {
        if (typeof value === "string") fs.querySelector("input").value = value;
        return;
      }
      if (!Array.isArray(value)) return;
      fs.querySelectorAll("input").forEach(function (input) {
        input.checked = value.indexOf(input.value) >= 0;
      });
    });
  }

  function check() {
    var earned = 0, total = 0, counts = { right: 0, partial: 0, wrong: 0 };
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      var points = Number(fs.getAttribute("data-points"));
      var kind = fs.getAttribute("data-kind");
      var k = key[fs.getAttribute("data-qid")];
      var g = grade(fs);
      total += points;
      earned += g.frac * points;
      var state = g.frac === 1 ? "right" : g.frac > 0 ? "partial" : "wrong";
      counts[state]++;
      fs.classList.remove("is-right", "is-wrong", "is-partial");
      fs.classList.add("is-" + state);
      fs.querySelectorAll("label.choice").forEach(function (label) {
        var input = label.querySelector("input");
        var v = input.value;
        var isKey = Array.isArray(k.answer) ? k.answer.indexOf(v) >= 0
          : kind === "true_false" ? v === String(k.answer) : v === k.answer;
        label.classList.toggle("is-key", isKey);
        label.classList.toggle("is-miss", input.checked && !isKey);
        // Why this pick is wrong, where the key says: shown only for a wrong pick.
        var why = fs.querySelector('.why-wrong[data-option="' + v + '"]');
        if (why) why.hidden = !(input.checked && !isKey);
      });
      var verdict = fs.querySelector(".verdict");
      var answer = show(k.answer, kind);
      if (state === "right") verdict.textContent = zh() ? "✓ 正确" : "✓ Correct";
      else if (state === "partial") verdict.textContent = (zh() ? "◐ 部分正确，得 " : "◐ Partly right: ")
        + (Math.round(g.frac * points * 100) / 100) + " / " + points + (zh() ? " 分。答案：" : " points. Answer: ") + answer;
      else verdict.textContent = (g.given ? (zh() ? "✗ 不正确。" : "✗ Not quite. ") : (zh() ? "✗ 未作答。" : "✗ No answer. "))
        + (zh() ? "答案：" : "Answer: ") + answer;
      fs.querySelector(".feedback").hidden = false;
    });
    earned = Math.round(earned * 100) / 100;
    var tally = zh()
      ? "（" + counts.right + " 题正确，" + counts.partial + " 题部分正确，" + counts.wrong + " 题错误）"
      : " (" + counts.right + " right, " + counts.partial + " partly right, " + counts.wrong + " wrong)";
    scoreLine.textContent = (zh() ? "得分 " : "Score: ") + earned + " / " + total + tally
      + (earned === total ? (zh() ? " · 全对！已标记为完成。" : " · full marks, marked as solved.") : "");
    if (earned === total) window.MJ.setSolved(slug, true);
  }

  var checked = false;
  form.addEventListener("submit", function (ev) { ev.preventDefault(); checked = true; check(); });
  // Verdicts are words: rewrite them in the other language when it is switched.
  document.addEventListener("mj:lang", function () { if (checked) check(); });
  form.addEventListener("change", save);
  form.addEventListener("input", save);
  restore();
  form.addEventListener("reset", function () {
    try { localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      fs.classList.remove("is-right", "is-wrong", "is-partial");
      fs.querySelector(".feedback").hidden = true;
      fs.querySelectorAll(".why-wrong").forEach(function (w) { w.hidden = true; });
      fs.querySelectorAll("label.choice").forEach(function (l) { l.classList.remove("is-key", "is-miss"); });
    });
    scoreLine.textContent = "";
    checked = false;
  });
})();
