"""Thumbnails other apps already made, read from the freedesktop.org shared cache.

File managers (Nautilus, Dolphin, Thunar…) keep `~/.cache/thumbnails/{large,x-large,xx-large}/
<md5 of the file URI>.png`. An entry is used only when its `Thumb::URI` names the file and its
`Thumb::MTime` equals the file's modification time (the Thumbnail Managing Standard); a stale
or foreign one is ignored. Simili only reads this cache: it never writes into it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import quote

from PIL import Image

# Folder and the longer side of its thumbnails, smallest first.
SIZES = (("normal", 128), ("large", 256), ("x-large", 512), ("xx-large", 1024))
# Characters GLib's g_filename_to_uri leaves as they are in a path (RFC 2396 "pchar" and "/").
_SAFE = "/!$&'()*+,;=:@~"


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/thumbnails`, or `~/.cache/thumbnails`."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "thumbnails"


def file_uri(path: str) -> str:
    """The file's URI as thumbnailers spell it: `file://` and the percent-encoded bytes."""
    absolute = str(Path(path).absolute())  # as given: thumbnailers do not resolve links
    return "file://" + quote(os.fsencode(absolute), safe=_SAFE)


def entry_name(path: str) -> str:
    """The cache file name: the MD5 of the URI, hex, with `.png`."""
    return hashlib.md5(file_uri(path).encode("ascii"), usedforsecurity=False).hexdigest() + ".png"


def lookup(path: str, side: int, root: Path | None = None) -> Path | None:
    """A valid cached thumbnail at least `side` px on its longer side, or None.

    Images smaller than `side` qualify when the entry holds them whole (thumbnailers never
    enlarge).
    """
    try:
        mtime = int(Path(path).stat().st_mtime)
    except OSError:
        return None
    root = root or cache_root()
    uri = file_uri(path)
    name = entry_name(path)
    # Big enough folders first, smallest of them first; smaller ones can hold a small image whole.
    big = [folder for folder, longer in SIZES if longer >= side]
    small = [folder for folder, longer in reversed(SIZES) if longer < side]
    for folder in big + small:
        candidate = root / folder / name
        if candidate.is_file() and _valid(candidate, uri, mtime, side):
            return candidate
    return None


def _valid(entry: Path, uri: str, mtime: int, side: int) -> bool:
    try:
        with Image.open(entry) as image:
            if image.format != "PNG":
                return False
            text = getattr(image, "text", {}) or {}
            width, height = image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return False
    if text.get("Thumb::URI") != uri:
        return False  # an MD5 collision or another file's entry
    try:
        if int(float(text.get("Thumb::MTime", ""))) != mtime:
            return False  # the file changed since the thumbnail was made
    except ValueError:
        return False
    longer = max(width, height)
    if longer >= side:
        return True
    try:  # small originals: fine when the thumbnail is the whole image
        original = max(int(text["Thumb::Image::Width"]), int(text["Thumb::Image::Height"]))
    except (KeyError, ValueError):
        return False
    return original <= longer
