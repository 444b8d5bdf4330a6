"""What keep-best reads from the files themselves: JPEG quality, frames, sharpness, detail.

Keep-best (`core.keeper`) decides from the catalogue where it can; these measurements open a
file, so they run only while files are still tied. `Inspector` lets tests count or fake them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from core.decode import load_rgb
from core.errors import NotAnImageError

# Formats a camera or phone writes; PNG/WebP/GIF/BMP beside one of these are re-encoded copies.
# The IJG (libjpeg) luminance table at quality 50; every common encoder scales it.
_STD_LUMA = np.array(
    [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
     14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
     18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
     49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99],
    np.float64,
)  # fmt: skip
DRAFT_SIDE = 256  # the most a frame check decodes
UPSCALE_WINDOW = 1024  # px of the full-resolution window that detail_beyond measures
_DARK, _LIGHT, _FLAT = 40, 215, 8.0  # frame bands: near-black / near-white and uniform


def sharpness(path: str) -> float:
    """Variance of the Laplacian of a small grey decode: higher is sharper (0 if unreadable)."""
    try:
        image = load_rgb(Path(path), max_side=512).convert("L")
    except NotAnImageError:
        return 0.0
    image.thumbnail((512, 512), Image.Resampling.BILINEAR)
    g = np.asarray(image, np.float32)
    if g.shape[0] < 3 or g.shape[1] < 3:
        return 0.0
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


@dataclass(frozen=True, slots=True)
class Detail:
    """What a file shows finer than a smaller size (`detail_beyond`).

    share: the detail a round trip through the smaller size loses, over the detail of the
        octave below (what a further halving loses);
    over_upscale: that lost detail over what the same round trip loses from the file's own
        picture upscaled from the smaller size (resampling leaves a floor even there);
    below: the octave below's detail in grey levels (too little: nothing to judge by).
    """

    share: float = 1.0
    over_upscale: float = 10.0
    below: float = 0.0


def detail_beyond(path: str, width: int, height: int) -> Detail:
    """How much detail a file shows finer than `width` x `height` (to tell an upscaled copy).

    A photo made at its size has detail at every scale, falling off smoothly; a copy upscaled
    from the smaller size has none finer than it, only resampling and JPEG noise. Measured on
    a window of at most UPSCALE_WINDOW px at full resolution, in grey; `Detail()` (plenty of
    detail) when unreadable or not larger.
    """
    try:
        image = load_rgb(Path(path)).convert("L")
    except NotAnImageError:
        return Detail()
    w, h = image.size
    if width >= w or height >= h:
        return Detail()
    # A window whose edges fall on the smaller size's pixel grid too, so that a copy upscaled
    # from that size meets its own grid in the round trip (half a pixel off reads as detail).
    x0, ww = _on_grid(w, width)
    y0, wh = _on_grid(h, height)
    window = image.crop((x0, y0, x0 + ww, y0 + wh))
    small = (max(round(ww * width / w), 2), max(round(wh * height / h), 2))
    half = (max(small[0] // 2, 1), max(small[1] // 2, 1))
    lanczos = Image.Resampling.LANCZOS
    a = np.asarray(window, np.float32)
    down = window.resize(small, lanczos)
    upscaled = down.resize((ww, wh), lanczos)
    once = np.asarray(upscaled, np.float32)
    twice = np.asarray(window.resize(half, lanczos).resize((ww, wh), lanczos), np.float32)
    floor = np.asarray(upscaled.resize(small, lanczos).resize((ww, wh), lanczos), np.float32)
    finer = float(np.sqrt(((a - once) ** 2).mean()))
    below = float(np.sqrt(((once - twice) ** 2).mean()))
    resampling = float(np.sqrt(((once - floor) ** 2).mean()))
    return Detail(finer / max(below, 1e-6), finer / max(resampling, 1e-6), below)


def _on_grid(big: int, small: int) -> tuple[int, int]:
    """A central window of at most UPSCALE_WINDOW of `big` px: its start and length.

    Its edges map to whole pixels of `small` (or within a hundredth of one).
    """
    scale = small / big

    def off(x: int) -> float:
        f = x * scale
        return abs(f - round(f))

    length = min(big, UPSCALE_WINDOW)
    if length < big:
        length = min(range(length - 64, length + 1), key=off)
    start = (big - length) // 2
    if start > 0:
        start = min(range(max(0, start - 64), min(big - length, start + 64) + 1), key=off)
    return start, length


def _ijg_table(quality: int) -> np.ndarray:
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    return np.clip(np.floor((_STD_LUMA * scale + 50) / 100), 1, 255)


_IJG_SORTED = {q: np.sort(_ijg_table(q)) for q in range(1, 101)}


def quality_from_table(table: Sequence[int]) -> int:
    """The IJG quality (1..100) whose luminance table is closest to a JPEG's own.

    Compared as sorted values, so the table's order (zigzag or natural) does not matter; exact
    for libjpeg/Pillow/most cameras, the nearest equivalent for encoders with their own tables.
    """
    values = np.sort(np.asarray(table, np.float64))
    if values.size != 64:
        raise ValueError("a JPEG quantisation table has 64 entries")
    return min(_IJG_SORTED, key=lambda q: (float(np.abs(_IJG_SORTED[q] - values).sum()), -q))


def jpeg_quality(path: str) -> int | None:
    """Estimated JPEG quality from the header's luminance table (None if not a readable JPEG)."""
    try:
        with Image.open(path) as image:  # reads the header only
            tables = getattr(image, "quantization", None)
            if image.format != "JPEG" or not tables:
                return None
            return quality_from_table(tables[min(tables)])
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _flat_band(strip: np.ndarray) -> bool:
    """Whether rows (or columns) of grey values are one plain near-black or near-white fill."""
    mean = float(strip.mean())
    return float(strip.std()) <= _FLAT and (mean <= _DARK or mean >= _LIGHT)


def _draft(path: str) -> np.ndarray | None:
    """A grey draft of at most DRAFT_SIDE px (None if unreadable), shared by the frame checks.

    The checks of one file run back to back (its frame, then its tilt or its bands), so the
    last few drafts are kept, keyed by the file's size and modification time.
    """
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return _draft_of(path, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _draft_of(path: str, size: int, mtime_ns: int) -> np.ndarray | None:
    try:
        image = load_rgb(Path(path), max_side=DRAFT_SIDE)
    except NotAnImageError:
        return None
    image.thumbnail((DRAFT_SIDE, DRAFT_SIDE), Image.Resampling.BILINEAR)
    grey = np.asarray(image.convert("L"), np.float32)
    grey.flags.writeable = False  # shared between callers
    return grey


def frame_defect(path: str) -> str | None:
    """What frames the picture, from a draft decode of at most 256 px, or None.

    "border": plain near-black or near-white bands along 3-4 sides; "bar": along 1-2 sides
    (a caption strip, a letterbox); "black corners": the dark triangles a tilt leaves.
    """
    g = _draft(path)
    if g is None:
        return None
    h, w = g.shape
    if h < 16 or w < 16:
        return None
    band_h, band_w = max(2, round(h * 0.03)), max(2, round(w * 0.03))
    sides = [g[:band_h], g[-band_h:], g[:, :band_w], g[:, -band_w:]]
    framed = sum(_flat_band(s) for s in sides)
    if framed >= 3:
        return "border"
    if framed:
        return "bar"
    t = max(3, round(min(h, w) * 0.03))
    tri = np.add.outer(np.arange(t), np.arange(t)) < t  # the corner triangle x + y < t
    corners = [g[:t, :t], g[:t, ::-1][:, :t], g[::-1][:t, :t], g[::-1, ::-1][:t, :t]]
    dark = sum(float(c[tri].max()) <= _DARK for c in corners)
    return "black corners" if dark >= 3 else None


def tilted_picture(path: str) -> float:
    """The share of a black-cornered canvas its tilted picture fills (1.0 when not found).

    A picture w x h turned by t fills a canvas W x H and touches each edge at one corner; the
    dark runs from the canvas corners to where it touches the top edge and the left edge are
    h sin t and w sin t (the shorter run of each edge), so tan t = left / (W - top) and the
    picture is (W - top) / cos t by (H - left) / cos t. Needed where the canvas's shape does
    not tell the tilt (a square stays square). From a draft of at most 256 px.
    """
    g = _draft(path)
    if g is None:
        return 1.0
    h, w = g.shape
    if h < 16 or w < 16:
        return 1.0

    def touch(line: np.ndarray) -> float | None:
        # Just inside the edge the picture shows as a segment that runs from where it
        # touches (its steep side, toward the nearer corner) along its shallow edge.
        lit = np.flatnonzero(line > _DARK)
        if len(lit) == 0 or len(lit) > 0.5 * len(line):
            return None
        if lit.mean() < len(line) / 2:
            return float(lit[0])
        return float(len(line) - 1 - lit[-1])

    top, left = touch(g[1]), touch(g[:, 1])
    if top is None or left is None or top >= w / 2 or left >= h / 2:
        return 1.0
    t = math.atan2(left, w - top)
    pw, ph = (w - top) / math.cos(t), (h - left) / math.cos(t)
    return max(0.0, min(1.0, pw * ph / (w * h)))


def picture_fraction(path: str) -> float:
    """The share of the frame the picture fills: plain bands along its sides set aside.

    A border or a caption strip adds canvas, not resolution: a 640×480 photo framed to 720×560
    has the same picture. From a draft decode of at most 256 px; 1.0 when unreadable.
    """
    g = _draft(path)
    if g is None:
        return 1.0
    h, w = g.shape

    def band(lines: np.ndarray) -> int:
        n = 0
        while n < len(lines) // 2 and _flat_band(lines[n]):
            n += 1
        return n

    rows = h - band(g) - band(g[::-1])
    cols = w - band(g.T) - band(g.T[::-1])
    return max(rows, 1) * max(cols, 1) / (h * w)


class Inspector(Protocol):
    """What keep-best reads from files themselves; tests pass their own to count or fake it."""

    def jpeg_quality(self, path: str) -> int | None:
        """Estimated JPEG quality, or None when not a JPEG."""

    def frame_defect(self, path: str) -> str | None:
        """The frame a copy shows ("border", "bar", "black corners") or None."""

    def picture_fraction(self, path: str) -> float:
        """The share of the frame the picture fills (plain bands along the sides set aside)."""

    def tilted_picture(self, path: str) -> float:
        """The share of a black-cornered canvas its tilted picture fills."""

    def detail_beyond(self, path: str, width: int, height: int) -> Detail:
        """How much detail the file shows finer than width x height."""


@dataclass(frozen=True, slots=True)
class FileInspector:
    """The real inspection: the JPEG header, then (only if still tied) a ≤ 256 px draft."""

    def jpeg_quality(self, path: str) -> int | None:
        """See `jpeg_quality`."""
        return jpeg_quality(path)

    def frame_defect(self, path: str) -> str | None:
        """See `frame_defect`."""
        return frame_defect(path)

    def picture_fraction(self, path: str) -> float:
        """See `picture_fraction`."""
        return picture_fraction(path)

    def tilted_picture(self, path: str) -> float:
        """See `tilted_picture`."""
        return tilted_picture(path)

    def detail_beyond(self, path: str, width: int, height: int) -> Detail:
        """See `detail_beyond`."""
        return detail_beyond(path, width, height)


INSPECTOR = FileInspector()
