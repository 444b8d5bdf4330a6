"""Small copies of two frames: they cannot tell the frames apart, so they must not join them.

Two frames of one scene where a subject moved 2 px are two captures, and the verifier sees it at
full size. Shrunk to 160 px the motion is half a pixel: each small copy matches both frames. The
scan verifies pairs with a small photo last and leaves out a small photo that matches two groups
kept apart, so no group ever holds both frames' files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import duplicate_names, indexed
from tests.core.test_verify import textured


def _frames() -> tuple[Image.Image, Image.Image]:
    first = textured(5)
    second = first.copy()
    second.paste(first.crop((198, 119, 438, 359)), (200, 120))  # the subject moved 2 px
    return first, second


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("small")
    photos = base / "photos"
    photos.mkdir()
    for name, frame in zip("ab", _frames(), strict=True):
        frame.save(photos / f"{name}.jpg", quality=95)
        frame.save(photos / f"{name}_q50.jpg", quality=50)
        frame.resize((480, 360)).save(photos / f"{name}_resized.jpg", quality=90)
        small = frame.resize((160, 120), Image.Resampling.LANCZOS)
        small.save(photos / f"{name}_small.jpg", quality=90)
        small.save(photos / f"{name}_small.png")
    return indexed(photos, base / "lib")


def test_no_group_holds_both_frames(library):
    names = [set(group) for group in duplicate_names(library)]
    for group in names:
        assert len({n[0] for n in group}) == 1, names
    # the full-size frames still find their own copies
    assert any({"a.jpg", "a_q50.jpg", "a_resized.jpg"} <= g for g in names), names
    assert any({"b.jpg", "b_q50.jpg", "b_resized.jpg"} <= g for g in names), names
