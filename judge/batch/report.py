"""A batch's report -> CSV, JSON and a self-contained HTML page, written all or nothing
(the typed report and its JSON are :mod:`judge.batch.records`; merging shards' reports is
:mod:`judge.batch.merge`).

The JSON report is the batch's canonical form (``judge report merge`` reads it back); the
CSV has one line per submission (:data:`CSV_COLUMNS`) and one per file not graded. Every
writer goes through :func:`write`: every report of a run is written, or none is.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from judge.batch.records import KIND, BatchReport, NotGraded, ProblemMeta, Row, Similarity
from judge.batch.similarity import Pair

__all__ = [
    "CSV_COLUMNS",
    "KIND",
    "SUFFIXES",
    "TestRate",
    "as_csv",
    "as_html",
    "as_json",
    "document",
    "pass_rates",
    "write",
]

CSV_COLUMNS = (
    "candidate",
    "problem",
    "verdict",
    "score",
    "max_score",
    "time_s",
    "hints",
    "grading_status",
    "message",
)
SUFFIXES = (".csv", ".json", ".html")


def document(
    rows: Sequence[Row],
    problems: Mapping[str, ProblemMeta],
    *,
    pairs: Sequence[Pair] = (),
    threshold: float | None = None,
    judge_version: str = "",
    shard: str | None = None,
    not_graded: Sequence[NotGraded] = (),
) -> BatchReport:
    """The report of ``rows``, in its canonical order: problems by slug, rows by (candidate,
    problem), the files not graded by (candidate, file)."""
    return BatchReport(
        rows=sorted(rows, key=lambda r: (r.candidate, r.problem)),
        problems=dict(sorted(problems.items())),
        similarity=Similarity(threshold, list(pairs)),
        not_graded=sorted(not_graded, key=lambda s: (s.candidate, s.file)),
        judge_version=judge_version,
        shard=shard,
    )


def hints(row: Row) -> list[str]:
    """The distinct hints of a row's failing tests, in test order."""
    seen: list[str] = []
    for test in row.tests:
        if test.verdict != "accepted" and test.hint and test.hint not in seen:
            seen.append(test.hint)
    return seen


def message(row: Row) -> str:
    """The judge error, or the first failing test's message."""
    if not row.graded:
        return f"judge error: {row.error}"
    failing = [t for t in row.tests if t.verdict != "accepted"]
    return f"{failing[0].name}: {failing[0].message}" if failing else ""


def points(x: float) -> str:
    """A score for people: at most two decimals, no trailing zeros."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (candidates choose folder names and
    exception messages) gets a leading apostrophe."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(doc: BatchReport) -> str:
    """One line per submission, the columns of :data:`CSV_COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in doc.rows:
        writer.writerow(
            [
                _cell(row.candidate),
                row.problem,
                row.verdict or "",
                row.score,
                row.max_score,
                row.time_s,
                _cell(" | ".join(hints(row))),
                row.grading_status,
                _cell(message(row)),
            ]
        )
    for item in doc.not_graded:  # no candidate vanishes from a spreadsheet either
        writer.writerow(
            [_cell(item.candidate), "", "", "", "", "", "", "not_graded",
             _cell(f"not graded: {item.file}: {item.reason}")]
        )  # fmt: skip
    return buffer.getvalue()


def as_json(doc: BatchReport) -> str:
    return doc.to_json()


@dataclass
class TestRate:
    """How many graded submissions passed one test of a problem."""

    __test__ = False  # not a pytest test class

    test: str
    passed: int
    total: int

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def pass_rates(doc: BatchReport) -> dict[str, list[TestRate]]:
    """Per problem, per test: how many graded submissions passed it (hardest first)."""
    counts: dict[str, dict[str, TestRate]] = {}
    for row in doc.rows:
        if not row.graded:
            continue
        for test in row.tests:
            tests = counts.setdefault(row.problem, {})
            seen = tests.setdefault(test.name, TestRate(test.name, 0, 0))
            seen.passed += test.verdict == "accepted"
            seen.total += 1
    return {
        slug: sorted(tests.values(), key=lambda t: (t.rate, t.test))
        for slug, tests in sorted(counts.items())
    }


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>metajudge batch report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .5em}
th{background:#f3f3f3;cursor:pointer;user-select:none}th.sorted-asc:after{content:" \\25B2"}
th.sorted-desc:after{content:" \\25BC"}td.num{text-align:right}
.accepted{background:#dff5df}.wrong_answer{background:#fde2e1}.judge_error{background:#eadcf7}
.time_limit,.memory_limit,.output_limit{background:#fff1cc}.compile_error{background:#fde2e1}
.runtime_error,.forbidden{background:#f9d0c4}.bar{background:#eee;width:10em;height:.8em}
.bar span{display:block;height:100%;background:#5a5}.hint{color:#8a5a00}
pre{background:#f7f7f7;padding:.5em;overflow:auto;max-height:25em}.pair{display:flex;gap:1em}
.pair>div{flex:1;min-width:0}details{margin:.3em 0}small{color:#666}
</style></head><body>
<h1>Batch report</h1>
<p><small>{{ doc.rows|length }} submissions, {{ candidates|length }} candidates,
{{ slugs|length }} problems; judge {{ doc.judge_version }}{% if doc.shard %}; shard
{{ doc.shard }}{% endif %}</small></p>
{% if doc.partial %}<p><b>A partial report</b> (merged with --allow-partial): {{
doc.partial|join("; ") }}.</p>{% endif %}
<h2>Candidates &times; problems</h2>
<table class="sortable"><thead><tr><th>candidate</th>{% for s in slugs %}<th>{{ s }}</th>
{% endfor %}<th>total</th></tr></thead><tbody>
{% for c in candidates %}<tr><td>{{ c }}</td>{% for s in slugs %}{% set r = cells.get((c, s)) %}
{% if r %}{% set v = r.verdict or "judge_error" %}<td class="{{ v }}" data-sort="{{ r.score }}">
{{ v }}<br><small>{{ pts(r.score) }}/{{ pts(r.max_score) }}</small></td>
{% else %}<td data-sort="-1"><small>&mdash;</small></td>{% endif %}{% endfor %}
<td class="num" data-sort="{{ totals[c][0] }}">{{ pts(totals[c][0]) }}/{{
pts(totals[c][1]) }}</td></tr>
{% endfor %}</tbody></table>
{% if doc.not_graded %}<h2>Not graded</h2>
<p>Files that could have been submissions and were not graded, because:</p>
<table class="sortable"><thead><tr><th>candidate</th><th>file</th><th>because</th></tr>
</thead><tbody>{% for s in doc.not_graded %}<tr><td>{{ s.candidate }}</td><td>{{ s.file }}</td>
<td>{{ s.reason }}</td></tr>{% endfor %}</tbody></table>{% endif %}
<h2>Which tests trip people up</h2>
{% for s, tests in rates.items() %}<h3>{{ s }}</h3>
<table class="sortable"><thead><tr><th>test</th><th>passed</th><th>rate</th></tr></thead><tbody>
{% for t in tests %}<tr><td>{{ t.test }}</td><td class="num" data-sort="{{ t.passed }}">
{{ t.passed }}/{{ t.total }}</td><td data-sort="{{ t.rate }}"><div class="bar"><span
style="width:{{ (100 * t.rate)|round(1) }}%"></span></div></td></tr>{% endfor %}
</tbody></table>{% endfor %}
<h2>Similarity</h2>
{% set pairs = doc.similarity.pairs %}
{% if pairs %}<p>Pairs of submissions whose normalised code shares at least
{{ doc.similarity.threshold }} of its fingerprints (Jaccard), renaming and reordering
undone. A lead for a conversation, not proof.</p>
<table class="sortable"><thead><tr><th>problem</th><th>a</th><th>b</th><th>score</th>
<th>containment</th></tr></thead><tbody>{% for p in pairs %}<tr><td>{{ p.problem }}</td>
<td>{{ p.a }}</td><td>{{ p.b }}</td><td class="num">{{ p.score }}</td>
<td class="num">{{ p.containment }}</td></tr>{% endfor %}</tbody></table>
{% for p in pairs %}<details><summary>{{ p.problem }}: {{ p.a }} &harr; {{ p.b }}
({{ p.score }})</summary>{% for g in p.regions %}<div class="pair"><div><small>{{ p.a }}
lines {{ g.a[0] }}&ndash;{{ g.a[1] }}</small><pre>{{ g.a_text }}</pre></div><div><small>
{{ p.b }} lines {{ g.b[0] }}&ndash;{{ g.b[1] }}</small><pre>{{ g.b_text }}</pre></div></div>
{% endfor %}</details>{% endfor %}
{% else %}<p>No pair above the threshold{% if doc.similarity.threshold is not none %}
({{ doc.similarity.threshold }}){% endif %}.</p>{% endif %}
<h2>Details</h2>
{% for c in candidates %}<details><summary><b>{{ c }}</b> &mdash; {{ pts(totals[c][0])
}}/{{ pts(totals[c][1]) }}</summary>{% for s in slugs %}{% set r = cells.get((c, s)) %}
{% if r %}<h4>{{ s }}: {{ r.verdict or "judge error" }}
<small>{{ r.file }}, {{ r.time_s }} s, sandbox {{ (r.sandbox or {}).get("level", "?") }}</small>
</h4>{% if r.grading_status != "graded" %}<p>judge error: {{ r.error }}</p>{% endif %}
<ul>{% for t in r.tests %}<li class="{{ t.verdict }}">{{ t.name }}: {{ t.verdict }}
({{ pts(t.score) }}/{{ pts(t.max_score) }}){% if t.message %}<pre>{{
t.message }}</pre>{% endif %}{% if t.hint %}<div class="hint">hint: {{ t.hint }}</div>
{% endif %}</li>{% endfor %}</ul>{% endif %}{% endfor %}</details>{% endfor %}
<script>
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var i = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = !th.classList.contains("sorted-asc");
    table.querySelectorAll("th").forEach(function (h) {
      h.classList.remove("sorted-asc", "sorted-desc"); });
    th.classList.add(asc ? "sorted-asc" : "sorted-desc");
    function key(row) {
      var cell = row.children[i], v = cell.getAttribute("data-sort");
      if (v === null) { v = cell.textContent.trim(); }
      var n = parseFloat(v);
      return isNaN(n) ? v.toLowerCase() : n;
    }
    Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    }).forEach(function (row) { body.appendChild(row); });
  });
});
</script>
</body></html>
"""
_TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined).from_string(
    _PAGE
)


def as_html(doc: BatchReport) -> str:
    """A single page with inline CSS and JS: the matrix, pass rates, details, similarity."""
    candidates = sorted({r.candidate for r in doc.rows})
    slugs = sorted({r.problem for r in doc.rows})
    cells = {(r.candidate, r.problem): r for r in doc.rows}
    totals = {
        c: (
            sum(cells[c, s].score for s in slugs if (c, s) in cells),
            sum(cells[c, s].max_score for s in slugs if (c, s) in cells),
        )
        for c in candidates
    }
    return _TEMPLATE.render(
        doc=doc,
        candidates=candidates,
        slugs=slugs,
        cells=cells,
        totals=totals,
        rates=pass_rates(doc),
        hints=hints,
        message=message,
        pts=points,
    )


RENDERERS: dict[str, Callable[[BatchReport], str]] = {
    ".csv": as_csv,
    ".json": as_json,
    ".html": as_html,
}


STDOUT = "-"
"""``--out -``: the JSON report on standard output."""


def check_outputs(paths: Iterable[str | Path]) -> list[Path]:
    """Refuse, before any grading, an output that could not be written: a suffix other than
    .csv, .json or .html, a directory, a folder that cannot be created or written to
    (tried with a temporary file). ``-`` is the JSON report on standard output."""
    out = []
    for path in paths:
        path = Path(path)
        if str(path) == STDOUT:
            out.append(path)
            continue
        if path.suffix.lower() not in RENDERERS:
            raise ValueError(f"--out {path}: expected a name ending in {', '.join(SUFFIXES)}")
        if path.is_dir():
            raise ValueError(f"--out {path}: is a directory")
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # the folders below are created when the report is written
        if not folder.is_dir():
            raise ValueError(f"--out {path}: {folder} is not a folder")
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise ValueError(f"--out {path}: cannot write in {folder}: {exc.strerror}") from exc
        out.append(path)
    return out


def write(doc: BatchReport, paths: Iterable[str | Path]) -> list[Path]:
    """Write the report to each path, in the format its suffix names: all or nothing.

    Every report is rendered, then written to a temporary file beside its target; only when
    all are written are they renamed into place (a failure removes the temporary files and
    leaves every target as it was). ``-`` goes to standard output last.
    """
    targets = check_outputs(paths)
    rendered = [
        (path, RENDERERS[".json" if str(path) == STDOUT else path.suffix.lower()](doc))
        for path in targets
    ]
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in rendered:
            if str(path) == STDOUT:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    for path, text in rendered:
        if str(path) == STDOUT:
            sys.stdout.write(text)
            sys.stdout.flush()
    return [path for path in targets if str(path) != STDOUT]
