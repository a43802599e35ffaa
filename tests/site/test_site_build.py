"""The site builder: every problem gets a page, nothing hidden leaks, links resolve, math is
MathML, pages are well-formed, and the summary reports bytes per page.

Over 400 lines on purpose: one subject (the built pages), each test a property of the same
two builds (the fixture site and the repo's, session fixtures in conftest.py)."""

from __future__ import annotations

import json
import re
import shutil
import threading
import tomllib
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
from judge.site.build import SiteError, build_site, make_server, page_bytes
from judge.site.checks import builder_paths, math_faults

REPO = Path(__file__).resolve().parents[2]  # the checkout this test runs from
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
    # The learner's results page holds what the methods achieve; the judge's own speed is
    # on the internals page; each page opens with a table of contents.
    results = (out / "results.html").read_text(encoding="utf-8")
    internals = (out / "internals.html").read_text(encoding="utf-8")
    assert 'src="results/compression.png"' in results and "Judge throughput" not in results
    assert "Judge throughput" in internals and 'src="results/throughput_plot.png"' in internals
    assert "Accuracy vs sparsity" not in internals
    for page, stem in ((results, "compression"), (internals, "throughput")):
        toc = re.search(r'<nav class="toc".*?</nav>', page, re.S)[0]
        assert f'href="#result-{stem}"' in toc and f'id="result-{stem}"' in page
    assert results.index('class="toc"') < results.index('id="result-compression"')
    assert 'href="internals.html"' in results


def test_results_have_a_chinese_side(fixture_site) -> None:
    out, _ = fixture_site
    results = (out / "results.html").read_text(encoding="utf-8")
    zh = re.search(r'<div class="l-zh" lang="zh-Hans">(.*?)</div>\s*</div>', results, re.S)[1]
    # The summary from site/content/results.toml, then the report's table, headings
    # translated by the glossary, numbers as they are; the plot described in Chinese.
    assert "幅值剪枝" in zh or "压缩" in zh
    assert re.search(r"<th[^>]*>稀疏度</th>", zh) and re.search(r"<td[^>]*>0.97</td>", zh)
    assert re.search(r'<img src="results/compression.png" alt="图：[^"]+"', zh)


def test_repository_results_keep_their_sections_in_chinese(repo_site) -> None:
    results = (repo_site[0] / "results.html").read_text(encoding="utf-8")
    # Section headings of the reports come through the glossary, under the report's title.
    assert "<h3>幅值剪枝</h3>" in results and "<h3>Magnitude pruning</h3>" in results
    # Learning order: meta-learning's report first.
    assert results.index('id="result-sinusoid"') < results.index('id="result-fusion"')


def test_search_index_finds_identifiers_and_editorials(fixture_site, repo_site) -> None:
    fixture = json.loads((fixture_site[0] / "search-index.json").read_text(encoding="utf-8"))
    entry = {e["slug"]: e for e in fixture}["distillation-loss"]
    assert "EDITORIAL-MARKER-EN" in entry["text"]["en"]  # editorials are indexed
    repo = json.loads((repo_site[0] / "search-index.json").read_text(encoding="utf-8"))
    text = {e["slug"]: e["text"]["en"] for e in repo}
    assert "create_graph" in text["maml-adapt"]  # underscores survive
    assert any("state_dict" in t for t in text.values())
    assert any("loss_fn" in t for t in text.values())


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


# -- second pass (issue 16): formulas, translation, a way in, examples, paths -------------


def test_every_formula_on_every_page_renders(site) -> None:
    out, _ = site
    for page in html_pages(out):
        assert math_faults(page.read_text(encoding="utf-8")) == [], page


def test_a_formula_that_shows_its_source_stops_the_build(tmp_path: Path) -> None:
    folder = tmp_path / "problems" / "magnitude-pruning"
    shutil.copytree(FIXTURE_PROBLEMS / "magnitude-pruning", folder)
    prompt = folder / "prompt.md"
    prompt.write_text(prompt.read_text(encoding="utf-8") + "\nSee $\\notacommand x$.\n")
    with pytest.raises(SiteError, match=r"magnitude-pruning.html: formula .*notacommand"):
        build_site(tmp_path / "_site", [load_problem(folder)], results_dir=None)
    # The commands latex2mathml leaves as text are rendered (issue 16's seven formulas).
    prompt.write_text(
        "# P\n\n$\\arg\\max_c f$, $\\mathrm{KL}(p \\,\\big\\|\\, q)$, "
        "$\\big\\lVert q - c \\big\\rVert_2^2$, $\\argmin_x g$\n"
    )
    build_site(tmp_path / "_site2", [load_problem(folder)], results_dir=None)
    page = (tmp_path / "_site2" / "p" / "magnitude-pruning.html").read_text(encoding="utf-8")
    # Two arg formulas, shown in English and (no translation) in the Chinese block: 4.
    assert page.count("<mo>arg</mo>") == 4 and page.count("&#x02016;") >= 6


def test_no_path_of_the_building_machine_anywhere(site) -> None:
    out, _ = site
    roots = [str(REPO), str(Path.home()), str(out.resolve()), str(out.resolve().parent)]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".png":
            text = path.read_text(encoding="utf-8")
            assert builder_paths(text, roots) == [], path


def test_report_paths_are_made_relative_and_others_stop_the_build(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "judge_overhead.md").write_text(
        "# Overhead\n\n`judge grade maml-adapt /home/ada/checkout/problems/maml-adapt/x.py`\n"
    )
    summary = build_site(tmp_path / "_site", fixture_problems()[:1], results_dir=results)
    internals = (tmp_path / "_site" / "internals.html").read_text(encoding="utf-8")
    assert "judge grade maml-adapt problems/maml-adapt/x.py" in internals
    assert "/home/ada" not in internals and summary.problems == 1
    (results / "judge_overhead.md").write_text("# Overhead\n\nlog in /home/ada/notes.txt\n")
    with pytest.raises(SiteError, match=r"internals\.html: path of this machine /home/ada"):
        build_site(tmp_path / "_site", fixture_problems()[:1], results_dir=results)


def test_the_repository_site_has_nothing_left_untranslated(repo_site) -> None:
    _, summary = repo_site
    assert summary.untranslated == []


def test_untranslated_text_is_listed(fixture_site) -> None:
    _, summary = fixture_site
    # The fixture's magnitude-pruning has no prompt.zh.md: its English prompt is listed.
    listed = "\n".join(summary.untranslated)
    assert "p/magnitude-pruning.html: Zero the smallest weights" in listed
    assert "distillation-loss" not in listed
    assert "untranslated p/magnitude-pruning.html" in summary.table()


def test_an_untranslated_why_wrong_is_listed(tmp_path: Path) -> None:
    folder = tmp_path / "problems" / "quiz-basics"
    shutil.copytree(FIXTURE_PROBLEMS / "quiz-basics", folder)
    key = folder / "answers.toml"
    summary = build_site(tmp_path / "a", [load_problem(folder)], results_dir=None)
    assert not any("WHY-NOT" in u for u in summary.untranslated)  # all three translated
    page = (tmp_path / "a" / "p" / "quiz-basics.html").read_text(encoding="utf-8")
    assert "为什么不是 B：内循环步长是固定的。" in page and "WHY-NOT-B-EN" in page
    text = key.read_text(encoding="utf-8")
    key.write_text(text.replace('B = "为什么不是 B：内循环步长是固定的。", ', ""), "utf-8")
    summary = build_site(tmp_path / "b", [load_problem(folder)], results_dir=None)
    listed = "\n".join(summary.untranslated)
    assert "p/quiz-basics.html: B: WHY-NOT-B-EN" in listed and "WHY-NOT-C-EN" not in listed


def test_hints_have_readable_titles_in_both_languages(fixture_site) -> None:
    out, _ = fixture_site
    page = (out / "p" / "distillation-loss.html").read_text(encoding="utf-8")
    hints_en = re.search(r'<dl class="hints l-en">(.*?)</dl>', page, re.S)[1]
    hints_zh = re.search(r'<dl class="hints l-zh">(.*?)</dl>', page, re.S)[1]
    assert "Soft term missing its T² factor</dt>" in hints_en
    assert "signal fades as T grows" in hints_en  # the judge's hint, from the docstring
    assert "提示标题标记" in hints_zh and "中文提示标记" in hints_zh
    assert "no t squared" not in page and "no_t_squared</dt>" not in page


def test_every_repository_mistake_has_a_chinese_hint_and_a_title(repo_site) -> None:
    from judge.site.content import load_hints

    for problem in repo_problems():
        for hint in load_hints(problem):
            assert hint.langs["zh"] == "zh", f"{problem.slug}/{hint.stem}: no hints.toml entry"
            table = tomllib.loads((problem.path / "hints.toml").read_text(encoding="utf-8"))
            assert table[hint.stem]["title"] == hint.title["en"], f"{problem.slug}/{hint.stem}"


def test_worked_example_from_a_public_test(fixture_site) -> None:
    out, _ = fixture_site
    page = (out / "p" / "distillation-loss.html").read_text(encoding="utf-8")
    section = re.search(r'<section aria-labelledby="h-example">(.*?)</section>', page, re.S)[1]
    assert "WORKED-EXAMPLE-MARKER" in section and "中文示例标记" in section
    assert "0.0849" in section  # the expected output, as the author wrote it
    assert "expected" in section and "cross_entropy" in section  # the body, as code
    assert "Example." not in section and "中文：" not in section
    # Before the practice commands; a problem without such a test shows no example.
    assert page.index('id="h-example"') < page.index('id="h-practise"')
    pruning = (out / "p" / "magnitude-pruning.html").read_text(encoding="utf-8")
    assert "h-example" not in pruning


def test_starter_and_public_tests_can_be_downloaded(fixture_site) -> None:
    out, _ = fixture_site
    for problem in fixture_problems():
        page = (out / "p" / f"{problem.slug}.html").read_text(encoding="utf-8")
        names = ["starter_answers.toml"] if problem.is_quiz else ["starter.py", "public_tests.py"]
        for name in names:
            copy = out / "p" / problem.slug / name
            assert copy.read_text(encoding="utf-8") == (problem.path / name).read_text(), copy
            assert f'href="{problem.slug}/{name}" download=' in page


def test_getting_started_is_linked_from_every_page(site) -> None:
    out, _ = site
    start = (out / "getting-started.html").read_text(encoding="utf-8")
    for word in ("judge init", "judge test", "judge grade", "wrong_answer", "pip install"):
        assert word in start
    for page in html_pages(out):
        text = page.read_text(encoding="utf-8")
        assert "getting-started.html" in text, page
        if page.parent.name == "p":
            practise = re.search(r'<section aria-labelledby="h-practise">.*?</section>', text, re.S)
            assert 'href="../getting-started.html"' in practise[0], page


def test_quiz_announces_once_and_card_tags_are_out_of_the_tab_order(fixture_site) -> None:
    out, _ = fixture_site
    quiz = (out / "p" / "quiz-basics.html").read_text(encoding="utf-8")
    form = re.search(r'<form id="quiz".*?</form>', quiz, re.S)[0]
    assert len(re.findall(r'role="status"|aria-live=|role="alert"', form)) == 1
    index = (out / "index.html").read_text(encoding="utf-8")
    tags = re.findall(r'<button type="button" class="card-tag"[^>]*>', index)
    assert tags and all('tabindex="-1"' in t for t in tags)


def test_page_bytes_count_assets_not_the_pages_linked_as_previous_and_next(fixture_site) -> None:
    out, summary = fixture_site
    page = out / "p" / "distillation-loss.html"
    assert '<link rel="next" href="magnitude-pruning.html">' in page.read_text(encoding="utf-8")
    assets = ["style.css", "pygments.css", "head.js", "site.js", "favicon.svg"]
    expected = page.stat().st_size + sum((out / "static" / a).stat().st_size for a in assets)
    assert summary.page_bytes["p/distillation-loss.html"] == expected


def test_hints_toml_odd_values_are_ignored_and_a_broken_one_skips_the_problem(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "problems" / "distillation-loss"
    shutil.copytree(FIXTURE_PROBLEMS / "distillation-loss", folder)
    hints = folder / "hints.toml"
    hints.write_text('stray = 1\n[no_t_squared]\ntitle = 3\ntitle_zh = "标题"\n')
    summary = build_site(tmp_path / "_site", [load_problem(folder)], results_dir=None)
    page = (tmp_path / "_site" / "p" / "distillation-loss.html").read_text(encoding="utf-8")
    assert "No t squared</dt>" in page  # no usable title: one made from the file name
    # title_zh but no hint_zh: the English hint is shown under 中文, and listed.
    assert any("signal fades" in u for u in summary.untranslated)
    hints.write_text("[no_t_squared\n")
    summary = build_site(tmp_path / "_site", [load_problem(folder)], results_dir=None)
    assert len(summary.skipped) == 1 and "distillation-loss" in summary.skipped[0]
