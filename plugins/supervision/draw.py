"""The 双随机 draw: which enterprises are inspected and by whom, redoable by anyone from the seed and the pools.

Algorithm ``hmac-sha256-v1`` (stable: a changed algorithm gets a new name, old draws keep theirs):

1. Every enterprise gets the key ``HMAC-SHA256(seed, "enterprise|" + credit_code)`` (seed and message as UTF-8,
   the digest as lower-case hex). The ``target_count`` enterprises with the smallest keys are drawn, in key order
   (ties, impossible for distinct codes, fall back to the credit code).
2. For each drawn enterprise in that order, every inspector gets the key
   ``HMAC-SHA256(seed, "inspector|" + credit_code + "|" + card_number)``; the ``per_target`` inspectors are taken
   one by one, each time the one with the fewest assignments so far, and among those the smallest key (then the
   card number). So the work is spread evenly and the choice is still decided by the seed alone.

The pools are identified by ``pool_digest``: SHA-256 of the sorted credit codes and the sorted card numbers
(``"enterprises:" + ",".join(codes) + "\\ninspectors:" + ",".join(cards)``). The result by ``draw_digest``: SHA-256
of the canonical JSON ``[[credit_code, [card, ...]], ...]`` in draw order. The same seed over the same pools always
gives the same draw, whatever order the pools were entered in; another seed gives another draw.

In a shell, the key of one enterprise is ``printf 'enterprise|<code>' | openssl dgst -sha256 -hmac '<seed>'``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ALGORITHM = "hmac-sha256-v1"


@dataclass(frozen=True)
class Drawn:
    """One drawn enterprise (its credit code) and the card numbers of the inspectors drawn for it."""

    credit_code: str
    inspectors: tuple[str, ...]


def new_seed() -> str:
    """A seed nobody could have chosen in advance (128 random bits, hex)."""
    return secrets.token_hex(16)


def key(seed: str, message: str) -> str:
    return hmac.new(seed.encode(), message.encode(), hashlib.sha256).hexdigest()


def pool_digest(credit_codes: Iterable[str], card_numbers: Iterable[str]) -> str:
    text = "enterprises:" + ",".join(sorted(credit_codes)) + "\ninspectors:" + ",".join(sorted(card_numbers))
    return hashlib.sha256(text.encode()).hexdigest()


def draw_digest(result: Sequence[Drawn]) -> str:
    canonical = json.dumps([[d.credit_code, list(d.inspectors)] for d in result], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def draw(
    seed: str, credit_codes: Sequence[str], card_numbers: Sequence[str], target_count: int, per_target: int
) -> list[Drawn]:
    """Draw ``target_count`` enterprises and ``per_target`` inspectors for each (see the module's algorithm)."""
    if not seed:
        raise ValueError("a draw needs a seed")
    if len(set(credit_codes)) != len(credit_codes) or len(set(card_numbers)) != len(card_numbers):
        raise ValueError("pool entries must be unique")
    if not 1 <= target_count <= len(credit_codes):
        raise ValueError(f"cannot draw {target_count} of {len(credit_codes)} enterprises")
    if not 1 <= per_target <= len(card_numbers):
        raise ValueError(f"cannot draw {per_target} of {len(card_numbers)} inspectors")
    targets = sorted(credit_codes, key=lambda code: (key(seed, f"enterprise|{code}"), code))[:target_count]
    load = dict.fromkeys(card_numbers, 0)
    result = []
    for code in targets:
        keys = {card: key(seed, f"inspector|{code}|{card}") for card in card_numbers}
        chosen: list[str] = []
        for _ in range(per_target):
            best = min((c for c in card_numbers if c not in chosen), key=lambda c: (load[c], keys[c], c))
            chosen.append(best)
            load[best] += 1
        result.append(Drawn(code, tuple(chosen)))
    return result
