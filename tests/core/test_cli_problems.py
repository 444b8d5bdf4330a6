"""`simili problems`: unreadable files are retried (each scan when access failed, or on request)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Root reads any file whatever its mode, so as root a `sitecustomize` (loaded by the command and
# its spawned decode workers alike) restores what everyone else gets: mode 0 means "no access".
_NO_ACCESS_SHIM = """
import builtins, io, os

_open = io.open


def _guarded(file, mode="r", *args, **kwargs):
    if isinstance(file, (str, os.PathLike)) and "r" in mode:
        try:
            denied = os.stat(file).st_mode & 0o444 == 0
        except OSError:
            denied = False
        if denied:
            raise PermissionError(13, "Permission denied", os.fspath(file))
    return _open(file, mode, *args, **kwargs)


io.open = builtins.open = _guarded
"""


@pytest.fixture
def cli(tmp_path, library_home):
    shim = tmp_path / "shim"
    shim.mkdir()
    if os.geteuid() == 0:
        (shim / "sitecustomize.py").write_text(_NO_ACCESS_SHIM)
    env = {
        **os.environ,
        "SIMILI_HOME": str(library_home),
        "PYTHONPATH": os.pathsep.join([str(shim), str(REPO)]),
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "core.cli", *args],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=180,
        )  # fmt: skip

    return run


def test_fixed_permission_is_retried_on_the_next_scan(cli, make_photo, tmp_path):
    # GIVEN a photo nobody may read, indexed with enough others to use the decode pool
    photos = tmp_path / "photos"
    for i in range(25):
        make_photo(f"p{i:02d}.jpg", seed=i, size=(160, 120))
    locked = make_photo("locked.jpg", seed=50)
    (photos / "broken.jpg").write_bytes(b"\xff\xd8\xff not a photo")
    locked.chmod(0)
    first = cli("index", str(photos))
    assert first.returncode == 0, first.stderr
    assert f"skipping {locked}: permission denied" in first.stderr
    assert cli("problems").stdout.splitlines() == [
        f"{photos / 'broken.jpg'}: not an image Simili can read",
        f"{locked}: permission denied",
    ]
    # WHEN the user fixes the permission and indexes again
    locked.chmod(0o644)
    second = cli("index")
    # THEN the photo is indexed; the corrupt file, unchanged, is not decoded again
    assert second.returncode == 0, second.stderr
    assert "1 new" in second.stderr, second.stderr
    assert "skipping" not in second.stderr
    assert cli("problems").stdout.splitlines() == [
        f"{photos / 'broken.jpg'}: not an image Simili can read"
    ]


def test_still_denied_is_retried_quietly(cli, make_photo, tmp_path):
    photos = tmp_path / "photos"
    make_photo("a.jpg", seed=1)
    locked = make_photo("locked.jpg", seed=2)
    locked.chmod(0)
    assert cli("index", str(photos)).returncode == 0
    again = cli("index")
    assert again.returncode == 0
    assert "skipping" not in again.stderr  # nothing new to say
    assert cli("problems", "--json").stdout.strip() == json.dumps(
        [{"path": str(locked), "reason": "permission denied"}]
    )


def test_problems_retry_reports_fixed_and_failing(cli, make_photo, tmp_path):
    # GIVEN two problem files: one locked, one corrupt
    photos = tmp_path / "photos"
    make_photo("a.jpg", seed=1)
    locked = make_photo("locked.jpg", seed=2)
    broken = photos / "broken.jpg"
    broken.write_bytes(b"not a photo")
    locked.chmod(0)
    assert cli("index", str(photos)).returncode == 0
    locked.chmod(0o644)
    # WHEN asked to try them again now
    result = cli("problems", "--retry")
    # THEN it says what was fixed and what still fails, and exits 0
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"fixed: {locked}",
        f"still failing: {broken}: not an image Simili can read",
    ]
    assert "1 fixed, 1 still failing" in result.stderr
    status = json.loads(cli("status", "--json").stdout)
    assert (status["photos"], status["problems"]) == (2, 1)
    as_json = json.loads(cli("problems", "--retry", "--json").stdout)
    assert as_json == {
        "fixed": [],
        "failing": [{"path": str(broken), "reason": "not an image Simili can read"}],
        "gone": [],
    }
