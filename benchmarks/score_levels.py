"""Calibrate what a score means for the shipped model and write the levels into its manifest.

Levels (core/levels.py): `same` (an edited copy of the same photo), `similar` (the same scene
or object), `related` (looks alike), `unrelated`. Every pair of photos in a labelled library is
scored with the catalogue's vectors (the model's own output; nothing is re-embedded):

- `same` is tuned on the dupset *tune* split: the threshold with the best F1 for "edited copy of
  the same capture" against every other pair (including same-landmark photos, bursts, re-shoots).
- `similar` is tuned on half of the oxford5k_subset landmarks (every other group): the best F1
  for "same landmark" (good/ok, junk ignored) over all (query, photo) pairs of those queries.
- `related` is the score above which RELATED_RECALL of those same-landmark pairs lie: below it
  a result is hidden behind "Show more", so few true matches may fall there.

Reported, untouched by the tuning: the other half of the landmarks, the dupset *holdout* split
and neardup_dev.

    python benchmarks/score_levels.py             # print the table
    python benchmarks/score_levels.py --write     # and write the levels into the manifest
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from core.catalog import Catalog  # noqa: E402
from core.embedder import load_manifest  # noqa: E402
from core.levels import Levels  # noqa: E402
from core.paths import default_model_manifest  # noqa: E402

LIBS = Path("/work/data/libs")
OXFORD = REPO.parent / "shared" / "benchdata" / "oxford5k_subset"
if not OXFORD.is_dir():
    OXFORD = Path("/work/shared/benchdata/oxford5k_subset")
DUPSET = Path("/work/data/dupset")
NEARDUP = OXFORD.parent / "neardup_dev"
RELATED_RECALL = 0.95
BINS = np.linspace(-1.0, 1.0, 4001)  # score histogram, 0.0005 wide


@dataclass
class Pairs:
    """Score histograms of true and false pairs of one kind."""

    name: str
    true: np.ndarray
    false: np.ndarray

    def counts_at_least(self, threshold: float) -> tuple[int, int]:
        """(true pairs, false pairs) scoring at or above the threshold."""
        cut = int(np.searchsorted(BINS, threshold, side="left"))
        return int(self.true[cut:].sum()), int(self.false[cut:].sum())

    def precision_recall(self, threshold: float) -> tuple[float, float]:
        """Precision and recall of "score >= threshold" for the true pairs."""
        hit, false = self.counts_at_least(threshold)
        total = int(self.true.sum())
        return hit / max(1, hit + false), hit / max(1, total)

    def best_f1(self) -> float:
        """The threshold (a bin edge) with the best F1."""
        tp = np.cumsum(self.true[::-1])[::-1]
        fp = np.cumsum(self.false[::-1])[::-1]
        f1 = 2 * tp / np.maximum(1, 2 * tp + fp + (self.true.sum() - tp))
        return float(BINS[int(np.argmax(f1))])

    def recall_floor(self, recall: float) -> float:
        """The highest threshold keeping at least `recall` of the true pairs."""
        tp = np.cumsum(self.true[::-1])[::-1] / max(1, self.true.sum())
        return float(BINS[int(np.flatnonzero(tp >= recall)[-1])])


def _library_vectors(folder: Path) -> dict[str, np.ndarray]:
    """File name (without folders) -> vector, for every indexed file of a library."""
    catalog = Catalog(folder / "catalog.sqlite", readonly=True)
    keys, vectors = catalog.vectors(256)
    by_key = dict(zip((int(k) for k in keys), vectors, strict=True))
    paths = catalog.paths_for_keys(by_key)
    catalog.close()
    return {Path(p).name: by_key[k] for k, files in paths.items() for p in files}


def _histograms(name: str, labels: list[int], vectors: np.ndarray, queries: list[int]) -> Pairs:
    """Every (query, other photo) pair: true when both share a label >= 0; label -2 ignored."""
    lab = np.asarray(labels)
    bins = len(BINS) - 1
    true = np.zeros(bins, np.int64)
    false = np.zeros(bins, np.int64)
    for start in range(0, len(queries), 512):
        rows = np.asarray(queries[start : start + 512])
        scores = vectors[rows] @ vectors.T  # [rows, photos]
        cells = np.clip(((scores + 1.0) / 2.0 * bins).astype(np.int64), 0, bins - 1)
        same = (lab[None, :] == lab[rows, None]) & (lab[rows, None] >= 0)
        keep = np.ones_like(same)
        keep[np.arange(len(rows)), rows] = False
        true += np.bincount(cells[keep & same], minlength=bins)
        false += np.bincount(cells[keep & ~same & (lab[None, :] != -2)], minlength=bins)
    return Pairs(name, true, false)


def oxford_pairs(half: int) -> Pairs:
    """Same-landmark pairs for queries from every other landmark group (half 0 or 1)."""
    truth = json.loads((OXFORD / "groundtruth.json").read_text(encoding="utf-8"))
    details = json.loads((OXFORD / "groundtruth_details.json").read_text(encoding="utf-8"))
    by_name = _library_vectors(LIBS / "lib_oxford5k_subset")
    names = sorted(by_name)
    stems = [Path(n).stem for n in names]
    vectors = np.stack([by_name[n] for n in names])
    groups = [g for i, g in enumerate(truth["groups"]) if i % 2 == half]
    group_names = [n for i, n in enumerate(details["group_names"]) if i % 2 == half]
    queries: list[int] = []
    pairs_true = np.zeros(len(BINS) - 1, np.int64)
    pairs_false = np.zeros(len(BINS) - 1, np.int64)
    for group, gname in zip(groups, group_names, strict=True):
        junk = set(details["junk"].get(gname, []))
        labels = [0 if s in group else (-2 if s in junk else -1) for s in stems]
        members = [i for i, s in enumerate(stems) if s in group]
        queries += members
        part = _histograms(gname, labels, vectors, members)
        pairs_true += part.true
        pairs_false += part.false
    return Pairs(f"oxford landmarks half {half}", pairs_true, pairs_false)


def dupset_pairs(split: str) -> Pairs:
    """Edited-copy pairs (one capture) against every other pair of a dupset split."""
    truth = json.loads((DUPSET / split / "truth.json").read_text(encoding="utf-8"))
    by_name = _library_vectors(LIBS / f"lib_dupset_{split}")
    group_of = {f: i for i, g in enumerate(truth["groups"]) for f in g}
    names = sorted(n for n in by_name if n in truth["files"])
    labels = [group_of.get(n, -1) for n in names]
    vectors = np.stack([by_name[n] for n in names])
    return _histograms(f"dupset {split}", labels, vectors, list(range(len(names))))


def neardup_pairs() -> Pairs:
    """Edited-copy pairs of neardup_dev (50 originals x 15 edits, hard negatives)."""
    truth = json.loads((NEARDUP / "groundtruth.json").read_text(encoding="utf-8"))
    by_name = _library_vectors(LIBS / "lib_neardup_dev")
    group_of = {Path(f).name: i for i, g in enumerate(truth["groups"]) for f in g}
    names = sorted(by_name)
    labels = [group_of.get(n, -1) for n in names]
    vectors = np.stack([by_name[n] for n in names])
    return _histograms("neardup_dev", labels, vectors, list(range(len(names))))


def calibrate(tune_same: Pairs, tune_scene: Pairs) -> tuple[Levels, dict[str, str]]:
    """The levels, from the tuning data only."""
    levels = Levels(
        same=round(tune_same.best_f1(), 4),
        similar=round(tune_scene.best_f1(), 4),
        related=round(tune_scene.recall_floor(RELATED_RECALL), 4),
    )
    how = {
        "script": "python benchmarks/score_levels.py --write",
        "same": "best F1 of edited-copy pairs vs all other pairs, dupset tune split",
        "similar": "best F1 of same-landmark pairs (good/ok, junk ignored), oxford5k_subset "
        "landmark groups 1, 3, 5, 7, 9 (all_souls, balliol, christ_church, hertford, "
        "radcliffe_camera)",
        "related": f"{RELATED_RECALL:.0%} of those same-landmark pairs score at or above it",
        "held_out": "oxford landmark groups 2, 4, 6, 8; dupset holdout; neardup_dev",
    }
    return levels, how


def report(levels: Levels, tune_same: Pairs, tune_scene: Pairs) -> list[dict[str, object]]:
    """Precision/recall of each level on the held-out sets (and the tuning sets, marked)."""
    rows: list[dict[str, object]] = []
    for pairs, kind, tuned in (
        (tune_scene, "scene", True),
        (oxford_pairs(1), "scene", False),
        (tune_same, "copy", True),
        (dupset_pairs("holdout"), "copy", False),
        (neardup_pairs(), "copy", False),
    ):
        row: dict[str, object] = {"set": pairs.name, "tuned_on": tuned, "truth": kind}
        for level in ("same", "similar", "related"):
            p, r = pairs.precision_recall(getattr(levels, level))
            row[f"{level}+"] = f"{p:.3f} / {r:.3f}"
        hidden_true, hidden_false = (
            int(pairs.true.sum()) - pairs.counts_at_least(levels.related)[0],
            int(pairs.false.sum()) - pairs.counts_at_least(levels.related)[1],
        )
        row["unrelated: false pairs hidden"] = f"{hidden_false / max(1, pairs.false.sum()):.3f}"
        row["unrelated: true pairs hidden"] = f"{hidden_true / max(1, pairs.true.sum()):.3f}"
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Calibrate, print the table, optionally write the manifest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the levels into the manifest")
    parser.add_argument("--manifest", type=Path, default=default_model_manifest())
    args = parser.parse_args(argv)
    tune_same, tune_scene = dupset_pairs("tune"), oxford_pairs(0)
    levels, how = calibrate(tune_same, tune_scene)
    print(json.dumps({"levels": repr(levels)}))
    for row in report(levels, tune_same, tune_scene):
        print(json.dumps(row))
    if args.write:
        manifest = args.manifest / "manifest.json" if args.manifest.is_dir() else args.manifest
        load_manifest(manifest)  # a readable manifest of a model that exists
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["levels"] = {"same": levels.same, "similar": levels.similar, "related": levels.related}
        data["levels_recipe"] = how
        manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote levels into {manifest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
