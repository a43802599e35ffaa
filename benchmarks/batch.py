"""Batch grading throughput, warm start against cold start, in one run.

The same 40 submissions (mixed verdicts: accepted, wrong answers with hints, a runtime error,
a missing entry point) on the fixture problem ``double`` at the sandbox level the machine
offers (isolated where it can), without the cache, with ``--jobs 2``: once with every child a
cold start (``METAJUDGE_WARM=0``: a fresh interpreter importing torch per submission), once
warm (one template per worker imports torch; each submission is a fork of it). Each run is a
fresh process (the pool's forkserver keeps the environment it started with). Also measured
in the same run: a bare ``python -c "import torch"``. Target (issue 11): warm wall <= n x
import / jobs / 4, i.e. each submission costs at most a quarter of one torch import.

    python benchmarks/batch.py            # 40 submissions, writes benchmarks/results/batch.*
    python benchmarks/batch.py --quick    # 6 submissions: a smoke run (results/quick/)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import markdown_table, results_dir, write_results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "judge" / "fixtures"
DOUBLE = FIXTURES / "double"
KINDS = {
    "correct": (DOUBLE / "solution.py").read_text(),
    "correct_add": (DOUBLE / "alternatives" / "add.py").read_text(),
    "triple": (DOUBLE / "mistakes" / "triple.py").read_text(),
    "in_place": (DOUBLE / "mistakes" / "in_place.py").read_text(),
    "no_check": (DOUBLE / "mistakes" / "no_check.py").read_text(),
    "crash": "def double(x):\n    return x.no_such_method()\n",
    "no_entry": "def twice(x):\n    return 2 * x\n",
    "correct_b": "import torch\n\n\ndef double(x):\n"
    "    if x.numel() == 0:\n        raise ValueError('empty')\n    return torch.add(x, x)\n",
}
JOBS = 2


def make_batch(root: Path, n: int) -> None:
    """``n`` candidates cycling through the submission kinds: DIR/<candidate>.py."""
    names = sorted(KINDS)
    for i in range(n):
        kind = names[i % len(names)]
        (root / f"cand{i:02d}_{kind}.py").write_text(KINDS[kind])


def run_batch(root: Path, jobs: int, level: str) -> tuple[float, list]:
    from judge import batch

    found, problems = batch.discover_jobs(root, [FIXTURES], problem="double")
    started = time.perf_counter()
    outcome = batch.grade_jobs(found, problems, jobs_n=jobs, level=level, cache_dir=None)
    return time.perf_counter() - started, outcome.rows


def torch_import_s(repeats: int = 3) -> float:
    """Median wall seconds of a bare ``python -c "import torch"`` (a new process each)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def one_run(folder: Path, n: int, level: str) -> dict:
    """One batch in this process (``--run``): wall time and what was graded."""
    wall, rows = run_batch(folder, JOBS, level)
    return {
        "wall_s": round(wall, 2),
        "per_submission_s": round(wall / n, 3),
        "verdicts": sorted({r.verdict or "judge_error" for r in rows}),
        "judge_errors": sum(not r.graded for r in rows),
        "levels": sorted({r.sandbox.get("level", "?") for r in rows}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 submissions")
    parser.add_argument("--n", type=int, help="submissions (default 40; 6 with --quick)")
    parser.add_argument("--level", help="sandbox level (default: isolated where available)")
    parser.add_argument("--out", help="results folder")
    parser.add_argument("--run", help=argparse.SUPPRESS)  # internal: one batch, JSON out
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from judge.runner.sandbox import isolation_available

    n = args.n or (6 if args.quick else 40)
    level = args.level or ("isolated" if isolation_available()[0] else "basic")
    if args.run:
        print(json.dumps(one_run(Path(args.run), n, level)))
        return
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="metajudge-bench-batch-"))
    results = {}
    try:
        make_batch(work, n)
        import_s = torch_import_s()
        for mode in ("cold", "warm"):
            env = {**os.environ, "METAJUDGE_WARM": "1" if mode == "warm" else "0"}
            cmd = [sys.executable, __file__, "--run", str(work), "--n", str(n), "--level", level]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
            results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = (round(load_before, 1), round(os.getloadavg()[0], 1))
    target = n * import_s / JOBS / 4
    table = markdown_table(
        ["start", "wall (s)", "s / submission", "/ torch import", "target wall (s)", "met"],
        [
            [mode, r["wall_s"], r["per_submission_s"],
             f"{r['per_submission_s'] * JOBS / import_s:.2f}", f"{target:.1f}",
             "yes" if r["wall_s"] <= target else "no"]
            for mode, r in results.items()
        ],
    )  # fmt: skip
    speedup = results["cold"]["wall_s"] / results["warm"]["wall_s"]
    note = (
        f"\n{n} submissions on `double` at the `{level}` level, `--jobs {JOBS}`, "
        f"{os.cpu_count()} cores (load average {load[0]} before, {load[1]} after: other work "
        f'shares the cores). A bare `python -c "import torch"`: {import_s:.2f} s (median of '
        f'3, same run). Warm is {speedup:.1f}x faster than cold. "/ torch import" = the '
        "cores' time per submission over one torch import; the target is 0.25 (wall <= "
        f"n x import / jobs / 4 = {target:.1f} s). Verdicts (warm): "
        f"{', '.join(results['warm']['verdicts'])}; judge errors: "
        f"{results['warm']['judge_errors']} warm, {results['cold']['judge_errors']} cold.\n"
    )
    print(table + note)
    data = {
        "config": {
            "submissions": n,
            "level": level,
            "jobs": JOBS,
            "cores": os.cpu_count(),
            "quick": args.quick,
        },
        "load_average": {"before": load[0], "after": load[1]},
        "torch_import_s": round(import_s, 3),
        "runs": results,
        "warm_speedup": round(speedup, 2),
        "target_wall_s": round(target, 2),
        "target_met": results["warm"]["wall_s"] <= target,
    }
    for path in write_results(results_dir(args.out, args.quick), "batch", data, table + note):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
