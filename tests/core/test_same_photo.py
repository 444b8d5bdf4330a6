"""'Same photo' in search results is decided by the pair verifier, within a bounded budget."""

from __future__ import annotations

from pathlib import Path

from core import verify_photo
from core.duplicates import Thresholds
from core.library import Library
from core.pipeline import index_library
from core.records import Match
from core.same_photo import confirm_same, query_verifier
from core.search import similar
from core.verify import Verdict
from tests.core.test_verify import textured


class FakeVerifier:
    """Confirms the pairs it is told to; counts its checks."""

    def __init__(self, copies: set[str]) -> None:
        self.copies = copies
        self.calls: list[str] = []

    def verify(self, a: str, b: str) -> Verdict:
        self.calls.append(b)
        strength = 0.97 if b in self.copies else 0.2
        return Verdict(strength >= 0.5, strength, "geometry")


def _query(tmp_path: Path) -> str:
    path = tmp_path / "query.jpg"
    path.write_bytes(b"not read by the fake verifier")
    return str(path)


def test_a_confirmed_copy_is_same_and_first_an_unconfirmed_high_score_is_not(tmp_path):
    matches = [
        Match("/p/burst.jpg", 0.96, "same"),  # scores like a copy, is another exposure
        Match("/p/scene.jpg", 0.75, "similar"),
        Match("/p/crop.jpg", 0.72, "similar"),  # a crop scores lower, is the same capture
        Match("/p/far.jpg", 0.40, "unrelated"),
    ]
    fake = FakeVerifier({"/p/crop.jpg"})
    out = confirm_same(_query(tmp_path), matches, Thresholds(), fake)  # type: ignore[arg-type]
    assert [(m.path, m.level) for m in out] == [
        ("/p/crop.jpg", "same"),
        ("/p/burst.jpg", "similar"),
        ("/p/scene.jpg", "similar"),
        ("/p/far.jpg", "unrelated"),
    ]
    # The checks run side by side: their order is free; none below the floor.
    assert sorted(fake.calls) == ["/p/burst.jpg", "/p/crop.jpg", "/p/scene.jpg"]


def test_the_checks_are_bounded_and_byte_copies_share_one(tmp_path):
    matches = [Match(f"/p/{n}.jpg", 0.99 - n / 1000, "same") for n in range(6)]
    matches.insert(1, Match("/p/0-copy.jpg", matches[0].score, "same"))  # same vector
    fake = FakeVerifier({"/p/0.jpg", "/p/0-copy.jpg", "/p/1.jpg", "/p/4.jpg"})
    out = confirm_same(_query(tmp_path), matches, Thresholds(), fake, top=3)  # type: ignore[arg-type]
    assert sorted(fake.calls) == ["/p/0.jpg", "/p/1.jpg", "/p/2.jpg"]
    levels = {m.path: m.level for m in out}
    assert levels["/p/0-copy.jpg"] == "same"
    assert levels["/p/4.jpg"] == "similar"  # beyond the checks a score alone proves nothing


def test_no_query_file_or_no_levels_leaves_the_matches_alone(tmp_path):
    fake = FakeVerifier(set())
    words_only = [Match("/p/a.jpg", 0.95, "")]
    assert confirm_same(_query(tmp_path), words_only, Thresholds(), fake) == words_only  # type: ignore[arg-type]
    scored = [Match("/p/a.jpg", 0.95, "same")]
    assert confirm_same(str(tmp_path / "gone.jpg"), scored, Thresholds(), fake) == scored  # type: ignore[arg-type]
    assert fake.calls == []


def test_more_like_this_calls_a_crop_the_same_photo(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    photo = textured(3)
    photo.save(photos / "photo.jpg", quality=92)
    photo.crop((80, 60, 560, 420)).save(photos / "photo_crop.jpg", quality=90)
    for seed in (11, 12, 13):
        textured(seed).save(photos / f"other{seed}.jpg", quality=90)
    with Library(tmp_path / "lib", writer=True) as library:
        index_library(library, [str(photos)], workers=0)
    with Library(tmp_path / "lib") as library:
        found = similar(library, str(photos / "photo.jpg"), top=4)
    assert Path(found[0].path).name == "photo_crop.jpg"
    assert found[0].level == "same"
    assert all(m.level != "same" for m in found[1:])


def test_a_verifier_passed_in_is_reused_between_queries(tmp_path, monkeypatch):
    """An app keeps one verifier for its queries: the second query decodes nothing again."""
    original = tmp_path / "original.jpg"
    textured(1).save(original, quality=92)
    copy = tmp_path / "copy.jpg"
    textured(1).resize((320, 240)).save(copy, quality=85)
    decoded: list[str] = []
    real = verify_photo.load_photo
    monkeypatch.setattr("core.verify.load_photo", lambda p: decoded.append(p) or real(p))
    matches = [Match(str(copy), 0.95, "same")]
    verifier = query_verifier()
    first = confirm_same(str(original), matches, verifier=verifier)
    assert [m.level for m in first] == ["same"]
    assert len(decoded) == 2
    confirm_same(str(original), matches, verifier=verifier)
    assert len(decoded) == 2
    confirm_same(str(original), matches)  # no verifier: a fresh one decodes again
    assert len(decoded) == 4


def test_a_kept_verifier_decodes_a_photo_again_once_it_changed(tmp_path):
    """One verifier lives for an app session: a photo edited meanwhile is not judged stale."""
    import os

    original, other = tmp_path / "original.jpg", tmp_path / "copy.jpg"
    textured(1).save(original, quality=92)
    textured(1).resize((320, 240)).save(other, quality=85)
    verifier = query_verifier()
    before = verifier.verify(str(original), str(other)).strength
    textured(2).resize((320, 240)).save(other, quality=85)  # now another picture
    os.utime(other, ns=(10**18, 10**18))
    after = verifier.verify(str(original), str(other)).strength
    assert before >= Thresholds().strict
    assert after < Thresholds().loose
