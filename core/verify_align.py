"""Where two aligned photos are compared: the finer warped onto the coarser, tile by tile.

An edit leaves the pixels agreeing up to a tone curve and whatever it painted on; another
exposure leaves parallax, motion and lighting residual in many tiles. This module measures
that (share of agreeing tiles, what looks painted, tones for the words) and decides nothing:
`core.verify` turns the measurements into a strength.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np

from core import verify_overlay as overlay
from core.verify_photo import Photo

GRID = 8  # tiles per side for the aligned comparison
TILE_NCC = 0.80  # a textured tile agrees when its tone-matched correlation reaches this
FLAT_STD = 3.0  # a tile with less grey-level spread than this has no texture
FLAT_MAD = 4.0  # … and agrees when the mean absolute difference stays below this
NOISE_RMS = 6.0  # a textured tile whose tone-matched difference is this small agrees too …
NOISE_SHARE = 0.7  # … when it is also well below the tile's own spread
HARD_NCC = 0.5  # a tile that disagrees with a correlation under this …
HARD_RMS = 20.0  # … and a difference this large shows other content, not noise
BLUR = 0.8  # both sides are blurred this much (px) before tiles are compared
# The warped picture's tones are mapped onto the target's unless it has this much more of its
# overlap clipped to pure white or black (then the target's are mapped onto it).
CLIP_MORE = 0.05
TONE_FLAT = 8.0  # flat on both sides within this many grey levels of the tone curve: not paint
SHIFT_TEXTURE = 8.0  # a tile's position is measured where its grey levels spread this much …
SHIFT_RESPONSE = 0.6  # … and its phase-correlation peak is this clear
_SIDED = ("painted", "sticker", "veil")  # measurements of the overlay one side shows


def compare_aligned(a: Photo, b: Photo, matrix: np.ndarray) -> dict[str, float] | None:
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
    footprint = cv2.warpAffine(
        np.full(moving.grey.shape, 255, np.uint8), to_target, (tw, th), flags=cv2.INTER_NEAREST
    )
    valid = cv2.erode(footprint, np.ones((5, 5), np.uint8)) > 0
    if valid.mean() < 0.05:
        return None
    # How much of each frame the other's picture covers (the rest was cropped away from it).
    # Plain paint the other lacks, a border or a caption bar, is canvas an edit added, not
    # picture: it counts as covered, so the original inside a bordered copy is not "cropped".
    canvas_target = overlay.paint(target.grey)
    covered_target = 1.0 - float((~valid & ~canvas_target).mean())
    back = cv2.warpAffine(
        np.full(target.grey.shape, 255, np.uint8),
        cv2.invertAffineTransform(to_target),
        (moving.grey.shape[1], moving.grey.shape[0]),
        flags=cv2.INTER_NEAREST,
    )
    canvas_moving = overlay.paint(moving.grey)
    covered_moving = 1.0 - float(((back == 0) & ~canvas_moving).mean())
    # … and how much of each frame is such plain canvas round the other's picture (a frame).
    framed_target = float(((footprint == 0) & canvas_target).mean())
    framed_moving = float(((back == 0) & canvas_moving).mean())
    result, agreeing = tiles(target.grey, warped, valid, BLUR)
    result["fine_ncc"] = _fine_ncc(target.grey, warped, valid)
    result["evidence_extent"] = _evidence_extent(result, target, moving, to_target)
    target_is_a = target is a
    sided = {kind: (result.pop(f"{kind}_target"), result.pop(f"{kind}_moving")) for kind in _SIDED}
    sided["covered"] = (covered_target, covered_moving)
    sided["framed"] = (framed_target, framed_moving)
    sided["plain_edges"] = (_plain_edges(canvas_target), _plain_edges(canvas_moving))
    for kind, (on_target, on_moving) in sided.items():  # told as a's and b's
        result[f"{kind}_a"], result[f"{kind}_b"] = (
            (on_target, on_moving) if target_is_a else (on_moving, on_target)
        )
    tone_mask = agreeing if agreeing.any() else valid
    result.update(_tones(target, moving, to_target, tone_mask, target_is_a))
    return result


def _evidence_extent(
    found: dict[str, float], target: Photo, moving: Photo, to_target: np.ndarray
) -> float:
    """How far the agreeing texture reaches across either picture (0..1, the longer side).

    An edit shares the whole picture, so what agrees spans most of at least one copy (all of a
    crop). Two captures that share only an overlay (one sticker or logo on two night skies)
    agree in one small patch of each.
    """
    th, tw = target.grey.shape
    box_h, box_w = found["evidence_h"] * th, found["evidence_w"] * tw
    # the box seen in the moving picture's own pixels
    s = max(float(math.hypot(to_target[0, 0], to_target[1, 0])), 1e-6)
    c, n = abs(to_target[0, 0]) / s, abs(to_target[1, 0]) / s
    mh, mw = moving.grey.shape
    in_moving = max((box_w * c + box_h * n) / s / mw, (box_w * n + box_h * c) / s / mh)
    return float(min(1.0, max(found["evidence_extent"], in_moving)))


def _match_tones(source: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Map `source` grey levels onto `reference`'s by their cumulative histograms."""
    s_hist = np.bincount(source, minlength=256).astype(np.float64)
    r_hist = np.bincount(reference, minlength=256).astype(np.float64)
    s_cdf = np.cumsum(s_hist) / max(s_hist.sum(), 1)
    r_cdf = np.cumsum(r_hist) / max(r_hist.sum(), 1)
    lut = np.interp(s_cdf, r_cdf, np.arange(256))
    return lut


def _fine_ncc(x: np.ndarray, y: np.ndarray, valid: np.ndarray) -> float:
    """Correlation of the fine detail (what a blur removes) over the overlap."""
    xf, yf = x.astype(np.float32), y.astype(np.float32)
    hx = (xf - cv2.GaussianBlur(xf, (0, 0), 2.0))[valid]
    hy = (yf - cv2.GaussianBlur(yf, (0, 0), 2.0))[valid]
    den = math.sqrt(float((hx * hx).sum() * (hy * hy).sum()) + 1e-9)
    return float((hx * hy).sum() / den)


def tiles(
    target: np.ndarray, warped: np.ndarray, valid: np.ndarray, sigma: float = 0.8
) -> tuple[dict[str, float], np.ndarray]:
    """Tone-match the overlap, then the fraction of tiles where the two agree (and where).

    The tones of the copy with more levels are mapped onto the one with fewer: a brightened
    copy's pure white (or a darkened one's black) hides texture that no curve can bring back,
    while the original's texture maps onto that white. So when the warped picture is clearly
    more clipped, the two swap roles (the measurements say the same; only which side showed
    paint is told back the other way round).
    """
    if _clipped_share(warped, valid) > _clipped_share(target, valid) + CLIP_MORE:
        found, agreeing = _tiles(warped, target, valid, sigma)
        for kind in _SIDED:
            found[f"{kind}_target"], found[f"{kind}_moving"] = (
                found[f"{kind}_moving"],
                found[f"{kind}_target"],
            )
        return found, agreeing
    return _tiles(target, warped, valid, sigma)


def _clipped_share(image: np.ndarray, valid: np.ndarray) -> float:
    """The share of the overlap at either end of the scale (pure white or black)."""
    inside = image[valid]
    if inside.size == 0:
        return 0.0
    return float(((inside >= 250) | (inside <= 5)).mean())


def _plain_edges(canvas: np.ndarray) -> float:
    """The share of a picture's outer band (3 % of its short side) that is plain canvas.

    Round a photo, plain canvas is a frame; round a page whose own margins are plain, it may be
    the margins that a crop of the other copy cut away.
    """
    h, w = canvas.shape
    band = max(2, round(min(h, w) * 0.03))
    ring = np.ones((h, w), bool)
    ring[band:-band, band:-band] = False
    return float(canvas[ring].mean())


def _tiles(
    target: np.ndarray, warped: np.ndarray, valid: np.ndarray, sigma: float
) -> tuple[dict[str, float], np.ndarray]:
    """`tiles` with the warped picture's tones mapped onto the target's.

    A tile agrees when its tone-matched correlation is high or what differs is no more than
    compression noise (a low-contrast tile of a q20 JPEG). What one copy shows painted on
    (a caption bar, a sticker, a frame: flat pure white or black) is set aside rather than
    counted against the pair. Natural content that differs (a face that moved, a tree seen from
    elsewhere) always counts. The tone curve is fitted twice: the second time only on the
    tiles that agreed, so a white caption bar cannot bend the curve for the rest.
    """
    # What one copy shows painted on and the other does not is set aside: an overlay is an edit.
    paint_t, paint_w = overlay.paint(target), overlay.paint(warped)
    flat_t, flat_w = overlay.flat(target), overlay.flat(warped)
    # Flat on both sides at levels the overall tone curve maps onto each other is a tone change
    # (a white page darkened to grey, a light dialog brightened to white), not paint: paint
    # covers what the other copy shows, or sits at a level the rest of the picture does not.
    first = _match_tones(warped[valid], target[valid])
    toned_warped = first[warped]
    toned = np.abs(toned_warped - target) <= TONE_FLAT
    differ = (paint_t != paint_w) & valid & ~(flat_t & flat_w & toned)
    painted_px = overlay.rectangles(differ, paint_t & paint_w)
    stickers, sticker_on_t = overlay.stickers(target, toned_warped, flat_t, flat_w, valid)
    painted_px |= stickers
    overlap = max(valid.sum(), 1)
    painted_share = float(painted_px.sum() / overlap)
    # Which side shows the overlay (for the edit labels): its painted pixels or its sticker.
    on_target = painted_px & ((paint_t & ~paint_w) | sticker_on_t)
    on_target_share = float(on_target.sum() / overlap)
    # … and what kind of overlay it is, for the label's word (a sticker, a watermark).
    kinds = {"sticker_target": float((stickers & sticker_on_t).sum() / overlap)}
    kinds["sticker_moving"] = float(stickers.sum() / overlap) - kinds["sticker_target"]
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
    # Blur only within the overlap, so nothing beyond a crop's or a tilt's edge bleeds in.
    weight, norm = _overlap_weight(valid, sigma)
    ref = cv2.GaussianBlur(target.astype(np.float32) * weight, (0, 0), sigma) / norm
    fit = valid
    for n in range(2):
        lut = first if n == 0 else _match_tones(warped[fit], target[fit])  # first: fit is valid
        matched = np.zeros(target.shape, np.float32)
        matched[valid] = lut[warped[valid]]
        smooth = cv2.GaussianBlur(matched, (0, 0), sigma) / norm
        verdicts, agreeing = _judge(ref, smooth, valid, cells)
        if agreeing.sum() < 0.2 * valid.sum():
            break
        fit = agreeing
    # A see-through overlay (a watermark) is set aside like paint, and the tiles judged again.
    veil, veil_on_target = overlay.see_through(target, matched, valid)
    kinds["veil_target"] = kinds["veil_moving"] = 0.0
    if veil.any():
        painted_share += float(veil.sum() / overlap)
        on_target_share += float(veil.sum() / overlap) if veil_on_target else 0.0
        kinds["veil_target" if veil_on_target else "veil_moving"] = float(veil.sum() / overlap)
        valid = valid & ~veil
        weight, norm = _overlap_weight(valid, sigma)
        ref = cv2.GaussianBlur(target.astype(np.float32) * weight, (0, 0), sigma) / norm
        smooth = cv2.GaussianBlur(matched * weight, (0, 0), sigma) / norm
        cells = [c for c in cells if valid[c].mean() >= 0.6]
        verdicts, agreeing = _judge(ref, smooth, valid, cells, agreeing)
    shift = _shift_spread(ref, smooth, valid, cells, verdicts)
    agree = total = textured = textured_ok = hard = 0
    nccs: list[float] = []
    evidence: list[tuple[slice, slice]] = []
    for c, (ok, ncc, flat, rms) in zip(cells, verdicts, strict=True):
        hard += int(not ok and not flat and ncc < HARD_NCC and rms >= HARD_RMS)
        if not flat:
            textured += 1
            textured_ok += int(ok)
            nccs.append(ncc)
            if ok:
                evidence.append(c)
        total += 1
        agree += int(ok)
    height, width = _extent(evidence)
    return {
        "tiles": float(total),
        "textured": float(textured),
        "textured_agree": float(textured_ok),
        "painted": painted_share,
        "painted_target": on_target_share,
        "painted_moving": max(0.0, painted_share - on_target_share),
        **kinds,
        "tiles_agree": agree / total if total else 0.0,
        "hard_tiles": float(hard),
        "tile_ncc_median": float(np.median(nccs)) if nccs else 0.0,
        "shift_spread": shift,
        "evidence_h": height / h,
        "evidence_w": width / wd,
        # in this frame; compare_aligned also measures it in the other copy's own pixels
        "evidence_extent": max(height / h, width / wd),
    }, agreeing


def _extent(cells: list[tuple[slice, slice]]) -> tuple[float, float]:
    """Height and width (px) of the box around these tiles; (0, 0) when there are none."""
    if not cells:
        return 0.0, 0.0
    top, bottom = min(c[0].start for c in cells), max(c[0].stop for c in cells)
    left, right = min(c[1].start for c in cells), max(c[1].stop for c in cells)
    return float(bottom - top), float(right - left)


def _overlap_weight(valid: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The overlap as a weight, and the blur of that weight.

    Dividing a blur by it blurs within the overlap only, so what lies outside it (the black
    beyond a crop's or a tilt's edge) does not bleed in.
    """
    weight = valid.astype(np.float32)
    return weight, np.maximum(cv2.GaussianBlur(weight, (0, 0), sigma), 1e-3)


def _judge(
    ref: np.ndarray,
    smooth: np.ndarray,
    valid: np.ndarray,
    cells: list[tuple[slice, slice]],
    agreeing: np.ndarray | None = None,
) -> tuple[list[tuple[bool, float, bool, float]], np.ndarray]:
    """Each tile's verdict, and the overlap pixels of the tiles that agree.

    Marked on `agreeing` when given, so a second judgement updates the first one's tiles.
    """
    verdicts = [_tile(ref[c], smooth[c], valid[c]) for c in cells]
    if agreeing is None:
        agreeing = np.zeros(valid.shape, bool)
    for c, (ok, _, _, _) in zip(cells, verdicts, strict=True):
        if ok:
            agreeing[c] = valid[c]
    return verdicts, agreeing


def _shift_spread(
    ref: np.ndarray,
    moved: np.ndarray,
    valid: np.ndarray,
    cells: list[tuple[slice, slice]],
    verdicts: list[tuple[bool, float, bool, float]],
) -> float:
    """How far the aligned tiles shift against each other (px): a part of the scene that moved.

    One transform maps every part of an edited copy onto its original, so after alignment every
    textured tile sits in place to compression noise. In another frame of a video (or a burst),
    a subject that moved a pixel sits elsewhere while the rest agrees: its tiles shift together.
    The second largest deviation from the median shift, so one odd tile does not decide.
    """
    shifts = []
    for c, (_, ncc, flat, _) in zip(cells, verdicts, strict=True):
        if flat or ncc < HARD_NCC or valid[c].mean() < 0.98:
            continue
        x, y = ref[c], moved[c]
        if min(x.shape) < 8 or float(x.std()) < SHIFT_TEXTURE:
            continue
        (dx, dy), response = cv2.phaseCorrelate(x, y, _hanning(x.shape))
        if response >= SHIFT_RESPONSE:  # a weak peak is compression noise, not a position
            shifts.append((dx, dy))
    if len(shifts) < 4:
        return 0.0
    d = np.asarray(shifts, np.float64)
    dev = np.sort(np.linalg.norm(d - np.median(d, axis=0), axis=1))
    return float(dev[-2])


@functools.lru_cache(maxsize=32)
def _hanning(shape: tuple[int, ...]) -> np.ndarray:
    """The window for a tile of this shape (tiles of one picture share a few shapes)."""
    return cv2.createHanningWindow((shape[1], shape[0]), cv2.CV_32F)


def _tile(x: np.ndarray, y: np.ndarray, m: np.ndarray) -> tuple[bool, float, bool, float]:
    """(agrees, correlation, flat, rms difference) for one tile of the tone-matched pair."""
    x, y = x[m], y[m]
    sx, sy = float(x.std()), float(y.std())
    if sx < FLAT_STD and sy < FLAT_STD:
        return float(np.abs(x - y).mean()) < FLAT_MAD, 1.0, True, 0.0
    xc, yc = x - x.mean(), y - y.mean()
    den = math.sqrt(float((xc * xc).sum() * (yc * yc).sum()) + 1e-9)
    ncc = float((xc * yc).sum() / den)
    rms = float(np.sqrt(np.mean((x - y) ** 2)))
    # Compression noise is small against the tile's own contrast; two different textures of
    # low contrast differ by as much as they vary.
    noise = rms <= NOISE_RMS and rms <= NOISE_SHARE * min(sx, sy)
    return ncc >= TILE_NCC or noise, ncc, False, rms


def _tones(
    target: Photo, moving: Photo, to_target: np.ndarray, valid: np.ndarray, target_is_a: bool
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
