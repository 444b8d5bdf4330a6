from __future__ import annotations

import os

import pytest

from desktop.thumbnails import prune, render

pytestmark = pytest.mark.gui


def test_render_caches_on_disk_and_prune_keeps_the_newest(make_photo, tmp_path):
    cache = tmp_path / "thumbnails"
    paths = [make_photo(f"p{i}.jpg", seed=i, size=(800, 600)) for i in range(4)]
    for i, path in enumerate(paths):
        image = render(str(path), 160, cache)
        assert max(image.width(), image.height()) == 160
        newest = max(cache.glob("*/*.jpg"), key=lambda f: f.stat().st_mtime_ns)
        os.utime(newest, (1000 + i, 1000 + i))  # deterministic age order
    files = sorted(cache.glob("*/*.jpg"), key=lambda f: f.stat().st_mtime)
    assert len(files) == 4
    keep = files[-1].stat().st_size + files[-2].stat().st_size
    freed = prune(cache, limit=keep)
    assert freed > 0
    assert sorted(cache.glob("*/*.jpg")) == sorted(files[-2:])
    # a cached thumbnail is served from disk, a pruned one is made again
    assert not render(str(paths[0]), 160, cache).isNull()
