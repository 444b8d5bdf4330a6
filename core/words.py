"""The vocabulary: words people type, mapped to the model's classes (resources/tags/words.json)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import ModelError
from core.paths import resources_dir

WORDS_FILE = resources_dir() / "tags" / "words.json"
# The longest phrase in the list has a handful of words; longer runs are never tried.
MAX_PHRASE = 5
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, hyphens and underscores as spaces, single spaces (as the list is stored)."""
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


@dataclass(frozen=True, slots=True)
class Term:
    """One searched word or phrase: the text as matched, and the classes it names (may be none)."""

    text: str
    classes: frozenset[int]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Class names and the word → classes map built by core.training.words."""

    classes: tuple[str, ...]
    words: dict[str, frozenset[int]]

    def lookup(self, word: str) -> frozenset[int]:
        """The classes a word or phrase names; empty when it names none."""
        return self.words.get(normalise(word), frozenset())

    def terms(self, query: str) -> list[Term]:
        """Split a query into terms, longest known phrase first ("sports car red" → 2 terms).

        A word that names no class is still a term (it can match folder and file names).
        """
        tokens = [t.lower() for t in _TOKEN.findall(normalise(query))]
        terms: list[Term] = []
        start = 0
        while start < len(tokens):
            for end in range(min(len(tokens), start + MAX_PHRASE), start, -1):
                phrase = " ".join(tokens[start:end])
                classes = self.words.get(phrase)
                if classes is not None or end == start + 1:
                    terms.append(Term(phrase, classes or frozenset()))
                    start = end
                    break
        return terms


@cache
def load_vocabulary(path: Path = WORDS_FILE) -> Vocabulary:
    """Read the word list once per process.

    Raises:
        ModelError: the file is missing or malformed (a broken install).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Vocabulary(
            tuple(str(name) for name in data["classes"]),
            {str(w): frozenset(int(i) for i in ids) for w, ids in data["words"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: unreadable word list ({exc}); reinstall Simili") from None
