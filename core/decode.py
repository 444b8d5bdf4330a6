"""Safe photo decoding: formats, EXIF orientation, pixel limits, and the model's input pixels."""

from __future__ import annotations

import io
import warnings
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import NotAnImageError
from core.hashing import content_hash_bytes, content_hash_file, perceptual_hash
from core.records import PhotoMeta

try:  # HEIC/HEIF from phones; optional so a broken libheif never stops the app.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    HEIF = False

# Larger than any camera or panorama a person is likely to own, small enough that a crafted
# "pixel bomb" is refused from its header before a single pixel is decoded.
MAX_PIXELS = 250_000_000
# Files up to this size are read once into memory, hashed and decoded from there.
READ_WHOLE_LIMIT = 128 << 20

Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_EXIF_IFD = 0x8769
_TAG_ORIENTATION = 0x0112
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_TAG_DATETIME = 0x0132
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_SUBSEC_ORIGINAL = 0x9291


@dataclass(frozen=True, slots=True)
class Prepared:
    """A file made ready for the embedder: identity, metadata and model-sized pixels.

    `pixels` and `meta` are None when the content hash was already known (nothing to decode).
    """

    path: str
    size: int
    mtime_ns: int
    content_hash: str
    pixels: np.ndarray | None
    meta: PhotoMeta | None


# Reasons that say the file could not be *read* (not that its bytes are bad): such problems are
# retried on every scan, since a fixed permission or a reconnected disk changes neither the
# file's size nor its mtime.
ACCESS_PROBLEMS = frozenset({"permission denied", "file vanished while indexing"})


def is_access_problem(reason: str) -> bool:
    """Whether a problem reason means the file could not be read, rather than decoded."""
    return reason in ACCESS_PROBLEMS or reason.startswith("cannot read (")


def _exif_meta(image: Image.Image) -> tuple[str | None, int, str | None]:
    try:
        exif = image.getexif()
    except Exception:
        return None, 1, None
    orientation = exif.get(_TAG_ORIENTATION, 1)
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except Exception:
        sub = {}
    return exif_time(exif, sub), orientation, exif_camera(exif)


def exif_time(exif: Image.Exif, sub: Mapping, original_only: bool = False) -> str | None:
    """The EXIF time as "YYYY:MM:DD HH:MM:SS[.subsec]", or None.

    The original time, else (unless `original_only`) the file's change time; `sub` is the EXIF
    sub-IFD. Edits keep the original time only.
    """
    taken = sub.get(_TAG_DATETIME_ORIGINAL)
    if not original_only:
        taken = taken or exif.get(_TAG_DATETIME)
    if isinstance(taken, bytes):
        taken = taken.decode("ascii", "replace")
    if not isinstance(taken, str):
        return None
    taken = taken.strip("\x00 ").strip() or None
    subsec = sub.get(_TAG_SUBSEC_ORIGINAL)
    if taken and isinstance(subsec, str) and subsec.strip("\x00 ").isdigit():
        taken = f"{taken}.{subsec.strip(chr(0) + ' ')}"
    return taken


def exif_camera(exif: Image.Exif) -> str | None:
    """The camera as "Make Model", or the model alone when it already names the make."""
    make = str(exif.get(_TAG_MAKE, "") or "").strip("\x00 ").strip()
    model = str(exif.get(_TAG_MODEL, "") or "").strip("\x00 ").strip()
    camera = model if make and model.lower().startswith(make.lower()) else f"{make} {model}".strip()
    return camera or None


def _open(source: Path | bytes, label: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Our own limit below gives the clearer message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except UnidentifiedImageError:
        raise NotAnImageError(label, "not an image Simili can read") from None
    except Image.DecompressionBombError:
        raise NotAnImageError(label, "image too large to decode safely") from None
    except OSError as exc:
        raise NotAnImageError(label, f"cannot read ({exc})") from None
    w, h = image.size
    if w <= 0 or h <= 0:
        raise NotAnImageError(label, "image has no pixels")
    if w * h > MAX_PIXELS:
        megapixels, limit = w * h / 1e6, MAX_PIXELS / 1e6
        raise NotAnImageError(
            label, f"image too large ({w}x{h} = {megapixels:.0f} MP; limit {limit:.0f} MP)"
        )
    return image


def check_header(path: Path, label: str = "") -> None:
    """Read only a file's header: refuse what is not a reasonably sized image, unread.

    Raises:
        NotAnImageError: not an image Simili can read, or too large to decode safely.
    """
    _open(path, label or str(path)).close()


def open_header(path: str) -> Image.Image:
    """Open a file for its header and metadata only (no pixels decoded); the caller closes it.

    Raises:
        NotAnImageError: not an image Simili can read, or too large to decode safely.
    """
    return _open(Path(path), path)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode == "I":
        arr = np.asarray(image, dtype=np.float64)
        top = max(float(arr.max()), 1.0)
        return Image.fromarray((arr * (255.0 / top)).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")


def load_rgb(source: Path | bytes, max_side: int | None = None, label: str = "") -> Image.Image:
    """Decode a photo to upright RGB, cheaply downscaled so its shorter side stays >= max_side.

    Raises:
        NotAnImageError: the bytes are not a readable, reasonably sized image.
    """
    label = label or (str(source) if isinstance(source, Path) else "image")
    image = _open(source, label)
    try:
        if max_side is not None and image.format == "JPEG":
            # DCT scaling: decoding at 1/2..1/8 scale is the single biggest saving in indexing.
            image.draft("RGB", (max_side, max_side))
        image.seek(0)
        image.load()
        image = ImageOps.exif_transpose(image) or image
        return _to_rgb(image)
    except Image.DecompressionBombError:
        raise NotAnImageError(label, "image too large to decode safely") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = (
            "truncated or corrupt" if "truncated" in str(exc) or isinstance(exc, EOFError) else exc
        )
        raise NotAnImageError(label, f"cannot decode ({reason})") from None


def model_pixels(image: Image.Image, size: int) -> np.ndarray:
    """The embedder's input: the whole photo squashed to size x size, uint8 HWC RGB.

    Squashing (not cropping) keeps every part of the photo, so crops and borders still match.
    """
    resized = image.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(resized, dtype=np.uint8)


def read_meta(image: Image.Image, raw: Image.Image | None = None) -> PhotoMeta:
    """Metadata of a decoded photo; `raw` is the un-rotated image that still carries the EXIF."""
    taken, orientation, camera = _exif_meta(raw if raw is not None else image)
    return PhotoMeta(
        width=image.width,
        height=image.height,
        taken=taken,
        orientation=orientation,
        camera=camera,
        phash=perceptual_hash(image),
    )


def _displayed_size(image: Image.Image, orientation: int) -> tuple[int, int]:
    w, h = image.size
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def prepare(path: str, size: int, known_hashes: Container[str] = frozenset()) -> Prepared:
    """Hash a file and, unless its content is already known, decode it for the embedder.

    Runs in decode worker processes, so it takes and returns only picklable values.

    Raises:
        NotAnImageError: unreadable, vanished, corrupt or oversized file.
    """
    p = Path(path)
    try:
        st = p.stat()
        if st.st_size == 0:
            raise NotAnImageError(path, "empty file (0 bytes)")
        data: bytes | None = None
        if st.st_size <= READ_WHOLE_LIMIT:
            data = p.read_bytes()
            digest = content_hash_bytes(data)
        else:
            digest = content_hash_file(p)
    except FileNotFoundError:
        raise NotAnImageError(path, "file vanished while indexing") from None
    except PermissionError:
        raise NotAnImageError(path, "permission denied") from None
    except IsADirectoryError:
        raise NotAnImageError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise NotAnImageError(path, f"cannot read ({exc.strerror or exc})") from None
    if digest in known_hashes:
        return Prepared(path, st.st_size, st.st_mtime_ns, digest, None, None)
    source: Path | bytes = data if data is not None else p
    header = _open(source, path)
    taken, orientation, camera = _exif_meta(header)
    width, height = _displayed_size(header, orientation)
    image = load_rgb(source, max_side=size, label=path)
    meta = PhotoMeta(width, height, taken, orientation, camera, perceptual_hash(image))
    return Prepared(path, st.st_size, st.st_mtime_ns, digest, model_pixels(image, size), meta)
