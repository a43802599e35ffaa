"""Find and load problem folders; validate ``problem.toml``.

Problems live in the repo's ``problems/`` and in private packs (``--problems DIR`` on the
CLI, or ``JUDGE_PROBLEMS``, ``os.pathsep``-separated). A pack is a folder of problem folders
(or a single problem folder). When two places hold the same slug, the pack named first wins:
explicit ``--problems`` folders, then ``JUDGE_PROBLEMS``, then the repo, so an interviewer can
shadow a public problem with a private variant.

Every error about a problem is a :class:`ProblemError` that names the file, the field and
what was expected, because problem authors and interviewers read these messages.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge import layout
from judge.resources import data_dir
from judge.runner.limits import Limits
from judge.topics import TopicsError, topic_ids
from judge.verdicts import JudgeError

REPO_PROBLEMS = data_dir("problems")
"""The bundled problems: the checkout's ``problems/``, or the installed package's copy."""
KINDS = ("code", "quiz")
DIFFICULTIES = ("easy", "medium", "hard")
TOPICS = topic_ids()
"""The bundled topics in learning order (problems/topics.toml); a pack may add its own."""
LANGS = ("en", "zh")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_DIST = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


class ProblemError(JudgeError):
    """A problem folder is missing, malformed or unknown (the CLI exits 2)."""


class UnknownProblem(ProblemError):
    """No problem has this slug; ``suggestions`` holds the closest slugs."""

    def __init__(self, slug: str, suggestions: Sequence[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown problem {slug!r}{hint} (`judge list` shows them all)")
        self.slug = slug
        self.suggestions = list(suggestions)


@dataclass(frozen=True)
class Paper:
    title: str
    url: str


@dataclass(frozen=True)
class Problem:
    """One problem folder, validated. Paths are absolute."""

    slug: str
    title: str
    title_zh: str
    kind: str
    difficulty: str
    topic: str
    order: int
    tags: tuple[str, ...]
    entry_points: tuple[str, ...]
    limits: Limits
    points: float
    papers: tuple[Paper, ...]
    related: tuple[str, ...]
    path: Path
    packages: tuple[str, ...] = ()
    """Installed distributions beyond torch and numpy that a submission may import (the
    isolated sandbox's root holds only what is declared)."""

    # -- texts ------------------------------------------------------------------------
    def _text(self, stem: str, lang: str) -> str:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
        name = f"{stem}.md" if lang == "en" else f"{stem}.{lang}.md"
        path = self.path / name
        if not path.is_file():
            raise ProblemError(f"{path}: missing (the {stem} in {lang!r})")
        return path.read_text(encoding="utf-8")

    def prompt(self, lang: str = "en") -> str:
        """The question as Markdown."""
        return self._text("prompt", lang)

    def editorial(self, lang: str = "en") -> str:
        """The explanation as Markdown (code problems)."""
        return self._text("editorial", lang)

    # -- files ------------------------------------------------------------------------
    @property
    def is_quiz(self) -> bool:
        return self.kind == "quiz"

    @property
    def starter(self) -> Path:
        """What the candidate edits: ``starter.py`` or ``starter_answers.toml``."""
        return self.path / ("starter_answers.toml" if self.is_quiz else "starter.py")

    @property
    def public_tests(self) -> Path:
        return self.path / "public_tests.py"

    @property
    def hidden_tests(self) -> Path:
        return self.path / "hidden_tests.py"

    def tests_file(self, which: str) -> Path:
        """``public_tests.py`` or ``hidden_tests.py`` for ``which`` = "public" / "hidden"."""
        if which not in ("public", "hidden"):
            raise ValueError(f"tests must be 'public' or 'hidden', not {which!r}")
        return self.public_tests if which == "public" else self.hidden_tests

    @property
    def solution(self) -> Path:
        """The reference: ``solution.py``, or the answer key ``answers.toml`` of a quiz."""
        return self.path / ("answers.toml" if self.is_quiz else "solution.py")

    @property
    def questions(self) -> Path:
        return self.path / "questions.toml"

    @property
    def answers(self) -> Path:
        return self.path / "answers.toml"

    @property
    def alternatives(self) -> list[Path]:
        return sorted((self.path / "alternatives").glob("*.py"))

    @property
    def mistakes(self) -> list[Path]:
        """Known-wrong solutions (``*.py``) or answer files (``*.toml`` for a quiz)."""
        pattern = "*.toml" if self.is_quiz else "*.py"
        return sorted(p for p in (self.path / "mistakes").glob(pattern) if p.stem != "__init__")

    def hash(self) -> str:
        """SHA-256 of every file in the folder (names and contents), for result caches."""
        digest = hashlib.sha256()
        for path in sorted(self.path.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(self.path).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()


# -- validation -----------------------------------------------------------------------
_FIELDS = {
    "slug",
    "title",
    "title_zh",
    "kind",
    "difficulty",
    "topic",
    "order",
    "tags",
    "entry_points",
    "time_limit_s",
    "total_time_limit_s",
    "packages",
    "memory_limit_mb",
    "points",
    "papers",
    "related",
}


def _field(meta: dict[str, Any], toml: Path, name: str, kinds: type | tuple, want: str, **kw):
    if name not in meta:
        if "default" in kw:
            return kw["default"]
        raise ProblemError(f"{toml}: field {name!r} is missing; expected {want}")
    value = meta[name]
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
        raise ProblemError(f"{toml}: field {name!r} = {value!r}; expected {want}")
    return value


def _as_tuple(kinds: type | tuple) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _str_list(meta: dict[str, Any], toml: Path, name: str, want: str, pattern=None) -> tuple:
    value = _field(meta, toml, name, list, want, default=[])
    for item in value:
        if not isinstance(item, str) or (pattern and not pattern.match(item)):
            raise ProblemError(f"{toml}: field {name!r} holds {item!r}; expected {want}")
    return tuple(value)


def _choice(meta: dict[str, Any], toml: Path, name: str, choices: Sequence[str]) -> str:
    want = " | ".join(repr(c) for c in choices)
    value = _field(meta, toml, name, str, f"one of {want}")
    if value not in choices:
        raise ProblemError(f"{toml}: field {name!r} = {value!r}; expected one of {want}")
    return value


def _topics(folder: Path) -> tuple[str, ...]:
    """The topics a problem in ``folder`` may name: the bundled ones and its pack's own."""
    try:
        return topic_ids([folder.parent])
    except TopicsError as exc:
        raise ProblemError(str(exc)) from exc


def load_problem(folder: Path) -> Problem:
    """Read and validate ``folder/problem.toml``; raise :class:`ProblemError` if malformed."""
    folder = Path(folder).resolve()
    toml = folder / "problem.toml"
    if not toml.is_file():
        raise ProblemError(f"{toml}: missing; every problem folder needs a problem.toml")
    try:
        meta = tomllib.loads(toml.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProblemError(f"{toml}: not valid TOML: {exc}") from exc
    unknown = sorted(set(meta) - _FIELDS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], _FIELDS, n=1)
        tip = f" (did you mean {close[0]!r}?)" if close else ""
        raise ProblemError(f"{toml}: unknown field {unknown[0]!r}{tip}; expected {sorted(_FIELDS)}")
    slug = _field(meta, toml, "slug", str, f"the folder name {folder.name!r}")
    if slug != folder.name or not _SLUG.match(slug):
        raise ProblemError(
            f"{toml}: field 'slug' = {slug!r}; expected the folder name {folder.name!r} "
            "(lower-case letters, digits and dashes)"
        )
    kind = _choice(meta, toml, "kind", KINDS)
    entry_points = _str_list(
        meta, toml, "entry_points", "a list of Python function names", _IDENTIFIER
    )
    if kind == "code" and not entry_points:
        raise ProblemError(
            f"{toml}: field 'entry_points' is missing or empty; expected a list "
            "of the functions a code problem's submission must define"
        )
    if kind == "quiz" and entry_points:
        raise ProblemError(f"{toml}: field 'entry_points' given; a quiz has none")
    time_s = _field(meta, toml, "time_limit_s", (int, float), "a positive number", default=10)
    total_s = _field(meta, toml, "total_time_limit_s", (int, float), "a positive number",
                     default=None)  # fmt: skip
    if total_s is not None and total_s <= 0:
        raise ProblemError(f"{toml}: field 'total_time_limit_s' = {total_s!r}; expected > 0")
    memory = _field(meta, toml, "memory_limit_mb", int, "a positive integer (MiB)", default=2048)
    points = _field(meta, toml, "points", (int, float), "a positive number", default=100)
    for name, value in (("time_limit_s", time_s), ("memory_limit_mb", memory), ("points", points)):
        if value <= 0:
            raise ProblemError(f"{toml}: field {name!r} = {value!r}; expected a positive number")
    papers = []
    for paper in _field(meta, toml, "papers", list, "a list of {title, url} tables", default=[]):
        if not (
            isinstance(paper, dict)
            and isinstance(paper.get("title"), str)
            and isinstance(paper.get("url"), str)
        ):
            raise ProblemError(
                f"{toml}: field 'papers' holds {paper!r}; expected {{ title = ..., url = ... }}"
            )
        papers.append(Paper(paper["title"], paper["url"]))
    problem = Problem(
        slug=slug,
        title=_field(meta, toml, "title", str, "a string"),
        title_zh=_field(meta, toml, "title_zh", str, "a string (the Chinese title)"),
        kind=kind,
        difficulty=_choice(meta, toml, "difficulty", DIFFICULTIES),
        topic=_choice(meta, toml, "topic", _topics(folder)),
        order=_field(meta, toml, "order", int, "an integer (position within the topic)"),
        tags=_str_list(meta, toml, "tags", "a list of strings"),
        entry_points=entry_points,
        limits=Limits(
            time_s=float(time_s),
            memory_mb=int(memory),
            total_s=None if total_s is None else float(total_s),
        ),
        points=float(points),
        papers=tuple(papers),
        related=_str_list(meta, toml, "related", "a list of problem slugs", _SLUG),
        packages=_str_list(meta, toml, "packages", "a list of distribution names", _DIST),
        path=folder,
    )
    _check_files(problem, toml)
    return problem


def _check_files(problem: Problem, toml: Path) -> None:
    """The files grading needs; the full folder format is checked by ``check_problem``."""
    for name in layout.needed_to_grade(problem.kind):
        if not (problem.path / name).is_file():
            raise ProblemError(f"{problem.path / name}: missing; a {problem.kind} problem needs it")


def is_bundled(problem: Problem) -> bool:
    """Whether the problem is one of this project's own (not a private pack's)."""
    return problem.path.resolve().parent == REPO_PROBLEMS.resolve()


def hint_from_source(text: str, suffix: str = ".py") -> str:
    """A known mistake's hint: the first paragraph of a ``.py`` file's module docstring, or of
    a quiz answer file's leading ``#`` comment, on one line. Raises ``SyntaxError`` for a
    ``.py`` source that does not parse."""
    if suffix == ".py":
        doc = ast.get_docstring(ast.parse(text)) or ""
    else:
        lines = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.lstrip("#").strip())
        doc = "\n".join(lines).strip()
    paragraph = doc.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


# -- discovery ------------------------------------------------------------------------
def search_path(packs: Iterable[str | Path] = ()) -> list[Path]:
    """Where problems are looked for, first wins: ``packs``, ``JUDGE_PROBLEMS``, the repo."""
    roots = [Path(p) for p in packs]
    env = os.environ.get("JUDGE_PROBLEMS", "")
    roots += [Path(p) for p in env.split(os.pathsep) if p]
    roots.append(REPO_PROBLEMS)
    for root in roots[:-1]:
        if not root.is_dir():
            raise ProblemError(f"{root}: problem pack not found (from --problems/JUDGE_PROBLEMS)")
    return roots


def discover(packs: Iterable[str | Path] = ()) -> dict[str, Path]:
    """Slug -> folder for every problem folder found (not yet validated)."""
    found: dict[str, Path] = {}
    for root in search_path(packs):
        if (root / "problem.toml").is_file():
            found.setdefault(root.resolve().name, root.resolve())
            continue
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if (folder / "problem.toml").is_file():
                found.setdefault(folder.name, folder.resolve())
    return found


def find_problem(slug: str, packs: Iterable[str | Path] = ()) -> Problem:
    """Load the problem ``slug``; :class:`UnknownProblem` with suggestions if none."""
    found = discover(packs)
    if slug not in found:
        raise UnknownProblem(slug, difflib.get_close_matches(slug, list(found), n=3, cutoff=0.5))
    return load_problem(found[slug])


def all_problems(
    packs: Iterable[str | Path] = (), *, errors: list[ProblemError] | None = None
) -> list[Problem]:
    """Every problem, validated, in study order: by topic, then ``order``, then slug.

    A broken folder raises :class:`ProblemError`, or, when ``errors`` is a list, is
    appended to it and skipped (so that one folder being written does not hide the rest).
    """
    problems = []
    for path in discover(packs).values():
        try:
            problems.append(load_problem(path))
        except ProblemError as exc:
            if errors is None:
                raise
            errors.append(exc)
    order = topic_ids(sorted({str(p.path.parent) for p in problems}))
    return sorted(problems, key=lambda p: (order.index(p.topic), p.order, p.slug))
