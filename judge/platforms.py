"""The judge inside other graders: Exercism's test runner and a Gradescope autograder.

- :func:`exercism_run`: Exercism's test-runner interface (version 3): a slug, an input folder
  holding the solution, an output folder that receives ``results.json``; the runner exits 0
  whatever the tests say.
- :func:`gradescope_bundle`: the zip a Gradescope course uploads as its autograder:
  ``setup.sh`` (run once when Gradescope builds its image), ``run_autograder`` (run for each
  submission in ``/autograder``) and, under ``vendor/``, this judge with the one problem it
  grades. :func:`gradescope_autograde` is what ``run_autograder`` calls.

Both write a results file for every submission, an unreadable one included (a
``compile_error`` with the reason): a platform shows nothing at all for a missing file.
"""

from __future__ import annotations

import inspect
import json
import shutil
import stat
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from judge import report
from judge.grading import grade, unreadable_result
from judge.problems import Problem
from judge.resources import DISTRIBUTION
from judge.results import GradeResult
from judge.submission import NOTEBOOK_SUFFIX, Unreadable
from judge.topics import TOPICS_FILE, load_topics

__all__ = ["exercism_run", "find_solution", "gradescope_autograde", "gradescope_bundle"]

TORCH_SPEC = "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"


def find_solution(problem: Problem, folder: Path) -> Path | str:
    """The submission in ``folder``: Exercism's ``.meta/config.json`` ``files.solution`` if
    present, else ``<slug>`` / ``<slug_with_underscores>`` with a code suffix, else the only
    file with one. A string (why not) when there is none or more than one."""
    kinds = (".toml",) if problem.is_quiz else (".py", NOTEBOOK_SUFFIX)
    config = folder / ".meta" / "config.json"
    if config.is_file():
        try:
            named = json.loads(config.read_text(encoding="utf-8"))["files"]["solution"]
            hits = [folder / n for n in named if (folder / n).is_file()]
            if len(hits) == 1:
                return hits[0]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    files = (
        sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in kinds)
        if folder.is_dir()
        else []
    )
    stems = {problem.slug, problem.slug.replace("-", "_")}
    named = [p for p in files if p.stem in stems]
    candidates = named or [p for p in files if not p.name.startswith(("test_", "public_tests"))]
    if len(candidates) == 1:
        return candidates[0]
    want = " or ".join(kinds)
    if not candidates:
        return f"no {want} file was submitted (expected {problem.slug.replace('-', '_')}.py)"
    names = ", ".join(p.name for p in candidates)
    return f"several {want} files were submitted ({names}): name the answer {problem.slug}.py"


def _grade_any(problem: Problem, folder: Path, *, tests: str, level: str) -> GradeResult:
    found = find_solution(problem, folder)
    try:
        if isinstance(found, str):
            raise Unreadable(found)
        return grade(problem, found, tests=tests, level=level)
    except Unreadable as exc:
        return unreadable_result(problem, exc, hidden=tests == "hidden")


def exercism_run(
    problem: Problem, input_dir: Path, output_dir: Path, *, tests: str = "hidden", level: str
) -> GradeResult:
    """Grade the solution in ``input_dir``; write ``output_dir/results.json`` (v3)."""
    result = _grade_any(problem, Path(input_dir), tests=tests, level=level)
    text = report.exercism(result, problem)
    _write(Path(output_dir) / "results.json", text)
    return result


def gradescope_autograde(
    problem: Problem, submission_dir: Path, results: Path, *, level: str = "auto"
) -> GradeResult:
    """Grade what Gradescope put in ``submission_dir``; write Gradescope's ``results``."""
    result = _grade_any(problem, Path(submission_dir), tests="hidden", level=level)
    _write(Path(results), report.gradescope(result))
    return result


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


# -- the Gradescope bundle ---------------------------------------------------------------------
SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image. Choose an image
# with Python >= 3.11 (Ubuntu 24.04 has 3.12). PyTorch comes first, from its CPU index, so
# that no CUDA build is resolved.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv util-linux
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet {torch}
/autograder/venv/bin/pip install --quiet -r /autograder/source/requirements.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission, in /autograder: the submission is in
# submission/, the results go to results/results.json. AUTOGRADER_ROOT and JUDGE_PYTHON exist
# for trying the bundle elsewhere.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{JUDGE_PYTHON:-$ROOT/venv/bin/python}}"
cd "$ROOT"
export PYTHONPATH="$ROOT/source/vendor"
exec "$PY" -c '
import sys
from pathlib import Path
from judge.platforms import gradescope_autograde
from judge.problems import find_problem
root = Path(sys.argv[1])
results = root / "results" / "results.json"
gradescope_autograde(find_problem(sys.argv[2]), root / "submission", results)
' "$ROOT" {slug}
"""


def _requirements() -> str:
    """The judge's runtime requirements but torch (installed first, from the CPU index)."""
    try:
        wanted = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        wanted = []
    kept = [r for r in wanted if "extra ==" not in r and not r.startswith("torch")]
    return "\n".join(kept) + "\n"


def _topics_toml(problem: Problem) -> str:
    """The topics the bundled problem may name: the bundled ones and its pack's own."""
    lines = ["# The topics of the bundled problem (see judge/topics.py).", ""]
    for topic in load_topics([problem.path.parent]).values():
        lines.append("[[topic]]")
        lines += [
            f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in vars(topic).items()
        ]
        lines.append("")
    return "\n".join(lines)


def gradescope_bundle(problem: Problem, out: Path) -> Path:
    """Write ``out`` (a zip): ``setup.sh``, ``run_autograder``, ``requirements.txt`` and
    ``vendor/`` (the ``judge`` and ``reference`` packages, with only this problem)."""
    import judge  # the packages the bundle vendors, found where they are installed
    import reference  # (reference imports torch: only when a bundle is made)

    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "_data")
    with tempfile.TemporaryDirectory(prefix="judge-gradescope-") as tmp:
        root = Path(tmp)
        vendor = root / "vendor"
        for package in (judge, reference):
            source = Path(inspect.getfile(package)).parent
            shutil.copytree(source, vendor / source.name, ignore=skip)
        problems = vendor / "judge" / "_data" / "problems"
        shutil.copytree(problem.path, problems / problem.slug, ignore=skip)
        (problems / TOPICS_FILE).write_text(_topics_toml(problem), encoding="utf-8")
        (root / "requirements.txt").write_text(_requirements(), encoding="utf-8")
        scripts = {
            "setup.sh": SETUP_SH.format(torch=TORCH_SPEC),
            "run_autograder": RUN_AUTOGRADER.format(slug=problem.slug),
        }
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, text in scripts.items():
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                bundle.writestr(info, text)
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    bundle.write(path, path.relative_to(root).as_posix())
    return out
