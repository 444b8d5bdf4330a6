"""Tone labels judged against the group, not one pair; only confirmed pairs in the group count."""

from __future__ import annotations

from core.edit_labels import Comparison, confirmed, group_labels
from core.verify import Verdict, swapped


def _pair(a: int, b: int, brightness: float, contrast: float = 1.0, edits_a=(), edits_b=()):
    verdict = Verdict(
        True, 0.99, "geometry", "", tuple(edits_a), tuple(edits_b),
        {"brightness": brightness, "contrast": contrast},
    )  # fmt: skip
    return Comparison(a, b, verdict)


def test_the_brightened_copy_is_labelled_not_the_original_it_was_compared_with():
    # 1 original, 2 brightened, 3 captioned, 4 small; the (1, 2) pair alone blames both sides.
    pairs = [
        _pair(1, 2, 30.0, 1.2, edits_a=["darkened"], edits_b=["brightened", "contrast raised"]),
        _pair(1, 3, 1.5),
        _pair(3, 4, -0.5),
        _pair(2, 4, -31.0, 0.83),
    ]
    labels = group_labels([1, 2, 3, 4], pairs)
    assert labels == {2: ("brightened", "contrast raised")}


def test_a_darkened_copy_is_found_the_same_way():
    pairs = [_pair(1, 2, -25.0), _pair(1, 3, 0.0), _pair(1, 4, 2.0)]
    assert group_labels([1, 2, 3, 4], pairs) == {2: ("darkened",)}


def test_two_files_have_no_majority_so_the_pairwise_labels_stand():
    pairs = [_pair(1, 2, 30.0, edits_a=["darkened"], edits_b=["brightened"])]
    assert group_labels([1, 2], pairs) == {1: ("darkened",), 2: ("brightened",)}


def test_without_measurements_linking_everyone_the_pairwise_labels_stand():
    bare = Comparison(1, 2, Verdict(True, 0.99, "geometry", "", (), ("brightened",)))
    assert group_labels([1, 2, 3], [bare, _pair(1, 3, 0.0)]) == {2: ("brightened",)}


def test_non_tone_labels_come_from_the_pairs():
    pairs = [_pair(1, 2, 0.0, edits_b=["cropped"]), _pair(1, 3, 0.0, edits_b=["grey"])]
    assert group_labels([1, 2, 3], pairs) == {2: ("cropped",), 3: ("grey",)}


def test_only_confirmed_pairs_inside_the_group_count():
    strong = Verdict(True, 0.95, "geometry", "", (), ("cropped",))
    weak = Verdict(False, 0.3, "geometry", "", (), ("grey",))
    stranger = Verdict(True, 0.99, "geometry", "", ("brightened",), ())
    found = confirmed(
        {(1, 2): strong, (1, 3): weak, (1, 9): stranger}, {1: 0, 2: 0, 3: 0, 9: 1}, 0.9
    )
    assert {g: [(c.a, c.b) for c in cs] for g, cs in found.items()} == {0: [(1, 2)]}


def test_a_swapped_verdict_turns_its_measurements_round():
    v = Verdict(
        True, 0.9, "geometry", "", ("grey",), (),
        {"brightness": 12.0, "contrast": 2.0, "covered_a": 0.5, "covered_b": 1.0, "tiles": 60.0},
    )  # fmt: skip
    s = swapped(v)
    assert (s.edits_a, s.edits_b) == ((), ("grey",))
    assert s.features == {
        "brightness": -12.0, "contrast": 0.5, "covered_b": 0.5, "covered_a": 1.0, "tiles": 60.0
    }  # fmt: skip
    assert swapped(s) == v


def test_the_tilted_copy_is_the_one_off_the_groups_upright():
    def turn(a: int, b: int, angle: float, mirrored: float = 0.0) -> Comparison:
        features = {"brightness": 0.0, "contrast": 1.0, "angle": angle, "mirrored": mirrored}
        return Comparison(a, b, Verdict(True, 0.95, "geometry", "", (), (), features))

    # 2 is tilted 3°; 3 is turned a quarter (not a tilt); 4 is a mirror (its pair is skipped
    # for the angle, and another pair places it).
    pairs = [turn(1, 2, 3.0), turn(1, 3, 90.2), turn(1, 4, 177.0, 1.0), turn(3, 4, 0.1)]
    assert group_labels([1, 2, 3, 4], pairs)[2] == ("tilted",)


def test_a_member_joined_without_measurements_does_not_leave_the_rest_unjudged():
    # 5 joined the group by a pair that measured neither angle nor tones (a featureless
    # alignment): the tilted copy 2 and the brightened copy 3 are still told from the group.
    # Before, one unlinked member cancelled every tilt and tone label of a 20-file group, and
    # tilted copies with black corners won on resolution (fresh6, keep-best score).
    def pair(a: int, b: int, angle: float, brightness: float) -> Comparison:
        features = {"brightness": brightness, "contrast": 1.0, "angle": angle}
        return Comparison(a, b, Verdict(True, 0.95, "geometry", "", (), (), features))

    bare = Comparison(1, 5, Verdict(True, 0.95, "aligned", "", (), (), {}))
    pairs = [pair(1, 2, 4.0, 0.0), pair(1, 3, 0.0, 30.0), pair(1, 4, 0.1, 0.5), bare]
    labels = group_labels([1, 2, 3, 4, 5], pairs)
    assert labels == {2: ("tilted",), 3: ("brightened",)}


def test_no_labels_from_measurements_that_link_half_of_the_group_or_less():
    def pair(a: int, b: int, angle: float) -> Comparison:
        features = {"angle": angle}
        return Comparison(a, b, Verdict(True, 0.95, "geometry", "", (), (), features))

    bare = [Comparison(1, k, Verdict(True, 0.95, "aligned", "", (), (), {})) for k in (3, 4)]
    assert group_labels([1, 2, 3, 4], [pair(1, 2, 4.0), *bare]) == {}


def _turned(a: int, b: int, angle: float, mirrored: float = 0.0) -> Comparison:
    features = {"brightness": 0.0, "contrast": 1.0, "angle": angle, "mirrored": mirrored}
    return Comparison(a, b, Verdict(True, 0.95, "geometry", "", (), (), features))


def test_turned_and_mirrored_copies_are_the_ones_off_the_groups_orientation():
    """The original reads as "mirrored" against a mirrored copy; against the group it is not.

    Found with the dupset keep-best score: a mirrored or half-turned copy was kept over the
    original as the sharpest of otherwise equal copies, since no label told it apart.
    """
    # 1 original, 2 resized, 3 cropped: upright; 4 mirrored; 5 half-turned; 6 a quarter; the
    # original is the hub (every copy was confirmed against it), 5 also against 2.
    pairs = [
        _turned(1, 2, 0.0), _turned(1, 3, 0.2), _turned(1, 4, 0.0, 1.0),
        _turned(1, 5, 180.0), _turned(1, 6, -90.0), _turned(2, 5, 179.8),
    ]  # fmt: skip
    labels = group_labels([1, 2, 3, 4, 5, 6], pairs)
    assert labels == {4: ("mirrored",), 5: ("turned",), 6: ("turned",)}


def test_no_orientation_wins_without_a_majority():
    """Two files, or as many turned as upright: nothing tells which one was turned."""
    assert group_labels([1, 2], [_turned(1, 2, 90.0)]) == {}
    pairs = [_turned(1, 2, 0.0), _turned(1, 3, 90.0), _turned(3, 4, 0.0)]
    assert group_labels([1, 2, 3, 4], pairs) == {}


def test_a_stray_label_on_the_original_is_outvoted_by_its_other_pairs():
    """A label only one of its several confirmed pairs shows is not the file's edit."""

    def pair(a: int, b: int, edits_a: tuple[str, ...], edits_b: tuple[str, ...]) -> Comparison:
        features = {"brightness": 0.0, "contrast": 1.0, "angle": 0.0}
        return Comparison(a, b, Verdict(True, 0.95, "geometry", "", edits_a, edits_b, features))

    pairs = [
        pair(1, 2, ("captioned",), ()),  # one comparison mislabels the original
        pair(1, 3, (), ("captioned",)),
        pair(1, 4, (), ("cropped",)),
    ]
    assert group_labels([1, 2, 3, 4], pairs) == {3: ("captioned",), 4: ("cropped",)}


def test_one_overlay_named_two_ways_is_still_a_majority():
    # 2 shows a sticker in three of its five pairs: two name it "stickered", one "captioned"
    # (the sticker read as paint there). Neither word alone holds half of its pairs; as one
    # overlay they do, named by the word most pairs use.
    def pair(a: int, b: int, *edits: str) -> Comparison:
        return Comparison(a, b, Verdict(True, 0.95, "geometry", "", (), edits, {}))

    pairs = [
        pair(1, 2, "stickered"), pair(3, 2, "stickered"), pair(4, 2, "captioned"),
        pair(5, 2), pair(6, 2), pair(1, 3), pair(1, 4), pair(1, 5), pair(1, 6),
    ]  # fmt: skip
    labels = group_labels([1, 2, 3, 4, 5, 6], pairs)
    assert labels == {2: ("stickered",)}, labels


def test_a_member_without_confirmed_pairs_of_its_own_gets_no_label():
    # 4 is in the group through its byte copy's pairs only: nothing was seen of it, so it is
    # not "captioned" (a bare majority test, 0 of 0, once labelled it and it lost as edited)
    def pair(a: int, b: int, *edits: str) -> Comparison:
        return Comparison(a, b, Verdict(True, 0.95, "geometry", "", (), edits, {}))

    pairs = [pair(1, 2, "stickered"), pair(1, 3), pair(2, 3)]
    assert group_labels([1, 2, 3, 4], pairs) == {2: ("stickered",)}
