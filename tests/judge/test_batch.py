"""grade-batch: discovery, shards, the cache, bad input, the pool surviving a dead worker.

Grading here runs in-process on the tiny ``double`` fixture (trusted files written by the
test), so these tests take seconds; the sandboxed batch is tests/attacks/test_attack_batch.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from judge import batch
from judge.batch import BatchError, Job, cache
from judge.cli import cli
from judge.problems import ProblemError, UnknownProblem

FIXTURES = Path(__file__).parent / "fixtures"
DOUBLE = FIXTURES / "double"


def make_batch(root: Path) -> Path:
    """alice: correct; bob: a known mistake; carol: empty; dave: syntax error; frank: a
    folder where the file should be; gina: no entry point."""
    for name in ("alice", "bob", "carol", "dave", "frank", "gina"):
        (root / name).mkdir(parents=True)
    shutil.copy(DOUBLE / "solution.py", root / "alice" / "double.py")
    shutil.copy(DOUBLE / "mistakes" / "triple.py", root / "bob" / "double.py")
    (root / "carol" / "double.py").write_bytes(b"")
    (root / "dave" / "double.py").write_text("def double(x)\n    return x\n")
    (root / "frank" / "double.py").mkdir()
    (root / "gina" / "double.py").write_text("def triple(x):\n    return 3 * x\n")
    return root


def grade(root: Path, cache: Path | None, **kw):
    jobs, problems = batch.discover_jobs(root, [FIXTURES])
    return batch.grade_jobs(
        jobs, problems, jobs_n=1, level="in-process", cache_dir=cache, **kw
    ), jobs


# -- discovery ------------------------------------------------------------------------
def test_discovers_candidate_folders_and_warns_about_unknown_files(tmp_path: Path) -> None:
    make_batch(tmp_path)
    (tmp_path / "alice" / "dubble.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("ignored\n")
    warnings: list[str] = []
    jobs, problems = batch.discover_jobs(tmp_path, [FIXTURES], warn=warnings.append)
    assert [j.candidate for j in jobs] == ["alice", "bob", "carol", "dave", "frank", "gina"]
    assert set(problems) == {"double"}
    assert (
        len(warnings) == 1 and "dubble.py" in warnings[0] and "did you mean double" in warnings[0]
    )


def test_single_problem_layout_and_underscore_names(tmp_path: Path) -> None:
    shutil.copy(DOUBLE / "solution.py", tmp_path / "zoe.py")
    (tmp_path / "yan").mkdir()
    shutil.copy(DOUBLE / "solution.py", tmp_path / "yan" / "double.py")
    jobs, _ = batch.discover_jobs(tmp_path, [FIXTURES], problem="double")
    assert [(j.candidate, j.path.name) for j in jobs] == [("yan", "double.py"), ("zoe", "zoe.py")]


@pytest.mark.parametrize("kind", ["missing", "file", "empty"])
def test_unusable_folder_is_a_batch_error(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "subs"
    if kind == "file":
        target.write_text("")
    elif kind == "empty":
        target.mkdir()
    with pytest.raises(BatchError, match="subs"):
        batch.discover_jobs(target, [FIXTURES])


def test_unknown_problem_suggests(tmp_path: Path) -> None:
    with pytest.raises(UnknownProblem, match="did you mean double"):
        batch.discover_jobs(tmp_path, [FIXTURES], problem="doubel")


def test_malformed_problem_toml_names_file_and_field(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(DOUBLE, pack / "double")
    toml = pack / "double" / "problem.toml"
    toml.write_text(toml.read_text().replace('difficulty = "easy"', 'difficulty = "trivial"'))
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    shutil.copy(DOUBLE / "solution.py", subs / "ann" / "double.py")
    with pytest.raises(ProblemError, match=r"problem.toml: field 'difficulty'.*expected"):
        batch.discover_jobs(subs, [pack])


# -- shards ---------------------------------------------------------------------------
@given(
    names=st.lists(st.tuples(st.text("abc", min_size=1), st.text("xy", min_size=1)), unique=True),
    n=st.integers(1, 6),
)
def test_shards_partition_the_batch(names: list[tuple[str, str]], n: int) -> None:
    jobs = [Job(c, s, Path(f"{c}/{s}.py")) for c, s in names]
    shards = [batch.shard(list(reversed(jobs)), k, n) for k in range(1, n + 1)]
    assert sorted(j for s in shards for j in s) == sorted(jobs)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1
    assert shards == [batch.shard(jobs, k, n) for k in range(1, n + 1)]  # order-independent


@pytest.mark.parametrize("text", ["0/2", "3/2", "a/b", "1", "1/2/3"])
def test_bad_shard(text: str) -> None:
    with pytest.raises(BatchError, match="--shard"):
        batch.parse_shard(text)


# -- grading and the cache -------------------------------------------------------------
def test_every_row_has_a_verdict_and_status(tmp_path: Path) -> None:
    outcome, _ = grade(make_batch(tmp_path / "subs"), None)
    got = {r.candidate: (r.verdict, r.grading_status) for r in outcome.rows}
    assert got == {
        "alice": ("accepted", "graded"),
        "bob": ("wrong_answer", "graded"),
        "carol": ("compile_error", "graded"),
        "dave": ("compile_error", "graded"),
        "frank": ("compile_error", "graded"),
        "gina": ("compile_error", "graded"),
    }
    rows = {r.candidate: r for r in outcome.rows}
    assert "empty" in rows["carol"].tests[0].message
    assert "directory" in rows["frank"].tests[0].message
    assert ":1:" in rows["dave"].tests[0].message  # line (and column) of the error
    assert "double" in rows["gina"].tests[0].message
    assert rows["bob"].score == 6.0 and rows["bob"].tests[0].hint


def test_cache_grades_only_what_changed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(batch.pool, "judge_version", lambda: "pinned")  # others edit judge/ now
    subs, cache = make_batch(tmp_path / "subs"), tmp_path / "cache"
    first, _ = grade(subs, cache)
    assert (first.cached, first.graded) == (0, 6)
    again, _ = grade(subs, cache)
    assert (again.cached, again.graded) == (6, 0)
    assert [r.verdict for r in again.rows] == [r.verdict for r in first.rows]
    shutil.copy(DOUBLE / "solution.py", subs / "bob" / "double.py")
    changed, _ = grade(subs, cache)
    assert (changed.cached, changed.graded) == (5, 1)
    assert {r.candidate: r.verdict for r in changed.rows}["bob"] == "accepted"
    forced, _ = grade(subs, cache, force=True)
    assert (forced.cached, forced.graded) == (0, 6)
    assert not list(cache.rglob("*.tmp")), "a temporary file was left in the cache"


def test_judge_errors_are_rows_and_not_cached(tmp_path: Path, monkeypatch) -> None:
    subs, cache = make_batch(tmp_path / "subs"), tmp_path / "cache"

    def broken(*args, **kwargs):
        raise RuntimeError("the judge broke")

    monkeypatch.setattr(batch.pool, "grade", broken)
    outcome, _ = grade(subs, cache)
    assert {r.grading_status for r in outcome.rows} == {"judge_error"}
    assert all("the judge broke" in r.error and r.verdict is None for r in outcome.rows)
    monkeypatch.undo()
    retried, _ = grade(subs, cache)
    assert retried.cached == 0 and retried.rows[0].verdict == "accepted"


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "report.csv"
    batch.atomic_write(target, "old\n")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        batch.atomic_write(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_judge_version_follows_the_grading_code(tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "judge"
    (copy / "runner" / "harness").mkdir(parents=True)
    (copy / "batch").mkdir()
    for name in cache.GRADING_MODULES:
        shutil.copy(cache.JUDGE_DIR / name, copy / name)
    shutil.copy(cache.JUDGE_DIR / "runner" / "harness" / "child.py", copy / "runner" / "harness")
    monkeypatch.setattr(cache, "JUDGE_DIR", copy)
    before = cache.judge_version()
    (copy / "batch" / "cli.py").write_text("# not grading code\n")
    assert cache.judge_version() == before
    (copy / "testing.py").write_text("# changed\n")
    assert cache.judge_version() != before
    (copy / "runner" / "harness" / "child.py").write_text("# changed too\n")
    assert cache.judge_version() not in (before,)


def test_cache_key_changes_with_each_part() -> None:
    base = batch.cache_key("a", "p", "v", {"level": "isolated"})
    assert base != batch.cache_key("b", "p", "v", {"level": "isolated"})
    assert base != batch.cache_key("a", "q", "v", {"level": "isolated"})
    assert base != batch.cache_key("a", "p", "w", {"level": "isolated"})
    assert base != batch.cache_key("a", "p", "v", {"level": "basic"})


@pytest.mark.slow
def test_pool_matches_serial_and_survives_a_dead_worker(tmp_path: Path) -> None:
    """In-process grading imports the submission in the worker: os._exit kills it, which
    breaks the pool. The batch still finishes; only that row is a judge error."""
    subs = make_batch(tmp_path / "subs")
    (subs / "hal").mkdir()
    (subs / "hal" / "double.py").write_text("import os\nos._exit(3)\n")
    jobs, problems = batch.discover_jobs(subs, [FIXTURES])
    pooled = batch.grade_jobs(jobs, problems, jobs_n=2, level="in-process", cache_dir=None)
    rows = {r.candidate: r for r in pooled.rows}
    assert rows["hal"].grading_status == "judge_error"
    assert "worker died" in rows["hal"].error
    del rows["hal"]
    assert {c: r.verdict for c, r in rows.items()} == {
        "alice": "accepted",
        "bob": "wrong_answer",
        "carol": "compile_error",
        "dave": "compile_error",
        "frank": "compile_error",
        "gina": "compile_error",
    }


# -- the command ----------------------------------------------------------------------
def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--problems", str(FIXTURES), *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_refuses_basic_without_the_flag(tmp_path: Path, monkeypatch) -> None:
    from judge.batch.cli import grade as grade_command

    monkeypatch.setattr(grade_command, "isolation_available", lambda: (False, "no unshare"))
    subs = make_batch(tmp_path / "subs")
    code, _, err = run("grade-batch", str(subs), "--cache", str(tmp_path / "c"))
    assert code == 2 and "--allow-basic-sandbox" in err and "no unshare" in err
    code, _, err = run("grade-batch", str(subs), "--level", "basic")
    assert code == 2 and "--allow-basic-sandbox" in err
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--shard", "3/2"], "--shard"),
        (["--out", "report.pdf"], ".csv"),
        (["--problem", "doubel"], "did you mean double"),
    ],
)
def test_cli_usage_errors_exit_2_and_write_nothing(tmp_path: Path, args, needle) -> None:
    subs = make_batch(tmp_path / "subs")
    out = tmp_path / "out.csv"
    code, stdout, err = run(
        "grade-batch",
        str(subs),
        "--out",
        str(out),
        "--level",
        "in-process",
        "--allow-basic-sandbox",
        *args,
    )
    assert code == 2 and needle in err
    assert not out.exists() and stdout == ""


def test_cli_missing_folder_exit_2(tmp_path: Path) -> None:
    code, _, err = run("grade-batch", str(tmp_path / "nope"), "--allow-basic-sandbox")
    assert code == 2 and "no such folder" in err


@pytest.mark.slow
def test_benchmark_quick_smoke(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "batch.py"
    run = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    data = json.loads((tmp_path / "batch.json").read_text())
    assert set(data["runs"]) == {"cold", "warm"} and data["warm_speedup"] > 0
    assert all(r["judge_errors"] == 0 for r in data["runs"].values())
    assert data["torch_import_s"] > 0 and "target_met" in data
    assert "| start |" in (tmp_path / "batch.md").read_text()


def test_limit_overrides_parse() -> None:
    from judge.batch.cli.grade import parse_limits

    assert parse_limits(("reply_bytes=1024", "time_s=2.5")) == {"reply_bytes": 1024, "time_s": 2.5}
    for bad in ("nope=1", "time_s=fast", "memory_mb=-1"):
        with pytest.raises(ValueError, match="--limit"):
            parse_limits((bad,))


def test_cli_malformed_pack_exit_2_names_file_and_field(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(DOUBLE, pack / "double")
    toml = pack / "double" / "problem.toml"
    toml.write_text(toml.read_text().replace("time_limit_s = 5", 'time_limit_s = "5"'))
    subs = make_batch(tmp_path / "subs")
    result = CliRunner().invoke(
        cli, ["--problems", str(pack), "grade-batch", str(subs), "--allow-basic-sandbox"]
    )
    assert result.exit_code == 2
    assert str(toml) in result.stderr and "'time_limit_s'" in result.stderr
    assert "expected a positive number" in result.stderr


def test_wrong_signature_is_a_compile_error_naming_the_signature(tmp_path: Path) -> None:
    (tmp_path / "sam").mkdir()
    (tmp_path / "sam" / "double.py").write_text("def double(x, y, z):\n    return 2 * x\n")
    outcome, _ = grade(tmp_path, None)
    row = outcome.rows[0]
    assert row.verdict == "compile_error"
    assert "double(x" in row.tests[0].message


@pytest.mark.slow
def test_example_submissions_get_the_verdicts_their_readme_describes() -> None:
    """examples/submissions (what `make demo` grades), in-process: they are our own files."""
    root = Path(__file__).resolve().parents[2] / "examples" / "submissions"
    jobs, problems = batch.discover_jobs(root)
    outcome = batch.grade_jobs(jobs, problems, jobs_n=1, level="in-process", cache_dir=None)
    got = {(r.candidate, r.problem): r.verdict for r in outcome.rows}
    assert {k for k, v in got.items() if v == "accepted"} == {
        ("ada", "distillation-loss"),
        ("ada", "magnitude-pruning"),
        ("ada", "maml-adapt"),
        ("ada", "weight-averaging"),
        ("chen", "distillation-loss"),
        ("dana", "distillation-loss"),
        ("dana", "magnitude-pruning"),
        ("dana", "weight-averaging"),
        ("eli", "magnitude-pruning"),
    }
    assert got["chen", "maml-adapt"] == "runtime_error"
    assert got["chen", "magnitude-pruning"] == "compile_error"
    ben = [r for r in outcome.rows if r.candidate == "ben"]
    assert all(r.verdict == "wrong_answer" and batch_hints(r) for r in ben)


def batch_hints(row: batch.Row) -> list[str]:
    return [t.hint for t in row.tests if t.verdict != "accepted" and t.hint]


def test_quiz_answers_are_toml_and_code_is_py(tmp_path: Path) -> None:
    quiz = FIXTURES / "quiz-tiny"
    (tmp_path / "ann").mkdir()
    shutil.copy(quiz / "answers.toml", tmp_path / "ann" / "quiz-tiny.toml")
    shutil.copy(DOUBLE / "solution.py", tmp_path / "ann" / "double.py")
    (tmp_path / "ann" / "quiz-tiny.py").write_text("x = 1\n")
    (tmp_path / "ann" / "double.toml").write_text("x = 1\n")
    warnings: list[str] = []
    jobs, problems = batch.discover_jobs(tmp_path, [FIXTURES], warn=warnings.append)
    assert [(j.slug, j.path.name) for j in jobs] == [
        ("double", "double.py"),
        ("quiz-tiny", "quiz-tiny.toml"),
    ]
    assert len(warnings) == 2 and all("not graded" in w for w in warnings)
    outcome = batch.grade_jobs(jobs, problems, jobs_n=1, level="in-process", cache_dir=None)
    assert [r.grading_status for r in outcome.rows] == ["graded", "graded"]
