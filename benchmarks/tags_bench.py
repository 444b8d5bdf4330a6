"""Search by words: precision@10 and recall@50 per keyword on hand-labelled photos, and tag cost.

The labels (benchmarks/keywords.json) name what is visible in 285 Oxford photos; nothing was
tuned on them. The photos are copied to a temporary folder (never into the repo), indexed with
the shipped model (vectors and tags in one pass), then each keyword is searched as a user
would type it. Then the tags are forgotten and made again by the background tagger, which
gives the cost of tagging a library indexed before tags.

Usage: python benchmarks/tags_bench.py [--benchdata ../shared/benchdata] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from core.library import Library  # noqa: E402
from core.pipeline import index_library  # noqa: E402
from core.tagging import tag_missing  # noqa: E402
from core.text_search import text_matches  # noqa: E402

LABELS = REPO / "benchmarks" / "keywords.json"
DEFAULT_BENCHDATA = REPO.parent / "shared" / "benchdata"


def _copy_photos(benchdata: Path, photos: list[str], folder: Path) -> dict[str, str]:
    """Copy the labelled photos under neutral names (file names must not give the answer)."""
    folder.mkdir(parents=True)
    names: dict[str, str] = {}
    for i, rel in enumerate(photos):
        target = folder / f"photo{i:04d}{Path(rel).suffix}"
        shutil.copyfile(benchdata / rel, target)
        names[str(target)] = rel
    return names


def run(benchdata: Path, work: Path) -> int:
    """Index, search every keyword, print the table and the cost."""
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    photos = sorted(labels["photos"])
    names = _copy_photos(benchdata, photos, work / "photos")
    with Library(work / "library", writer=True) as library:
        started = time.perf_counter()
        index_library(library, [str(work / "photos")], workers=1)
        index_s = time.perf_counter() - started
        print(f"{len(photos)} labelled photos; indexed with tags in {index_s:.1f} s")
        print("| keyword | photos with it | precision@10 | recall@50 |")
        print("|---|---|---|---|")
        p10s, r50s = [], []
        for keyword in labels["keywords"]:
            relevant = {p for p, words in labels["photos"].items() if keyword in words}
            ranked = [names[m.path] for m in text_matches(library, keyword)]
            if len(relevant) < 3:
                print(f"| {keyword} | {len(relevant)} | too few to measure | |")
                continue
            top10 = ranked[:10]
            p10 = sum(p in relevant for p in top10) / 10
            r50 = sum(p in relevant for p in ranked[:50]) / len(relevant)
            p10s.append(p10)
            r50s.append(r50)
            print(f"| {keyword} | {len(relevant)} | {p10:.2f} | {r50:.2f} |")
        print(
            f"| **mean of {len(p10s)}** | | **{sum(p10s) / len(p10s):.2f}** | "
            f"**{sum(r50s) / len(r50s):.2f}** |"
        )
        with library.catalog.transaction():
            library.catalog.db.execute("DELETE FROM tags")
            library.catalog.db.execute("DELETE FROM tagged")
        started = time.perf_counter()
        tagged = tag_missing(library)
        tag_s = time.perf_counter() - started
        print(
            f"background tagging of an indexed library: {tagged} photos in {tag_s:.1f} s "
            f"({1000 * tag_s / max(tagged, 1):.1f} ms a photo: decode + one model pass)"
        )
    return 0


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--benchdata", type=Path, default=DEFAULT_BENCHDATA)
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    if args.work:
        return run(args.benchdata, args.work)
    with tempfile.TemporaryDirectory() as tmp:
        return run(args.benchdata, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
