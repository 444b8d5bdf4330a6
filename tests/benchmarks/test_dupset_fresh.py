"""The fresh split's builder: look-alike sources are dropped, hard negatives stay within a kind."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from PIL import ImageOps

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import dupset_fresh  # noqa: E402

from tests.core.test_verify import textured  # noqa: E402


def test_a_mirrored_or_turned_twin_is_a_look_alike():
    photo, other, third = textured(1), textured(2), textured(3)
    images = [photo, other, ImageOps.mirror(photo), third, third.rotate(90, expand=True)]
    assert dupset_fresh.look_alikes(images) == {0, 2, 3, 4}


def test_hard_negatives_pair_sources_of_one_kind_and_key_only():
    sources = [
        {"id": "stamp_a", "kind": "object", "key": "objects"},
        {"id": "stamp_b", "kind": "object", "key": "objects"},
        {"id": "gimp_x", "kind": "screenshot", "key": "app_gimp"},
        {"id": "kstars_y", "kind": "screenshot", "key": "app_kstars"},
        {"id": "gimp_z", "kind": "screenshot", "key": "app_gimp"},
    ]
    pairs = dupset_fresh.negative_pairs(sources, random.Random(0))
    hard = {(p["a"], p["b"], p["kind"]) for p in pairs if p["kind"] != "distinct"}
    assert hard == {
        ("stamp_a__original.jpg", "stamp_b__original.jpg", "object-different"),
        ("gimp_x__original.jpg", "gimp_z__original.jpg", "screenshot-different"),
    }
    distinct = [p for p in pairs if p["kind"] == "distinct"]
    assert len(distinct) == len({frozenset((p["a"], p["b"])) for p in distinct}) == 8
