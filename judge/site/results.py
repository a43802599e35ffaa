"""Benchmark reports as the site shows them, in both languages.

The reports (`benchmarks/results/<stem>.md`, with plots `<stem>*.png`) are written in English
by the benchmark scripts and change with every run. Their Chinese side comes from a small
hand-written file (`site/content/results.toml`, one table per report stem): a title, a
summary of what was measured and what it shows, the plots' descriptions, and a glossary that
translates the reports' table headings and section headings word for word. The Chinese
version of a report is that summary followed by the report's tables (numbers do not need a
translation); a report without an entry is shown in English and listed as untranslated.

Reports whose first word names a problem in `RESULT_PAGES` are the learner's (what each
method achieves) and go on the results page and on those problems' pages; the others (the
judge's own speed, the site build) go on the internals page. Absolute paths that a script
printed (`/home/…/problems/x/solution.py`) are made relative to the checkout before anything
is rendered: a page must not tell where its reports were produced.
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge.site.content import RESULT_PAGES, RESULT_TITLES, join_cjk_lines, plain_text
from judge.site.mathrender import render_inline, render_markdown

__all__ = ["Plot", "Result", "load_results", "results_for", "scrub_paths"]

LANGS = ("en", "zh")
# The checkout's top-level folders: a path that reaches one of these is cut back to it.
_CHECKOUT_DIRS = "problems|benchmarks|judge|reference|site|tests|docs|examples"
_ABSOLUTE_IN_CHECKOUT = re.compile(
    rf"(?<![\w:/.~-])(?:/|[A-Za-z]:\\)(?:[^\s/\\`'\"<>()|]+[/\\])*?(?=(?:{_CHECKOUT_DIRS})[/\\])"
)


@dataclass(frozen=True)
class Plot:
    """A plot to show after a report's body: lang -> its description (the `alt` text), for
    the languages whose body does not show it already."""

    name: str
    alt: dict[str, str]


@dataclass(frozen=True)
class Result:
    """One benchmark's report and plots, rendered for a page in both languages."""

    stem: str
    title: dict[str, str]  # lang -> html
    body: dict[str, dict[int, str]]  # lang -> heading level of the title -> html below it;
    # image sources in `body` are relative to the site root, prefixed with "{root}"
    plots: tuple[Plot, ...]  # plots to show after the body
    learner: bool  # the learner's results page (else the judge's internals page)
    translated: bool  # has a Chinese side; without one, `zh` holds the English

    def lang_of(self, lang: str) -> str:
        """The language `body[lang]` is really written in."""
        return lang if lang == "en" or self.translated else "en"


def scrub_paths(text: str) -> str:
    """Cut absolute paths into the checkout back to checkout-relative ones."""
    return _ABSOLUTE_IN_CHECKOUT.sub("", text)


def _word(stem: str) -> str:
    return re.split(r"[_.\-]", stem, maxsplit=1)[0]


def results_for(slug: str, results: list[Result]) -> list[Result]:
    """The reports shown on problem `slug`'s page."""
    return [r for r in results if slug in RESULT_PAGES.get(_word(r.stem), ())]


def _tables_and_headings(markdown: str) -> str:
    """The tables and section headings of a report (its Chinese side's data)."""
    keep, table = [], False
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            keep.append(line)
            table = True
            continue
        if table:
            keep.append("")
            table = False
        if re.match(r"#{2,6}\s", stripped):
            keep += [line, ""]
    return "\n".join(keep)


_CELL = re.compile(r"<(th|td|h[1-6])((?: [^>]*)?)>(.*?)</\1>", re.S)


def _translate_cells(fragment: str, glossary: dict[str, str]) -> str:
    """Replace each table cell and heading whose whole text is in `glossary`."""

    def swap(match: re.Match[str]) -> str:
        text = html.unescape(re.sub(r"<[^>]+>", "", match[3])).strip()
        zh = glossary.get(text)
        if zh is None:
            return match[0]
        return f"<{match[1]}{match[2]}>{render_inline(zh)}</{match[1]}>"

    return _CELL.sub(swap, fragment)


def _strings(table: Any, key: str) -> dict[str, str]:
    """A sub-table of string values (anything else in it is ignored)."""
    value = table.get(key, {}) if isinstance(table, dict) else {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def load_translations(path: Path | None) -> dict[str, Any]:
    """The reports' Chinese side (see the module docstring); {} if there is no file."""
    if path is None or not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def load_results(
    results_dir: Path | None, translations: Path | None = None
) -> tuple[list[Result], list[Path]]:
    """Render every `<stem>.md` of the benchmark results and find the plots to copy.

    A plot `<stem>*.png` belongs to the report whose stem starts its name; a plot the report
    does not already show is listed in `Result.plots`. Returns (results, png paths).
    """
    if results_dir is None or not results_dir.is_dir():
        return [], []
    zh_side = load_translations(translations)
    glossary = _strings(zh_side, "glossary")
    pngs = sorted(results_dir.glob("*.png"))
    results = []
    for md_path in sorted(results_dir.glob("*.md")):
        text = scrub_paths(md_path.read_text(encoding="utf-8"))
        stem = md_path.stem
        entry = zh_side.get(stem)
        if not isinstance(entry, dict):
            entry = {}
        own = {k: v for k, v in entry.items() if isinstance(v, str)}
        opening = re.match(r"\s*#{1,6}\s+(.+)", text)
        fallback = RESULT_TITLES.get(stem) or own.get("title") or stem.replace("_", " ")
        title_en = render_inline(opening[1].strip().rstrip("#").strip()) if opening else fallback
        about = plain_text(opening[1]) if opening else fallback
        body_en = {
            level: render_markdown(
                text, heading_level=level + 1, image_prefix="{root}results/", drop_title=True
            )
            for level in (2, 3)
        }
        translated = bool(own.get("title_zh") and own.get("summary_zh"))
        if translated:
            data = _tables_and_headings(text)
            body_zh = {
                level: render_markdown(join_cjk_lines(own["summary_zh"]), heading_level=level + 1)
                + _translate_cells(render_markdown(data, heading_level=level + 1), glossary)
                for level in (2, 3)
            }
            title_zh = render_inline(own["title_zh"])
        else:
            body_zh, title_zh = body_en, title_en
        alts_zh = _strings(entry, "plots_zh")
        plots = []
        for png in (p for p in pngs if p.stem == stem or p.stem.startswith(stem + "_")):
            suffix = f" ({png.stem[len(stem) + 1 :]})" if png.stem != stem else ""
            alt = {"en": f"Plot: {about}{suffix}"}
            if translated:
                alt["zh"] = alts_zh.get(png.stem) or f"图：{own['title_zh']}{suffix}"
            else:
                alt["zh"] = alt["en"]
            # A plot the English body shows already (so does an untranslated Chinese side)
            # is added after the body only where it is missing.
            shown = png.name in text
            langs = [lang for lang in LANGS if not shown or (lang == "zh" and translated)]
            plots.append(Plot(png.name, {lang: alt[lang] for lang in langs}))
        results.append(
            Result(
                stem=stem,
                title={"en": title_en, "zh": title_zh},
                body={"en": body_en, "zh": body_zh},
                plots=tuple(plots),
                learner=_word(stem) in RESULT_PAGES,
                translated=translated,
            )
        )
    # The learner's reports in learning order (that of RESULT_PAGES), then the others.
    order = {word: i for i, word in enumerate(RESULT_PAGES)}
    results.sort(key=lambda r: (order.get(_word(r.stem), len(order)), r.stem))
    return results, pngs
