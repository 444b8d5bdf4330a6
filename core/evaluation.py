"""Retrieval and duplicate-detection quality on a labelled photo set (`simili eval`).

A labelled set is a folder with `images/` and `groundtruth.json` (`{"groups": [[name, ...], ...]}`,
names with or without their extension), optionally `groundtruth_details.json` with per-group
`junk` lists (Oxford style: images ignored when scoring that group). The set is indexed with the
real pipeline into a throw-away library, every file's vector is read back from the catalogue, and
the metrics are computed by brute force in numpy (sets hold at most a few thousand images).

Protocols:
    * Retrieval (mAP, recall@k): leave-one-out; every member of a group is a query, the query
      itself and the group's junk are removed from the ranking, the other members are the
      positives, everything else is a negative. AP is the standard non-interpolated one.
    * N-S@4 (UKBench): only when every group has exactly 4 members; members of the query's group
      (query included) among the top 4 of a ranking that includes the query.
    * Pairs: every unordered pair of images is a candidate scored by cosine similarity; pairs
      inside a group are true pairs; a pair of a group member with one of that group's junk
      images is left out. Precision and recall at thresholds 0.50 … 0.99.
    * Rotated queries: the retrieval protocol again, but each query is first turned 90°
      clockwise in its pixels (no EXIF tag, as a photo a camera or an editor stored sideways)
      and embedded afresh; the database keeps the upright photos.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.decode import load_rgb, model_pixels
from core.errors import NotAnImageError, SimiliError
from core.library import Library
from core.paths import normalise
from core.pipeline import index_library
from core.tasks import ProgressCallback

THRESHOLDS: tuple[float, ...] = tuple(round(0.50 + 0.01 * i, 2) for i in range(50))
REPORTED_THRESHOLDS: tuple[float, ...] = (0.6, 0.7, 0.8, 0.9)
TARGET_PRECISION = 0.99
RECALL_KS: tuple[int, ...] = (1, 10)
NS_GROUP_SIZE = 4
# Pillow's transposes for turns of 90° clockwise, 180° and 90° counter-clockwise (ROTATE_270,
# ROTATE_180, ROTATE_90: Pillow counts counter-clockwise). The first is the rotated query.
TURNS: tuple[int, ...] = (4, 3, 2)


# -- ground truth -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Labelled groups as written in a set's files (names, not yet matched to images)."""

    groups: list[list[str]]
    junk: list[list[str]]
    names: list[str | None]


def load_groundtruth(dataset: Path) -> GroundTruth:
    """Read `groundtruth.json` and, when present, the junk lists of `groundtruth_details.json`.

    Args:
        dataset: the set's folder.

    Returns:
        The groups, one junk list per group (empty when the set has none) and group names.

    Raises:
        SimiliError: the ground truth is missing or malformed.
    """
    path = dataset / "groundtruth.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SimiliError(
            f"{path}: no ground truth; a labelled set needs groundtruth.json"
        ) from None
    except (OSError, ValueError) as exc:
        raise SimiliError(f"{path}: unreadable ground truth ({exc})") from None
    raw = data.get("groups") if isinstance(data, dict) else data
    if not isinstance(raw, list) or not all(isinstance(g, list) for g in raw):
        raise SimiliError(f'{path}: expected {{"groups": [[name, ...], ...]}}')
    groups = [[str(name) for name in group] for group in raw]
    junk: list[list[str]] = [[] for _ in groups]
    names: list[str | None] = [None] * len(groups)
    details_path = dataset / "groundtruth_details.json"
    if details_path.is_file():
        try:
            details = json.loads(details_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SimiliError(f"{details_path}: unreadable ({exc})") from None
        group_names = details.get("group_names")
        if isinstance(group_names, list) and len(group_names) == len(groups):
            names = [str(n) for n in group_names]
        raw_junk = details.get("junk")
        if isinstance(raw_junk, dict):  # {group name: [names]}, groups named by group_names
            junk = [[str(j) for j in raw_junk.get(n, [])] if n else [] for n in names]
        elif isinstance(raw_junk, list) and len(raw_junk) == len(groups):  # one list per group
            junk = [[str(j) for j in group] for group in raw_junk]
    return GroundTruth(groups, junk, names)


def name_lookup(relative_paths: Sequence[str]) -> dict[str, int]:
    """Map ground-truth names to image indices: the path inside `images/`, or it without suffix.

    Args:
        relative_paths: each image's path relative to `images/`, with `/` separators.

    Returns:
        Name → index; a suffix-less name is only included when it is unambiguous.
    """
    lookup: dict[str, int] = {}
    stems: dict[str, list[int]] = {}
    for i, rel in enumerate(relative_paths):
        lookup[rel] = i
        stem, dot, _ = rel.rpartition(".")
        if dot and stem and "/" not in rel[len(stem) :]:
            stems.setdefault(stem, []).append(i)
    for stem, hits in stems.items():
        if len(hits) == 1 and stem not in lookup:
            lookup[stem] = hits[0]
    return lookup


def resolve_groups(
    truth: GroundTruth, lookup: dict[str, int]
) -> tuple[list[list[int]], list[list[int]], list[str]]:
    """Turn named groups into image indices, dropping names that match no indexed image.

    Returns:
        (groups, junk, missing): index lists per group (order kept, duplicates dropped) and the
        sorted group members that match no indexed image (missing or failed files). Junk names
        that match nothing are dropped silently: an absent junk image changes no score.
    """
    missing: set[str] = set()

    def resolve(names: list[str], record: bool) -> list[int]:
        out: list[int] = []
        for name in names:
            index = lookup.get(name)
            if index is None:
                if record:
                    missing.add(name)
            elif index not in out:
                out.append(index)
        return out

    groups = [resolve(g, record=True) for g in truth.groups]
    junk = [resolve(j, record=False) for j in truth.junk]
    return groups, junk, sorted(missing)


# -- metrics (pure) ---------------------------------------------------------------------------
def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """All-pairs cosine similarity of row vectors (rows are re-normalised; zero rows stay 0).

    Args:
        vectors: [N, D] array.

    Returns:
        [N, N] float32 similarity matrix.
    """
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    v = v / np.maximum(norms, 1e-12)
    return v @ v.T


def average_precision(ranked_relevance: Sequence[bool] | np.ndarray, n_positives: int) -> float:
    """Non-interpolated average precision of one ranking.

    Args:
        ranked_relevance: whether each result, best first, is a positive.
        n_positives: how many positives exist (positives missing from the ranking count as
            never retrieved).

    Returns:
        The mean, over all positives, of the precision at the rank where each is retrieved.

    Raises:
        ValueError: n_positives is not positive.
    """
    if n_positives <= 0:
        raise ValueError("average precision needs at least one positive")
    hits = np.flatnonzero(np.asarray(ranked_relevance, dtype=bool))
    if hits.size == 0:
        return 0.0
    precisions = np.arange(1, hits.size + 1) / (hits + 1)
    return float(precisions.sum() / n_positives)


def ranking(scores: np.ndarray, exclude: Sequence[int] | np.ndarray = ()) -> np.ndarray:
    """Indices by descending score (ties keep index order), without the excluded ones."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    if len(exclude):
        order = order[~np.isin(order, np.asarray(exclude, dtype=np.int64))]
    return order


def retrieval_metrics(
    similarity: np.ndarray,
    groups: Sequence[Sequence[int]],
    junk: Sequence[Sequence[int]] | None = None,
    ks: Sequence[int] = RECALL_KS,
) -> dict:
    """Leave-one-out mAP and recall@k: each group member queries for the rest of its group.

    Args:
        similarity: [N, N] scores, higher is closer.
        groups: member indices per group.
        junk: per group, indices removed from that group's rankings (Oxford "junk").
        ks: cut-offs for recall@k (share of queries with a positive in the top k).

    Returns:
        `map`, `recall@k` for each k, `queries` (those with at least one positive) and
        `per_group` (queries and mAP per group; mAP None for a group without queries).
    """
    aps: list[float] = []
    found = dict.fromkeys(ks, 0)
    per_group: list[dict] = []
    for g, members in enumerate(groups):
        members = list(dict.fromkeys(members))
        group_junk = [j for j in (junk[g] if junk else []) if j not in members]
        group_aps: list[float] = []
        for query in members:
            positives = np.asarray([m for m in members if m != query], dtype=np.int64)
            if positives.size == 0:
                continue
            order = ranking(similarity[query], [query, *group_junk])
            relevant = np.isin(order, positives)
            group_aps.append(average_precision(relevant, positives.size))
            for k in ks:
                found[k] += bool(relevant[:k].any())
        aps.extend(group_aps)
        per_group.append(
            {"queries": len(group_aps), "map": float(np.mean(group_aps)) if group_aps else None}
        )
    queries = len(aps)
    result: dict = {"map": float(np.mean(aps)) if aps else None}
    for k in ks:
        result[f"recall@{k}"] = found[k] / queries if queries else None
    result["queries"] = queries
    result["per_group"] = per_group
    return result


def ns_score(similarity: np.ndarray, groups: Sequence[Sequence[int]], top: int = 4) -> float:
    """UKBench N-S score: group members (query included) among the top `top` results.

    The protocol is defined for sets whose groups all have exactly `top` members; the caller
    decides whether the set qualifies.

    Args:
        similarity: [N, N] scores, higher is closer; the query ranks against itself too.
        groups: member indices per group; every member is a query.
        top: how many results are looked at.

    Returns:
        The mean count over all queries (at best `top` for groups of that size); 0.0 without
        any query.
    """
    counts: list[int] = []
    for members in groups:
        wanted = np.asarray(sorted(set(members)), dtype=np.int64)
        for query in wanted:
            best = ranking(similarity[query])[:top]
            counts.append(int(np.isin(best, wanted).sum()))
    return float(np.mean(counts)) if counts else 0.0


def pair_scores(
    similarity: np.ndarray,
    groups: Sequence[Sequence[int]],
    junk: Sequence[Sequence[int]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Score every unordered pair of images and label it.

    Args:
        similarity: [N, N] scores.
        groups: member indices per group; a pair inside any group is a true pair.
        junk: per group, images whose pairs with that group's members are left out (unless the
            pair is true through another group).

    Returns:
        (scores, is_true) over the kept pairs i < j, as float64 and bool arrays.
    """
    n = similarity.shape[0]
    member = np.zeros((n, max(len(groups), 1)), dtype=np.float32)
    ignored = np.zeros_like(member)
    for g, members in enumerate(groups):
        member[list(members), g] = 1.0
        if junk:
            ignored[list(junk[g]), g] = 1.0
    true = (member @ member.T) > 0
    skip = ((member @ ignored.T) > 0) | ((ignored @ member.T) > 0)
    upper = np.triu_indices(n, 1)
    keep = ~skip[upper] | true[upper]
    scores = np.asarray(similarity, dtype=np.float64)[upper][keep]
    return scores, true[upper][keep]


def precision_recall(
    scores: np.ndarray, is_true: np.ndarray, thresholds: Sequence[float] = THRESHOLDS
) -> list[dict]:
    """Precision, recall and F1 of "score ≥ threshold means duplicate" at each threshold.

    Args:
        scores: pair scores.
        is_true: whether each pair is a true pair.
        thresholds: the cut-offs to evaluate.

    Returns:
        One dict per threshold with `threshold`, `precision` (None when no pair is predicted),
        `recall` (None when there are no true pairs), `f1` (None when either is None) and
        `predicted` (pairs at or above the threshold).
    """
    scores = np.asarray(scores, dtype=np.float64)
    is_true = np.asarray(is_true, dtype=bool)
    n_true = int(is_true.sum())
    true_scores = np.sort(scores[is_true])
    all_scores = np.sort(scores)
    curve: list[dict] = []
    for t in thresholds:
        predicted = int(all_scores.size - np.searchsorted(all_scores, t, side="left"))
        tp = int(true_scores.size - np.searchsorted(true_scores, t, side="left"))
        precision = tp / predicted if predicted else None
        recall = tp / n_true if n_true else None
        f1 = None
        if precision is not None and recall is not None:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        curve.append(
            {
                "threshold": float(t),
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "predicted": predicted,
            }
        )
    return curve


def pair_summary(
    curve: Sequence[dict],
    true_pairs: int,
    reported: Sequence[float] = REPORTED_THRESHOLDS,
    target_precision: float = TARGET_PRECISION,
) -> dict:
    """Condense a precision/recall curve into the numbers `simili eval` reports.

    Args:
        curve: the output of precision_recall.
        true_pairs: how many true pairs were scored.
        reported: thresholds listed under `at` (those present in the curve).
        target_precision: the precision floor for `recall_at_precision_<p>`.

    Returns:
        `true_pairs`, `at` (threshold, precision, recall), `best_f1` (threshold, precision,
        recall, f1; None if undefined everywhere) and `recall_at_precision_<p>` (the threshold
        with the highest recall among those reaching the precision; None if none does).
    """

    def point(entry: dict, *keys: str) -> dict:
        return {key: entry[key] for key in ("threshold", "precision", "recall", *keys)}

    at = [point(e) for t in reported for e in curve if abs(e["threshold"] - t) < 1e-9]
    scored = [e for e in curve if e["f1"] is not None]
    best = max(scored, key=lambda e: (e["f1"], -e["threshold"])) if scored else None
    good = [
        e
        for e in curve
        if e["precision"] is not None and e["recall"] is not None
        and e["precision"] >= target_precision
    ]  # fmt: skip
    at_target = max(good, key=lambda e: (e["recall"], -e["threshold"])) if good else None
    return {
        "true_pairs": int(true_pairs),
        "at": at,
        "best_f1": point(best, "f1") if best else None,
        f"recall_at_precision_{target_precision}": point(at_target) if at_target else None,
    }


def replace_rows(
    similarity: np.ndarray, rows: Sequence[int], queries: np.ndarray, vectors: np.ndarray
) -> np.ndarray:
    """A copy of `similarity` whose `rows` score other query vectors against the database.

    Args:
        similarity: [N, N] scores of the database against itself.
        rows: the database indices whose queries are replaced.
        queries: [len(rows), D] the replacement query vectors.
        vectors: [N, D] the database vectors.

    Returns:
        [N, N] float32 scores; row i of `rows` holds the cosine of queries[i] with every vector.
    """
    out = np.array(similarity, dtype=np.float32, copy=True)
    if len(rows):
        out[np.asarray(rows, dtype=np.int64)] = cosine_matrix(np.concatenate([queries, vectors]))[
            : len(rows), len(rows) :
        ]
    return out


def _turned_vectors(
    library: Library, files: Sequence[Path], batch: int = 8
) -> tuple[list[int], np.ndarray]:
    """Embed each file in the turns of TURNS; (indices that worked, [len(TURNS), n, dim])."""
    size = library.model.size
    done: list[int] = []
    rows: list[np.ndarray] = []
    pending: list[np.ndarray] = []
    for i, path in enumerate(files):
        try:
            image = load_rgb(path, max_side=size)
        except NotAnImageError:
            continue
        pending.extend(model_pixels(image.transpose(turn), size) for turn in TURNS)  # type: ignore[arg-type]
        done.append(i)
        if len(pending) >= batch * len(TURNS):
            rows.append(library.embedder.embed(np.stack(pending)))
            pending = []
    if pending:
        rows.append(library.embedder.embed(np.stack(pending)))
    dim = library.model.dim
    flat = np.concatenate(rows) if rows else np.zeros((0, dim), np.float32)
    return done, flat.reshape(-1, len(TURNS), dim).transpose(1, 0, 2)


# -- the run ----------------------------------------------------------------------------------
def _indexed_vectors(library: Library, images: Path) -> tuple[list[str], np.ndarray, int]:
    """Relative paths and vectors of the indexed files under `images`, and the problem count."""
    catalog = library.catalog
    dim = library.model.dim
    folder = normalise(str(images))
    root = next((r for r in catalog.roots() if r.path == folder), None)
    if root is None:  # the folder sits inside an existing root of a reused library
        inside = [r for r in catalog.roots() if folder.startswith(r.path.rstrip(os.sep) + os.sep)]
        if not inside:
            raise SimiliError(f"{folder}: not indexed in this library")
        files = catalog.files_under(inside[0].id, folder)
    else:
        files = catalog.files_under(root.id)
    problems = sum(1 for f in files.values() if f.state == "error")
    keys: dict[str, int] = {}
    for path, state in sorted(files.items()):
        if state.state != "ok":
            continue
        found = catalog.lookup(path)
        if found is not None:
            keys[path] = found[0]
    stored_keys, stored = catalog.vectors(dim, sorted(set(keys.values())))
    by_key = {int(k): v for k, v in zip(stored_keys, stored, strict=True)}
    relative: list[str] = []
    rows: list[np.ndarray] = []
    for path, key in keys.items():
        if key in by_key:
            relative.append(Path(path).relative_to(folder).as_posix())
            rows.append(by_key[key])
    vectors = np.stack(rows) if rows else np.zeros((0, dim), np.float32)
    return relative, vectors, problems


def _rounded(value: object, digits: int = 4) -> object:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v, digits) for v in value]
    return value


def evaluate(
    dataset: Path,
    model: Path | None = None,
    device: str = "auto",
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
    library: Path | None = None,
    rotated: bool = True,
) -> dict:
    """Index a labelled set with the real pipeline and measure retrieval and duplicate finding.

    Args:
        dataset: folder with `images/` and `groundtruth.json` (see the module docstring).
        model: model manifest (default: the shipped one).
        device: "auto", "cpu" or "cuda".
        workers: decode processes (default: one per core; 0 decodes in this process).
        on_progress: receives the indexing progress.
        library: library folder to index into and keep (default: a temporary one, deleted).
        rotated: also measure retrieval with queries turned 90° in their pixels.

    Returns:
        A JSON-ready dict: `dataset`, `images`, `queries`, `groups`, `missing` (labelled images
        not indexed), `problems`, `model`, `dim`, `device`, `index_seconds`,
        `photos_per_second`, `map`, `recall@1`, `recall@10`, `ns@4`, `pairs`, `rotated`
        (`map`, `recall@1`, `recall@10`, `queries`, `seconds`, and `any_turn`: `map` and
        `recall@1` when each query is searched in its four turns, as `simili search` does;
        None when not measured) and `per_group`.

    Raises:
        SimiliError: the set has no `images/` folder or no readable ground truth.
    """
    dataset = Path(dataset).expanduser().absolute()
    images = dataset / "images"
    if not images.is_dir():
        raise SimiliError(f"{dataset}: not a labelled set (no images/ folder)")
    truth = load_groundtruth(dataset)

    with contextlib.ExitStack() as stack:
        if library is None:
            library = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="simili-eval-")))
        lib = stack.enter_context(Library(library, writer=True, model=model, device=device))
        started = time.monotonic()
        index_library(lib, [str(images)], workers=workers, on_progress=on_progress)
        seconds = time.monotonic() - started
        relative, vectors, problems = _indexed_vectors(lib, images)
        fingerprint, dim = lib.model.fingerprint, lib.model.dim
        active_device = lib.embedder.device
        groups, junk, missing = resolve_groups(truth, name_lookup(relative))
        similarity = cosine_matrix(vectors)
        turned: dict | None = None
        if rotated:
            started = time.monotonic()
            queries = sorted({m for g in groups for m in g})
            ok, turned_vectors = _turned_vectors(lib, [images / relative[q] for q in queries])
            # Every indexed photo decodes again, so in practice every query is turned.
            rows = [queries[i] for i in ok]
            turned_scores = replace_rows(similarity, rows, turned_vectors[0], vectors)
            turned = retrieval_metrics(turned_scores, groups, junk)
            turned.pop("per_group")
            # `simili search` queries with all four turns and keeps each photo's best score;
            # the four turns of a turned query are those of the upright one, so one number
            # covers upright and turned queries alike.
            any_turn = similarity.copy()
            for queries_turned in turned_vectors:
                any_turn = np.maximum(
                    any_turn, replace_rows(similarity, rows, queries_turned, vectors)
                )
            four = retrieval_metrics(any_turn, groups, junk)
            turned["any_turn"] = {"map": four["map"], "recall@1": four["recall@1"]}
            turned["seconds"] = time.monotonic() - started

    ukbench_like = bool(truth.groups) and all(len(set(g)) == NS_GROUP_SIZE for g in truth.groups)
    retrieval = retrieval_metrics(similarity, groups, junk)
    scores, is_true = pair_scores(similarity, groups, junk)
    curve = precision_recall(scores, is_true)
    per_group = [
        {"name": name, "size": len(members), **stats}
        for name, members, stats in zip(truth.names, groups, retrieval["per_group"], strict=True)
    ]
    result = {
        "dataset": dataset.name,
        "images": len(relative),
        "queries": retrieval["queries"],
        "groups": len(groups),
        "missing": len(missing),
        "problems": problems,
        "model": fingerprint,
        "dim": dim,
        "device": active_device,
        "index_seconds": seconds,
        "photos_per_second": len(relative) / seconds if seconds > 0 else None,
        "map": retrieval["map"],
        **{f"recall@{k}": retrieval[f"recall@{k}"] for k in RECALL_KS},
        "ns@4": ns_score(similarity, groups, NS_GROUP_SIZE) if ukbench_like else None,
        "pairs": pair_summary(curve, int(is_true.sum())),
        "rotated": turned,
        "per_group": per_group,
    }
    return _rounded(result)  # type: ignore[return-value]


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_table(result: dict) -> str:
    """A compact human-readable summary of an `evaluate` result."""
    lines = [
        f"dataset   {result['dataset']}: {result['images']} images, {result['queries']} queries "
        f"in {result['groups']} groups ({result['missing']} labelled images missing, "
        f"{result['problems']} problems)",
        f"model     {result['model']} ({result['dim']}-d, {result.get('device', '?')})",
    ]
    retrieval = (
        f"retrieval mAP {_num(result['map'])}   recall@1 {_num(result['recall@1'])}   "
        f"recall@10 {_num(result['recall@10'])}"
    )
    if result.get("ns@4") is not None:
        retrieval += f"   N-S@4 {result['ns@4']:.2f}/4"
    lines.append(retrieval)
    pairs = result["pairs"]
    lines.append(f"pairs     {pairs['true_pairs']} true pairs; threshold  precision  recall")
    lines.extend(
        f"                         {p['threshold']:.2f}       {_num(p['precision'])}    "
        f"{_num(p['recall'])}"
        for p in pairs["at"]
    )
    best = pairs.get("best_f1")
    if best:
        lines.append(
            f"          best F1 {best['f1']:.3f} at {best['threshold']:.2f} "
            f"(P {_num(best['precision'])}, R {_num(best['recall'])})"
        )
    key = f"recall_at_precision_{TARGET_PRECISION}"
    target = pairs.get(key)
    lines.append(
        f"          recall at precision ≥ {TARGET_PRECISION}: "
        + (
            f"{_num(target['recall'])} (threshold {target['threshold']:.2f}, "
            f"P {_num(target['precision'])})"
            if target
            else "not reached"
        )
    )
    turned = result.get("rotated")
    if turned:
        lines.append(
            f"rotated   queries turned 90°: mAP {_num(turned['map'])}   "
            f"recall@1 {_num(turned['recall@1'])}   recall@10 {_num(turned['recall@10'])}"
        )
        four = turned.get("any_turn") or {}
        lines.append(
            f"          searched in 4 turns (as simili search): mAP {_num(four.get('map'))}   "
            f"recall@1 {_num(four.get('recall@1'))}"
        )
    rate = result.get("photos_per_second")
    lines.append(
        f"index     {result['images']} photos in {result['index_seconds']:.1f} s"
        + (f" ({rate:.1f} photos/s)" if rate else "")
    )
    return "\n".join(lines)


def _comparison_rows(result: dict) -> dict[str, str]:
    pairs = result["pairs"]
    target = pairs.get(f"recall_at_precision_{TARGET_PRECISION}")
    best = pairs.get("best_f1")
    turned = result.get("rotated") or {}
    rate = result.get("photos_per_second")
    return {
        "model": str(result["model"]),
        "dim": str(result["dim"]),
        "images": f"{result['images']} ({result['problems']} problems)",
        "mAP": _num(result["map"]),
        "recall@1": _num(result["recall@1"]),
        "recall@10": _num(result["recall@10"]),
        "N-S@4": _num(result.get("ns@4"), 2),
        f"pairs R@P≥{TARGET_PRECISION}": (
            f"{_num(target['recall'])} @ {target['threshold']:.2f}" if target else "not reached"
        ),
        "pairs best F1": f"{best['f1']:.3f} @ {best['threshold']:.2f}" if best else "n/a",
        "rotated mAP": _num(turned.get("map")),
        "rotated recall@1": _num(turned.get("recall@1")),
        "4-turn search mAP": _num((turned.get("any_turn") or {}).get("map")),
        "photos/s (index)": f"{rate:.1f}" if rate else "n/a",
    }


def format_comparison(results: Sequence[dict]) -> str:
    """Several `evaluate` results of one set side by side, a column per model."""
    if not results:
        return ""
    columns = [_comparison_rows(r) for r in results]
    labels = list(columns[0])
    first = max(len(label) for label in labels)
    widths = [max(len(c[label]) for label in labels) for c in columns]
    head = f"dataset {results[0]['dataset']}: {results[0]['queries']} queries"
    lines = [head]
    for label in labels:
        cells = "  ".join(c[label].rjust(w) for c, w in zip(columns, widths, strict=True))
        lines.append(f"{label.ljust(first)}  {cells}")
    return "\n".join(lines)
