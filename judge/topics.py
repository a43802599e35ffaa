"""The topics and the map from benchmark reports to problem pages: content, kept as data.

``problems/topics.toml`` lists the topics in learning order (names and blurbs in English and
Chinese) and which benchmark reports belong on which problem pages. A private pack may hold
a ``topics.toml`` of its own: its topics come after the bundled ones, so a pack can add a
topic without touching the engine.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from judge.resources import data_dir

__all__ = ["TOPICS_FILE", "Topic", "load_topics", "result_pages", "result_titles", "topic_ids"]

TOPICS_FILE = "topics.toml"


class TopicsError(ValueError):
    """A ``topics.toml`` that cannot be read as the format above."""


@dataclass(frozen=True)
class Topic:
    """One topic: an id that problems name, and how the site presents it."""

    id: str
    title: str
    title_zh: str
    blurb: str
    blurb_zh: str


@cache
def _read(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TopicsError(f"{path}: {exc}") from exc


def _files(packs: Iterable[str | Path]) -> list[Path]:
    return [data_dir("problems") / TOPICS_FILE, *(Path(p) / TOPICS_FILE for p in packs)]


def load_topics(packs: Iterable[str | Path] = ()) -> dict[str, Topic]:
    """Every topic, bundled first, then each pack's new ones, in the files' order."""
    found: dict[str, Topic] = {}
    for path in _files(packs):
        for entry in _read(path).get("topic", []):
            try:
                topic = Topic(**{k: str(entry[k]) for k in Topic.__dataclass_fields__})
            except (KeyError, TypeError) as exc:
                raise TopicsError(f"{path}: a [[topic]] needs id, title(_zh), blurb(_zh)") from exc
            found.setdefault(topic.id, topic)
    return found


def topic_ids(packs: Iterable[str | Path] = ()) -> tuple[str, ...]:
    """The topic ids in learning order."""
    return tuple(load_topics(packs))


def result_pages(packs: Iterable[str | Path] = ()) -> dict[str, tuple[str, ...]]:
    """Benchmark report word -> the problem pages that show it, in learning order."""
    pages: dict[str, tuple[str, ...]] = {}
    for path in _files(packs):
        for word, entry in _read(path).get("results", {}).items():
            if entry.get("pages"):
                pages.setdefault(word, tuple(entry["pages"]))
    return pages


def result_titles(packs: Iterable[str | Path] = ()) -> dict[str, str]:
    """Benchmark report word -> the title of a report that opens without a heading."""
    titles: dict[str, str] = {}
    for path in _files(packs):
        for word, entry in _read(path).get("results", {}).items():
            if entry.get("title"):
                titles.setdefault(word, str(entry["title"]))
    return titles
