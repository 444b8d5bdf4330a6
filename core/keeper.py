"""Keep-best: which file of a duplicate group to suggest keeping, and why, in words for people.

The rules run in order and the first that tells the files apart decides; each narrows the pool
for the next. Rules that need the file itself (JPEG quality from the header, a border from a
small decode, sharpness) run only while files are still tied, so most groups never open a file.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
from PIL import Image

from core.decode import load_rgb
from core.errors import NotAnImageError
from core.formats import ORIGINAL_FORMATS, file_format
from core.formatting import human_bytes
from core.paths import normalise
from core.records import DuplicateFile

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
MTIME_SLACK_S = 2.0  # FAT stores times to 2 s: closer mtimes count as the same
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


def frame_defect(path: str) -> str | None:
    """What frames the picture, from a draft decode of at most 256 px, or None.

    "border": plain near-black or near-white bands along 3-4 sides; "bar": along 1-2 sides
    (a caption strip, a letterbox); "black corners": the dark triangles a tilt leaves.
    """
    try:
        image = load_rgb(Path(path), max_side=DRAFT_SIDE)
    except NotAnImageError:
        return None
    image.thumbnail((DRAFT_SIDE, DRAFT_SIDE), Image.Resampling.BILINEAR)
    g = np.asarray(image.convert("L"), np.float32)
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


def picture_fraction(path: str) -> float:
    """The share of the frame the picture fills: plain bands along its sides set aside.

    A border or a caption strip adds canvas, not resolution: a 640×480 photo framed to 720×560
    has the same picture. From a draft decode of at most 256 px; 1.0 when unreadable.
    """
    try:
        image = load_rgb(Path(path), max_side=DRAFT_SIDE)
    except NotAnImageError:
        return 1.0
    image.thumbnail((DRAFT_SIDE, DRAFT_SIDE), Image.Resampling.BILINEAR)
    g = np.asarray(image.convert("L"), np.float32)
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


INSPECTOR = FileInspector()

_T = TypeVar("_T")

_DEFECT_WORDS = {
    "border": "has a border",
    "bar": "has a plain bar along an edge",
    "black corners": "has black corners",
}


# -- the rules ------------------------------------------------------------------------------------
def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def reference_folder_of(path: str, reference: Sequence[str]) -> str | None:
    """The reference folder ("never trash from here") holding a path, or None."""
    p = normalise(path)
    return next((f for f in map(normalise, reference) if _inside(p, f)), None)


def _show_folder(folder: str) -> str:
    home = str(Path.home())
    return "~" + folder[len(home) :] if _inside(folder, home) and home != os.sep else folder


def _others(n: int, singular: str, plural: str) -> str:
    return f"the other copy {singular}" if n == 1 else f"the other copies {plural}"


def _seconds(taken: str | None) -> float | None:
    if not taken:
        return None
    try:
        when = dt.datetime.strptime(taken.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return when.replace(tzinfo=dt.timezone.utc).timestamp()


def _best(
    pool: list[DuplicateFile], score: Callable[[DuplicateFile], float]
) -> list[DuplicateFile]:
    top = max(score(f) for f in pool)
    return [f for f in pool if score(f) == top]


def _picture_pixels(pool: list[DuplicateFile], inspect: Inspector) -> dict[str, float]:
    """Each file's picture pixels: its size, less the canvas a border or caption bar added.

    Only a file that would rank first and whose shape differs from the group's usual one
    (copies resized keep the aspect ratio; added canvas changes it) is opened, so resolution
    still decides from the catalogue alone in the usual case.
    """
    pixels = {f.path: float(f.width * f.height) for f in pool}

    def shape(f: DuplicateFile) -> float:
        return max(f.width, f.height) / max(min(f.width, f.height), 1)

    opened: set[str] = set()
    while True:
        top = max(pool, key=lambda f: pixels[f.path])
        # the shape of the others (a tilt by 2° changes the shape by 2 %: in a pair, a median
        # with itself in it would hide that)
        others = [shape(f) for f in pool if f is not top] or [shape(top)]
        usual = float(np.median(others))
        if top.path in opened or abs(shape(top) / usual - 1) <= 0.01:
            return pixels
        opened.add(top.path)
        aspect = usual if top.width >= top.height else 1.0 / usual
        if inspect.frame_defect(top.path) == "black corners":
            # a tilt grows the canvas around the same picture (black corners fill the rest)
            measured = _untilted_pixels(top.width, top.height, aspect)
        else:
            measured = pixels[top.path] * inspect.picture_fraction(top.path)
            # A caption strip with lettering is not a plain band, but it is canvas all the
            # same: the picture is at most the largest frame of the group's shape inside it.
            w = min(float(top.width), top.height * aspect)
            measured = min(measured, w * w / aspect)
        # Measured on a ≤ 256 px draft, a band is known to a row or two: a picture within 3 %
        # of another copy's size is that size (the later rules then tell them apart).
        near = [p for p in pixels.values() if abs(p / max(measured, 1.0) - 1) <= 0.03]
        pixels[top.path] = max(near) if near else measured


def _untilted_pixels(width: int, height: int, aspect: float) -> float:
    """Pixels of the picture inside a canvas of width x height that a tilt made bigger.

    Turning a w x h picture (w / h = aspect, the group's usual shape) by t makes a canvas of
    w cos t + h sin t by w sin t + h cos t, so the canvas's shape q = width / height gives
    tan t = (aspect - q) / (q aspect - 1), and then w. A tilted copy with black corners is
    larger than its original but shows no more of the scene.
    """
    if width < height:  # a portrait canvas: the same geometry on its side
        width, height, aspect = height, width, 1.0 / aspect
    q = width / max(height, 1)
    t = math.atan2(aspect - q, q * aspect - 1) if q * aspect > 1 else 0.0
    t = min(max(t, 0.0), math.radians(30))  # a straightening, not a turn
    w = width / (math.cos(t) + math.sin(t) / aspect)
    return w * w / aspect


def _edits_rule(pool: list[DuplicateFile]) -> tuple[list[DuplicateFile], str]:
    clean = [f for f in pool if not f.edits]
    losers = [f for f in pool if f.edits]
    labels = " / ".join(dict.fromkeys(e for f in losers for e in f.edits))
    reason = "same resolution; " + _others(len(losers), f"is {labels}", f"are {labels}")
    bigger = max(losers, key=lambda f: f.size)
    if bigger.size > max(f.size for f in clean):
        reason += f" (the larger file, {human_bytes(bigger.size)}, is the edited one)"
    return clean, reason


def _exif_rule(pool: list[DuplicateFile]) -> tuple[list[DuplicateFile], str]:
    winners = [f for f in pool if f.camera or f.taken]
    shown = winners[0].camera or f"taken {winners[0].taken}"
    return winners, f"has camera EXIF ({shown}); " + _others(
        len(pool) - len(winners), "has none", "have none"
    )


def _capture_rule(pool: list[DuplicateFile]) -> tuple[list[DuplicateFile], str] | None:
    times = {f.path: _seconds(f.taken) for f in pool}
    known = [t for t in times.values() if t is not None]
    if len(set(known)) < 2:
        return None
    first = min(known)
    winners = [f for f in pool if times[f.path] == first]
    later = min(t for t in known if t > first)
    shown = dt.datetime.fromtimestamp(later, dt.timezone.utc).strftime("%Y:%m:%d %H:%M:%S")
    return winners, f"taken earlier ({winners[0].taken}; the next copy says {shown})"


def _format_rule(pool: list[DuplicateFile]) -> tuple[list[DuplicateFile], str] | None:
    formats = {f.path: file_format(f.path) for f in pool}
    originals = [f for f in pool if formats[f.path] in ORIGINAL_FORMATS]
    if not originals or len(originals) == len(pool):
        return None
    derived = sorted({formats[f.path] for f in pool} - ORIGINAL_FORMATS)
    kept = "/".join(sorted({formats[f.path] for f in originals}))
    return originals, f"original {kept} over re-encoded {'/'.join(derived)}"


def _identical(pool: list[DuplicateFile]) -> bool:
    return len({f.content_hash for f in pool}) == 1 and bool(pool[0].content_hash)


def _per_content(pool: list[DuplicateFile], read: Callable[[str], _T]) -> dict[str, _T]:
    """`read` of each file, opening one file per content hash (byte copies read the same)."""
    seen: dict[str, _T] = {}
    out: dict[str, _T] = {}
    for f in pool:
        if f.content_hash and f.content_hash in seen:
            out[f.path] = seen[f.content_hash]
            continue
        out[f.path] = read(f.path)
        if f.content_hash:
            seen[f.content_hash] = out[f.path]
    return out


def _quality_rule(
    pool: list[DuplicateFile], inspect: Inspector
) -> tuple[list[DuplicateFile], str] | None:
    """Among the JPEGs, the highest quality; files of other formats (HEIC) stay in the pool.

    A HEIC beside two JPEGs says nothing about which JPEG was re-compressed.
    """
    jpegs = [f for f in pool if file_format(f.path) == "JPEG"]
    if len(jpegs) < 2 or _identical(jpegs):
        return None
    quality = _per_content(jpegs, inspect.jpeg_quality)
    known = {q for q in quality.values() if q is not None}
    if len(known) < 2:
        return None
    top = max(known)
    worst = min(known)
    winners = [f for f in pool if f not in jpegs or quality[f.path] == top]
    return winners, f"original JPEG quality {top} over re-compressed {worst}"


def _frame_rule(
    pool: list[DuplicateFile], inspect: Inspector
) -> tuple[list[DuplicateFile], str] | None:
    if _identical(pool):
        return None
    defects = _per_content(pool, inspect.frame_defect)
    clean = [f for f in pool if defects[f.path] is None]
    if not clean or len(clean) == len(pool):
        return None
    words = sorted({_DEFECT_WORDS[d] for d in defects.values() if d is not None})
    n = len(pool) - len(clean)
    return clean, "no border or black corners; " + _others(
        n, " and ".join(words), " and ".join(words).replace("has ", "have ")
    )


def _mtime_rule(pool: list[DuplicateFile]) -> tuple[list[DuplicateFile], str] | None:
    times = [f.mtime for f in pool if f.mtime is not None]
    if len(times) < 2 or max(times) - min(times) <= MTIME_SLACK_S:
        return None
    first = min(times)
    winners = [f for f in pool if f.mtime is not None and f.mtime - first <= MTIME_SLACK_S]
    later = min(t for t in times if t - first > MTIME_SLACK_S)

    def day(t: float) -> str:
        return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")

    return winners, f"older file (modified {day(first)}; the next copy {day(later)})"


def _sharpness_rule(
    pool: list[DuplicateFile], sharpness_of: Callable[[str], float]
) -> tuple[list[DuplicateFile], str] | None:
    if _identical(pool):
        return None  # identical bytes are equally sharp
    scores = _per_content(pool, sharpness_of)
    winners = _best(pool, lambda f: scores[f.path])
    if len(winners) == len(pool):
        return None
    return winners, "sharpest of otherwise equal copies"


def suggest_keeper(
    files: Sequence[DuplicateFile],
    *,
    reference: Sequence[str] = (),
    sharpness_of: Callable[[str], float] = sharpness,
    inspect: Inspector = INSPECTOR,
) -> tuple[str, str]:
    """The file to keep and why: a suggestion, never acted on without the user.

    Order, the first rule that separates the files deciding:

    1. inside a reference folder (one the user never trashes from) — even over a higher
       resolution elsewhere, since "never trash from here" means its copy is the one kept;
    2. highest resolution of the picture (the canvas a border or caption bar adds does not
       count; only a copy whose shape differs from the group's is opened to measure it);
    3. no edits: a copy the verifier labelled (brightened, captioned, tilted, …) loses to an
       unedited one of the same resolution, however much larger or older it is;
    4. camera EXIF present (camera model or date taken);
    5. earliest capture (EXIF date taken);
    6. original format over a re-encoding (JPEG/HEIC/RAW over PNG/WebP/GIF/…), and among
       JPEGs the higher quality estimated from the header's quantisation table;
    7. no border, edge bar or black corners (from a ≤ 256 px draft decode);
    8. the older file (modification time). Placed after the content rules on purpose: copying
       a file resets its mtime, so an mtime must not let a re-compressed copy beat an original;
    9. sharpest (only for different content); then the shortest path.

    Args:
        files: the group's members (at least one).
        reference: reference folders, as the user typed them.
        sharpness_of: sharpness of a file, higher is sharper (injectable for tests).
        inspect: reads JPEG quality and frame defects from files (injectable for tests).

    Returns:
        (path to keep, reason naming the deciding rule and what the other copies lack).
    """
    if not files:
        raise ValueError("no files")
    pool = list(files)
    if len(pool) == 1:
        return pool[0].path, "the only file"
    prefix = ""
    if reference:
        homes = {f.path: reference_folder_of(f.path, reference) for f in pool}
        protected = [f for f in pool if homes[f.path]]
        if protected and len(protected) < len(pool):
            prefix = f"in reference folder {_show_folder(homes[protected[0].path] or '')}"
            if len(protected) == 1:
                return protected[0].path, prefix
            pool, prefix = protected, prefix + "; "

    pixels = _picture_pixels(pool, inspect)
    top = _best(pool, lambda f: pixels[f.path])
    if len(top) == 1:
        runner = max((f for f in pool if f is not top[0]), key=lambda f: pixels[f.path])
        framed = (
            " with its border set aside"
            if pixels[runner.path] < runner.width * runner.height
            else ""
        )
        return top[0].path, prefix + (
            f"highest resolution: {top[0].width}×{top[0].height} "
            f"(next {runner.width}×{runner.height}{framed})"
        )
    pool = top

    rules: list[Callable[[list[DuplicateFile]], tuple[list[DuplicateFile], str] | None]] = [
        lambda p: (
            _edits_rule(p) if any(f.edits for f in p) and not all(f.edits for f in p) else None
        ),
        lambda p: _exif_rule(p) if len({bool(f.camera or f.taken) for f in p}) > 1 else None,
        _capture_rule,
        _format_rule,
        lambda p: _quality_rule(p, inspect),
        lambda p: _frame_rule(p, inspect),
        _mtime_rule,
        lambda p: _sharpness_rule(p, sharpness_of),
    ]
    reason = ""
    for rule in rules:
        outcome = rule(pool)
        if outcome is None:
            continue
        pool, reason = outcome
        if len(pool) == 1:
            return pool[0].path, prefix + reason
    first = min(pool, key=lambda f: (len(f.path), f.path))
    if reason:  # the last rule narrowed but did not single out one file
        return first.path, prefix + reason + "; then the shortest path"
    if _identical(pool):
        return first.path, prefix + "identical copies; kept the one with the shortest path"
    return first.path, prefix + "no difference found; kept the one with the shortest path"
