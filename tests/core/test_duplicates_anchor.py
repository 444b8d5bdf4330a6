"""A group's anchor is its most confirmed photo, so differently painted copies still meet.

Two edits of one photo need not be copies of each other: a caption bar and a white border add
canvas that black tilt corners cover, so each shows paint where the other has picture. Groups
merge only when their anchors verify; with the largest photo as anchor (the bordered copy) the
tilted copies, once grouped among themselves, never joined their original's group. Their
runners-up must agree too, so one chance pass cannot merge two groups.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageOps

from core.duplicates import DuplicateOptions, _Scan, find_duplicates
from core.library import Library
from core.verify import Verdict
from tests.conftest import duplicate_names, indexed
from tests.core.test_verify import textured


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("anchor")
    photos = base / "photos"
    photos.mkdir()
    original = textured(7)
    original.save(photos / "original.jpg", quality=95)
    original.save(photos / "q60.jpg", quality=60)
    original.resize((480, 360)).save(photos / "resized.jpg", quality=90)
    ImageOps.expand(original, 40, fill="white").save(photos / "border.jpg", quality=95)
    bar = Image.new("RGB", (original.width, original.height + 80), "white")
    bar.paste(original, (0, 0))
    bar.save(photos / "caption.jpg", quality=95)
    for degrees in (3, -3, 5):
        tilted = original.rotate(degrees, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))
        tilted.save(photos / f"tilt{degrees:+d}.jpg", quality=92)
    return indexed(photos, base / "lib")


def test_tilted_and_bordered_copies_form_one_group(library):
    names = duplicate_names(library)
    assert len(names) == 1, names
    assert len(names[0]) == 8, names


def test_anchor_is_the_most_confirmed_photo(library):
    with Library(library) as lib:
        scan = _Scan(lib, DuplicateOptions(saved_verdicts=False), None, None)
        scan.exact()
        scan.collect_candidates()
        scan.near()
        anchor = scan.groups.anchor_of(0)
        top = max(scan.confirmed.values())
        assert scan.confirmed[scan.files[anchor].key] == top
        # the bordered copy is the largest, yet not what other groups are matched against
        assert Path(scan.files[anchor].path).name != "border.jpg"


def test_groups_merge_only_when_runners_up_agree_too(library, monkeypatch):
    """Anchors that pass alone do not merge two groups whose runners-up refuse each other."""
    with Library(library) as lib:
        scan = _Scan(lib, DuplicateOptions(saved_verdicts=False), None, None)
        by_name = {Path(f.path).name: i for i, f in enumerate(scan.files)}
        first = [by_name["original.jpg"], by_name["q60.jpg"]]
        second = [by_name["tilt+3.jpg"], by_name["tilt-3.jpg"]]
        evidence = scan._evidence(first[0], first[1], "test")
        for a, b in (first, second):
            scan.groups.union(a, b, 1, evidence)
        key = {i: scan.files[i].key for i in first + second}
        runners = {scan._runner_up(scan.groups.anchor_of(g[0])) for g in (first, second)}
        assert None not in runners
        weak = Verdict(False, 0.2, "geometry", "another picture")
        strong = Verdict(True, 1.0, "geometry", "same picture")
        monkeypatch.setattr(scan, "verdict", lambda a, b: weak if {a, b} == runners else strong)
        anchors = [scan.groups.anchor_of(g[0]) for g in (first, second)]
        assert {key[anchors[0]], key[anchors[1]]}.isdisjoint(runners)
        assert not scan.groups.union(first[0], second[0], 1, evidence, scan._anchors_verify)
        monkeypatch.setattr(scan, "verdict", lambda a, b: strong)
        assert scan.groups.union(first[0], second[0], 1, evidence, scan._anchors_verify)


def test_the_original_is_suggested_over_copies_with_added_canvas(library):
    """The bordered and captioned copies are larger files with the same picture."""
    with Library(library) as lib:
        (group,) = find_duplicates(lib, DuplicateOptions(saved_verdicts=False))
    assert Path(group.keep).name == "original.jpg", group.reason
