"""What the sandbox costs: child start (torch import as the sandbox uid), call round trip,
and the smallest RLIMIT_AS under which the child still starts.

Usage: python benchmarks/sandbox_start.py [--quick] [--out DIR]

Rows per isolation level available here (the isolated level warm, a fork of the template that
imported torch, and cold): the child's own ``import torch`` time (warm: the template's, paid
once per judge process), the whole start (namespace, boot, torch, the submission's import;
warm: the fork and the submission's import), the mean round trip of a trivial
call and of a call carrying a small MLP, and the in-process time of the same calls for the
ratio. The address-space floor is found by bisection over ``Limits.memory_mb`` (isolated
level where available). Numbers are from one run on whatever machine runs it; nothing is
asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch
from _common import machine, markdown_table, results_dir, write_results
from torch import nn

from judge.runner.limits import Limits
from judge.runner.sandbox import Sandbox, isolation_available
from judge.verdicts import JudgeError

SUBJECT = """
def double(x):
    return x * 2


def count(model, x):
    return model(x)
"""


def timed_calls(call, n: int) -> float:
    """Mean seconds per call over ``n`` calls (after one warm-up)."""
    call()
    began = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - began) / n


def measure_level(path: Path, level: str, calls: int, starts: int, warm: bool = False) -> dict:
    imports, totals = [], []
    model, x = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4)), torch.randn(8, 16)
    for _ in range(starts):
        with Sandbox(path, ["double", "count"], Limits(), level=level, warm=warm) as box:
            imports.append(box.timings["torch_import_s"])
            totals.append(box.timings["start_s"])
            trivial = timed_calls(lambda b=box: b.call("double", (x,), {}), calls)
            mlp = timed_calls(lambda b=box: b.call("count", (model, x), {}), calls)
    namespace: dict = {}
    exec(SUBJECT, namespace)
    here_trivial = timed_calls(lambda: namespace["double"](x), calls)
    here_mlp = timed_calls(lambda: namespace["count"](model, x), calls)
    return {
        "level": f"{level} ({'warm' if warm else 'cold'})" if level == "isolated" else level,
        "torch_import_s": statistics.median(imports),
        "start_s": statistics.median(totals),
        "call_trivial_ms": trivial * 1e3,
        "call_mlp_ms": mlp * 1e3,
        "in_process_trivial_ms": here_trivial * 1e3,
        "in_process_mlp_ms": here_mlp * 1e3,
    }


def starts_with(path: Path, level: str, memory_mb: int) -> bool:
    try:
        with Sandbox(path, ["double"], Limits(memory_mb=memory_mb), level=level) as box:
            box.call("double", (torch.ones(1000),), {})
        return True
    except JudgeError:
        return False
    except Exception:
        return False


def memory_floor(path: Path, level: str, low: int, high: int, step: int) -> int:
    """The smallest memory_mb (to ``step``) under which the child starts and answers."""
    while high - low > step:
        mid = (low + high) // 2
        if starts_with(path, level, mid):
            high = mid
        else:
            low = mid
    return high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one start per level, no bisection")
    parser.add_argument("--out", default=None, help="results folder")
    args = parser.parse_args()
    torch.set_num_threads(1)
    isolated, why = isolation_available()
    levels = ["isolated", "basic"] if isolated else ["basic"]
    variants = [("isolated", True), ("isolated", False), ("basic", False)][0 if isolated else 2 :]
    calls, starts = (20, 1) if args.quick else (200, 3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "subject.py"
        path.write_text(SUBJECT)
        rows = [measure_level(path, level, calls, starts, warm) for level, warm in variants]
        floor_level = levels[0]
        if args.quick:
            floor = {
                "level": floor_level,
                "checked_mb": 1024,
                "ok": starts_with(path, floor_level, 1024),
            }
        else:
            floor = {
                "level": floor_level,
                "floor_mb": memory_floor(path, floor_level, 256, 1024, 16),
            }
    headers = ["level", "torch import in child (s)", "start (s)", "trivial call (ms)",
               "MLP call (ms)", "in-process trivial (ms)", "in-process MLP (ms)"]  # fmt: skip
    table_rows = [
        [r["level"], f"{r['torch_import_s']:.2f}", f"{r['start_s']:.2f}",
         f"{r['call_trivial_ms']:.2f}", f"{r['call_mlp_ms']:.2f}",
         f"{r['in_process_trivial_ms']:.3f}", f"{r['in_process_mlp_ms']:.3f}"]
        for r in rows
    ]  # fmt: skip
    table = markdown_table(headers, table_rows)
    if "floor_mb" in floor:
        table += f"\nRLIMIT_AS floor ({floor['level']}): {floor['floor_mb']} MiB\n"
    else:
        table += f"\nStarts under RLIMIT_AS 1024 MiB ({floor['level']}): {floor['ok']}\n"
    if not isolated:
        table += f"\nIsolated level unavailable here: {why}\n"
    print(table)
    data = {"rows": rows, "memory": floor, "config": {"quick": args.quick, "calls": calls,
            "starts": starts}, "machine": machine()}  # fmt: skip
    write_results(results_dir(args.out, args.quick), "sandbox_start", data, table)


if __name__ == "__main__":
    main()
