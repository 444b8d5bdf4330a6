"""Similar-shots hints: EXIF camera and time, else folder and file times, else folder alone."""

from __future__ import annotations

from core.bursts import Shot, burst_edges, hint, taken_seconds, time_pairs


def _shot(key: int, folder: str = "/p", camera: str | None = None, taken: str | None = None,
          mtime: float = 1000.0) -> Shot:  # fmt: skip
    return Shot(key, camera, taken_seconds(taken), mtime, folder)


def test_exif_times_decide_when_both_photos_have_them():
    a = _shot(1, camera="Cam", taken="2024:05:01 10:00:00")
    b = _shot(2, camera="Cam", taken="2024:05:01 10:00:03", folder="/elsewhere")
    later = _shot(3, camera="Cam", taken="2024:05:01 11:00:00")
    other_camera = _shot(4, camera="Other", taken="2024:05:01 10:00:01")
    assert hint(a, b, 10) == "same camera, 3 s apart"
    assert hint(a, later, 10) is None  # same folder does not rescue another moment
    assert hint(a, other_camera, 10) is None
    frame = _shot(5, camera="Cam", taken="2024:05:01 10:00:00.40")
    assert hint(a, frame, 10) == "same camera, 0.4 s apart"  # not "0 s"


def test_without_exif_the_folder_and_file_times_are_the_hints():
    a, b = _shot(1, mtime=1000.0), _shot(2, mtime=1004.0)
    far = _shot(3, mtime=9000.0)
    elsewhere = _shot(4, folder="/q", mtime=1001.0)
    assert hint(a, b, 10) == "same folder, saved 4 s apart"
    assert hint(a, far, 10) == "same folder"
    assert hint(a, elsewhere, 10) is None


def test_weaker_hints_need_more_similarity():
    info = {
        1: _shot(1, camera="Cam", taken="2024:05:01 10:00:00"),
        2: _shot(2, camera="Cam", taken="2024:05:01 10:00:02"),
        3: _shot(3, mtime=1000.0),
        4: _shot(4, mtime=1002.0),
        5: _shot(5, mtime=5000.0),
        6: _shot(6, mtime=9000.0),
    }
    pairs = [((1, 2), 0.86), ((3, 4), 0.88), ((5, 6), 0.92), ((3, 5), 0.99)]
    edges = {(a, b): why for _, a, b, why in burst_edges(info, pairs, 10, 0.85)}
    assert edges[(1, 2)].startswith("same camera")
    assert (3, 4) not in edges  # file times need 0.90
    assert (5, 6) not in edges  # the folder alone needs 0.95
    assert edges[(3, 5)] == "same folder"


def test_time_pairs_sweep_only_close_shots_of_one_camera():
    info = {
        1: _shot(1, camera="Cam", taken="2024:05:01 10:00:00"),
        2: _shot(2, camera="Cam", taken="2024:05:01 10:00:05"),
        3: _shot(3, camera="Cam", taken="2024:05:01 10:00:30"),
        4: _shot(4, camera="B", taken="2024:05:01 10:00:01"),
    }
    assert time_pairs(info, 10) == [(1, 2)]
