from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from desktop import xdg_thumbnails
from desktop.thumbnails import render
from desktop.xdg_thumbnails import entry_name, file_uri, lookup

pytestmark = pytest.mark.gui

RED = (255, 0, 0)


@pytest.fixture
def xdg_cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "thumbnails"


def _entry(root: Path, folder: str, photo: Path, size: tuple[int, int], **fields: str) -> Path:
    """A thumbnail as a file manager writes it: a PNG named by the URI's MD5, with Thumb:: keys."""
    info = PngInfo()
    values = {"Thumb::URI": file_uri(str(photo)), "Thumb::MTime": str(int(photo.stat().st_mtime))}
    values.update(fields)
    for key, value in values.items():
        info.add_text(key, value)
    target = root / folder / entry_name(str(photo))
    target.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, RED).save(target, "PNG", pnginfo=info)
    return target


def test_uri_and_name_follow_the_standard(tmp_path):
    # The example of the Thumbnail Managing Standard.
    assert hashlib.md5(b"file:///home/jens/photos/me.png").hexdigest() == (
        "c6ee772d9e49320e97ec29a7eb5b1697"
    )
    assert entry_name("/home/jens/photos/me.png") == "c6ee772d9e49320e97ec29a7eb5b1697.png"
    assert file_uri("/photos/a b/été(1).jpg") == "file:///photos/a%20b/%C3%A9t%C3%A9(1).jpg"


def test_cache_root_follows_xdg_cache_home(xdg_cache, monkeypatch):
    assert xdg_thumbnails.cache_root() == xdg_cache
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert xdg_thumbnails.cache_root() == Path.home() / ".cache" / "thumbnails"


def test_valid_large_enough_entry_is_used(xdg_cache, make_photo):
    photo = make_photo("a.jpg", seed=1, size=(1200, 900))
    entry = _entry(xdg_cache, "x-large", photo, (512, 384))
    assert lookup(str(photo), 320) == entry
    # the app's thumbnail comes from it, scaled down, and nothing is written there
    before = sorted(xdg_cache.rglob("*"))
    image = render(str(photo), 320, None)
    assert max(image.width(), image.height()) == 320
    assert image.pixelColor(100, 100).getRgb()[:3] == RED
    assert sorted(xdg_cache.rglob("*")) == before


def test_stale_entry_is_never_used(xdg_cache, make_photo):
    photo = make_photo("a.jpg", seed=1, size=(1200, 900))
    _entry(xdg_cache, "x-large", photo, (512, 384))
    # WHEN the photo is edited after the thumbnail was made
    later = photo.stat().st_mtime + 60
    os.utime(photo, (later, later))
    # THEN the old thumbnail is not shown: the photo is decoded afresh
    assert lookup(str(photo), 320) is None
    image = render(str(photo), 320, None)
    assert image.pixelColor(100, 100).getRgb()[:3] != RED


def test_foreign_or_too_small_entries_are_ignored(xdg_cache, make_photo):
    photo = make_photo("a.jpg", seed=1, size=(1200, 900))
    other = make_photo("b.jpg", seed=2, size=(1200, 900))
    _entry(xdg_cache, "x-large", photo, (512, 384), **{"Thumb::URI": file_uri(str(other))})
    _entry(xdg_cache, "large", photo, (256, 192))
    assert lookup(str(photo), 320) is None  # wrong URI; 256 px is too small for 320
    assert lookup(str(photo), 256) == xdg_cache / "large" / entry_name(str(photo))
    no_mtime = make_photo("c.jpg", seed=3, size=(1200, 900))
    _entry(xdg_cache, "x-large", no_mtime, (512, 384), **{"Thumb::MTime": "soon"})
    assert lookup(str(no_mtime), 320) is None


def test_small_photo_held_whole_qualifies(xdg_cache, make_photo):
    photo = make_photo("small.jpg", seed=4, size=(200, 150))
    fields = {"Thumb::Image::Width": "200", "Thumb::Image::Height": "150"}
    entry = _entry(xdg_cache, "normal", photo, (200, 150), **fields)
    assert lookup(str(photo), 320) == entry
