"""Build the *fresh3* split: a third untouched split, for after `fresh2` was looked at.

    python benchmarks/dupset_fresh3.py                  # builds /work/data/dupset_fresh3/fresh3
    python benchmarks/duplicates_bench.py --sets fresh3 # reports on it

Why: `fresh2` (benchmarks/dupset_fresh2.py) was reported on and its false links were looked at,
so it no longer says how the finder does on photos nobody tuned on. This split is built the same
way from Debian packages that no earlier split, test or tuning step read (desktop-base was only
opened once, to decide that the first dupset would not use it):

  * screenshot  the manuals of four more apps, one split key each, so the screens of one app are
                hard negatives of each other: Gnumeric (gnumeric-doc, the C locale: dialogs and
                sheets, the "one template" case), Marble (marble-data, English), Kdenlive
                (kdenlive-data, English) and OpenShot (openshot-qt-doc);
  * lowtexture  the sky boxes of Extreme Tux Racer (extremetuxracer-data: the left, front and
                right sky of four weathers, the high-resolution files only, since each low one
                is the same picture smaller) and its snow textures: sky, cloud and snow with few
                keypoints; every two are hard negatives;
  * art         Debian's boot and login backgrounds (desktop-base: one 16:9 picture per theme;
                the 4:3 one is the same design re-rendered);
  * photo       the real photos in digikam-data's themes (a desk, a card album, a film strip).

The edits, the look-alike drop and the hard negatives are those of dupset_fresh. Tune nothing
on this split.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dupset_fresh as fresh

SEED = 20261206
PACKAGES = [
    "gnumeric-doc", "marble-data", "kdenlive-data", "openshot-qt-doc", "extremetuxracer-data",
    "desktop-base", "digikam-data",
]  # fmt: skip
LICENCES = {  # from each package's debian/copyright (summarised)
    "gnumeric-doc": "GFDL-1.1+ / GPL-2+ (documentation, see copyright)",
    "marble-data": "LGPL-2.1+ / CC0-1.0 / GFDL (documentation, see copyright)",
    "kdenlive-data": "GPL-2+ / GPL-3+ / GFDL (documentation, see copyright)",
    "openshot-qt-doc": "CC-BY-SA-4.0 / GPL-3.0+",
    "extremetuxracer-data": "GPL-2+ / Expat",
    "desktop-base": "GPL-2+ / CC-BY-SA (per theme, see copyright)",
    "digikam-data": "GPL-2+ (see copyright)",
}
PER_KIND = {"screenshot_gnumeric": 40, "screenshot_marble": 20, "screenshot_openshot": 20}


def candidates(pkgs: Path) -> list[fresh.Row]:
    """(id, kind, split key, file) of every source before picking and de-duplication."""
    out: list[fresh.Row] = []
    apps = [
        ("gnumeric", "gnumeric-doc/usr/share/help/C/gnumeric/figures", "*.png"),
        ("marble", "marble-data/usr/share/doc/HTML/en/marble", "*.png"),
        ("kdenlive", "kdenlive-data/usr/share/doc/HTML/en/kdenlive", "*.png"),
        ("openshot", "openshot-qt-doc/usr/share/doc/openshot-qt/html/_images", "*.*"),
    ]
    for app, folder, pattern in apps:
        for p in sorted((pkgs / folder).glob(pattern)):
            if p.suffix.lower() in (".png", ".jpg") and p.stat().st_size > 20_000:
                out.append((f"{app}_{p.stem}", f"screenshot_{app}", f"app_{app}", p))
    etr = pkgs / "extremetuxracer-data/usr/share/games/etr"
    for weather in ("sunny", "cloudy", "evening", "night"):
        for face in ("leftH", "frontH", "rightH"):
            out.append(
                (
                    f"sky_{weather}_{face}",
                    "lowtexture",
                    "skies",
                    etr / f"env/etr/{weather}/{face}.png",
                )
            )
    for name in ("snow1", "snow2"):
        out.append((f"snow_{name}", "lowtexture", "skies", etr / f"textures/{name}.png"))
    base = pkgs / "desktop-base/usr/share/desktop-base"
    for p in sorted(base.glob("*-theme/grub/grub-16x9.png")):
        theme = p.parts[-3].removesuffix("-theme")
        out.append((f"debian_{theme}", "art", f"debian_{theme}", p))
    digikam = pkgs / "digikam-data/usr/share/digikam"
    for rel in (
        "about/images/body-background.jpg",
        "themes/html5responsive/resources/images/BrownCard/brownCardAlbum.jpg",
        "themes/html5responsive/resources/images/Lightbox/SafetyFilm-strip.jpg",
    ):
        out.append(
            (f"digikam_{Path(rel).stem}", "photo", f"digikam_{Path(rel).stem}", digikam / rel)
        )
    return out


FRESH3 = fresh.Recipe("fresh3", "dupset_fresh3.py", SEED, PACKAGES, LICENCES, candidates, PER_KIND)


if __name__ == "__main__":
    fresh.main(FRESH3, __doc__ or "")
