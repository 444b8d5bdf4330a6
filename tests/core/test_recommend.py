"""Tests for 'For you': never a favourite or its copies, diverse, explained."""

from __future__ import annotations

import numpy as np
from PIL import ImageEnhance

from core.favourites import star
from core.library import Library
from core.pipeline import index_library
from core.recommend import RecommendStats, mmr_order, recommend
from tests.conftest import scene


def test_mmr_prefers_a_second_theme_over_a_near_copy_of_the_first():
    # GIVEN two near-identical relevant rows and a slightly less relevant, different one
    space = np.asarray([[1.0, 0.0], [0.999, 0.045], [0.0, 1.0]], np.float32)
    space /= np.linalg.norm(space, axis=1, keepdims=True)
    relevance = np.asarray([0.9, 0.89, 0.8], np.float32)
    # WHEN two are picked THEN the different one comes second
    assert mmr_order(relevance, space, 2) == [0, 2]
    # AND by relevance alone it would not
    assert mmr_order(relevance, space, 2, weight=1.0) == [0, 1]
    # AND a vetoed row is skipped, not taken
    assert mmr_order(relevance, space, 2, accept=lambda i: i != 0) == [1, 2]


def test_recommendations_leave_out_favourites_and_their_edited_copies(library_home, tmp_path):
    # GIVEN a library of scenes, a favourite, its brightened resized copy and a byte copy
    photos = tmp_path / "photos"
    photos.mkdir()
    for seed in range(8):
        scene(seed, (480, 320)).save(photos / f"p{seed}.jpg", quality=92)
    edited = ImageEnhance.Brightness(scene(1, (480, 320))).enhance(1.3).resize((360, 240))
    edited.save(photos / "p1_edit.jpg", quality=80)
    (photos / "p1_copy.jpg").write_bytes((photos / "p1.jpg").read_bytes())
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(photos)], workers=0)
        star(writer.catalog, [str(photos / "p1.jpg")])
    with Library(library_home) as reader:
        # WHEN recommendations are asked for
        stats = RecommendStats()
        found = recommend(reader, top=5, stats=stats)
    # THEN neither the favourite, its byte copy nor its edited copy is offered
    paths = [r.path for r in found]
    assert len(found) == 5
    assert not {"p1.jpg", "p1_copy.jpg", "p1_edit.jpg"} & {p.rsplit("/", 1)[-1] for p in paths}
    assert stats.copies_cheap + stats.copies_verified >= 1
    # AND each is explained by the favourite it is like, scores within the cosine range
    assert all(r.like == str(photos / "p1.jpg") for r in found)
    assert all(-1.0 <= r.score <= 1.0 for r in found)


def test_no_favourites_no_recommendations(library_home, make_photo, tmp_path):
    make_photo("a.jpg", seed=1)
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(tmp_path / "photos")], workers=0)
        assert recommend(writer) == []
