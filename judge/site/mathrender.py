"""Markdown to HTML for the study site, with math rendered at build time.

`$...$` and `$$...$$` become native MathML (latex2mathml), so pages need no math JavaScript
and no CDN; fenced code is highlighted with Pygments. Headings are shifted so that a
document's top heading lands at the level of the page section it is shown in.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

__all__ = [
    "clear_caches",
    "highlight_code",
    "math_html",
    "pygments_css",
    "render_inline",
    "render_markdown",
]

CODE_CSS_CLASS = "hl"
# Pygments styles whose every token colour has a WCAG contrast of at least 4.5:1 on the
# code background (tests/site/test_site_style.py checks it).
LIGHT_STYLE = "xcode"
DARK_STYLE = "github-dark"


# Gaps of latex2mathml, worked around so that no formula shows its source. Before
# conversion: `\arg` is not a command it knows (it would print "\arg"), and `\argmax` is a
# common shorthand. After: a delimiter after a sizing command (`\big\|`, `\Big\lVert`)
# comes out as its command name inside <mo>; these are the characters they stand for.
_LATEX_BEFORE = (
    (re.compile(r"\\arg(max|min)(?![a-zA-Z])"), r"\\operatorname{arg}\\\1"),
    (re.compile(r"\\arg(?![a-zA-Z])"), r"\\operatorname{arg}"),
)
_DELIMITERS = {
    "\\|": "&#x02016;", "\\Vert": "&#x02016;", "\\lVert": "&#x02016;", "\\rVert": "&#x02016;",
    "\\vert": "|", "\\lvert": "|", "\\rvert": "|", "\\langle": "&#x027E8;",
    "\\rangle": "&#x027E9;", "\\{": "{", "\\}": "}", "\\lbrace": "{", "\\rbrace": "}",
}  # fmt: skip
_MO_COMMAND = re.compile(r"(<mo\b[^>]*>)(\\[a-zA-Z]+|\\[|{}])(</mo>)")


def _fix_delimiter(match: re.Match[str]) -> str:
    return match[1] + _DELIMITERS.get(match[2], match[2]) + match[3]


@lru_cache(maxsize=4096)
def math_html(latex: str, *, display: bool) -> str:
    """LaTeX to a `<math>` element; on a conversion failure, the source as code (never a `$`).

    A command the converter does not know can still come out as its name (`\\foo`) inside
    the MathML; `judge.site.checks.math_faults` finds those, and the build refuses them.
    Cached: the English and Chinese texts of a problem share most of their formulas.
    """
    source = latex.strip()
    for pattern, replacement in _LATEX_BEFORE:
        source = pattern.sub(replacement, source)
    try:
        out = latex_to_mathml(source, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many exception types on unsupported input
        return f'<code class="math-error">{html.escape(latex.strip())}</code>'
    out = _MO_COMMAND.sub(_fix_delimiter, out)
    # Name the formula for assistive technology that does not read MathML.
    alt = html.escape(" ".join(latex.split()), quote=True)
    return out.replace("<math ", f'<math alttext="{alt}" ', 1)


@lru_cache(maxsize=1024)
def highlight_code(code: str, language: str = "python") -> str:
    """Pygments HTML for a block of code (a `<div class="hl"><pre>...</pre></div>`)."""
    try:
        lexer = get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    if isinstance(lexer, PythonLexer) or language in ("python", "py"):
        lexer = PythonLexer()
    return highlight(code, lexer, _formatter())


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    # Built once: constructing a formatter builds its whole style table.
    return HtmlFormatter(cssclass=CODE_CSS_CLASS, wrapcode=True)


def clear_caches() -> None:
    """Forget rendered math and code, so that a timed build renders everything afresh."""
    math_html.cache_clear()
    highlight_code.cache_clear()


def pygments_css() -> str:
    """The stylesheet for highlighted code: a light style, and a dark one for dark mode
    (the system's, unless the reader picked light; or the reader's pick of dark)."""
    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(f".{CODE_CSS_CLASS}")
    dark_style = HtmlFormatter(style=DARK_STYLE)
    system = dark_style.get_style_defs(f':root:not([data-theme="light"]) .{CODE_CSS_CLASS}')
    system = "\n".join(f"  {line}" for line in system.splitlines())
    picked = dark_style.get_style_defs(f':root[data-theme="dark"] .{CODE_CSS_CLASS}')
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{system}\n}}\n{picked}\n"


def _render_math_inline(self, tokens, idx, options, env) -> str:
    return math_html(tokens[idx].content, display=False)


def _render_math_block(self, tokens, idx, options, env) -> str:
    return math_html(tokens[idx].content, display=True) + "\n"


def _render_fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    language = token.info.strip().split(" ")[0] if token.info else ""
    return highlight_code(token.content, language or "text")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
        # allow_digits stays on: with it off, mdit-py-plugins 0.7 looks at src[-1] for a `$`
        # that opens a paragraph, so "$x$ ... 1" was left as text. A literal dollar is `\$`.
        .use(dollarmath_plugin, allow_digits=True, double_inline=True)
    )
    md.add_render_rule("math_inline", _render_math_inline)
    md.add_render_rule("math_inline_double", _render_math_block)
    md.add_render_rule("math_block", _render_math_block)
    md.add_render_rule("math_block_label", _render_math_block)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_fence)
    return md


def _shift_headings(tokens: list[Token], top: int) -> None:
    """Move headings so the shallowest one becomes `<h{top}>`; keep their relative depth."""
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if not levels:
        return
    shift = top - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


_TABLE_OPEN = re.compile(r"<table>")
_INLINE_MATH = re.compile(r"\$[^$\n]+\$")


def _protect_table_math(text: str) -> str:
    """In table rows, `|` inside `$...$` would split the cell: write it as `\\vert`."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.lstrip().startswith("|"):
            line = _INLINE_MATH.sub(
                lambda m: m[0].replace("\\|", "\\Vert ").replace("|", "\\vert "), line
            )
        out.append(line)
    return "\n".join(out)


def render_markdown(
    text: str, *, heading_level: int = 3, image_prefix: str = "", drop_title: bool = False
) -> str:
    """Markdown (with `$` math) to an HTML fragment.

    heading_level: the level the document's shallowest heading is shown at, so headings stay
    in order inside the page section holding the fragment. image_prefix: prepended to
    relative image sources (images are copied next to the page's results). drop_title: leave
    out a heading that opens the document (the page shows the title already).
    """
    md = _markdown()
    tokens = md.parse(_protect_table_math(text))
    if drop_title and tokens and tokens[0].type == "heading_open":
        tokens = tokens[3:]  # heading_open, inline, heading_close
    _shift_headings(tokens, heading_level)
    if image_prefix:
        for token in tokens:
            for child in token.children or []:
                src = child.attrGet("src") if child.type == "image" else None
                if src and not re.match(r"^[a-z]+:|^/|^#", str(src)):
                    child.attrSet("src", image_prefix + str(src).rsplit("/", 1)[-1])
    out = md.renderer.render(tokens, md.options, {})
    # Wide tables scroll inside their own box instead of widening the page on a phone.
    return _TABLE_OPEN.sub('<div class="table-wrap"><table>', out).replace(
        "</table>", "</table></div>"
    )


def render_inline(text: str) -> str:
    """One line of Markdown (with `$` math) to HTML without a wrapping paragraph."""
    md = _markdown()
    return md.renderer.render(md.parseInline(text), md.options, {})
