"""Decode worker processes: they end with their parent, and a hanging decode is cut short."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import scene

REPO = Path(__file__).resolve().parents[2]

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def _children(pid: int) -> set[int]:
    """Live descendants of `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":  # zombies are already dead
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@linux_only
def test_killed_indexer_leaves_no_process_behind(tmp_path, library_home):
    # GIVEN `simili index` running with two decode workers on enough photos to take a while
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(160):
        scene(i, (960, 720)).save(photos / f"p{i:03d}.jpg", quality=92)
    env = {**os.environ, "SIMILI_HOME": str(library_home), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "index", str(photos), "--workers", "2"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            if len(workers) >= 3:  # two decode workers and the resource tracker
                break
            time.sleep(0.05)
        assert proc.poll() is None, "indexing finished before its workers were seen"
        assert len(workers) >= 3, workers
        time.sleep(0.3)
        workers = _children(proc.pid)
        # WHEN the indexer is killed outright
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        # THEN every process it started ends within a few seconds
        killed = time.monotonic()
        while time.monotonic() < killed + 5 and any(map(_alive, workers)):
            time.sleep(0.02)
        left = {pid: _cmdline(pid) for pid in workers if _alive(pid)}
        print(
            f"{len(workers)} child processes gone {time.monotonic() - killed:.2f} s after kill -9"
        )
    finally:
        proc.kill()
        proc.wait(10)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after the indexer was killed: {left}"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return "?"


def test_hanging_decoder_is_cut_short_and_reported(library_home, make_photo, tmp_path, monkeypatch):
    # GIVEN a decoder that hangs on one file (test hook) and a 2 s limit
    from core.decode_worker import HANG_ENV
    from core.library import Library
    from core.pipeline import index_library
    from tests.conftest import _worker_children

    photos = tmp_path / "photos"
    for i in range(4):
        make_photo(f"p{i}.jpg", seed=i)
    make_photo("stuck.jpg", seed=9)
    monkeypatch.setenv(HANG_ENV, "stuck.jpg")
    monkeypatch.setenv("SIMILI_DECODE_TIME_LIMIT", "2")
    problems = []
    started = time.monotonic()
    # WHEN indexing with a decode process
    with Library(library_home, writer=True) as library:
        report = index_library(library, [str(photos)], workers=2, on_problem=problems.append)
        counts = library.catalog.counts()
    # THEN the run finishes, reports the file, indexes the rest and leaves no worker behind
    assert time.monotonic() - started < 60
    assert [(p.path, p.reason) for p in problems] == [
        (str(photos / "stuck.jpg"), "decoding took longer than 2 s")
    ]
    assert report.added == 4
    assert counts["photos"] == 4
    assert counts["problems"] == 1
    assert not _worker_children()


def test_cli_reports_a_hanging_file_and_carries_on(library_home, make_photo, tmp_path):
    from core.decode_worker import HANG_ENV

    photos = tmp_path / "photos"
    for i in range(30):
        make_photo(f"p{i:02d}.jpg", seed=i, size=(160, 120))
    make_photo("stuck.jpg", seed=99)
    env = {
        **os.environ, "SIMILI_HOME": str(library_home), "PYTHONPATH": str(REPO),
        HANG_ENV: "stuck.jpg", "SIMILI_DECODE_TIME_LIMIT": "2",
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "index", str(photos), "--workers", "2"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"skipping {photos / 'stuck.jpg'}: decoding took longer than 2 s" in result.stderr
    assert "30 new" in result.stderr
