"""Tests for the word-list builder on a tiny WordNet written in its own file format."""

from core.training.words import build_words, irregular_plurals, plural, read_nouns

# offset lex_filenum ss_type w_cnt words... p_cnt pointers... | gloss
DATA = """\
  1 This header line is skipped.
00000001 03 n 01 entity 0 000 | the top
00000002 03 n 02 dog 0 domestic_dog 0 001 @ 00000001 n 0000 | a dog
00000003 05 n 02 poodle 0 poodle_dog 0 001 @ 00000002 n 0000 | a poodle
00000004 05 n 01 mouse 0 001 @ 00000001 n 0000 | a mouse
00000005 05 n 02 Canis 0 genus_Canis 0 000 | a genus
00000006 05 n 02 husky 0 Canis_borealis 0 001 @ 00000002 n 0000 | a husky
"""


def _wordnet(tmp_path):
    (tmp_path / "data.noun").write_text(DATA, encoding="utf-8")
    (tmp_path / "noun.exc").write_text("mice mouse\n", encoding="utf-8")
    return tmp_path


def test_hypernyms_synonyms_plurals_and_no_latin(tmp_path):
    wordnet = _wordnet(tmp_path)
    document = build_words(
        ["n00000003", "n00000006", "n00000004"],
        ["poodle", "husky", "mouse"],
        ["poodle", "husky", "mouse"],
        read_nouns(wordnet),
        irregular_plurals(wordnet),
        aliases={},
    )
    words = document["words"]
    assert words["dog"] == [0, 1]  # the hypernym reaches both breeds
    assert words["domestic dog"] == [0, 1]  # its synonym too
    assert words["dogs"] == [0, 1]
    assert words["mice"] == [2]  # irregular plural from noun.exc
    assert "entity" not in words  # too general
    assert "canis borealis" not in words  # a Latin name (Canis is a genus)
    assert document["classes"] == ["poodle", "husky", "mouse"]


def test_plural_rules():
    assert plural("bus", {}) == ["buses"]
    assert plural("cherry", {}) == ["cherries"]
    assert plural("sports car", {}) == ["sports cars"]
    assert plural("goods", {}) == []
    assert plural("article of clothing", {}) == []
