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
per side (which copy is brightened, captioned, tilted...), used by keep-best. This module is the
only place that imports OpenCV; replace it alone to change how pairs are confirmed.
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

# Bump whenever a change can alter a verdict: verdicts saved between scans are keyed by it.
VERSION = 4
SIDE = 384  # long side of the decodes compared
MIN_SIDE = 48  # a picture smaller than this has too little to verify
FEATURES = 600  # SIFT keypoints per photo
RATIO = 0.8  # Lowe's ratio test
RANSAC_PX = 3.0  # reprojection threshold at the compared scale
MIN_INLIERS = 12  # fewer inliers: the feature path has no evidence; try the featureless path
RESIDUAL_OK = 0.25  # median inlier distance (coarser photo's px) an edit may leave in full …
RESIDUAL_NEVER = 0.5  # … falling to no evidence here (another frame, another exposure)
GRID = 8  # tiles per side for the aligned comparison
DISAGREE_OK = 0.04  # share of disagreeing tiles an edit may leave at full strength …
DISAGREE_NEVER = 0.20  # … falling to no evidence at this share
TILE_NCC = 0.80  # a textured tile agrees when its tone-matched correlation reaches this
FLAT_STD = 3.0  # a tile with less grey-level spread than this has no texture
FLAT_MAD = 4.0  # … and agrees when the mean absolute difference stays below this
NOISE_RMS = 6.0  # a textured tile whose tone-matched difference is this small agrees too …
NOISE_SHARE = 0.7  # … when it is also well below the tile's own spread
TEXTURED = 100  # keypoints: a photo with fewer may lack texture (try the featureless path)
BRIGHTER = 6.0  # mean grey-level shift that counts as a brightness edit
PIXELS_AGREE = 0.85  # strength of full pixel agreement when the keypoints alone are weak
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
            features; the whole aligned pictures agree) or "none".
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
        elif name in ("contrast", "scale"):
            f[name] = 1.0 / value if value else 0.0
        elif name == "angle":
            f[name] = -value
        else:
            f[name] = value
    return replace(v, edits_a=v.edits_b, edits_b=v.edits_a, features=f)


@dataclass(slots=True)
class _Photo:
    colour: np.ndarray  # H x W x 3 uint8, upright, long side <= SIDE
    grey: np.ndarray  # H x W uint8
    full_size: tuple[int, int]  # the decoded photo's (width, height) before shrinking
    keypoints: np.ndarray | None = None  # N x 2 float32
    descriptors: np.ndarray | None = None
    mirror: _Photo | None = None  # the same photo mirrored, with its features (made on demand)


class Verifier:
    """Confirms candidate pairs; keeps small decodes and features of recent photos (LRU).

    Thread-safe enough for the duplicate scan's worker threads: the cache may compute a photo
    twice under a race, never return a half-built one.
    """

    def __init__(self, cache: int = CACHE) -> None:
        self._cache: OrderedDict[str, _Photo | None] = OrderedDict()
        self._limit = cache
        self._sift = None

    # -- photos ----------------------------------------------------------------------------
    def photo(self, path: str) -> _Photo | None:
        """The small upright decode of a photo with its features, or None if unreadable."""
        found = self._cache.get(path)
        if found is not None or path in self._cache:
            return found
        try:
            image = load_rgb(Path(path), max_side=SIDE)
        except (NotAnImageError, OSError):
            photo = None
        else:
            full = image.size
            image.thumbnail((SIDE, SIDE))
            colour = np.asarray(image, np.uint8)
            photo = None
            if min(colour.shape[:2]) >= 16 and max(colour.shape[:2]) >= MIN_SIDE:
                grey = cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY)
                photo = _Photo(colour, grey, full)
                sift = cv2.SIFT_create(nfeatures=FEATURES)
                kps, desc = sift.detectAndCompute(grey, None)
                if desc is not None and len(kps) >= 2:
                    photo.keypoints = np.float32([k.pt for k in kps])
                    photo.descriptors = desc
        self._cache[path] = photo
        while len(self._cache) > self._limit:
            self._cache.popitem(last=False)
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
        if (_pixels(b), path_b) > (_pixels(a), path_a):
            return swapped(self._verify(b, a))
        return self._verify(a, b)

    def _verify(self, a: _Photo, b: _Photo) -> Verdict:
        best: Verdict | None = None
        for mirrored in (False, True):
            found = _geometric(a, b, mirrored)
            if found is not None and (best is None or found.strength > best.strength):
                best = found
            if best is not None and best.same:
                break
        # Few features: the geometry may be weak evidence where whole-picture agreement is not.
        few = min(_count(a), _count(b)) < TEXTURED
        if (best is None or best.strength < SURE) and few:
            flat = _featureless(a, b)
            if flat is not None and (best is None or flat.strength > best.strength):
                best = flat
        return best or NO_EVIDENCE


def _count(p: _Photo) -> int:
    return 0 if p.keypoints is None else len(p.keypoints)


# -- geometry --------------------------------------------------------------------------------
def _geometric(a: _Photo, b: _Photo, mirrored: bool) -> Verdict | None:
    """Match features of a and b (b mirrored if asked), fit a similarity, compare aligned."""
    if a.descriptors is None or b.descriptors is None:
        return None
    bb = b
    if mirrored:
        if b.mirror is None:
            grey = np.ascontiguousarray(b.grey[:, ::-1])
            b.mirror = _Photo(np.ascontiguousarray(b.colour[:, ::-1]), grey, b.full_size)
            kps, desc = cv2.SIFT_create(nfeatures=FEATURES).detectAndCompute(grey, None)
            if desc is not None and len(kps) >= 2:
                b.mirror.keypoints = np.float32([k.pt for k in kps])
                b.mirror.descriptors = desc
        bb = b.mirror
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
    # A free homography on the same matches: a re-shot planar scene (a facade from another
    # spot) fits it much better than the similarity an edit makes.
    _, h_mask = cv2.findHomography(src, dst, cv2.RANSAC, RANSAC_PX, maxIters=2000)
    h_in = int(h_mask.sum()) if h_mask is not None else 0
    scale = float(math.hypot(matrix[0, 0], matrix[1, 0]))
    angle = math.degrees(math.atan2(matrix[1, 0], matrix[0, 0]))
    compared = _compare_aligned(a, bb, matrix)
    if compared is None:
        return None
    spread = _spread(dst[mask], a.grey.shape)
    feats = {
        "matches": float(len(good)),
        "inliers": float(n_in),
        "inlier_ratio": n_in / len(good),
        "residual_px": residual,
        "homography_gain": h_in / max(n_in, 1),
        "scale": scale,
        "angle": angle,
        "spread": spread,
        "mirrored": float(mirrored),
        **compared,
    }
    strength = _geometric_strength(feats)
    return Verdict(
        same=strength >= 0.5,
        strength=strength,
        method="geometry",
        summary=_describe(a, bb, matrix, feats, mirrored),
        edits_a=_labels(feats, "a"),
        edits_b=_labels(feats, "b"),
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


def _geometric_strength(f: dict[str, float]) -> float:
    """Evidence of one capture from the measurements, 0..1: the product of the checks' factors.

    Strictness levels in `core.duplicates` are cut-offs on the result.
    """
    if f["tiles"] < 4:
        return 0.0
    score = float(np.prod(list(strength_factors(f).values())))
    # Agreement of the aligned pixels everywhere, over enough texture, is strong evidence on its
    # own: it outweighs the loose keypoints of a photo made of smooth shapes.
    if f["tiles_agree"] >= 0.98 and f["textured_agree"] >= 16 and f["painted"] <= 0.25:
        score = max(score, PIXELS_AGREE)
    return float(max(0.0, min(1.0, score)))


def _ramp(value: float, full: float, zero: float) -> float:
    """1 up to `full`, falling linearly to 0 at `zero`."""
    if value <= full:
        return 1.0
    return max(0.0, 1.0 - (value - full) / (zero - full))


# -- aligned comparison ---------------------------------------------------------------------
def _compare_aligned(a: _Photo, b: _Photo, matrix: np.ndarray) -> dict[str, float] | None:
    """Warp the finer photo into the coarser one's frame and compare tone-matched tiles.

    `matrix` maps b's pixels onto a's. Comparing at the coarser photo's resolution means a
    heavy down-scale or re-compression still matches its original.
    """
    scale = float(math.hypot(matrix[0, 0], matrix[1, 0]))
    if scale <= 0:
        return None
    full = np.vstack([matrix, [0.0, 0.0, 1.0]])
    if scale >= 1.0:  # b is coarser (a shows it larger): bring a into b's frame
        inverse = np.linalg.inv(full)[:2]
        target, moving, to_target = b, a, inverse
    else:
        target, moving, to_target = a, b, matrix
    th, tw = target.grey.shape
    warped = cv2.warpAffine(moving.grey, to_target, (tw, th), flags=cv2.INTER_AREA, borderValue=0)
    valid = cv2.warpAffine(
        np.full(moving.grey.shape, 255, np.uint8), to_target, (tw, th), flags=cv2.INTER_NEAREST
    )
    valid = cv2.erode(valid, np.ones((5, 5), np.uint8)) > 0
    covered_target = float(valid.mean())
    if covered_target < 0.05:
        return None
    # How much of the moving photo lies inside the target's frame (the rest was cropped away).
    back = cv2.warpAffine(
        np.full(target.grey.shape, 255, np.uint8),
        cv2.invertAffineTransform(to_target),
        (moving.grey.shape[1], moving.grey.shape[0]),
        flags=cv2.INTER_NEAREST,
    )
    covered_moving = float((back > 0).mean())
    result, agreeing = _tiles(target.grey, warped, valid)
    target_is_a = target is a
    result["covered_a"] = covered_target if target_is_a else covered_moving
    result["covered_b"] = covered_moving if target_is_a else covered_target
    tone_mask = agreeing if agreeing.any() else valid
    result.update(_tones(target, moving, to_target, tone_mask, target_is_a))
    return result


def _match_tones(source: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Map `source` grey levels onto `reference`'s by their cumulative histograms."""
    s_hist = np.bincount(source, minlength=256).astype(np.float64)
    r_hist = np.bincount(reference, minlength=256).astype(np.float64)
    s_cdf = np.cumsum(s_hist) / max(s_hist.sum(), 1)
    r_cdf = np.cumsum(r_hist) / max(r_hist.sum(), 1)
    lut = np.interp(s_cdf, r_cdf, np.arange(256))
    return lut


def _paint(image: np.ndarray) -> np.ndarray:
    """Pixels that look painted on: flat pure white or black, grown to take in drawn text.

    Caption bars, frames, black corners and stickers are such areas; natural texture rarely is.
    """
    img = image.astype(np.float32)
    mean = cv2.blur(img, (5, 5))
    var = cv2.blur(img * img, (5, 5)) - mean * mean
    flat = (var < 4.0) & ((mean >= 245) | (mean <= 10))
    return cv2.dilate(flat.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0


def _rectangles(mask: np.ndarray) -> np.ndarray:
    """The parts of a mask that are filled rectangles (bars, stickers, frames), not blobs.

    Over-exposed sky in one photo and blue sky in another are flat white against texture too,
    but an edit paints rectangles; a different exposure clips irregular shapes.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    keep = np.zeros(count, bool)
    floor = 0.002 * mask.size
    for n in range(1, count):
        _, _, w, h, area = stats[n]
        keep[n] = area >= floor and area >= 0.8 * w * h
    return keep[labels]


def _tiles(
    target: np.ndarray, warped: np.ndarray, valid: np.ndarray
) -> tuple[dict[str, float], np.ndarray]:
    """Tone-match the overlap, then the fraction of tiles where the two agree (and where).

    A tile agrees when its tone-matched correlation is high or what differs is no more than
    compression noise (a low-contrast tile of a q20 JPEG). What one copy shows painted on
    (a caption bar, a sticker, a frame: flat pure white or black) is set aside rather than
    counted against the pair. Natural content that differs (a face that moved, a tree seen from
    elsewhere) always counts. The tone curve is fitted twice: the second time only on the
    tiles that agreed, so a white caption bar cannot bend the curve for the rest.
    """
    # What one copy shows painted on and the other does not is set aside: an overlay is an edit.
    painted_px = _rectangles((_paint(target) != _paint(warped)) & valid)
    painted_share = float(painted_px.sum() / max(valid.sum(), 1))
    valid = valid & ~painted_px
    h, wd = target.shape
    ys = np.linspace(0, h, GRID + 1).astype(int)
    xs = np.linspace(0, wd, GRID + 1).astype(int)
    cells = [
        (slice(ys[i], ys[i + 1]), slice(xs[j], xs[j + 1]))
        for i in range(GRID)
        for j in range(GRID)
        if valid[ys[i] : ys[i + 1], xs[j] : xs[j + 1]].mean() >= 0.6
    ]
    ref = cv2.GaussianBlur(target.astype(np.float32), (0, 0), 0.8)
    fit = valid
    for _ in range(2):
        lut = _match_tones(warped[fit], target[fit])
        matched = np.zeros(target.shape, np.float32)
        matched[valid] = lut[warped[valid]]
        smooth = cv2.GaussianBlur(matched, (0, 0), 0.8)
        verdicts = [_tile(ref[c], smooth[c], valid[c]) for c in cells]
        agreeing = np.zeros(target.shape, bool)
        for c, (ok, _, _) in zip(cells, verdicts, strict=True):
            if ok:
                agreeing[c] = valid[c]
        if agreeing.sum() < 0.2 * valid.sum():
            break
        fit = agreeing
    agree = total = textured = textured_ok = 0
    nccs: list[float] = []
    for ok, ncc, flat in verdicts:
        if not flat:
            textured += 1
            textured_ok += int(ok)
            nccs.append(ncc)
        total += 1
        agree += int(ok)
    return {
        "tiles": float(total),
        "textured": float(textured),
        "textured_agree": float(textured_ok),
        "painted": painted_share,
        "tiles_agree": agree / total if total else 0.0,
        "tile_ncc_median": float(np.median(nccs)) if nccs else 0.0,
    }, agreeing


def _tile(x: np.ndarray, y: np.ndarray, m: np.ndarray) -> tuple[bool, float, bool]:
    """(agrees, correlation, flat) for one tile of the tone-matched pair."""
    x, y = x[m], y[m]
    sx, sy = float(x.std()), float(y.std())
    if sx < FLAT_STD and sy < FLAT_STD:
        return float(np.abs(x - y).mean()) < FLAT_MAD, 1.0, True
    xc, yc = x - x.mean(), y - y.mean()
    den = math.sqrt(float((xc * xc).sum() * (yc * yc).sum()) + 1e-9)
    ncc = float((xc * yc).sum() / den)
    rms = float(np.sqrt(np.mean((x - y) ** 2)))
    # Compression noise is small against the tile's own contrast; two different textures of
    # low contrast differ by as much as they vary.
    noise = rms <= NOISE_RMS and rms <= NOISE_SHARE * min(sx, sy)
    return ncc >= TILE_NCC or noise, ncc, False


def _tones(
    target: _Photo, moving: _Photo, to_target: np.ndarray, valid: np.ndarray, target_is_a: bool
) -> dict[str, float]:
    """Brightness, contrast and colour of b against a over their overlap (for the summary)."""
    th, tw = target.grey.shape
    warped = cv2.warpAffine(moving.colour, to_target, (tw, th), flags=cv2.INTER_AREA)
    # Every 5th pixel of the overlap is plenty for means and spreads.
    x = target.colour[valid][::5].astype(np.float32)
    y = warped[valid][::5].astype(np.float32)
    a, b = (x, y) if target_is_a else (y, x)
    ga, gb = a.mean(axis=1), b.mean(axis=1)

    def chroma(c: np.ndarray) -> float:
        return float((c.max(axis=1) - c.min(axis=1)).mean())

    return {
        "clip_hi_a": float((ga >= 250).mean()),
        "clip_hi_b": float((gb >= 250).mean()),
        "clip_lo_a": float((ga <= 5).mean()),
        "clip_lo_b": float((gb <= 5).mean()),
        "brightness": float(gb.mean() - ga.mean()),
        "contrast": float(gb.std() / max(ga.std(), 1e-3)),
        "chroma_a": chroma(a),
        "chroma_b": chroma(b),
        "tint": float(np.abs((b.mean(axis=0) - gb.mean()) - (a.mean(axis=0) - ga.mean())).max()),
    }


# -- photos without features -----------------------------------------------------------------
_TURNS = (
    (0, False), (90, False), (180, False), (270, False),
    (0, True), (90, True), (180, True), (270, True),
)  # fmt: skip


def _turned(image: np.ndarray, degrees: int, mirrored: bool) -> np.ndarray:
    out = image[:, ::-1] if mirrored else image
    return np.ascontiguousarray(np.rot90(out, k=-(degrees // 90)))


def _featureless(a: _Photo, b: _Photo) -> Verdict | None:
    """Try the transforms an edit can make without features; confirm only full agreement."""
    best: tuple[float, dict[str, float], int, bool] | None = None
    ah, aw = a.grey.shape
    for degrees, mirrored in _TURNS:
        g = _turned(b.grey, degrees, mirrored)
        bh, bw = g.shape
        tries = []
        if abs((aw / ah) / (bw / bh) - 1) <= 0.02:  # whole frame, resized
            small = (min(aw, bw), min(ah, bh))
            x = cv2.resize(a.grey, small, interpolation=cv2.INTER_AREA)
            y = cv2.resize(g, small, interpolation=cv2.INTER_AREA)
            whole, _ = _tiles(x, y, np.ones(x.shape, bool))
            whole["covered_a"] = whole["covered_b"] = 1.0
            tries.append(whole)
        crop = _crop_match(a.grey, g)  # a crop keeps or changes the aspect ratio
        if crop is not None:
            tries.append(crop)
        for found in tries:
            score = 0.0
            if found["textured_agree"] >= 6:
                score = _ramp(1.0 - found["tiles_agree"], DISAGREE_OK, DISAGREE_NEVER)
            if best is None or score > best[0]:
                best = (score, found, degrees, mirrored)
    if best is None:
        return None
    score, found, degrees, mirrored = best
    # Nothing to compare (both pictures nearly flat) is never confirmed; what there is must
    # agree everywhere, since no feature geometry backs the alignment up.
    strength = score if found["painted"] <= 0.25 else 0.0
    if found["tiles_agree"] < 0.97:
        strength = min(strength, 0.4)  # without features, only full agreement confirms
    found.update(turn=float(degrees), mirrored=float(mirrored))
    return Verdict(
        same=strength >= 0.5,
        strength=float(strength),
        method="aligned",
        summary=", ".join(
            w
            for w in (
                "cropped" if found.get("covered_a", 1.0) < 1.0 else "",
                _turn_words(degrees, mirrored),
            )
            if w
        )
        or "the whole pictures agree",
        features=found,
    )


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
    found, _ = _tiles(x, y, np.ones(x.shape, bool))
    found["covered_a"] = found["covered_b"] = 0.0
    return found


# -- words -----------------------------------------------------------------------------------
def _turn_words(degrees: int, mirrored: bool) -> str:
    words = []
    if degrees:
        words.append(f"turned {degrees}°")
    if mirrored:
        words.append("mirrored")
    return ", ".join(words)


def _describe(a: _Photo, b: _Photo, matrix: np.ndarray, f: dict[str, float], mirrored: bool) -> str:
    """What the edit did, in words: "cropped to 80 %, turned 90°, brightened"."""
    words: list[str] = []
    angle = f["angle"] % 360
    quarter = round(angle / 90) % 4
    tilt = angle - 90 * round(angle / 90)
    if quarter:
        words.append(f"turned {quarter * 90}°")
    if abs(tilt) >= 0.7:
        words.append(f"tilted {abs(tilt):.0f}°")
    if mirrored:
        words.append("mirrored")
    ca, cb = f.get("covered_a", 1.0), f.get("covered_b", 1.0)
    if min(ca, cb) < 0.93:
        crop = min(ca, cb)
        words.append(
            f"cropped to {round(100 * crop)} % of the picture"
            if max(ca, cb) > 0.97
            else "partly overlapping crops"
        )
    ratio = _pixels(a) / max(_pixels(b), 1)
    if ratio > 1.3 or ratio < 1 / 1.3:
        words.append("resized")
    if f.get("brightness", 0) > BRIGHTER:
        words.append("brightened")
    elif f.get("brightness", 0) < -BRIGHTER:
        words.append("darkened")
    if abs(math.log(max(f.get("contrast", 1.0), 1e-3))) > 0.1:
        words.append("contrast changed")
    if (
        min(f.get("chroma_a", 0), f.get("chroma_b", 0))
        < 3
        < max(f.get("chroma_a", 0), f.get("chroma_b", 0)) - 5
    ):
        words.append("grey")
    elif f.get("tint", 0) > 10:
        words.append("colours changed")
    if f.get("painted", 0.0) > 0.02:
        words.append("text or overlay added")
    return ", ".join(words) if words else "same picture"


def _pixels(p: _Photo) -> int:
    return p.full_size[0] * p.full_size[1]


def _labels(f: dict[str, float], side: str) -> tuple[str, ...]:
    """Edit labels of one side of a pair (which copy was brightened, greyed, cropped)."""
    other = "b" if side == "a" else "a"
    out: list[str] = []
    sign = 1 if side == "b" else -1
    # The copy that was brightened (darkened) is the brighter (darker) one, and an edit that
    # pushes tones clips more of them; without more clipping, neither side is blamed.
    clips_more_hi = f.get(f"clip_hi_{side}", 0) > f.get(f"clip_hi_{other}", 0) + 0.002
    clips_more_lo = f.get(f"clip_lo_{side}", 0) > f.get(f"clip_lo_{other}", 0) + 0.002
    if sign * f.get("brightness", 0) > BRIGHTER and clips_more_hi:
        out.append("brightened")
    if sign * f.get("brightness", 0) < -BRIGHTER and clips_more_lo:
        out.append("darkened")
    contrast = math.log(max(f.get("contrast", 1.0), 1e-3))  # b's spread over a's
    if sign * contrast > 0.1:
        out.append("contrast raised")
    if f.get(f"chroma_{side}", 10) < 3 and f.get(f"chroma_{other}", 0) > 8:
        out.append("grey")
    # The crop lies wholly inside the other picture, which it covers only in part.
    if f.get(f"covered_{side}", 1.0) > 0.97 and f.get(f"covered_{other}", 1.0) < 0.93:
        out.append("cropped")
    return tuple(out)


# -- identical pixels ----------------------------------------------------------------------------
def pixels_identical(a: str, b: str) -> bool:
    """Whether two files decode to exactly the same upright pixels (the exact tier's check)."""
    try:
        x, y = load_rgb(Path(a)), load_rgb(Path(b))
    except (NotAnImageError, OSError):
        return False
    return x.size == y.size and np.array_equal(np.asarray(x), np.asarray(y))
