"""Cut-offs of the duplicate scan and the strictness levels: the numbers chosen on data.

Kept apart from the scan (`core.duplicates`) so that "where is the bar of strict decided" is
one short file. Every number was chosen on the dupset *tune* split
(`benchmarks/duplicates_bench.py`) and reported on splits nothing was tuned on; a model's
manifest may override any of them in a `"duplicates"` block.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.embedder import ModelInfo

# How much evidence an edited-copies pair needs: "strict" (default) confirms only what the
# verifier is sure of, "loose" also what it finds likely. Exact copies are the same at every level.
STRICTNESS = ("strict", "normal", "loose")
_INT_FIELDS = (
    "neighbours", "rotated_bits", "verify_tries", "hash_tries", "alone_tries", "anchor_tries",
    "low_res",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Cut-offs of the duplicate scan; they depend on the model (and the verifier).

    Calibrated with `benchmarks/duplicates_bench.py` on the tune split of its dev set and
    reported on the held-out split; a model manifest may override any of them in an optional
    `"duplicates"` object.
    """

    # Nearest neighbours looked at per photo: 24, not 16, since a photo's far copies (crops,
    # tilts) fall behind its near ones and a burst's frames; the budget below bounds the work.
    neighbours: int = 24
    # Neighbours below this cosine are never verified: on the dupset tune split it keeps 99.5 %
    # of the (original, edited copy) pairs (turned copies come by pHash), and it is what bounds
    # the verification work in a library of distinct photos.
    candidate: float = 0.70
    rotated_bits: int = 8  # pHash distance to a turn or mirror that makes a candidate …
    rotated_cosine: float = 0.30  # … together with at least this cosine
    # Failed verifications per photo (a success merges two groups, so it is bounded anyway):
    # neighbours most similar first, and apart from them turned/mirrored pHash pairs.
    verify_tries: int = 4
    hash_tries: int = 4
    alone_tries: int = 4  # … and then, for a photo still in no group, its next candidates
    # … and last, failures per anchor (8, chosen on the dupset tune split: 3 gave strict recall
    # 0.841, 8 0.870, false pairs unchanged) when two groups a candidate pair runs between are
    # compared by their anchors (most confirmed photos): tilted or heavily cropped copies
    # often fail against their siblings (another crop, another tilt) yet match the original,
    # which need not be among their own nearest neighbours.
    anchor_tries: int = 8
    # A photo whose long side is under this many px is compared where the motion between two
    # frames of a video no longer shows (a pixel at 384 px is half a pixel at 192): its pairs
    # are verified after all others, once the groups have formed around larger photos, and if
    # it then matches two groups whose anchors refuse to merge it joins neither (it is as much
    # a copy of one as of the other). On the dupset tune split every false link between two
    # captures of one video ran through such a copy.
    low_res: int = 256
    pixel_cosine: float = 0.98  # pixel-identical candidates (then compared pixel by pixel)
    similar: float = 0.85  # similarity of two shots of one burst
    # Verifier strength an edited-copies pair needs, per strictness: chosen on the dupset *tune*
    # split (benchmarks/duplicates_bench.py --calibrate), reported on its held-out split.
    strict: float = 0.90
    normal: float = 0.75
    loose: float = 0.55

    def bar(self, strictness: str) -> float:
        """The verifier strength a pair needs at this strictness."""
        return {"strict": self.strict, "normal": self.normal, "loose": self.loose}[strictness]


def thresholds_for(model: ModelInfo | None) -> Thresholds:
    """The model's thresholds: the defaults, overridden by its manifest's `"duplicates"` block."""
    if model is None:
        return Thresholds()
    try:
        block = json.loads(Path(model.manifest).read_text(encoding="utf-8")).get("duplicates")
    except (OSError, ValueError, AttributeError):
        return Thresholds()
    if not isinstance(block, dict):
        return Thresholds()
    known = {f.name for f in fields(Thresholds)}
    values: dict[str, object] = {}
    for name, value in block.items():
        if name in known and isinstance(value, int | float):
            values[name] = int(value) if name in _INT_FIELDS else float(value)
    return replace(Thresholds(), **values)  # type: ignore[arg-type]
