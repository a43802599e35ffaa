"""Topics are data (problems/topics.toml): a private pack adds a topic without code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from judge.problems import TOPICS, ProblemError, all_problems, load_problem
from judge.site.build import build_site
from judge.topics import load_topics, result_pages, result_titles

FIXTURES = Path(__file__).parent / "fixtures"
PACK_TOPICS = """
[[topic]]
id = "serving"
title = "Serving"
title_zh = "部署"
blurb = "Models in production."
blurb_zh = "生产环境中的模型。"
"""


def pack_with_topic(tmp_path: Path, topic: str, topics_file: str | None) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "double", pack / "double")
    toml = pack / "double" / "problem.toml"
    text = toml.read_text(encoding="utf-8")
    lines = [f'topic = "{topic}"' if ln.startswith("topic") else ln for ln in text.splitlines()]
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if topics_file is not None:
        (pack / "topics.toml").write_text(topics_file, encoding="utf-8")
    return pack


def test_the_bundled_topics_in_learning_order() -> None:
    assert TOPICS == ("meta-learning", "distillation", "compression", "fusion", "concepts")
    assert all(t.title_zh and t.blurb_zh for t in load_topics().values())


def test_every_result_page_names_a_bundled_problem() -> None:
    slugs = {p.slug for p in all_problems()}
    for word, pages in result_pages().items():
        assert set(pages) <= slugs, word
    assert "sinusoid" in result_titles()


def test_a_pack_adds_a_topic_that_comes_after_the_bundled_ones(tmp_path: Path) -> None:
    pack = pack_with_topic(tmp_path, "serving", PACK_TOPICS)
    problem = load_problem(pack / "double")
    assert problem.topic == "serving"
    assert list(load_topics([pack]))[-1] == "serving"
    ordered = all_problems([pack])
    assert ordered[-1].slug == "double" and ordered[0].topic == "meta-learning"
    summary = build_site(tmp_path / "site", [problem], results_dir=None)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert summary.problems == 1 and not summary.skipped
    assert "Models in production." in index and "部署" in index


def test_an_unknown_topic_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    pack = pack_with_topic(tmp_path, "serving", None)
    with pytest.raises(ProblemError, match="meta-learning"):
        load_problem(pack / "double")
