"""Build the *fresh6* split: a sixth untouched split, real photos of things, people and places.

    python benchmarks/dupset_fresh6.py                  # builds /work/data/dupset_fresh6/fresh6
    python benchmarks/duplicates_bench.py --sets fresh6 # reports on it

Why: fresh5 has had its first report (verifier 18), so the next untouched report needs a new
split. This one is mostly real camera photos, from twelve Debian packages that no earlier split,
test or tuning step read (unpacked into /work/data/pkgs-fresh6, not /work/data/pkgs-fresh):

  * photo       Tux Paint's template photos (tuxpaint-data templates: a cliff, a corn maze,
                jellyfish, a lighthouse, moss, mudstone, pebbles, sheep, a spider's web, leaves,
                a wool-mill machine, bark); the Gramps example tree's portraits and group
                photos (gramps: 19th- and 20th-century people; the six large enough for the
                recipe's size floor); the single-board computers of FreedomBox's manual
                (freedombox-doc-en: boards and boxes on white); the Ren'Py tutorial's photo
                backdrops (renpy-demo: a lava cave, the Washington Monument, the White House, a
                country road); Kodi's cinema photo (kodi-data home-images/movie.jpg) and GIMP's
                splash (gimp-data: mushrooms, with the GIMP 2.10 title). Different shots of one
                subject share a split key and are `photo-same-subject` hard negatives: four
                Raspberry Pi boards, two Olimex A20 boards, two views up into tree crowns and two
                of breaking waves;
  * night       Foo Billiard's city at night (foobillardplus-data skyline.png), Tux Paint's trees
                at dusk, Kodi's concert crowd under stage lights and OpenUniverse's four splash
                renders of planets on black (openuniverse-common; key space, every two are hard
                negatives);
  * lowtexture  a sun behind clouds (tuxpaint-data), Kodi's blurred, noisy and streaked dark
                backgrounds and its pale glow (kodi-data, key kodi_backgrounds), Terminology's
                two dark grey backgrounds (terminology-data, key dark) and Foo Billiard's wood
                floor, plaster ceiling and flagstones (key surfaces): every two of one key are
                hard negatives;
  * art         rendered backdrops of Ren'Py's demo game The Question (renpy-thequestion: club,
                lecture hall, meadow, campus and its menu screen, not the identical game menu),
                one of renpy-demo's three near-identical concert pictures, Arctica Greeter's
                background (arctica-greeter), Kodi's polygon pattern and icon fan art, and
                OpenUniverse's maps of Mars, Jupiter and Io;
  * screenshot  the manual screens of FreedomBox (its web interface, not the backup wizard
                steps), of KiCad (kicad-doc-en, English) and of Kodi's two skins (kodi-data),
                one split key per app, so one app's screens are hard negatives.

Left out on purpose: renpy-demo's panorama (a render of the campus of The Question's club
backdrop), its pong field and the other two concert pictures, The Question's game menu (the
main menu again) and its character sprites, the FreedomBox board thumbnails (*_thumb, the same
photos small), Foo Billiard's brick walls and game screens, Kodi's black pattern0 and
Estouchy's background (a darker copy of Estuary's glow), OpenUniverse's other moon and planet
maps, the Gramps photos under the recipe's size floor.
tuxpaint-data was looked at and not used when benchmarks/dupset.py was built (see DUPSET.md);
no split, test or tuning step read it. The edits, the look-alike drop and the other hard
negatives are those of dupset_fresh. Tune nothing on this split.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dupset_fresh as fresh
import dupset_fresh4 as fresh4

SEED = 20261209
PKGS = Path("/work/data/pkgs-fresh6")
PACKAGES = [
    "tuxpaint-data", "gramps", "freedombox-doc-en", "renpy-demo", "renpy-thequestion",
    "kodi-data", "foobillardplus-data", "kicad-doc-en", "openuniverse-common", "terminology-data",
    "gimp-data", "arctica-greeter",
]  # fmt: skip
LICENCES = {  # from each package's debian/copyright (summarised)
    "tuxpaint-data": "GPL-2+ (Files: *, Bill Kendrick; the template photos are not itemised)",
    "gramps": "GPL-2+ (Files: *; the example tree's photos are not itemised)",
    "freedombox-doc-en": "CC-BY-SA-4.0 (doc/*.png, doc/*.jpg: FreedomBox Authors) / AGPL-3+",
    "renpy-demo": "Expat (Files: *, Tom Rothamel; the tutorial images are not itemised)",
    "renpy-thequestion": "Expat (Files: *, Tom Rothamel; the game's images are not itemised)",
    "kodi-data": "GPL-2+ / Estuary artwork CC-BY-SA-4.0 / Estouchy CC-BY-SA-3.0-US / "
    "home-images movie.jpg and music.jpg CC0-1.0",
    "foobillardplus-data": "GPL-2 (Files: *, Florian Berger)",
    "kicad-doc-en": "GPL-2+ or CC-BY-SA-3.0 (doc/*: KiCad Developers)",
    "openuniverse-common": "GPL-2+ (Raúl Alonso; textures not itemised)",
    "terminology-data": "BSD-2-clause (Carsten Haitzler and contributors)",
    "gimp-data": "GPL-3+ and others (Files: *; the splash image is not itemised)",
    "arctica-greeter": "CC-BY-SA-3.0 (data/backgrounds/arctica-greeter.png: 2023 Jasper Roks)",
}
PER_KIND = {"screenshot_freedombox": 7, "screenshot_kicad": 7, "screenshot_kodi": 6}
TUX = "tuxpaint-data/usr/share/tuxpaint/templates"
TUX_KEYS = {"trees_above": "trees_above", "redwoods_above": "trees_above",
            "ocean_waves": "ocean", "ocean_splash": "ocean"}  # fmt: skip
TUX_OTHER = {"sun_behind_clouds": ("lowtexture", "skies"), "trees_at_dusk": ("night", "dusk")}
GRAMPS = "gramps/usr/share/doc/gramps/example/gramps"
FBX = "freedombox-doc-en/usr/share/freedombox/manual/en/images"
FBX_BOARDS = {  # board photo -> split key (one series of boards shares a key)
    "a20-olinuxino-lime2": "olinuxino", "a20-olinuxino-micro": "olinuxino", "apu1d": "apu1d",
    "banana-pro": "banana_pro", "beagleboard": "beagleboard", "cubieboard2": "cubieboard2",
    "freedombox-danube": "danube", "orange-pi-zero": "orange_pi_zero", "pcduino3s": "pcduino3s",
    "pine64-plus": "pine64_plus", "pioneer-edition": "pioneer_edition",
    "raspberrypi2": "raspberrypi", "raspberrypi3": "raspberrypi",
    "raspberrypi3bplus": "raspberrypi", "raspberrypi4b": "raspberrypi", "rock64": "rock64",
    "rockpro64": "rockpro64",
}  # fmt: skip
DEMO = "renpy-demo/usr/share/games/renpy/demo/game"
QUESTION = "renpy-thequestion/usr/share/games/renpy/the_question/game"
KODI = "kodi-data/usr/share/kodi/addons"
POOL = "foobillardplus-data/usr/share/games/foobillardplus/data"
OU = "openuniverse-common/usr/share/openuniverse/textures"
TERM = "terminology-data/usr/share/terminology/backgrounds"
SOURCES = [  # (id, kind, split key, file) beyond the folders read below
    ("renpy_cave", "photo", "renpy_cave", f"{DEMO}/images/bg cave.jpg"),
    ("renpy_washington", "photo", "renpy_washington", f"{DEMO}/images/bg washington.jpg"),
    ("renpy_whitehouse", "photo", "renpy_whitehouse", f"{DEMO}/images/bg whitehouse.jpg"),
    ("renpy_road", "photo", "renpy_road", f"{DEMO}/gui/main_menu.jpg"),
    ("kodi_movie", "photo", "kodi_movie", f"{KODI}/skin.estuary/extras/home-images/movie.jpg"),
    ("gimp_splash", "photo", "gimp_splash", "gimp-data/usr/share/gimp/2.0/images/gimp-splash.png"),
    ("pool_skyline", "night", "pool_skyline", f"{POOL}/skyline.png"),
    ("kodi_music", "night", "kodi_music", f"{KODI}/skin.estuary/extras/home-images/music.jpg"),
    *((f"ou_splash{n}", "night", "space", f"{OU}/splash{n}.jpg") for n in (1, 2, 3, 4)),
    *((f"kodi_{name}", "lowtexture", "kodi_backgrounds",
       f"{KODI}/skin.estuary/extras/backgrounds/{name}.jpg")
      for name in ("pattern1", "pattern3", "pattern6", "primary")),
    ("terminology_mystic", "lowtexture", "dark", f"{TERM}/mystic.png"),
    ("terminology_texture", "lowtexture", "dark", f"{TERM}/texture_background.png"),
    *((f"pool_{name}", "lowtexture", "surfaces", f"{POOL}/{name}.png")
      for name in ("floor", "ceiling", "corr2")),
    *((f"question_{name.replace(' ', '_')}", "art", f"question_{name.replace(' ', '_')}",
       f"{QUESTION}/images/bg {name}.jpg") for name in ("club", "lecturehall", "meadow", "uni")),
    ("question_main_menu", "art", "question_main_menu", f"{QUESTION}/gui/main_menu.png"),
    ("renpy_concert1", "art", "renpy_concert1", f"{DEMO}/images/concert1.png"),
    ("arctica_greeter", "art", "arctica_greeter",
     "arctica-greeter/usr/share/arctica-greeter/backgrounds/arctica-greeter.png"),
    ("kodi_pattern4", "art", "kodi_pattern4",
     f"{KODI}/skin.estuary/extras/backgrounds/pattern4.jpg"),
    ("kodi_fanart", "art", "kodi_fanart", f"{KODI}/skin.estuary/resources/fanart.jpg"),
    *((f"ou_{name}", "art", f"ou_{name}", f"{OU}/{name}.jpg")
      for name in ("mars", "jupiter", "io")),
]  # fmt: skip
FBX_SKIP = ("Backups_Step",)  # one wizard, step by step: left out


def candidates(pkgs: Path) -> list[fresh.Row]:
    """(id, kind, split key, file) of every source before picking and de-duplication."""
    out: list[fresh.Row] = []
    for p in sorted((pkgs / TUX).glob("*.jpg")):
        sid = f"tuxpaint_{p.stem}"
        kind, key = TUX_OTHER.get(p.stem, ("photo", f"tuxpaint_{TUX_KEYS.get(p.stem, p.stem)}"))
        out.append((sid, kind, key, p))
    for p in sorted((pkgs / GRAMPS).glob("*.jpg")):
        sid = "gramps_" + p.stem.lower().replace("-", "_").replace("654px_", "")
        out.append((sid, "photo", sid, p))
    for stem, key in FBX_BOARDS.items():
        sid = f"fbx_{stem.replace('-', '_')}"
        out.append((sid, "photo", f"fbx_{key}", pkgs / FBX / f"{stem}.jpg"))
    out += [(sid, kind, key, pkgs / rel) for sid, kind, key, rel in SOURCES]
    screens = [
        ("freedombox", sorted((pkgs / FBX).glob("*.png")), 100_000),
        ("kicad", sorted((pkgs / "kicad-doc-en/usr/share/doc/kicad/help/en/images").rglob("*.png")),
         80_000),
        ("kodi", sorted((pkgs / KODI).glob("skin.*/resources/screenshot-*.jpg")), 0),
    ]  # fmt: skip
    for app, files, min_bytes in screens:
        for p in files:
            if p.stat().st_size > min_bytes and not p.stem.startswith(FBX_SKIP):
                skin = p.parent.parent.name.removeprefix("skin.") + "_" if app == "kodi" else ""
                sid = f"{app}_{skin}{p.stem.replace('-', '_')}".lower()
                while sid in {row[0] for row in out}:  # KiCad has a-b.png and a_b.png
                    sid += "_2"
                out.append((sid, f"screenshot_{app}", f"app_{app}", p))
    return out


FRESH6 = fresh.Recipe("fresh6", "dupset_fresh6.py", SEED, PACKAGES, LICENCES, candidates, PER_KIND)


if __name__ == "__main__":
    fresh4.main(FRESH6, PKGS, __doc__ or "")  # adds photo-same-subject pairs
