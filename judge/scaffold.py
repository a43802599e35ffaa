"""``judge new``: a new problem folder, every file of :mod:`judge.layout` with a TODO to fill.

The scaffold is a small working problem (``solve(x) = 2 * x``) so that an author sees every
convention in place; ``judge check-problems`` refuses it while any ``TODO`` is left, and
accepts it once the five files that define a code problem (``problem.toml``, ``prompt.md``,
``starter.py``, ``solution.py``, ``hidden_tests.py``) and the mistake are rewritten for the
real question. Chinese files are not created: a private pack may go without them (a warning);
this repository's own problems need them.
"""

from __future__ import annotations

import re
from pathlib import Path

from judge.layout import KINDS
from judge.problems import TOPICS

__all__ = ["TODO", "new_problem", "todos"]

TODO = "TODO"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")

_TOML = """\
slug = "{slug}"
title = "{title}"  # the question in a few words: TODO
title_zh = "{title}"  # the title in Chinese: TODO
kind = "{kind}"
difficulty = "easy"  # easy | medium | hard
topic = "{topic}"  # {topics}
order = 100  # position in the learning order within the topic: TODO
tags = ["{slug}"]
{code_only}points = 100
papers = []
related = []
"""

_CODE_TOML = """\
entry_points = ["solve"]  # the functions a submission defines: TODO
time_limit_s = 10
memory_limit_mb = 2048
"""

_CODE = {
    "prompt.md": """\
# {title}

TODO: the question. State every clause of the contract that a test checks: shapes, dtypes,
what must not change, the errors to raise.

Write `solve(x)`, which returns `2 * x` for a tensor `x`, as a new tensor (do not modify `x`).
""",
    "starter.py": '''\
import torch


def solve(x: torch.Tensor) -> torch.Tensor:
    """TODO: the contract, as in the prompt."""
    raise NotImplementedError
''',
    "solution.py": '''\
"""The reference solution. TODO: the real one (self-contained: no import of reference/)."""

import torch


def solve(x: torch.Tensor) -> torch.Tensor:
    return 2 * x
''',
    "public_tests.py": '''\
"""Public tests (judge test): concrete numbers a reader can check. TODO: the real ones."""

import torch

from judge.testing import expect_close, expect_inputs_unchanged


def test_example(candidate):
    """Example. solve([1., 2.]) is [2., 4.].

    中文：solve([1., 2.]) 返回 [2., 4.]。
    """
    expect_close(candidate.solve(torch.tensor([1.0, 2.0])), torch.tensor([2.0, 4.0]), name="solve")


def test_x_is_left_alone(candidate, mistakes):
    expect_inputs_unchanged(candidate, "solve", torch.tensor([3.0, -1.0]), mistakes=mistakes)
''',
    "hidden_tests.py": '''\
"""Hidden tests (judge grade): every clause of the contract, each at least twice.

TODO: the real tests; their points sum to problem.toml's points.
"""

import torch

from judge.testing import expect_close, expect_inputs_unchanged, points


@points(50)
def test_values(candidate, solution, mistakes, seed):
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(seed))
    expect_close(
        candidate.solve(x),
        solution.solve(x),
        name="solve(x)",
        mistakes=mistakes.on(lambda m: m.solve(x)),
    )


@points(50)
def test_does_not_modify_x(candidate, mistakes, seed):
    x = torch.randn(4, generator=torch.Generator().manual_seed(seed + 1))
    expect_inputs_unchanged(candidate, "solve", x, mistakes=mistakes)
''',
    "editorial.md": """\
# {title}: editorial

TODO: the idea, the maths, the complexity, and each known mistake with why it is wrong.
""",
    "mistakes/in_place.py": '''\
"""x is doubled in place: the caller's tensor changes. TODO: a real known mistake, its hint
in this first paragraph."""

import torch


def solve(x: torch.Tensor) -> torch.Tensor:
    return x.mul_(2)
''',
    "alternatives/.keep": "",
}

_QUIZ = {
    "prompt.md": "# {title}\n\nTODO: what the quiz is about.\n",
    "questions.toml": """\
# The questions (TODO). kind: single | multi | true_false | numeric
[[questions]]
id = "q1"
kind = "single"
points = 10
text = "TODO: a question"
choices = ["right", "wrong"]
""",
    "starter_answers.toml": 'q1 = ""  # the answers template: TODO\n',
    "answers.toml": """\
# The key (TODO)
[q1]
answer = "A"
explanation = "TODO: why"
""",
    "model_answer.md": "TODO: a model answer to the open part.\n",
    "rubric.md": "TODO: the interviewer's rubric.\n",
}


def new_problem(root: str | Path, slug: str, kind: str = "code", topic: str = "concepts") -> Path:
    """Write ``root/slug/`` for a new problem and return it. Refuses an existing folder, a
    malformed slug, an unknown kind or topic (``ValueError``)."""
    if not _SLUG.match(slug):
        raise ValueError(f"{slug!r}: a slug is lower-case letters, digits and dashes")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
    target = Path(root) / slug
    if target.exists():
        raise ValueError(f"{target}: already exists")
    title = slug.replace("-", " ").capitalize()
    files = {
        "problem.toml": _TOML.format(
            slug=slug,
            title=title,
            kind=kind,
            topic=topic,
            topics=" | ".join(TOPICS),
            code_only=_CODE_TOML if kind == "code" else "",
        ),
        **(_CODE if kind == "code" else _QUIZ),
    }
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{title}", title), encoding="utf-8")
    return target


def todos(folder: Path) -> list[str]:
    """``file:line`` of every ``TODO`` left in a problem folder."""
    left = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if TODO in line:
                left.append(f"{path.relative_to(folder)}:{number}")
    return left
