"""Consecutive frames of still scenes against the verifier: dev data outside the dupset.

The dupset's video frames come from four ViSP sequences, two per split. This checks three
others from the same Debian package (`visp-images-data`, fetched by `benchmarks/dupset.py`), which
neither split uses: `ellipse-1` and `line` (a real camera over a low-texture target) and
`mbt-depth/Castle-simu` (a rendered scene). Each frame is saved as a JPEG (q92) and as a
half-size JPEG (q80); the verifier then judges frame i against frames i+1..i+3 (full size and
half size, all false pairs: two captures) and each frame against its own half-size copy (true
pairs). Prints, per sequence and frame distance, how many pairs pass each strictness bar.

    python benchmarks/still_frames.py [--pkgs /work/data/pkgs] [--work /tmp/still_frames]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path

from PIL import Image

from core.duplicates import Thresholds

VISP = "visp-images-data/usr/share/visp-images-data/ViSP-images"
SEQUENCES = {
    "ellipse-1": "ellipse-1",
    "line": "line",
    "castle-simu": "mbt-depth/Castle-simu/Images",
}
STEPS = (1, 2, 3)


def build(frames: dict[str, list[Path]], work: Path) -> list[tuple[str, str, str, int]]:
    """Write each frame and its half-size copy; the (a, b, sequence, distance) pairs to judge.

    Distance 0 is a frame and its own copy (a true pair); a negative distance pairs a frame with
    the half-size copy of a later frame.
    """
    work.mkdir(parents=True, exist_ok=True)
    pairs: list[tuple[str, str, str, int]] = []
    for name, files in frames.items():
        full, half = [], []
        for i, source in enumerate(files):
            image = Image.open(source).convert("RGB")
            full.append(work / f"{name}_{i:03d}.jpg")
            half.append(work / f"{name}_{i:03d}_half.jpg")
            image.save(full[-1], quality=92)
            small = image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)
            small.save(half[-1], quality=80)
        for i in range(len(files)):
            pairs.append((str(full[i]), str(half[i]), name, 0))
            for d in STEPS:
                if i + d < len(files):
                    pairs.append((str(full[i]), str(full[i + d]), name, d))
                    pairs.append((str(full[i]), str(half[i + d]), name, -d))
    return pairs


def _judge(chunk: list[tuple[str, str, str, int]]) -> list[tuple[str, int, float]]:
    from core.verify import Verifier

    verifier = Verifier(cache=64)
    return [(name, d, verifier.verify(a, b).strength) for a, b, name, d in chunk]


def judge(pairs: list[tuple[str, str, str, int]], workers: int = 2) -> dict[str, dict]:
    """Per sequence and distance: pairs, and how many pass each strictness bar."""
    chunks = [pairs[i::workers] for i in range(workers)]
    if workers > 1:
        with Pool(workers) as pool:
            results = [r for part in pool.map(_judge, chunks) for r in part]
    else:
        results = _judge(pairs)
    t = Thresholds()
    table: dict[str, dict] = defaultdict(dict)
    for name, d, strength in results:
        row = table[name].setdefault(d, {"pairs": 0, "strict": 0, "normal": 0, "loose": 0})
        row["pairs"] += 1
        for level in ("strict", "normal", "loose"):
            row[level] += int(strength >= t.bar(level))
    return {name: dict(sorted(rows.items())) for name, rows in table.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pkgs", type=Path, default=Path("/work/data/pkgs"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/still_frames"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    root = args.pkgs / VISP
    frames = {n: sorted((root / sub).glob("*.pgm")) for n, sub in SEQUENCES.items()}
    if not all(frames.values()):
        raise SystemExit(f"ViSP sequences not found under {root}: python benchmarks/dupset.py")
    table = judge(build(frames, args.work), args.workers)
    print("sequence      distance  pairs  strict  normal  loose   (0: a frame and its copy)")
    for name, rows in table.items():
        for d, row in rows.items():
            kind = "copy" if d == 0 else ("next, half size" if d < 0 else "next")
            print(f"{name:12s} {d:+3d} {kind:16s} {row['pairs']:5d} {row['strict']:7d} "
                  f"{row['normal']:7d} {row['loose']:6d}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(table, indent=1))


if __name__ == "__main__":
    main()
