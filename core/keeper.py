"""Keep-best: which file of a duplicate group to suggest keeping, and why, in words for people.

The rules run in order and the first that tells the files apart decides; each narrows the pool
for the next. Rules that need the file itself (JPEG quality from the header, a border from a
small decode, sharpness) run only while files are still tied, so most groups open no file, and
a group with a smaller copy of its largest file's shape opens that one file (was it upscaled?).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import numpy as np

from core.formats import ORIGINAL_FORMATS, file_format
from core.formatting import human_bytes
from core.keeper_measures import (  # re-exported: where keep-best's measurements were
    INSPECTOR,
    Inspector,
    sharpness,
)
from core.paths import normalise
from core.records import DuplicateFile

MTIME_SLACK_S = 2.0  # FAT stores times to 2 s: closer mtimes count as the same
# A copy at least 4/3 the size of another of the same shape was upscaled from it when it shows
# less detail finer than that size than UPSCALE_SHARE of its detail in the octave below, and
# less than UPSCALE_OVER times what the round trip loses from its picture upscaled from that size
# (`detail_beyond`). Chosen on the dupset tune split: 53 of its 62 copies upscaled 1.5x meet
# both, none of its 368 originals measured at half and two thirds of their size does (their
# least: 0.30 and 1.85; at 0.8 of their size an original reaches 0.27: why 4/3 is the floor).
# A canvas up to this much larger (each side) than a copy of its shape is looked at for added
# canvas too (a tilt by 6° grows a square by 10 %, a frame of 1/20 of the side on each edge
# by 10 %); resized copies usually differ more.
CANVAS_GROWTH = 1.12
UPSCALE_SHARE = 0.30
UPSCALE_OVER = 2.0
UPSCALE_SIZE = 0.75  # the smaller copy's side over the larger's, at most
UPSCALE_TEXTURE = 1.0  # grey levels of detail the octave below needs for the ratio to mean much

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


def _picture_pixels(
    pool: list[DuplicateFile],
    inspect: Inspector,
    pixels: dict[str, float] | None = None,
    opened: set[str] | None = None,
) -> dict[str, float]:
    """Each file's picture pixels: its size, less the canvas a border or caption bar added.

    Only a file that would rank first and whose shape differs from the group's usual one
    (copies resized keep the aspect ratio; added canvas changes it) is opened, so resolution
    still decides from the catalogue alone in the usual case. Given `pixels` (and the files
    already `opened`), it goes on from there: an upscaled copy set back leaves another first.
    """
    if pixels is None:
        pixels = {f.path: float(f.width * f.height) for f in pool}
    opened = set() if opened is None else opened

    def shape(f: DuplicateFile) -> float:
        return max(f.width, f.height) / max(min(f.width, f.height), 1)

    while True:
        top = max(pool, key=lambda f: pixels[f.path])
        # the shape of the others (a tilt by 2° changes the shape by 2 %: in a pair, a median
        # with itself in it would hide that), not counting copies seen tilted (two tilted
        # copies of three would set the median)
        others = [shape(f) for f in pool if f is not top and "tilted" not in f.edits]
        others = others or [shape(f) for f in pool if f is not top] or [shape(top)]
        usual = float(np.median(others))
        # A canvas a little larger than a copy of the same shape may be grown from it: a
        # square tilted or framed stays square.
        grown_from = [
            f
            for f in pool
            if f is not top
            and abs(shape(f) / shape(top) - 1) <= 0.01
            and max(f.width, f.height) * CANVAS_GROWTH >= max(top.width, top.height)
            and pixels[f.path] < pixels[top.path]
        ]
        # A copy the verifier saw framed (plain canvas round the other's picture) is opened
        # whatever its shape: a border keeps a square square.
        framed = "framed" in top.edits
        usual_shape = abs(shape(top) / usual - 1) <= 0.01
        if top.path in opened or (usual_shape and not grown_from and not framed):
            return pixels
        opened.add(top.path)
        aspect = usual if top.width >= top.height else 1.0 / usual
        defect = inspect.frame_defect(top.path)
        # A copy the verifier saw tilted has its canvas grown around the same picture even
        # where a dark edge of the picture runs into a black corner and reads as a bar.
        tilt = defect == "black corners" or ("tilted" in top.edits and defect is not None)
        if tilt:
            # a tilt grows the canvas around the same picture (black corners fill the rest)
            measured = _untilted_pixels(top.width, top.height, aspect)
            if measured >= 0.99 * pixels[top.path]:  # the shape tells no tilt: measure it
                measured = pixels[top.path] * inspect.tilted_picture(top.path)
            if "tilted" in top.edits:
                # nor more picture than the copy of its shape it grew from (a square stays
                # square, and a draft reads its corners to a few pixels only)
                sources = [pixels[f.path] for f in grown_from if not f.edits]
                measured = min(measured, max(sources)) if sources else measured
        elif usual_shape and not framed:
            # the group's own shape: plain edge bands may be the picture's (a page's margins)
            measured = pixels[top.path]
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


def _upscaled(
    pool: list[DuplicateFile], pixels: dict[str, float], inspect: Inspector
) -> list[DuplicateFile]:
    """Copies upscaled from another copy's size: counted at that size, labelled "upscaled".

    Upscaling adds pixels, not picture: the original is the smaller file. Only the largest
    file is opened (at full resolution), and only when a copy of the same shape is at most
    UPSCALE_SIZE of its size (the largest such is the one it is measured against: a tilted or
    framed copy between them has another shape); a photo taken at its size shows detail finer
    than that.
    """
    out = list(pool)
    for _ in range(len(pool)):
        top = max(out, key=lambda f: pixels[f.path])
        smaller = [f for f in out if pixels[f.path] < pixels[top.path] and _grown(top, f, pixels)]
        if "upscaled" in top.edits or not smaller:
            break
        runner = max(smaller, key=lambda f: pixels[f.path])  # the largest it could come from
        found = inspect.detail_beyond(top.path, runner.width, runner.height)
        if found.share >= UPSCALE_SHARE or found.over_upscale >= UPSCALE_OVER:
            break
        if found.below < UPSCALE_TEXTURE:
            break
        same = {f.path for f in out if f.content_hash == top.content_hash} | {top.path}
        for path in same:
            pixels[path] = pixels[runner.path]
        out = [replace(f, edits=(*f.edits, "upscaled")) if f.path in same else f for f in out]
    return out


def _grown(top: DuplicateFile, runner: DuplicateFile, pixels: dict[str, float]) -> bool:
    """Whether `top` could be `runner` upscaled: the same shape, each side 4/3 as large or more.

    Both files must be measured as their whole frames (no border or bar set aside).
    """
    whole = all(pixels[f.path] == f.width * f.height for f in (top, runner))
    shape = (top.width * runner.height) / max(runner.width * top.height, 1)
    small_enough = runner.width <= UPSCALE_SIZE * top.width
    return whole and abs(shape - 1) <= 0.01 and small_enough and runner.height < top.height


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
       count; only a copy whose shape differs from the group's is opened to measure it; a copy
       upscaled from a smaller one counts at that size and is labelled "upscaled": the
       largest file is opened when a copy of the same shape is at most 3/4 of its size);
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

    opened: set[str] = set()
    pixels = _picture_pixels(pool, inspect, opened=opened)
    for _ in range(len(pool)):
        labelled = _upscaled(pool, pixels, inspect)
        if labelled == pool:
            break
        pool = labelled
        _picture_pixels(pool, inspect, pixels, opened)
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
