"""Take the README screenshots of the real app window (run under Xvfb).

The photos are public-domain / CC0 samples shipped inside the scikit-image wheel (credits in
resources/screenshots/CREDITS.md), plus edited copies made here, so the pictures may be shown:

    pip download --no-deps scikit-image -d /tmp/sk
    unzip -q -o /tmp/sk/*.whl 'skimage/data/*' -d /tmp/sk
    xvfb-run -s "-screen 0 1280x860x24" python packaging/screenshots.py /tmp/sk/skimage/data

Drives a fresh library through: first run, indexing in progress, a result grid, the detail view
and the duplicates review.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from desktop.app import create_window  # noqa: E402

OUT = REPO / "resources" / "screenshots"
SAMPLES = ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "hubble_deep_field.jpg",
           "brick.png", "grass.png", "gravel.png", "camera.png")  # fmt: skip


def make_demo_photos(samples: Path, out: Path) -> Path:
    """The CC0 samples and the kinds of edited copies a real library accumulates."""
    from PIL import Image, ImageDraw, ImageEnhance, ImageOps

    out.mkdir(parents=True, exist_ok=True)
    for name in SAMPLES:
        source = samples / name
        if not source.is_file():
            continue
        image = Image.open(source).convert("RGB")
        stem = source.stem
        image.save(out / f"{stem}.jpg", quality=92)
        w, h = image.size
        image.resize((w // 2, h // 2)).save(out / f"{stem}-small.jpg", quality=60)
        image.crop((w // 8, h // 8, w - w // 6, h - h // 5)).save(out / f"{stem}-crop.jpg")
        ImageOps.grayscale(image).save(out / f"{stem}-bw.png")
        ImageEnhance.Brightness(image).enhance(1.35).save(out / f"{stem}-bright.webp")
        captioned = image.copy()
        draw = ImageDraw.Draw(captioned)
        draw.rectangle([0, h - h // 8, w, h], fill=(255, 255, 255))
        draw.text((10, h - h // 10), "holiday 2024", fill=(0, 0, 0))
        captioned.save(out / f"{stem}-caption.jpg", quality=85)
    return out


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="simili-shots-"))
    photos = make_demo_photos(Path(sys.argv[1]), work / "Pictures")
    query = photos / "chelsea-crop.jpg"
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
