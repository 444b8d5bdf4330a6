from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import dupset  # noqa: E402
import dupset_edits  # noqa: E402
import dupset_render  # noqa: E402


@pytest.fixture
def photo() -> Image.Image:
    # a bright, textured, non-square test picture (a real photo is not needed for geometry)
    y, x = np.mgrid[0:240, 0:360]
    arr = np.stack([120 + x * 0.35, 130 + y * 0.5, 200 - x * 0.2], axis=-1).astype(np.uint8)
    im = Image.fromarray(arr)
    ImageDraw.Draw(im).rectangle((20, 30, 120, 90), fill=(200, 30, 30))
    ImageDraw.Draw(im).ellipse((200, 120, 300, 220), fill=(250, 250, 90))
    return im


def _open(data: bytes) -> Image.Image:
    return ImageOps.exif_transpose(Image.open(io.BytesIO(data)))


def test_every_edit_decodes(photo):
    for name, edit in dupset_edits.EDITS.items():
        data, ext = edit(photo, random.Random(0))
        im = _open(data)
        assert min(im.size) >= 8, name
        assert ext in {"jpg", "png", "webp", "heic"}, name


def test_exif_turn_shows_the_original_upright(photo):
    for seed in range(6):  # both tags 6 and 8 come up
        data, _ = dupset_edits.EDITS["exif_rot90"](photo, random.Random(seed))
        raw = Image.open(io.BytesIO(data))
        assert raw.getexif()[0x0112] in (6, 8)
        assert raw.size == (photo.height, photo.width)  # stored turned
        shown = _open(data)
        assert shown.size == photo.size
        diff = np.abs(np.asarray(shown, float) - np.asarray(photo, float)).mean()
        assert diff < 8  # JPEG noise only, not a turned picture


def test_pixel_turns_and_tilts_have_the_expected_geometry(photo):
    rot = _open(dupset_edits.EDITS["rot90"](photo, random.Random(0))[0])
    assert rot.size == (photo.height, photo.width)
    black = _open(dupset_edits.EDITS["tilt+4_black"](photo, random.Random(0))[0])
    assert black.width > photo.width
    assert max(black.getpixel((0, 0))) < 40
    cropped = _open(dupset_edits.EDITS["tilt+4_cropped"](photo, random.Random(0))[0])
    arr = np.asarray(cropped)
    assert cropped.width < photo.width
    for corner in (arr[0, 0], arr[0, -1], arr[-1, 0], arr[-1, -1]):
        assert corner.max() > 60  # no black wedge left in the corners


def test_rendered_pages_are_deterministic_and_differ_within_a_template():
    a = dupset_render.render_document(3, 0, 7)
    assert np.array_equal(np.asarray(a), np.asarray(dupset_render.render_document(3, 0, 7)))
    b = dupset_render.render_document(3, 1, 7)
    assert a.size == b.size
    assert not np.array_equal(np.asarray(a), np.asarray(b))
    s0, s1 = dupset_render.render_screen(2, 0, 7), dupset_render.render_screen(2, 1, 7)
    assert not np.array_equal(np.asarray(s0), np.asarray(s1))


def test_build_source_is_deterministic_and_labels_its_files(tmp_path):
    spec = {"id": "doc_t01_p0", "kind": "document", "load": ["doc", 1, 0]}
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    written = dupset.build_source((spec, str(first), 5))
    assert written == dupset.build_source((spec, str(second), 5))
    edits = [e for _, e in written]
    assert edits[:2] == ["original", "byte_copy"]
    assert len(edits) == dupset.EDITS_PER_SOURCE + 2
    assert len(set(edits)) == len(edits)
    orig = (first / "doc_t01_p0__original.jpg").read_bytes()
    assert (first / "doc_t01_p0__byte_copy.jpg").read_bytes() == orig
    for name, _ in written:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_split_keys_join_landmark_groups_and_bursts(monkeypatch):
    monkeypatch.setattr(dupset, "BURSTS", [("x1", "y1", "burst"), ("y1", "z1", "reshoot")])
    keys = dupset.oxford_split_keys([["a", "b"], ["b", "c"], ["d", "e"]])
    assert keys["a"] == keys["b"] == keys["c"] != keys["d"] == keys["e"]
    assert keys["x1"] == keys["y1"] == keys["z1"]
    assert dupset.split_of("some_id") == dupset.split_of("some_id")
    splits = {dupset.split_of(f"id{i}") for i in range(50)}
    assert splits == {"tune", "holdout"}


def test_negative_pairs_stay_within_one_template_and_skip_judged_landmark_pairs(monkeypatch):
    monkeypatch.setattr(dupset, "BURSTS", [("a", "b", "reshoot")])
    sources = [
        {"id": f"doc_t0{t}_p{p}", "kind": "document", "key": f"doctemplate_{t}"}
        for t in range(2)
        for p in range(3)
    ]
    pairs = dupset.negative_pairs(sources, {"a", "b", "c"}, [["a", "b", "c"]], random.Random(0))
    docs = [p for p in pairs if p["kind"] == "document-different"]
    assert len(docs) == 6  # 3 pairs per template, none across templates
    assert all(p["a"][:8] == p["b"][:8] for p in docs)
    kinds = {(p["a"], p["b"]): p["kind"] for p in pairs if p["kind"] != "distinct"}
    assert kinds[("a.jpg", "b.jpg")] == "reshoot"
    assert kinds[("a.jpg", "c.jpg")] == "same-landmark"
    assert sum(1 for p in pairs if {p["a"], p["b"]} == {"a.jpg", "b.jpg"}) == 1
