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
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median

import numpy as np

from core.verify import Verdict
from core.verify_words import BRIGHTER

TONE_LABELS = ("brightened", "darkened", "contrast raised")
OVERLAY_LABELS = frozenset({"captioned", "stickered", "watermarked"})  # what was painted on
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
    """Members' levels on one scale (b − a = the pair's measurement), or None.

    A spanning tree over the strongest pairs first: one well-measured path per member. Only the
    largest set of members the measured pairs link is placed, and only when it holds more than
    half of the group (so that its median is the group's): one copy joined by a pair that did
    not measure this must not leave the rest unjudged.
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
    best: dict[int, float] = {}
    placed: set[int] = set()
    for start in members:
        if start in placed:
            continue
        level = {start: 0.0}
        frontier = [start]
        while frontier:
            node = frontier.pop()
            for other, value, _ in sorted(graph[node], key=lambda e: -e[2]):
                if other not in level:
                    level[other] = level[node] + value
                    frontier.append(other)
        placed.update(level)
        if len(level) > len(best):
            best = level
    return best if 2 * len(best) > len(members) else None


def _by_majority(keys: list[int], pairs: list[Comparison]) -> dict[int, set[str]]:
    """Each member's labels that at least half of its confirmed pairs show.

    One comparison against an edited copy can mislabel the original (it read as "captioned"
    beside a copy whose tones hid part of it); against the rest of the group it shows no edit.
    """
    seen: dict[int, Counter[str]] = {k: Counter() for k in keys}
    count: Counter[int] = Counter()
    overlaid: Counter[int] = Counter()  # pairs that show an overlay, however they named it
    for c in pairs:
        for key, edits in ((c.a, c.verdict.edits_a), (c.b, c.verdict.edits_b)):
            seen[key].update(set(edits))
            overlaid[key] += bool(OVERLAY_LABELS & set(edits))
        count.update((c.a, c.b))
    out = {}
    for k in keys:
        labels = {w for w, n in seen[k].items() if 2 * n >= count[k]} - OVERLAY_LABELS
        if overlaid[k] and 2 * overlaid[k] >= count[k]:  # named by the word most pairs use
            labels.add(max(sorted(OVERLAY_LABELS), key=lambda w: seen[k][w]))
        out[k] = labels
    return out


_QUARTER = np.array([[0, -1], [1, 0]])
_MIRROR = np.array([[-1, 0], [0, 1]])


def _orientations(keys: list[int], pairs: list[Comparison]) -> dict[int, tuple[int, ...]] | None:
    """Each member's quarter turns and mirror against the first, as a 2x2 matrix (flattened).

    A spanning tree over the strongest pairs, like `_offsets`; None if the pairs leave a member
    unlinked.
    """
    graph: dict[int, list[tuple[int, np.ndarray, float]]] = {k: [] for k in keys}
    for c in pairs:
        f = c.verdict.features
        if "angle" not in f:
            continue
        move = np.linalg.matrix_power(_QUARTER, round(f["angle"] / 90.0) % 4)
        if f.get("mirrored"):
            move = move @ _MIRROR
        graph[c.a].append((c.b, move, c.verdict.strength))
        graph[c.b].append((c.a, np.round(np.linalg.inv(move)).astype(int), c.verdict.strength))
    level = {keys[0]: np.eye(2, dtype=int)}
    frontier = [keys[0]]
    while frontier:
        node = frontier.pop()
        for other, move, _ in sorted(graph[node], key=lambda e: -e[2]):
            if other not in level:
                level[other] = move @ level[node]
                frontier.append(other)
    if len(level) != len(keys):
        return None
    return {k: tuple(int(v) for v in m.flatten()) for k, m in level.items()}


def _turn_labels(keys: list[int], pairs: list[Comparison], labels: dict[int, set[str]]) -> None:
    """Label the members turned or mirrored against the orientation most of the group shares.

    Most copies keep the original's orientation (a crop, a resize, a tone edit), so the
    most common orientation is the original's; with no single most common one, nobody is
    labelled.
    """
    placed = _orientations(keys, pairs)
    if placed is None:
        return
    counts = Counter(placed.values()).most_common()
    if len(counts) < 2 or counts[0][1] == counts[1][1]:
        return
    upright = np.array(counts[0][0]).reshape(2, 2)
    for k, o in placed.items():
        mine = np.array(o).reshape(2, 2)
        if o == counts[0][0]:
            continue
        same_hand = round(np.linalg.det(mine)) == round(np.linalg.det(upright))
        labels[k].add("turned" if same_hand else "mirrored")


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
        labels = _by_majority(keys, pairs)
        _turn_labels(keys, pairs, labels)
        tilt = _offsets(keys, pairs, "angle")
        if tilt is not None:
            mid_t = median(tilt.values())
            for k in tilt:
                if abs(tilt[k] - mid_t) >= TILT:
                    labels[k].add("tilted")
        brightness = _offsets(keys, pairs, "brightness")
        contrast = _offsets(keys, pairs, "contrast")
        both = sorted(brightness.keys() & contrast.keys()) if brightness and contrast else []
        if brightness and contrast and 2 * len(both) > len(keys):
            mid_b = median(brightness[k] for k in both)
            mid_c = median(contrast[k] for k in both)
            for k in both:
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
