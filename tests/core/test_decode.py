from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.decode import load_rgb, model_pixels, prepare
from core.errors import NotAnImageError
from core.formats import is_photo_name
from core.hashing import HashPrefixSet


def test_prepare_returns_model_pixels_and_metadata(make_photo):
    # GIVEN a 640x480 JPEG
    path = make_photo("a.jpg", seed=1, size=(640, 480))
    # WHEN it is prepared for a 224 px model
    prepared = prepare(str(path), 224)
    # THEN pixels are model-sized uint8 and the original size is recorded
    assert prepared.pixels is not None
    assert prepared.pixels.shape == (224, 224, 3)
    assert prepared.pixels.dtype == np.uint8
    assert prepared.meta is not None
    assert (prepared.meta.width, prepared.meta.height) == (640, 480)
    assert prepared.size == path.stat().st_size
    assert len(prepared.content_hash) == 32


def test_exif_orientation_is_applied(make_photo):
    # GIVEN a landscape photo stored with EXIF "rotate 90 CW", and the same photo turned in pixels
    image = Image.open(make_photo("base.png", seed=2, size=(400, 200), fmt="PNG"))
    tagged = make_photo("tagged.jpg", image=image, orientation=6, fmt="JPEG")
    turned = make_photo("turned.jpg", image=image.transpose(Image.Transpose.ROTATE_270))
    # WHEN both are decoded
    a = load_rgb(tagged)
    b = load_rgb(turned)
    # THEN both come out upright portrait and alike, and metadata reports the displayed size
    assert a.size == b.size == (200, 400)
    diff = np.abs(np.asarray(a, float) - np.asarray(b, float)).mean()
    assert diff < 8
    meta = prepare(str(tagged), 224).meta
    assert meta is not None
    assert (meta.width, meta.height, meta.orientation) == (200, 400, 6)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF", "TIFF", "BMP"])
def test_common_formats_decode(make_photo, fmt):
    path = make_photo(f"x.{fmt.lower()}", seed=3, fmt=fmt)
    assert prepare(str(path), 64).pixels.shape == (64, 64, 3)


def test_heic_decodes(make_photo, tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    path = tmp_path / "photo.heic"
    image = Image.open(make_photo("src.png", seed=4, fmt="PNG"))
    pillow_heif.from_pillow(image).save(path, quality=80)
    assert prepare(str(path), 64).pixels.shape == (64, 64, 3)


def test_transparent_png_is_composited_on_white(make_photo):
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    path = make_photo("clear.png", image=image, fmt="PNG")
    assert load_rgb(path).getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("truncated", "truncated or corrupt"),
        ("empty", "empty file"),
        ("text", "not an image"),
        ("bomb", "image too large"),
    ],
)
def test_hostile_files_raise_clear_errors(hostile_files, kind, reason):
    with pytest.raises(NotAnImageError) as info:
        prepare(str(hostile_files[kind]), 224)
    assert reason in info.value.reason
    assert str(hostile_files[kind]) in str(info.value)


def test_wrong_extension_still_decodes(hostile_files):
    assert prepare(str(hostile_files["wrong_ext"]), 64).pixels is not None


def test_vanished_file_is_reported(tmp_path):
    with pytest.raises(NotAnImageError, match="vanished"):
        prepare(str(tmp_path / "gone.jpg"), 64)


def test_known_content_is_not_decoded(make_photo):
    path = make_photo("a.jpg", seed=5)
    first = prepare(str(path), 64)
    again = prepare(str(path), 64, HashPrefixSet([first.content_hash]))
    assert again.pixels is None
    assert again.content_hash == first.content_hash


def test_draft_decoding_keeps_enough_resolution(make_photo):
    # A big JPEG decoded with DCT scaling must still cover the model input size.
    path = make_photo("big.jpg", seed=6, size=(4000, 3000))
    image = load_rgb(path, max_side=224)
    assert min(image.size) >= 224
    assert max(image.size) < 4000
    assert model_pixels(image, 224).shape == (224, 224, 3)


def test_photo_names():
    assert is_photo_name("IMG_0001.JPG")
    assert is_photo_name("a.heic")
    assert not is_photo_name("notes.txt")
    assert not is_photo_name(".jpg")


def test_hash_prefix_set_membership():
    hashes = [f"{i * 7919:016x}{'ab' * 8}" for i in range(1, 50)]
    known = HashPrefixSet(hashes)
    assert hashes[10] in known
    assert f"{999:016x}{'ab' * 8}" not in known
    assert "0" * 32 not in HashPrefixSet()
    assert len(known) == 49


def test_unreadable_file_is_reported(make_photo, monkeypatch):
    # Root (as in CI) reads any file, so the OS refusal is simulated at the read call.
    path = make_photo("locked.jpg", seed=7)

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(NotAnImageError, match="permission denied"):
        prepare(str(path), 64)


def test_meta_reads_capture_time_and_camera(tmp_path):
    from core.decode import read_meta

    def saved(name: str, tags: dict[int, str], sub: dict[int, str]) -> Image.Image:
        exif = Image.Exif()
        for tag, value in tags.items():
            exif[tag] = value
        for tag, value in sub.items():
            exif.get_ifd(0x8769)[tag] = value
        Image.new("RGB", (32, 24), "grey").save(tmp_path / name, exif=exif.tobytes())
        return Image.open(tmp_path / name)

    shot = saved(
        "shot.jpg",
        {0x010F: "Canon", 0x0110: "Canon EOS 5D", 0x0132: "2024:06:01 09:00:00"},
        {0x9003: "2024:05:01 10:00:00", 0x9291: "25"},
    )
    meta = read_meta(shot)
    assert meta.taken == "2024:05:01 10:00:00.25"  # the original time, not the change time
    assert meta.camera == "Canon EOS 5D"  # the make is not said twice
    edited = saved("edited.jpg", {0x010F: "Pentax", 0x0110: "K-5"}, {})
    assert read_meta(edited).camera == "Pentax K-5"
    changed = saved("changed.jpg", {0x0132: "2024:06:01 09:00:00"}, {})
    assert read_meta(changed).taken == "2024:06:01 09:00:00"  # no original: the change time
    assert read_meta(changed).camera is None
