"""Photo file names and formats: which suffixes Simili reads, and the format each one names.

Kept apart from `core.decode` so the scanner and the watcher can tell a photo by its name
without importing Pillow.
"""

from __future__ import annotations

from importlib.util import find_spec

# HEIC/HEIF from phones when pillow-heif is installed (a declared dependency; optional so a
# broken libheif never stops the app: `core.decode` registers it).
HEIF = find_spec("pillow_heif") is not None
SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp"}
    | ({".heic", ".heif", ".hif"} if HEIF else set())
)
# Formats a camera or phone writes; PNG/WebP/GIF/BMP beside one of these are re-encoded copies.
ORIGINAL_FORMATS = frozenset(
    {"JPEG", "HEIC", "DNG", "CR2", "CR3", "NEF", "ARW", "RAF", "ORF", "RW2"}
)
_FORMATS = {
    "jpg": "JPEG", "jpeg": "JPEG", "jpe": "JPEG", "jfif": "JPEG", "heic": "HEIC", "heif": "HEIC",
    "hif": "HEIC", "png": "PNG", "webp": "WEBP", "tif": "TIFF", "tiff": "TIFF", "gif": "GIF",
    "bmp": "BMP",
}  # fmt: skip


def is_photo_name(name: str) -> bool:
    """Whether a file name has a photo suffix the decoder handles."""
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in SUFFIXES


def file_format(path: str) -> str:
    """Upper-case format name from a file's suffix ("JPEG", "PNG", "HEIC", …)."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return _FORMATS.get(suffix, suffix.upper() or "?")
