"""Tests for the projection learnt from albums and its cross-validated measurement."""

from __future__ import annotations

import numpy as np
import pytest

from core.metric import (
    album_map,
    album_scores,
    choose_margin,
    cross_validate,
    train_projection,
    whitening_projection,
)
from core.projection import project


def _albums(seed: int = 0, per: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Three albums told apart by small moves on 3 axes, with large shared noise on 13 others."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), per)
    x = rng.normal(0, 1.0, (len(labels), 16))
    x[:, :3] = rng.normal(0, 0.05, (len(labels), 3))
    x[np.arange(len(labels)), labels] += 0.6
    return x / np.linalg.norm(x, axis=1, keepdims=True), labels


def test_whitening_the_within_album_spread_brings_albums_together():
    vectors, labels = _albums()
    matrix = whitening_projection(vectors, labels, shrinkage=0.1)
    queries = np.arange(len(labels))
    before = album_map(vectors, labels, queries)
    after = album_map(project(matrix, vectors), labels, queries)
    assert after > before + 0.2
    assert np.allclose(np.linalg.norm(project(matrix, vectors), axis=1), 1.0, atol=1e-5)


def test_the_trained_metric_learns_albums_it_has_not_seen_photos_of():
    # GIVEN a projection trained on one set of photos of three albums
    vectors, labels = _albums(seed=3, per=24)
    train = np.arange(len(labels)) % 2 == 0
    matrix = train_projection(vectors[train], labels[train])
    # THEN held-out photos of those albums find each other better than before
    held = np.flatnonzero(~train)
    before = album_map(vectors, labels, held)
    after = album_map(project(matrix, vectors), labels, held)
    assert after > before + 0.2
    # AND many photos are handled in batches of anchors, the same way
    many, many_labels = _albums(seed=4, per=100)
    assert train_projection(many, many_labels, steps=3).shape == (16, 16)


@pytest.mark.parametrize("method", ["trained", "whitening"])
def test_cross_validation_measures_held_out_photos_and_sees_the_gain(method):
    vectors, labels = _albums(seed=1)
    cv = cross_validate(vectors, labels, method)
    assert cv.after > cv.before + 0.1
    # one margin and verdict per held-out photo (every photo is held out once)
    assert len(cv.margins) == len(cv.correct) == len(labels)


def test_random_albums_gain_nothing():
    rng = np.random.default_rng(2)
    vectors = rng.normal(0, 1, (40, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cv = cross_validate(vectors, np.repeat(np.arange(4), 10))
    assert cv.after < cv.before + 0.1


def test_perfect_albums_score_one_and_centroids_point_at_them():
    vectors = np.asarray([[1, 0], [0.99, 0.14], [0, 1], [0.14, 0.99]], np.float32)
    labels = np.asarray([0, 0, 1, 1])
    assert album_map(vectors, labels, np.arange(4)) == 1.0
    scores = album_scores(np.asarray([[0.9, 0.1]]), vectors, labels, 2)
    assert scores.shape == (1, 2)
    assert scores[0, 0] > scores[0, 1]


def test_the_unsure_margin_is_where_suggestions_become_reliable():
    margins = np.linspace(0, 0.2, 40)
    correct = margins > 0.1  # right exactly when the lead is clear
    level = choose_margin(margins, correct, target=0.9)
    assert 0.09 <= level <= 0.11
    assert choose_margin(margins[:5], correct[:5]) == 0.05  # too few to choose: the default
