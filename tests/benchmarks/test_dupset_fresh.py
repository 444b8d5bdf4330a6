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


def _png(path: Path, seed: int, size: tuple[int, int] = (400, 320)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    textured(seed, size).save(path)


def test_fresh2_takes_gimp_dialogs_and_one_of_each_wallpaper_pair(tmp_path):
    import dupset_fresh2

    help_images = tmp_path / "gimp-help-en/usr/share/gimp/2.0/help/en/images"
    _png(help_images / "dialogs/brushes.png", 1, (900, 700))  # over 40 kB
    _png(help_images / "menus/colors/example.png", 2, (900, 700))
    (tmp_path / "ukui-wallpapers/usr/share/backgrounds").mkdir(parents=True)
    figures = tmp_path / "gnome-user-docs/usr/share/help/C/gnome-help/figures"
    _png(figures / "shell-exit.png", 3)
    walls = tmp_path / "gnome-backgrounds/usr/share/backgrounds/gnome"
    for n, name in enumerate(("wood-l", "wood-d", "oceans")):
        walls.mkdir(parents=True, exist_ok=True)
        textured(4 + n).save(walls / f"{name}.webp")
    ids = {row[0]: row[1] for row in dupset_fresh2.candidates(tmp_path)}
    assert ids == {
        "gimp_dialogs_brushes": "screenshot_gimp",
        "gnome_shell-exit": "screenshot_gnome",
        "gnomebg_wood-l": "art",
        "gnomebg_oceans": "art",
    }


def test_a_later_split_never_chooses_what_an_earlier_one_chose(tmp_path):
    rows = []
    for n in range(6):
        _png(tmp_path / f"s{n}.png", n)
        rows.append((f"s{n}", "object", "objects", tmp_path / f"s{n}.png"))

    def recipe(seed, earlier):
        return dupset_fresh.Recipe(
            "x", "x.py", seed, [], {}, lambda pkgs: rows, {"object": 3}, earlier
        )

    first = {row[0] for row, _ in dupset_fresh.choose(tmp_path, recipe(1, lambda p: set()))}
    second = {row[0] for row, _ in dupset_fresh.choose(tmp_path, recipe(2, lambda p: first))}
    assert len(first) == len(second) == 3
    assert not first & second
