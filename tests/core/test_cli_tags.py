"""Tests for `simili search --text`, `simili tags` and the search filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import main
from core.library import Library
from core.pipeline import index_library
from core.tags import Tag, write_tags
from core.words import load_vocabulary

CLASS = {name: i for i, name in enumerate(load_vocabulary().classes)}


def _set(home: Path, path: Path, tags=(), taken=None, camera=None) -> None:
    """Give an indexed photo known tags (and EXIF facts), as the model would have."""
    with Library(home, writer=True) as library:
        key, _ = library.catalog.lookup(str(path))
        db = library.catalog.db
        with library.catalog.transaction():
            write_tags(db, key, [Tag(CLASS[name], score) for name, score in tags])
            sql = "UPDATE contents SET taken = ?, camera = ? WHERE key = ?"
            db.execute(sql, (taken, camera, key))


@pytest.fixture
def photos(library_home, make_photo, tmp_path):
    made = {
        "cat": make_photo("home/p0.jpg", seed=1),
        "dogs": make_photo("home/p1.jpg", seed=2),
        "weak_dog": make_photo("home/p2.jpg", seed=3),
        "beach_dog": make_photo("beach/p3.jpg", seed=4),
        "beach": make_photo("beach/p4.jpg", seed=5),
    }
    with Library(library_home, writer=True) as library:
        index_library(library, [str(tmp_path / "photos")], workers=0)
    _set(library_home, made["cat"], [("tabby cat", 0.9)], "2021:05:01 10:00:00", "Canon EOS 5D")
    _set(library_home, made["dogs"], [("Chihuahua", 0.5), ("Beagle", 0.3)], "2023:01:02 09:00:00")
    _set(library_home, made["weak_dog"], [("Beagle", 0.2), ("tabby cat", 0.1)])
    _set(library_home, made["beach_dog"], [("Beagle", 0.6)], "2024:07:31 12:00:00", "NIKON D90")
    _set(library_home, made["beach"], [("lakeshore", 0.7)], "2024:08:01 12:00:00")
    return made


def _json(capsys, *args) -> tuple[int, list[dict]]:
    code = main(list(args))
    lines = capsys.readouterr().out.splitlines()
    return code, [json.loads(line) for line in lines]


def test_text_search_sums_a_hypernym_over_its_classes(photos, capsys):
    code, (record,) = _json(capsys, "search", "--text", "dog", "--json")
    assert code == 0
    assert record["query"] == "dog"
    got = [(Path(r["path"]).name, r["score"]) for r in record["results"]]
    # Chihuahua 0.5 + Beagle 0.3 = 0.8 comes first; photos without a dog are not listed
    assert got == [("p1.jpg", 0.8), ("p3.jpg", 0.6), ("p2.jpg", 0.2)]


def test_plural_synonym_and_top(photos, capsys):
    _, (dogs,) = _json(capsys, "search", "--text", "Dogs", "--top", "1", "--json")
    _, (kitty,) = _json(capsys, "search", "--text", "kitty", "--json")
    assert [Path(r["path"]).name for r in dogs["results"]] == ["p1.jpg"]
    assert [Path(r["path"]).name for r in kitty["results"]] == ["p0.jpg", "p2.jpg"]


def test_all_words_must_match_and_folder_names_count(photos, capsys):
    _, (record,) = _json(capsys, "search", "--text", "dog beach", "--json")
    # only p3 is a dog in the beach folder; it scores its weakest word (the folder name)
    assert [(Path(r["path"]).name, r["score"]) for r in record["results"]] == [("p3.jpg", 0.5)]


def test_unknown_word_matches_nothing(photos, capsys):
    code, (record,) = _json(capsys, "search", "--text", "zebrafishes", "--json")
    assert code == 0
    assert record["results"] == []


def test_filters_on_text_search(photos, capsys, tmp_path):
    _, (after,) = _json(capsys, "search", "--text", "dog", "--after", "2024-01-01", "--json")
    _, (folder,) = _json(
        capsys, "search", "--text", "dog", "--in", str(tmp_path / "photos" / "home"), "--json"
    )
    _, (camera,) = _json(capsys, "search", "--text", "dog", "--camera", "nikon", "--json")
    # p2 has no EXIF date: its file time (today) counts
    assert [Path(r["path"]).name for r in after["results"]] == ["p3.jpg", "p2.jpg"]
    assert [Path(r["path"]).name for r in folder["results"]] == ["p1.jpg", "p2.jpg"]
    assert [Path(r["path"]).name for r in camera["results"]] == ["p3.jpg"]


def test_filters_on_image_search_and_similar(photos, capsys, tmp_path):
    query = str(photos["dogs"])
    _, (plain,) = _json(capsys, "search", query, "--json")
    _, (before,) = _json(capsys, "search", query, "--before", "2023-12-31", "--json")
    _, (similar,) = _json(capsys, "similar", query, "--in", str(photos["beach"].parent), "--json")
    _, (words,) = _json(capsys, "search", query, "--text", "dog", "--json")
    assert len(plain["results"]) == 5
    assert plain["results"][0]["score"] == pytest.approx(1.0, abs=1e-3)
    # p2 has no EXIF date: its file time (today) is after the limit
    assert {Path(r["path"]).name for r in before["results"]} == {"p0.jpg", "p1.jpg"}
    assert {Path(r["path"]).name for r in similar["results"]} == {"p3.jpg", "p4.jpg"}
    assert {Path(r["path"]).name for r in words["results"]} == {"p1.jpg", "p2.jpg", "p3.jpg"}
    assert words["results"][0]["path"] == query  # ranked by the picture, narrowed by the words


def test_tags_command_json_and_text(photos, capsys, tmp_path):
    code, (record,) = _json(capsys, "tags", str(photos["dogs"]), "--json")
    assert code == 0
    assert record == {
        "path": str(photos["dogs"]),
        "tags": [{"tag": "Chihuahua", "score": 0.5}, {"tag": "Beagle", "score": 0.3}],
    }
    assert main(["tags", str(photos["cat"])]) == 0
    assert "tabby cat 0.90" in capsys.readouterr().out


def test_tags_of_a_photo_not_in_the_library(photos, capsys, tmp_path):
    stranger = tmp_path / "elsewhere.jpg"
    stranger.write_bytes(b"x")
    code, (record,) = _json(capsys, "tags", str(stranger), "--json")
    assert code == 1
    assert record["tags"] == []
    assert "not an indexed photo" in record["error"]


def test_search_needs_an_image_or_words(photos, capsys):
    assert main(["search"]) == 2
    assert "--text" in capsys.readouterr().err


def test_bad_date_is_refused_before_any_work(photos, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "--text", "dog", "--after", "2024-13-01"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_status_counts_photos_waiting_for_tags(photos, library_home, capsys):
    # GIVEN an indexed library whose photos are all tagged
    code, (record,) = _json(capsys, "status", "--json", "--library", str(library_home))
    assert code == 0
    assert record["untagged"] == 0
    # WHEN two photos lose their tags (as after a class-head change)
    with Library(library_home, writer=True) as library, library.catalog.transaction():
        for path in (photos["cat"], photos["beach"]):
            key, _ = library.catalog.lookup(str(path))
            library.catalog.db.execute("DELETE FROM tagged WHERE key = ?", (key,))
    # THEN status says so, in JSON and in words
    code, (record,) = _json(capsys, "status", "--json", "--library", str(library_home))
    assert record["untagged"] == 2
    assert main(["status", "--library", str(library_home)]) == 0
    assert "2 photos not tagged yet" in capsys.readouterr().out


def test_filtered_likeness_results_carry_their_level_and_min_score(photos, capsys, tmp_path):
    # GIVEN image searches and a similar that go through the filters
    query = str(photos["dogs"])
    levels = {"same", "similar", "related", "unrelated"}
    _, (before,) = _json(capsys, "search", query, "--before", "2023-12-31", "--json")
    _, (similar,) = _json(capsys, "similar", query, "--in", str(photos["beach"].parent), "--json")
    # THEN each result says how alike it is, as unfiltered results do
    assert before["results"]
    assert similar["results"]
    assert all(r["match"] in levels for r in before["results"] + similar["results"])
    assert before["results"][0]["match"] == "same"  # the photo itself
    # AND --min-score holds on the filtered and the words paths too
    _, (high,) = _json(
        capsys, "search", query, "--before", "2023-12-31", "--min-score", "0.99", "--json"
    )
    assert [r["path"] for r in high["results"]] == [query]
    _, (words,) = _json(capsys, "search", "--text", "dog", "--min-score", "0.7", "--json")
    assert [Path(r["path"]).name for r in words["results"]] == ["p1.jpg"]  # 0.8; 0.6 and 0.3 out
    assert all("match" not in r for r in words["results"])  # a words score has no likeness level
