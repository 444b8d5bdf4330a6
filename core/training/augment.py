"""Photo-library edits as random augmentations: the copies a library accumulates of one photo.

Each view is made from a decoded, upright RGB photo by the same kinds of edits that
`neardup_dev` documents (and that real libraries are full of): crops, small tilts, 90° turns,
resized exports, JPEG/WebP re-compression, brightness/contrast/colour edits, grayscale and a
caption bar with text. The result goes through `core.decode.model_pixels`, the app's exact
preprocessing (whole photo squashed to S x S, Pillow BILINEAR).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from core.decode import model_pixels

ROTATIONS = (
    None,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
)


@dataclass(frozen=True, slots=True)
class AugmentConfig:
    """Probabilities and ranges of the edits; the defaults are the training recipe."""

    crop_p: float = 0.8
    crop_min_side: float = 0.55  # keep at least this share of each side
    tilt_p: float = 0.2
    tilt_degrees: float = 5.0
    rotate_p: float = 0.3  # a 90°, 180° or 270° turn of the pixels (no EXIF)
    downscale_p: float = 0.3
    downscale_min: float = 0.2  # down to this share of the side, then decoded at model size
    colour_p: float = 0.6
    colour_strength: float = 0.35
    grayscale_p: float = 0.15
    caption_p: float = 0.15
    jpeg_p: float = 0.5
    jpeg_quality: tuple[int, int] = (15, 95)
    webp_p: float = 0.1


def _crop(image: Image.Image, rng: random.Random, min_side: float) -> Image.Image:
    w, h = image.size
    cw = max(1, round(w * rng.uniform(min_side, 1.0)))
    ch = max(1, round(h * rng.uniform(min_side, 1.0)))
    x0, y0 = rng.randint(0, w - cw), rng.randint(0, h - ch)
    return image.crop((x0, y0, x0 + cw, y0 + ch))


def _tilt(image: Image.Image, rng: random.Random, degrees: float) -> Image.Image:
    # A straightened photo: rotate, then keep the largest centred crop without black corners.
    angle = rng.uniform(-degrees, degrees)
    w, h = image.size
    rotated = image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
    rad = abs(np.deg2rad(angle))
    shrink = 1.0 / (np.cos(rad) + np.sin(rad) * max(w / h, h / w))
    cw, ch = max(1, int(w * shrink)), max(1, int(h * shrink))
    x0, y0 = (w - cw) // 2, (h - ch) // 2
    return rotated.crop((x0, y0, x0 + cw, y0 + ch))


def _colour(image: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    edits = [ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color]
    rng.shuffle(edits)
    for edit in edits:
        image = edit(image).enhance(rng.uniform(1.0 - strength, 1.0 + strength))
    return image


def _caption(image: Image.Image, rng: random.Random) -> Image.Image:
    # A white (or black) bar with text along the bottom or top, as sharing apps add.
    w, h = image.size
    bar = max(8, int(h * rng.uniform(0.08, 0.18)))
    canvas = image.copy()
    draw = ImageDraw.Draw(canvas)
    light = rng.random() < 0.7
    top = rng.random() < 0.3
    y0 = 0 if top else h - bar
    draw.rectangle((0, y0, w, y0 + bar), fill=(255, 255, 255) if light else (0, 0, 0))
    words = ["Oxford", "2024", "holiday", "IMG", "trip", "summer", "family", "photo", "#travel"]
    text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
    font = ImageFont.load_default(size=max(6, int(bar * 0.6)))
    colour = (0, 0, 0) if light else (255, 255, 255)
    draw.text((int(w * rng.uniform(0.02, 0.3)), y0 + bar // 6), text, fill=colour, font=font)
    return canvas


def _encode(image: Image.Image, fmt: str, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as reread:
        return reread.convert("RGB")


def augment(image: Image.Image, rng: random.Random, config: AugmentConfig) -> Image.Image:
    """One random library edit of an RGB photo (a new image; the input is not changed).

    Args:
        image: upright RGB photo.
        rng: the random source (seeded by the caller, so runs repeat).
        config: which edits, how often and how strong.

    Returns:
        The edited RGB photo, any size.
    """
    if rng.random() < config.crop_p:
        image = _crop(image, rng, config.crop_min_side)
    if rng.random() < config.tilt_p:
        image = _tilt(image, rng, config.tilt_degrees)
    if rng.random() < config.colour_p:
        image = _colour(image, rng, config.colour_strength)
    if rng.random() < config.grayscale_p:
        image = ImageOps.grayscale(image).convert("RGB")
    if rng.random() < config.caption_p:
        image = _caption(image, rng)
    if rng.random() < config.downscale_p:
        w, h = image.size
        scale = rng.uniform(config.downscale_min, 0.6)
        small = (max(8, round(w * scale)), max(8, round(h * scale)))
        image = image.resize(small, Image.Resampling.BILINEAR, reducing_gap=2.0)
    if rng.random() < config.jpeg_p:
        image = _encode(image, "JPEG", rng.randint(*config.jpeg_quality))
    elif rng.random() < config.webp_p:
        image = _encode(image, "WEBP", rng.randint(60, 90))
    if rng.random() < config.rotate_p:
        turn = ROTATIONS[rng.randint(1, 3)]
        if turn is not None:
            image = image.transpose(turn)
    return image


def augmented_pixels(
    image: Image.Image, size: int, rng: random.Random, config: AugmentConfig
) -> np.ndarray:
    """An edited copy of `image` as the model sees it: uint8 [size, size, 3]."""
    return model_pixels(augment(image, rng, config), size)
