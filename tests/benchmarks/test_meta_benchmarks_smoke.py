"""The meta-learning benchmarks run end to end in their --quick mode (through subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def run_quick(script: str, out: Path, *extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    name = Path(script).stem
    assert (out / f"{name}.md").read_text() in result.stdout
    return json.loads((out / f"{name}.json").read_text())


@pytest.mark.slow
def test_sinusoid_quick(tmp_path):
    data = run_quick("sinusoid.py", tmp_path, "--iterations", "30", "--tasks", "20")
    assert data["quick"] and data["config"]["iterations"] == 30
    assert {(r["method"], r["k"]) for r in data["rows"]} == {
        (m, k) for m in ("MAML", "MAML, 2 inner steps", "FOMAML", "pretrained") for k in (5, 10)
    }
    assert all(set(r["mse"]) == {str(s) for s in range(11)} for r in data["rows"])
    assert (tmp_path / "sinusoid.png").stat().st_size > 0
    assert (tmp_path / "sinusoid_curves.png").stat().st_size > 0


@pytest.mark.slow
def test_throughput_quick(tmp_path):
    data = run_quick("throughput.py", tmp_path)
    names = {r["implementation"] for r in data["rows"]}
    assert {"reference (bmm)", "reference (vmap)", "per-task loop"} <= names
    # Same losses over the same steps, whatever the speed.
    assert all(r["max_rel_loss_diff_vs_loop"] < 1e-4 for r in data["rows"])
    assert data["speedup"] > 0
