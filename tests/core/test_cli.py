from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from core.cli import main
from core.cli.common import index_summary
from core.levels import WORDS
from core.library import Library
from core.records import IndexReport

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


def test_index_summary_counts_in_words():
    one = index_summary(IndexReport(added=1, seconds=2.0))
    many = index_summary(IndexReport(added=2, reused=1, seconds=2.0))
    assert one.startswith("indexed 1 photo in 2.0 s (0.5/s): 1 new,")
    assert many.startswith("indexed 3 photos in 2.0 s (1.5/s): 2 new,")


def test_index_skip_lines(library_home, make_photo, tmp_path):
    make_photo("a.jpg", seed=1)
    (tmp_path / "photos" / "broken.jpg").write_bytes(b"not a jpeg")
    result = run_cli("index", str(tmp_path / "photos"), "--library", str(library_home))
    assert result.returncode == 0
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("skipping ")]
    assert lines == [f"skipping {tmp_path / 'photos' / 'broken.jpg'}: not an image Simili can read"]
    assert "1 skipped" in result.stderr
    assert "indexed 1 photo in " in result.stderr  # singular: one new photo, not "1 photos"


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
    assert records[0]["results"][0] == {
        "path": str(indexed / "p1.jpg"),
        "score": 1.0,
        "match": "same",
    }
    levels = Library(library_home).model.levels
    for result in records[0]["results"] + records[1]["results"]:
        assert result["match"] == levels.of(result["score"])
    assert records[1]["results"][0]["path"] == str(indexed / "p2.jpg")


def test_min_score_leaves_out_weaker_results_and_text_shows_the_level(indexed, library_home):
    query = str(indexed / "p1.jpg")
    everything = run_cli("search", query, "--json", "--library", str(library_home))
    scores = [r["score"] for r in json.loads(everything.stdout)["results"]]
    cut = (scores[1] + scores[2]) / 2  # between the 2nd and 3rd result
    result = run_cli(
        "search", query, "--json", "--min-score", f"{cut:.5f}", "--library", str(library_home)
    )
    assert [r["score"] for r in json.loads(result.stdout)["results"]] == scores[:2]
    text = run_cli("similar", query, "--min-score", "0", "--library", str(library_home))
    lines = text.stdout.splitlines()[1:]
    assert len(lines) == 5
    assert all(any(w in line for w in WORDS.values()) for line in lines)


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
    levels = status["model"]["levels"]
    assert 0 < levels["related"] < levels["similar"] < levels["same"] <= 1
    assert status["index"]["vectors"] == 6
    assert status["index"]["in_sync"] is True
    assert status["last_index"]["added"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "missing.jpg"], "missing.jpg: no such file"),
        (["similar", "missing.jpg"], "missing.jpg: no such file"),
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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "x.jpg", "--top", "0"], "--top must be at least 1"),
        (["search", "x.jpg", "--top", "-1"], "--top must be at least 1"),
        (["similar", "x.jpg", "--top", "0"], "--top must be at least 1"),
        (["duplicates", "--min-similarity", "5"], "--min-similarity must be between 0 and 1"),
        (["duplicates", "--min-similarity", "-0.1"], "--min-similarity must be between 0 and 1"),
        (["search", "x.jpg", "--min-score", "1.5"], "--min-score must be between 0 and 1"),
        (["similar", "x.jpg", "--min-score", "-0.1"], "--min-score must be between 0 and 1"),
        (["duplicates", "--gap", "-1"], "--gap must be at least 0"),
        (["watch", "--debounce", "-1"], "--debounce must be at least 0"),
        (["index", "--workers", "-2"], "--workers must be at least 0"),
    ],
)
def test_out_of_range_options_are_refused(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_similar_json_failure_prints_its_line(indexed, library_home, tmp_path):
    outside = tmp_path / "outside.jpg"
    Image.open(indexed / "p2.jpg").save(outside)
    for photo, reason in [
        (str(tmp_path / "missing.jpg"), "no such file"),
        (str(outside), "not an indexed photo"),
    ]:
        result = run_cli("similar", photo, "--json", "--library", str(library_home))
        assert result.returncode == 1
        record = json.loads(result.stdout)
        assert record["query"] == photo
        assert record["results"] == []
        assert reason in record["error"]
        assert f"{photo}: {reason}" in result.stderr


def test_huge_query_file_is_refused_from_its_header(indexed, library_home, tmp_path):
    import tracemalloc

    from core.errors import NotAnImageError
    from core.search import search

    big = tmp_path / "big.jpg"
    with big.open("wb") as f:  # sparse: 300 MB of nothing, no disk used
        f.truncate(300 << 20)
    with Library(library_home) as library:
        tracemalloc.start()
        with pytest.raises(NotAnImageError, match="not an image"):
            search(library, str(big))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 32 << 20


def test_huge_query_image_is_still_searched(indexed, library_home, tmp_path, monkeypatch):
    from core import search as search_module

    monkeypatch.setattr(search_module, "READ_WHOLE_LIMIT", 1000)
    with Library(library_home) as library:
        matches = search_module.search(library, str(indexed / "p1.jpg"), 2)
    assert matches[0].path == str(indexed / "p1.jpg")
    assert matches[0].score == pytest.approx(1.0, abs=1e-3)


def test_watch_exits_130_on_ctrl_c(indexed, library_home):
    import signal
    import time

    # PYTHONFAULTHANDLER: if it ever hangs, SIGABRT makes it print where each thread is.
    env = dict(os.environ, SIMILI_HOME=str(library_home), PYTHONFAULTHANDLER="1")
    # A process started in the background by a script (`.ci/run &`) inherits Ctrl+C *ignored*,
    # and so would the child: give it the default, as a terminal would.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "watch", "--library", str(library_home)],
            stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
        )  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, before)
    try:
        deadline = time.monotonic() + 60
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if "watching for changes" in line or time.monotonic() > deadline:
                break
        time.sleep(1.0)  # in the wait loop, not on the way into it
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            _, rest = proc.communicate(timeout=30)
            pytest.fail("watch did not stop on Ctrl+C:\n" + "".join(seen) + rest)
        assert code == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
