"""Where a pair of photos is confirmed as edited copies of one capture: geometric verification.

A similarity score cannot tell an edited copy from another exposure of the same scene (the
same building from another spot, a burst frame, an object re-shot a few centimetres away).
What an edit leaves, and a new exposure never does, is *one* transform that maps every part of
one picture onto the other — a resize, a crop, a 90° turn, a mirror, a small tilt — after which
the pixels agree up to a tone curve (brightness, contrast, grey, tint) and any overlay the edit
added (a caption, a watermark, a border). So a pair is confirmed by evidence of a shared capture:

1. local features (SIFT) of both photos are matched and the transform an edit can make (a
   similarity: scale, turn, shift; plus a mirror) is fitted with RANSAC;
2. the finer photo is warped into the coarser one's frame, the tones are matched (histogram
   matching over the overlap, so any monotone tone edit cancels out), and the aligned pictures
   are compared tile by tile. A re-shot scene leaves parallax, motion and lighting residual in
   many tiles; an edit leaves agreement everywhere except where it painted;
3. photos with too little texture for features are tried under the transforms a featureless
   edit can make (turns, mirror, whole-frame resize, a centred or corner crop found by template
   matching) and confirmed only if the whole aligned pictures agree pixel for pixel. A photo with
   nothing to compare (a blank sky) is never confirmed: "when in doubt, group" is not a rule.

The result is a `Verdict` with a strength in 0..1 (`core.duplicates` turns it into strictness
levels) and what the verifier saw, in words ("cropped to 80 %, brightened") and as edit labels
per side (which copy is brightened, captioned, tilted...), used by keep-best.

Where a pair is confirmed is this module: the checks, their bounds and the strength they make.
What it measures lives beside it — `core.verify_photo` (decode and features),
`core.verify_align` (the aligned tile comparison), `core.verify_overlay` (what an edit painted
on: caption bars, frames, stickers, watermarks), `core.verify_featureless` (the path for
photos without features) and `core.verify_words` (words and labels). Only these modules import
OpenCV; replace them together to change how pairs are confirmed.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from core.decode import load_rgb
from core.errors import NotAnImageError
from core.verify_align import compare_aligned
from core.verify_featureless import best_alignment
from core.verify_photo import Photo, load_photo
from core.verify_words import describe, describe_featureless, labels

# Bump whenever a change can alter a verdict: verdicts saved between scans are keyed by it.
VERSION = 19
RATIO = 0.8  # Lowe's ratio test
RANSAC_PX = 3.0  # reprojection threshold at the compared scale
MIN_INLIERS = 12  # fewer inliers: the feature path has no evidence; try the featureless path
RESIDUAL_OK = 0.25  # median inlier distance (coarser photo's px) an edit may leave in full …
RESIDUAL_NEVER = 0.5  # … falling to no evidence here (another frame, another exposure)
DISAGREE_OK = 0.04  # share of disagreeing tiles an edit may leave at full strength …
DISAGREE_NEVER = 0.20  # … falling to no evidence at this share
TEXTURED = 100  # keypoints: a photo with fewer may lack texture (try the featureless path)
# Strength of full pixel agreement over enough texture when the keypoints alone are weak (fewer
# than 30 inliers: tilts, whose corners and resampling cost keypoints, and tight crops). Strict
# level since verifier 14: on the dupset tune sample (benchmarks/verify_pairs.py) 0.85 -> 0.92
# confirmed 55 more of 1760 geometric true pairs at strict (40 of them tilts) and 1 more false
# pair (two screens of one app); 0.90 and 0.95 gave the same.
PIXELS_AGREE = 0.92
# Another frame of a near-static video or another screenshot of one app passes every check above
# (sub-pixel residual, agreeing tiles): what gives it away is a residual that moves whole areas
# together (the camera moved), with fine detail that no longer matches, or one tile of other
# content (a changed line of text) in pictures that otherwise agree exactly. Either holds such a
# pair under the strict bar; chosen on the dupset tune split (benchmarks/verify_pairs.py).
MOVED_COHERENT = 0.02  # coherence x residual (px) above this: the residual is a motion …
MOVED_FINE = 0.92  # … when the fine detail also correlates less than this
OTHER_CONTENT = 0.85  # the cap either sign sets: under strict (0.90), above normal (0.75)
# A part of the picture that sits elsewhere once the rest is aligned (tiles shifted against each
# other, `shift_spread` in px) moved between two exposures; an edit moves everything together.
# On the dupset tune split no edited copy exceeds 0.68 px; video frames with a subject that
# moved reach 0.6-1.4 px.
SHIFT_MOVED = 0.75  # from here the pair is held under strict (OTHER_CONTENT) …
SHIFT_NEVER = 1.0  # … and from here under loose: a whole pixel of its own is another exposure
MOVED_CAP = 0.5
# An edit paints on one copy (a caption, a sticker, a border); content drawn on *both* sides
# where the other is blank (events on two pages of a calendar, other rows of a form) is another
# picture of one layout. No edited copy of the tune pair sample shows it (share of the overlap).
BOTH_PAINTED = 0.01
# What agrees must reach across a good part of at least one copy (an edit shares the whole
# picture; a crop shares all of itself). Agreement confined to one patch of both pictures is
# what two captures sharing only an overlay show: one sticker or logo on two night skies. On
# the dupset tune sample no edited copy reaches less than 0.38 (two players on a lawn), and
# just 3 of 1930 less than 0.6 (benchmarks/verify_pairs.py: `evidence_extent`).
PATCH_ONLY = 0.45  # below this reach the pair is held under strict (OTHER_CONTENT) …
PATCH_NEVER = 0.3  # … and below this under loose (MOVED_CAP): a quarter of both is no copy
PLAIN_TEXTURE = 6  # textured tiles that must agree on the featureless path, unturned …
TURNED_TEXTURE = 12  # … and turned or mirrored
SURE = 0.95  # geometric evidence this strong needs no second opinion
CACHE = 512  # decoded photos and their features kept (LRU)

cv2.setNumThreads(1)  # the duplicate scan runs pairs on its own threads


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verifier's finding for one pair (a, b).

    Attributes:
        same: whether the evidence shows one capture (at the verifier's own bar; callers apply
            their strictness to `strength`).
        strength: 0..1, how strong the evidence of a shared capture is.
        method: "geometry" (features + transform + aligned pixels), "aligned" (no usable
            features; the whole aligned pictures agree), "exposure" (refused unseen: the EXIF
            names two shutter times, `core.exposure`) or "none".
        summary: for people: "cropped to 80 %, brightened".
        edits_a / edits_b: edit labels each side shows against the other.
        features: the measurements behind the verdict (for calibration and the benchmark).
    """

    same: bool
    strength: float
    method: str
    summary: str = ""
    edits_a: tuple[str, ...] = ()
    edits_b: tuple[str, ...] = ()
    features: dict[str, float] = field(default_factory=dict)


NO_EVIDENCE = Verdict(False, 0.0, "none", "nothing to compare")


def swapped(v: Verdict) -> Verdict:
    """The same verdict told from the other side: (b, a) instead of (a, b).

    Edit labels trade places, and so do the measurements that belong to one side; the
    measurements of b against a turn round (a brightness offset changes sign, a ratio inverts).
    """
    f: dict[str, float] = {}
    for name, value in v.features.items():
        if name.endswith("_a"):
            f[name[:-2] + "_b"] = value
        elif name.endswith("_b"):
            f[name[:-2] + "_a"] = value
        elif name == "brightness":
            f[name] = -value
        elif name in ("contrast", "scale", "pixel_ratio"):
            f[name] = 1.0 / value if value else 0.0
        elif name == "angle":
            f[name] = -value
        else:
            f[name] = value
    out = replace(v, edits_a=v.edits_b, edits_b=v.edits_a, features=f)
    if v.method == "geometry" and "pixel_ratio" in f:
        # The words have a direction too ("brightened", "turned 90°"): told again from b.
        out = replace(out, summary=describe(f, bool(f.get("mirrored")), f["pixel_ratio"]))
    return out


class Verifier:
    """Confirms candidate pairs; keeps small decodes and features of recent photos (LRU).

    Thread-safe enough for the duplicate scan's worker threads: the cache may compute a photo
    twice under a race, never return a half-built one.
    """

    def __init__(self, cache: int = CACHE) -> None:
        self._cache: OrderedDict[tuple[str, int, int], Photo | None] = OrderedDict()
        self._limit = cache

    # -- photos ----------------------------------------------------------------------------
    def photo(self, path: str) -> Photo | None:
        """The small upright decode of a photo with its features, or None if unreadable.

        Kept by path, size and modification time: an app keeps one verifier for a session, and
        a photo edited meanwhile must be decoded again.
        """
        try:
            st = Path(path).stat()
            key = (path, st.st_size, st.st_mtime_ns)
        except OSError:
            return None
        if key in self._cache:
            try:
                self._cache.move_to_end(key)
                return self._cache[key]
            except KeyError:  # dropped by another thread meanwhile
                pass
        photo = load_photo(path)
        self._cache[key] = photo
        while len(self._cache) > self._limit:
            try:
                self._cache.popitem(last=False)
            except KeyError:
                break
        return photo

    # -- the check ---------------------------------------------------------------------------
    def verify(self, path_a: str, path_b: str) -> Verdict:
        """Whether b is an edited copy of a (or a of b): the evidence, measured.

        Symmetric: the larger photo is always matched against the smaller, and the edit labels
        are handed back in the caller's order.
        """
        a, b = self.photo(path_a), self.photo(path_b)
        if a is None or b is None:
            return NO_EVIDENCE
        if (b.pixels, path_b) > (a.pixels, path_a):
            return swapped(self._verify(b, a))
        return self._verify(a, b)

    def _verify(self, a: Photo, b: Photo) -> Verdict:
        best: Verdict | None = None
        for mirrored in (False, True):
            found = _geometric(a, b, mirrored)
            if found is not None and (best is None or found.strength > best.strength):
                best = found
            if best is not None and best.same:
                break
        # Little texture: the geometry may be weak evidence where whole-picture agreement is not.
        few = a.sparse or b.sparse or min(a.count, b.count) < TEXTURED
        if (best is None or best.strength < SURE) and few:
            flat = _featureless(a, b)
            if flat is not None and (best is None or flat.strength > best.strength):
                best = flat
        return best or NO_EVIDENCE


# -- geometry --------------------------------------------------------------------------------
def _geometric(a: Photo, b: Photo, mirrored: bool) -> Verdict | None:
    """Match features of a and b (b mirrored if asked), fit a similarity, compare aligned."""
    if a.descriptors is None or b.descriptors is None:
        return None
    bb = b.mirrored() if mirrored else b
    if bb.descriptors is None:
        return None
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    pairs = matcher.knnMatch(bb.descriptors, a.descriptors, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < RATIO * m[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    src = bb.keypoints[[m.queryIdx for m in good]]
    dst = a.keypoints[[m.trainIdx for m in good]]
    matrix, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX, maxIters=4000,
        confidence=0.999, refineIters=10,
    )  # fmt: skip
    if matrix is None or inliers is None:
        return None
    mask = inliers.ravel().astype(bool)
    n_in = int(mask.sum())
    if n_in < MIN_INLIERS:
        return None
    projected = src[mask] @ matrix[:, :2].T + matrix[:, 2]
    residual = float(np.median(np.linalg.norm(projected - dst[mask], axis=1)))
    coherence = _coherence(dst[mask], projected - dst[mask])
    # A free homography on the same matches: a re-shot planar scene (a facade from another
    # spot) fits it much better than the similarity an edit makes.
    _, h_mask = cv2.findHomography(src, dst, cv2.RANSAC, RANSAC_PX, maxIters=2000)
    h_in = int(h_mask.sum()) if h_mask is not None else 0
    scale = float(math.hypot(matrix[0, 0], matrix[1, 0]))
    angle = math.degrees(math.atan2(matrix[1, 0], matrix[0, 0]))
    compared = compare_aligned(a, bb, matrix)
    if compared is None:
        return None
    spread = _spread(dst[mask], a.grey.shape)
    feats = {
        "matches": float(len(good)),
        "inliers": float(n_in),
        "inlier_ratio": n_in / len(good),
        "residual_px": residual,
        "residual_coherence": coherence,
        "homography_gain": h_in / max(n_in, 1),
        "scale": scale,
        "angle": angle,
        "spread": spread,
        "mirrored": float(mirrored),
        "pixel_ratio": a.pixels / max(bb.pixels, 1),
        **compared,
    }
    strength = _geometric_strength(feats)
    return Verdict(
        same=strength >= 0.5,
        strength=strength,
        method="geometry",
        summary=describe(feats, mirrored, feats["pixel_ratio"]),
        edits_a=labels(feats, "a"),
        edits_b=labels(feats, "b"),
        features=feats,
    )


def _spread(points: np.ndarray, shape: tuple[int, ...]) -> float:
    """How much of a photo its inliers cover: the area of their bounding box, as a fraction."""
    h, w = shape[:2]
    if len(points) < 3:
        return 0.0
    lo, hi = np.percentile(points, 5, axis=0), np.percentile(points, 95, axis=0)
    return float(max(0.0, (hi[0] - lo[0]) * (hi[1] - lo[1])) / (w * h))


def strength_factors(f: dict[str, float]) -> dict[str, float]:
    """Each check of the geometric path as a factor in 0..1 (1: no doubt from this check).

    An edit's transform is exact: its inliers sit on it to a fraction of a pixel (measured in
    the coarser photo's pixels), no free homography explains the matches better, and the
    aligned tiles agree except where the edit painted. Edits leave at most a few tiles off
    (compression noise, a half-covered edge tile); a subject that moved or a scene seen from
    elsewhere leaves many.
    """
    residual = f["residual_px"] / max(f["scale"], 1.0)
    return {
        "tiles disagree": _ramp(1.0 - f["tiles_agree"], DISAGREE_OK, DISAGREE_NEVER),
        "few inliers": min(1.0, f["inliers"] / 30.0) ** 0.5,
        # Consecutive frames of a near-static video sit on a similarity to 0.25-0.45 px (the
        # camera moved a little in depth or perspective); on the dupset tune split 97 % of
        # edited copies sit within 0.17 px and the worst JPEG q20 / WebP copies at 0.23-0.33.
        "residual": _ramp(residual, RESIDUAL_OK, RESIDUAL_NEVER),
        "homography fits better": _ramp(f["homography_gain"], 1.15, 1.6),
        "painted": _ramp(f["painted"], 0.25, 0.4),  # an overlay covers part of a photo, not most
    }


def strength_caps(f: dict[str, float]) -> dict[str, float]:
    """Signs of another frame or another screen: each caps the strength (1: no cap).

    Caps, not factors: they keep a pair from strict without pushing it under normal.
    """
    shift = f.get("shift_spread", 0.0)
    both = min(f.get("painted_a", 0.0), f.get("painted_b", 0.0))
    return {
        "moved": OTHER_CONTENT if _moved(f) or shift >= SHIFT_MOVED else 1.0,
        "part moved": MOVED_CAP if shift >= SHIFT_NEVER else 1.0,
        "other content": OTHER_CONTENT if f.get("hard_tiles", 0.0) >= 1 else 1.0,
        "painted on both": OTHER_CONTENT if both >= BOTH_PAINTED else 1.0,
        "agrees in one patch": _patch_cap(f),
    }


def _patch_cap(f: dict[str, float]) -> float:
    """The cap agreement confined to one small patch of both pictures sets (1: none)."""
    reach = f.get("evidence_extent", 1.0)
    if reach < PATCH_NEVER:
        return MOVED_CAP
    return OTHER_CONTENT if reach < PATCH_ONLY else 1.0


def _moved(f: dict[str, float]) -> bool:
    """Whether the residual is a small motion (another frame) rather than localisation noise."""
    residual = f["residual_px"] / max(f["scale"], 1.0)
    coherent = f.get("residual_coherence", 0.0) * residual
    return coherent > MOVED_COHERENT and f.get("fine_ncc", 1.0) < MOVED_FINE


def _coherence(points: np.ndarray, errors: np.ndarray, k: int = 6) -> float:
    """How much each inlier's residual agrees with its neighbours' (−1..1; about 0 for noise).

    An edit leaves keypoints scattered randomly around the transform; a camera that moved a
    little between two frames shifts whole neighbourhoods the same way.
    """
    if len(points) <= k:
        return 0.0
    d = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(d, np.inf)
    near = np.argpartition(d, k, axis=1)[:, :k]
    around = errors[near].mean(axis=1)
    den = math.sqrt(float((errors * errors).sum() * (around * around).sum()) + 1e-12)
    return float((errors * around).sum() / den)


def _geometric_strength(f: dict[str, float]) -> float:
    """Evidence of one capture from the measurements, 0..1: the product of the checks' factors.

    Strictness levels in `core.duplicates` are cut-offs on the result.
    """
    if f["tiles"] < 4:
        return 0.0
    factors = strength_factors(f)
    score = float(np.prod(list(factors.values())))
    # Agreement of the aligned pixels everywhere, over enough texture, is strong evidence on its
    # own: it outweighs the loose keypoints of a photo made of smooth shapes, though not a
    # residual that says the camera moved (the next frame agrees everywhere too).
    if f["tiles_agree"] >= 0.98 and f["textured_agree"] >= 16 and f["painted"] <= 0.25:
        score = max(score, PIXELS_AGREE * factors["residual"] * factors["homography fits better"])
    score = min(score, *strength_caps(f).values())
    return float(max(0.0, min(1.0, score)))


def _ramp(value: float, full: float, zero: float) -> float:
    """1 up to `full`, falling linearly to 0 at `zero`."""
    if value <= full:
        return 1.0
    return max(0.0, 1.0 - (value - full) / (zero - full))


def _featureless(a: Photo, b: Photo) -> Verdict | None:
    """The featureless path's verdict: confirmed only by full agreement of the aligned pixels.

    Nothing to compare (both pictures nearly flat) is never confirmed; what there is must agree
    everywhere, since no feature geometry backs the alignment up.
    """
    best = best_alignment(a, b, _featureless_score)
    if best is None:
        return None
    found = dict(best.features)
    strength = best.score if found["painted"] <= 0.25 else 0.0
    if found["tiles_agree"] < 0.97:
        strength = min(strength, 0.4)  # without features, only full agreement confirms
    strength = min(strength, _patch_cap(found))
    found.update(turn=float(best.degrees), mirrored=float(best.mirrored))
    return Verdict(
        same=strength >= 0.5,
        strength=float(strength),
        method="aligned",
        summary=describe_featureless(found, best.degrees, best.mirrored),
        features=found,
    )


def _featureless_score(found: dict[str, float]) -> float:
    # A turned or mirrored alignment is the best of seven more tries (each with a crop search),
    # so it needs twice the agreeing texture: two mostly flat screens of two apps lined up at
    # 180° and 270° with 7-8 agreeing tiles (the fresh and fresh2 splits), where on the tune
    # sample 4 of 37 turned or mirrored copies confirmed this way had fewer than 12.
    if found["textured_agree"] < (TURNED_TEXTURE if found.get("turned") else PLAIN_TEXTURE):
        return 0.0
    return _ramp(1.0 - found["tiles_agree"], DISAGREE_OK, DISAGREE_NEVER)


# -- identical pixels ----------------------------------------------------------------------------
def pixels_identical(a: str, b: str) -> bool:
    """Whether two files decode to exactly the same upright pixels (the exact tier's check)."""
    try:
        x, y = load_rgb(Path(a)), load_rgb(Path(b))
    except (NotAnImageError, OSError):
        return False
    return x.size == y.size and np.array_equal(np.asarray(x), np.asarray(y))
