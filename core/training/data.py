"""The fine-tuning data: which photos may be trained on, decoded once into memory.

Only Oxford distractors are used: photos of `oxford5k_subset/images` that are in no landmark
group of `groundtruth.json`, in no junk list of `groundtruth_details.json`, and not one of the
50 originals of `neardup_dev` (named in `neardup_dev/originals.json`). Every image that any
evaluation set scores is therefore left out.
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from core.decode import load_rgb
from core.formats import is_photo_name

DEFAULT_DATA = Path("../shared/benchdata/oxford5k_subset")
# The decoded cache keeps this long side: enough for a 55 % crop squashed to 256 px.
CACHE_SIDE = 448


def _names(value: object) -> set[str]:
    """Every string inside nested lists/dicts, with and without its extension."""
    found: set[str] = set()
    if isinstance(value, str):
        found.add(value)
        found.add(value.rsplit(".", 1)[0])
    elif isinstance(value, dict):
        for item in value.values():
            found |= _names(item)
    elif isinstance(value, list):
        for item in value:
            found |= _names(item)
    return found


def excluded_names(data_dir: Path, neardup_dir: Path | None = None) -> set[str]:
    """Names (with and without extension) that must never be trained on.

    Args:
        data_dir: the `oxford5k_subset` folder.
        neardup_dir: the `neardup_dev` folder (default: its sibling).

    Raises:
        FileNotFoundError: a ground-truth file is missing (never train without knowing).
    """
    neardup_dir = neardup_dir or data_dir.parent / "neardup_dev"
    groups = json.loads((data_dir / "groundtruth.json").read_text(encoding="utf-8"))
    details = json.loads((data_dir / "groundtruth_details.json").read_text(encoding="utf-8"))
    originals = json.loads((neardup_dir / "originals.json").read_text(encoding="utf-8"))
    return _names(groups.get("groups")) | _names(details.get("junk")) | _names(originals)


def training_files(data_dir: Path, neardup_dir: Path | None = None) -> list[Path]:
    """The Oxford distractors allowed for training, sorted by name."""
    banned = excluded_names(data_dir, neardup_dir)
    files = sorted(p for p in (data_dir / "images").iterdir() if is_photo_name(p.name))
    return [p for p in files if p.name not in banned and p.stem not in banned]


def load_images(files: list[Path], side: int = CACHE_SIDE) -> list[Image.Image]:
    """Decode each photo upright to RGB with its long side at most `side` (aspect kept)."""
    images = []
    for path in files:
        image = load_rgb(path, max_side=side)
        image.thumbnail((side, side), Image.Resampling.BILINEAR)
        images.append(image)
    return images
