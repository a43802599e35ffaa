"""Checks a built page must pass: what a reader should never meet.

- :func:`math_faults`: a formula that came out with LaTeX source in it (a `\\command` that
  latex2mathml did not know) or that could not be converted at all. The build refuses these.
- :func:`builder_paths`: an absolute path of the machine that built the site (a home folder,
  the checkout, the output folder). The build refuses these too: a published site must not
  tell where it was built, and such a path is a broken link for every reader anyway.
- :func:`untranslated`: text a reader who chose 中文 still sees in English (a paragraph, list
  item, heading, button, label or image description without one Chinese character). Listed
  in the build summary, not fatal: a problem folder may be published before it is translated.

Text meant to stay English (code, formulas, tags, slugs, paper titles, table cells of
numbers and method names) is skipped: code, `<pre>`, `<math>` and tables by their element, the
rest by the standard `translate="no"` attribute.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from html.parser import HTMLParser

__all__ = ["builder_paths", "math_faults", "untranslated"]

_MATH = re.compile(r"<math\b[^>]*>(.*?)</math>", re.S)
_MATH_ERROR = re.compile(r'<code class="math-error">(.*?)</code>', re.S)
_ALTTEXT = re.compile(r'alttext="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")


def math_faults(page: str) -> list[str]:
    """The LaTeX of every formula on `page` that shows a backslash or failed to convert."""
    faults = [f"not converted: {html.unescape(m[1])}" for m in _MATH_ERROR.finditer(page)]
    for match in _MATH.finditer(page):
        text = html.unescape(_TAG.sub("", match[1]))
        if "\\" in text:
            alt = _ALTTEXT.search(match[0])
            source = html.unescape(alt[1]) if alt else text
            faults.append(f"shows its source: {source}")
    return faults


# Home and work folders, and macOS's temporary ones: a path under one of these in a page is
# almost surely the builder's (a prompt may well name /tmp or /opt: those are not refused
# unless the build ran there, see `roots`). URLs (`https://host/home/...`) are not paths.
_ABSOLUTE = re.compile(
    r"(?<![\w:/.~-])(?:/(?:home|Users|root|work|var/folders|private/var)/"
    r"|[A-Za-z]:\\\\?(?:Users|home)\\)[^\s\"'<>)`]*"
)


def builder_paths(text: str, roots: Iterable[str] = ()) -> list[str]:
    """Absolute paths in `text`: under a usual root of home and work folders, or under any
    of `roots` (the checkout, the output folder: wherever this build ran)."""
    found = [m[0] for m in _ABSOLUTE.finditer(text)]
    for root in roots:
        if root and root != "/" and root in text:
            found.append(root)
    return sorted(set(found))


# Where a reader meets prose: text of these elements must be in the page's language.
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "figcaption", "legend",
           "dt", "dd", "label", "button", "blockquote", "caption"}  # fmt: skip
# Text inside these is code, maths or data, not prose.
_SKIPPED = {"code", "pre", "math", "script", "style", "kbd", "table", "svg", "samp"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr", "mspace", "mprescripts", "none"}  # fmt: skip
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")  # "Meta-SGD" is one word: a name
_URL = re.compile(r"https?://")


def _is_english(text: str) -> bool:
    """Prose in English: two or more Latin words and not one Chinese character. A text
    with a web address is a reference (author, title, venue) and keeps its language."""
    return not _CJK.search(text) and not _URL.search(text) and len(_LATIN_WORD.findall(text)) >= 2


class _ChineseView(HTMLParser):
    """Walks a page as a reader who chose 中文 sees it (`.l-en` hidden) and collects the
    prose blocks and image descriptions that are English."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, int | None]] = []  # (tag, skipped, block index)
        self.blocks: list[list[str]] = []
        self.found: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def _block(self) -> int | None:
        return self.stack[-1][2] if self.stack else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipped = (
            self._skipping()
            or tag in _SKIPPED
            or "l-en" in str(a.get("class") or "").split()
            or a.get("translate") == "no"
        )
        if not skipped:
            for name in ("alt", "aria-label", "title"):
                value = a.get(name)
                zh = a.get(f"data-{name}-zh") or a.get("data-label-zh")
                if value and not zh and _is_english(value):
                    self.found.append(f'{name}="{value}"')
        if tag in _VOID:
            return
        block = self._block()
        if tag in _BLOCKS and not skipped:
            self.blocks.append([])
            block = len(self.blocks) - 1
        self.stack.append((tag, skipped, block))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        while self.stack:
            top = self.stack.pop()
            if top[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        block = self._block()
        if block is not None and not self._skipping():
            self.blocks[block].append(data)

    def report(self) -> list[str]:
        texts = (" ".join("".join(parts).split()) for parts in self.blocks)
        return self.found + [t for t in texts if _is_english(t)]


# Regions that cannot hold prose to check, cut before parsing: highlighted code alone is
# most of a page's tags. (Elements of these kinds do not nest in the pages we write.)
_CUT = re.compile(
    r"<(pre|code|math|script|style|table|svg)\b.*?</\1>"
    r'|<span class="l-en" lang="en">[^<]*</span>',
    re.S,
)
# Then the English side of bilingual blocks, once what they held inside is cut away.
_EMPTY_DIV = re.compile(r'<div class="(?:hl|table-wrap)">\s*</div>')
_ENGLISH_BLOCK = re.compile(
    r'<(div|dl|ul|ol|p)\s+class="[^"]*\bl-en\b[^"]*"[^>]*>(?:(?!<\1\b).)*?</\1>', re.S
)


def untranslated(page: str) -> list[str]:
    """The English prose a reader of the Chinese version of `page` still sees."""
    body = page.split("<body", 1)[-1]
    parser = _ChineseView()
    body = _ENGLISH_BLOCK.sub(" ", _EMPTY_DIV.sub(" ", _CUT.sub(" ", body)))
    parser.feed("<body" + body)
    parser.close()
    return parser.report()
