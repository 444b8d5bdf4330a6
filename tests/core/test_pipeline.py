from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import SimiliError
from core.library import Library
from core.pipeline import index_library
from core.records import Problem, Progress
from core.search import search, similar
from core.tasks import Cancelled, CancelToken


def _index(home: Path, *paths: Path, **kw) -> tuple:
    problems: list[Problem] = []
    with Library(home, writer=True) as library:
        report = index_library(
            library, [str(p) for p in paths] or None, workers=0, on_problem=problems.append, **kw
        )
        counts = library.catalog.counts()
    return report, counts, problems


def test_index_then_rerun_only_does_changes(library_home, make_photo, tmp_path):
    # GIVEN a folder of 5 photos
    for i in range(5):
        make_photo(f"p{i}.jpg", seed=i)
    photos = tmp_path / "photos"
    # WHEN it is indexed twice
    first, counts, _ = _index(library_home, photos)
    second, _, _ = _index(library_home)
    # THEN the first run embeds all, the second nothing
    assert (first.added, counts["photos"], counts["vectors"]) == (5, 5, 5)
    assert (second.added, second.changed, second.unchanged) == (0, 0, 5)


def test_moved_and_copied_files_keep_their_vector(library_home, make_photo, tmp_path):
    a = make_photo("a.jpg", seed=1)
    make_photo("b.jpg", seed=2)
    _index(library_home, tmp_path / "photos")
    # WHEN a photo is moved to a subfolder and another is copied
    (tmp_path / "photos" / "sub").mkdir()
    moved = tmp_path / "photos" / "sub" / "a-renamed.jpg"
    a.rename(moved)
    shutil.copy(tmp_path / "photos" / "b.jpg", tmp_path / "photos" / "b-copy.jpg")
    report, counts, _ = _index(library_home)
    # THEN nothing is re-embedded; the old path is gone; the copy shares the vector
    assert report.added == 0
    assert report.reused == 2
    assert report.removed == 1
    assert counts == {"photos": 3, "problems": 0, "vectors": 2}
    with Library(library_home) as library:
        assert library.catalog.lookup(str(moved)) is not None
        assert library.catalog.lookup(str(a)) is None


def test_changed_file_is_reembedded_and_old_vector_dropped(library_home, make_photo, tmp_path):
    path = make_photo("a.jpg", seed=1)
    make_photo("b.jpg", seed=2)
    _index(library_home, tmp_path / "photos")
    with Library(library_home) as library:
        old_key = library.catalog.lookup(str(path))[0]
    make_photo("a.jpg", seed=3)  # same name, new picture
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    report, counts, _ = _index(library_home)
    assert report.changed == 1
    assert counts["vectors"] == 2
    with Library(library_home) as library:
        assert library.catalog.lookup(str(path))[0] != old_key
        assert len(library.index) == 2


def test_deleted_files_leave_the_library(library_home, make_photo, tmp_path):
    a = make_photo("a.jpg", seed=1)
    make_photo("b.jpg", seed=2)
    _index(library_home, tmp_path / "photos")
    a.unlink()
    report, counts, _ = _index(library_home)
    assert report.removed == 1
    assert counts == {"photos": 1, "problems": 0, "vectors": 1}
    with Library(library_home) as library:
        assert len(library.index) == 1


def test_hostile_files_are_skipped_with_reasons(library_home, make_photo, hostile_files, tmp_path):
    # GIVEN good photos mixed with truncated, empty, non-image and pixel-bomb files
    make_photo("good1.jpg", seed=1)
    make_photo("good2.jpg", seed=2)
    # WHEN indexed
    _report, counts, problems = _index(library_home, tmp_path / "photos")
    # THEN each bad file is reported once with a reason; the good ones (and the misnamed PNG) index
    bad = {Path(p.path).name: p.reason for p in problems}
    assert set(bad) == {"truncated.jpg", "empty.jpg", "notes.jpg", "bomb.png"}
    assert "too large" in bad["bomb.png"]
    assert counts["photos"] == 3
    assert counts["problems"] == 4
    # AND a rerun does not retry or re-report them
    again, _, problems2 = _index(library_home)
    assert problems2 == []
    assert again.unchanged == 3


def test_problem_fixed_by_user_is_indexed_next_time(
    library_home, hostile_files, make_photo, tmp_path
):
    _index(library_home, tmp_path / "photos")
    broken = hostile_files["truncated"]
    make_photo(broken.name, seed=5)
    os.utime(broken, ns=(broken.stat().st_atime_ns, broken.stat().st_mtime_ns + 10**9))
    report, counts, _ = _index(library_home)
    assert report.changed == 1
    assert counts["problems"] == 3


def test_unicode_long_names_and_junk_folders(library_home, make_photo, tmp_path):
    long_name = "é" * 60 + "_" + "x" * 100 + ".jpg"
    make_photo(f"日本/{long_name}", seed=1)
    make_photo("Ünïcödé 📷.png", seed=2, fmt="PNG")
    make_photo("@eaDir/thumb.jpg", seed=3)
    make_photo(".hidden/secret.jpg", seed=4)
    make_photo(".DS_Store.jpg", seed=5)
    (tmp_path / "photos" / "readme.txt").write_text("not a photo")
    _, counts, problems = _index(library_home, tmp_path / "photos")
    assert counts["photos"] == 2
    assert problems == []


def test_symlink_loop_is_walked_once(library_home, make_photo, tmp_path):
    make_photo("a/one.jpg", seed=1)
    (tmp_path / "photos" / "a" / "loop").symlink_to(tmp_path / "photos")
    _, counts, _ = _index(library_home, tmp_path / "photos")
    assert counts["photos"] == 1


def test_unreadable_folder_is_reported_and_rest_indexed(
    library_home, make_photo, tmp_path, monkeypatch
):
    make_photo("ok/a.jpg", seed=1)
    make_photo("locked/b.jpg", seed=2)
    locked = str(tmp_path / "photos" / "locked")
    real_scandir = os.scandir

    def scandir(path):  # root reads everything, so the refusal is simulated
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    _, counts, problems = _index(library_home, tmp_path / "photos")
    assert counts["photos"] == 1
    assert [p.path for p in problems] == [locked]
    assert "permission denied" in problems[0].reason


def test_file_vanishing_mid_run_is_skipped(library_home, make_photo, tmp_path, monkeypatch):
    import core.decode

    make_photo("a.jpg", seed=1)
    b = make_photo("b.jpg", seed=2)
    real_prepare = core.decode.prepare

    def prepare(path, *args, **kw):
        if path == str(b):
            b.unlink(missing_ok=True)  # deleted between the scan and the decode
        return real_prepare(path, *args, **kw)

    monkeypatch.setattr("core.decode_worker.prepare", prepare)
    _, counts, problems = _index(library_home, tmp_path / "photos")
    assert counts["photos"] == 1
    assert "vanished" in problems[0].reason


def test_offline_root_keeps_its_photos(library_home, make_photo, tmp_path):
    # GIVEN an indexed folder on a drive that is later unplugged (folder gone)
    drive = tmp_path / "drive"
    for i in range(3):
        make_photo(f"d{i}.jpg", seed=i, root=drive)
    _index(library_home, drive)
    moved_away = tmp_path / "elsewhere"
    drive.rename(moved_away)
    # WHEN the library is re-indexed
    report, counts, _ = _index(library_home)
    # THEN the root is reported offline and nothing is forgotten
    assert report.offline_roots == [str(drive)]
    assert report.removed == 0
    assert counts["photos"] == 3
    with Library(library_home) as library:
        assert library.catalog.roots()[0].state == "offline"


def test_unmounted_mount_point_is_offline_not_empty(library_home, make_photo, tmp_path):
    drive = tmp_path / "mnt"
    make_photo("a.jpg", seed=1, root=drive)
    _index(library_home, drive)
    (drive / "a.jpg").unlink()  # an unmounted mount point is an empty folder
    report, counts, _ = _index(library_home)
    assert report.offline_roots == [str(drive)]
    assert counts["photos"] == 1


def test_exclude_patterns(library_home, make_photo, tmp_path):
    make_photo("keep/a.jpg", seed=1)
    make_photo("tmp/b.jpg", seed=2)
    make_photo("c.gif", seed=3, fmt="GIF")
    with Library(library_home, writer=True) as library:
        root = library.catalog.add_root(str(tmp_path / "photos"))
        with library.catalog.transaction():
            library.catalog.set_root_excludes(root.id, ["tmp", "*.gif"])
        index_library(library, workers=0)
        assert library.catalog.counts()["photos"] == 1


def test_nested_roots_fold_into_parent(library_home, make_photo, tmp_path):
    make_photo("2024/a.jpg", seed=1)
    make_photo("b.jpg", seed=2)
    _index(library_home, tmp_path / "photos" / "2024")
    report, _counts, _ = _index(library_home, tmp_path / "photos")
    assert report.added == 1
    assert report.unchanged == 1
    with Library(library_home) as library:
        assert [r.path for r in library.catalog.roots()] == [str(tmp_path / "photos")]


def test_missing_and_file_paths_are_clear_errors(library_home, make_photo, tmp_path):
    photo = make_photo("a.jpg")
    with Library(library_home, writer=True) as library:
        with pytest.raises(SimiliError, match="no such folder"):
            index_library(library, [str(tmp_path / "nope")])
        with pytest.raises(SimiliError, match="is a file"):
            index_library(library, [str(photo)])


def test_decode_pool_matches_inline(library_home, make_photo, tmp_path):
    # The process pool (used for real libraries) gives the same vectors as inline decoding.
    for i in range(30):
        make_photo(f"p{i:02d}.jpg", seed=i)
    with Library(library_home, writer=True) as library:
        report = index_library(library, [str(tmp_path / "photos")], workers=2)
        assert report.added == 30
        hits = search(library, str(tmp_path / "photos" / "p07.jpg"), top=1)
        assert Path(hits[0].path).name == "p07.jpg"


def test_progress_and_cancel_keep_finished_batches(library_home, make_photo, tmp_path):
    for i in range(12):
        make_photo(f"p{i:02d}.jpg", seed=i)
    cancel = CancelToken()
    seen: list[Progress] = []

    def on_progress(p: Progress) -> None:
        seen.append(p)
        if p.phase == "indexing" and p.done >= 4:
            cancel.cancel()

    with Library(library_home, writer=True) as library, pytest.raises(Cancelled):
        index_library(
            library, [str(tmp_path / "photos")], workers=0, batch_size=4, cancel=cancel,
            on_progress=on_progress,
        )  # fmt: skip
    with Library(library_home) as library:
        done = library.catalog.counts()["photos"]
        assert 4 <= done < 12
        assert len(library.index) == done  # the index was saved consistent with the catalogue
    assert any(p.phase == "indexing" and p.total == 12 for p in seen)
    report, counts, _ = _index(library_home)
    assert report.added == 12 - done
    assert counts["photos"] == 12


def test_search_and_similar_find_edited_copies(library_home, make_photo, tmp_path):
    # GIVEN distinct scenes and, for one, a resized + recompressed copy
    from PIL import Image

    for i in range(6):
        make_photo(f"scene{i}.jpg", seed=10 + i, size=(480, 360))
    original = tmp_path / "photos" / "scene3.jpg"
    Image.open(original).resize((240, 180)).save(
        tmp_path / "photos" / "scene3-small.jpg", quality=60
    )
    _index(library_home, tmp_path / "photos")
    with Library(library_home) as library:
        # WHEN "more like this" runs on the original
        hits = similar(library, str(original), top=3)
        # THEN the edited copy is first and the original is not in its own results
        assert Path(hits[0].path).name == "scene3-small.jpg"
        assert str(original) not in [h.path for h in hits]
        assert hits[0].score > hits[1].score
        # AND an outside query image finds the same scene first
        outside = tmp_path / "query.png"
        Image.open(original).crop((20, 20, 460, 340)).save(outside)
        assert Path(search(library, str(outside), top=1)[0].path).name.startswith("scene3")


def test_library_inside_a_root_is_never_indexed(make_photo, tmp_path):
    # GIVEN a library folder that lies inside the photo folder (and holds .jpg files)
    photos = tmp_path / "photos"
    make_photo("a.jpg", seed=1)
    home = photos / "simili-library"
    make_photo("thumb.jpg", seed=2, root=home / "thumbnails")
    with _fresh_library(home) as library:
        index_library(library, [str(photos)], workers=0)
        # WHEN a watcher reports a change inside the library folder
        index_library(library, targets=[str(home / "thumbnails" / "thumb.jpg")], workers=0)
        # THEN only the real photo is in the library
        assert library.catalog.counts()["photos"] == 1


def _fresh_library(home: Path) -> Library:
    catalog_dir = home
    catalog_dir.mkdir(parents=True, exist_ok=True)
    # An existing (empty) library in a non-empty folder. (A zero-byte file is a damaged
    # catalogue, never a new one: tests/core/test_repair.py.)
    from core.catalog import create_catalog

    create_catalog(catalog_dir / "catalog.sqlite")
    return Library(home, writer=True)


def test_model_change_rebuilds_every_vector(library_home, make_photo, tmp_path):
    import json
    import shutil

    from core.paths import default_model_manifest

    for i in range(3):
        make_photo(f"p{i}.jpg", seed=i)
    _index(library_home, tmp_path / "photos")
    # GIVEN a new model version (same weights, bumped version in its manifest)
    shipped = default_model_manifest()
    newer = tmp_path / "model"
    newer.mkdir()
    data = json.loads(shipped.read_text())
    data["version"] += 1
    shutil.copy(shipped.parent / data["file"], newer / data["file"])
    (newer / "manifest.json").write_text(json.dumps(data))
    # WHEN the library is opened and indexed with it
    with Library(library_home, writer=True, model=newer / "manifest.json") as library:
        report = index_library(library, workers=0)
        assert report.changed == 3  # all re-embedded, none reused
        assert library.catalog.get_meta("model") == library.model.fingerprint
        assert len(library.index) == 3
    # AND readers with the old model are told to re-index rather than mixing vectors
    with pytest.raises(SimiliError, match="run `simili index`"):
        Library(library_home)


def test_identical_copies_in_one_batch_share_one_vector(library_home, make_photo, tmp_path):
    original = make_photo("a.jpg", seed=1)
    for i in range(3):
        shutil.copy(original, tmp_path / "photos" / f"copy{i}.jpg")
    make_photo("b.jpg", seed=2)
    _, counts, problems = _index(library_home, tmp_path / "photos")
    assert problems == []
    assert counts == {"photos": 5, "problems": 0, "vectors": 2}
    with Library(library_home) as library:
        assert len(library.index) == 2
        copies = [m.path for m in similar(library, str(original), top=3)]
        assert sorted(Path(p).name for p in copies) == ["copy0.jpg", "copy1.jpg", "copy2.jpg"]


# -- junk mounts: a root or mount point where none of the known photos is present is offline ----
@pytest.mark.parametrize("junk", ["lost+found", ".Trash-1000"])
def test_root_with_only_junk_left_is_offline(library_home, make_photo, tmp_path, junk):
    # GIVEN an indexed drive, later mounted again holding only a system folder (or a blank disk)
    drive = tmp_path / "drive"
    for i in range(3):
        make_photo(f"d{i}.jpg", seed=i, root=drive)
    _index(library_home, drive)
    for photo in drive.glob("*.jpg"):
        photo.unlink()
    (drive / junk).mkdir()
    # WHEN the library is re-indexed
    report, counts, _ = _index(library_home)
    # THEN the drive is offline, not "everything deleted"
    assert report.offline_roots == [str(drive)]
    assert report.removed == 0
    assert counts["photos"] == 3
    with Library(library_home) as library:
        assert library.catalog.roots()[0].state == "offline"


def test_root_with_some_photos_gone_still_removes_them(library_home, make_photo, tmp_path):
    drive = tmp_path / "drive"
    for i in range(3):
        make_photo(f"d{i}.jpg", seed=i, root=drive)
    _index(library_home, drive)
    (drive / "d0.jpg").unlink()
    (drive / "d1.jpg").unlink()
    (drive / "lost+found").mkdir()
    report, counts, _ = _index(library_home)
    assert report.offline_roots == []
    assert report.removed == 2
    assert counts["photos"] == 1


def _inner_mount_layout(make_photo: Callable, tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "photos"
    make_photo("a.jpg", seed=1, root=root)
    make_photo("b.jpg", seed=2, root=root)
    make_photo("plain/p.jpg", seed=5, root=root)
    inner = root / "drive"
    make_photo("c.jpg", seed=3, root=inner)
    make_photo("sub/d.jpg", seed=4, root=inner)
    return root, inner


def test_mount_point_inside_root_with_only_junk_is_offline(
    library_home, make_photo, tmp_path, monkeypatch
):
    # GIVEN a root with a drive mounted at root/drive, indexed
    root, inner = _inner_mount_layout(make_photo, tmp_path)
    _index(library_home, root)
    # WHEN the drive's photos are all gone but the folder is (still) a mount point holding junk,
    # and a plain folder's only photo was deleted by the user
    shutil.rmtree(inner)
    (inner / "lost+found").mkdir(parents=True)
    (root / "plain" / "p.jpg").unlink()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: os.fspath(p) == str(inner) or real(p))
    report, counts, _ = _index(library_home)
    # THEN the drive's photos are kept and reported offline; the plain deletion is real
    assert str(inner) in report.offline_roots
    assert report.removed == 1
    assert counts["photos"] == 4
    with Library(library_home) as library:
        assert library.catalog.lookup(str(inner / "sub" / "d.jpg")) is not None
        assert library.catalog.lookup(str(root / "plain" / "p.jpg")) is None


def test_watch_batch_on_junk_mount_keeps_photos(library_home, make_photo, tmp_path, monkeypatch):
    # GIVEN the same layout; the watcher reports the mount point changed
    root, inner = _inner_mount_layout(make_photo, tmp_path)
    _index(library_home, root)
    shutil.rmtree(inner)
    (inner / "lost+found").mkdir(parents=True)
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: os.fspath(p) == str(inner) or real(p))
    report, counts, _ = _index(library_home, targets=[str(inner / "c.jpg"), str(inner / "sub")])
    assert report.removed == 0
    assert counts["photos"] == 5


def _mount_tmpfs(folder: Path) -> None:
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"mounting not permitted here: {done.stderr.decode().strip()}")


def _umount(folder: Path) -> None:
    import subprocess

    # Not guarded by os.path.ismount: it misses bind mounts on the same disk.
    subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def test_real_mount_inside_root_unmounted_or_blank_keeps_photos(library_home, make_photo, tmp_path):
    root = tmp_path / "photos"
    make_photo("a.jpg", seed=1, root=root)
    inner = root / "drive"
    _mount_tmpfs(inner)
    try:
        make_photo("c.jpg", seed=3, root=inner)
        make_photo("sub/d.jpg", seed=4, root=inner)
        _index(library_home, root)
        # WHEN the drive is unmounted: an empty folder is left behind
        _umount(inner)
        report, counts, _ = _index(library_home)
        assert (report.removed, counts["photos"]) == (0, 3)
        assert str(inner) in report.offline_roots
        # WHEN a blank drive is mounted there instead
        _mount_tmpfs(inner)
        (inner / "lost+found").mkdir()
        report, counts, _ = _index(library_home)
        assert (report.removed, counts["photos"]) == (0, 3)
    finally:
        _umount(inner)


def test_dangling_symlink_is_reported_as_broken_link(library_home, make_photo, tmp_path):
    make_photo("a.jpg", seed=1)
    (tmp_path / "photos" / "gone.jpg").symlink_to(tmp_path / "nowhere.jpg")
    _, counts, problems = _index(library_home, tmp_path / "photos")
    assert counts["photos"] == 1
    assert [(p.path, p.reason) for p in problems] == [
        (str(tmp_path / "photos" / "gone.jpg"), "broken link")
    ]


def test_root_whose_photos_all_moved_inside_it_is_online(library_home, make_photo, tmp_path):
    # GIVEN every known photo of a root moved into a new subfolder (none at its known path)
    root = tmp_path / "photos"
    make_photo("a.jpg", seed=1, root=root)
    make_photo("b.jpg", seed=2, root=root)
    _index(library_home, root)
    (root / "sorted").mkdir()
    for name in ("a.jpg", "b.jpg"):
        (root / name).rename(root / "sorted" / name)
    # WHEN the library is re-indexed
    report, counts, _ = _index(library_home)
    # THEN the root is online: the moves are picked up, nothing is re-embedded
    assert report.offline_roots == []
    assert (report.reused, report.removed, counts["photos"]) == (2, 2, 2)


def test_bind_mount_inside_root_unmounted_keeps_photos(library_home, make_photo, tmp_path):
    # A bind mount of a folder on the same disk keeps its device number: only the OS's mount
    # list tells it from a plain folder.
    import subprocess

    root = tmp_path / "photos"
    make_photo("a.jpg", seed=1, root=root)
    store = tmp_path / "store"
    make_photo("c.jpg", seed=3, root=store)
    make_photo("sub/d.jpg", seed=4, root=store)
    inner = root / "drive"
    inner.mkdir()
    if os.geteuid() != 0:
        pytest.skip("bind mounts need root")
    done = subprocess.run(["mount", "--bind", str(store), str(inner)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"mounting not permitted here: {done.stderr.decode().strip()}")
    try:
        _index(library_home, root)
        _umount(inner)
        report, counts, _ = _index(library_home)
        assert (report.removed, counts["photos"]) == (0, 3)
        assert str(inner) in report.offline_roots
    finally:
        _umount(inner)
