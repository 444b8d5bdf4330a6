"""Shared fixtures: an isolated library home, a photo factory, hostile files, indexing helpers."""

from __future__ import annotations

import contextlib
import importlib
import io
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import send2trash
from PIL import Image, ImageDraw

PhotoFactory = Callable[..., Path]


def _worker_children() -> dict[int, str]:
    """Multiprocessing children of this process (decode workers), from /proc where there is one.

    The resource tracker is left out: it belongs to this process and ends with it.
    """
    found = {p.pid: p.name for p in multiprocessing.active_children() if p.pid is not None}
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError):
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if (
                int(fields[1]) == os.getpid()
                and fields[0] != "Z"
                and "multiprocessing" in cmdline
                and "resource_tracker" not in cmdline
            ):
                found[int(entry.name)] = cmdline
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when decode worker processes outlive the tests that started them."""
    deadline = time.monotonic() + 10
    while _worker_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _worker_children()
    if left:
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
        print(f"\nERROR: worker processes outlived the tests (killed now): {left}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def library_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own SIMILI_HOME so nothing touches real user data."""
    home = tmp_path / "simili-home"
    monkeypatch.setenv("SIMILI_HOME", str(home))
    return home


def scene(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A deterministic 'photo': a gradient with random shapes; each seed is a distinct scene."""
    rng = random.Random(seed)
    w, h = size
    y = np.linspace(0, 1, h)[:, None, None]
    top = np.array([rng.randint(0, 255) for _ in range(3)], float)
    bottom = np.array([rng.randint(0, 255) for _ in range(3)], float)
    base = (top * (1 - y) + bottom * y) * np.ones((1, w, 1))
    image = Image.fromarray(base.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randint(0, w), rng.randint(0, h)
        x1, y1 = x0 + rng.randint(w // 10, w // 2), y0 + rng.randint(h // 10, h // 2)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
    return image


def indexed(photos: Path, library: Path) -> Path:
    """Index a folder into a new library (in this process) and return the library folder."""
    from core.library import Library
    from core.pipeline import index_library

    with Library(library, writer=True) as lib:
        index_library(lib, [str(photos)], workers=0)
    return library


def duplicate_names(library: Path) -> list[list[str]]:
    """The file names of each duplicate group (edited copies, strict), verdicts not kept."""
    from core.duplicates import DuplicateOptions, find_duplicates
    from core.library import Library

    with Library(library) as lib:
        groups = find_duplicates(lib, DuplicateOptions(saved_verdicts=False))
    return [sorted(Path(f.path).name for f in g.files) for g in groups]


def _save(image: Image.Image, path: Path, fmt: str | None, orientation: int | None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif
    image.save(path, format=fmt, **kwargs)
    return path


@pytest.fixture
def make_photo(tmp_path: Path) -> PhotoFactory:
    """Build a real image file: make_photo("a/b.jpg", seed=1, size=(640, 480), orientation=6)."""

    def factory(
        name: str,
        seed: int = 0,
        size: tuple[int, int] = (320, 240),
        fmt: str | None = None,
        orientation: int | None = None,
        root: Path | None = None,
        image: Image.Image | None = None,
    ) -> Path:
        target = (root or tmp_path / "photos") / name
        return _save(image or scene(seed, size), target, fmt, orientation)

    return factory


@pytest.fixture
def hostile_files(tmp_path: Path) -> dict[str, Path]:
    """Files a real library contains that must be skipped with a reason, never crash a run."""
    folder = tmp_path / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    good = io.BytesIO()
    scene(99, (640, 480)).save(good, "JPEG", quality=90)
    data = good.getvalue()
    files = {
        "truncated": folder / "truncated.jpg",
        "empty": folder / "empty.jpg",
        "text": folder / "notes.jpg",
        "wrong_ext": folder / "really_png.jpg",
        "bomb": folder / "bomb.png",
    }
    files["truncated"].write_bytes(data[: len(data) // 3])
    files["empty"].write_bytes(b"")
    files["text"].write_text("this is not a photo\n" * 20)
    scene(98).save(files["wrong_ext"], "PNG")  # decodable: wrong suffixes are fine
    # 20000 x 20000 = 400 MP declared in the header: refused before decoding.
    Image.new("1", (20000, 20000)).save(files["bomb"], "PNG", optimize=True)
    return files


@pytest.fixture
def trash_home(tmp_path: Path) -> Iterator[Path]:
    """HOME and XDG_DATA_HOME under tmp_path, so the real send2trash uses a temporary trash.

    send2trash reads XDG_DATA_HOME once, at import (as the app does when it starts): reload it
    under the test's environment, and again afterwards under the restored one.
    """
    saved = {k: os.environ.get(k) for k in ("HOME", "XDG_DATA_HOME")}
    (tmp_path / "home").mkdir()  # a home exists; its trash is created on first use
    os.environ["HOME"] = str(tmp_path / "home")
    os.environ["XDG_DATA_HOME"] = str(tmp_path / "home" / ".local" / "share")
    _reload_send2trash()
    try:
        yield tmp_path / "home" / ".local" / "share" / "Trash"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reload_send2trash()


def _reload_send2trash() -> None:
    if sys.platform not in ("win32", "darwin"):
        from send2trash import plat_other

        importlib.reload(plat_other)
    importlib.reload(send2trash)


@pytest.fixture
def verify_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The pairs the real verifier is asked about from now on (it still answers them)."""
    from core.verify import Verifier

    calls: list[tuple[str, str]] = []
    real = Verifier.verify

    def verify(self: Verifier, a: str, b: str):
        calls.append((a, b))
        return real(self, a, b)

    monkeypatch.setattr(Verifier, "verify", verify)
    return calls
