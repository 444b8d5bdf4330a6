"""Build the *fresh5* split: a fifth untouched split, real photos and smooth rendered art.

    python benchmarks/dupset_fresh5.py                  # builds /work/data/dupset_fresh5/fresh5
    python benchmarks/duplicates_bench.py --sets fresh5 # reports on it

Why: verifier 18 came after fresh4's first report, so fresh4 is no longer untouched. This split
comes from ten Debian packages that no earlier split, test or tuning step read (unpacked into
/work/data/pkgs-fresh5, not /work/data/pkgs-fresh):

  * photo       Endless Sky's planet landscapes (endless-sky-data images/land: 720x360 camera
                photos of coasts, canyons, cities, deserts, fields, mountains, snow, valleys,
                lakes; public domain or CC-BY-SA, cropped and edited upstream): 40 picked by
                seed from those with no look-alike series, plus two series of one subject that
                share a split key and are `photo-same-subject` hard negatives (Vancouver at
                dusk and at night, mfield0-1; a rocket launch site, myrabella0-3), and the
                Maldives pier photo of sddm-theme-maldives;
  * night       Endless Sky's deep-sky pictures (an ESO nebula photo, the Pleiades, a galaxy
                map), its Earthrise and a city at night, and xplanet's night-lights map; every
                two of one key (space) are hard negatives;
  * lowtexture  fog, a sea of clouds, the open sea, blue haze on water, sand and a glacier
                (Endless Sky landscapes; key skies, every two hard negatives) and Kanagram's
                chalkboard;
  * art         rendered wallpapers with smooth gradients: Xfce's (xfdesktop4-data: blue,
                stripes, verticals; not the teal recolour of blue), LXDE's blue one (not its
                red and green recolours), two of FVWM-Crystal's frost wallpapers, SDDM Maui's
                waves, Kanagram's background and Endless Sky's nova and six gas-giant renders
                (three of which the look-alike drop removes: round planets on black);
                plus xplanet's day map and five of Frozen Bubble's drawn backdrops (not the
                near-copies back_multiplayer and back_netgame);
  * screenshot  the manual screens of gThumb (gthumb-data, C locale) and of Kanagram (kanagram,
                English), one split key per app, so one app's screens are hard negatives.

Left out on purpose: SDDM themes' preview screenshots (they show the theme's own wallpaper),
SDDM Elarun's background (the Maui waves again), Endless Sky's NASA, space-station and
launch photos outside the myrabella series (other shots of the same sites, unlabelled), its
Mars rover photos (bwerner*), Fotoxx's manual screens. The edits, the look-alike drop and the
other hard negatives are those of dupset_fresh. Tune nothing on this split.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dupset_fresh as fresh
import dupset_fresh4 as fresh4

SEED = 20261208
PKGS = Path("/work/data/pkgs-fresh5")
PACKAGES = [
    "endless-sky-data", "xfdesktop4-data", "lxde-common", "fvwm-crystal", "sddm-theme-maui",
    "sddm-theme-maldives", "kanagram", "frozen-bubble-data", "xplanet-images", "gthumb-data",
]  # fmt: skip
LICENCES = {  # from each package's debian/copyright (summarised)
    "endless-sky-data": "GPL-3+ / CC-BY-SA-3.0 / CC-BY-SA-4.0 / public domain (images/land: "
    "public domain from morgue-file.com; bwerner*, myrabella*, dmottl*, mfield*: CC-BY-SA-3.0; "
    "*-sfiera*, *-harro* etc. per copyright)",
    "xfdesktop4-data": "GPL-2+",
    "lxde-common": "GPL-2+",
    "fvwm-crystal": "GPL-2+",
    "sddm-theme-maui": "GPL-2+ / CC-BY-SA-3.0 / others (sddm themes, see copyright)",
    "sddm-theme-maldives": "GPL-2+ / CC-BY-SA-3.0 / others (maldives theme: 2013 Abdurrahman "
    "AVCI, see copyright)",
    "kanagram": "GPL-2+ / GFDL-1.2 (documentation)",
    "frozen-bubble-data": "GPL-2",
    "xplanet-images": "GPL-2+ (earth/night maps: NASA, not copyrighted)",
    "gthumb-data": "GPL-2+ (help: CC-BY-SA-3.0 or GPL-2+)",
}
PER_KIND: dict[str, int] = {}
SKY = "endless-sky-data/usr/share/games/endless-sky/images"
LAND = f"{SKY}/land"
SAME = {"mfield0": "vancouver", "mfield1": "vancouver", "myrabella0": "launch_site",
        "myrabella1": "launch_site", "myrabella2": "launch_site",
        "myrabella3": "launch_site"}  # fmt: skip
LOW = {"fog0": "skies", "fog6": "skies", "sky2": "skies", "sea1": "skies", "water4": "skies",
       "snow4": "skies", "dune5": "sand"}  # fmt: skip
NIGHT_LAND = ["earthrise", "city18-iridium"]
SKIP_PREFIX = ("bwerner", "myrabella", "nasa", "space", "station", "mfield")
LAND_PHOTOS = 40
NIGHT = [  # (file, split key)
    (f"{SKY}/scene/eso0.jpg", "space"),
    (f"{SKY}/ui/pleiades.jpg", "space"),
    (f"{SKY}/ui/galaxy.jpg", "space"),
    ("xplanet-images/usr/share/xplanet/images/night.jpg", "xplanet_night"),
]
ART = [
    "xfdesktop4-data/usr/share/backgrounds/xfce/xfce-blue.jpg",
    "xfdesktop4-data/usr/share/backgrounds/xfce/xfce-stripes.png",
    "xfdesktop4-data/usr/share/backgrounds/xfce/xfce-verticals.png",
    "lxde-common/usr/share/lxde/wallpapers/lxde_blue.jpg",
    "fvwm-crystal/usr/share/fvwm-crystal/fvwm/wallpapers/fvwm-crystal-bright1-1024x768.jpg",
    "fvwm-crystal/usr/share/fvwm-crystal/fvwm/wallpapers/fvwm-crystal-dark1-1024x768.jpg",
    "sddm-theme-maui/usr/share/sddm/themes/maui/background.png",
    "kanagram/usr/share/kanagram/ui/images/background.jpg",
    f"{SKY}/star/nova+.jpg",
    *(f"{SKY}/planet/gas{n}.png" for n in (0, 1, 3, 6, 8, 12)),
    "xplanet-images/usr/share/xplanet/images/earth.jpg",
    *(f"frozen-bubble-data/usr/share/games/frozen-bubble/gfx/{name}.png"
      for name in ("back_hiscores", "back_one_player", "back_paused", "backgrnd",
                   "menu/back_start")),
]  # fmt: skip
APPS = [
    ("gthumb", "gthumb-data/usr/share/help/C/gthumb/figures"),
    ("kanagram", "kanagram/usr/share/doc/HTML/en/kanagram"),
]


def sid_of(package: str, rel: str) -> str:
    stem = Path(rel).stem.replace("+", "").replace("-", "_").replace(" ", "_")
    return f"{package.split('-')[0]}_{stem}".lower()


def candidates(pkgs: Path) -> list[fresh.Row]:
    """(id, kind, split key, file) of every source before picking and de-duplication."""
    out: list[fresh.Row] = []
    land = sorted((pkgs / LAND).glob("*.jpg"))
    rest = []
    for p in land:
        sid = f"es_{p.stem.replace('-', '_')}"
        if p.stem in SAME:
            out.append((sid, "photo", f"es_{SAME[p.stem]}", p))
        elif p.stem in LOW:
            out.append((sid, "lowtexture", LOW[p.stem], p))
        elif p.stem in NIGHT_LAND:
            out.append((sid, "night", "space" if p.stem == "earthrise" else sid, p))
        elif not p.stem.startswith(SKIP_PREFIX):
            rest.append((sid, "photo", sid, p))
    rest.sort(key=lambda r: hashlib.sha1(f"{SEED}:land:{r[0]}".encode()).digest())
    out += sorted(rest[:LAND_PHOTOS])
    maldives = pkgs / "sddm-theme-maldives/usr/share/sddm/themes/maldives/background.jpg"
    out.append(("sddm_maldives", "photo", "sddm_maldives", maldives))
    for rel, key in NIGHT:
        out.append((sid_of(rel.split("/")[0], rel), "night", key, pkgs / rel))
    for rel in ART:
        sid = sid_of(rel.split("/")[0], rel)
        out.append((sid, "art", sid, pkgs / rel))
    chalk = pkgs / "kanagram/usr/share/kanagram/ui/images/chalkboard.png"
    out.append(("kanagram_chalkboard", "lowtexture", "chalkboard", chalk))
    for app, folder in APPS:
        for p in sorted((pkgs / folder).glob("*.png")):
            if p.stat().st_size > 20_000:
                out.append((f"{app}_{p.stem.replace('-', '_')}", f"screenshot_{app}",
                            f"app_{app}", p))  # fmt: skip
    return out


FRESH5 = fresh.Recipe("fresh5", "dupset_fresh5.py", SEED, PACKAGES, LICENCES, candidates, PER_KIND)


if __name__ == "__main__":
    fresh4.main(FRESH5, PKGS, __doc__ or "")  # adds photo-same-subject pairs
