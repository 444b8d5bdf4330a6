"""Build the *fresh4* split: a fourth untouched split, heavy on real camera photos.

    python benchmarks/dupset_fresh4.py                  # builds /work/data/dupset_fresh4/fresh4
    python benchmarks/duplicates_bench.py --sets fresh4 # reports on it

Why: `fresh3` (benchmarks/dupset_fresh3.py) is mostly app screens; this split is mostly real
photos, from eight Debian packages that no earlier split, test or tuning step read (unpacked
into /work/data/pkgs-fresh4, not /work/data/pkgs-fresh):

  * photo       KPhotoAlbum's demo album (kphotoalbum: people in bars and at the beach, faces,
                dogs, a rabbit, the Grand Canyon, an airport in snow, a sunset; portrait and
                landscape, some stored turned), LXQt's photo wallpapers (lxqt-themes: flowers,
                butterflies, a dew drop, hills, clouds over mountains), Tux Typing's landscape
                backdrops (tuxtype-data: glaciers, coasts, a cave, rice terraces, a volcano)
                and its seal picture, the photos of three Scribus templates (scribus-template:
                a canyon, a pizza, kites in black and white), two test photos of Hugin's help
                (hugin-data: trees, an office block) and Kalzium's photos of lab ware
                (kalzium-data: close-ups on one tiled floor; only those of at least 300x400 px).
                Different shots of one subject (two photos of one dog, of one bar table, of
                one pool game, three of one Grand Canyon trip, the lab ware) share a split key
                and are listed as `photo-same-subject` hard negatives;
  * night       Scribus's moon and eclipse photos and a city skyline at dusk, and Tux Typing's
                space backdrops (a spiral galaxy, the Helix nebula, the Sombrero galaxy,
                Saturn); every two of one key (moon, space) are hard negatives;
  * lowtexture  fog and clouds (lxqt-themes), the sea (kphotoalbum's skagen), a Martian sky
                (tuxtype-data) and Krita's paper, canvas and sand patterns (krita-data: 512 px
                grey tiles): every two of one key (skies, papers) are hard negatives;
  * art         five of LXQt's rendered wallpapers (one of each recoloured or logo'd design);
  * screenshot  the manual screens of Kalzium (kalzium-data, English) and of Luminance HDR
                (luminance-hdr; its dialogs only, not the screens that show a photo being
                edited, which are one capture the truth would call two), one split key per
                app, so one app's screens are hard negatives of each other.

Left out on purpose: Hugin's projection examples (one photo reprojected many times), Tux Math's
backdrops (the same Hubble photos as Tux Typing's, pasted over a lunar ground), Fotoxx's and
KPhotoAlbum's manual screens (they show the demo photos again), LXQt's duplicate `beam` in the
silver theme. The edits, the look-alike drop and the other hard negatives are those of
dupset_fresh. Tune nothing on this split.
"""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dupset_fresh as fresh
from PIL import Image

SEED = 20261207
PKGS = Path("/work/data/pkgs-fresh4")
PACKAGES = [
    "kphotoalbum", "lxqt-themes", "tuxtype-data", "scribus-template", "hugin-data",
    "kalzium-data", "krita-data", "luminance-hdr",
]  # fmt: skip
LICENCES = {  # from each package's debian/copyright (summarised)
    "kphotoalbum": "GPL-2+ (demo photos not itemised; upstream KPhotoAlbum authors)",
    "lxqt-themes": "CC-BY-SA-3.0 (wallpapers; kde-plasma.png LGPL-3)",
    "tuxtype-data": "GPL-2 (images: GPL-2 or public domain NOAA/FWS per README_IMAGES; the "
    "kcas*.jpg and backgrounds/*.jpg files are not itemised)",
    "scribus-template": "public domain (templates br2, cal2, menu2, nl1-bw by Riku Leino)",
    "hugin-data": "GPL-2+",
    "kalzium-data": "GPL-2.0-or-later (data) / GFDL-1.2-only (documentation)",
    "krita-data": "GPL-2+ / LGPL-2+ (Files: *, see copyright)",
    "luminance-hdr": "GPL-2+",
}
PER_KIND = {"screenshot_kalzium": 15, "screenshot_luminance": 15}
KPA_KEYS = {  # KPhotoAlbum demo photos: different shots of one subject share a key
    "bar55": "bar55", "bar55_2": "bar55", "donna": "donna", "donna_2": "donna",
    "grand_canyon_1": "grand_canyon", "grand_canyon_2": "grand_canyon",
    "grand_canyon_3": "grand_canyon", "jesper": "jesper", "jesper_2": "jesper",
    "new_wave_1": "new_wave", "new_wave_2": "new_wave", "pool": "pool", "pool_2": "pool",
    "spiff": "spiff", "spiff_2": "spiff",
}  # fmt: skip
LXQT_PHOTOS = ["Butterfly-Kenneth-Wimer.jpg", "after-the-rain.jpg", "this-is-not-windows.jpg",
               "Valendas.png", "appleflower.png", "beam.png", "butterfly.png", "drop.png",
               "flowers.png"]  # fmt: skip
LXQT_SKIES = ["fog.jpg", "cloud.png"]
LXQT_ART = ["kde-plasma.png", "origami-dark.png", "plasma_arch.png",
            "simple_blue_widescreen.png", "triangles.png"]  # fmt: skip
SCRIBUS = [  # (template/file, kind, split key)
    ("br2/nature.jpg", "photo", "scribus_nature"),
    ("menu2/pizza.jpg", "photo", "scribus_pizza"),
    ("nl1-bw/kites-bw.png", "photo", "scribus_kites"),
    ("br2/moon.jpg", "night", "moon"),
    ("cal2/moon.jpg", "night", "moon"),
    ("br2/brightness.jpg", "night", "moon"),
    ("br2/halfmoon.jpg", "night", "moon"),
    ("br2/sunset.jpg", "night", "scribus_sunset"),
]
KRITA_PAPERS = ["01_canvas", "02_rough-canvas", "03_default-paper", "04_paper-C-grain",
                "05_paper-torchon", "Rough_Paper", "Sand_fine",
                "Rough_Wall_With_Impasto"]  # fmt: skip
LUMINANCE_SKIP = ("editingtools", "cropping_frame", "color_management", "mainwin")
SAME_SUBJECT = "photo-same-subject"


def candidates(pkgs: Path) -> list[fresh.Row]:
    """(id, kind, split key, file) of every source before picking and de-duplication."""
    out: list[fresh.Row] = []
    demo = pkgs / "kphotoalbum/usr/share/kphotoalbum/demo"
    for p in sorted(demo.glob("*.jpg")):
        sid = f"kpa_{p.stem}"
        if p.stem == "skagen":  # the open sea under a grey sky
            out.append((sid, "lowtexture", "skies", p))
        else:
            out.append((sid, "photo", f"kpa_{KPA_KEYS.get(p.stem, p.stem)}", p))
    walls = pkgs / "lxqt-themes/usr/share/lxqt/wallpapers"
    for names, kind in ((LXQT_PHOTOS, "photo"), (LXQT_SKIES, "lowtexture"), (LXQT_ART, "art")):
        for name in names:
            stem = Path(name).stem.lower()
            key = "skies" if kind == "lowtexture" else f"lxqt_{stem}"
            out.append((f"lxqt_{stem}", kind, key, walls / name))
    tux = pkgs / "tuxtype-data/usr/share/tuxtype/images"
    for n in range(12):
        out.append((f"tuxtype_kcas{n}", "photo", f"tuxtype_kcas{n}", tux / f"kcas{n}.jpg"))
    out.append(("tuxtype_hidden", "photo", "tuxtype_hidden", tux / "hidden.jpg"))
    for n in range(4):  # galaxy, Helix nebula, Sombrero galaxy, Saturn
        out.append((f"tuxtype_space{n}", "night", "space", tux / f"backgrounds/{n}.jpg"))
    out.append(("tuxtype_space4", "lowtexture", "skies", tux / "backgrounds/4.jpg"))  # Mars sky
    templates = pkgs / "scribus-template/usr/share/scribus/templates"
    for rel, kind, key in SCRIBUS:
        sid = "scribus_" + rel.rsplit(".", 1)[0].replace("/", "_").replace("-", "_")
        out.append((sid, kind, key, templates / rel))
    hugin = pkgs / "hugin-data/usr/share/hugin/xrc/data/help_en_EN"
    for name in ("CA_fringes00.jpg", "CA_tCA00.jpg"):
        stem = Path(name).stem
        out.append((f"hugin_{stem}", "photo", f"hugin_{stem}", hugin / name))
    tools = pkgs / "kalzium-data/usr/share/kalzium/data/toolpics"
    for p in sorted(tools.glob("*.jpg")):
        with Image.open(p) as im:
            if min(im.size) >= 300 and max(im.size) >= 400:
                out.append((f"kalzium_tool_{p.stem}", "photo", "kalzium_labware", p))
    patterns = pkgs / "krita-data/usr/share/krita/patterns"
    for stem in KRITA_PAPERS:
        out.append((f"krita_{stem}", "lowtexture", "papers", patterns / f"{stem}.png"))
    apps = [
        ("kalzium", "kalzium-data/usr/share/doc/HTML/en/kalzium", ()),
        ("luminance", "luminance-hdr/usr/share/doc/luminance-hdr/help/en/images", LUMINANCE_SKIP),
    ]
    for app, folder, skip in apps:
        for p in sorted((pkgs / folder).glob("*.png")):
            if p.stat().st_size > 20_000 and not p.stem.startswith(skip):
                out.append((f"{app}_{p.stem}", f"screenshot_{app}", f"app_{app}", p))
    return out


def negative_pairs(sources: list[dict], rng: random.Random) -> list[dict]:
    """dupset_fresh's hard negatives, plus every two photos of one subject (one split key).

    A random `distinct` pair that happens to be such a pair is dropped from the sample."""
    pairs = fresh_negative_pairs(sources, rng)
    same = {}
    photos = [s for s in sources if s["kind"] == "photo"]
    for a, b in itertools.combinations(photos, 2):
        if a["key"] == b["key"]:
            pair = (f"{a['id']}__original.jpg", f"{b['id']}__original.jpg")
            same[frozenset(pair)] = {"a": pair[0], "b": pair[1], "kind": SAME_SUBJECT}
    kept = [p for p in pairs if frozenset((p["a"], p["b"])) not in same]
    return kept + list(same.values())


fresh_negative_pairs = fresh.negative_pairs
FRESH4 = fresh.Recipe("fresh4", "dupset_fresh4.py", SEED, PACKAGES, LICENCES, candidates, PER_KIND)


def main(recipe: fresh.Recipe, pkgs: Path, doc: str) -> None:
    """Build a split from its own packages (unless --pkgs says otherwise), with the
    photo-same-subject hard negatives; fresh5 and later splits are built the same way."""
    if not any(a == "--pkgs" or a.startswith("--pkgs=") for a in sys.argv[1:]):
        sys.argv[1:1] = ["--pkgs", str(pkgs)]  # this split's packages, apart from earlier ones
    fresh.negative_pairs = negative_pairs  # build() looks it up in dupset_fresh at call time
    fresh.main(recipe, doc)


if __name__ == "__main__":
    main(FRESH4, PKGS, __doc__ or "")
