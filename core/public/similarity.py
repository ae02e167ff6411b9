"""How alike two Chinese texts are: the Dice coefficient of their character bigrams.

Chinese has no spaces between words, so word tokens would need a segmenter (and its dictionary); overlapping
character pairs catch the shared words of a paraphrase (窗口、工作人员、态度、群众) without one.
"""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, and only letters, digits and CJK characters kept."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if ch.isalnum())


def bigrams(text: str) -> frozenset[str]:
    """The set of adjacent character pairs of the normalised text (a lone character counts as itself)."""
    chars = normalise(text)
    if len(chars) < 2:
        return frozenset({chars}) if chars else frozenset()
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """2·|A∩B| / (|A|+|B|): 1 for the same bigrams, 0 for none in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(first: str, second: str) -> float:
    """The bigram Dice coefficient of two texts."""
    return dice(bigrams(first), bigrams(second))
