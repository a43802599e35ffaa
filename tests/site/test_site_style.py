"""Colour contrast of the site's palette and of the code highlighting (WCAG AA, 4.5:1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pygments.styles import get_style_by_name

from judge.site.build import SITE_ASSETS
from judge.site.mathrender import DARK_STYLE, LIGHT_STYLE

CSS = (SITE_ASSETS / "static" / "style.css").read_text(encoding="utf-8")
# (text, background) pairs the stylesheet actually uses.
PAIRS = [
    ("fg", "bg"), ("fg", "soft"), ("muted", "bg"), ("muted", "soft"), ("accent", "bg"),
    ("accent", "soft"), ("accent", "accent-soft"), ("bg", "accent"), ("ok", "ok-bg"),
    ("warn", "warn-bg"), ("bad", "bad-bg"), ("ok", "bg"), ("bad", "bg"),
    ("fg", "warn-bg"),  # search highlights (<mark>)
]  # fmt: skip


def luminance(color: str) -> float:
    h = color.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def palette(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", block))


LIGHT = palette(CSS.split("@media (prefers-color-scheme: dark)")[0])
DARK = {**LIGHT, **palette(CSS.split("@media (prefers-color-scheme: dark)")[1].split("}")[0])}


def test_contrast_helper_knows_black_on_white() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") < 4.5 < contrast("#595959", "#ffffff")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_palette_pairs_reach_aa(scheme: str) -> None:
    colors = LIGHT if scheme == "light" else DARK
    assert {"fg", "bg", "accent", "soft"} <= set(colors)
    for fg, bg in PAIRS:
        ratio = contrast(colors[fg], colors[bg])
        assert ratio >= 4.5, f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1"


@pytest.mark.parametrize(("style", "scheme"), [(LIGHT_STYLE, "light"), (DARK_STYLE, "dark")])
def test_code_token_colours_reach_aa(style: str, scheme: str) -> None:
    background = (LIGHT if scheme == "light" else DARK)["soft"]
    for token, spec in get_style_by_name(style):
        if spec["color"] and "Whitespace" not in str(token):
            ratio = contrast("#" + spec["color"], background)
            assert ratio >= 4.5, f"{style}: {token} is {ratio:.2f}:1 on {background}"


def test_the_stylesheet_loads_nothing_from_elsewhere() -> None:
    for path in (SITE_ASSETS / "static").iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", text), path
    assert Path(SITE_ASSETS / "templates").is_dir()


def test_the_dark_switch_uses_the_same_palette_as_the_system_dark_mode() -> None:
    picked = CSS.split(':root[data-theme="dark"] {')[1].split("}")[0]
    assert palette(picked) == palette(
        CSS.split("@media (prefers-color-scheme: dark)")[1].split("}")[0]
    )
    assert ':root:not([data-theme="light"])' in CSS  # the system's dark yields to a pick
