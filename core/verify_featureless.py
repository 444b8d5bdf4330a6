"""The featureless path: photos with too little texture for local features.

Such photos are tried under the transforms a featureless edit can make (turns, mirror, a
whole-frame resize, a centred or corner crop found by template matching) and the aligned
pictures are compared tile by tile. This module finds the best alignment; whether it confirms
the pair is decided in `core.verify`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from core.verify_align import tiles
from core.verify_photo import Photo

_TURNS = (
    (0, False), (90, False), (180, False), (270, False),
    (0, True), (90, True), (180, True), (270, True),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Alignment:
    """The best-agreeing featureless alignment of b onto a."""

    score: float
    features: dict[str, float]
    degrees: int
    mirrored: bool


def _turned(image: np.ndarray, degrees: int, mirrored: bool) -> np.ndarray:
    out = image[:, ::-1] if mirrored else image
    return np.ascontiguousarray(np.rot90(out, k=-(degrees // 90)))


def best_alignment(
    a: Photo, b: Photo, score: Callable[[dict[str, float]], float]
) -> Alignment | None:
    """Try each turn/mirror of b, whole-frame and cropped; keep the one `score` rates best.

    `score` is at most 1: an alignment rated 1 cannot be beaten, so the search stops there (an
    edited copy usually agrees whole and unturned, the first try; the crop search is the
    costly part).
    """
    best: Alignment | None = None
    for degrees, mirrored in _TURNS:
        g = _turned(b.grey, degrees, mirrored)
        for found in _tries(a.grey, g):
            found["turned"] = float(degrees != 0 or mirrored)
            rated = score(found)
            if best is None or rated > best.score:
                best = Alignment(rated, found, degrees, mirrored)
                if rated >= 1.0:
                    return best
    return best


def _tries(a: np.ndarray, g: np.ndarray) -> Iterator[dict[str, float]]:
    """The comparisons of one turn of b: whole frame (same aspect ratio), then the best crop."""
    ah, aw = a.shape
    bh, bw = g.shape
    if abs((aw / ah) / (bw / bh) - 1) <= 0.02:  # whole frame, resized
        small = (min(aw, bw), min(ah, bh))
        x = cv2.resize(a, small, interpolation=cv2.INTER_AREA)
        y = cv2.resize(g, small, interpolation=cv2.INTER_AREA)
        whole, _ = tiles(x, y, np.ones(x.shape, bool))
        whole["covered_a"] = whole["covered_b"] = 1.0
        yield whole
    crop = _crop_match(a, g)  # a crop keeps or changes the aspect ratio
    if crop is not None:
        yield crop


def _crop_match(a: np.ndarray, b: np.ndarray) -> dict[str, float] | None:
    """Find the smaller-content photo inside the other at a few scales; compare there."""
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for big, small, swap in ((a, b, False), (b, a, True)):
        bh, bw = big.shape
        for fraction in (0.9, 0.8, 0.7, 0.6):
            tw = round(bw * fraction)
            th = round(tw * small.shape[0] / small.shape[1])
            if th > bh or tw < 16 or th < 16:
                continue
            template = cv2.resize(small, (tw, th), interpolation=cv2.INTER_AREA)
            res = cv2.matchTemplate(big, template, cv2.TM_CCOEFF_NORMED)
            _, score, _, (x, y) = cv2.minMaxLoc(res)
            if best is None or score > best[0]:
                region = big[y : y + th, x : x + tw]
                best = (score, region, template) if not swap else (score, template, region)
    if best is None:
        return None
    _, x, y = best
    found, _ = tiles(x, y, np.ones(x.shape, bool))
    found["covered_a"] = found["covered_b"] = 0.0
    return found
