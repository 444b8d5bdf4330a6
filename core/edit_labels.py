"""Which member of a group of edited copies was edited: labels judged against the whole group.

The verifier labels each side of a pair against the other ("b is brighter than a"), which says
nothing about which of the two was edited: brighten a night photo and the original reads as
"darkened" against its copy. A group holds more than one comparison, though, so tone labels
(brightness and contrast) are judged here against the group's typical member: every confirmed
pair's measured offset places its two files on one scale, and a file is "brightened" only when it
sits well above the group's median; tilts likewise ("tilted": turned a few degrees off the
group's upright). Most copies in a group keep the original's tones (a crop, a
resize, a caption, a re-encoding), so the median is the original's. Only a two-file group has no
majority: there the verifier's pairwise labels (which side clips more) stand.

Labels that are not relative (grey, cropped) come from the pairs as they are. Only pairs
confirmed inside the group count: a failed check against a stranger says nothing about edits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median

from core.verify import Verdict
from core.verify_words import BRIGHTER

TONE_LABELS = ("brightened", "darkened", "contrast raised")
CONTRAST = 0.1  # |log| of a contrast ratio that counts as a contrast edit (as the verifier's)
TILT = 0.7  # degrees off the group's upright that count as a tilt (the verifier's words' bound)


@dataclass(frozen=True, slots=True)
class Comparison:
    """A confirmed pair inside a group: `verdict` speaks of `a` then `b`, oriented to them."""

    a: int
    b: int
    verdict: Verdict


def _offsets(
    members: list[int], comparisons: list[Comparison], measure: str
) -> dict[int, float] | None:
    """Each member's level on one scale (b − a = the pair's measurement), or None if unlinked.

    A spanning tree over the strongest pairs first: one well-measured path per member.
    """
    graph: dict[int, list[tuple[int, float, float]]] = {m: [] for m in members}
    for c in comparisons:
        value = c.verdict.features.get(measure)
        if value is None or c.a not in graph or c.b not in graph:
            continue
        if measure == "contrast":
            value = math.log(max(value, 1e-3))
        elif measure == "angle":  # a tilt: quarter turns are not edits of the picture
            if c.verdict.features.get("mirrored"):
                continue  # a mirror turns the angle's sense round; other pairs place the file
            value -= 90.0 * round(value / 90.0)
        graph[c.a].append((c.b, value, c.verdict.strength))
        graph[c.b].append((c.a, -value, c.verdict.strength))
    level = {members[0]: 0.0}
    frontier = [members[0]]
    while frontier:
        node = frontier.pop()
        for other, value, _ in sorted(graph[node], key=lambda e: -e[2]):
            if other not in level:
                level[other] = level[node] + value
                frontier.append(other)
    return level if len(level) == len(members) else None


def group_labels(
    members: Iterable[int], comparisons: Iterable[Comparison]
) -> dict[int, tuple[str, ...]]:
    """Edit labels per member of one group, tone labels judged against the group's median.

    Args:
        members: the group's content keys (a byte copy counts once).
        comparisons: confirmed pairs between members, each verdict oriented to (a, b) and
            carrying the verifier's `features` ("brightness": mean of b − mean of a;
            "contrast": spread of b / spread of a) when they were measured.

    Returns:
        Labels for each member that shows some, sorted.
    """
    keys = sorted(set(members))
    pairs = [c for c in comparisons if c.a in keys and c.b in keys and c.a != c.b]
    labels: dict[int, set[str]] = {k: set() for k in keys}
    for c in pairs:
        labels[c.a].update(c.verdict.edits_a)
        labels[c.b].update(c.verdict.edits_b)
    if len(keys) >= 3:
        tilt = _offsets(keys, pairs, "angle")
        if tilt is not None:
            mid_t = median(tilt.values())
            for k in keys:
                if abs(tilt[k] - mid_t) >= TILT:
                    labels[k].add("tilted")
        brightness = _offsets(keys, pairs, "brightness")
        contrast = _offsets(keys, pairs, "contrast")
        if brightness is not None and contrast is not None:
            mid_b, mid_c = median(brightness.values()), median(contrast.values())
            for k in keys:
                labels[k] -= set(TONE_LABELS)
                if brightness[k] - mid_b > BRIGHTER:
                    labels[k].add("brightened")
                elif brightness[k] - mid_b < -BRIGHTER:
                    labels[k].add("darkened")
                if contrast[k] - mid_c > CONTRAST:
                    labels[k].add("contrast raised")
    return {k: tuple(sorted(v)) for k, v in labels.items() if v}


def confirmed(
    verdicts: Mapping[tuple[int, int], Verdict], group_of: Mapping[int, int], bar: float
) -> dict[int, list[Comparison]]:
    """The verdicts that reached the strictness bar between members of one group, per group.

    `group_of` maps a content key to its group; one pass over the verdicts serves every group.
    """
    out: dict[int, list[Comparison]] = {}
    for (a, b), v in verdicts.items():
        g = group_of.get(a)
        if g is not None and g == group_of.get(b) and v.strength >= bar:
            out.setdefault(g, []).append(Comparison(a, b, v))
    return out
