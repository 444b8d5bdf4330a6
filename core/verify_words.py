"""What the verifier saw, in words for people and as edit labels per side for keep-best.

Pure functions of the measurements; no image work here.
"""

from __future__ import annotations

import math

BRIGHTER = 6.0  # mean grey-level shift that counts as a brightness edit
OVERLAY = 0.02  # share of the overlap painted on one side only that names it "captioned"
FRAMED = 0.04  # share of a frame that is plain canvas round the other picture: "framed" …
# … unless the other picture's own outer band is this plain: a page's margins continue there.
# Chosen on the dupset tune split: crops whose original shows canvas round them have 0.55 or
# more (their edges run through a page's margins); 45 of 69 framed photos' originals under it.
PLAIN_EDGES = 0.4


def turn_words(degrees: int, mirrored: bool) -> str:
    """The turn and mirror of a featureless alignment, in words."""
    words = []
    if degrees:
        words.append(f"turned {degrees}°")
    if mirrored:
        words.append("mirrored")
    return ", ".join(words)


def describe(f: dict[str, float], mirrored: bool, pixel_ratio: float) -> str:
    """What the edit did, in words: "cropped to 80 %, turned 90°, brightened".

    `pixel_ratio` is a's pixel count over b's (a resize shows there).
    """
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
    ratio = pixel_ratio
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
    if "framed" in labels(f, "a") or "framed" in labels(f, "b"):
        words.append("border or strip added")
    return ", ".join(words) if words else "same picture"


def labels(f: dict[str, float], side: str) -> tuple[str, ...]:
    """Edit labels of one side of a pair (which copy was brightened, greyed, captioned, cropped)."""
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
    # An overlay (a caption bar, a sticker, text) shows on this side only; named by the kind
    # that covers most of it.
    painted = f.get(f"painted_{side}", 0.0)
    if painted > OVERLAY and f.get(f"painted_{other}", 0.0) < OVERLAY / 2:
        veil, sticker = f.get(f"veil_{side}", 0.0), f.get(f"sticker_{side}", 0.0)
        if 2 * veil > painted:
            out.append("watermarked")
        elif 2 * sticker > painted:
            out.append("stickered")
        else:
            out.append("captioned")
    # Plain canvas round the other picture (a border, a caption strip): the other copy lies
    # wholly inside this one, nothing but that canvas lies outside it, and the other's own edges
    # are not plain (else the canvas may be a page's margins that a crop of it cut away). The
    # black corners of a tilt are canvas too, but the tilt names them.
    angle = f.get("angle", 0.0)
    if (
        abs(angle - 90 * round(angle / 90)) < 0.7
        and f.get(f"framed_{side}", 0.0) > FRAMED
        and f.get(f"covered_{side}", 0.0) > 0.97
        and f.get(f"framed_{other}", 1.0) < FRAMED / 2
        and f.get(f"covered_{other}", 0.0) > 0.97
        and f.get(f"plain_edges_{other}", 1.0) < PLAIN_EDGES
    ):
        out.append("framed")
    # The crop lies wholly inside the other picture, which it covers only in part.
    if f.get(f"covered_{side}", 1.0) > 0.97 and f.get(f"covered_{other}", 1.0) < 0.93:
        out.append("cropped")
    return tuple(out)


def describe_featureless(f: dict[str, float], degrees: int, mirrored: bool) -> str:
    """Words for a pair confirmed without features: the crop and turn tried."""
    tilt = f.get("angle", 0.0)
    words = (
        "cropped" if f.get("covered_a", 1.0) < 1.0 else "",
        turn_words(degrees, mirrored),
        f"tilted {abs(tilt):.0f}°" if abs(tilt) >= 0.7 else "",
    )
    return ", ".join(w for w in words if w) or "the whole pictures agree"
