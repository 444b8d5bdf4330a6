"""The duplicates benchmark's miss diagnosis and cost run, on a tiny Pillow-made library."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PIL import Image

from core.library import Library
from core.pipeline import index_library
from tests.core.test_verify import textured

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import duplicates_bench  # noqa: E402
import duplicates_cost  # noqa: E402
import duplicates_diagnose  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, duplicates_bench.Dataset]:
    base = tmp_path_factory.mktemp("diag")
    images = base / "images"
    images.mkdir()
    p = textured(21)
    p.save(images / "p__original.jpg", quality=92)
    p.resize((320, 240), Image.Resampling.LANCZOS).save(images / "p__small.jpg", quality=85)
    # a copy the verifier cannot confirm: almost all of it painted over
    covered = p.copy()
    covered.paste((255, 255, 255), (0, 0, 640, 440))
    covered.save(images / "p__covered.jpg", quality=90)
    textured(22).save(images / "q__original.jpg", quality=92)
    truth = {
        "groups": [["p__original.jpg", "p__small.jpg", "p__covered.jpg"], ["q__original.jpg"]],
        "files": {
            "p__original.jpg": {"edit": "original", "kind": "photo"},
            "p__small.jpg": {"edit": "resize_half", "kind": "photo"},
            "p__covered.jpg": {"edit": "sticker", "kind": "photo"},
            "q__original.jpg": {"edit": "original", "kind": "photo"},
        },
    }
    with Library(base / "lib", writer=True) as library:
        index_library(library, [str(images)], workers=0)
    return base, duplicates_bench.Dataset("tiny", images, truth)


def test_diagnosis_names_the_stage_of_each_missed_pair(built, capsys):
    base, dataset = built
    found = duplicates_diagnose.diagnose(dataset, base / "lib", base, None, "strict")
    assert found["missed"] == 1  # the covered copy; the small one is found
    (stage,) = found["stages"]
    assert stage.startswith(("verified, too weak", "not a neighbour", "below candidate"))
    assert found["by_edit"] == {"sticker": {stage: 1}}
    dump = json.loads((base / "diagnosis_pairs.json").read_text())
    assert any(row["true"] and row["strength"] >= 0.9 for row in dump)
    assert "missed (original, copy) pairs" in capsys.readouterr().out


def test_cost_run_verifies_nothing_on_the_repeat_scan(built, tmp_path):
    base, _ = built
    found = duplicates_cost.cost(base / "lib", tmp_path, None, 50.0)
    assert found["first"]["verified"] > 0
    assert found["repeat"]["verified"] == 0
    assert found["repeat"]["groups"] == found["first"]["groups"] == 1
    assert not (tmp_path / "cost_lib").exists()


def test_keeper_score_counts_groups_that_hold_the_original():
    """Right when the suggestion is the original or its byte copy; mixed groups do not count."""
    from core.records import DuplicateFile, DuplicateGroup

    truth = {
        "groups": [["s__original.jpg", "s__upscale_1.5.jpg", "s__png.png"], ["t__sticker.jpg"]],
        "files": {
            "s__original.jpg": {"edit": "original"},
            "s__upscale_1.5.jpg": {"edit": "upscale_1.5"},
            "s__png.png": {"edit": "png"},
            "t__sticker.jpg": {"edit": "sticker"},
        },
    }
    dataset = duplicates_bench.Dataset("t", Path("/x"), truth)

    def group(names: list[str], keep: str) -> DuplicateGroup:
        files = tuple(DuplicateFile(f"/x/{n}", 1, 1, 1, "JPEG") for n in names)
        return DuplicateGroup("near", files, f"/x/{keep}", "")

    found = [
        group(["s__original.jpg", "s__upscale_1.5.jpg"], "s__upscale_1.5.jpg"),
        group(["s__original.jpg", "s__png.png"], "s__original.jpg"),
        group(["s__png.png", "s__upscale_1.5.jpg"], "s__png.png"),  # no original: not counted
        group(["s__original.jpg", "t__sticker.jpg"], "s__original.jpg"),  # two sources
    ]
    score = duplicates_bench.keeper_score(dataset, found)
    assert score == {"right": 1, "groups": 2, "instead": {"upscale_1.5": 1}}
