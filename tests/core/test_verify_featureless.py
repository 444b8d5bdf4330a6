"""The featureless path's search: an alignment rated 1 ends it, since nothing can beat it."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

import core.verify_featureless as featureless
from core.verify_photo import Photo


def _soft(seed: int) -> Photo:
    """A smooth, low-texture picture (a hazy sky): broad blobs, no corners for SIFT."""
    rng = np.random.default_rng(seed)
    small = rng.integers(60, 200, (6, 8), dtype=np.uint8)
    image = Image.fromarray(small).resize((384, 288), Image.Resampling.BICUBIC)
    grey = np.asarray(image.filter(ImageFilter.GaussianBlur(6)), np.uint8)
    return Photo(np.dstack([grey] * 3), grey, (384, 288))


def _score(found: dict[str, float]) -> float:
    return found["tiles_agree"] if found["textured_agree"] >= 1 else 0.0


def test_a_whole_frame_match_ends_the_search(monkeypatch):
    calls: list[int] = []
    real = featureless._crop_match

    def counted(a, b):
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(featureless, "_crop_match", counted)
    photo = _soft(3)
    best = featureless.best_alignment(photo, photo, _score)
    assert best is not None
    assert best.score == 1.0
    assert (best.degrees, best.mirrored) == (0, False)
    assert calls == []  # no crop searched, no other turn tried


def test_a_turned_copy_is_still_found_after_other_tries(monkeypatch):
    photo = _soft(4)
    turned = np.ascontiguousarray(np.rot90(photo.grey, k=-1))  # turned 90° clockwise
    copy = Photo(np.dstack([turned] * 3), turned, (288, 384))
    best = featureless.best_alignment(photo, copy, _score)
    assert best is not None
    assert best.score == 1.0
    assert best.degrees in (90, 270)
    assert not best.mirrored
