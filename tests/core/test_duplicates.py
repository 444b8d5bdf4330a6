"""Duplicate tiers, keep-best, persisted decisions and the CLI, on real (Pillow-made) photos."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, PngImagePlugin

from core.cli import main
from core.duplicates import (
    KEEP_ALL,
    NOT_DUPLICATES,
    DuplicateOptions,
    Thresholds,
    find_duplicates,
    hash_distance,
    record_decision,
    thresholds_for,
    turned_hash_pairs,
    verify_ahead,
)
from core.hashing import perceptual_hash
from core.library import Library
from core.pipeline import index_library
from core.verdicts import FILE_NAME
from tests.conftest import scene
from tests.core.test_verify import textured


def _exif(camera: str, taken: str) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Acme"
    exif[0x0110] = camera
    exif.get_ifd(0x8769)[0x9003] = taken
    return exif


def _burst(seed: int, shift: int) -> Image.Image:
    image = scene(seed, (640, 480))
    draw = ImageDraw.Draw(image)
    draw.ellipse([60 + shift, 100, 300 + shift, 380], fill=(240, 240, 30))
    draw.rectangle([400 - shift, 40, 560 - shift, 200], fill=(20, 40, 200))
    return image


def _build(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True)
    p: dict[str, Path] = {}

    def save(name: str, image: Image.Image, **kw: object) -> None:
        p[name] = folder / name
        image.save(p[name], **kw)

    # exact: a byte copy, and a PNG re-saved with other metadata and compression
    save("a.jpg", scene(1, (640, 480)), quality=95)
    p["a_copy.jpg"] = folder / "a_copy.jpg"
    shutil.copyfile(p["a.jpg"], p["a_copy.jpg"])
    save("a_decoded.png", Image.open(p["a.jpg"]).convert("RGB"))  # same pixels, another codec
    save("b.png", scene(2, (640, 480)), compress_level=9)
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "exported again")
    save("b_resaved.png", Image.open(p["b.png"]).convert("RGB"), compress_level=1, pnginfo=info)
    # near: edited copies of c
    c = scene(3, (640, 480))
    save("c.jpg", c, quality=95)
    save("c_small.jpg", c.resize((320, 240)), quality=90)
    save("c_q25.jpg", c, quality=25)
    save("c_gray.jpg", c.convert("L"), quality=90)
    save("c_turned.jpg", c.transpose(Image.Transpose.ROTATE_270), quality=90)
    save("c_crop.jpg", c.crop((48, 36, 560, 420)), quality=90)
    captioned = c.copy()
    ImageDraw.Draw(captioned).rectangle([0, 420, 640, 480], fill="white")
    save("c_caption.jpg", captioned, quality=90)
    save("c.webp", c, quality=80)
    # bursts: same camera, 2 s apart (the subject moved); the same scene again an hour later
    save("s1.jpg", _burst(10, 0), exif=_exif("Cam 1", "2024:05:01 10:00:00"), quality=92)
    save("s2.jpg", _burst(10, 24), exif=_exif("Cam 1", "2024:05:01 10:00:02"), quality=92)
    save("s3.jpg", _burst(10, 12), exif=_exif("Cam 1", "2024:05:01 11:00:00"), quality=92)
    # different scenes
    for seed in range(20, 26):
        save(f"other{seed}.jpg", scene(seed, (640, 480)), quality=90)
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("dups")
    photos = _build(base / "photos")
    with Library(base / "lib", writer=True) as library:
        index_library(library, [str(base / "photos")], workers=0)
    return base, photos


@pytest.fixture
def lib(built, tmp_path):
    base, photos = built
    shutil.copytree(base / "lib", tmp_path / "lib")
    return tmp_path / "lib", photos


def _groups(folder: Path, mode: str = "near", **kw) -> list:
    with Library(folder) as library:
        return find_duplicates(library, DuplicateOptions(mode=mode, **kw))


def _names(group) -> set[str]:
    return {Path(f.path).name for f in group.files}


def test_exact_tier_finds_byte_and_pixel_identical_files_only(lib):
    folder, _ = lib
    groups = _groups(folder, "exact")
    assert sorted(sorted(_names(g)) for g in groups) == [
        ["a.jpg", "a_copy.jpg", "a_decoded.png"],
        ["b.png", "b_resaved.png"],
    ]
    assert {g.kind for g in groups} == {"exact"}


def test_near_tier_groups_edited_copies_and_not_other_scenes(lib):
    folder, _ = lib
    groups = _groups(folder, "near")
    c = [g for g in groups if "c.jpg" in _names(g)]
    assert len(c) == 1
    assert _names(c[0]) == {
        "c.jpg", "c_small.jpg", "c_q25.jpg", "c_gray.jpg", "c_turned.jpg", "c_crop.jpg",
        "c_caption.jpg", "c.webp",
    }  # fmt: skip
    assert c[0].kind == "near"
    assert c[0].keep.endswith("/c.jpg")
    everything = [n for g in groups for n in _names(g)]
    assert len(everything) == len(set(everything))  # a file is in one group at most
    assert not any(n.startswith("other") for n in everything)
    assert {"a.jpg", "a_copy.jpg", "a_decoded.png"} in [_names(g) for g in groups]


def test_similar_tier_stacks_bursts_by_camera_time_and_gap(lib):
    folder, _ = lib
    groups = _groups(folder, "similar")
    burst = [g for g in groups if "s1.jpg" in _names(g)]
    assert len(burst) == 1
    assert {"s1.jpg", "s2.jpg"} <= _names(burst[0])
    assert "s3.jpg" not in _names(burst[0])  # an hour later: another moment
    assert burst[0].kind == "similar"
    assert not any("s1.jpg" in _names(g) for g in _groups(folder, "near"))
    tight = _groups(folder, "similar", gap_s=1.0)
    assert not any("s1.jpg" in _names(g) for g in tight)


def test_decisions_persist_and_a_new_copy_pairs_with_one_member(lib, tmp_path):
    folder, photos = lib
    with Library(folder, writer=True) as library:
        record_decision(library, NOT_DUPLICATES, [str(photos["c.jpg"]), str(photos["c_small.jpg"])])
        keep = [str(photos[n]) for n in ("a.jpg", "a_copy.jpg", "a_decoded.png")]
        record_decision(library, KEEP_ALL, keep)
    names = [_names(g) for g in _groups(folder)]
    assert not any({"c.jpg", "c_small.jpg"} <= n for n in names)
    assert not any({"a.jpg", "a_copy.jpg"} <= n for n in names)
    # a new byte copy of a.jpg pairs with one member only
    again_path = photos["a.jpg"].parent / "a_again.jpg"
    shutil.copyfile(photos["a.jpg"], again_path)
    try:
        with Library(folder, writer=True) as library:
            index_library(library, workers=0)
        names = [_names(g) for g in _groups(folder)]
    finally:
        again_path.unlink()
    again = [n for n in names if "a_again.jpg" in n]
    assert len(again) == 1
    assert len(again[0]) == 2


def test_turned_hashes_find_quarter_turns_without_all_pairs():
    images = [scene(s, (320, 240)) for s in range(40)]
    turned = images[5].transpose(Image.Transpose.ROTATE_90)
    hashes = np.asarray([perceptual_hash(i) for i in [*images, turned]], np.int64)
    assert hash_distance(int(hashes[5]), int(hashes[-1])) <= 8
    pairs = {tuple(p) for p in turned_hash_pairs(hashes, 8).tolist()}
    assert (5, 40) in pairs


def test_thresholds_come_from_the_manifest(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"duplicates": {"strict": 0.9, "neighbours": 6, "bogus": 1}}))

    class Model:
        pass

    model = Model()
    model.manifest = manifest
    t = thresholds_for(model)
    assert t.strict == 0.9
    assert t.neighbours == 6
    assert isinstance(t.neighbours, int)
    assert t.loose == Thresholds().loose


def test_cli_json_shape_and_decisions(lib, capsys):
    folder, photos = lib
    assert main(["duplicates", "--library", str(folder), "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert isinstance(groups, list)
    assert groups
    for g in groups:
        # the original fields stay; confidence and evidence were added compatibly
        assert set(g) == {"kind", "files", "keep", "reason", "confidence", "evidence"}
        assert g["kind"] in ("exact", "near", "similar")
        assert g["keep"] in g["files"]
        assert all(Path(f).is_absolute() for f in g["files"])
        assert 0.0 <= g["confidence"] <= 1.0
        assert len(g["evidence"]) == len(g["files"]) - 1  # a spanning tree of confirmed pairs
        for e in g["evidence"]:
            assert {e["a"], e["b"]} <= set(g["files"])
            assert e["method"] in ("bytes", "pixels", "geometry", "aligned", "burst")
            assert e["summary"]
    near = [g for g in groups if g["kind"] == "near"]
    assert near
    assert min(e["strength"] for g in near for e in g["evidence"]) >= Thresholds().strict
    # a looser level never finds fewer pairs
    assert main(["duplicates", "--library", str(folder), "--json", "--strictness", "loose"]) == 0
    loose = json.loads(capsys.readouterr().out)
    assert sum(len(g["files"]) for g in loose) >= sum(len(g["files"]) for g in groups)
    args = ["duplicates", "--library", str(folder), "--not-duplicates"]
    assert main([*args, str(photos["c.jpg"]), str(photos["c_q25.jpg"])]) == 0
    assert main(["duplicates", "--library", str(folder), "--mode", "exact"]) == 0
    out = capsys.readouterr().out
    assert "reclaimable" in out
    assert "keep" in out


def test_keep_best_keeps_the_original_of_a_night_photo_over_its_brightened_copy(tmp_path):
    # Brightening a dark photo lifts its blacks, so against the brightened copy alone the
    # original reads as "darkened"; judged against the whole group it is the unedited one.
    from PIL import ImageEnhance

    photos = tmp_path / "photos"
    photos.mkdir()
    night = Image.fromarray((np.asarray(textured(7), np.float32) * 0.3).astype(np.uint8))
    night.save(photos / "night.jpg", quality=92)
    ImageEnhance.Brightness(night).enhance(1.8).save(photos / "night_bright.jpg", quality=92)
    captioned = night.copy()
    ImageDraw.Draw(captioned).rectangle([0, 420, 640, 480], fill="white")
    captioned.save(photos / "night_caption.jpg", quality=85)
    night.resize((320, 240)).save(photos / "night_small.jpg", quality=90)
    night.crop((60, 40, 560, 420)).save(photos / "night_crop.jpg", quality=92)
    with Library(tmp_path / "lib", writer=True) as library:
        index_library(library, [str(photos)], workers=0)
    groups = _groups(tmp_path / "lib", "near", saved_verdicts=False)
    group = next(g for g in groups if "night.jpg" in _names(g))
    assert "night_bright.jpg" in _names(group)
    edits = {Path(f.path).name: f.edits for f in group.files}
    assert "brightened" in edits["night_bright.jpg"]
    assert not {"darkened", "brightened"} & set(edits["night.jpg"])
    assert group.keep.endswith("/night.jpg"), group.reason


def test_a_tilted_copy_is_labelled_and_loses_to_the_upright_original(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    photo = textured(8)
    photo.save(photos / "photo.jpg", quality=92)
    photo.rotate(3, resample=Image.Resampling.BICUBIC).crop((40, 30, 600, 450)).resize(
        (640, 480)
    ).save(photos / "photo_tilted.jpg", quality=92)  # tilted, cropped to hide the corners
    photo.resize((320, 240)).save(photos / "photo_small.jpg", quality=90)
    photo.save(photos / "photo.webp", quality=90)
    with Library(tmp_path / "lib", writer=True) as library:
        index_library(library, [str(photos)], workers=0)
    group = next(g for g in _groups(tmp_path / "lib", "near") if "photo.jpg" in _names(g))
    edits = {Path(f.path).name: f.edits for f in group.files}
    assert "tilted" in edits["photo_tilted.jpg"]
    assert "tilted" not in edits["photo.jpg"]
    assert "tilted" not in edits["photo.webp"]
    assert group.keep.endswith("/photo.jpg"), group.reason


def test_the_evidence_words_are_told_for_each_file_of_a_pair(tmp_path, capsys):
    # "brightened" is true of the copy against its original, and "darkened" of the original
    # against the copy: whichever file the app or the CLI describes, the words fit it.
    from PIL import ImageEnhance

    photos = tmp_path / "photos"
    photos.mkdir()
    original = textured(8)
    original.save(photos / "beach.jpg", quality=92)
    ImageEnhance.Brightness(original).enhance(1.3).save(photos / "beach_bright.jpg", quality=92)
    with Library(tmp_path / "lib", writer=True) as library:
        index_library(library, [str(photos)], workers=0)
    (group,) = _groups(tmp_path / "lib", "near", saved_verdicts=False)
    (link,) = group.evidence
    bright = str(photos / "beach_bright.jpg")
    other = link.a if link.b == bright else link.b
    assert "brightened" in link.describing(bright)
    assert "darkened" in link.describing(other)
    assert main(["--library", str(tmp_path / "lib"), "duplicates", "--mode", "near"]) == 0
    seen = [line for line in capsys.readouterr().out.splitlines() if "seen:" in line]
    assert seen == [f"  seen: beach_bright.jpg against beach.jpg: {link.describing(bright)}"]


def test_pairs_verified_ahead_leave_the_scan_nothing_to_verify(lib, request):
    folder, _ = lib
    fresh = _groups(folder, "near", saved_verdicts=False)  # what a scan finds from scratch
    calls = request.getfixturevalue("verify_calls")  # counted from here on
    with Library(folder, writer=True) as library:
        ahead = verify_ahead(library)
        assert ahead.verified == len(calls) > 0
        again = verify_ahead(library)  # nothing new: every verdict is read back
    assert again.verified == 0
    assert again.reused == ahead.verified + ahead.reused
    calls.clear()
    groups = _groups(folder, "near")
    assert calls == []  # the default scan asks for exactly the pairs verified ahead
    assert [sorted(_names(g)) for g in groups] == [sorted(_names(g)) for g in fresh]


def test_index_verifies_pairs_ahead_unless_told_not_to(built, tmp_path, request, capsys):
    _, photos = built
    folder = photos["c.jpg"].parent
    assert (
        main(["--library", str(tmp_path / "skip"), "index", str(folder), "--no-verify-ahead"]) == 0
    )
    assert "checked" not in capsys.readouterr().err
    assert not (tmp_path / "skip" / FILE_NAME).exists()
    assert main(["--library", str(tmp_path / "lib"), "index", str(folder)]) == 0
    err = capsys.readouterr().err
    assert "candidate pairs for edited copies" in err, err
    calls = request.getfixturevalue("verify_calls")  # counted from here on
    assert main(["--library", str(tmp_path / "lib"), "duplicates", "--mode", "near"]) == 0
    assert calls == []
    assert "c_crop.jpg" in capsys.readouterr().out
