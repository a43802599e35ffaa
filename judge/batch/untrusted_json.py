"""Fields out of JSON someone may have edited (a batch report, a cache entry): each value's
type checked where it is read, every error a :class:`ReportError` saying where in the file
and what was found (quoted short, without escapes), never a ``KeyError`` or ``TypeError``
from deep inside the code that uses it."""

from __future__ import annotations

import math
from typing import Any

from judge.text import clean

__all__ = ["ReportError", "expect", "ints", "json_object", "number", "show", "text_map"]


class ReportError(ValueError):
    """A JSON report this judge cannot read (malformed, another format, a field of the
    wrong type): the message says which file and which field (exit 2 from the CLI)."""


_MISSING: Any = object()


def show(value: object) -> str:
    """A value from the file, quoted for an error message: short and without escapes."""
    return clean(repr(value), 60)


def expect(
    data: dict[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    where: str,
    default: Any = _MISSING,
) -> Any:
    """``data[key]`` if it is a ``kind`` (``default`` when absent, if given); a bool is
    never a number, a number is never a bool."""
    if key not in data:
        if default is _MISSING:
            raise ReportError(f"{where}: missing {key!r}")
        return default
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    numeric = float in kinds or int in kinds
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if ok and numeric and isinstance(value, float) and not math.isfinite(value):
        ok = False
    if not ok:
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise ReportError(f"{where}.{key}: expected {names}, got {show(value)}")
    return value


def json_object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ReportError(f"{where}: expected an object, got {show(value)}")
    return value


def number(data: dict[str, Any], key: str, where: str, default: Any = _MISSING) -> float:
    value = expect(data, key, (int, float), where, default)
    return float(value)


def text_map(value: object, where: str) -> dict[str, str]:
    data = json_object(value, where)
    for key, item in data.items():
        if not isinstance(item, str):
            raise ReportError(f"{where}.{clean(key, 60)}: expected str, got {show(item)}")
    return dict(data)


def ints(value: object, n: int, where: str) -> list[int]:
    """A list of exactly ``n`` integers (not bools), e.g. a line span or a fingerprint triple."""
    if not (
        isinstance(value, list)
        and len(value) == n
        and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
    ):
        raise ReportError(f"{where}: expected a list of {n} integers, got {show(value)}")
    return list(value)
