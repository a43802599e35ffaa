"""The site builder: every problem gets a page, nothing hidden leaks, links resolve, math is
MathML, pages are well-formed, and the summary reports bytes per page."""

from __future__ import annotations

import json
import re
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest
from markupsafe import escape
from site_helpers import (
    FIXTURE_PROBLEMS,
    audit,
    fixture_problems,
    html_pages,
    non_trivial_hidden_lines,
    repo_problems,
    visible_text,
)

from judge.problems import load_problem
from judge.site.build import build_site, make_server, page_bytes

SITES = ["fixture_site", "repo_site"]


@pytest.fixture(params=SITES)
def site(request: pytest.FixtureRequest) -> tuple[Path, object]:
    return request.getfixturevalue(request.param)


def _problems_of(out: Path) -> list:
    return fixture_problems() if "fixture-site" in str(out) else repo_problems()


def test_every_problem_has_a_page_linked_from_the_index(site) -> None:
    out, summary = site
    problems = _problems_of(out)
    index = (out / "index.html").read_text(encoding="utf-8")
    for p in problems:
        page = out / "p" / f"{p.slug}.html"
        assert page.is_file(), p.slug
        assert f'href="p/{p.slug}.html"' in index
        assert str(escape(p.title)) in page.read_text(encoding="utf-8")
        assert f"p/{p.slug}.html" in summary.page_bytes
    assert summary.problems == len(problems)
    assert len(re.findall(r'<li class="card"', index)) == len(problems)


@pytest.mark.parametrize(
    "folder",
    sorted(
        [p.path for p in fixture_problems() + repo_problems() if p.hidden_tests.is_file()],
        key=str,
    ),
    ids=lambda p: f"{p.parent.parent.name}-{p.name}",
)
def test_no_hidden_test_line_in_any_output_file(folder: Path, fixture_site, repo_site) -> None:
    out = fixture_site[0] if FIXTURE_PROBLEMS in folder.parents else repo_site[0]
    secrets = non_trivial_hidden_lines(folder)
    for path in out.rglob("*"):
        if not path.is_file() or path.suffix == ".png":
            continue
        raw = path.read_text(encoding="utf-8")
        text = visible_text(raw)
        for line in secrets:
            assert line not in raw and line not in text, f"{path}: hidden test line {line!r}"


def test_the_hidden_canaries_are_nowhere(fixture_site) -> None:
    out, _ = fixture_site
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".png"]
    blob = "\n".join(p.read_text(encoding="utf-8") for p in files)
    assert "HIDDEN-CANARY" not in blob
    assert "secret_logits" not in blob
    # The mistake's author notes (after the first paragraph) are not shown either.
    assert "MISTAKE-NOTES-MARKER" not in blob
    assert "the teacher&#39;s signal fades" in blob or "the teacher's signal fades" in blob


def test_every_internal_link_and_resource_resolves_and_nothing_is_external(site) -> None:
    out, _ = site
    ids_of = {p: set(audit(p).ids) for p in html_pages(out)}
    for page in ids_of:
        parsed = audit(page)
        for ref in parsed.resources:
            assert not re.match(r"^[a-z]+:|^//", ref), f"{page}: loads {ref} from elsewhere"
            assert (page.parent / ref).resolve().is_file(), f"{page}: missing resource {ref}"
        for href in parsed.links:
            if re.match(r"^https?://", href):
                continue  # papers: ordinary links the reader may follow
            assert not re.match(r"^[a-z]+:|^//", href), f"{page}: odd link {href}"
            target, _, fragment = href.partition("#")
            dest = (page.parent / target).resolve() if target else page
            assert dest.is_file(), f"{page}: broken link {href}"
            if fragment:
                assert fragment in ids_of[dest], f"{page}: no #{fragment} in {dest.name}"


def test_pages_are_well_formed_and_accessible(site) -> None:
    out, _ = site
    for page in html_pages(out):
        text = page.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>"), page
        parsed = audit(page)
        assert parsed.problems() == [], page
        assert parsed.html_lang == "en"
        assert set(parsed.lang_blocks) <= {"en", "zh-Hans"}, page
        assert "zh-Hans" in parsed.lang_blocks, f"{page}: no Chinese block"


def test_math_becomes_mathml_with_no_stray_dollar(site) -> None:
    out, _ = site
    for page in html_pages(out):
        text = page.read_text(encoding="utf-8")
        assert "math-error" not in text, f"{page}: LaTeX that latex2mathml cannot convert"
        prose = "".join(audit(page).prose)
        assert "$" not in prose, (
            f"{page}: stray $ in {prose[max(0, prose.find('$') - 60) :][:120]!r}"
        )


def test_fixture_math_and_both_languages(fixture_site) -> None:
    out, _ = fixture_site
    page = (out / "p" / "distillation-loss.html").read_text(encoding="utf-8")
    assert page.count("<math") >= 4  # two inline + one display in English, one in Chinese
    assert 'display="block"' in page
    assert "中文题面标记" in page and "中文题解标记" in page
    assert re.search(r'class="prose l-zh" lang="zh-Hans"', page)
    # The prompt's own title heading is dropped (the page's <h1> says it) ...
    assert "<h3>Distillation loss</h3>" not in page
    # ... and its second-level heading sits under the section's <h2>.
    assert "<h3>Signature</h3>" in page
    assert 'class="hl"' in page  # Pygments highlighting
    assert "judge init distillation-loss" in page
    assert "judge grade distillation-loss" in page
    assert "https://arxiv.org/abs/1503.02531" in page
    assert 'href="magnitude-pruning.html"' in page
    assert "not-written-yet" in page and 'href="not-written-yet.html"' not in page


def test_missing_translation_falls_back_with_a_note(fixture_site) -> None:
    out, _ = fixture_site
    page = (out / "p" / "magnitude-pruning.html").read_text(encoding="utf-8")
    # The Chinese block holds the English prompt, marked as English, with a note in Chinese.
    assert re.search(r'class="prose l-zh" lang="en"', page)
    assert "暂无中文版本" in page


def test_quiz_page_has_questions_key_and_reveals(fixture_site) -> None:
    out, _ = fixture_site
    page = (out / "p" / "quiz-basics.html").read_text(encoding="utf-8")
    key = json.loads(re.search(r'<script id="quiz-key"[^>]*>(.*?)</script>', page, re.S)[1])
    assert key["q1"] == {"answer": "A", "tolerance": 0}
    assert key["q3"]["answer"] == ["A", "B"] and key["q4"]["answer"] == 80
    assert page.count('<fieldset class="question"') == 4
    assert "EXPLANATION-Q1-EN" in page and "中文解析 Q1" in page
    assert re.search(r'<details class="reveal" id="model-answer">', page)
    assert "MODEL-ANSWER-MARKER" in page and 'id="rubric"' in page
    assert 'type="checkbox" name="q3"' in page and 'name="q2" value="true"' in page


def test_results_go_on_the_pages_they_belong_to(fixture_site) -> None:
    out, _ = fixture_site
    pruning = (out / "p" / "magnitude-pruning.html").read_text(encoding="utf-8")
    assert "Accuracy vs sparsity" in pruning
    assert 'src="../results/compression.png"' in pruning
    assert (out / "results" / "compression.png").is_file()
    assert "Judge throughput" not in pruning
    results = (out / "results.html").read_text(encoding="utf-8")
    assert "Judge throughput" in results and 'src="results/throughput_plot.png"' in results
    assert 'src="results/compression.png"' in results


def test_search_index_covers_both_languages(fixture_site) -> None:
    out, _ = fixture_site
    entries = json.loads((out / "search-index.json").read_text(encoding="utf-8"))
    script = (out / "search-index.js").read_text(encoding="utf-8")
    assert script.startswith("window.MJ_SEARCH_INDEX = ")
    by_slug = {e["slug"]: e for e in entries}
    assert set(by_slug) == {p.slug for p in fixture_problems()}
    entry = by_slug["distillation-loss"]
    assert "distillation" in entry["tags"] and entry["url"] == "p/distillation-loss.html"
    assert "softmax" in entry["text"]["en"] and "温度软化" in entry["text"]["zh"]
    assert "蒸馏损失" in entry["text"]["en"]  # titles in both languages match either way
    assert "HIDDEN-CANARY" not in script


def test_summary_reports_bytes_per_page(fixture_site) -> None:
    out, summary = fixture_site
    pages = {p.relative_to(out).as_posix() for p in html_pages(out)}
    assert set(summary.page_bytes) == pages
    for rel, total in summary.page_bytes.items():
        own = (out / rel).stat().st_size
        assert total > own + (out / "static" / "style.css").stat().st_size, rel
        assert total == page_bytes(out / rel, out)
    table = summary.table()
    assert "index.html" in table and f"{len(pages)} pages" in table
    assert summary.total_bytes == sum(f.stat().st_size for f in out.rglob("*") if f.is_file())


def test_a_rebuild_replaces_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    (out / "stale").mkdir(parents=True)
    (out / "stale" / "old.html").write_text("old")
    (out / "search-index.js").write_text("window.MJ_SEARCH_INDEX = [];")  # an earlier build
    build_site(out, fixture_problems()[:1], results_dir=None)
    assert not (out / "stale").exists()
    assert (out / "index.html").is_file() and not (out / "results").exists()


def test_make_server_serves_the_site(fixture_site) -> None:
    out, _ = fixture_site
    with make_server(out, port=0) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
            with urllib.request.urlopen(url, timeout=10) as reply:
                assert reply.status == 200 and b"metajudge" in reply.read()
        finally:
            httpd.shutdown()
            thread.join(timeout=10)


def test_only_web_links_for_papers(tmp_path: Path) -> None:
    folder = tmp_path / "problems" / "quiz-basics"
    shutil.copytree(FIXTURE_PROBLEMS / "quiz-basics", folder)
    toml = folder / "problem.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + 'papers = [{ title = "Evil", url = "javascript:alert(1)" },'
        ' { title = "Good", url = "https://arxiv.org/abs/1" }]\n',
        encoding="utf-8",
    )
    build_site(tmp_path / "_site", [load_problem(folder)], results_dir=None)
    page = (tmp_path / "_site" / "p" / "quiz-basics.html").read_text(encoding="utf-8")
    assert "javascript:" not in page and "Evil" in page
    assert 'href="https://arxiv.org/abs/1"' in page


def test_no_problem_is_skipped(site) -> None:
    _, summary = site
    assert summary.skipped == []


def test_a_broken_quiz_is_skipped_and_named(tmp_path: Path) -> None:
    folder = tmp_path / "problems" / "quiz-basics"
    shutil.copytree(FIXTURE_PROBLEMS / "quiz-basics", folder)
    problem = load_problem(folder)
    (folder / "questions.toml").write_text("[[questions]\nbroken", encoding="utf-8")
    summary = build_site(tmp_path / "_site", [problem, *fixture_problems()[:1]], results_dir=None)
    assert len(summary.skipped) == 1 and "quiz-basics" in summary.skipped[0]
    assert "skipped" in summary.table()
    assert not (tmp_path / "_site" / "p" / "quiz-basics.html").exists()
    assert (tmp_path / "_site" / "p" / "distillation-loss.html").is_file()


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    precious = tmp_path / "checkout"
    precious.mkdir()
    (precious / "README.md").write_text("keep me")
    with pytest.raises(FileExistsError, match="not a built site"):
        build_site(precious, fixture_problems()[:1], results_dir=None)
    assert (precious / "README.md").read_text() == "keep me"


def test_the_builder_never_opens_a_hidden_tests_file(tmp_path: Path, monkeypatch) -> None:
    import builtins
    import io
    import pathlib

    opened: list[str] = []

    def guard(original):
        def wrapper(file, *args, **kwargs):
            if Path(str(file)).name == "hidden_tests.py":
                opened.append(str(file))
            return original(file, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    original_path_open = pathlib.Path.open
    monkeypatch.setattr(
        pathlib.Path, "open", lambda self, *a, **k: guard(original_path_open)(self, *a, **k)
    )
    summary = build_site(tmp_path / "_site", fixture_problems(), results_dir=None)
    assert summary.problems == 3 and opened == []
    # The guard does see such a read when one happens.
    (FIXTURE_PROBLEMS / "distillation-loss" / "hidden_tests.py").read_text(encoding="utf-8")
    assert opened


def test_content_reader_refuses_files_that_are_not_public() -> None:
    from judge.site.content import _read

    folder = FIXTURE_PROBLEMS / "distillation-loss"
    assert "T^2" in (_read(folder / "editorial.md") or "")
    with pytest.raises(ValueError, match="not a public file"):
        _read(folder / "hidden_tests.py")
