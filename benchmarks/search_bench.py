"""Vector search: HNSW build/load/latency/recall@10 vs exact search, and cold CLI search latency."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

# core.index imports onnxruntime before usearch (see core.embedder.load_runtime): import it
# before anything that could pull in usearch.
from core import index as core_index  # noqa: E402
from core.index import VectorIndex  # noqa: E402

TOP = 10
CHUNK = 50_000  # vectors generated, added and scanned at a time (256 MB of float32 at 1280-d)
SWEEP = (64, 128, 256)
TARGET_RECALL = 0.98
TARGET_LATENCY_MS = 10.0


# -- synthetic vectors -----------------------------------------------------------------------
@dataclass
class Generator:
    """Unit vectors shaped like the shipped model's, deterministic chunk by chunk.

    The model's GeM vectors are non-negative, so they sit in a narrow cone: on the Oxford subset
    (1009 photos) a random pair has cosine 0.42 +- 0.095, the 1st/10th/50th neighbours 0.71/0.63/
    0.56, and the 10th and 11th neighbours differ by only 0.003 on average (REAL_STATS). This
    generator reproduces that at the same density: a shared offset (the cone), a low-rank latent
    space of "scenes" with small groups of similar shots (bursts), and full-rank noise.
    """

    dim: int
    count: int
    seed: int = 7
    rank: int = 24  # latent scene dimensions
    per_group: int = 8  # photos per burst, on average
    spread: tuple[float, float] = (0.8, 1.4)  # within-burst latent noise, per photo
    noise: float = 0.8  # full-rank noise (relative norm)
    offset: float = 0.85  # the shared cone direction: random-pair cosine ~ o^2 / (1 + o^2)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        basis, _ = np.linalg.qr(rng.standard_normal((self.dim, self.rank)))
        self.basis = (basis.T / np.sqrt(self.rank)).astype(np.float32)  # [rank, dim]
        cone = np.abs(rng.standard_normal(self.dim))
        self.cone = (self.offset * cone / np.linalg.norm(cone)).astype(np.float32)
        groups = max(32, self.count // self.per_group)
        self.groups = rng.standard_normal((groups, self.rank)).astype(np.float32)

    def block(self, start: int, stop: int, stream: int = 0) -> np.ndarray:
        """Vectors start..stop-1 of a stream (0: the library, 1: held-out queries)."""
        rng = np.random.default_rng([self.seed, stream, start])
        n = stop - start
        group = rng.integers(len(self.groups), size=n)
        spread = rng.uniform(*self.spread, size=(n, 1)).astype(np.float32)
        latent = self.groups[group] + spread * rng.standard_normal((n, self.rank), np.float32)
        y = latent @ self.basis
        y += rng.standard_normal((n, self.dim), np.float32) * (self.noise / np.sqrt(self.dim))
        y = _unit(y)
        y += self.cone
        return _unit(y)

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, self.count, size):
            yield start, self.block(start, min(self.count, start + size))


# Measured with the shipped model (simili-lite0-gem v1) on oxford5k_subset's 1009 photos.
REAL_STATS = {
    "pair_mean": 0.418,
    "pair_std": 0.095,
    "nn1": 0.711,
    "nn10": 0.628,
    "nn50": 0.564,
    "gap_10_11": 0.0033,
}


def neighbour_stats(vectors: np.ndarray) -> dict[str, float]:
    """The statistics in REAL_STATS for a (small) set of unit vectors."""
    sims = vectors @ vectors.T
    upper = sims[np.triu_indices(len(vectors), 1)]
    np.fill_diagonal(sims, -2.0)
    ranked = -np.sort(-sims, axis=1)
    return {
        "pair_mean": float(upper.mean()),
        "pair_std": float(upper.std()),
        "nn1": float(ranked[:, 0].mean()),
        "nn10": float(ranked[:, 9].mean()),
        "nn50": float(ranked[:, 49].mean()),
        "gap_10_11": float((ranked[:, 9] - ranked[:, 10]).mean()),
    }


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class ExactTopK:
    """Running exact top-k (float32 inner product = cosine on unit rows) over added chunks."""

    def __init__(self, queries: np.ndarray, k: int) -> None:
        self.queries = queries
        self.k = k
        self.keys = np.zeros((len(queries), 0), np.int64)
        self.scores = np.zeros((len(queries), 0), np.float32)

    def update(self, start: int, block: np.ndarray) -> None:
        sims = self.queries @ block.T  # [q, chunk]
        k = min(self.k, sims.shape[1])
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        keys = np.concatenate([self.keys, part + start], axis=1)
        scores = np.concatenate([self.scores, np.take_along_axis(sims, part, axis=1)], axis=1)
        best = np.argsort(-scores, axis=1, kind="stable")[:, : self.k]
        self.keys = np.take_along_axis(keys, best, axis=1)
        self.scores = np.take_along_axis(scores, best, axis=1)


def say(text: str) -> None:
    """Progress on stderr, so that stdout holds only the table or the JSON."""
    print(text, file=sys.stderr, flush=True)


# -- index benchmark -------------------------------------------------------------------------
def _rss_mb() -> float | None:
    """Peak resident memory of this process so far (MB); None where unknown (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _latencies(index: VectorIndex, queries: np.ndarray, exact: np.ndarray) -> dict[str, float]:
    times = []
    recall = []
    for i, q in enumerate(queries):
        started = time.perf_counter()
        hits = index.search(q, TOP)[0]
        times.append(time.perf_counter() - started)
        recall.append(len(set(hits.keys.tolist()) & set(exact[i].tolist())) / TOP)
    ms = np.asarray(times) * 1000
    return {
        "recall": float(np.mean(recall)),
        "min_recall": float(np.min(recall)),
        "first_ms": float(ms[0]),
        "mean_ms": float(ms.mean()),
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "max_ms": float(ms.max()),
    }


def bench_index(count: int, dim: int, queries: int, sweep: tuple[int, ...], work: Path) -> dict:
    """Build, save, reopen and query a VectorIndex of `count` synthetic vectors."""
    disk = count * (2 * dim + 300)
    memory = disk + 6 * min(CHUNK, count) * dim * 4
    say(
        f"[index {count:,} x {dim}] (~{memory / 1e9:.1f} GB of memory, {disk / 1e9:.1f} GB of disk)"
    )
    gen = Generator(dim, count)
    q = gen.block(0, queries, stream=1)
    exact = ExactTopK(q, TOP)
    path = work / f"vectors-{count}.usearch"
    index = VectorIndex(path, dim)
    build = exact_s = 0.0
    for start, block in gen.chunks():
        t0 = time.perf_counter()
        keys = np.arange(start, start + len(block), dtype=np.uint64)
        index.add(keys, block)
        t1 = time.perf_counter()
        exact.update(start, block)
        t2 = time.perf_counter()
        build += t1 - t0
        exact_s += t2 - t1
        done = start + len(block)
        if done % (4 * CHUNK) == 0 or done == count:
            rate = done / build
            say(f"  added {done:,} ({rate:,.0f}/s)")
    t0 = time.perf_counter()
    index.save(generation=0)
    save_s = time.perf_counter() - t0
    file_bytes = index.file_bytes()
    built_len = len(index)
    del index

    result: dict[str, Any] = {
        "count": count,
        "dim": dim,
        "queries": queries,
        "settings": {
            "dtype": core_index.DTYPE,
            "connectivity": core_index.CONNECTIVITY,
            "expansion_add": core_index.EXPANSION_ADD,
            "expansion_search": core_index.EXPANSION_SEARCH,
        },
        "build_s": build,
        "build_rate": count / build,
        "exact_search_s": exact_s,
        "save_s": save_s,
        "file_bytes": file_bytes,
        "bytes_per_vector": file_bytes / count,
        "modes": {},
    }
    for view in (True, False):
        t0 = time.perf_counter()
        opened = VectorIndex.open(path, dim, view=view)
        load_s = time.perf_counter() - t0
        if len(opened) != built_len:
            sys.exit(f"error: reopened index has {len(opened)} vectors, expected {built_len}")
        mode = "view" if view else "load"
        runs = {}
        for ef in sweep:
            opened._index.expansion_search = ef  # the module's constant is the default
            runs[ef] = _latencies(opened, q, exact.keys)
        opened._index.expansion_search = core_index.EXPANSION_SEARCH
        result["modes"][mode] = {"open_s": load_s, "sweep": runs}
        del opened
    result["peak_rss_mb"] = _rss_mb()
    with contextlib.suppress(OSError):
        path.unlink()
        path.with_suffix(".json").unlink()
    return result


# -- cold CLI --------------------------------------------------------------------------------
def _query_photo(path: Path) -> None:
    """A 12 MP JPEG with real high-frequency content that is in no library."""
    from PIL import Image

    rng = np.random.default_rng(99)
    small = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    base = Image.fromarray(small).resize((4000, 3000), Image.Resampling.BICUBIC)
    pixels = np.asarray(base, np.float32)
    pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * 6.0
    np.clip(pixels, 0, 255, out=pixels)
    Image.fromarray(pixels.astype(np.uint8)).save(path, "JPEG", quality=90)


def build_library(folder: Path, count: int, batch: int = 5000) -> dict[str, Any]:
    """A real library of `count` fake photos (rows + vectors), no image decoded."""
    import xxhash

    from core.catalog import Embedded
    from core.library import Library
    from core.paths import normalise
    from core.records import PhotoMeta

    say(f"[library {count:,} photos]")
    started = time.perf_counter()
    fake_root = normalise(str(folder.parent / "fake-photos"))
    library = Library(folder, writer=True)
    try:
        dim = library.model.dim
        gen = Generator(dim, count, seed=11)
        root = library.catalog.add_root(fake_root)
        index = library.index
        rng = np.random.default_rng(5)
        paths: list[str] = []
        for start, block in gen.chunks(batch):
            items = []
            for i, vector in enumerate(block, start):
                path = f"{fake_root}/{2000 + i // 20000}/{i // 500:04d}/IMG_{i:06d}.jpg"
                meta = PhotoMeta(
                    width=4000,
                    height=3000,
                    taken=f"{2000 + i // 20000}:01:01 12:00:00",
                    orientation=1,
                    camera="BenchCam 12",
                    phash=int(rng.integers(-(2**63), 2**63 - 1)),
                )
                digest = xxhash.xxh3_128_hexdigest(f"fake-photo-{i}".encode())
                items.append(
                    Embedded(path, root.id, 3_000_000 + i, 1_700_000_000_000_000_000 + i,
                             digest, vector, meta)
                )  # fmt: skip
                if i % max(1, count // 4) == 7:
                    paths.append(path)
            added = library.catalog.write(items)
            keys = np.asarray([k for k, _ in added], np.uint64)
            index.add(keys, np.stack([v for _, v in added]))
        library.save_index()
        index_bytes = index.file_bytes()
    finally:
        library.close()
    seconds = time.perf_counter() - started
    say(f"  built in {seconds:.1f} s")
    catalog_bytes = sum(f.stat().st_size for f in folder.glob("catalog.sqlite*"))
    return {
        "photos": count,
        "build_s": seconds,
        "index_bytes": index_bytes,
        "catalog_bytes": catalog_bytes,
        "sample_paths": paths,
        "fake_root": fake_root,
    }


def _timed(cmd: list[str], runs: int, check_json: bool) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            sys.exit(f"error: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        if check_json:
            if not proc.stdout.strip():
                sys.exit(f"error: {' '.join(cmd)} printed nothing:\n{proc.stderr[-2000:]}")
            record = json.loads(proc.stdout.splitlines()[0])
            if len(record["results"]) != TOP:
                sys.exit(f"error: {' '.join(cmd)} gave {len(record['results'])} results")
    return {
        "runs": runs,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "first_s": times[0],
        "times_s": times,
    }


def bench_cli(count: int, runs: int, work: Path) -> dict[str, Any]:
    """End-to-end `python -m core.cli search/similar` on a synthetic library, process included."""
    lib = work / "library"
    info = build_library(lib, count)
    query = work / "query.jpg"
    _query_photo(query)
    photo = info["sample_paths"][len(info["sample_paths"]) // 2]
    py = sys.executable
    common = ["--library", str(lib), "--json", "--top", str(TOP)]
    cases = {
        "python -c pass": ([py, "-c", "pass"], False),
        "import core.cli": ([py, "-c", "import core.cli"], False),
        "search (new image, embeds)": ([py, "-m", "core.cli", "search", str(query), *common], True),
        "similar (library photo)": ([py, "-m", "core.cli", "similar", photo, *common], True),
    }
    out: dict[str, Any] = {"library": {k: v for k, v in info.items() if k != "sample_paths"}}
    out["cases"] = {}
    for name, (cmd, check) in cases.items():
        say(f"  {name} …")
        _timed(cmd, 1, check)  # warm the page cache and Python's bytecode cache
        out["cases"][name] = _timed(cmd, runs, check)
    # A reader that finds the index one batch behind the catalogue (an indexer is running)
    # repairs it in memory: that is the cost of a search during indexing.
    _one_batch_behind(lib, count)
    name = "similar, index 1 batch stale"
    say(f"  {name} …")
    cmd = [py, "-m", "core.cli", "similar", photo, *common]
    out["cases"][name] = _timed(cmd, runs, True)
    return out


def _one_batch_behind(folder: Path, count: int) -> None:
    """Commit 32 more photos to the catalogue without saving the index, as a running indexer."""
    import xxhash

    from core.catalog import Catalog, Embedded
    from core.embedder import load_manifest
    from core.library import CATALOG_NAME
    from core.paths import default_model_manifest
    from core.records import PhotoMeta

    catalog = Catalog(folder / CATALOG_NAME)
    try:
        root = catalog.roots()[0]
        gen = Generator(load_manifest(default_model_manifest()).dim, count + 32, seed=11)
        block = gen.block(count, count + 32)
        items = [
            Embedded(f"{root.path}/late/IMG_{i:06d}.jpg", root.id, 1, 1,
                     xxhash.xxh3_128_hexdigest(f"late-photo-{i}".encode()), v,
                     PhotoMeta(4000, 3000))
            for i, v in enumerate(block)
        ]  # fmt: skip
        catalog.write(items)
    finally:
        catalog.close()


# -- output ----------------------------------------------------------------------------------
def format_table(result: dict[str, Any]) -> str:
    synth, real = result["vectors"]["stats_at_1009"], result["vectors"]["real_stats_at_1009"]
    lines = [
        "synthetic vs real (shipped model, Oxford subset) at 1009 vectors: "
        + ", ".join(f"{k} {synth[k]:.3f}/{real[k]:.3f}" for k in real),
        "",
    ]
    for r in result["index"]:
        s = r["settings"]
        lines += [
            f"index {r['count']:,} x {r['dim']} ({s['dtype']}, M={s['connectivity']}, "
            f"ef_add={s['expansion_add']}, module ef_search={s['expansion_search']}): "
            f"build {r['build_s']:.1f} s ({r['build_rate']:,.0f}/s), save {r['save_s']:.2f} s, "
            f"file {r['file_bytes'] / 1e6:.1f} MB ({r['bytes_per_vector']:.0f} B/vector), "
            f"peak RSS {r['peak_rss_mb'] or 0:.0f} MB",
        ]
        head = (
            f"  {'open':<5} {'open s':>7} {'ef':>4} {'recall@10':>9} {'min':>5} {'first ms':>9} "
            f"{'mean ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
        )
        lines += [head, "  " + "-" * (len(head) - 2)]
        for mode, m in r["modes"].items():
            for ef, x in m["sweep"].items():
                ok = x["recall"] >= TARGET_RECALL and x["p95_ms"] < TARGET_LATENCY_MS
                lines.append(
                    f"  {mode:<5} {m['open_s']:>7.3f} {ef:>4} {x['recall']:>9.4f} "
                    f"{x['min_recall']:>5.2f} {x['first_ms']:>9.2f} {x['mean_ms']:>8.2f} "
                    f"{x['p50_ms']:>7.2f} {x['p95_ms']:>7.2f} {x['max_ms']:>7.2f}"
                    f"{'' if ok else '  (misses target)'}"
                )
        lines.append("")
    cli = result.get("cli")
    if cli:
        lib = cli["library"]
        lines.append(
            f"cold CLI on a synthetic library of {lib['photos']:,} photos "
            f"(built in {lib['build_s']:.1f} s; index {lib['index_bytes'] / 1e6:.1f} MB, "
            f"catalogue {lib['catalog_bytes'] / 1e6:.1f} MB), wall time per process:"
        )
        head = f"  {'command':<30} {'median s':>9} {'min s':>7} {'max s':>7} {'runs':>5}"
        lines += [head, "  " + "-" * (len(head) - 2)]
        for name, c in cli["cases"].items():
            lines.append(
                f"  {name:<30} {c['median_s']:>9.3f} {c['min_s']:>7.3f} {c['max_s']:>7.3f} "
                f"{c['runs']:>5}"
            )
        lines.append("")
    lines.append(
        f"targets: recall@10 >= {TARGET_RECALL}, p95 lookup < {TARGET_LATENCY_MS:.0f} ms; "
        "recall is against exact float32 search of the same vectors; queries are held out."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10k vectors, 5k-photo library")
    parser.add_argument("--sizes", default=None, help="comma list (default 100000,1000000)")
    parser.add_argument(
        "--dim",
        type=int,
        default=1280,
        help="vector dimension of the index benchmark (default 1280); the CLI library "
        "always uses the shipped model's",
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sweep", default=",".join(map(str, SWEEP)), help="expansion_search")
    parser.add_argument("--library-size", type=int, default=None, help="default 100000")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per CLI command")
    parser.add_argument("--no-index", action="store_true", help="skip the index benchmark")
    parser.add_argument("--no-cli", action="store_true", help="skip the cold CLI benchmark")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temp dir")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    try:
        sizes_text = args.sizes or ("10000" if args.quick else "100000,1000000")
        sizes = [int(s) for s in sizes_text.split(",") if s.strip()]
        sweep = tuple(int(s) for s in args.sweep.split(",") if s.strip())
    except ValueError:
        parser.error("--sizes and --sweep take comma lists of integers")
    library_size = args.library_size or (5000 if args.quick else 100_000)
    if min(sizes, default=1) < TOP or args.queries < 1 or library_size < 8:
        parser.error("sizes must be >= 10, queries >= 1, library size >= 8")

    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    temp = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="simili-search-")) if temp else args.workdir
    work.mkdir(parents=True, exist_ok=True)
    try:
        result: dict[str, Any] = {
            "benchmark": "search_bench",
            "quick": args.quick,
            "environment": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpu_count": os.cpu_count(),
                "load_average_before": load_before,
            },
            "index": [],
            "vectors": {
                "generator": "cone + low-rank bursts + noise (see Generator)",
                "stats_at_1009": neighbour_stats(Generator(args.dim, 1009).block(0, 1009)),
                "real_stats_at_1009": REAL_STATS,
            },
        }
        if not args.no_index:
            for count in sizes:
                result["index"].append(bench_index(count, args.dim, args.queries, sweep, work))
        if not args.no_cli:
            if (work / "library").exists():
                shutil.rmtree(work / "library")
            result["cli"] = bench_cli(library_size, max(1, args.runs), work)
    finally:
        if temp:
            shutil.rmtree(work, ignore_errors=True)
    # JSON object keys must be strings.
    for r in result["index"]:
        for m in r["modes"].values():
            m["sweep"] = {str(k): v for k, v in m["sweep"].items()}
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
