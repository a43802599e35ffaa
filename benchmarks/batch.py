"""Batch grading throughput: the same 40 submissions with --jobs 1 and --jobs 2, in one run.

The submissions (mixed verdicts: accepted, wrong answers with hints, a runtime error, a
missing entry point) are graded on the fixture problem ``double`` at the sandbox level the
machine offers (isolated where it can), without the cache. Reported: the wall time of each
run, the speed-up (target >= 1.7x on 2 cores), and the per-submission overhead: wall time
per submission minus the time its tests spent calling into it (sandbox start, torch import
in the child, process pool, reports).

    python benchmarks/batch.py            # 40 submissions, writes benchmarks/results/batch.*
    python benchmarks/batch.py --quick    # 4 submissions in-process: a smoke run
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def make_batch(root: Path, n: int) -> None:
    """``n`` candidates cycling through the submission kinds: DIR/<candidate>.py."""
    names = sorted(KINDS)
    for i in range(n):
        kind = names[i % len(names)]
        (root / f"cand{i:02d}_{kind}.py").write_text(KINDS[kind])


def run_batch(root: Path, jobs: int, level: str) -> tuple[float, list[dict]]:
    from judge import batch

    found, problems = batch.discover_jobs(root, [FIXTURES], problem="double")
    started = time.perf_counter()
    outcome = batch.grade_jobs(found, problems, jobs_n=jobs, level=level, cache_dir=None)
    return time.perf_counter() - started, outcome.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 submissions, in-process")
    parser.add_argument("--n", type=int, help="submissions (default 40; 4 with --quick)")
    parser.add_argument("--level", help="sandbox level (default: isolated where available)")
    parser.add_argument("--out", help="results folder")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    from judge.runner.sandbox import isolation_available

    n = args.n or (4 if args.quick else 40)
    level = args.level or (
        "in-process" if args.quick else ("isolated" if isolation_available()[0] else "basic")
    )
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="metajudge-bench-batch-"))
    try:
        make_batch(work, n)
        results = {}
        for jobs in (1, 2):
            wall, rows = run_batch(work, jobs, level)
            tests_s = sum(t["time_s"] for r in rows for t in r.get("tests", []))
            results[jobs] = {
                "wall_s": round(wall, 2),
                "per_submission_s": round(wall / n, 3),
                "overhead_per_submission_s": round((wall * jobs - tests_s) / n, 3),
                "verdicts": sorted({r.get("verdict") or "judge_error" for r in rows}),
                "judge_errors": sum(r["grading_status"] != "graded" for r in rows),
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = (round(load_before, 1), round(os.getloadavg()[0], 1))
    speedup = results[1]["wall_s"] / results[2]["wall_s"]
    table = markdown_table(
        ["--jobs", "wall (s)", "s / submission", "overhead / submission (s)", "speed-up"],
        [
            [
                j,
                r["wall_s"],
                r["per_submission_s"],
                r["overhead_per_submission_s"],
                f"{results[1]['wall_s'] / r['wall_s']:.2f}x",
            ]
            for j, r in results.items()
        ],
    )
    note = (
        f"\n{n} submissions on `double` at the `{level}` level, {os.cpu_count()} cores "
        f"(load average {load[0]} before, {load[1]} after: other work shares the cores); "
        f"verdicts {', '.join(results[1]['verdicts'])}. Overhead = (wall x jobs − time in "
        "tests) / submissions: sandbox start (the child imports torch), pool, bookkeeping.\n"
    )
    print(table + note)
    data = {
        "config": {"submissions": n, "level": level, "cores": os.cpu_count(), "quick": args.quick},
        "load_average": {"before": load[0], "after": load[1]},
        "runs": {str(j): r for j, r in results.items()},
        "speedup": round(speedup, 3),
        "target_speedup": 1.7,
    }
    for path in write_results(results_dir(args.out, args.quick), "batch", data, table + note):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
