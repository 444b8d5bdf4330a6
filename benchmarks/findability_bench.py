"""Findability: can every indexed photo be found, and what does each index option cost?

(a) Real libraries: every photo is searched with its own vector and must come first (a tie
with a near-identical vector counts as found when the photo is among the first five). Each
option is built from the catalogue's vectors in three insertion orders; the shipped settings
are also checked end to end through `Library` on a copy of the library.

(b) Synthetic 256-d vectors shaped like the shipped model's (benchmarks/search_bench.Generator):
recall@10 against exact search on held-out queries, self-retrieval, p50/p95 lookup, build time,
repair time and orphans, index bytes; and exact search latency by size (where it stops being
fast enough).

    python benchmarks/findability_bench.py real
    python benchmarks/findability_bench.py synthetic --sizes 10000 100000
    python benchmarks/findability_bench.py synthetic --sizes 1000000 --options c32

Each run prints one JSON line per measurement (stdout) and progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for entry in (REPO, REPO / "benchmarks"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import numpy as np  # noqa: E402
from search_bench import ExactTopK, Generator  # noqa: E402  (imports core.index first)

from core import index as core_index  # noqa: E402
from core.index import GraphSettings, VectorIndex  # noqa: E402

LIBS = (
    Path("/work/data/libs/lib_oxford5k_subset"),
    Path("/work/data/libs/lib_neardup_dev"),
)
TOP = 10
SELF_TOP = 5
TIE = 1e-3
QUERIES = 500
SELF_SAMPLE = 20_000
SEARCH_SWEEP = (128, 256, 512)

# name: (connectivity, expansion_add); every graph is measured without and with the repair pass.
OPTIONS: dict[str, tuple[int, int]] = {
    "c16": (16, 128),  # the settings before issue 11
    "c32": (32, 128),  # chosen
    "c48": (48, 128),
    "c32-ea256": (32, 256),
}


def say(text: str) -> None:
    """Progress on stderr."""
    print(text, file=sys.stderr, flush=True)


def emit(record: dict[str, Any]) -> None:
    """One measurement as a JSON line on stdout."""
    print(json.dumps(record), flush=True)


def self_misses(index: VectorIndex, keys: np.ndarray, vectors: np.ndarray) -> int:
    """How many vectors do not find themselves first (ties with an equal score are fine)."""
    missed = 0
    for start in range(0, len(keys), 4096):
        batch = keys[start : start + 4096]
        hits = index.search(vectors[start : start + 4096], SELF_TOP)
        for key, hit in zip(batch, hits, strict=True):
            where = np.flatnonzero(hit.keys == key)
            if not len(where) or hit.scores[where[0]] < hit.scores[0] - TIE:
                missed += 1
    return missed


def _graph(
    name: str, dim: int, work: Path, exact_below: int = 0, es: int | None = None
) -> VectorIndex:
    connectivity, expansion_add = OPTIONS[name]
    settings = GraphSettings(
        connectivity=connectivity,
        expansion_add=expansion_add,
        expansion_search=es or core_index.EXPANSION_SEARCH,
        exact_below=exact_below,
    )
    return VectorIndex(work / f"{name}.usearch", dim, settings)


# -- (a) real libraries ------------------------------------------------------------------------
def bench_real(libs: list[Path], options: list[str]) -> None:
    """Self-retrieval on real libraries, per option and insertion order, and end to end."""
    from core.catalog import Catalog
    from core.library import CATALOG_NAME, Library

    for lib in libs:
        catalog = Catalog(lib / CATALOG_NAME, readonly=True)
        dim = int(catalog.get_meta("dim") or 256)
        keys, vectors = catalog.vectors(dim)
        catalog.close()
        say(f"[{lib.name}] {len(keys)} vectors")
        with tempfile.TemporaryDirectory() as tmp:
            for name in options:
                for order in range(3):
                    perm = np.random.default_rng(order).permutation(len(keys))
                    index = _graph(name, dim, Path(tmp))
                    index.add(keys[perm], vectors[perm])
                    graph_only = self_misses(index, keys, vectors)
                    orphans = index.repair(full=True)
                    repaired = self_misses(index, keys, vectors)
                    emit(
                        {
                            "part": "real",
                            "library": lib.name,
                            "photos": len(keys),
                            "option": name,
                            "order": order,
                            "not_first_graph": graph_only,
                            "orphans": orphans,
                            "not_first_repaired": repaired,
                        }
                    )
            copy = Path(tmp) / lib.name
            shutil.copytree(lib, copy)
            emit({"part": "real-e2e", "library": lib.name, **_end_to_end(copy, Library)})


def _end_to_end(folder: Path, library_cls: Any) -> dict[str, Any]:
    """The shipped settings through Library: the old index is rebuilt once, then every photo
    must find itself first and `similar --top N` must return all N-1 others."""
    from core import search

    t0 = time.perf_counter()
    with library_cls(folder, writer=True) as library:
        outdated = library.index.outdated or library.index.generation >= 0
        rebuild_s = time.perf_counter() - t0
    with library_cls(folder) as library:
        keys, vectors = library.catalog.vectors(library.model.dim)
        missed = 0
        for key, vector in zip(keys, vectors, strict=True):
            hits = library.nearest(vector, SELF_TOP)
            where = np.flatnonzero(hits.keys == key)
            if not len(where) or hits.scores[where[0]] < hits.scores[0] - TIE:
                missed += 1
        paths = library.catalog.paths_for_keys(int(k) for k in keys[:20])
        short = 0
        files = sum(len(v) for v in library.catalog.paths_for_keys(int(k) for k in keys).values())
        for found in list(paths.values())[:20]:
            got = search.similar(library, found[0], top=files)
            short += files - 1 - len(got)
    return {
        "rebuilt": bool(outdated),
        "rebuild_s": round(rebuild_s, 2),
        "not_first": missed,
        "similar_all_missing": short,
        "files": files,
    }


# -- (b) synthetic -----------------------------------------------------------------------------
def _lookups(index: VectorIndex, queries: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    times, recall = [], []
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        hits = index.search(q, TOP)[0]
        times.append(time.perf_counter() - t0)
        recall.append(len(set(hits.keys.tolist()) & set(truth[i].tolist())) / TOP)
    ms = np.asarray(times) * 1000
    return {
        "recall10": round(float(np.mean(recall)), 4),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
    }


def bench_synthetic(count: int, options: list[str], work: Path) -> None:
    """Every option at one size, plus exact search latency at that size."""
    dim = 256
    say(f"[synthetic {count:,}] generating")
    gen = Generator(dim, count)
    vectors = np.concatenate([block for _, block in gen.chunks()])
    keys = np.arange(count, dtype=np.uint64)
    queries = gen.block(0, QUERIES, stream=1)
    truth = ExactTopK(queries, TOP)
    for start in range(0, count, 50_000):
        truth.update(start, vectors[start : start + 50_000])
    sample = np.random.default_rng(1).choice(count, min(count, SELF_SAMPLE), replace=False)
    for name in options:
        index = _graph(name, dim, work)
        t0 = time.perf_counter()
        for start in range(0, count, 50_000):
            index.add(keys[start : start + 50_000], vectors[start : start + 50_000])
        build_s = time.perf_counter() - t0
        say(f"  {name}: built in {build_s:.0f} s")
        record: dict[str, Any] = {
            "part": "synthetic",
            "count": count,
            "option": name,
            "build_s": round(build_s, 1),
            "rate_per_s": round(count / build_s),
            "self_sample": len(sample),
        }
        record["self_missed_graph"] = self_misses(index, keys[sample], vectors[sample])
        for es in SEARCH_SWEEP:
            index._index.expansion_search = es
            record[f"graph_es{es}"] = _lookups(index, queries, truth.keys)
        index._index.expansion_search = core_index.EXPANSION_SEARCH
        t0 = time.perf_counter()
        record["orphans"] = index.repair(full=True)
        record["repair_s"] = round(time.perf_counter() - t0, 1)
        record["self_missed_repaired"] = self_misses(index, keys[sample], vectors[sample])
        record["repaired_es256"] = _lookups(index, queries, truth.keys)
        index.save(generation=0)
        record["bytes"] = index.file_bytes()
        say(f"  {name}: {json.dumps(record)}")
        emit(record)
        for leftover in work.glob(f"{name}.*"):
            leftover.unlink()
        del index
    # Exact search as the index runs it below EXACT_BELOW: USearch's SIMD scan of f16 vectors.
    from usearch.index import search as brute

    half = vectors.astype(np.float16)
    times, recall = [], []
    for i, q in enumerate(queries[:200]):
        t0 = time.perf_counter()
        found = brute(half, q.astype(np.float16), TOP, exact=True, threads=1)
        times.append(time.perf_counter() - t0)
        recall.append(len(set(found.keys.tolist()) & set(truth.keys[i].tolist())) / TOP)
    ms = np.asarray(times) * 1000
    emit(
        {
            "part": "synthetic",
            "count": count,
            "option": "exact",
            "recall10": round(float(np.mean(recall)), 4),
            "p50_ms": round(float(np.percentile(ms, 50)), 3),
            "p95_ms": round(float(np.percentile(ms, 95)), 3),
        }
    )


def main(argv: list[str] | None = None) -> int:
    """Run the real-library part or the synthetic part."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="part", required=True)
    real = sub.add_parser("real")
    real.add_argument("libs", nargs="*", type=Path, default=list(LIBS))
    real.add_argument("--options", nargs="+", default=list(OPTIONS), choices=list(OPTIONS))
    syn = sub.add_parser("synthetic")
    syn.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    syn.add_argument("--options", nargs="+", default=list(OPTIONS), choices=list(OPTIONS))
    args = parser.parse_args(argv)
    if args.part == "real":
        bench_real(args.libs, args.options)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.sizes:
            bench_synthetic(count, args.options, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
