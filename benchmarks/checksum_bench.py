"""Cost of verifying the vector index file: a full xxh3 hash versus the stat check.

Builds a file the size of a saved 1M-vector index (256-d f16 plus the HNSW graph, ~660 MB by
default) and times a full verification from the page cache, and the per-open stat comparison
that readers use once a file has been verified.

    python benchmarks/checksum_bench.py [--vectors 1000000] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from core.index import file_checksum, file_stamp

# A saved index: f16 vectors (512 B at 256-d) plus ~16 neighbour links of 4 B on level 0,
# its per-node headers and upper levels: 660 MB measured at 1M (README, Scale).
BYTES_PER_VECTOR = 660


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    path = args.dir / "checksum_bench.usearch"
    size = args.vectors * BYTES_PER_VECTOR
    rng = np.random.default_rng(0)
    with path.open("wb") as f:
        chunk = rng.integers(0, 255, 8 << 20, dtype=np.uint8).tobytes()
        written = 0
        while written < size:
            part = chunk[: min(len(chunk), size - written)]
            f.write(part)
            written += len(part)
    try:
        file_checksum(path)  # warm the page cache, as after a save
        times = []
        for _ in range(3):
            t = time.perf_counter()
            file_checksum(path)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        for _ in range(1000):
            file_stamp(path)
        stat_us = (time.perf_counter() - t) * 1000
        mb = size / 1e6
        best = min(times)
        print(f"file {mb:.0f} MB ({args.vectors} vectors)")
        print(f"full xxh3-128 verification: {best * 1000:.0f} ms best of 3 ({mb / best:.0f} MB/s)")
        print(f"stat stamp comparison: {stat_us:.1f} us per open")
    finally:
        path.unlink()


if __name__ == "__main__":
    main()
