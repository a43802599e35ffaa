"""Text that came from a submission, made safe to store, print and write into reports.

A submission controls its exception messages, its output, its signatures and every string it
returns. Such text may hold lone surrogates (which no UTF-8 writer accepts), ANSI escapes and
other control characters (which repaint an interviewer's terminal: a fake "ACCEPTED"), or
megabytes. :func:`clean` is applied once where the text enters the judge; :func:`cap` bounds
a message the judge composes around it.
"""

from __future__ import annotations

import re

MESSAGE_CHARS = 2000
"""The most characters of one verdict message the judge keeps."""

# ESC sequences (CSI, OSC, two-character escapes), then any other C0/C1 control but \t \n.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: object, limit: int | None = None) -> str:
    """``text`` without escapes, control characters (but tab and newline) and surrogates
    (each becomes U+FFFD), cut to ``limit`` characters; never raises."""
    if not isinstance(text, str):
        try:
            text = str(text)
        except Exception:
            text = "<unprintable>"
    if limit is not None and len(text) > 4 * limit + 64:
        text = text[: 4 * limit + 64]  # before the regexes: never scan megabytes
    text = _SURROGATE.sub("\ufffd", text)
    text = _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n")))
    return cap(text, limit) if limit is not None else text


def cap(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} ... ({len(text) - limit} more characters)"
