"""What an edit paints on a copy, found so the aligned comparison can set it aside.

A caption bar, a frame, black tilt corners, a sticker or a see-through watermark is an edit:
pixels one copy shows and the other does not, which must not count against the pair. Another
exposure changes natural content (a face that moved, light that changed), which always counts.
This module finds the painted pixels; `core.verify_align` compares what is left.
"""

from __future__ import annotations

import cv2
import numpy as np

STICKER_FILL = 0.72  # a flat shape one side has must fill this much of its box (a disc: 0.79) …
STICKER_SIDE = 0.4  # … and be no wider or taller than this share of the picture
STICKER_DIFF = 30.0  # grey levels between a sticker and a smooth background it covers
COVER_SOLID = 0.6  # share of a shape's inside (holes filled) that must be sticker-like
SEE_THROUGH_MOVE = 20.0  # grey levels a pixel moves toward white or black under a watermark …
SEE_THROUGH_SPREAD = 0.12  # … by a share of its way there that agrees this closely …
SEE_THROUGH_AGREE = 0.7  # … for this share of such pixels, which cover at most …
SEE_THROUGH_AREA = 0.15  # … this share of the overlap, in strokes: at most this share …
SEE_THROUGH_BLOB = 0.5  # … survives an opening by _STROKE (lettering thinner than 5 px does not)
_STROKE = np.ones((5, 5), np.uint8)
_PINHOLE = np.ones((3, 3), np.uint8)


def paint(image: np.ndarray) -> np.ndarray:
    """Pixels that look painted on: flat pure white or black, grown to take in drawn text.

    Caption bars, frames, black corners and stickers are such areas; natural texture rarely is.
    """
    img = image.astype(np.float32)
    mean = cv2.blur(img, (5, 5))
    var = cv2.blur(img * img, (5, 5)) - mean * mean
    flat = (var < 4.0) & ((mean >= 245) | (mean <= 10))
    return cv2.dilate(flat.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0


def flat(image: np.ndarray) -> np.ndarray:
    """Pixels of a flat area of any grey level, grown over its thin outlines and drawn marks."""
    img = image.astype(np.float32)
    mean = cv2.blur(img, (5, 5))
    flat = (cv2.blur(img * img, (5, 5)) - mean * mean) < 4.0
    return cv2.dilate(flat.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0


def stickers(
    x: np.ndarray, y: np.ndarray, flat_x: np.ndarray, flat_y: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Compact flat shapes of sticker size (a disc, a badge) that only one of the pair shows.

    `x` and `y` are the two greys, tone-matched. Returns the sticker pixels and those of them
    that `x` shows. A sticker is flat, and where it lies the other copy shows texture or
    other levels (a smooth background: a blurred sky, a plain page); it is compact (a disc
    fills 79 % of its box) and solid: a subject that moved a little leaves two thin crescents.
    The side showing a shape is the one where it stands out from the ring around it; the
    other side's background runs on under it. A subject that moved leaves shapes on both
    sides (where it was in one, where it went in the other), so shapes on both sides are never
    set aside.
    """
    xf, yf = x.astype(np.float32), y.astype(np.float32)
    strong = np.abs(xf - yf) >= STICKER_DIFF
    on_x, on_y = np.zeros(x.shape, bool), np.zeros(x.shape, bool)
    ring_px = np.ones((15, 15), np.uint8)
    for mask in (flat_x & (strong | ~flat_y) & valid, flat_y & (strong | ~flat_x) & valid):
        if mask.sum() < 0.004 * mask.size:
            continue
        count, labels = cv2.connectedComponents(compact(mask).astype(np.uint8), connectivity=8)
        for n in range(1, count):
            shape = labels == n
            if mask[shape].mean() < COVER_SOLID:
                continue
            ring = (cv2.dilate(shape.astype(np.uint8), ring_px) > 0) & ~shape & valid
            if ring.sum() < 0.25 * shape.sum():
                continue
            stand_x = float(np.abs(xf[shape] - np.median(xf[ring])).mean())
            stand_y = float(np.abs(yf[shape] - np.median(yf[ring])).mean())
            (on_x if stand_x > stand_y else on_y)[shape] = True
    none = np.zeros(valid.shape, bool)
    if on_x.any() and on_y.any():
        return none, none
    # with the halo its edge leaves in the picture around it (resampling, JPEG ringing)
    grown = cv2.dilate((on_x | on_y).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    return grown, grown if on_x.any() else none


def compact(mask: np.ndarray) -> np.ndarray:
    """The parts of a mask that are compact filled shapes, at most STICKER_SIDE across.

    Each shape counts with its holes filled: a sticker often carries a drawing (a star, a
    logo) whose outline is not flat, and its own outline is what is compact.
    """
    outlines = cv2.RETR_EXTERNAL
    contours, _ = cv2.findContours(mask.astype(np.uint8), outlines, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros(mask.shape, np.uint8)
    cv2.drawContours(filled, contours, -1, 1, thickness=cv2.FILLED)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(filled, 8)
    keep = np.zeros(count, bool)
    floor = 0.004 * mask.size
    h_img, w_img = mask.shape
    for n in range(1, count):
        _, _, w, h, area = stats[n]
        compact = 0.6 <= w / h <= 1.67 and w <= STICKER_SIDE * w_img and h <= STICKER_SIDE * h_img
        keep[n] = compact and area >= floor and area >= STICKER_FILL * w * h
    return keep[labels]


def rectangles(mask: np.ndarray, neutral: np.ndarray | None = None) -> np.ndarray:
    """The parts of a mask that are filled rectangles (bars, stickers, frames), not blobs.

    Over-exposed sky in one photo and blue sky in another are flat white against texture too,
    but an edit paints rectangles; a different exposure clips irregular shapes. Where both
    pictures are painted alike (`neutral`: a caption bar over the other's white background)
    nothing tells the two apart, so those pixels fill the rectangle too.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    keep = np.zeros(count, bool)
    floor = 0.002 * mask.size
    for n in range(1, count):
        x, y, w, h, area = stats[n]
        filled = float(area)
        if neutral is not None and area >= floor and area < 0.8 * w * h:
            box = labels[y : y + h, x : x + w] != n
            filled += float((box & neutral[y : y + h, x : x + w]).sum())
        keep[n] = area >= floor and filled >= 0.8 * w * h
    return keep[labels]


def see_through(
    target: np.ndarray, matched: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, bool]:
    """Pixels one copy shows under a see-through white overlay (a watermark); whether the target.

    Blending toward white moves every pixel by one share of its way to white, so under a
    watermark (copy - original) / (255 - original) is one number. A subject that moved or
    another exposure moves pixels by amounts that share no such number, and both ways (lighter
    here, darker there); a veil lightens one copy only, covers a small part of it, and is
    lettering (thin strokes), where light that changed between two frames lights patches. Only
    white: a shadow darkens by one share too, so a black veil cannot be told from a cloud.
    Opaque paint (a share near 1) is `paint`'s and `stickers`' business.
    """
    t, m = target.astype(np.float32), matched.astype(np.float32)
    none = np.zeros(valid.shape, bool)
    overlap = float(valid.sum())
    for on_target, base, lighter in ((False, t, m - t), (True, m, t - m)):
        room = 255.0 - base
        strong = valid & (room >= 2 * SEE_THROUGH_MOVE) & (lighter >= SEE_THROUGH_MOVE)
        count = float(strong.sum())
        if count == 0 or not 0.002 * overlap <= count <= SEE_THROUGH_AREA * overlap:
            continue
        if (valid & (lighter <= -SEE_THROUGH_MOVE)).sum() > 0.2 * count:
            return none, False  # changed both ways: something moved
        share = lighter[strong] / room[strong]
        middle = float(np.median(share))
        close = np.abs(share - middle) <= SEE_THROUGH_SPREAD
        if 0.15 <= middle <= 0.85 and close.mean() >= SEE_THROUGH_AGREE:
            veil = none.copy()
            veil[strong] = close
            # pinholes closed first: bright pixels inside a patch have no room to lighten
            solid = cv2.morphologyEx(veil.astype(np.uint8), cv2.MORPH_CLOSE, _PINHOLE)
            blobs = cv2.morphologyEx(solid, cv2.MORPH_OPEN, _STROKE) > 0
            if blobs.sum() > SEE_THROUGH_BLOB * solid.sum():
                return none, False  # broad patches: light that changed, not lettering
            # with the soft edges of its strokes (anti-aliasing, JPEG ringing)
            grown = cv2.dilate(veil.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
            return grown & valid, on_target
    return none, False
