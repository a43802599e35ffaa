"""The problem-folder layout, stated once.

Every other part derives from :data:`FILES`: the loader (what grading needs), ``judge
check-problems`` (what a complete folder holds), the study site (what may be published), and
``judge new`` (what a new folder starts with). ``docs/authoring.md`` describes the same format
for authors.

A folder is ``problems/<slug>/`` (or one in a private pack), holding the files below plus
``alternatives/*.py`` (correct solutions written differently: all accepted) and
``mistakes/*.py`` (known-wrong solutions: each rejected with the hint its docstring opens with).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "FILES",
    "KINDS",
    "FolderFile",
    "complete_set",
    "needed_to_grade",
    "public_files",
    "translations",
]

KINDS = ("code", "quiz")


@dataclass(frozen=True)
class FolderFile:
    """One file of a problem folder."""

    name: str
    kinds: tuple[str, ...]
    """The problem kinds that have it."""
    what: str
    """What it holds, in a few words (``judge new`` and the docs show it)."""
    needed_to_grade: bool = False
    """Grading cannot start without it (the loader refuses the folder)."""
    public: bool = True
    """It may be published: on the study site, in ``judge init``'s workspace."""
    translation_of: str | None = None
    """The Chinese twin of this English file: required in this repository's problems,
    optional (a warning) in a private pack."""
    required: bool = True
    """A complete folder holds it (``check-problems`` says so when it is missing)."""


FILES: tuple[FolderFile, ...] = (
    FolderFile("problem.toml", KINDS, "metadata: title, kind, topic, limits, points, papers"),
    FolderFile("prompt.md", KINDS, "the question in English", needed_to_grade=True),
    FolderFile("prompt.zh.md", KINDS, "the question in Chinese", translation_of="prompt.md"),
    FolderFile("starter.py", ("code",), "exact signatures; bodies raise", needed_to_grade=True),
    FolderFile("public_tests.py", ("code",), "visible tests (judge test)", needed_to_grade=True),
    FolderFile(
        "hidden_tests.py",
        ("code",),
        "hidden tests (judge grade): never shown",
        needed_to_grade=True,
        public=False,
    ),
    FolderFile("solution.py", ("code",), "the reference solution", needed_to_grade=True),
    FolderFile("editorial.md", ("code",), "the idea, the maths, the known mistakes"),
    FolderFile(
        "editorial.zh.md", ("code",), "the editorial in Chinese", translation_of="editorial.md"
    ),
    FolderFile("questions.toml", ("quiz",), "the questions and choices", needed_to_grade=True),
    FolderFile("starter_answers.toml", ("quiz",), "the answers template", needed_to_grade=True),
    FolderFile(
        "answers.toml",
        ("quiz",),
        "the key, with explanations (after 'check')",
        needed_to_grade=True,
    ),
    FolderFile("model_answer.md", ("quiz",), "a model answer to the open part"),
    FolderFile(
        "model_answer.zh.md",
        ("quiz",),
        "the model answer in Chinese",
        translation_of="model_answer.md",
    ),
    FolderFile("rubric.md", ("quiz",), "the interviewer's rubric"),
    FolderFile("rubric.zh.md", ("quiz",), "the rubric in Chinese", translation_of="rubric.md"),
    FolderFile(
        "hints.toml",
        ("code",),
        "readable titles and Chinese text of the mistakes' hints, by file stem",
        required=False,
    ),
)


def _of(kind: str) -> list[FolderFile]:
    if kind not in KINDS:
        raise ValueError(f"unknown problem kind {kind!r}; expected one of {KINDS}")
    return [f for f in FILES if kind in f.kinds]


def needed_to_grade(kind: str) -> tuple[str, ...]:
    """The files without which a problem of this kind cannot be graded at all."""
    return tuple(f.name for f in _of(kind) if f.needed_to_grade)


def complete_set(kind: str) -> tuple[str, ...]:
    """Every file a complete folder of this kind holds (``problem.toml`` aside: it is how the
    folder was found)."""
    return tuple(f.name for f in _of(kind) if f.required and f.name != "problem.toml")


def translations(kind: str) -> tuple[str, ...]:
    """The Chinese twins, optional in a private pack."""
    return tuple(f.name for f in _of(kind) if f.translation_of)


def public_files() -> tuple[str, ...]:
    """The files of any kind that may be published (never ``hidden_tests.py``)."""
    return tuple(f.name for f in FILES if f.public)
