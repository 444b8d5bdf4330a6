"""Decode-only vs full indexing throughput on the same photos (target: indexing >= 0.85x decode)."""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

# Light imports only at module level: spawned decode workers re-import this (main) module, and
# they must not pay for onnxruntime/usearch here when the real CLI's workers would not either.
from core.decode import Prepared  # noqa: E402
from core.decode_worker import init_worker, work  # noqa: E402
from core.hashing import HashPrefixSet  # noqa: E402
from core.records import Problem  # noqa: E402

BENCHDATA = REPO.parent / "shared" / "benchdata"
SOURCE_DIR = BENCHDATA / "oxford5k_subset" / "images"
FORMAT_VERSION = 1  # bump when the generated photos change, so a kept --workdir is rebuilt
BIG_SIZE = (4000, 3000)
NOISE_SIGMA = 6.0  # ~2.5-3.5 MB per 12 MP JPEG at q90, in the range of phone photos
EMBED_BATCH = 32
EMBED_MIN_PHOTOS = 128  # the embed-only timing repeats pixels up to this many photos
TARGET_RATIO = 0.85


# -- photo sets ------------------------------------------------------------------------------
def _sources() -> list[Path]:
    if not SOURCE_DIR.is_dir():
        sys.exit(
            f"error: {SOURCE_DIR} not found; this benchmark needs ../shared/benchdata "
            "(the Oxford5k subset) beside the repository"
        )
    files = sorted(p for p in SOURCE_DIR.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    if not files:
        sys.exit(f"error: no JPEG photos in {SOURCE_DIR}")
    return files


def _make_big(task: tuple[str, str, int]) -> int:
    """One 12 MP JPEG from a small real photo: LANCZOS upscale, mild noise, q90, EXIF."""
    source, target, seed = task
    with Image.open(source) as im:
        image = im.convert("RGB")
    w, h = image.size
    out_w, out_h = BIG_SIZE if w >= h else BIG_SIZE[::-1]
    # Crop to 4:3 first so the upscale does not distort the scene.
    want = out_w / out_h
    if w / h > want:
        crop_w = round(h * want)
        image = image.crop(((w - crop_w) // 2, 0, (w - crop_w) // 2 + crop_w, h))
    else:
        crop_h = round(w / want)
        image = image.crop((0, (h - crop_h) // 2, w, (h - crop_h) // 2 + crop_h))
    big = np.asarray(image.resize((out_w, out_h), Image.Resampling.LANCZOS), np.float32)
    rng = np.random.default_rng(seed)
    big += rng.standard_normal(big.shape, dtype=np.float32) * NOISE_SIGMA
    np.clip(big, 0, 255, out=big)
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"  # Make
    exif[0x0110] = "BenchCam 12"  # Model
    exif[0x0132] = f"2024:05:{1 + seed % 28:02d} 12:00:00"  # DateTime
    tmp = Path(target + ".tmp")
    Image.fromarray(big.astype(np.uint8)).save(tmp, "JPEG", quality=90, exif=exif)
    tmp.replace(target)
    return Path(target).stat().st_size


def _build_set(name: str, folder: Path, count: int, workers: int) -> list[Path]:
    """Create (or reuse) a photo set; returns its files, sorted."""
    sources = _sources()
    stamp = folder / "set.json"
    meta = {"name": name, "count": count, "version": FORMAT_VERSION}
    if stamp.is_file():
        with contextlib.suppress(ValueError, OSError):
            if json.loads(stamp.read_text(encoding="utf-8")) == meta:
                files = sorted(folder.glob("*.jpg"))
                if len(files) == count:
                    return files
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(12345)
    order = [sources[i] for i in rng.permutation(len(sources))]
    started = time.perf_counter()
    if name == "small":
        if count > len(order):
            say(f"note: only {len(order)} source photos; small set capped")
            count = meta["count"] = len(order)
        for i, src in enumerate(order[:count]):
            shutil.copyfile(src, folder / f"small_{i:05d}_{src.name}")
    else:
        tasks = [
            (str(order[i % len(order)]), str(folder / f"big_{i:05d}.jpg"), 1000 + i)
            for i in range(count)
        ]
        say(f"making {count} 12 MP JPEGs in {folder} …")
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx) as ex:
            list(ex.map(_make_big, tasks, chunksize=1))
        say(f"  done in {time.perf_counter() - started:.1f} s")
    stamp.write_text(json.dumps(meta), encoding="utf-8")
    return sorted(folder.glob("*.jpg"))


def say(text: str) -> None:
    """Progress on stderr, so that stdout holds only the table or the JSON."""
    print(text, file=sys.stderr, flush=True)


def _warm_cache(files: list[Path]) -> None:
    """Read every file once so the measurements see the page cache, not the disk."""
    for path in files:
        with path.open("rb") as f:
            while f.read(1 << 24):
                pass


# -- measurements ----------------------------------------------------------------------------
@dataclass
class DecodeRun:
    seconds: float
    photos: int
    problems: int
    pixels: list[np.ndarray] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> float:
        return self.photos / self.seconds


def decode_only(files: list[Path], size: int, workers: int, keep_pixels: bool) -> DecodeRun:
    """The indexer's decode stage alone: same pool, same worker function, same look-ahead.

    Like core.pipeline._embed_jobs, it decodes in this process when workers is 0, in a spawn
    pool of one process when there are fewer than POOL_THRESHOLD files, else of `workers`.
    """
    from core.pipeline import BATCH, POOL_THRESHOLD  # parent only; workers never import it

    pixels: list[np.ndarray] = []
    problems = 0

    def take(result: Prepared | Problem) -> None:
        nonlocal problems
        if isinstance(result, Problem):
            problems += 1
            say(f"  decode problem: {result.path}: {result.reason}")
        elif keep_pixels and result.pixels is not None:
            pixels.append(result.pixels)

    started = time.perf_counter()
    if workers > 0 and len(files) < POOL_THRESHOLD:
        workers = 1
    if workers == 0:
        init_worker(size, HashPrefixSet())
        for path in files:
            take(work(str(path)))
    else:
        window = max(2 * BATCH, 8 * workers)  # as in core.pipeline._embed_jobs
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=init_worker, initargs=(size, HashPrefixSet(), True)
        ) as executor:
            queue = deque(str(f) for f in files)
            inflight: set[Future] = set()
            while queue or inflight:
                while queue and len(inflight) < window:
                    inflight.add(executor.submit(work, queue.popleft()))
                done, inflight = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    take(future.result())
    seconds = time.perf_counter() - started
    return DecodeRun(seconds, len(files), problems, pixels)


def decode_mode(count: int, workers: int) -> str:
    """How the indexer decodes this many files: a process pool, or inline."""
    from core.pipeline import POOL_THRESHOLD

    if workers == 0:
        return "inline"
    return f"pool x{workers if count >= POOL_THRESHOLD else 1}"


def index_run(
    photo_dir: Path, library_dir: Path, expected: int, workers: int, ort_threads: int = 0
) -> dict[str, Any]:
    """`simili index` in-process: fresh library, index_library over the folder, timed whole."""
    from core.library import Library
    from core.pipeline import index_library

    shutil.rmtree(library_dir, ignore_errors=True)
    started = time.perf_counter()
    library = Library(library_dir, writer=True, threads=ort_threads)
    try:
        report = index_library(library, [str(photo_dir)], workers=workers)
        seconds = time.perf_counter() - started
        embedder = library.embedder
        info = {
            "provider": embedder.provider,
            "intra_op_threads": _ort_threads(embedder),
        }
    finally:
        library.close()
        shutil.rmtree(library_dir, ignore_errors=True)
    done = report.added + report.changed + report.reused
    if done != expected or report.problems:
        say(f"  warning: indexed {done} of {expected} photos, {len(report.problems)} problems")
    return {
        "seconds": seconds,
        "report_seconds": report.seconds,
        "photos": done,
        "rate": done / seconds,
        "problems": len(report.problems),
        **info,
    }


def cli_index_run(
    photo_dir: Path, library_dir: Path, expected: int, workers: int
) -> dict[str, Any]:
    """The real `python -m core.cli index` as a subprocess (process start and imports included)."""
    shutil.rmtree(library_dir, ignore_errors=True)
    cmd = [sys.executable, "-m", "core.cli", "index", str(photo_dir), "--library", str(library_dir)]
    cmd += ["--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    shutil.rmtree(library_dir, ignore_errors=True)
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return {"seconds": seconds, "rate": expected / seconds}


def _ort_threads(embedder: Any) -> int | None:
    """intra_op_num_threads of the session (0 = ONNX Runtime's default: one per core)."""
    session = getattr(embedder, "_session", None)
    try:
        return int(session.get_session_options().intra_op_num_threads)  # type: ignore[union-attr]
    except Exception:
        return None


def embed_only(pixels: list[np.ndarray], ort_threads: int = 0) -> dict[str, Any]:
    """The model alone on prepared pixels, batches of 32 as in the indexer."""
    from core.embedder import Embedder, load_manifest
    from core.paths import default_model_manifest

    if not pixels:
        return {"rate": float("nan"), "photos": 0}
    reps = -(-EMBED_MIN_PHOTOS // len(pixels))
    stack = np.stack((pixels * reps)[: max(len(pixels), EMBED_MIN_PHOTOS)])
    embedder = Embedder(load_manifest(default_model_manifest()), threads=ort_threads)
    embedder.embed(stack[:EMBED_BATCH])  # first run allocates and tunes
    started = time.perf_counter()
    for start in range(0, len(stack), EMBED_BATCH):
        embedder.embed(stack[start : start + EMBED_BATCH])
    seconds = time.perf_counter() - started
    return {
        "rate": len(stack) / seconds,
        "photos": len(stack),
        "ms_per_photo": 1000 * seconds / len(stack),
        "provider": embedder.provider,
        "intra_op_threads": _ort_threads(embedder),
    }


def run_set(
    name: str,
    files: list[Path],
    workdir: Path,
    size: int,
    workers: int,
    repeat: int,
    with_cli: bool,
    ort_threads: int = 0,
) -> dict[str, Any]:
    """decode-only, then (index, [cli index], decode-only) x repeat, then embed-only."""
    photo_dir = files[0].parent
    total_mb = sum(f.stat().st_size for f in files) / 1e6
    mode = decode_mode(len(files), workers)
    say(f"[{name}] {len(files)} photos, {total_mb:.0f} MB, decoding {mode}")

    _warm_cache(files)
    decodes = [decode_only(files, size, workers, keep_pixels=True)]
    say(f"  decode-only: {decodes[0].rate:.1f}/s")
    pixels = decodes[0].pixels
    decodes[0].pixels = []
    indexes: list[dict[str, Any]] = []
    clis: list[dict[str, Any]] = []
    for _ in range(repeat):
        _warm_cache(files)
        indexes.append(
            index_run(photo_dir, workdir / f"library-{name}", len(files), workers, ort_threads)
        )
        say(f"  index: {indexes[-1]['rate']:.1f}/s")
        if with_cli:
            _warm_cache(files)
            clis.append(
                cli_index_run(photo_dir, workdir / f"library-{name}-cli", len(files), workers)
            )
            say(f"  cli index: {clis[-1]['rate']:.1f}/s")
        _warm_cache(files)
        decodes.append(decode_only(files, size, workers, keep_pixels=False))
        say(f"  decode-only: {decodes[-1].rate:.1f}/s")

    embedded = embed_only(pixels, ort_threads)
    say(f"  embed-only: {embedded['rate']:.1f}/s")

    decode_rate = float(np.mean([d.rate for d in decodes]))
    index_rate = float(np.mean([r["rate"] for r in indexes]))
    result: dict[str, Any] = {
        "set": name,
        "photos": len(files),
        "megabytes": round(total_mb, 1),
        "decode_mode": mode,
        "decode_only": {
            "rate": decode_rate,
            "runs": [
                {"seconds": r.seconds, "photos": r.photos, "problems": r.problems, "rate": r.rate}
                for r in decodes
            ],
        },
        "index": {"rate": index_rate, "runs": indexes},
        "ratio": index_rate / decode_rate,
        "embed_only": embedded,
        # With the CPU provider the model and the decoders share the cores: a photo then costs
        # 1/D + 1/E of the whole machine, so index/decode cannot exceed E / (D + E).
        "cpu_shared_bound": (
            embedded["rate"] / (decode_rate + embedded["rate"])
            if embedded.get("provider") == "CPUExecutionProvider"
            else None
        ),
    }
    if clis:
        cli_rate = float(np.mean([r["rate"] for r in clis]))
        result["cli_index"] = {"rate": cli_rate, "runs": clis}
        result["cli_ratio"] = cli_rate / decode_rate
    return result


# -- output ----------------------------------------------------------------------------------
def format_table(result: dict[str, Any]) -> str:
    env = result["environment"]
    lines = [
        f"cpus {env['cpu_count']}, decode workers {env['workers']}, model input {env['size']} px, "
        f"ONNX {env['provider']} (intra-op threads {env['intra_op_threads']}; 0 = one per core)",
        "",
    ]
    cli = any("cli_index" in s for s in result["sets"])
    head = f"{'set':<6} {'photos':>6} {'MB':>7} {'decoding':>8} {'decode-only/s':>14}"
    head += f" {'index/s':>8} {'ratio':>6} {'bound':>6}"
    head += f" {'embed-only/s':>13}" + (f" {'cli index/s':>12} {'cli ratio':>9}" if cli else "")
    lines += [head, "-" * len(head)]
    for s in result["sets"]:
        runs = ", ".join(f"{r['rate']:.1f}" for r in s["decode_only"]["runs"])
        line = (
            f"{s['set']:<6} {s['photos']:>6} {s['megabytes']:>7.0f} {s['decode_mode']:>8} "
            f"{s['decode_only']['rate']:>14.1f} {s['index']['rate']:>8.1f} {s['ratio']:>6.2f} "
            f"{_num(s['cpu_shared_bound']):>6} {s['embed_only']['rate']:>13.1f}"
        )
        if cli:
            line += f" {s['cli_index']['rate']:>12.1f} {s['cli_ratio']:>9.2f}"
        flag = "ok" if s["ratio"] >= TARGET_RATIO else f"below {TARGET_RATIO}"
        line += f"   ({flag}; decode runs {runs})"
        lines.append(line)
    lines += [
        "",
        "decode-only: mean of the runs before and after each indexing run, pool start included;",
        "index: fresh library + index_library, Library open to final index save (mean of runs);",
        "decoding: a one-process pool when a set is below core.pipeline.POOL_THRESHOLD files,",
        "as the indexer does ('inline' only with --workers 0);",
        f"embed-only: Embedder.embed on batches of {EMBED_BATCH}, pixels repeated to "
        f">= {EMBED_MIN_PHOTOS} photos;",
        "bound: embed/(decode+embed), the best ratio possible when the model runs on the same",
        "CPU cores as the decoders (CPU provider; '-' otherwise).",
    ]
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="16 x 12 MP and 48 small photos")
    parser.add_argument("--big", type=int, default=None, help="12 MP photos (default 120)")
    parser.add_argument("--small", type=int, default=None, help="small photos (default 600)")
    parser.add_argument("--sets", default="12mp,small", help="comma list of: 12mp, small")
    parser.add_argument("--workdir", type=Path, default=None, help="keep/reuse photos here")
    parser.add_argument("--workers", type=int, default=None, help="default: default_workers()")
    parser.add_argument(
        "--ort-threads",
        type=int,
        default=0,
        help="ONNX intra-op threads for index and embed-only (Library threads=; default 0: "
        "ONNX Runtime's own default); the --cli run always uses the default",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="index runs per set, each followed by a decode run"
    )
    parser.add_argument(
        "--cli", action="store_true", help="also time `python -m core.cli index` as a subprocess"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    from core.embedder import load_manifest
    from core.paths import default_model_manifest
    from core.pipeline import default_workers

    counts = {
        "12mp": args.big if args.big is not None else (16 if args.quick else 120),
        "small": args.small if args.small is not None else (48 if args.quick else 600),
    }
    wanted = [s.strip() for s in args.sets.split(",") if s.strip()]
    if not wanted or any(s not in counts for s in wanted):
        parser.error("--sets takes a comma list of: 12mp, small")
    _sources()  # exits with a clear message when the benchmark data is absent
    workers = default_workers() if args.workers is None else args.workers
    repeat = max(1, args.repeat)
    size = load_manifest(default_model_manifest()).size

    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    temp = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="simili-throughput-")) if temp else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        sets = []
        for name in wanted:
            files = _build_set(name, workdir / name, counts[name], max(1, workers))
            sets.append(
                run_set(name, files, workdir, size, workers, repeat, args.cli, args.ort_threads)
            )
    finally:
        if temp:
            shutil.rmtree(workdir, ignore_errors=True)
    embed = sets[0]["embed_only"]
    result = {
        "benchmark": "index_throughput",
        "quick": args.quick,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "workers": workers,
            "size": size,
            "provider": embed.get("provider"),
            "intra_op_threads": embed.get("intra_op_threads"),
            "load_average_before": load_before,
        },
        "target_ratio": TARGET_RATIO,
        "sets": sets,
    }
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
