"""The site's content readers and page checks, unit by unit: worked examples from public
tests, hints.toml, search text, report paths, and the checks a built page must pass."""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from judge.site.checks import builder_paths, math_faults, untranslated
from judge.site.content import plain_text, worked_examples
from judge.site.mathrender import math_html, render_inline
from judge.site.results import scrub_paths

EXAMPLES = '''
def helper():
    """Example. Not a test: still an example (any function of the file may be one)."""
    return 1


def test_plain(candidate, solution, mistakes):
    """Checks something; not an example."""
    assert True


def test_shown(candidate, solution, mistakes):
    """Example. Two steps of size `0.1` from `w = 1.0`: **0.81**.

    A second English paragraph.

    中文：从 `w = 1.0` 走两步，步长 `0.1`：**0.81**。

    第二段中文。
    """
    # set-up
    w = 1.0
    assert round(w * 0.9 * 0.9, 2) == 0.81
'''


def test_worked_examples_split_prose_languages_and_keep_the_body() -> None:
    examples = {e.name: e for e in worked_examples(EXAMPLES)}
    assert set(examples) == {"helper", "test_shown"}
    shown = examples["test_shown"]
    assert "A second English paragraph" in shown.prose.html["en"]
    assert "中文" not in shown.prose.html["en"] and "Example." not in shown.prose.html["en"]
    assert "第二段中文" in shown.prose.html["zh"] and not shown.prose.html["zh"].count("中文：")
    assert shown.prose.langs == {"en": "en", "zh": "zh"}
    assert "# set-up" in shown.code and "0.81" in shown.code and "Example" not in shown.code
    # Without a Chinese paragraph, the Chinese side is the English one, marked as English.
    assert examples["helper"].prose.langs == {"en": "en", "zh": "en"}


def test_worked_examples_of_a_broken_or_plain_file_are_none() -> None:
    assert worked_examples("def test_x(:\n") == []
    assert worked_examples("def test_x():\n    '''Checks.'''\n") == []
    assert worked_examples("") == []


identifiers = st.from_regex(r"[a-z]+(_[a-z0-9]+)+", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(identifiers, st.sampled_from(["`{}`", "{}", "**{}**", "_{}_", "({})", "[{}](x)"]))
def test_plain_text_keeps_identifiers_whole(name: str, wrapper: str) -> None:
    text = plain_text("Call " + wrapper.format(name) + " here.")
    assert name in text.split()


@settings(max_examples=60, deadline=None)
@given(
    # the folders above the checkout: a folder named like a top-level one would be ambiguous
    st.lists(
        st.text(string.ascii_letters + string.digits, min_size=1, max_size=8).filter(
            lambda name: name not in ("problems", "benchmarks", "judge", "reference")
        ),
        max_size=4,
    ),
    st.sampled_from(["problems", "benchmarks", "judge", "reference"]),
    st.text(string.ascii_lowercase + "-_/.", min_size=1, max_size=20),
)
def test_scrub_paths_makes_checkout_paths_relative(parts, top, rest) -> None:
    root = "/" + "/".join(parts) + "/" if parts else "/"
    text = f"run `judge grade x {root}{top}/{rest}` now"
    assert scrub_paths(text) == f"run `judge grade x {top}/{rest}` now"


def test_scrub_paths_leaves_urls_and_relative_paths() -> None:
    for text in ("see https://example.org/a/problems/x", "problems/x/solution.py", "a/b"):
        assert scrub_paths(text) == text


def test_builder_paths_finds_home_folders_and_given_roots_but_not_urls() -> None:
    assert builder_paths("at /home/ada/x.py and C:\\Users\\ada\\x") == [
        "/home/ada/x.py",
        "C:\\Users\\ada\\x",
    ]
    assert builder_paths("built in /srv/build/site", ["/srv/build"]) != []
    assert builder_paths("https://example.org/home/page and problems/x.py") == []


def test_math_faults_catch_source_and_failed_conversions() -> None:
    assert math_faults(math_html(r"\arg\max_c \big\lVert x \big\rVert", display=False)) == []
    bad = math_html(r"\notacommand x", display=False)
    assert math_faults(bad) == [r"shows its source: \notacommand x"]
    assert math_faults('<code class="math-error">\\frac{</code>') == ["not converted: \\frac{"]
    # Inline rendering of every delimiter latex2mathml leaves as a name.
    for delim in (r"\|", r"\lVert", r"\rVert", r"\Vert", r"\vert", r"\langle", r"\{"):
        assert math_faults(render_inline(f"$\\big{delim} x$")) == [], delim


def test_untranslated_sees_what_a_chinese_reader_sees() -> None:
    page = (
        "<body><p><span class='l-en'>Hidden English words</span>中文段落</p>"
        "<p class='x'>An English paragraph here.</p>"
        "<div class='prose l-en' lang='en'><p>English side of a document.</p></div>"
        "<p>混合 English words 的中文</p><ul translate='no'><li>Paper title, 2020</li></ul>"
        "<table><tr><td>pretrained model</td></tr></table><pre>some code here</pre>"
        "<p>Meta-SGD</p><img src='x.png' alt='A plot of things'>"
        "<img src='y.png' alt='图：曲线'><nav aria-label='Site nav' data-label-zh='导航'></nav>"
        "<p>Reference. https://arxiv.org/abs/1 2017</p></body>"
    )
    assert untranslated(page) == ['alt="A plot of things"', "An English paragraph here."]


def test_untranslated_attributes_need_a_chinese_label() -> None:
    found = untranslated("<body><nav aria-label='Previous and next'></nav></body>")
    assert found == ['aria-label="Previous and next"']
    assert re.match(r"alt=", untranslated('<body><img alt="English alt text"></body>')[0])


def test_plain_text_drops_code_blocks_but_keeps_the_prose() -> None:
    text = plain_text("Before `create_graph`.\n\n```python\nsecret_code = 1\n```\n\nAfter.")
    assert text == "Before create_graph . After."


def test_builder_paths_leave_system_folders_a_prompt_may_name() -> None:
    assert builder_paths("the sandbox hides /tmp/x and /opt/y") == []
    assert builder_paths("the sandbox hides /tmp/x", ["/tmp/build-1"]) == []
    assert builder_paths("wrote /tmp/build-1/_site", ["/tmp/build-1"]) == ["/tmp/build-1"]


def test_lines_wrapped_between_chinese_characters_are_joined() -> None:
    """A docstring wrapped inside a Chinese sentence would show a stray space in a browser."""
    from judge.site.content import join_cjk_lines

    assert join_cjk_lines("梯度的\n计算") == "梯度的计算"
    assert join_cjk_lines("the\nloss") == "the\nloss"
    assert join_cjk_lines("使用\n`create_graph`") == "使用\n`create_graph`"
