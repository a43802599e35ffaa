"""What the study site shows of one problem folder, as plain data for the templates.

This module decides which files of a problem are public. It reads only the files listed in
PUBLIC_FILES (plus `mistakes/*.py` docstrings and `answers.toml` of quizzes, whose key is
meant to be revealed on the site after "check"); `hidden_tests.py` is never opened here, so
no hidden test can reach a page.

Two conventions of a problem folder are the site's own:

- `hints.toml`: one table per known mistake, keyed by its file's stem, with a readable
  `title`, its `title_zh` and `hint_zh`, the Chinese of the hint the judge prints (the
  mistake's docstring, which stays the English hint). A mistake without an entry is shown
  with its docstring and a title made from its file name, and listed as untranslated.
- Worked examples: a public test whose docstring begins with `Example.` is shown on the page
  as a worked example: the rest of its docstring as prose (Markdown; the paragraphs from one
  that begins with `中文：` on are its Chinese version), then the test's body as code.
"""

from __future__ import annotations

import ast
import re
import textwrap
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judge import layout
from judge.problems import Problem, hint_from_source
from judge.site.mathrender import highlight_code, render_inline, render_markdown
from judge.topics import load_topics, result_pages, result_titles

__all__ = [
    "PUBLIC_FILES",
    "Bilingual",
    "Example",
    "Hint",
    "ProblemPage",
    "join_cjk_lines",
    "load_hints",
    "load_page",
    "mistake_hint",
    "plain_text",
    "worked_examples",
]

PUBLIC_FILES = layout.public_files()
EXAMPLE_MARK = "Example."
ZH_MARKS = ("中文：", "中文:")


_CJK_LINE_BREAK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\n(?=[\u3000-\u9fff\uff00-\uffef])")


def join_cjk_lines(markdown: str) -> str:
    """Join lines wrapped between two Chinese characters (a browser would show a space)."""
    return _CJK_LINE_BREAK.sub("", markdown)


def site_topics(packs: Iterable[str | Path] = ()) -> dict[str, tuple[str, str, str, str]]:
    """Topic id -> (English heading, Chinese heading, English blurb, Chinese blurb), in
    learning order (from ``problems/topics.toml`` and the packs' own)."""
    return {t.id: (t.title, t.title_zh, t.blurb, t.blurb_zh) for t in load_topics(packs).values()}


# Benchmark result files (benchmarks/results/<stem>.*), by the first word of their name, and
# the problem pages they belong on; titles for reports that open without a heading. Every
# result also appears on the results page. Both are data: problems/topics.toml.
RESULT_TITLES = result_titles()
RESULT_PAGES = result_pages()


@dataclass(frozen=True)
class Bilingual:
    """A document in both languages: lang -> html, and the language each text really is in."""

    html: dict[str, str] = field(default_factory=dict)
    langs: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.html)


@dataclass(frozen=True)
class Hint:
    """A known mistake as the site shows it: lang -> readable title (text) and hint (html),
    and the language each really is in."""

    stem: str
    title: dict[str, str]
    html: dict[str, str]
    langs: dict[str, str]


@dataclass(frozen=True)
class Example:
    """A worked example: a public test whose docstring begins with `Example.`."""

    name: str  # the test function's name
    prose: Bilingual  # the docstring after `Example.`, rendered
    code: str  # the test's body, highlighted


@dataclass
class ProblemPage:
    """Everything a problem's page shows; Markdown already rendered to HTML."""

    problem: Problem
    prompt: Bilingual
    starter: str = ""  # highlighted
    public_tests: str = ""
    solution: str = ""
    editorial: Bilingual = field(default_factory=Bilingual)
    hints: list[Hint] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    downloads: dict[str, str] = field(default_factory=dict)  # file name -> its text
    questions: list[dict[str, Any]] = field(default_factory=list)
    key: dict[str, Any] = field(default_factory=dict)  # quiz: id -> {answer, explanation...}
    model_answer: Bilingual = field(default_factory=Bilingual)
    rubric: Bilingual = field(default_factory=Bilingual)
    results: list[Any] = field(default_factory=list)  # judge.site.results.Result
    search_text: dict[str, str] = field(default_factory=dict)  # lang -> plain text


def _read(path: Path) -> str | None:
    """A public file of a problem folder, or None if it is absent. Anything not listed in
    PUBLIC_FILES (or a mistake's source, for its docstring) is refused."""
    if path.name not in PUBLIC_FILES and path.parent.name != "mistakes":
        raise ValueError(f"{path}: not a public file; the site never reads it")
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _bilingual(
    folder: Path, stem: str, drop_title: bool = False
) -> tuple[Bilingual, dict[str, str]]:
    """Render `stem.md` and `stem.zh.md` (and their plain text for search); a missing
    translation falls back to the other language."""
    texts = {"en": _read(folder / f"{stem}.md"), "zh": _read(folder / f"{stem}.zh.md")}
    html, langs, plain = {}, {}, {}
    for lang, other in (("en", "zh"), ("zh", "en")):
        text, actual = (texts[lang], lang) if texts[lang] is not None else (texts[other], other)
        if text is None:
            continue
        html[lang], langs[lang], plain[lang] = (
            render_markdown(text, drop_title=drop_title),
            actual,
            plain_text(text),
        )
    return Bilingual(html, langs), plain


def plain_text(markdown: str) -> str:
    """Markdown to rough plain text for the search index: markup characters and code blocks
    dropped (the prose around them names what matters), identifiers kept whole
    (`create_graph`, `state_dict`)."""
    text = re.sub(r"^\s*(```|~~~).*?^\s*\1\s*$", " ", markdown, flags=re.M | re.S)
    text = re.sub(r"(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])", " ", text)  # emphasis, not names
    text = re.sub(r"[`*#>|$\\{}\[\]()]", " ", text)
    return " ".join(text.split())


def mistake_hint(path: Path) -> str | None:
    """The first paragraph of a mistake file's module docstring: the hint the judge gives."""
    try:
        return hint_from_source(_read(path) or "", ".py") or None
    except SyntaxError:
        return None


def _quiz(problem: Problem, page: ProblemPage) -> None:
    questions = tomllib.loads(_read(problem.questions) or "")["questions"]
    key = tomllib.loads(_read(problem.answers) or "")
    for q in questions:
        choices_en = q.get("choices", [])
        choices_zh = q.get("choices_zh", choices_en)
        if q["kind"] == "true_false":
            choices_en, choices_zh = ["True", "False"], ["正确", "错误"]
        page.questions.append(
            {
                "id": q["id"],
                "kind": q["kind"],
                "points": q.get("points", 1),
                "unit": q.get("unit", ""),
                "text": {
                    "en": render_markdown(q["text"]),
                    "zh": render_markdown(q.get("text_zh", q["text"])),
                },
                "choices": [
                    {"en": render_inline(en), "zh": render_inline(zh)}
                    for en, zh in zip(choices_en, choices_zh, strict=False)
                ],
            }
        )
        entry = key.get(q["id"], {})
        explanation = entry.get("explanation", "")
        page.key[q["id"]] = {
            "answer": entry.get("answer"),
            "tolerance": entry.get("tolerance", 0),
            "explanation": {
                "en": render_markdown(explanation),
                "zh": render_markdown(entry.get("explanation_zh", explanation)),
            },
            "why_wrong": _why_wrong(entry),
        }
    page.model_answer = _bilingual(problem.path, "model_answer")[0]
    page.rubric = _bilingual(problem.path, "rubric")[0]
    extra = " ".join(q.get("text", "") for q in questions)
    extra_zh = " ".join(q.get("text_zh", "") for q in questions)
    page.search_text["en"] = page.search_text.get("en", "") + " " + plain_text(extra)
    page.search_text["zh"] = page.search_text.get("zh", "") + " " + plain_text(extra_zh)


def _why_wrong(entry: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A key entry's ``why_wrong`` (letter -> why that option is wrong), each with its
    ``why_wrong_zh``: letter -> {"en", "zh" (html), "zh_lang"}. A missing translation shows
    the English, marked ``zh_lang = "en"`` (the build lists it as untranslated)."""
    en, zh = entry.get("why_wrong") or {}, entry.get("why_wrong_zh") or {}
    out = {}
    for letter, text in en.items():
        translated = isinstance(zh.get(letter), str) and zh[letter].strip()
        out[str(letter)] = {
            "en": render_inline(str(text)),
            "zh": render_inline(str(zh[letter] if translated else text)),
            "zh_lang": "zh" if translated else "en",
        }
    return out


def _hint_table(problem: Problem) -> dict[str, dict[str, str]]:
    """`hints.toml`: mistake stem -> its string fields (anything else is ignored)."""
    data = tomllib.loads(_read(problem.path / "hints.toml") or "")
    return {
        str(stem): {k: v for k, v in entry.items() if isinstance(v, str)}
        for stem, entry in data.items()
        if isinstance(entry, dict)
    }


def load_hints(problem: Problem) -> list[Hint]:
    """Every known mistake of `problem` with a hint, titled, in both languages."""
    table = _hint_table(problem)
    hints = []
    for path in problem.mistakes:
        hint = mistake_hint(path)
        if not hint:
            continue
        entry = table.get(path.stem, {})
        title_en = entry.get("title") or path.stem.replace("_", " ").capitalize()
        title_zh, hint_zh = entry.get("title_zh"), entry.get("hint_zh")
        hints.append(
            Hint(
                stem=path.stem,
                title={"en": title_en, "zh": title_zh or title_en},
                html={"en": render_inline(hint), "zh": render_inline(hint_zh or hint)},
                langs={"en": "en", "zh": "zh" if title_zh and hint_zh else "en"},
            )
        )
    return hints


def worked_examples(source: str) -> list[Example]:
    """The public tests of `source` whose docstring begins with `Example.` (see the module
    docstring); none if the file does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = source.splitlines()
    examples = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        doc = ast.get_docstring(node) or ""
        if not doc.startswith(EXAMPLE_MARK):
            continue
        paragraphs = [p.strip() for p in doc[len(EXAMPLE_MARK) :].split("\n\n") if p.strip()]
        first_zh = next(
            (i for i, p in enumerate(paragraphs) if p.startswith(ZH_MARKS)), len(paragraphs)
        )
        en = "\n\n".join(paragraphs[:first_zh])
        zh = "\n\n".join(paragraphs[first_zh:])
        for mark in ZH_MARKS:
            zh = zh.removeprefix(mark)
        html, langs = {}, {}
        if en:
            html["en"], langs["en"] = render_markdown(en, heading_level=4), "en"
        if zh.strip():
            html["zh"], langs["zh"] = (
                render_markdown(join_cjk_lines(zh.strip()), heading_level=4),
                "zh",
            )
        elif en:
            html["zh"], langs["zh"] = html["en"], "en"
        # The body after the docstring, comments included, as the author wrote it.
        body = "\n".join(lines[node.body[0].end_lineno or node.lineno : node.end_lineno])
        examples.append(
            Example(
                name=node.name,
                prose=Bilingual(html, langs),
                code=highlight_code(textwrap.dedent(body).strip("\n") + "\n", "python")
                if body.strip()
                else "",
            )
        )
    return examples


def load_page(problem: Problem) -> ProblemPage:
    """Read a problem's public files into a ProblemPage (never its hidden tests)."""
    prompt, plain = _bilingual(problem.path, "prompt", drop_title=True)
    page = ProblemPage(problem, prompt, search_text=plain)
    if problem.is_quiz:
        _quiz(problem, page)
        if problem.starter.is_file():
            starter = _read(problem.starter) or ""
            page.starter = highlight_code(starter, "toml")
            page.downloads[problem.starter.name] = starter
        return page
    for attr, name in (("starter", "starter.py"), ("public_tests", "public_tests.py")):
        text = _read(problem.path / name)
        if text is not None:
            setattr(page, attr, highlight_code(text, "python"))
            page.downloads[name] = text
            if name == "public_tests.py":
                page.examples = worked_examples(text)
    solution = _read(problem.path / "solution.py")
    if solution is not None:
        page.solution = highlight_code(solution, "python")
    page.editorial, editorial_text = _bilingual(problem.path, "editorial")
    page.hints = load_hints(problem)
    # Editorials and hint titles are searched too (a learner looks for `create_graph`).
    for lang in ("en", "zh"):
        extra = [editorial_text.get(lang, ""), *(h.title[lang] for h in page.hints)]
        page.search_text[lang] = " ".join([page.search_text.get(lang, ""), *extra]).strip()
    return page
