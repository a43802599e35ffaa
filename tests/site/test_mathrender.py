"""Markdown and math rendering: `$` math becomes MathML, headings shift, code is highlighted."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from judge.site.mathrender import highlight_code, math_html, render_inline, render_markdown


def prose(html: str) -> str:
    """Text outside <math>, <code> and <pre>."""
    html = re.sub(r"<(math|code|pre)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


def test_inline_and_display_math_become_mathml() -> None:
    out = render_markdown("Step $\\theta - \\alpha g$ then\n\n$$\n\\sum_i x_i\n$$\n")
    assert out.count("<math") == 2
    assert 'display="inline"' in out and 'display="block"' in out
    assert "$" not in prose(out)
    assert 'alttext="\\theta - \\alpha g"' in out


def test_math_opening_a_paragraph_that_ends_in_a_digit() -> None:
    # mdit-py-plugins' allow_digits=False check reads src[-1] here; we keep it on.
    out = render_inline("$U_rV_r^\\top$ has all singular values 1")
    assert out.startswith("<math") and "$" not in prose(out)


def test_pipes_inside_math_in_a_table_cell() -> None:
    out = render_markdown("| a | b |\n|---|---|\n| x | $|w|$ and $\\|v\\|$ |\n")
    assert out.count("<td>") == 2 and out.count("<math") == 2
    assert "$" not in prose(out)


def test_unsupported_latex_falls_back_to_code_not_dollars() -> None:
    out = math_html("\\frac{", display=False)
    assert out.startswith('<code class="math-error">') or out.startswith("<math")
    assert "$" not in out


def test_headings_shift_under_the_page_section_and_title_can_be_dropped() -> None:
    text = "# Title\n\nIntro\n\n## Part\n\n### Detail\n"
    out = render_markdown(text, heading_level=3)
    assert "<h3>Title</h3>" in out and "<h4>Part</h4>" in out and "<h5>Detail</h5>" in out
    out = render_markdown(text, heading_level=3, drop_title=True)
    # Without the title, the next heading is the shallowest and takes its place.
    assert "Title" not in out and "<h3>Part</h3>" in out and "<h4>Detail</h4>" in out


def test_code_is_highlighted_and_escaped() -> None:
    out = render_markdown("```python\nif a < b: x = '<script>'\n```\n")
    assert 'class="hl"' in out and "<script>" not in out and "&lt;" in out
    assert 'class="k"' in highlight_code("def f(): pass\n")


def test_raw_html_in_markdown_is_escaped() -> None:
    out = render_markdown("hello <script>alert(1)</script>")
    assert "<script>" not in out


def test_relative_images_are_re_rooted() -> None:
    out = render_markdown("![a plot](plots/x.png) ![web](https://example.org/y.png)",
                          image_prefix="../results/")  # fmt: skip
    assert 'src="../results/x.png"' in out and 'src="https://example.org/y.png"' in out
    assert 'alt="a plot"' in out


names = st.sampled_from(["x", "y", "\\theta", "\\alpha", "w_i", "T^2", "\\nabla f", "q_{T}"])
words = st.text(alphabet="abcdefgh ,.", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(words, names), min_size=1, max_size=6), words)
def test_every_dollar_pair_becomes_one_math_element(parts, tail) -> None:
    text = "".join(f"{w} ${n}$" for w, n in parts) + " " + tail
    out = render_inline(text)
    assert out.count("<math") == len(parts)
    assert "$" not in prose(out)


atoms = st.sampled_from([
    "x", "\\theta", "\\arg\\max_c", "\\arg\\min_{\\theta}", "\\argmax_i", "\\|x\\|",
    "\\lVert q - c_k \\rVert_2^2", "\\big\\| a \\big\\|", "\\Big\\lVert b \\Big\\rVert",
    "\\bigl( y \\bigr)", "\\mathrm{KL}(p \\,\\|\\, q)", "\\operatorname{diag}(F)",
    "\\big\\langle u, v \\big\\rangle", "\\big\\{ s \\big\\}", "\\big\\vert z \\big\\vert",
])  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.lists(atoms, min_size=1, max_size=5), st.booleans())
def test_formulas_the_problems_use_never_show_a_backslash(parts, display) -> None:
    from judge.site.checks import math_faults

    out = math_html(" + ".join(parts), display=display)
    assert out.startswith("<math") and math_faults(out) == []
