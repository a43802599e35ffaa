"""docs/problems.md, written from the problem folders: each problem's contract in one place.

``python -m judge.catalogue`` rewrites the file; a test fails when it is out of date. Read
statically (``ast``), so nothing here imports torch or runs a problem's code.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from judge.problems import Problem, all_problems, hint_from_source

__all__ = ["contract", "readme_table", "render", "test_counts"]

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "problems.md"
README = ROOT / "README.md"
TABLE_START = "<!-- problem-table: python -m judge.catalogue writes it; a test keeps it current -->"
TABLE_END = "<!-- end problem-table -->"


def test_counts(problem: Problem) -> tuple[int, int]:
    """(public, hidden) tests of a code problem: its ``test_*`` functions."""
    return len(_tests(problem.public_tests)), len(_tests(problem.hidden_tests))


def _tests(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def readme_table(problems: list[Problem]) -> str:
    """The README's table of problems: per code problem its public tests (worked examples),
    hidden tests, whether the hidden inputs change per grade, and its known mistakes."""
    lines = [
        "| topic | problem | public tests (worked examples) | hidden tests | hidden inputs "
        "| known mistakes |",
        "|---|---|---|---|---|---|",
    ]
    for p in problems:
        if p.is_quiz:
            continue
        public, hidden = _tests(p.public_tests), _tests(p.hidden_tests)
        examples = sum((ast.get_docstring(t) or "").startswith("Example.") for t in public)
        seeded = any(a.arg == "seed" for t in hidden for a in t.args.args)
        mistakes = len(list((p.path / "mistakes").glob("*.py")))
        outcome = " ⏱" if "outcome" in p.tags else ""
        lines.append(
            f"| {p.topic} | `{p.slug}`{outcome} | {len(public)} ({examples}) | {len(hidden)} "
            f"| {'per grade' if seeded else 'fixed'} | {mistakes} |"
        )
    return "\n".join(lines) + "\n"


def contract(problem: Problem) -> list[tuple[str, str]]:
    """``(signature, docstring)`` of each entry point, as the starter states it."""
    tree = ast.parse(problem.starter.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in problem.entry_points:
            if isinstance(node, ast.FunctionDef):
                head = f"def {node.name}({ast.unparse(node.args)})"
                if node.returns is not None:
                    head += f" -> {ast.unparse(node.returns)}"
            else:
                bases = ", ".join(ast.unparse(b) for b in node.bases)
                head = f"class {node.name}({bases})" if bases else f"class {node.name}"
            found[node.name] = (head, ast.get_docstring(node) or "")
    return [found[name] for name in problem.entry_points if name in found]


def _code_section(problem: Problem) -> list[str]:
    public, hidden = test_counts(problem)
    limits = problem.limits
    lines = [
        f"Entry points: {', '.join(f'`{e}`' for e in problem.entry_points)}; "
        f"{limits.time_s:g} s per call, {limits.memory_mb} MiB; {problem.points:g} points; "
        f"{public} public and {hidden} hidden tests, {len(problem.alternatives)} correct "
        f"alternatives, {len(list((problem.path / 'mistakes').glob('*.py')))} known mistakes.",
        "",
    ]
    for head, doc in contract(problem):
        lines += ["```python", head, "```", ""]
        if doc:
            lines += [doc, ""]
    mistakes = sorted((problem.path / "mistakes").glob("*.py"))
    if mistakes:
        lines.append("Known mistakes, each rejected with its hint:")
        lines.append("")
        for path in mistakes:
            hint = hint_from_source(path.read_text(encoding="utf-8"))
            lines.append(f"- `{path.stem}`: {hint}")
        lines.append("")
    return lines


def render(problems: list[Problem]) -> str:
    """The whole of docs/problems.md."""
    lines = [
        "# The problems",
        "",
        "Each problem's contract: the entry points a submission defines, as its starter states",
        "them, and the known mistakes the judge names. Written by `python -m judge.catalogue`",
        "from the folders under `problems/` (the prompts, in English and Chinese, say the rest).",
        "",
    ]
    topic = None
    for problem in problems:
        if problem.topic != topic:
            topic = problem.topic
            lines += [f"## {topic}", ""]
        lines += [
            f"### `{problem.slug}`: {problem.title}",
            "",
            f"{problem.kind}, {problem.difficulty}; {problem.title_zh}.",
            "",
        ]
        if problem.is_quiz:
            continue
        lines += _code_section(problem)
    return "\n".join(lines).rstrip() + "\n"


def with_table(readme: str, table: str) -> str:
    """``readme`` with the text between the problem-table markers replaced by ``table``."""
    start = readme.index(TABLE_START) + len(TABLE_START)
    end = readme.index(TABLE_END, start)
    return f"{readme[:start]}\n{table}{readme[end:]}"


def main() -> None:
    problems = all_problems()
    DOC.write_text(render(problems), encoding="utf-8")
    if README.is_file():  # a checkout (an installed copy has no README to keep)
        text = README.read_text(encoding="utf-8")
        README.write_text(with_table(text, readme_table(problems)), encoding="utf-8")
    print(f"wrote {DOC} and the table of {README.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
