"""The repository's own documents: current, and citing nothing that is not in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from judge import catalogue
from judge.problems import all_problems

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / line for line in out.stdout.splitlines()]


def test_problems_md_is_current() -> None:
    want = catalogue.render(all_problems())
    got = catalogue.DOC.read_text(encoding="utf-8")
    assert got == want, "docs/problems.md is out of date: run python -m judge.catalogue"


def test_readme_problem_table_is_current() -> None:
    readme = catalogue.README.read_text(encoding="utf-8")
    want = catalogue.with_table(readme, catalogue.readme_table(all_problems()))
    assert readme == want, "README's problem table is out of date: run python -m judge.catalogue"


def test_relative_links_in_markdown_resolve() -> None:
    broken = []
    for doc in [ROOT / "README.md", ROOT / "DEVELOPERS.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_nothing_cites_a_design_file_outside_the_repository() -> None:
    pattern = re.compile(r"\.\./shared/|(?<![\w/])(DESIGN|PROBLEMS)\.md|/work/")
    files = tracked("*.py", "*.md", "*.toml", "Makefile")
    hits = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        if path.is_file() and path.name != "test_docs.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not hits, hits
