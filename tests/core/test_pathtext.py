"""File names whose bytes are not valid UTF-8: stored losslessly, written as valid UTF-8."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.catalog import Catalog, Embedded
from core.library import Library
from core.pathtext import display, json_fields, parse, to_db
from core.pipeline import index_library
from core.records import Problem
from core.watcher import Watcher

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="needs a file system that takes any bytes"
)


def raw_path(folder: Path, name: bytes) -> str:
    """The str Python uses for a file named by raw bytes (surrogate escapes)."""
    return os.fsdecode(os.fsencode(str(folder)) + b"/" + name)


def run_cli(*args: str | bytes, home: Path) -> subprocess.CompletedProcess:
    """The real command, output kept as bytes so invalid UTF-8 cannot hide."""
    env = {**os.environ, "SIMILI_HOME": str(home), "PYTHONIOENCODING": "utf-8:strict"}
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True, cwd=REPO, env=env, timeout=180,
    )  # fmt: skip


def test_display_and_parse_round_trip():
    p = raw_path(Path("/tmp/a\\b"), b"\xe9t\xe9.jpg")
    shown = display(p)
    assert shown == "/tmp/a\\\\b/\\xe9t\\xe9.jpg"
    shown.encode("utf-8")  # valid text
    assert parse(shown) == p
    fields = json_fields(p)
    assert base64.b64decode(fields["path_bytes"]) == os.fsencode(p)
    # ordinary paths are untouched, including ones that look like escapes
    assert display("/tmp/ü/x\\xe9.jpg") == "/tmp/ü/x\\xe9.jpg"
    assert json_fields("/tmp/ü.jpg") == {"path": "/tmp/ü.jpg"}
    assert parse("/tmp/plain.jpg") == "/tmp/plain.jpg"


def test_catalog_stores_such_paths_losslessly_and_finds_them_under_a_folder(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    root = catalog.add_root(raw_path(tmp_path, b"r\xe9"))
    inside = raw_path(Path(root.path), b"d\xff/x\xe9.jpg")
    plain = root.path + "/d\udcff/plain.jpg"
    sibling = raw_path(Path(root.path), b"e/y.jpg")
    items = [Embedded(p, root.id, 1, 1, f"h{i}", None, None) for i, p in enumerate([inside, plain])]
    catalog.write(items, [(Problem(sibling, "broken"), root.id, 1, 1)])
    assert catalog.roots()[0].path == root.path
    folder = raw_path(Path(root.path), b"d\xff")
    assert set(catalog.files_under(root.id, folder)) == {inside, plain}
    assert set(catalog.files_under(root.id)) == {inside, plain, sibling}
    assert catalog.problems() == [Problem(sibling, "broken")]
    # valid text paths keep their old TEXT form, so existing libraries need no migration
    catalog.write([Embedded(str(tmp_path / "ok.jpg"), root.id, 1, 1, "h9", None, None)])
    kinds = dict(catalog.db.execute("SELECT typeof(path), COUNT(*) FROM files GROUP BY 1"))
    assert kinds == {"text": 1, "blob": 3}
    assert catalog.forget_files([inside]) == 1
    assert to_db(inside) == os.fsencode(inside)


def test_cli_indexes_and_finds_files_with_undecodable_names(make_photo, tmp_path, library_home):
    # GIVEN enough photos for the decode pool, one named with Latin-1 bytes and one broken
    photos = tmp_path / "photos"
    for i in range(25):
        make_photo(f"p{i:02d}.jpg", seed=i, size=(160, 120))
    odd = raw_path(photos, b"\xe9t\xe9.jpg")
    shutil.copyfile(make_photo("src/odd.jpg", seed=99, size=(160, 120)), odd)
    shutil.rmtree(photos / "src")
    broken = raw_path(photos, b"\xff.jpg")
    Path(broken).write_bytes(b"not a photo")
    # WHEN indexing through the real command
    result = run_cli("index", str(photos), home=library_home)
    # THEN every photo is indexed and the broken one is named in valid UTF-8
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 0, stderr
    assert "26 new" in stderr, stderr
    assert f"skipping {display(broken)}: not an image Simili can read" in stderr
    # AND the odd file is found by search, with a valid-UTF-8 path and its exact bytes
    result = run_cli("search", odd.encode("utf-8", "surrogateescape"), "--json", home=library_home)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout.decode("utf-8"))
    best = record["results"][0]
    assert best["score"] > 0.99
    assert best["path"] == display(odd) == str(photos) + "/\\xe9t\\xe9.jpg"
    assert base64.b64decode(best["path_bytes"]) == os.fsencode(odd)
    assert record["query"] == display(odd)
    # AND the printed path can be handed back to `similar` (as printed, or as raw bytes)
    for arg in (best["path"], os.fsencode(odd)):
        result = run_cli("similar", arg, "--json", "--top", "3", home=library_home)
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout.decode("utf-8"))
        assert len(found["results"]) == 3
        assert display(odd) not in [r["path"] for r in found["results"]]
    text = run_cli("similar", best["path"], home=library_home)
    assert text.returncode == 0
    text.stdout.decode("utf-8")
    problems = run_cli("problems", "--json", home=library_home)
    assert json.loads(problems.stdout.decode("utf-8")) == [
        {**json_fields(broken), "reason": "not an image Simili can read"}
    ]
    listing = run_cli("problems", home=library_home).stdout.decode("utf-8")
    assert f"{display(broken)}: not an image" in listing
    # AND a second run finds everything unchanged: the stored paths match the disk exactly
    again = run_cli("index", home=library_home)
    summary = again.stderr.decode("utf-8")
    assert "0 new" in summary
    assert "26 unchanged" in summary
    assert "0 removed" in summary


def test_watcher_indexes_undecodable_names_and_keeps_running(library_home, make_photo, tmp_path):
    # GIVEN a watched, indexed folder
    photos = tmp_path / "photos"
    make_photo("a.jpg", seed=1)
    library = Library(library_home, writer=True)
    index_library(library, [str(photos)], workers=0)
    batches: list[set[str]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def on_batch(paths: set[str]) -> None:
        try:
            index_library(library, targets=paths, workers=0)
        except BaseException as exc:  # the old code raised UnicodeEncodeError here
            errors.append(exc)
            raise
        finally:
            batches.append(paths)
            done.set()

    watcher = Watcher([str(photos)], on_batch, debounce=0.3)
    watcher.start()
    try:
        # WHEN a photo with an undecodable name arrives, then an ordinary one
        odd = raw_path(photos, b"caf\xe9.jpg")
        shutil.copyfile(make_photo("x/b.jpg", seed=2), odd)
        assert done.wait(15)
        done.clear()
        make_photo("c.jpg", seed=3)
        assert done.wait(15)
        time.sleep(0.5)
    finally:
        watcher.stop()
        library.close()
    # THEN both are indexed: the watcher survived the odd name
    assert not errors
    reader = Library(library_home)
    try:
        assert reader.catalog.lookup(odd) is not None
        assert reader.catalog.lookup(str(photos / "c.jpg")) is not None
    finally:
        reader.close()


def test_trash_log_keeps_such_paths_and_stays_utf8(tmp_path):
    from core.records import TrashedFile
    from core.trash import LOG_NAME, _append, trash_log

    odd = raw_path(tmp_path, b"\xe9.jpg")
    entry = TrashedFile(path=odd, size=3, content_hash="h", trashed_at=1.0, trash_path=odd + "x")
    _append(tmp_path, entry)
    (tmp_path / LOG_NAME).read_bytes().decode("utf-8")
    assert trash_log(tmp_path) == [entry]


def test_status_of_an_offline_root_with_such_a_name(make_photo, tmp_path, library_home):
    # GIVEN a root whose own name is not valid UTF-8, indexed, then unplugged
    root = raw_path(tmp_path, b"disk\xe9")
    shutil.copytree(make_photo("a.jpg", seed=1).parent, root)
    assert run_cli("index", os.fsencode(root), home=library_home).returncode == 0
    Path(root).rename(tmp_path / "unplugged")
    offline = run_cli("index", home=library_home)
    assert offline.returncode == 0, offline.stderr
    assert f"offline (photos kept): {display(root)}" in offline.stderr.decode("utf-8")
    # THEN status reports it in valid UTF-8, with its exact bytes
    status = run_cli("status", "--json", home=library_home)
    assert status.returncode == 0, status.stderr
    record = json.loads(status.stdout.decode("utf-8"))
    assert record["roots"][0]["path"] == display(root)
    assert base64.b64decode(record["roots"][0]["path_bytes"]) == os.fsencode(root)
    assert record["roots"][0]["state"] == "offline"
    assert record["last_index"]["offline_roots"] == [display(root)]
    assert run_cli("status", home=library_home).stdout.decode("utf-8")
