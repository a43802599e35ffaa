"""What the sandbox costs: every code problem's reference solution graded on its hidden tests
through the sandbox and through InProcess (the same tests, in the judge's own process), wall
time per problem and the ratio, plus the wall time of one whole `judge grade` command.

Targets (issue 3): whole-set ratio (sum of sandbox times / sum of in-process times) <= 1.5,
and `judge grade maml-adapt problems/maml-adapt/solution.py` under 3 s wall, torch import
included; (issue 11) that command at most 1.3x a bare `python -c "import torch"` measured in
the same run, with the warm start (default) and the cold one (METAJUDGE_WARM=0) both timed.
Both sides run with one torch thread (the child has OMP_NUM_THREADS=1). The
in-process side pays for loading the tests and the solution module too; the sandbox side
pays for booting the child (torch import) and the channel. Reported, never asserted.

    python benchmarks/judge_overhead.py            # every code problem -> benchmarks/results/
    python benchmarks/judge_overhead.py --quick    # maml-adapt only -> benchmarks/results/quick/
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from _common import markdown_table, results_dir, write_results

from judge.grading import Session, grade
from judge.problems import all_problems, find_problem

ROOT = Path(__file__).resolve().parents[1]
CLI_PROBLEM = "maml-adapt"


def graded_file(problem) -> Path:
    """solution.py, or (when it imports ``reference``, which the sandbox forbids) the first
    self-contained alternative, so that both sides grade the same correct code."""
    for path in [problem.solution, *problem.alternatives]:
        if not re.search(r"^\s*(from|import)\s+reference\b", path.read_text(), re.M):
            return path
    return problem.solution


def time_grade(problem, path: Path, level: str) -> tuple[float, str, str]:
    """Wall seconds of one grade of ``path`` (fresh session: tests and modules loaded)."""
    started = time.perf_counter()
    result = grade(problem, path, level=level, session=Session(problem))
    wall = time.perf_counter() - started
    verdict = result.verdict or f"judge error: {result.error}"
    return wall, verdict, result.sandbox.get("level", "?")


def torch_import_s(repeats: int = 3) -> float:
    """Median wall seconds of a bare ``python -c "import torch"`` (a new process each)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def time_cli(slug: str, warm: bool = True, repeats: int = 3) -> dict:
    """Median wall seconds of `judge grade SLUG problems/SLUG/solution.py --json`, each run a
    new process (a median, as the torch import it is compared with)."""
    judge = Path(sys.executable).with_name("judge")
    command = [str(judge)] if judge.exists() else [sys.executable, "-m", "judge"]
    command += ["grade", slug, f"problems/{slug}/solution.py", "--json"]  # run from ROOT
    env = {**os.environ, "METAJUDGE_WARM": "1" if warm else "0"}
    walls = []
    for _ in range(repeats):
        started = time.perf_counter()
        run = subprocess.run(
            command, capture_output=True, text=True, cwd=ROOT, timeout=600, env=env
        )
        walls.append(time.perf_counter() - started)
    wall = statistics.median(walls)
    verdict = next((line.split('"')[3] for line in run.stdout.splitlines()
                    if line.strip().startswith('"verdict"')), "none")  # fmt: skip
    return {"command": " ".join(command[-4:]), "wall_s": round(wall, 2), "exit": run.returncode,
            "verdict": verdict}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"only {CLI_PROBLEM}")
    parser.add_argument("--out", help="results folder (default benchmarks/results[/quick])")
    parser.add_argument("--problems", nargs="*", help="slugs (default: every code problem)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.problems:
        problems = [find_problem(s) for s in args.problems]
    elif args.quick:
        problems = [find_problem(CLI_PROBLEM)]
    else:
        problems = [p for p in all_problems(errors=[]) if p.kind == "code"]
    rows, records = [], []
    for problem in problems:
        path = graded_file(problem)
        inproc, in_verdict, _ = time_grade(problem, path, "in-process")
        boxed, box_verdict, level = time_grade(problem, path, "auto")
        record = {
            "problem": problem.slug,
            "outcome": "outcome" in problem.tags,
            "file": path.relative_to(problem.path).as_posix(),
            "sandbox_s": round(boxed, 3),
            "in_process_s": round(inproc, 3),
            "ratio": round(boxed / inproc, 2),
            "level": level,
            "sandbox_verdict": box_verdict,
            "in_process_verdict": in_verdict,
        }
        records.append(record)
        ratio_one = f"{boxed / inproc:.2f}"
        row = [problem.slug, record["file"], f"{boxed:.2f}", f"{inproc:.2f}", ratio_one, level,
               box_verdict]  # fmt: skip
        rows.append(row)
        print("  ".join(row), flush=True)
    total_box = sum(r["sandbox_s"] for r in records)
    total_in = sum(r["in_process_s"] for r in records)
    ratio = total_box / total_in if total_in else float("nan")
    rows.append(["**all**", "", f"{total_box:.2f}", f"{total_in:.2f}", f"{ratio:.2f}", "", ""])
    quick_rows = [r for r in records if not r["outcome"]]
    fast_box = sum(r["sandbox_s"] for r in quick_rows)
    fast_in = sum(r["in_process_s"] for r in quick_rows)
    fast_ratio = fast_box / fast_in if fast_in else float("nan")
    import_s = torch_import_s()
    cli = time_cli(CLI_PROBLEM)
    cli_cold = time_cli(CLI_PROBLEM, warm=False)
    load = os.getloadavg()[0]
    table = markdown_table(
        ["problem", "file", "sandbox s", "in-process s", "ratio", "level", "verdict (sandbox)"],
        rows,
    )
    markdown = (
        "# Judge overhead: sandbox vs in-process\n\n"
        "Each code problem's `solution.py` (or, where it imports `reference`, which the sandbox "
        "forbids, its first self-contained alternative) graded on its hidden tests; wall "
        "seconds, one torch thread, tests and modules loaded fresh on both sides.\n\n"
        f"{table}\n"
        f"Whole-set ratio: **{ratio:.2f}** (target <= 1.5); without the outcome problems "
        f"(whose training dominates both sides): **{fast_ratio:.2f}**. Load average "
        f"{load:.1f} on {os.cpu_count()} cores when the run ended.\n\n"
        f"`judge {cli['command']}`: **{cli['wall_s']:.2f} s** wall (median of 3), a new "
        f"process, torch import included (target < 3 s); verdict {cli['verdict']}, "
        f"exit {cli['exit']}.\n\n"
        f'Against a bare `python -c "import torch"` in the same run ({import_s:.2f} s, median '
        f"of 3): warm start {cli['wall_s'] / import_s:.2f}x, cold start "
        f"{cli_cold['wall_s'] / import_s:.2f}x ({cli_cold['wall_s']:.2f} s) (target <= 1.3x). "
        "One grade makes one child, so the template's torch import is the child's: the warm "
        "start pays off from the second submission a judge process grades.\n"
    )
    data = {
        "quick": args.quick,
        "rows": records,
        "whole_set": {"sandbox_s": total_box, "in_process_s": total_in, "ratio": ratio},
        "without_outcome_problems": {
            "sandbox_s": fast_box,
            "in_process_s": fast_in,
            "ratio": fast_ratio,
        },
        "load_average_1min": load,
        "cli": cli,
        "cli_cold": cli_cold,
        "torch_import_s": import_s,
        "cli_over_import": {
            "warm": cli["wall_s"] / import_s,
            "cold": cli_cold["wall_s"] / import_s,
        },
        "target_cli_over_import": 1.3,
    }
    write_results(results_dir(args.out, args.quick), "judge_overhead", data, markdown)
    print(markdown)


if __name__ == "__main__":
    main()
