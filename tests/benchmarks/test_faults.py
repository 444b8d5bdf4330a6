"""The fault benchmark's quick subset, for the classes this branch fixed (junk mounts) and the
crash safety it must keep (kill -9: nothing lost, nothing modified, nothing redone)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def faults():
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module("faults")


@pytest.mark.slow
def test_quick_faults_lose_and_modify_nothing(faults):
    rows = {r.fault: r for r in faults.run(["mounts", "kill9"], 1, True, 30, seed=7)}
    mounts = rows["junk / unplugged mounts"]
    if mounts.note:
        pytest.skip(mounts.note)
    for row in rows.values():
        assert row.runs == 1
        assert (row.crashes, row.hangs, row.tracebacks) == (0, 0, 0), row.details
        assert (row.lost, row.modified, row.redone) == (0, 0, 0), row.details
