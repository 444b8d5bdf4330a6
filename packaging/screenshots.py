"""Take the README screenshots of the real app window (run under Xvfb with a window manager).

The photos are real ones from two Debian packages, redistributable under the licences in each
package's copyright file (credits in resources/screenshots/CREDITS.md), plus edited copies made
here, so the pictures may be shown. Fetch and unpack the packages, then run under Xvfb with
openbox (so the window has its frame):

    mkdir -p /tmp/pkgs && cd /tmp/pkgs && apt-get download palapeli-data gcompris-qt-data
    dpkg -x palapeli-data_*.deb palapeli-data && dpkg -x gcompris-qt-data_*.deb gcompris-qt-data
    Xvfb :99 -screen 0 1280x860x24 & sleep 1; DISPLAY=:99 openbox & sleep 1
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python packaging/screenshots.py /tmp/pkgs

gcompris keeps its photos inside Qt resource bundles (.rcc); Qt's own reader copies them out.
Drives a fresh library through: first run, indexing in progress, a result grid, the detail view
and the duplicates review.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QFile, QResource
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from desktop.app import create_window  # noqa: E402

OUT = REPO / "resources" / "screenshots"
PALAPELI = "palapeli-data/usr/share/palapeli/collection"
GCOMPRIS = "gcompris-qt-data/usr/share/gcompris-qt/rcc"  # one Qt resource bundle per activity
FARM, WORLD = "explore_farm_animals", "explore_world_animals"
# demo name: (where: "palapeli" or a gcompris activity, file name); credits in CREDITS.md
PHOTOS: dict[str, tuple[str, str]] = {
    "cat": (FARM, "cat.webp"),
    "castle": ("palapeli", "castle-maintenon.jpg"),
    "bee": ("palapeli", "european-honey-bee.jpg"),
    "panda": (WORLD, "panda.webp"),
    "bridge": ("palapeli", "cincinnati-bridge.jpg"),
    "citrus": ("palapeli", "citrus-fruits.jpg"),
    "horses": (FARM, "horse.webp"),
    "macaw": (WORLD, "scarlet_macaw.webp"),
    "polar-bear": (WORLD, "polar_bear.webp"),
    "sheep": (FARM, "sheep.webp"),
}
QUERY = "cat-crop.jpg"


def read_photo(pkgs: Path, where: str, name: str) -> bytes:
    """The bytes of one photo: a palapeli file, or a file inside a gcompris .rcc bundle."""
    if where == "palapeli":
        path = pkgs / PALAPELI / name
        if not path.is_file():
            raise SystemExit(f"{path}: missing; unpack palapeli-data there (see the docstring)")
        return path.read_bytes()
    bundle = pkgs / GCOMPRIS / f"{where}.rcc"
    if not QResource.registerResource(str(bundle)):  # registering twice is harmless
        raise SystemExit(f"{bundle}: missing or unreadable; unpack gcompris-qt-data there")
    resource = f":/gcompris/src/activities/{where}/resource/animals/{name}"
    file = QFile(resource)
    if not file.open(QFile.OpenModeFlag.ReadOnly):
        raise SystemExit(f"{bundle}: holds no {resource}")
    data = bytes(file.readAll().data())
    file.close()
    return data


def make_demo_photos(pkgs: Path, out: Path) -> Path:
    """The packaged photos and the kinds of edited copies a real library accumulates."""
    from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

    out.mkdir(parents=True, exist_ok=True)
    for stem, (where, name) in PHOTOS.items():
        image = Image.open(io.BytesIO(read_photo(pkgs, where, name))).convert("RGB")
        image.thumbnail((1024, 1024))  # one size for all: the packages ship 1024 to 1620 px
        image.save(out / f"{stem}.jpg", quality=92)
        w, h = image.size
        image.resize((w // 2, h // 2)).save(out / f"{stem}-small.jpg", quality=60)
        image.crop((w // 8, h // 8, w - w // 6, h - h // 5)).save(out / f"{stem}-crop.jpg")
        ImageOps.grayscale(image).save(out / f"{stem}-bw.png")
        ImageEnhance.Brightness(image).enhance(1.35).save(out / f"{stem}-bright.webp")
        captioned = image.copy()
        draw = ImageDraw.Draw(captioned)
        draw.rectangle([0, h - h // 8, w, h], fill=(255, 255, 255))
        font = ImageFont.load_default(size=h // 18)
        draw.text((h // 30, h - h // 10), "holiday 2024", fill=(0, 0, 0), font=font)
        captioned.save(out / f"{stem}-caption.jpg", quality=85)
    return out


def main() -> int:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    # a fixed, readable folder: its path shows in the results header and the detail view
    work = Path(tempfile.gettempdir()) / "simili-demo"
    marker = work / ".made-by-simili-screenshots"
    if work.exists() and not marker.exists():
        raise SystemExit(f"{work} exists and was not made by this script; move it away first")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    marker.touch()
    photos = make_demo_photos(Path(sys.argv[1]), work / "Pictures")
    query = photos / QUERY
    app = QApplication(sys.argv)
    home = work / "library"
    window = create_window(home)
    window.resize(1240, 800)
    window.move(20, 20)
    window.show()

    def spin(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def shot(name: str) -> None:
        spin(0.3)
        screen = QGuiApplication.primaryScreen()
        screen.grabWindow(0).copy(window.frameGeometry()).save(str(OUT / name))
        print("saved", OUT / name)

    OUT.mkdir(parents=True, exist_ok=True)
    spin(1.0)
    shot("empty-state.png")
    window.add_folder(str(photos))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        spin(0.2)
        if (
            window.progress.maximum() > 0
            and window.progress.value() > window.progress.maximum() / 4
        ):
            break
    shot("indexing.png")
    while window.controller.busy:
        spin(0.3)
    spin(1.0)
    window.search_for(str(query))
    spin(4.0)
    shot("results.png")
    matches = window.model.matches()
    if len(matches) > 1:
        window.show_detail(matches[1].path)
        spin(4.0)
        shot("detail.png")
    window.show_duplicates()
    spin(1.0)
    while window.controller.busy:
        spin(0.3)
    spin(4.0)
    shot("duplicates.png")
    window.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
