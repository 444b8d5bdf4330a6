"""What keep-best costs per group, by how far down its rules a group gets (12 MP JPEGs).

    python benchmarks/keeper_cost.py [--side 4000]

Metadata rules (resolution, edits, EXIF) open no file; the JPEG-quality rule reads two headers;
a group still tied after that decodes two ≤ 256 px drafts (frame check) and then two ≤ 512 px
grey decodes (sharpness).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from core.hashing import content_hash_file
from core.keeper import suggest_keeper
from core.keeper_measures import frame_defect, jpeg_quality
from core.records import DuplicateFile


def _photo(side: int) -> Image.Image:
    rng = np.random.default_rng(0)
    h = side * 3 // 4
    small = rng.integers(0, 255, (h // 50, side // 50, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((side, h), Image.Resampling.BICUBIC)


def _record(path: Path, content_hash: str | None = None) -> DuplicateFile:
    st = path.stat()
    with Image.open(path) as image:
        w, h = image.size
    digest = content_hash or content_hash_file(path)
    return DuplicateFile(str(path), st.st_size, w, h, "JPEG", content_hash=digest, mtime=1e9)


def _ms(fn: Callable[[], object], runs: int) -> float:
    start = time.perf_counter()
    for _ in range(runs):
        fn()
    return (time.perf_counter() - start) / runs * 1000


def main() -> None:
    """Print milliseconds per file and per two-file group for each depth of the rules."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=4000, help="long side of the test JPEGs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        a, b, c = (Path(tmp) / n for n in ("a.jpg", "b.jpg", "c.jpg"))
        photo = _photo(args.side)
        photo.save(a, quality=92)
        photo.save(b, quality=80)
        photo.save(c, quality=92)
        for p in (a, b, c):
            os.utime(p, (1e9, 1e9))
        ra, rb = _record(a), _record(b)
        rc = _record(c, content_hash="not-a")  # same bytes, told apart: reaches every rule
        edited = DuplicateFile(rb.path, rb.size, rb.width, rb.height, "JPEG", edits=("grey",))
        print(f"JPEG header quality   {_ms(lambda: jpeg_quality(str(a)), 50):7.2f} ms/file")
        print(f"draft frame check     {_ms(lambda: frame_defect(str(a)), 10):7.2f} ms/file")
        print(
            f"decided by edits      {_ms(lambda: suggest_keeper([ra, edited]), 500):7.3f} ms/group"
        )
        print(f"decided by quality    {_ms(lambda: suggest_keeper([ra, rb]), 50):7.2f} ms/group")
        print(f"every rule (worst)    {_ms(lambda: suggest_keeper([ra, rc]), 5):7.2f} ms/group")


if __name__ == "__main__":
    main()
