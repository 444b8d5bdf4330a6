from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.library import Library

REPO = Path(__file__).resolve().parents[2]


def _status(home: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "status", "--json", "--library", str(home)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _wait_for_photos(home: Path, target: int, proc: subprocess.Popen) -> None:
    """Block until the indexer has committed `target` photos (read through SQLite, as a reader)."""
    db = home / "catalog.sqlite"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    done = conn.execute("SELECT COUNT(*) FROM files WHERE state = 'ok'").fetchone()
                if done[0] >= target:
                    return
            except sqlite3.OperationalError:
                pass  # schema not created yet
        time.sleep(0.01)


@pytest.mark.slow
def test_kill_9_at_random_points_loses_nothing(library_home, make_photo, tmp_path):
    # GIVEN a folder big enough that indexing takes a few seconds
    count = 200
    for i in range(count):
        make_photo(f"p{i:03d}.jpg", seed=i, size=(1024, 768))
    command = [
        sys.executable, "-m", "core.cli", "index", str(tmp_path / "photos"),
        "--library", str(library_home), "--workers", "2",
        "--no-verify-ahead",  # the indexer is under test; 200 look-alikes cost minutes to verify
    ]  # fmt: skip
    rng = random.Random(1234)
    progress = []
    # WHEN the indexer is killed with SIGKILL at random moments, several times
    for target in sorted(rng.sample(range(1, count - 40), 4)):
        proc = subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL)
        _wait_for_photos(library_home, target, proc)
        time.sleep(rng.uniform(0.0, 0.15))  # land anywhere inside a batch, not only after commits
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # THEN the library opens and is consistent after every kill
        status = _status(library_home)
        assert status["photos"] == status["vectors"]
        assert status["index"]["vectors"] == status["vectors"]
        progress.append(status["photos"])
    # AND the next run finishes the work without redoing what was done
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    status = _status(library_home)
    assert status["photos"] == count
    assert progress == sorted(progress)  # work is never lost between kills
    assert progress[-1] < count  # every kill landed mid-run
    assert f"{count - progress[-1]} new" in result.stderr
    with Library(library_home) as library:
        assert len(library.index) == count
        assert sorted(int(k) for k in library.index.stored_keys()) == sorted(
            int(k) for k in library.catalog.keys_with_vectors()
        )
