"""What the aligned comparison sets aside as an overlay: see-through lettering, not light."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from core.verify_overlay import see_through
from tests.core.test_verify import textured


def _grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L").resize((384, 288)), np.uint8)


def _veiled(base: np.ndarray, mask: np.ndarray, share: float = 0.47) -> np.ndarray:
    out = base.astype(np.float32)
    out[mask] += share * (255.0 - out[mask])
    return np.clip(out, 0, 255).astype(np.uint8)


def test_lettering_blended_toward_white_is_a_veil():
    base = _grey(textured(9, (800, 600)))
    strokes = Image.new("L", (384, 288), 0)
    draw = ImageDraw.Draw(strokes)
    for n in range(8):  # block capitals: an L, a T, an I ...
        x = 40 + 38 * n
        draw.line([(x, 125), (x, 165), (x + 22, 165)], fill=255, width=3)
        draw.line([(x + 12, 125), (x + 12, 150)], fill=255, width=3)
    mask = np.asarray(strokes) > 0
    valid = np.ones(base.shape, bool)
    veil, on_target = see_through(base, _veiled(base, mask), valid)
    assert not on_target  # the matched copy carries it
    assert veil[mask].mean() > 0.8
    assert veil.mean() < 3 * mask.mean()  # the strokes and their edges, not the picture


def test_a_patch_of_light_is_not_a_veil():
    # The next exposure with sunlight on one part: lighter by one share of the way to white as
    # under a veil, but in a broad patch, not in strokes.
    base = _grey(textured(9, (800, 600)))
    yy, xx = np.mgrid[:288, :384]
    patch = ((xx - 200) / 50.0) ** 2 + ((yy - 140) / 35.0) ** 2 <= 1
    veil, _ = see_through(base, _veiled(base, patch), np.ones(base.shape, bool))
    assert not veil.any()


def test_changes_both_ways_are_not_a_veil():
    base = _grey(textured(9, (800, 600)))
    mask = np.zeros(base.shape, bool)
    mask[120:126, 40:340] = True  # a thin lighter band …
    moved = _veiled(base, mask)
    moved[200:206, 40:340] = (moved[200:206, 40:340] * 0.4).astype(np.uint8)  # … and a darker one
    veil, _ = see_through(base, moved, np.ones(base.shape, bool))
    assert not veil.any()
