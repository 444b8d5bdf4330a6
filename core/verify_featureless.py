"""The featureless path: photos with too little texture for local features.

Such photos are tried under the transforms a featureless edit can make (turns, mirror, a
whole-frame resize, a centred or corner crop found by template matching, and, unturned, a
small tilt about the centre found by intensity alignment) and the aligned pictures are
compared tile by tile. This module finds the best alignment; whether it confirms
the pair is decided in `core.verify`.
"""

from __future__ import annotations

import math
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


TILT_MAX = 6.0  # degrees: a straightening, not a turn
TILT_STARTS = (0.0, -3.0, 3.0)  # degrees the intensity alignment starts from
_ECC_STOP = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 60, 1e-5)


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
        if degrees == 0 and not mirrored:
            tilted = _tilt_match(a, b)
            if tilted is not None:
                tilted["turned"] = (
                    1.0  # more freedom than a plain resize: as much evidence as a turn
                )
                rated = score(tilted)
                if best is None or rated > best.score:
                    best = Alignment(rated, tilted, 0, False)
                    if rated >= 1.0:
                        return best
    return best


def _tilt_match(a: Photo, b: Photo) -> dict[str, float] | None:
    """The tilt of b about its centre (cropped or grown) that aligns it onto a, compared there.

    Tilting turns a picture about its centre at the same scale, whether the corners are then
    cropped or filled: that is the starting guess, refined by intensity alignment (ECC, which
    gradients of smooth pictures suit and any brightness or contrast edit leaves alone). Only
    a near-similarity of at most TILT_MAX degrees counts.
    """
    ah, aw = a.grey.shape
    bh, bw = b.grey.shape
    ka, kb = aw / a.full_size[0], bw / b.full_size[0]  # compare px per original px
    s = ka / kb  # b's compare px to a's, at the same original scale
    best: tuple[float, np.ndarray] | None = None
    for start in TILT_STARTS:
        t = math.radians(start)
        # warp maps a's compare px to b's: b = R(-t)/s (a - centre_a) + centre_b
        c, d = math.cos(t) / s, math.sin(t) / s
        warp = np.array(
            [[c, d, bw / 2 - c * aw / 2 - d * ah / 2], [-d, c, bh / 2 + d * aw / 2 - c * ah / 2]],
            np.float32,
        )
        try:
            rho, warp = cv2.findTransformECC(
                a.grey, b.grey, warp, cv2.MOTION_AFFINE, _ECC_STOP, None, 5
            )
        except cv2.error:
            continue  # did not converge
        if best is None or rho > best[0]:
            best = (rho, warp)
    if best is None:
        return None
    warp = best[1]
    m = warp[:, :2].astype(np.float64)
    scale = math.sqrt(abs(np.linalg.det(m)))
    angle = math.degrees(math.atan2(m[0, 1], m[0, 0]))
    skew = (abs(m[0, 0] - m[1, 1]) + abs(m[0, 1] + m[1, 0])) / max(scale, 1e-9)
    if abs(angle) > TILT_MAX or skew > 0.02:
        return None
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    aligned = cv2.warpAffine(b.grey, warp, (aw, ah), flags=flags)
    inside = cv2.warpAffine(np.full(b.grey.shape, 255, np.uint8), warp, (aw, ah), flags=flags)
    valid = cv2.erode(inside, np.ones((3, 3), np.uint8)) == 255
    if valid.mean() < 0.3:
        return None
    found, _ = tiles(a.grey, aligned, valid)
    found["covered_a"] = float(valid.mean())
    found["covered_b"] = 1.0
    found["angle"] = angle
    return found


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
