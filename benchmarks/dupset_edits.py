"""The edits that turn one capture into its "edited copies" for benchmarks/dupset.py.

Every edit is a plain function of (source image, rng) that returns the bytes of one file and its
extension, so an edit is deterministic given the per-source rng and the library versions. The
EXIF-orientation edit stores turned-back pixels plus tag 6 or 8, so an EXIF-aware viewer shows the
original upright; the byte copy is the original file's bytes under another name.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

try:  # HEIC only where pillow-heif can write it
    import pillow_heif

    pillow_heif.register_heif_opener()
    _buf = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(_buf, format="HEIF", quality=60)
    HEIC_OK = True
except Exception:
    HEIC_OK = False


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def jpeg(img: Image.Image, quality: int, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=quality, **kw)
    return buf.getvalue()


Result = tuple[bytes, str]
Edit = Callable[[Image.Image, random.Random], Result]


def _j(img: Image.Image, q: int = 90) -> Result:
    return jpeg(img, q), "jpg"


def _resize(img: Image.Image, f: float) -> Image.Image:
    w, h = img.size
    return img.resize((max(8, round(w * f)), max(8, round(h * f))), Image.Resampling.LANCZOS)


def _crop(img: Image.Image, keep: float, rng: random.Random, centred: bool) -> Image.Image:
    w, h = img.size
    cw, ch = round(w * keep), round(h * keep)
    if centred:
        x, y = (w - cw) // 2, (h - ch) // 2
    else:  # pushed towards a random corner, never centred
        x = rng.choice([0, w - cw]) if rng.random() < 0.5 else rng.randint(0, w - cw)
        y = rng.choice([0, h - ch])
    return img.crop((x, y, x + cw, y + ch))


def _tilt(img: Image.Image, deg: float, cropped: bool) -> Image.Image:
    out = img.convert("RGB").rotate(deg, resample=Image.Resampling.BICUBIC, expand=not cropped)
    if not cropped:
        return out
    # largest axis-aligned rectangle of the original aspect inside the turned image
    w, h = img.size
    a = math.radians(abs(deg))
    s = min(w / (w * math.cos(a) + h * math.sin(a)), h / (w * math.sin(a) + h * math.cos(a)))
    cw, ch = int(w * s) - 2, int(h * s) - 2
    x, y = (w - cw) // 2, (h - ch) // 2
    return out.crop((x, y, x + cw, y + ch))


def _tint(img: Image.Image, warm: bool) -> Image.Image:
    r, g, b = img.convert("RGB").split()
    up = r.point(lambda v: min(255, int(v * 1.12 + 8)))
    down = b.point(lambda v: int(v * 0.85))
    if warm:
        return Image.merge("RGB", (up, g, down))
    return Image.merge(
        "RGB", (r.point(lambda v: int(v * 0.85)), g, b.point(lambda v: min(255, int(v * 1.12 + 8))))
    )


def _sepia(img: Image.Image) -> Image.Image:
    grey = ImageOps.grayscale(img)
    return ImageOps.colorize(grey, black="#2e1f0f", white="#fff3dc", mid="#a07850")


def _caption(img: Image.Image, rng: random.Random) -> Image.Image:
    img = img.convert("RGB")
    w, h = img.size
    bar = max(24, h // 9)
    out = Image.new("RGB", (w, h + bar), "black" if rng.random() < 0.5 else "white")
    top = rng.random() < 0.5
    out.paste(img, (0, bar if top else 0))
    d = ImageDraw.Draw(out)
    fill = "white" if out.getpixel((0, 0 if top else h + 1)) == (0, 0, 0) else "black"
    text = rng.choice(
        ["Summer 2019", "Holiday with the family", "IMG_4471 - best of", "Memories", "Trip day 3"]
    )
    d.text((10, (2 if top else h + 2) + bar // 5), text, font=font(int(bar * 0.55)), fill=fill)
    return out


def _watermark(img: Image.Image, rng: random.Random) -> Image.Image:
    img = img.convert("RGBA")
    w, h = img.size
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    text = rng.choice(["© J. Smith Photography", "SAMPLE", "© 2021 studio-nord", "preview only"])
    f = font(max(14, w // 14), bold=True)
    tw = d.textlength(text, font=f)
    d.text(((w - tw) / 2, h / 2 - w / 28), text, font=f, fill=(255, 255, 255, 120))
    return Image.alpha_composite(img, layer).convert("RGB")


def _sticker(img: Image.Image, rng: random.Random) -> Image.Image:
    img = img.convert("RGB").copy()
    w, h = img.size
    r = max(12, min(w, h) // 8)
    cx = rng.choice([r + 8, w - r - 8])
    cy = rng.choice([r + 8, h - r - 8])
    d = ImageDraw.Draw(img)
    d.ellipse(
        (cx - r, cy - r, cx + r, cy + r), fill=(230, 40, 60), outline="white", width=max(2, r // 8)
    )
    d.regular_polygon((cx, cy, r * 0.55), 5, fill="yellow")
    return img


def _border(img: Image.Image, rng: random.Random) -> Image.Image:
    w, h = img.size
    b = max(6, min(w, h) // rng.choice([12, 20]))
    return ImageOps.expand(img.convert("RGB"), border=b, fill="white")


def _exif_turn(img: Image.Image, rng: random.Random) -> Result:
    tag = rng.choice([6, 8])
    # tag 6: viewer turns 90 deg clockwise to show, so the stored pixels are turned anticlockwise
    stored = img.convert("RGB").transpose(
        Image.Transpose.ROTATE_90 if tag == 6 else Image.Transpose.ROTATE_270
    )
    exif = Image.Exif()
    exif[0x0112] = tag
    return jpeg(stored, 90, exif=exif.tobytes()), "jpg"


def _encode(img: Image.Image, fmt: str) -> Result:
    buf = io.BytesIO()
    rgb = img.convert("RGB")
    if fmt == "png":
        rgb.save(buf, format="PNG", compress_level=3)
    elif fmt == "webp":
        rgb.save(buf, format="WEBP", quality=75, method=2)
    else:
        rgb.save(buf, format="HEIF", quality=70)
    return buf.getvalue(), {"png": "png", "webp": "webp", "heif": "heic"}[fmt]


T = Image.Transpose
EDITS: dict[str, Edit] = {
    "jpeg_q20": lambda im, r: _j(im, 20),
    "jpeg_q50": lambda im, r: _j(im, 50),
    "png": lambda im, r: _encode(im, "png"),
    "webp": lambda im, r: _encode(im, "webp"),
    "resize_half": lambda im, r: _j(_resize(im, 0.5)),
    "resize_quarter": lambda im, r: _j(_resize(im, 0.25)),
    "upscale_1.5": lambda im, r: _j(_resize(im, 1.5)),
    "crop90_centre": lambda im, r: _j(_crop(im, 0.9, r, True)),
    "crop80_centre": lambda im, r: _j(_crop(im, 0.8, r, True)),
    "crop60_centre": lambda im, r: _j(_crop(im, 0.6, r, True)),
    "crop90_offcentre": lambda im, r: _j(_crop(im, 0.9, r, False)),
    "crop80_offcentre": lambda im, r: _j(_crop(im, 0.8, r, False)),
    "crop60_offcentre": lambda im, r: _j(_crop(im, 0.6, r, False)),
    "rot90": lambda im, r: _j(im.transpose(T.ROTATE_270)),
    "rot180": lambda im, r: _j(im.transpose(T.ROTATE_180)),
    "rot270": lambda im, r: _j(im.transpose(T.ROTATE_90)),
    "exif_rot90": _exif_turn,
    "mirror": lambda im, r: _j(im.transpose(T.FLIP_LEFT_RIGHT)),
    "tilt+2_black": lambda im, r: _j(_tilt(im, 2, False)),
    "tilt-2_black": lambda im, r: _j(_tilt(im, -2, False)),
    "tilt+4_black": lambda im, r: _j(_tilt(im, 4, False)),
    "tilt-4_black": lambda im, r: _j(_tilt(im, -4, False)),
    "tilt+2_cropped": lambda im, r: _j(_tilt(im, 2, True)),
    "tilt-2_cropped": lambda im, r: _j(_tilt(im, -2, True)),
    "tilt+4_cropped": lambda im, r: _j(_tilt(im, 4, True)),
    "tilt-4_cropped": lambda im, r: _j(_tilt(im, -4, True)),
    "brighter": lambda im, r: _j(ImageEnhance.Brightness(im).enhance(1.35)),
    "darker": lambda im, r: _j(ImageEnhance.Brightness(im).enhance(0.65)),
    "contrast": lambda im, r: _j(ImageEnhance.Contrast(im).enhance(1.5)),
    "gamma": lambda im, r: _j(im.point(lambda v: int(255 * (v / 255) ** 0.6))),
    "saturation": lambda im, r: _j(ImageEnhance.Color(im).enhance(1.8)),
    "warm": lambda im, r: _j(_tint(im, True)),
    "cool": lambda im, r: _j(_tint(im, False)),
    "greyscale": lambda im, r: _j(ImageOps.grayscale(im)),
    "sepia": lambda im, r: _j(_sepia(im)),
    "caption_bar": lambda im, r: _j(_caption(im, r)),
    "watermark": lambda im, r: _j(_watermark(im, r)),
    "sticker": lambda im, r: _j(_sticker(im, r)),
    "white_border": lambda im, r: _j(_border(im, r)),
    "combo_crop_resize_q60": lambda im, r: (
        jpeg(_resize(_crop(im, 0.8, r, False), 0.6), 60),
        "jpg",
    ),
    "combo_grey_crop": lambda im, r: _j(ImageOps.grayscale(_crop(im, 0.85, r, False))),
    "combo_tilt_brighten": lambda im, r: _j(
        ImageEnhance.Brightness(_tilt(im, r.choice([-3, 3]), True)).enhance(1.25)
    ),
}
if HEIC_OK:
    EDITS["heic"] = lambda im, r: _encode(im, "heif")
