"""Does "Same photo" in search results mean the same capture? Score alone vs verified, side by side.

Each sampled photo of a labelled library is searched with its own file (`core.search.similar`,
the photo itself left out); among its top K results, a result is truly "same" when the truth
puts it in the query's group of edited copies. Printed per way of deciding:

- precision: of the results labelled "same", how many are copies of the query;
- recall: of the query's copies among the top K results, how many are labelled "same";
- false "same" by photo kind (video frames, screenshots, ...) and ms per query.

"score" is the manifest's cosine cut-off alone (core/levels.py); "verified" is what search does
(core/same_photo.py). Nothing here is tuned: the verifier's bar and the candidate floor are the
duplicate finder's, chosen on the dupset tune split; report it on the holdout split.

    python benchmarks/same_level_bench.py --library LIB --truth /work/data/dupset/holdout/truth.json
    python benchmarks/same_level_bench.py --library LIB_OXFORD   # distinct photos: no truth
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from core.levels import SAME  # noqa: E402
from core.library import Library  # noqa: E402
from core.search import similar  # noqa: E402


def _truth(path: Path | None) -> tuple[dict[str, int], dict[str, str]]:
    """File name → group number, file name → photo kind (empty without a truth file)."""
    if path is None:
        return {}, {}
    data = json.loads(path.read_text(encoding="utf-8"))
    group = {name: n for n, members in enumerate(data["groups"]) for name in members}
    kind = {name: str(info.get("kind", "")) for name, info in data["files"].items()}
    return group, kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, required=True, help="an indexed library")
    parser.add_argument("--truth", type=Path, default=None, help="dupset truth.json")
    parser.add_argument("--queries", type=int, default=300, help="sampled queries")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    group, kind = _truth(args.truth)
    stats = {way: Counter() for way in ("score", "verified")}
    false_kinds = {way: Counter() for way in ("score", "verified")}
    seconds = dict.fromkeys(("score", "verified"), 0.0)
    with Library(args.library) as library:
        paths = sorted(f.path for f in library.catalog.indexed_files())
        sample = random.Random(args.seed).sample(paths, min(args.queries, len(paths)))
        for n, query in enumerate(sample):
            q = Path(query).name
            for way in ("score", "verified"):
                t0 = time.perf_counter()
                found = similar(library, query, args.top, confirm=way == "verified")
                seconds[way] += time.perf_counter() - t0
                for m in found:
                    name = Path(m.path).name
                    # Without truth, only a file of the same name (a copy elsewhere) is one.
                    true = group.get(name) == group[q] if q in group else name == q
                    said = m.level == SAME
                    stats[way][("tp" if true else "fp") if said else ("fn" if true else "tn")] += 1
                    if said and not true:
                        false_kinds[way][kind.get(name, "photo")] += 1
            if (n + 1) % 50 == 0:
                print(f"  {n + 1}/{len(sample)} queries", file=sys.stderr, flush=True)
    print(f"{args.library}: {len(sample)} queries, top {args.top}")
    print(f"{'way':<10} {'precision':>9} {'recall':>7} {'same':>6} {'false':>6}  ms/query")
    for way, c in stats.items():
        said = c["tp"] + c["fp"]
        copies = c["tp"] + c["fn"]
        precision = f"{c['tp'] / said:.3f}" if said else "-"
        recall = f"{c['tp'] / copies:.3f}" if copies else "-"
        ms = 1000 * seconds[way] / max(len(sample), 1)
        print(f"{way:<10} {precision:>9} {recall:>7} {said:>6} {c['fp']:>6}  {ms:.0f}")
    for way, kinds in false_kinds.items():
        print(f"false 'same' by kind ({way}): {dict(kinds.most_common()) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
