"""The still-frames check on a tiny made-up sequence: a frame whose subject moved is no copy."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.core.test_verify import textured

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import still_frames  # noqa: E402


def test_copies_pass_and_frames_where_the_subject_moved_do_not(tmp_path):
    scene = textured(31)
    sources = []
    for i in range(3):  # a subject moving 3 px a frame in a still scene
        frame = scene.copy()
        frame.paste(scene.crop((198, 119, 438, 359)), (200 + 3 * i, 120))
        path = tmp_path / f"frame_{i}.pgm"
        frame.convert("L").save(path)
        sources.append(path)
    pairs = still_frames.build({"pan": sources}, tmp_path / "work")
    assert sorted({d for _, _, _, d in pairs}) == [-2, -1, 0, 1, 2]
    table = still_frames.judge(pairs, workers=1)["pan"]
    assert table[0] == {"pairs": 3, "strict": 3, "normal": 3, "loose": 3}
    for d in (1, 2):  # another frame at full size is never confirmed at strict
        assert table[d]["strict"] == 0, table
