"""LaTeX in prompts as plain text for `judge show` (judge.plainmath)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judge.plainmath import plain_math
from judge.problems import all_problems


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"shape $[Q, \text{n_way}]$", "shape [Q, n_way]"),
        (r"$\theta' = \theta - \alpha \nabla_\theta \mathcal{L}$", "θ' = θ - α ∇_θ L"),
        (r"$\theta^{(i+1)}$", "θ^(i+1)"),
        (r"$\frac{w_i}{\sum_j w_j}$", "w_i/(Σ_j w_j)"),
        (r"$\tilde F_i = F_i + \varepsilon$", "F~_i = F_i + ε"),
        (r"$k = \mathrm{round}(s \cdot n)$", "k = round(s · n)"),
        ("`$keep$` and\n```\n$also$\n```", "`$keep$` and\n```\n$also$\n```"),
    ],
)
def test_examples(tex: str, text: str) -> None:
    assert plain_math(tex) == text


def test_no_prompt_keeps_latex_commands_or_dollars() -> None:
    """Every prompt, in both languages, reads without backslash commands or $ delimiters
    outside code."""
    for problem in all_problems():
        for lang in ("en", "zh"):
            shown = plain_math(problem.prompt(lang))
            prose = re.sub(r"```.*?```|`[^`\n]*`", "", shown, flags=re.S)
            assert not re.search(r"\\[a-zA-Z]+", prose), (problem.slug, lang)
            assert "$" not in prose, (problem.slug, lang)


@given(st.text(max_size=200))
def test_never_fails(text: str) -> None:
    assert isinstance(plain_math(text), str)
