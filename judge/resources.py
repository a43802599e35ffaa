"""Where the judge's data lives: the problems, the study site's templates, benchmark results.

A checkout (and an editable install of it) reads the repo's own folders, ``problems/``,
``site/`` and ``benchmarks/results/``. A built wheel has no repo around it: the build step in
``setup.py`` copies the three folders into the package as ``judge/_data/<name>/``, and they
are found here through :mod:`importlib.resources`. The judge hands these folders to a
sandbox and to jinja2 as real paths, so a zipped install (zipimport) is not supported.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DATA", "DISTRIBUTION", "data_dir", "installed_from_wheel"]

DISTRIBUTION = "metajudge-practice"
"""The name on the package index (``pip install metajudge-practice``); the command is ``judge``."""

DATA = {
    "problems": ("problems",),
    "site": ("site",),
    "results": ("benchmarks", "results"),
}
"""Each data folder's path in a checkout, relative to the repo root."""


def _package_dir() -> Path:
    return Path(str(resources.files("judge")))


def installed_from_wheel() -> bool:
    """Whether the data comes from the package (a wheel install) rather than a checkout."""
    return (_package_dir() / "_data").is_dir()


def data_dir(name: str) -> Path:
    """The folder of one of :data:`DATA` (``problems``, ``site``, ``results``), absolute."""
    if name not in DATA:
        raise ValueError(f"unknown data folder {name!r}; expected one of {list(DATA)}")
    package = _package_dir()
    packaged = package / "_data" / name
    if packaged.is_dir():
        return packaged.resolve()
    return package.parent.joinpath(*DATA[name]).resolve()
