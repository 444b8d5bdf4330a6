"""Learning a personal projection from labelled vectors, and measuring it (plain numpy).

Two learners, compared in benchmarks/teach_bench.py on the teach halves of two cases:
- `train_projection` (used): a square linear map trained with numpy by gradient descent on a
  soft nearest-neighbour loss (each photo should put its softmax mass, over cosines in the
  projected space, on its own album), starting from the identity. It won on both cases.
- `whitening_projection`: closed-form supervised whitening (LDA-style) of the within-album
  scatter, shrunk towards the identity, the shrinkage chosen by an inner cross-validation.
Both keep the dimension, so the taught index has the base index's shape. The measurement that
decides whether a user's projection is applied is a cross-validation over the user's own albums
(`cross_validate`): each held-out photo was not seen by the projection it is measured with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.projection import project

# Weights of the identity in the shrunk within-album scatter (its eigenvalues are scaled to a
# mean of 1 first), tried in turn. The best one depends on how many photos the albums hold (on
# the teach halves of benchmarks/teach_bench.py: 3 for 58 landmark photos, 0.03 for 359 college
# photos), so each teaching chooses its own by an inner cross-validation (`choose_shrinkage`).
SHRINKAGES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
INNER_FOLDS = 3
# The trained learner's settings (steps, rate, temperature, decay) were set on synthetic
# clusters (tests/core/test_metric.py's kind), not on the benchmark photos.
METHOD = "trained"  # or "whitening"
BATCH = 256  # anchors per training step
FOLDS = 5
SEED = 13
# Accuracy a suggestion must reach, in cross-validation, to be said without "unsure".
SURE_ACCURACY = 0.9
DEFAULT_MARGIN = 0.05  # unsure below this margin when the albums are too few to choose one


def train_projection(
    vectors: np.ndarray,
    labels: np.ndarray,
    steps: int = 300,
    lr: float = 0.05,
    temperature: float = 0.1,
    decay: float = 0.01,
) -> np.ndarray:
    """A linear metric trained with numpy: soft nearest-neighbour loss, Adam, W starts as I.

    Loss: -log of the softmax mass (cosines / temperature, in the projected space) that each
    anchor photo puts on its own album's other photos, plus `decay` * |W - I|^2 / dim. Each
    step takes at most BATCH anchors (seeded), so a big album set costs n x BATCH, not n^2.
    """
    x = np.asarray(vectors, np.float64)
    labels = np.asarray(labels)
    n, dim = x.shape
    rng = np.random.default_rng(SEED)
    w = np.eye(dim)
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, steps + 1):
        anchors = rng.choice(n, BATCH, replace=False) if n > BATCH else np.arange(n)
        z = x @ w.T
        norms = np.linalg.norm(z, axis=1, keepdims=True)
        u = z / norms
        s = u[anchors] @ u.T / temperature  # [a, n]
        s[np.arange(len(anchors)), anchors] = -np.inf
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        same = labels[anchors][:, None] == labels[None, :]
        same[np.arange(len(anchors)), anchors] = False
        rows = same.any(axis=1)
        mass = (p * same).sum(axis=1, keepdims=True)
        q = np.where(same, p / np.maximum(mass, 1e-12), 0.0)
        g = np.where(rows[:, None], p - q, 0.0) / temperature / max(1, int(rows.sum()))
        du = g.T @ u[anchors]  # d loss / d u for every column photo
        du[anchors] += g @ u  # and for the anchors themselves
        dz = (du - (du * u).sum(axis=1, keepdims=True) * u) / norms
        grad = dz.T @ x + 2 * decay * (w - np.eye(dim)) / dim
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= lr * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w.astype(np.float32)


def learn_projection(vectors: np.ndarray, labels: np.ndarray, method: str = METHOD) -> np.ndarray:
    """The [dim, dim] projection learnt from albums by `method` ("trained" or "whitening")."""
    if method == "trained":
        return train_projection(vectors, labels)
    return whitening_projection(vectors, labels)


def whitening_projection(
    vectors: np.ndarray, labels: np.ndarray, shrinkage: float | None = None
) -> np.ndarray:
    """The [dim, dim] projection: whitening of the shrunk within-album scatter.

    Albums with a single photo add nothing to the scatter (they have no spread). Without a
    `shrinkage`, it is chosen by cross-validation on these vectors (`choose_shrinkage`).
    """
    if shrinkage is None:
        shrinkage = choose_shrinkage(vectors, labels)
    x = np.asarray(vectors, np.float64)
    dim = x.shape[1]
    scatter = np.zeros((dim, dim))
    count = 0
    for label in np.unique(labels):
        members = x[labels == label]
        if len(members) < 2:
            continue
        centred = members - members.mean(axis=0)
        scatter += centred.T @ centred
        count += len(members)
    if count == 0:
        return np.eye(dim, dtype=np.float32)
    scatter /= count
    scatter /= max(np.trace(scatter) / dim, 1e-12)
    values, vecs = np.linalg.eigh(scatter + shrinkage * np.eye(dim))
    matrix = (vecs / np.sqrt(values)) @ vecs.T
    return matrix.astype(np.float32)


def album_map(
    space: np.ndarray, labels: np.ndarray, queries: np.ndarray, pool: np.ndarray | None = None
) -> float:
    """Within-album retrieval mAP: each query against the pool (all rows but itself).

    Args:
        space: unit vectors [n, dim] in the space being measured.
        labels: album of each row.
        queries: row indices used as queries.
        pool: boolean mask of rows that may be retrieved (default all).
    """
    pool = np.ones(len(space), bool) if pool is None else pool
    scores = space[queries] @ space.T
    aps: list[float] = []
    for row, q in enumerate(queries):
        mask = pool.copy()
        mask[q] = False
        relevant = (labels == labels[q]) & mask
        n_rel = int(relevant.sum())
        if n_rel == 0:
            continue
        candidates = np.flatnonzero(mask)
        order = candidates[np.argsort(-scores[row, candidates], kind="stable")]
        hits = relevant[order]
        ranks = np.flatnonzero(hits) + 1
        aps.append(float(np.mean(np.arange(1, len(ranks) + 1) / ranks)))
    return float(np.mean(aps)) if aps else 0.0


def album_scores(
    query: np.ndarray, members: np.ndarray, labels: np.ndarray, names: int
) -> np.ndarray:
    """[q, names] scores: the cosine of each query to each album's centroid (unit mean).

    The centroid beat k-NN over members in benchmarks/teach_bench.py's teach half.
    """
    centroids = np.zeros((names, members.shape[1]), np.float32)
    for label in range(names):
        chosen = members[labels == label]
        if len(chosen):
            mean = chosen.mean(axis=0)
            centroids[label] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return np.asarray(query, np.float32).reshape(-1, members.shape[1]) @ centroids.T


def choose_margin(margins: np.ndarray, correct: np.ndarray, target: float = SURE_ACCURACY) -> float:
    """The smallest best-minus-second margin above which suggestions are right `target` of the time.

    With fewer than 10 predictions there is nothing to choose on: DEFAULT_MARGIN.
    """
    if len(margins) < 10:
        return DEFAULT_MARGIN
    order = np.argsort(-margins)
    right = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    good = np.flatnonzero(right >= target)
    if len(good) == 0:
        return float(margins.max() + 1e-6)  # never sure
    return float(margins[order][good[-1]])


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Before/after within-album mAP over held-out photos, and the suggestion margins."""

    before: float
    after: float
    margins: np.ndarray  # best-minus-second suggestion margin per held-out photo (after space)
    correct: np.ndarray  # whether its best album was right
    margins_before: np.ndarray
    correct_before: np.ndarray


def folds_of(labels: np.ndarray, folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """A fold number per row, spread evenly inside each album (seeded)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(len(labels), np.int64)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        rng.shuffle(rows)
        out[rows] = np.arange(len(rows)) % folds
    return out


def choose_shrinkage(vectors: np.ndarray, labels: np.ndarray) -> float:
    """The shrinkage with the best cross-validated within-album mAP on these albums."""
    scores = [
        cross_validate(vectors, labels, "whitening", shrinkage=s, folds=INNER_FOLDS).after
        for s in SHRINKAGES
    ]
    return SHRINKAGES[int(np.argmax(scores))]


def cross_validate(
    vectors: np.ndarray,
    labels: np.ndarray,
    method: str = METHOD,
    shrinkage: float | None = None,
    folds: int = FOLDS,
) -> CrossValidation:
    """k-fold over each album's photos: learn on the others, query with the held-out ones.

    A held-out photo searches every other album photo (the library it will search holds the
    teaching photos too); its album's other photos are the relevant ones. For "whitening"
    without a `shrinkage`, each training fold chooses its own (nested cross-validation).
    """
    labels = np.asarray(labels)
    names = int(labels.max()) + 1
    # As many folds as the smallest album of 2+ photos allows (a 1-photo album has nothing to
    # find and never counts as a query).
    counts = np.bincount(labels)
    sizes = counts[counts >= 2]
    folds = max(2, min(folds, int(sizes.min()) if len(sizes) else 2))
    fold = folds_of(labels, folds)
    base = np.asarray(vectors, np.float32)
    before: list[float] = []
    after: list[float] = []
    weights: list[int] = []
    m_after: list[np.ndarray] = []
    c_after: list[np.ndarray] = []
    m_before: list[np.ndarray] = []
    c_before: list[np.ndarray] = []
    for f in range(folds):
        test = np.flatnonzero(fold == f)
        train = fold != f
        if len(test) == 0:
            continue
        matrix = (
            train_projection(base[train], labels[train])
            if method == "trained"
            else whitening_projection(base[train], labels[train], shrinkage)
        )
        taught = project(matrix, base)
        before.append(album_map(base, labels, test))
        after.append(album_map(taught, labels, test))
        weights.append(len(test))
        for space, margins, correct in ((taught, m_after, c_after), (base, m_before, c_before)):
            scores = album_scores(space[test], space[train], labels[train], names)
            top2 = np.sort(scores, axis=1)[:, -2:]
            margins.append(top2[:, 1] - top2[:, 0])
            correct.append(np.argmax(scores, axis=1) == labels[test])
    w = np.asarray(weights, float)
    return CrossValidation(
        float(np.average(before, weights=w)),
        float(np.average(after, weights=w)),
        np.concatenate(m_after),
        np.concatenate(c_after),
        np.concatenate(m_before),
        np.concatenate(c_before),
    )
