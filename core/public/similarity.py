"""How alike a report is to other reports and to ledger problems, for Chinese text without a word segmenter.

Chinese has no spaces between words, so word tokens would need a segmenter (and its dictionary); overlapping
character pairs (bigrams) catch the shared words of a paraphrase (窗口、态度、生硬、营业执照) without one. Latin letters
and digits count as whole words (``ICP``、``2024``), not as pairs of letters.

Two texts of very different length are compared fairly: a 30-character report against a problem whose description
runs to 300 characters scores low by the Dice coefficient alone (the long side's pairs swamp it), so the measure
takes the cosine (shared over the geometric mean of the sizes), asks how much of the shorter text the longer one
contains (the overlap coefficient, damped), and compares the report with the problem's title on its own.
Pairs that most candidates share (群众、窗口、工作人员 in a conduct ledger) weigh less than rare ones (inverse document
frequency over the candidates).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")
#: runs of letters and digits outside ASCII: Chinese characters (and any other script's letters)
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]+")
#: how much a containment (overlap coefficient) counts next to a cosine
CONTAINMENT = 0.75


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, and only letters, digits and CJK characters kept."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if ch.isalnum())


def tokens(text: str) -> frozenset[str]:
    """The text's CJK character bigrams (a lone character counts as itself) and its Latin/digit words.

    Spaces and punctuation do not count: 「窗口 态度，差」 and 「窗口态度差」 have the same tokens.
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    words = set(_WORD.findall(text))
    chars = "".join(_NON_ASCII_WORD.findall(text))
    if len(chars) >= 2:
        words.update(map(str.__add__, chars, chars[1:]))  # each character with the next, in C
    elif chars:
        words.add(chars)
    return frozenset(words)


#: the old name: the tokens are mostly bigrams
bigrams = tokens


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """2·|A∩B| / (|A|+|B|): 1 for the same tokens, 0 for none in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(first: str, second: str) -> float:
    """The token Dice coefficient of two texts (unweighted; for two texts on their own)."""
    return dice(tokens(first), tokens(second))


@dataclass(frozen=True)
class Candidate:
    """Something a report may be like: a title (may be empty) and its whole text (title and description)."""

    key: object
    title: frozenset[str]
    full: frozenset[str]


class Scorer:
    """Scores one query text against a set of candidates, weighting each token by how rare it is among them."""

    def __init__(self, query: frozenset[str], candidates: Iterable[Candidate]):
        self.query = query
        self.candidates = list(candidates)
        # The query is one of the documents: a token of the query's alone is rare, not unknown.
        df: Counter[str] = Counter(query)
        for c in self.candidates:
            df.update(c.full)
        n = len(self.candidates) + 1
        self._weight = {t: 1.0 + math.log((n + 1) / (k + 1)) for t, k in df.items()}
        self._unseen = 1.0 + math.log((n + 1) / 2)
        self._query_weight = self._sum(query)

    def _sum(self, items: Iterable[str]) -> float:
        weight, unseen = self._weight, self._unseen
        return sum(weight.get(t, unseen) for t in items)

    def _measures(self, other: frozenset[str]) -> tuple[float, float]:
        """Weighted cosine (shared over the geometric mean) and weighted containment of the query in another set."""
        if not other or not self.query:
            return 0.0, 0.0
        shared = self._sum(self.query & other)
        if not shared:
            return 0.0, 0.0
        mine, theirs = self._query_weight, self._sum(other)
        return shared / math.sqrt(mine * theirs), shared / min(mine, theirs)

    def text_score(self, candidate: Candidate) -> float:
        """0–1: the best of the cosine on the whole text, the cosine on the title, and the damped containment of
        the shorter of query and whole text in the other (a title is too short to be judged by containment)."""
        if not (self.query & candidate.full):
            return 0.0
        cosine, contained = self._measures(candidate.full)
        best = max(cosine, CONTAINMENT * contained)
        if candidate.title and candidate.title != candidate.full:
            best = max(best, self._measures(candidate.title)[0])
        return min(best, 1.0)
