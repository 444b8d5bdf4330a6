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


def test_memory_is_bounded_in_bytes_and_previews_have_their_own_budget(qtbot):
    from PySide6.QtGui import QPixmap

    from desktop.thumbnails import PixmapLRU, ThumbnailCache, pixmap_bytes

    # GIVEN a budget of three 100×100 pixmaps
    one = pixmap_bytes(QPixmap(100, 100))
    lru = PixmapLRU(3 * one)
    for i in range(5):
        lru.put((f"p{i}", 100), QPixmap(100, 100))
    # THEN only the three most recent stay, and their bytes are counted
    assert len(lru) == 3
    assert lru.bytes == 3 * one
    assert ("p0", 100) not in lru
    assert lru.get(("p2", 100)) is not None  # p2 is now the most recently used
    lru.put(("big", 100), QPixmap(200, 100))  # two slots' worth: p3 and p4 go
    assert [k in lru for k in [("p2", 100), ("p3", 100), ("p4", 100)]] == [True, False, False]
    assert lru.bytes <= lru.budget
    # AND a pixmap larger than the whole budget is still kept alone (it is on screen)
    lru.put(("huge", 100), QPixmap(400, 400))
    assert len(lru) == 1
    # the cache keeps previews apart from grid thumbnails
    cache = ThumbnailCache(None, side=64)
    assert cache._lru(1600) is cache.previews
    assert cache._lru(320) is cache.memory
    cache.shutdown()


def test_thumbnails_and_previews_are_counted_where_they_belong(qtbot, make_photo):
    from desktop.thumbnails import ThumbnailCache

    photo = str(make_photo("big.jpg", seed=9, size=(1800, 1200)))
    cache = ThumbnailCache(None, side=64)
    with qtbot.waitSignal(cache.ready, timeout=20000):
        assert cache.get(photo) is None
    with qtbot.waitSignal(cache.ready, timeout=20000):
        assert cache.get(photo, 1600) is None
    small, large = cache.get(photo), cache.get(photo, 1600)
    assert (small.width(), large.width()) == (64, 1600)
    assert cache.memory.bytes == small.width() * small.height() * 4
    assert cache.previews.bytes == large.width() * large.height() * 4  # about 6.8 MB
    cache.shutdown()
