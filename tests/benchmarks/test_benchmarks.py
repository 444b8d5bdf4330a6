from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    # Importable by name (not from a file spec): index_throughput's spawned workers unpickle
    # its functions by module name, and they inherit this sys.path.
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def search_bench() -> ModuleType:
    return _load("search_bench")


@pytest.fixture(scope="module")
def throughput() -> ModuleType:
    return _load("index_throughput")


def test_exact_topk_matches_a_full_sort(search_bench):
    # GIVEN unit vectors seen in uneven chunks
    rng = np.random.default_rng(0)
    data = search_bench._unit(rng.standard_normal((1000, 32), np.float32))
    queries = search_bench._unit(rng.standard_normal((7, 32), np.float32))
    exact = search_bench.ExactTopK(queries, 10)
    for start in range(0, 1000, 300):
        exact.update(start, data[start : start + 300])
    # THEN the running top-10 is the top-10 of the whole set
    want = np.argsort(-(queries @ data.T), axis=1)[:, :10]
    assert np.array_equal(exact.keys, want)


def test_generator_is_deterministic_unit_and_shaped_like_the_model(search_bench):
    gen = search_bench.Generator(1280, 1009)
    block = gen.block(0, 1009)
    assert np.array_equal(block, search_bench.Generator(1280, 1009).block(0, 1009))
    assert np.allclose(np.linalg.norm(block, axis=1), 1.0, atol=1e-5)
    stats = search_bench.neighbour_stats(block)
    for key, real in search_bench.REAL_STATS.items():
        assert stats[key] == pytest.approx(real, abs=0.03 if key != "gap_10_11" else 0.003), key


@pytest.mark.slow
def test_search_bench_runs_small(search_bench, tmp_path, capsys):
    code = search_bench.main(
        ["--sizes", "300", "--queries", "10", "--library-size", "40", "--runs", "1",
         "--workdir", str(tmp_path), "--json"]
    )  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    sweep = result["index"][0]["modes"]["view"]["sweep"]
    assert set(sweep) == {"64", "128", "256"}
    assert all(0.0 <= run["recall"] <= 1.0 for run in sweep.values())
    assert "similar (library photo)" in result["cli"]["cases"]
    assert search_bench.format_table(result)


def test_throughput_exits_clearly_without_benchdata(throughput, tmp_path, monkeypatch):
    monkeypatch.setattr(throughput, "SOURCE_DIR", tmp_path / "missing")
    with pytest.raises(SystemExit, match="benchdata"):
        throughput.main(["--quick"])


@pytest.mark.slow
@pytest.mark.bench
def test_throughput_runs_small(throughput, tmp_path, capsys):
    if not throughput.SOURCE_DIR.is_dir():
        pytest.skip("needs ../shared/benchdata")
    # 2 big photos decode in a one-process pool; 30 small ones (>= POOL_THRESHOLD) in the full one
    code = throughput.main(["--big", "2", "--small", "30", "--workdir", str(tmp_path), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    by_set = {s["set"]: s for s in result["sets"]}
    assert by_set["12mp"]["decode_mode"] == "pool x1"
    assert by_set["small"]["decode_mode"].startswith("pool")
    for s in by_set.values():
        assert s["index"]["runs"][0]["photos"] == s["photos"]
        assert s["ratio"] > 0
    assert throughput.format_table(result)
