"""Tests for the shipped word list: the words people type reach the right ImageNet classes."""

import pytest

from core.words import load_vocabulary, normalise


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def _names(vocab, word):
    return {vocab.classes[i] for i in vocab.lookup(word)}


@pytest.mark.parametrize(
    ("word", "member"),
    [
        ("dog", "Chihuahua"),
        ("dog", "Siberian Husky"),
        ("fruit", "banana"),
        ("bird", "goldfinch"),
        ("vehicle", "school bus"),
        ("building", "church"),
        ("flower", "daisy"),
        ("food", "banana"),
        ("boat", "kayak"),
        ("canoe", "kayak"),  # ImageNet calls the class canoe; its tidy name is kayak
        ("monkey", "baboon"),
        ("insect", "ladybug"),
        ("ball", "soccer ball"),
        ("cups", "coffee mug"),
        ("kitty", "tabby cat"),
        ("car", "sports car"),
        ("automobile", "sports car"),
        ("football", "soccer ball"),
        ("mice", "computer mouse"),
    ],
)
def test_words_reach_their_classes(vocab, word, member):
    assert member in _names(vocab, word)


def test_dog_is_every_breed_and_nothing_else(vocab):
    dogs = _names(vocab, "dog")
    assert len(dogs) >= 110
    assert "tabby cat" not in dogs
    assert "grey wolf" not in dogs


def test_plural_and_synonym_reach_the_same_classes(vocab):
    assert vocab.lookup("dogs") == vocab.lookup("dog")
    assert vocab.lookup("Automobiles") == vocab.lookup("automobile")


def test_too_general_words_are_not_in_the_list(vocab):
    for word in ("entity", "object", "artifact", "whole", "instrumentality"):
        assert not vocab.lookup(word)


def test_query_splits_into_known_phrases_first(vocab):
    terms = vocab.terms("Sports-Car near  church")
    assert [t.text for t in terms] == ["sports car", "near", "church"]
    assert terms[0].classes
    assert not terms[1].classes


def test_normalise():
    assert normalise("  Sports_car-RED ") == "sports car red"
