"""Tests for teaching albums: apply, search in the taught space, reset, suggest, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import ImageEnhance

from core.cli import main
from core.errors import SimiliError
from core.library import Library
from core.pipeline import index_library
from core.projection import PROJECTION_META, PROJECTION_NAME
from core.search import search
from core.suggest import suggest
from core.teach import reset, teach
from tests.conftest import scene


@pytest.fixture
def taught_setup(library_home, tmp_path):
    """A library of 12 scenes, and an albums folder: a (3 library photos + 1 new), b (3)."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for seed in range(12):
        scene(seed, (480, 320)).save(photos / f"p{seed}.jpg", quality=92)
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(photos)], workers=0)
    albums = tmp_path / "albums"
    for name, seeds in (("a", (0, 1, 2)), ("b", (6, 7, 8))):
        (albums / name).mkdir(parents=True)
        for seed in seeds:
            (albums / name / f"s{seed}.jpg").write_bytes((photos / f"p{seed}.jpg").read_bytes())
    scene(40, (480, 320)).save(albums / "a" / "new.jpg", quality=90)  # not in the library
    (albums / "b" / "broken.jpg").write_bytes(b"\xff\xd8 not a photo")
    (albums / "lonely").mkdir()
    scene(41).save(albums / "lonely" / "one.jpg")  # 1 photo: not an album
    return photos, albums


def test_teach_applies_a_projection_and_reset_takes_it_back(library_home, taught_setup, tmp_path):
    photos, albums = taught_setup
    with Library(library_home, writer=True) as writer:
        _, base_before = writer.catalog.vectors(writer.model.dim)
        # WHEN the albums are taught with --force
        result = teach(writer, albums, force=True)
        # THEN the two albums of 4 and 3 readable photos are used, the broken file skipped
        assert (result.albums, result.photos, result.applied) == (2, 7, True)
        assert len(result.skipped) == 1
        assert "broken.jpg" in result.skipped[0]
        assert 0.0 <= result.before <= 1.0
        assert 0.0 <= result.after <= 1.0
        # AND the base vectors stay as they were; the taught index sits beside the base one
        _, base_after = writer.catalog.vectors(writer.model.dim)
        assert np.array_equal(base_before, base_after)
        assert (library_home / PROJECTION_NAME).is_file()
        assert len(list(library_home.glob("taught-*.usearch"))) == 1
        assert (library_home / "vectors.usearch").is_file()
    # AND a query from outside the library, projected the same way, finds its original
    brighter = tmp_path / "brighter.jpg"
    ImageEnhance.Brightness(scene(3, (480, 320))).enhance(1.2).save(brighter, quality=85)
    with Library(library_home) as reader:
        assert reader.taught is not None
        hits = search(reader, str(brighter), top=3)
        assert hits[0].path == str(photos / "p3.jpg")
    # WHEN it is reset THEN the projection and the taught index are gone, search is base again
    with Library(library_home, writer=True) as writer:
        assert reset(writer) is True
        assert writer.taught is None
        assert not (library_home / PROJECTION_META).exists()
        assert not list(library_home.glob("taught-*"))
        assert search(writer, str(brighter), top=1)[0].path == str(photos / "p3.jpg")
        assert reset(writer) is False


def test_not_applied_means_the_base_space(library_home, taught_setup, monkeypatch):
    _, albums = taught_setup
    with Library(library_home, writer=True) as writer:
        teach(writer, albums, force=True)
        # GIVEN a projection, WHEN teaching again measures no gain
        monkeypatch.setattr("core.teach.MIN_GAIN", 10.0)
        result = teach(writer, albums)
        # THEN nothing is applied and the earlier projection is gone too
        assert result.applied is False
        assert writer.taught is None
        assert not (library_home / PROJECTION_NAME).exists()


def test_too_few_albums_is_a_clear_error(library_home, taught_setup, tmp_path):
    _, albums = taught_setup
    only = tmp_path / "only"
    (only / "a").mkdir(parents=True)
    for f in (albums / "a").iterdir():
        (only / "a" / f.name).write_bytes(f.read_bytes())
    with (
        Library(library_home, writer=True) as writer,
        pytest.raises(SimiliError, match="at least 2"),
    ):
        teach(writer, only)


def test_a_photo_like_an_album_is_suggested_for_it(library_home, taught_setup, tmp_path):
    _photos, albums = taught_setup
    with Library(library_home, writer=True) as writer:
        teach(writer, albums, force=True)
    cropped = tmp_path / "cropped.jpg"
    scene(7, (480, 320)).crop((20, 15, 460, 305)).save(cropped, quality=88)
    with Library(library_home) as reader:
        found = suggest(reader, str(cropped))
    assert found.albums[0].album == "b"
    assert found.albums[0].score > found.albums[1].score
    assert isinstance(found.unsure, bool)


def test_cli_teach_and_suggest_json(library_home, taught_setup, tmp_path, capsys):
    photos, albums = taught_setup
    lib = ["--library", str(library_home)]
    # GIVEN no albums taught yet, a suggestion has no albums
    assert main(["suggest", str(photos / "p0.jpg"), "--json", *lib]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["albums"] == []
    assert line["unsure"] is True
    # WHEN teaching with --json THEN exactly the fields come back
    assert main(["teach", str(albums), "--force", "--json", *lib]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) == {"albums", "photos", "before", "after", "applied"}
    assert set(record["before"]) == set(record["after"]) == {"mAP"}
    assert record["albums"] == 2
    assert record["applied"] is True
    # AND suggest prints one line per photo, a missing one with an error and exit 1
    missing = str(tmp_path / "nope.jpg")
    assert main(["suggest", str(photos / "p7.jpg"), missing, "--json", *lib]) == 1
    first, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert first["query"] == str(photos / "p7.jpg")
    assert first["albums"][0]["album"] == "b"
    assert [a["score"] for a in first["albums"]] == sorted(
        (a["score"] for a in first["albums"]), reverse=True
    )
    assert second["albums"] == []
    assert second["error"] == "no such file"
    # AND status says what was taught
    assert main(["status", "--json", *lib]) == 0
    assert json.loads(capsys.readouterr().out)["taught"]["albums"] == 2
    # AND --reset goes back to base
    assert main(["teach", "--reset", *lib]) == 0
    assert "removed" in capsys.readouterr().out
    assert main(["status", "--json", *lib]) == 0
    assert json.loads(capsys.readouterr().out)["taught"] is None


def test_cli_favourites_and_recommend_json(library_home, taught_setup, capsys):
    photos, _ = taught_setup
    lib = ["--library", str(library_home)]
    assert main(["favourite", str(photos / "p0.jpg"), str(photos / "p5.jpg"), *lib]) == 0
    assert main(["favourite", str(photos / "p5.jpg"), "--remove", *lib]) == 0
    capsys.readouterr()
    assert main(["favourites", "--json", *lib]) == 0
    (fav,) = json.loads(capsys.readouterr().out)
    assert fav["path"] == str(photos / "p0.jpg")
    assert fav["missing"] is False
    assert main(["recommend", "--top", "4", "--json", *lib]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["query"] == "favourites"
    assert len(record["results"]) == 4
    for r in record["results"]:
        assert set(r) == {"path", "score", "like"}
        assert r["path"] != str(photos / "p0.jpg")
        assert r["like"] == str(photos / "p0.jpg")
    # a photo not in the library is refused with a message, exit 1
    assert main(["favourite", str(library_home / "nope.jpg"), *lib]) == 1
    assert "nothing was changed" in capsys.readouterr().err


def test_the_taught_index_follows_new_photos_and_readers_cope_without_it(
    library_home, taught_setup, tmp_path
):
    photos, albums = taught_setup
    with Library(library_home, writer=True) as writer:
        teach(writer, albums, force=True)
        # WHEN a new photo is indexed by a writer
        scene(30, (480, 320)).save(photos / "p30.jpg", quality=92)
        index_library(writer, None, workers=0)
        generation = writer.catalog.generation
    # THEN the taught index was saved at the catalogue's generation, like the base one
    (record,) = library_home.glob("taught-*.json")
    assert json.loads(record.read_text())["generation"] == generation
    # AND with the taught index file gone, a reader still searches the taught space
    for f in library_home.glob("taught-*"):
        f.unlink()
    with Library(library_home) as reader:
        assert reader.taught is not None
        assert search(reader, str(photos / "p30.jpg"), top=1)[0].path == str(photos / "p30.jpg")


def test_duplicates_are_found_the_same_in_a_taught_library(library_home, taught_setup):
    from core.duplicates import DuplicateOptions, find_duplicates

    photos, albums = taught_setup
    ImageEnhance.Brightness(scene(4, (480, 320))).enhance(1.2).save(photos / "p4_b.jpg")
    (photos / "p5_copy.jpg").write_bytes((photos / "p5.jpg").read_bytes())
    with Library(library_home, writer=True) as writer:
        index_library(writer, None, workers=0)
        options = DuplicateOptions(mode="near")
        before = [(g.kind, sorted(g.paths)) for g in find_duplicates(writer, options)]
        teach(writer, albums, force=True)
        assert writer.taught is not None
        after = [(g.kind, sorted(g.paths)) for g in find_duplicates(writer, options)]
    # THEN the same groups come back: duplicates read the base index and base vectors only
    assert ("exact", sorted([str(photos / "p5.jpg"), str(photos / "p5_copy.jpg")])) in before
    assert after == before


def test_cancelled_teaching_changes_nothing(library_home, taught_setup):
    from core.tasks import Cancelled, CancelToken

    _, albums = taught_setup
    token = CancelToken()
    token.cancel()
    with Library(library_home, writer=True) as writer:
        with pytest.raises(Cancelled):
            teach(writer, albums, force=True, cancel=token)
        assert writer.taught is None
    assert not (library_home / PROJECTION_NAME).exists()
    assert not (library_home / "albums.json").exists()
