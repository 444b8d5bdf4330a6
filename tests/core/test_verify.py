"""Pair verification: edits of one capture are confirmed, other exposures and blank photos not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from core.duplicates import Thresholds
from core.verify import NO_EVIDENCE, Verifier, pixels_identical
from tests.conftest import scene

STRICT = Thresholds().strict


def textured(seed: int, size: tuple[int, int] = (640, 480), shift: int = 0) -> Image.Image:
    """A 'photo' with natural-looking texture: shapes over a gradient plus blurred noise.

    `shift` moves the foreground shapes (a subject that moved between two exposures).
    """
    rng = np.random.default_rng(seed)
    w, h = size
    base = np.asarray(scene(seed, size), np.float32)
    texture = rng.normal(0, 40, (h // 4, w // 4, 1)).astype(np.float32)
    texture = np.asarray(
        Image.fromarray(np.clip(texture[..., 0] + 128, 0, 255).astype(np.uint8)).resize(size),
        np.float32,
    )[..., None]
    image = Image.fromarray(np.clip(base + texture - 128, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for n in range(6):
        x, y = 60 + n * 90 + shift, 80 + (n % 3) * 110
        draw.ellipse([x, y, x + 60, y + 60], fill=(20 + 30 * n, 200 - 20 * n, 90))
    return image


def noisy(image: Image.Image, seed: int) -> Image.Image:
    """Fresh sensor noise: what a second exposure of the same scene brings."""
    rng = np.random.default_rng(seed)
    a = np.asarray(image, np.float32) + rng.normal(0, 6, (image.height, image.width, 3))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("verify")
    base = textured(1)
    out: dict[str, Path] = {}

    def save(name: str, image: Image.Image, **kw: object) -> None:
        out[name] = folder / name
        image.save(out[name], **kw)

    save("original.jpg", base, quality=92)
    save("small.jpg", base.resize((160, 120), Image.Resampling.LANCZOS), quality=85)
    save("q20.jpg", base, quality=20)
    save("crop.jpg", base.crop((100, 60, 548, 396)), quality=90)
    save("turned.jpg", base.transpose(Image.Transpose.ROTATE_90), quality=90)
    save("mirrored.jpg", base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), quality=90)
    save("tilted.jpg", base.rotate(3, Image.Resampling.BICUBIC).crop((30, 25, 610, 455)))
    save("grey.jpg", base.convert("L"), quality=90)
    save("brighter.jpg", ImageEnhance.Brightness(base).enhance(1.3), quality=90)
    captioned = base.copy()
    ImageDraw.Draw(captioned).rectangle([0, 410, 640, 480], fill="white")
    ImageDraw.Draw(captioned).text((20, 430), "holiday 2024", fill="black")
    save("caption.jpg", captioned, quality=90)
    save("blurred.jpg", base.filter(ImageFilter.GaussianBlur(1.2)), quality=90)
    # Other exposures: the subject moved (a burst), the camera moved a little (a re-shoot).
    save("burst.jpg", noisy(textured(1, shift=40), 7), quality=92)
    moved = noisy(base, 8).transform(
        base.size, Image.Transform.PERSPECTIVE, (1.02, 0.03, -8, 0.01, 1.0, -4, 4e-5, 2e-5)
    )
    save("reshoot.jpg", moved, quality=92)
    # The next frame of a near-static video: the camera moved by a pixel or two in perspective.
    frame = noisy(base, 9).transform(
        base.size, Image.Transform.PERSPECTIVE, (1.0, 0.0, -1.5, 0.0, 1.0, -0.7, 1.5e-5, 0.0),
        resample=Image.Resampling.BICUBIC,
    )  # fmt: skip
    save("next_frame.jpg", frame, quality=92)
    save("other.jpg", textured(2), quality=92)
    save("blank.jpg", Image.new("RGB", (640, 480), (90, 140, 220)), quality=92)
    save("blank2.jpg", Image.new("RGB", (640, 480), (92, 141, 219)), quality=92)
    save("same.png", Image.open(out["original.jpg"]).convert("RGB"))
    return out


@pytest.mark.parametrize(
    "edit",
    ["small", "q20", "crop", "turned", "mirrored", "tilted", "grey", "brighter", "caption",
     "blurred"],
)  # fmt: skip
def test_edits_of_one_capture_are_confirmed(photos, edit):
    verdict = Verifier().verify(str(photos["original.jpg"]), str(photos[f"{edit}.jpg"]))
    assert verdict.same
    assert verdict.strength >= STRICT, verdict.features
    assert verdict.summary


@pytest.mark.parametrize("other", ["burst", "reshoot", "next_frame", "other"])
def test_other_exposures_are_not_edited_copies(photos, other):
    verdict = Verifier().verify(str(photos["original.jpg"]), str(photos[f"{other}.jpg"]))
    assert verdict.strength < Thresholds().loose, (verdict.summary, verdict.features)


def test_blank_photos_are_never_confirmed(photos):
    verdict = Verifier().verify(str(photos["blank.jpg"]), str(photos["blank2.jpg"]))
    assert not verdict.same
    assert verdict.strength == 0.0


def test_unreadable_file_gives_no_evidence(photos, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a photo")
    assert Verifier().verify(str(photos["original.jpg"]), str(bad)) == NO_EVIDENCE


def test_the_summary_and_labels_say_what_the_edit_did(photos):
    v = Verifier()
    crop = v.verify(str(photos["original.jpg"]), str(photos["crop.jpg"]))
    assert "cropped" in crop.summary
    assert "cropped" in crop.edits_b
    assert "cropped" not in crop.edits_a
    turned = v.verify(str(photos["original.jpg"]), str(photos["turned.jpg"]))
    assert "turned" in turned.summary
    grey = v.verify(str(photos["original.jpg"]), str(photos["grey.jpg"]))
    assert "grey" in grey.edits_b
    assert "grey" not in grey.edits_a
    mirrored = v.verify(str(photos["original.jpg"]), str(photos["mirrored.jpg"]))
    assert "mirrored" in mirrored.summary
    caption = v.verify(str(photos["original.jpg"]), str(photos["caption.jpg"]))
    assert "overlay" in caption.summary
    assert "captioned" in caption.edits_b
    assert "captioned" not in caption.edits_a
    back = v.verify(str(photos["caption.jpg"]), str(photos["original.jpg"]))
    assert ("captioned" in back.edits_a, "captioned" in back.edits_b) == (True, False)


def test_pixels_identical_across_containers(photos):
    assert pixels_identical(str(photos["original.jpg"]), str(photos["same.png"]))
    assert not pixels_identical(str(photos["original.jpg"]), str(photos["q20.jpg"]))


def test_the_summary_is_told_from_the_callers_side(photos):
    """Words with a direction ("brightened", "turned 90°") turn round with the pair's order."""
    v = Verifier()
    original, brighter = str(photos["original.jpg"]), str(photos["brighter.jpg"])
    forth, back = v.verify(original, brighter), v.verify(brighter, original)
    assert "brightened" in forth.summary
    assert "darkened" not in forth.summary
    assert "darkened" in back.summary
    assert "brightened" not in back.summary
    turned = str(photos["turned.jpg"])
    one, other = v.verify(original, turned).summary, v.verify(turned, original).summary
    assert {w for w in ("turned 90°", "turned 270°") if w in one} != {
        w for w in ("turned 90°", "turned 270°") if w in other
    }


def test_mirrored_features_are_derived_like_detection_on_the_mirrored_picture(photos):
    """The mirror's descriptors (derived, not detected) match detection on the flipped pixels."""
    import cv2

    from core.verify_photo import load_photo

    photo = load_photo(str(photos["original.jpg"]))
    assert photo is not None
    mirror = photo.mirrored()
    sift = cv2.SIFT_create(nfeatures=600)
    keypoints, detected = sift.detectAndCompute(mirror.grey, None)
    found = cv2.BFMatcher(cv2.NORM_L2).match(mirror.descriptors, detected)
    close = [m for m in found if m.distance < 1.0]
    assert len(close) >= 0.4 * len(found)
    points = np.float32([k.pt for k in keypoints])
    for m in close[:50]:  # … and sit where detection puts them
        assert np.abs(mirror.keypoints[m.queryIdx] - points[m.trainIdx]).max() < 0.05


def _bordered(photos: dict[str, Path], tmp_path: Path) -> Path:
    """The original with a 40 px white border added round it."""
    bordered = tmp_path / "bordered.jpg"
    ImageOps.expand(Image.open(photos["original.jpg"]), 40, fill="white").save(bordered, quality=92)
    return bordered


def test_added_canvas_does_not_make_the_original_a_crop(photos, tmp_path):
    """A border or caption bar adds canvas: the original inside it lost no picture."""
    bordered = _bordered(photos, tmp_path)
    v = Verifier()
    found = v.verify(str(photos["original.jpg"]), str(bordered))
    assert found.strength >= 0.9
    assert "cropped" not in found.edits_a
    crop = v.verify(str(photos["original.jpg"]), str(photos["crop.jpg"]))
    assert "cropped" in crop.edits_b  # a crop of the picture still is one


def test_a_border_is_labelled_framed_on_the_copy_that_shows_it(photos, tmp_path):
    """Plain canvas round the other's picture is a frame an edit added (keep-best sets it aside)."""
    bordered = _bordered(photos, tmp_path)
    v = Verifier()
    found = v.verify(str(photos["original.jpg"]), str(bordered))
    assert "framed" in found.edits_b
    assert "framed" not in found.edits_a
    assert "border or strip added" in found.summary
    back = v.verify(str(bordered), str(photos["original.jpg"]))
    assert ("framed" in back.edits_a, "framed" in back.edits_b) == (True, False)


def test_a_page_whose_margins_a_crop_cut_away_is_not_framed(tmp_path):
    """Round a page with plain margins, the canvas outside a tight crop may be those margins."""
    page = Image.new("RGB", (600, 800), "white")
    page.paste(textured(7, (480, 300)), (60, 60))
    draw = ImageDraw.Draw(page)
    rng = np.random.default_rng(4)
    words = ["simili", "photo", "library", "edited", "copies", "trust", "margin", "page", "scan"]
    for line in range(18):
        text = " ".join(words[int(i)] for i in rng.integers(0, len(words), 9))
        draw.text((60, 380 + line * 20), text, fill=(20, 20, 20))
    original = tmp_path / "page.png"
    page.save(original)
    trimmed = tmp_path / "trimmed.png"
    page.crop((56, 56, 544, 744)).save(trimmed)
    found = Verifier().verify(str(original), str(trimmed))
    assert found.strength >= 0.9, found
    assert found.features["framed_a"] > 0.2  # plain canvas round the crop …
    assert "framed" not in found.edits_a  # … but the crop's own edges run through the margins
    assert "framed" not in found.edits_b
