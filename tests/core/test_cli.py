from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from core.cli import main
from core.library import Library

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, home: Path | None = None) -> subprocess.CompletedProcess:
    """The real `simili` command in a fresh process, as benchmarks and scripts call it."""
    env = dict(os.environ)
    if home is not None:
        env["SIMILI_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120,
    )  # fmt: skip


@pytest.fixture
def indexed(library_home, make_photo, tmp_path):
    for i in range(6):
        make_photo(f"p{i}.jpg", seed=20 + i, size=(400, 300))
    (tmp_path / "photos" / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    result = run_cli("index", str(tmp_path / "photos"), "--library", str(library_home))
    assert result.returncode == 0, result.stderr
    return tmp_path / "photos"


def test_index_reports_bad_files_and_summary(indexed, library_home):
    result = run_cli("index", "--library", str(library_home))
    assert result.returncode == 0
    assert "indexed 0 photos" in result.stderr
    assert "6 unchanged" in result.stderr


def test_index_skip_lines(library_home, make_photo, tmp_path):
    make_photo("a.jpg", seed=1)
    (tmp_path / "photos" / "broken.jpg").write_bytes(b"not a jpeg")
    result = run_cli("index", str(tmp_path / "photos"), "--library", str(library_home))
    assert result.returncode == 0
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("skipping ")]
    assert lines == [f"skipping {tmp_path / 'photos' / 'broken.jpg'}: not an image Simili can read"]
    assert "1 skipped" in result.stderr


def test_search_json_contract(indexed, library_home, tmp_path):
    # GIVEN two query images, one outside the library
    outside = tmp_path / "outside.png"
    Image.open(indexed / "p2.jpg").resize((200, 150)).save(outside)
    result = run_cli(
        "search", str(indexed / "p1.jpg"), str(outside), "--top", "3", "--json",
        "--library", str(library_home),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    # THEN one object per query, in order, each with absolute paths and scores best first
    assert [r["query"] for r in records] == [str(indexed / "p1.jpg"), str(outside)]
    for record in records:
        assert len(record["results"]) == 3
        scores = [r["score"] for r in record["results"]]
        assert scores == sorted(scores, reverse=True)
        assert all(Path(r["path"]).is_absolute() for r in record["results"])
    assert records[0]["results"][0] == {"path": str(indexed / "p1.jpg"), "score": 1.0}
    assert records[1]["results"][0]["path"] == str(indexed / "p2.jpg")


def test_similar_excludes_itself(indexed, library_home):
    result = run_cli("similar", str(indexed / "p3.jpg"), "--json", "--library", str(library_home))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    paths = [r["path"] for r in record["results"]]
    assert str(indexed / "p3.jpg") not in paths
    assert len(paths) == 5


def test_status_json(indexed, library_home):
    result = run_cli("status", "--json", "--library", str(library_home))
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["photos"] == 6
    assert status["problems"] == 1
    assert status["roots"] == [
        {"path": str(indexed), "state": "ok", "photos": 6, "excludes": [],
         "last_scan": status["roots"][0]["last_scan"]}
    ]  # fmt: skip
    assert status["device"]["active"] in ("cpu", "cuda")
    assert status["model"]["dim"] > 0
    assert status["index"]["vectors"] == 6
    assert status["index"]["in_sync"] is True
    assert status["last_index"]["added"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "missing.jpg"], "missing.jpg: no such file"),
        (["similar", "missing.jpg"], "not an indexed photo"),
        (["search", "pyproject.toml"], "pyproject.toml: not an image"),
    ],
)
def test_errors_are_one_line_without_traceback(indexed, library_home, args, message):
    result = run_cli(*args, "--library", str(library_home))
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_library_is_a_clear_error(tmp_path):
    result = run_cli("search", "x.jpg", "--library", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "no Simili library here yet" in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_to_turn_a_photo_folder_into_a_library(make_photo, tmp_path):
    make_photo("a.jpg")
    result = run_cli("index", str(tmp_path / "photos"), "--library", str(tmp_path / "photos"))
    assert result.returncode == 1
    assert "not empty and not a Simili library" in result.stderr
    assert sorted(p.name for p in (tmp_path / "photos").iterdir()) == ["a.jpg"]


def test_locked_library_is_a_clear_error(indexed, library_home):
    with Library(library_home, writer=True):
        result = run_cli("index", "--library", str(library_home))
    assert result.returncode == 1
    assert "being updated by Simili" in result.stderr
    # readers are never blocked by a writer
    with Library(library_home, writer=True):
        assert run_cli("status", "--library", str(library_home)).returncode == 0


def test_debug_shows_traceback(indexed, library_home):
    result = run_cli("similar", "missing.jpg", "--debug", "--library", str(library_home))
    assert "Traceback" in result.stderr


def test_no_arguments_prints_help(capsys):
    assert main([]) == 0
    assert "usage: simili" in capsys.readouterr().out


def test_remove_root_forgets_photos_but_not_files(indexed, library_home):
    result = run_cli("remove", str(indexed), "--library", str(library_home))
    assert result.returncode == 0, result.stderr
    status = json.loads(run_cli("status", "--json", "--library", str(library_home)).stdout)
    assert status["photos"] == 0
    assert status["index"]["vectors"] == 0
    assert len(list(indexed.iterdir())) == 7
