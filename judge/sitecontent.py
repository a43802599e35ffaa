"""What the study site shows of one problem folder, as plain data for the templates.

This module decides which files of a problem are public. It reads only the files listed in
PUBLIC_FILES (plus `mistakes/*.py` docstrings and `answers.toml` of quizzes, whose key is
meant to be revealed on the site after "check"); `hidden_tests.py` is never opened here, so
no hidden test can reach a page.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judge.mathrender import highlight_code, render_inline, render_markdown
from judge.problems import Problem, hint_from_source

__all__ = [
    "PUBLIC_FILES",
    "TOPICS",
    "Bilingual",
    "ProblemPage",
    "Result",
    "load_page",
    "load_results",
    "mistake_hint",
    "plain_text",
]

PUBLIC_FILES = (
    "problem.toml",
    "prompt.md",
    "prompt.zh.md",
    "starter.py",
    "public_tests.py",
    "solution.py",
    "editorial.md",
    "editorial.zh.md",
    "questions.toml",
    "starter_answers.toml",
    "answers.toml",
    "model_answer.md",
    "model_answer.zh.md",
    "rubric.md",
    "rubric.zh.md",
)

# Topic slug -> (English heading, Chinese heading, English blurb, Chinese blurb), in learning
# order.
TOPICS = {
    "meta-learning": (
        "Meta-learning",
        "元学习",
        "Learning to learn: MAML's inner and outer loops, Reptile, Meta-SGD, episodes, prototypes.",
        "学会学习：MAML 的内外循环、Reptile、Meta-SGD、episode 采样与原型网络。",
    ),
    "distillation": (
        "Knowledge distillation",
        "知识蒸馏",
        "Pass a large teacher's soft targets on to a small student.",
        "把大教师模型的软目标传给小学生模型。",
    ),
    "compression": (
        "Compression",
        "模型压缩",
        "Smaller, faster models: pruning (magnitude, structured, 2:4), int8 and 4-bit "
        "quantisation, quantisation-aware training, low-rank layers and LoRA adapters.",
        "更小更快的模型：剪枝（幅值、结构化、2:4）、int8 与 4 比特量化、量化感知训练、"
        "低秩分解与 LoRA 适配器。",
    ),
    "fusion": (
        "Model fusion",
        "模型融合",
        "Combine trained models in weight space: averaging, soups, task vectors, Fisher merging.",
        "在权重空间合并模型：权重平均、模型汤、任务向量、Fisher 融合。",
    ),
    "concepts": (
        "Concept quizzes",
        "概念测验",
        "The interview guide's conceptual questions, answered properly, with model answers.",
        "面试指南中的概念题，附严谨的参考答案与评分标准。",
    ),
}

# Benchmark result files (benchmarks/results/<stem>.*), by the first word of their name,
# and the problem pages they belong on. Every result also appears on the results page.
# Titles for reports that do not open with a heading of their own.
RESULT_TITLES = {
    "sinusoid": "Sinusoid regression: MAML vs a pretrained baseline",
    "distillation": "Distillation on digits",
    "compression": "Compression: accuracy vs sparsity, int8, low rank",
    "efficiency": "Compression as it ships: structured pruning, 2:4, QAT, 4-bit groups, LoRA",
    "fusion": "Model fusion: soups vs individual models",
    "site_build": "Study-site build",
}
RESULT_PAGES = {
    "sinusoid": ("maml-sinusoid",),
    "distillation": ("distill-student", "distillation-loss"),
    "compression": ("magnitude-pruning", "int8-quantization", "low-rank-factorization"),
    "efficiency": (
        "structured-pruning",
        "nm-sparsity",
        "fake-quant-ste",
        "int4-group-quantization",
        "lora-linear",
    ),
    "fusion": ("greedy-soup", "weight-averaging", "task-arithmetic", "fisher-merging"),
}


@dataclass(frozen=True)
class Result:
    """One benchmark's Markdown report and plots, rendered for a page."""

    stem: str
    title: str  # html: the report's opening heading, or its file name
    body: dict[int, str]  # heading level of the title -> the rest, headings nested under it;
    # image sources in `body` are relative to the site root, prefixed with "{root}"
    images: tuple[tuple[str, str], ...]  # (file name, alt text) of plots `body` does not show


@dataclass(frozen=True)
class Bilingual:
    """A document in both languages: lang -> html, and the language each text really is in."""

    html: dict[str, str] = field(default_factory=dict)
    langs: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.html)


@dataclass
class ProblemPage:
    """Everything a problem's page shows; Markdown already rendered to HTML."""

    problem: Problem
    prompt: Bilingual
    starter: str = ""  # highlighted
    public_tests: str = ""
    solution: str = ""
    editorial: Bilingual = field(default_factory=Bilingual)
    hints: list[tuple[str, str]] = field(default_factory=list)  # (mistake name, hint html)
    questions: list[dict[str, Any]] = field(default_factory=list)
    key: dict[str, Any] = field(default_factory=dict)  # quiz: id -> {answer, explanation...}
    model_answer: Bilingual = field(default_factory=Bilingual)
    rubric: Bilingual = field(default_factory=Bilingual)
    results: list[Result] = field(default_factory=list)
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
    """Markdown to rough plain text for the search index (markup characters dropped)."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"[`*_#>|$\\{}\[\]()]", " ", text)
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
        }
    page.model_answer = _bilingual(problem.path, "model_answer")[0]
    page.rubric = _bilingual(problem.path, "rubric")[0]
    extra = " ".join(q.get("text", "") for q in questions)
    extra_zh = " ".join(q.get("text_zh", "") for q in questions)
    page.search_text["en"] = page.search_text.get("en", "") + " " + plain_text(extra)
    page.search_text["zh"] = page.search_text.get("zh", "") + " " + plain_text(extra_zh)


def load_page(problem: Problem, results: list[Result]) -> ProblemPage:
    """Read a problem's public files into a ProblemPage (never its hidden tests)."""
    prompt, plain = _bilingual(problem.path, "prompt", drop_title=True)
    page = ProblemPage(problem, prompt, search_text=plain)
    page.results = [r for r in results if problem.slug in RESULT_PAGES.get(_word(r.stem), ())]
    if problem.is_quiz:
        _quiz(problem, page)
        if problem.starter.is_file():
            page.starter = highlight_code(_read(problem.starter) or "", "toml")
        return page
    for attr, name in (("starter", "starter.py"), ("public_tests", "public_tests.py")):
        text = _read(problem.path / name)
        if text is not None:
            setattr(page, attr, highlight_code(text, "python"))
    solution = _read(problem.path / "solution.py")
    if solution is not None:
        page.solution = highlight_code(solution, "python")
    page.editorial = _bilingual(problem.path, "editorial")[0]
    for path in problem.mistakes:
        hint = mistake_hint(path)
        if hint:
            page.hints.append((path.stem.replace("_", " "), render_inline(hint)))
    return page


def _word(stem: str) -> str:
    return re.split(r"[_.\-]", stem, maxsplit=1)[0]


def load_results(results_dir: Path | None) -> tuple[list[Result], list[Path]]:
    """Render every `<stem>.md` of the benchmark results and find the plots to copy.

    A plot `<stem>*.png` belongs to the report whose stem starts its name; a plot the report
    does not already show is listed in `Result.images`. Returns (results, png paths).
    """
    if results_dir is None or not results_dir.is_dir():
        return [], []
    pngs = sorted(results_dir.glob("*.png"))
    results = []
    for md_path in sorted(results_dir.glob("*.md")):
        text = md_path.read_text(encoding="utf-8")
        stem = md_path.stem
        opening = re.match(r"\s*#{1,6}\s+(.+)", text)
        fallback = RESULT_TITLES.get(stem, stem.replace("_", " "))
        title = render_inline(opening[1].strip().rstrip("#").strip()) if opening else fallback
        body = {
            level: render_markdown(
                text, heading_level=level + 1, image_prefix="{root}results/", drop_title=True
            )
            for level in (2, 3)
        }
        mine = [p for p in pngs if p.stem == stem or p.stem.startswith(stem + "_")]
        about = plain_text(opening[1]) if opening else fallback
        unshown = tuple(
            (p.name, f"Plot: {about}" + (f" ({p.stem[len(stem) + 1 :]})" if p.stem != stem else ""))
            for p in mine
            if p.name not in text
        )
        results.append(Result(stem, title, body, unshown))
    return results, pngs
