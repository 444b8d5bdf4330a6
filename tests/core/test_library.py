from __future__ import annotations

import numpy as np
import pytest

from core.errors import LibraryLockedError
from core.library import Library
from core.pipeline import index_library
from core.search import search, similar


def test_reader_sees_a_writers_changes_without_copying_the_index(
    library_home, make_photo, tmp_path
):
    # GIVEN an indexed library and a long-lived reader (as the app's search side is)
    photos = tmp_path / "photos"
    a = make_photo("a.jpg", seed=1)
    for i in range(2, 5):
        make_photo(f"p{i}.jpg", seed=i)
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(photos)], workers=0)
    reader = Library(library_home)
    assert len(search(reader, str(a), top=10)) == 4
    mapped = reader.index
    # WHEN a writer adds one photo and deletes another
    new = make_photo("new.jpg", seed=9)
    a.unlink()
    with Library(library_home, writer=True) as writer:
        index_library(writer, workers=0)
    # THEN the reader finds the new photo and no longer returns the deleted one
    hits = similar(reader, str(new), top=10)
    paths = [h.path for h in hits]
    assert str(a) not in paths
    assert len(paths) == 3
    assert search(reader, str(new), top=1)[0].path == str(new)
    assert reader.index is mapped  # still the memory-mapped file, not a copy
    reader.close()


def test_one_writer_at_a_time(library_home):
    with Library(library_home, writer=True):
        with pytest.raises(LibraryLockedError, match="being updated"):
            Library(library_home, writer=True)
        Library(library_home).close()  # readers are fine
    Library(library_home, writer=True).close()  # released on close


_PATCHED_SEARCHES = r"""
import json, sys
from pathlib import Path
import numpy as np
from core.library import Library, INDEX_NAME
from core.search import similar

home, query, pristine = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
patches = json.loads(sys.argv[4])
data = Path(pristine).read_bytes()
for offset, seed in patches:
    patched = bytearray(data)
    noise = np.random.default_rng(seed).integers(0, 256, 512, dtype=np.uint8).tobytes()
    patched[offset : offset + 512] = noise[: len(data) - offset]
    (home / INDEX_NAME).write_bytes(bytes(patched))
    with Library(home) as reader:
        hits = similar(reader, query, top=5)
        print(json.dumps([[h.path, round(h.score, 3)] for h in hits]), flush=True)
"""


def test_random_damage_to_the_index_never_crashes_and_is_repaired(
    library_home, make_photo, tmp_path
):
    import json
    import random
    import subprocess
    import sys

    from core.index import VectorIndex, file_checksum
    from core.library import INDEX_NAME

    # GIVEN an indexed library and the right answer to a query
    photos = tmp_path / "photos"
    query = make_photo("q.jpg", seed=1)
    for i in range(2, 10):
        make_photo(f"p{i}.jpg", seed=i)
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(photos)], workers=0)
    with Library(library_home) as reader:
        expected = [[h.path, round(h.score, 3)] for h in similar(reader, str(query), top=5)]
    index_file = library_home / INDEX_NAME
    pristine = tmp_path / "pristine.usearch"
    pristine.write_bytes(index_file.read_bytes())
    # WHEN 512 random bytes are written at 16 random offsets (one damage per search)
    rng = random.Random(10)
    size = pristine.stat().st_size
    patches = [[rng.randrange(0, size - 1), rng.randrange(1 << 30)] for _ in range(16)]
    result = subprocess.run(
        [sys.executable, "-c", _PATCHED_SEARCHES, str(library_home), str(query), str(pristine),
         json.dumps(patches)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    # THEN no search crashes and every one gives the undamaged answer
    assert result.returncode == 0, result.stderr[-2000:]
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 16
    for answer in answers:
        assert [p for p, _ in answer] == [p for p, _ in expected]
        assert np.allclose([s for _, s in answer], [s for _, s in expected], atol=2e-3)
    # AND an index run finds the damage and saves a sound file again
    with Library(library_home, writer=True) as writer:
        index_library(writer, workers=0)
        assert writer.index_damage == "checksum mismatch"
    with Library(library_home) as reader:
        assert reader.index.damage is None
        assert len(reader.index) == 9
        assert [h.path for h in similar(reader, str(query), top=5)] == [p for p, _ in expected]
    meta = json.loads(index_file.with_suffix(".json").read_text())
    assert meta["checksum"] == file_checksum(index_file)
    assert len(VectorIndex.open(index_file, 256)) == 9


_HOLD_LOCK = r"""
import sys, time
from pathlib import Path
from core.library import LOCK_NAME, _WriterLock
lock = _WriterLock(Path(sys.argv[1]) / LOCK_NAME)
lock.acquire()
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


def test_a_second_process_creating_the_same_library_is_told_it_is_busy(library_home):
    import subprocess
    import sys

    # GIVEN a process that is creating a new library (it holds the lock, no catalogue yet)
    library_home.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(library_home)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        # WHEN a second one tries to create it too
        # THEN it is told the library is busy, not that the folder is a stranger's
        with pytest.raises(LibraryLockedError, match="busy"):
            Library(library_home, writer=True)
        assert not (library_home / "catalog.sqlite").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    Library(library_home, writer=True).close()  # and it works once the first is done


_CREATE = r"""
import sys, time
from pathlib import Path
from core.errors import LibraryLockedError
from core.library import Library
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
try:
    Library(Path(sys.argv[1]), writer=True).close()
    print("created")
except LibraryLockedError:
    print("busy")
"""


def test_processes_racing_to_create_a_library_never_see_a_stranger(tmp_path):
    import subprocess
    import sys
    import time

    for attempt in range(3):
        folder = tmp_path / f"race{attempt}"
        start = str(time.time() + 1.5)
        command = [sys.executable, "-c", _CREATE, str(folder), start]
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        procs = [subprocess.Popen(command, **pipes) for _ in range(4)]
        outcomes = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [err for _, err in outcomes]
        said = sorted(out.strip() for out, _ in outcomes)
        assert "created" in said
        assert set(said) <= {"created", "busy"}
        Library(folder).close()  # a sound catalogue came out of it


def test_every_photo_finds_itself_and_similar_returns_all_others(
    library_home, make_photo, tmp_path
):
    # GIVEN a library of 15 photos
    photos = [make_photo(f"p{i}.jpg", seed=i) for i in range(15)]
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(tmp_path / "photos")], workers=0)
    with Library(library_home) as library:
        # THEN each photo comes first for itself, and "more like this" can list all the others
        for photo in photos:
            assert search(library, str(photo), top=1)[0].path == str(photo)
            assert len(similar(library, str(photo), top=len(photos))) == len(photos) - 1


def test_an_index_from_older_graph_settings_is_rebuilt_once(library_home, make_photo, tmp_path):
    import json

    from core.index import GRAPH_FORMAT
    from core.library import INDEX_NAME

    for i in range(4):
        make_photo(f"p{i}.jpg", seed=i)
    with Library(library_home, writer=True) as writer:
        index_library(writer, [str(tmp_path / "photos")], workers=0)
    # GIVEN an index record written before the graph settings were recorded
    meta_path = (library_home / INDEX_NAME).with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    del meta["graph"]
    meta_path.write_text(json.dumps(meta))
    # WHEN a writer opens the library
    with Library(library_home, writer=True) as writer:
        assert len(writer.index) == 4  # rebuilt from the catalogue's vectors
    # THEN the saved index records the current graph and is reused from now on
    assert json.loads(meta_path.read_text())["graph"]["format"] == GRAPH_FORMAT
    with Library(library_home) as reader:
        assert not reader.index.outdated
        assert len(reader.index) == 4
