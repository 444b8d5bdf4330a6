"""Build the *fresh2* split: a second untouched split, for after `fresh` was looked at.

    python benchmarks/dupset_fresh2.py                  # builds /work/data/dupset_fresh2/fresh2
    python benchmarks/duplicates_bench.py --sets fresh2 # reports on it

Why: the `fresh` split (benchmarks/dupset_fresh.py) was reported on, and its false pairs were
looked at to find what the verifier gets wrong. Once a split's failures have shaped the code it
is no longer untouched. This one is built the same way from sources nobody has looked at:

  * the same four kinds of the same packages as `fresh`, but only sources `fresh` did not
    choose (other tuxpaint stamps, other deep-sky photos, other KStars screens), and GIMP's
    *dialog* screenshots only: its menu pages show one sample photo many times (a filter's
    example beside its original, the same photo under two colour profiles), which are one
    capture that the truth would call two;
  * two packages no step read: GNOME's desktop screenshots (gnome-user-docs, the C locale:
    menus and panels, light and dark) as a third app, and GNOME's raster wallpapers
    (gnome-backgrounds; one of each light/dark pair, which are one design recoloured).

The edits, the look-alike drop and the hard negatives are those of dupset_fresh. Tune nothing
on this split.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dupset_fresh as fresh

SEED = 20261205
PACKAGES = [
    "tuxpaint-stamps-default", "stellarium-data", "gimp-help-en", "kstars-data",
    "gnome-user-docs", "gnome-backgrounds",
]  # fmt: skip
LICENCES = {
    **{p: fresh.LICENCES[p] for p in PACKAGES if p in fresh.LICENCES},
    "gnome-user-docs": "CC-BY-SA-3.0",
    "gnome-backgrounds": "CC-BY-SA-3.0 / CC-BY-SA-4.0 (per image, see copyright)",
}
PER_KIND = {"object": 40, "night": 40, "screenshot_gimp": 30, "screenshot_kstars": 30}


def candidates(pkgs: Path) -> list[fresh.Row]:
    """(id, kind, split key, file) of every source before picking and de-duplication."""
    gimp_menus = str(pkgs / "gimp-help-en/usr/share/gimp/2.0/help/en/images/menus")
    kept = ("object", "night", "screenshot_kstars", "screenshot_gimp")
    out = [
        row for row in fresh.candidates(pkgs)
        if row[1] in kept and not str(row[3]).startswith(gimp_menus)
    ]  # fmt: skip
    figures = pkgs / "gnome-user-docs/usr/share/help/C/gnome-help/figures"
    for p in sorted(figures.glob("*.png")):
        out.append((f"gnome_{p.stem}", "screenshot_gnome", "app_gnome", p))
    walls = pkgs / "gnome-backgrounds/usr/share/backgrounds/gnome"
    for p in sorted(walls.glob("*.webp")):
        if not p.stem.endswith("-d"):  # the dark twin is the same design recoloured
            out.append((f"gnomebg_{p.stem}", "art", f"gnomebg_{p.stem}", p))
    return out


def earlier(pkgs: Path) -> set[str]:
    """The sources the `fresh` split chose (its look-alike drops included): never again."""
    fresh.ensure_packages(pkgs, fresh.PACKAGES, fresh.LICENCES)
    return {row[0] for row, _ in fresh.choose(pkgs, fresh.FRESH)}


FRESH2 = fresh.Recipe(
    "fresh2", "dupset_fresh2.py", SEED, PACKAGES, LICENCES, candidates, PER_KIND, earlier
)


if __name__ == "__main__":
    fresh.main(FRESH2, __doc__ or "")
