"""LaTeX math in prompts as readable plain text, for ``judge show`` in a terminal.

The study site typesets ``$...$`` and ``$$...$$`` properly; a terminal cannot, and raw
``$\\text{n_way}$`` is noise. This turns the commands the prompts use into Unicode
(``\\alpha`` -> α, ``\\frac{a}{b}`` -> (a)/(b), ``\\text{n_way}`` -> n_way) and drops the
dollar signs. It is a reading aid, not a TeX engine: unknown commands lose their backslash.
"""

from __future__ import annotations

import re

__all__ = ["plain_math"]

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ",
    "phi": "φ", "varphi": "φ", "omega": "ω", "ell": "ℓ", "Sigma": "Σ", "Delta": "Δ",
    "sum": "Σ", "prod": "Π", "nabla": "∇", "partial": "∂", "cdot": "·", "odot": "⊙",
    "times": "×", "in": "∈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠",
    "approx": "≈", "sim": "~", "to": "→", "infty": "∞", "top": "ᵀ", "star": "*",
    "dots": "...", "ldots": "...", "cdots": "...", "lVert": "‖", "rVert": "‖", "|": "‖",
    "max": "max", "min": "min", "arg": "arg", "log": "log", "sin": "sin", "exp": "exp",
    "mid": "|", "lbrace": "{", "rbrace": "}", "{": "{", "}": "}",
}  # fmt: skip
SPACES = {"quad": "  ", "qquad": "    ", ";": " ", ",": " ", ":": " ", "!": ""}
DROPPED = ("left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "limits")
WRAPPERS = ("text", "texttt", "mathrm", "mathbf", "mathit", "mathcal", "mathbb", "operatorname")

_GROUP = r"\{((?:[^{}]|\{[^{}]*\})*)\}"  # one brace group, one level of nesting inside


def _math(tex: str) -> str:
    for _ in range(4):  # nested wrappers and fractions, innermost first
        tex = re.sub(r"\\(?:" + "|".join(WRAPPERS) + r")\s*" + _GROUP, r"\1", tex)
        tex = re.sub(
            r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP,
            lambda m: f"{_grouped(m.group(1))}/{_grouped(m.group(2))}",
            tex,
        )
        tex = re.sub(r"\\(?:tilde|bar|hat)\s*" + _GROUP, r"\1~", tex)
        tex = re.sub(r"\\(?:tilde|bar|hat)\s*([A-Za-z]|\\[a-zA-Z]+)", r"\1~", tex)
    tex = re.sub(r"\\begin\{\w+\*?\}|\\end\{\w+\*?\}", "", tex)
    tex = re.sub(r"\\(" + "|".join(DROPPED) + r")(?![a-zA-Z])", "", tex)
    tex = re.sub(r"\\([a-zA-Z]+|[|;,:!{}])", lambda m: _command(m.group(1)), tex)
    for _ in range(4):  # sub- and superscripts, innermost first
        tex = re.sub(r"([_^])\{([^{}]*)\}", lambda m: m.group(1) + _scripted(m.group(2)), tex)
    tex = tex.replace("\\\\", "; ").replace("&", " ")
    return re.sub(r"[ \t]{2,}", "  ", tex).strip()


def _command(name: str) -> str:
    if name in SPACES:
        return SPACES[name]
    return SYMBOLS.get(name, name)


def _grouped(body: str) -> str:
    """A fraction's numerator or denominator, in parentheses unless it is one token."""
    return body if re.fullmatch(r"\\?\w+", body.strip()) else f"({body})"


def _scripted(body: str) -> str:
    if re.fullmatch(r"\w|\(.*\)", body):
        return body
    return f"({body})"


def plain_math(markdown: str) -> str:
    """``markdown`` with every ``$$...$$`` and ``$...$`` span made plain text (code spans and
    fenced code blocks are left alone)."""
    out = []
    for part in re.split(r"(```.*?```|`[^`\n]*`)", markdown, flags=re.S):
        if part.startswith("`"):
            out.append(part)
            continue
        part = re.sub(r"\$\$(.+?)\$\$", lambda m: "    " + _math(str(m.group(1))), part, flags=re.S)
        # inline maths may wrap onto the next line (Markdown joins the two), not past a blank line
        part = re.sub(
            r"(?<![\\$])\$((?:[^$\n]|\n(?!\s*\n))+?)\$", lambda m: _math(str(m.group(1))), part
        )
        out.append(part)
    return "".join(out)
