"""What a similarity score means: the match levels, where they are decided, and their words.

A cosine score alone does not tell people where matches end (an unrelated building can score
0.66 against 0.79 for a true match). Each model's manifest carries three calibrated thresholds
(`"levels"`, written by benchmarks/score_levels.py); a score at or above `same` is an edited copy
of the same photo, above `similar` the same scene or object, above `related` something that
looks alike, and below it unrelated. This module is the only place a level is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SAME = "same"
SIMILAR = "similar"
RELATED = "related"
UNRELATED = "unrelated"
LEVELS = (SAME, SIMILAR, RELATED, UNRELATED)  # best first

# Words people read, per level (the app and the CLI's text output).
WORDS = {
    SAME: "Same photo",
    SIMILAR: "Same scene",
    RELATED: "Looks alike",
    UNRELATED: "Not alike",
}


@dataclass(frozen=True, slots=True)
class Levels:
    """Lowest cosine score of each level; below `related` a result is unrelated."""

    same: float
    similar: float
    related: float

    def of(self, score: float) -> str:
        """The level of one score."""
        if score >= self.same:
            return SAME
        if score >= self.similar:
            return SIMILAR
        if score >= self.related:
            return RELATED
        return UNRELATED


# For a model whose manifest has no levels (a user's own --model): rough values for unit-norm
# image embeddings, where edited copies stay above 0.9, a random pair of photos scores 0.3-0.5
# and same-scene photos fall in between. Uncalibrated: a calibrated manifest always wins.
DEFAULT_LEVELS = Levels(same=0.92, similar=0.75, related=0.6)


def levels_from_manifest(data: dict[str, Any]) -> Levels:
    """The manifest's `"levels"`, or DEFAULT_LEVELS when it has none or they make no sense."""
    raw = data.get("levels")
    if not isinstance(raw, dict):
        return DEFAULT_LEVELS
    try:
        same, similar, related = (float(raw[k]) for k in (SAME, SIMILAR, RELATED))
    except (KeyError, TypeError, ValueError):
        return DEFAULT_LEVELS
    if not -1.0 <= related <= similar <= same <= 1.0:
        return DEFAULT_LEVELS
    return Levels(same=same, similar=similar, related=related)
