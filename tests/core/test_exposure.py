"""Two files whose EXIF names different shutter times of one camera are two exposures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.duplicates import DuplicateOptions, find_duplicates
from core.exposure import Exposure, different_exposures, read_exposure
from core.library import Library
from tests.conftest import duplicate_names, indexed
from tests.core.test_verify import textured


def exif_of(taken: str | None, subsec: str | None = None, camera: str | None = "Pentax K-5"):
    exif = Image.Exif()
    if camera:
        exif[0x010F], exif[0x0110] = camera.split()[0], camera
    sub = exif.get_ifd(0x8769)
    if taken:
        sub[0x9003] = taken
    if subsec:
        sub[0x9291] = subsec
    return exif.tobytes()


def shot(seconds: float, precise: bool = True, camera: str = "Pentax K-5") -> Exposure:
    return Exposure(seconds, precise, camera)


@pytest.mark.parametrize(
    ("a", "b", "two"),
    [
        (shot(100.0), shot(100.4), True),  # a burst
        (shot(100.0, False), shot(102.0, False), True),  # whole seconds only
        (shot(100.0), shot(100.0), False),  # one moment: the pixels decide
        (shot(100.0, False), shot(100.3), False),  # one side rounded to the second
        (shot(100.0), shot(100.0 + 3600), False),  # a time-zone fix on one copy
        (shot(100.0), shot(100.0 + 1800.4), False),  # a half-hour zone, rounded second
        (shot(100.0), shot(100.0 + 3605), True),  # an hour and 5 s: another moment
        (shot(100.0), shot(100.4, camera="Canon EOS 5D"), False),  # other cameras: pixels
        (shot(100.0), None, False),  # stripped metadata
    ],
)
def test_different_exposures(a, b, two):
    assert (different_exposures(a, b) is not None) is two
    assert (different_exposures(b, a) is not None) is two


def test_the_reason_says_how_far_apart():
    assert different_exposures(shot(0.0), shot(0.4)) == (
        "two exposures: taken 0.4 s apart by one camera"
    )
    assert "5 min apart" in different_exposures(shot(0.0), shot(300.0))


def test_read_exposure(tmp_path):
    image = Image.new("RGB", (64, 48), "grey")
    image.save(tmp_path / "a.jpg", exif=exif_of("2024:05:01 10:00:00", "25"))
    image.save(tmp_path / "b.jpg", exif=exif_of("2024:05:01 10:00:00"))
    image.save(tmp_path / "no-camera.jpg", exif=exif_of("2024:05:01 10:00:00", camera=None))
    image.save(tmp_path / "plain.jpg")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe1garbage")
    a = read_exposure(str(tmp_path / "a.jpg"))
    b = read_exposure(str(tmp_path / "b.jpg"))
    assert a is not None
    assert b is not None
    assert (a.precise, b.precise) == (True, False)
    assert a.camera == "Pentax K-5"
    assert a.seconds - b.seconds == pytest.approx(0.25)
    for name in ("no-camera.jpg", "plain.jpg", "broken.jpg", "missing.jpg"):
        assert read_exposure(str(tmp_path / name)) is None


def frames(folder: Path, exif: bool) -> None:
    """Two frames of a still scene (the second with its own sensor noise), and a copy."""
    folder.mkdir()
    first = textured(11)
    noise = np.random.default_rng(3).normal(0, 2.0, (first.height, first.width, 3))
    second = Image.fromarray(np.clip(np.asarray(first) + noise, 0, 255).astype(np.uint8))
    one = exif_of("2024:05:01 10:00:00", "10") if exif else b""
    two = exif_of("2024:05:01 10:00:00", "40") if exif else b""
    first.save(folder / "frame1.jpg", quality=92, exif=one)
    second.save(folder / "frame2.jpg", quality=92, exif=two)
    first.resize((480, 360)).save(folder / "frame1-small.jpg", quality=85, exif=one)


def test_burst_frames_are_not_edited_copies(tmp_path):
    frames(tmp_path / "bare", exif=False)
    frames(tmp_path / "dated", exif=True)
    # Without shutter times the pixels cannot tell the frames apart (the test's premise) ...
    bare = duplicate_names(indexed(tmp_path / "bare", tmp_path / "lib-bare"))
    assert bare == [["frame1-small.jpg", "frame1.jpg", "frame2.jpg"]]
    # ... with them, the next frame is refused and the resized copy still joins its frame.
    library = indexed(tmp_path / "dated", tmp_path / "lib-dated")
    assert duplicate_names(library) == [["frame1-small.jpg", "frame1.jpg"]]
    with Library(library) as lib:
        similar = find_duplicates(lib, DuplicateOptions(mode="similar", saved_verdicts=False))
    names = [sorted(Path(f.path).name for f in g.files) for g in similar]
    assert any("frame2.jpg" in group and "frame1.jpg" in group for group in names), names
