"""What the catalogue's damage checks and backups cost at library scale (synthetic rows).

    python benchmarks/catalog_health_bench.py [--photos 100000]

Prints the catalogue size, the open-time checks (header, budgeted quick_check), a full
quick_check and integrity_check (run on a database error and on a backup before restoring it),
and one online backup with its own quick_check (after each full index run).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from core.backup import backup_catalog
from core.catalog import Catalog, Embedded, create_catalog
from core.integrity import check_catalog, header_problem, quick_check
from core.records import PhotoMeta


def _build(path: Path, photos: int) -> None:
    create_catalog(path)
    catalog = Catalog(path)
    root = catalog.add_root("/photos")
    rng = np.random.default_rng(0)
    for start in range(0, photos, 2000):
        items = []
        for i in range(start, min(photos, start + 2000)):
            vector = rng.standard_normal(256).astype(np.float32)
            items.append(
                Embedded(f"/photos/{i // 500:04d}/IMG_{i:06d}.jpg", root.id, 3_000_000 + i,
                         1_700_000_000_000_000_000 + i, f"{i:032x}", vector,
                         PhotoMeta(4000, 3000, "2024:01:01 10:00:00", 1, "Camera", i))
            )  # fmt: skip
        catalog.write(items)
    catalog.close()


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="simili-health-"))
    try:
        path = folder / "catalog.sqlite"
        _build(path, args.photos)
        size = sum(f.stat().st_size for f in folder.glob("catalog.sqlite*")) / 1e6
        print(f"catalogue: {args.photos} photos, {size:.0f} MB")
        print(f"header check:            {_time(lambda: header_problem(path)):8.2f} ms")
        print(f"open (budgeted check):   {_time(lambda: Catalog(path).close()):8.1f} ms")

        def full_quick() -> None:
            db = sqlite3.connect(path)
            quick_check(db, 3600.0)
            db.close()

        print(f"quick_check, in full:    {_time(full_quick):8.1f} ms")
        print(f"integrity_check:         {_time(lambda: check_catalog(path), 1):8.1f} ms")
        catalog = Catalog(path)
        backup_ms = _time(lambda: backup_catalog(catalog.db, folder))
        print(f"backup + its check:      {backup_ms:8.1f} ms")
        catalog.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
