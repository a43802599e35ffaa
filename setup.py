"""Build step: a wheel carries the problems, the site's templates and the benchmark results.

They stay where they are in the checkout (``problems/``, ``site/``, ``benchmarks/results/``);
``build_py`` copies them into the built package as ``judge/_data/<name>/``, where
:mod:`judge.resources` finds them. An editable install copies nothing: the checkout is read.
Everything else about the package is in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = {"problems": "problems", "site": "site", "results": "benchmarks/results"}
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "_site", "quick")


class BuildWithData(build_py):
    """``build_py``, then the data folders copied into ``judge/_data/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name, source in DATA.items():
            target = Path(self.build_lib, "judge", "_data", name)
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=SKIP)


setup(cmdclass={"build_py": BuildWithData})
