"""Teaching albums, measured: within-album mAP and suggestion accuracy before/after, teach time.

Two cases, each photo set split per album into a *teach* half and a *test* half (seeded):
- **landmarks**: oxford5k_subset's 9 landmark groups (groundtruth.json) as albums;
- **colleges** (fine-grained): Oxford photos by the college/landmark their Flickr query named
  (the file-name prefix: magdalen, christ_church, new, …; the generic `oxford_*` left out) — 16
  look-alike stone buildings, with noisy labels, as a person's trip albums would be.

Every choice (the shrinkage, centroid vs k-NN suggestions, the "unsure" margin) is made by
cross-validation on the teach halves only; the test halves are reported and tuned on by nothing.
Test queries search every album photo (both halves) but themselves.

    python benchmarks/teach_bench.py --library OXFORD_LIB [--neardup-library NEARDUP_LIB]

With --neardup-library it also stars 10 neardup_dev originals and checks that none of their
15 edited copies is recommended, with the cost of the copy check.

The libraries must have indexed ../shared/benchdata/oxford5k_subset/images (and neardup_dev's);
they are copied first (a real `teach` is timed on the copy) and never changed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from core.library import Library
from core.metric import (
    SHRINKAGES,
    album_map,
    album_scores,
    choose_margin,
    cross_validate,
    learn_projection,
)
from core.projection import project
from core.teach import teach

DATA = Path("../shared/benchdata/oxford5k_subset")  # as in the README, from the checkout
SEED = 5


def landmark_albums(data: Path) -> dict[str, list[str]]:
    """Landmark name → image names (groundtruth.json groups, named by the details file)."""
    groups = json.loads((data / "groundtruth.json").read_text())["groups"]
    names = json.loads((data / "groundtruth_details.json").read_text())["group_names"]
    return {n: list(g) for n, g in zip(names, groups, strict=True)}


def college_albums(data: Path) -> dict[str, list[str]]:
    """File-name prefix → image names, without the generic `oxford_` photos."""
    out: dict[str, list[str]] = {}
    for path in sorted((data / "images").glob("*.jpg")):
        prefix = path.stem.rsplit("_", 1)[0]
        if prefix != "oxford":
            out.setdefault(prefix, []).append(path.stem)
    return out


def split(albums: dict[str, list[str]]) -> tuple[dict, dict]:
    """Half of each album's photos teach, the other half test (seeded shuffle)."""
    rng = np.random.default_rng(SEED)
    teach_half, test_half = {}, {}
    for name, members in albums.items():
        members = list(members)
        rng.shuffle(members)
        cut = (len(members) + 1) // 2
        teach_half[name], test_half[name] = members[:cut], members[cut:]
    return teach_half, test_half


def vectors_of(library: Library, data: Path, albums: dict[str, list[str]]) -> tuple:
    """Base vectors and labels for the albums' photos (stored vectors, by path)."""
    dim = library.model.dim
    rows, labels = [], []
    for label, members in enumerate(albums.values()):
        for stem in members:
            found = library.catalog.lookup(str(data / "images" / f"{stem}.jpg"))
            if found is None:
                continue
            rows.append(library.catalog.vectors(dim, [found[0]])[1][0])
            labels.append(label)
    return np.stack(rows), np.asarray(labels, np.int64)


def knn_scores(
    query: np.ndarray, members: np.ndarray, labels: np.ndarray, names: int
) -> np.ndarray:
    """[q, names]: mean of the top-3 member cosines per album (the k-NN alternative)."""
    sims = query @ members.T
    out = np.full((len(query), names), -1.0, np.float32)
    for label in range(names):
        cols = sims[:, labels == label]
        if cols.shape[1]:
            k = min(3, cols.shape[1])
            out[:, label] = np.sort(cols, axis=1)[:, -k:].mean(axis=1)
    return out


def tune(vectors: np.ndarray, labels: np.ndarray) -> dict:
    """Teach-half cross-validation: each learner, each shrinkage, centroid vs k-NN accuracy."""
    out: dict = {"whitening mAP before/after per shrinkage": {}}
    for s in SHRINKAGES:
        cv = cross_validate(vectors, labels, "whitening", shrinkage=s)
        out["whitening mAP before/after per shrinkage"][s] = (
            round(cv.before, 4),
            round(cv.after, 4),
        )
    for method in ("whitening", "trained"):
        started = time.perf_counter()
        cv = cross_validate(vectors, labels, method)
        out[f"{method}: mAP before/after"] = (round(cv.before, 4), round(cv.after, 4))
        out[f"{method}: seconds (5 folds)"] = round(time.perf_counter() - started, 1)
    names = int(labels.max()) + 1
    folds = np.arange(len(labels)) % 2
    acc: dict[str, list[float]] = {"centroid": [], "knn": []}
    for f in (0, 1):
        tr, te = folds != f, folds == f
        for method, scorer in (("centroid", album_scores), ("knn", knn_scores)):
            s = scorer(vectors[te], vectors[tr], labels[tr], names)
            acc[method].append(float(np.mean(np.argmax(s, axis=1) == labels[te])))
    out["suggest accuracy in base space"] = {k: round(float(np.mean(v)), 4) for k, v in acc.items()}
    return out


def report(
    teach_v: np.ndarray, teach_l: np.ndarray, test_v: np.ndarray, test_l: np.ndarray
) -> dict:
    """Test-half numbers, with everything learnt and chosen on the teach half."""
    names = int(max(teach_l.max(), test_l.max())) + 1
    everything = np.concatenate([teach_v, test_v])
    labels = np.concatenate([teach_l, test_l])
    queries = np.arange(len(teach_v), len(everything))
    out: dict = {"albums": names, "teach photos": len(teach_v), "test photos": len(test_v)}
    spaces: list[tuple[str, np.ndarray | None, str]] = [("before", None, "trained")]
    spaces += [
        (f"after ({m})", learn_projection(teach_v, teach_l, m), m) for m in ("whitening", "trained")
    ]
    for space_name, mat, method in spaces:
        cv = cross_validate(teach_v, teach_l, method)
        margins, correct = (
            (cv.margins_before, cv.correct_before) if mat is None else (cv.margins, cv.correct)
        )
        space = everything if mat is None else project(mat, everything)
        scores = album_scores(space[queries], space[: len(teach_v)], teach_l, names)
        top2 = np.sort(scores, axis=1)[:, -2:]
        margin = top2[:, 1] - top2[:, 0]
        right = np.argmax(scores, axis=1) == test_l
        level = choose_margin(margins, correct)
        sure = margin >= level
        out[space_name] = {
            "mAP": round(album_map(space, labels, queries), 4),
            "suggest accuracy": round(float(right.mean()), 4),
            "unsure margin (teach CV)": round(level, 4),
            "sure share": round(float(sure.mean()), 4),
            "accuracy when sure": round(float(right[sure].mean()), 4) if sure.any() else None,
        }
    return out


def timed_teach(library_dir: Path, data: Path, albums: dict[str, list[str]]) -> dict:
    """A real `teach` on the library copy, with an albums folder of links to the teach half."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "albums"
        for name, members in albums.items():
            (root / name).mkdir(parents=True)
            for stem in members:
                (root / name / f"{stem}.jpg").symlink_to(data / "images" / f"{stem}.jpg")
        with Library(library_dir, writer=True) as writer:
            started = time.perf_counter()
            result = teach(writer, root, force=True)
            seconds = time.perf_counter() - started
    return {"teach seconds (forced apply, taught index built)": round(seconds, 2),
            "albums": result.albums, "photos": result.photos}  # fmt: skip


def recommend_case(neardup_lib: Path, neardup: Path, favourites: int = 10) -> dict:
    """Star originals of neardup_dev: do their edited copies stay out of 'For you'? At what cost?"""
    from core.favourites import star
    from core.recommend import RecommendStats, recommend

    groups = json.loads((neardup / "groundtruth.json").read_text())["groups"]
    starred = groups[:: max(1, len(groups) // favourites)][:favourites]
    copies = {name for group in starred for name in group}
    work = Path(tempfile.mkdtemp(prefix="recommend-bench-"))
    try:
        shutil.copytree(neardup_lib, work / "library")
        (work / "library" / "writer.lock").unlink(missing_ok=True)
        with Library(work / "library", writer=True) as writer:
            star(writer.catalog, [str(neardup / "images" / g[0]) for g in starred])
            stats = RecommendStats()
            started = time.perf_counter()
            found = recommend(writer, top=20, stats=stats)
            seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "favourites": len(starred),
        "results": len(found),
        "results that are a favourite's edited copy": sum(
            Path(r.path).name in copies for r in found
        ),
        "favourites explaining the top 20": len({r.like for r in found}),
        "candidates": stats.candidates,
        "copies left out, cheap test": stats.copies_cheap,
        "verified pairs": stats.verified,
        "copies left out, verifier": stats.copies_verified,
        "verify seconds": round(stats.verify_seconds, 2),
        "recommend seconds": round(seconds, 2),
    }


def main() -> None:
    """Print both cases' tuning (teach halves) and results (test halves) as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, required=True, help="a copy of an oxford library")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--neardup-library", type=Path, help="an indexed neardup_dev library")
    args = parser.parse_args()
    args.data = args.data.absolute()
    work = Path(tempfile.mkdtemp(prefix="teach-bench-"))
    library_dir = work / "library"
    shutil.copytree(args.library, library_dir)
    (library_dir / "writer.lock").unlink(missing_ok=True)
    results: dict = {}
    try:
        with Library(library_dir, writer=True) as library:  # a writer migrates the copy
            for case, albums in (
                ("landmarks", landmark_albums(args.data)),
                ("colleges", college_albums(args.data)),
            ):
                teach_half, test_half = split(albums)
                teach_v, teach_l = vectors_of(library, args.data, teach_half)
                test_v, test_l = vectors_of(library, args.data, test_half)
                results[case] = {
                    "tuning (teach half CV)": tune(teach_v, teach_l),
                    "test half": report(teach_v, teach_l, test_v, test_l),
                }
        results["landmarks"]["time"] = timed_teach(
            library_dir, args.data, split(landmark_albums(args.data))[0]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.neardup_library is not None:
        results["recommend (neardup_dev)"] = recommend_case(
            args.neardup_library, args.data.parent / "neardup_dev"
        )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
