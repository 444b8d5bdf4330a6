"""Scheduling of the near tier's verifications: bounded per photo, and spent where it finds copies.

Real (Pillow-made) photos and the real verifier; the thresholds are set small so that a dozen
photos show what a library of thousands does with the defaults.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from core.duplicates import DuplicateOptions, Thresholds, _Scan, find_duplicates
from core.library import Library
from core.pipeline import index_library
from tests.conftest import scene


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """A photo with three edited copies and a quarter-turned one, among turned other scenes.

    The other scenes (drawn like the photo, turned the same way) are nearer neighbours of the
    turned copy than most of its own family, so a budget spent on them leaves it alone.
    """
    base = tmp_path_factory.mktemp("sched")
    photos = base / "photos"
    photos.mkdir()
    o = scene(3, (640, 480))
    o.save(photos / "o.jpg", quality=95)
    o.resize((480, 360)).save(photos / "o_small.jpg", quality=90)
    o.save(photos / "o_q30.jpg", quality=30)
    o.convert("L").save(photos / "o_grey.jpg", quality=90)
    o.transpose(Image.Transpose.ROTATE_90).save(photos / "o_turned.jpg", quality=90)
    for seed in range(40, 46):
        turned = scene(seed, (640, 480)).transpose(Image.Transpose.ROTATE_90)
        turned.save(photos / f"other{seed}.jpg", quality=90)
    with Library(base / "lib", writer=True) as lib:
        index_library(lib, [str(photos)], workers=0)
    return base / "lib"


def _scan(folder: Path, t: Thresholds) -> tuple[_Scan, dict[int, str]]:
    with Library(folder) as lib:
        scan = _Scan(lib, DuplicateOptions(thresholds=t, saved_verdicts=False), None, None)
        scan.exact()
        scan.collect_candidates()
        scan.near()
    return scan, {f.key: Path(f.path).name for f in scan.files}


def test_copies_are_found_though_each_photo_has_one_failed_try(library):
    with Library(library) as lib:
        groups = find_duplicates(lib, DuplicateOptions(thresholds=Thresholds(verify_tries=1)))
    names = [{Path(f.path).name for f in g.files} for g in groups]
    assert names == [{"o.jpg", "o_small.jpg", "o_q30.jpg", "o_grey.jpg", "o_turned.jpg"}]


def test_failed_verifications_stay_within_the_budget_per_photo(library):
    """Every pair a candidate: still at most a few failures charged to each photo."""
    t = Thresholds(candidate=-1.0, neighbours=10, verify_tries=2, hash_tries=0, alone_tries=1)
    scan, name = _scan(library, t)
    photos = len(scan.keys)
    candidates = len(scan.candidates)
    verified = sum(scan.attempts.values()) // 2
    merged = photos - len(
        {scan.groups.find(scan.first(int(k))) for k in scan.keys}
    )  # successes that joined two groups: at most photos - 1, they cost no try
    budget = photos * (t.verify_tries + t.hash_tries + t.alone_tries)
    assert candidates > budget + merged  # the budget has work to bound
    assert verified - merged <= budget
    # …and none of those failures is wasted on a pair its group already holds
    family = {k for k, n in name.items() if n.split(".")[0].split("_")[0] == "o"}
    assert len({scan.groups.find(scan.first(k)) for k in family}) == 1


def test_no_pair_is_verified_once_its_files_are_in_one_group(library):
    """Pairs verified side by side never make each other redundant (every pair a candidate)."""
    t = Thresholds(candidate=-1.0, neighbours=10)
    redundant: list[tuple[int, int]] = []
    with Library(library) as lib:
        scan = _Scan(lib, DuplicateOptions(thresholds=t, saved_verdicts=False), None, None)
        scan.exact()
        scan.collect_candidates()
        inner = scan.verdict

        def verdict(a: int, b: int):
            if scan.groups.same(scan.first(a), scan.first(b)):
                redundant.append((a, b))
            return inner(a, b)

        scan.verdict = verdict  # type: ignore[method-assign]
        scan.near()
    assert redundant == []
    assert sum(scan.attempts.values()) // 2 > 0
