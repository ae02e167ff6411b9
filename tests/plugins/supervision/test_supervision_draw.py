"""The 双随机 draw redone from its seed, and unified social credit codes checked by their check digit."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest
from fixtures.supervision import credit_code
from marshmallow import ValidationError

from core.platform.validators import USCCError, validate_uscc
from plugins.supervision import draw
from plugins.supervision.schemas import SupervisionEnterpriseSchema

CODES = [credit_code(n) for n in range(1, 41)]
CARDS = [f"32010{n:04d}" for n in range(1, 13)]


def test_the_same_seed_gives_the_same_draw_whatever_the_pool_order():
    first = draw.draw("2024-Q3-公开摇号", CODES, CARDS, 8, 2)
    shuffled_codes, shuffled_cards = CODES[:], CARDS[:]
    random.Random(7).shuffle(shuffled_codes)
    random.Random(8).shuffle(shuffled_cards)
    again = draw.draw("2024-Q3-公开摇号", shuffled_codes, shuffled_cards, 8, 2)
    assert again == first
    assert draw.draw_digest(again) == draw.draw_digest(first)
    assert draw.pool_digest(shuffled_codes, shuffled_cards) == draw.pool_digest(CODES, CARDS)


def test_another_seed_gives_another_draw():
    first = draw.draw("seed-a", CODES, CARDS, 8, 2)
    other = draw.draw("seed-b", CODES, CARDS, 8, 2)
    assert [d.credit_code for d in first] != [d.credit_code for d in other]
    assert draw.draw_digest(first) != draw.draw_digest(other)


def test_the_algorithm_is_the_documented_one():
    """Redo the draw with nothing but hmac and sorting, as docs/plugins.md tells an outsider to."""
    seed = "b3f1c2d4e5f60718293a4b5c6d7e8f90"

    def key(message):
        return hmac.new(seed.encode(), message.encode(), hashlib.sha256).hexdigest()

    targets = sorted(CODES, key=lambda c: key(f"enterprise|{c}"))[:5]
    load = dict.fromkeys(CARDS, 0)
    expected = []
    for code in targets:
        chosen = []
        for _ in range(3):
            best = min((c for c in CARDS if c not in chosen), key=lambda c: (load[c], key(f"inspector|{code}|{c}"), c))
            chosen.append(best)
            load[best] += 1
        expected.append((code, tuple(chosen)))
    assert [(d.credit_code, d.inspectors) for d in draw.draw(seed, CODES, CARDS, 5, 3)] == expected


def test_inspectors_are_distinct_per_target_and_the_work_is_spread():
    result = draw.draw("spread", CODES, CARDS, 12, 2)
    counts = {}
    for drawn in result:
        assert len(set(drawn.inspectors)) == 2
        for card in drawn.inspectors:
            counts[card] = counts.get(card, 0) + 1
    assert set(counts.values()) == {2}  # 24 assignments over 12 inspectors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", CODES, CARDS, 1, 1), "seed"),
        (("s", CODES, CARDS, 41, 1), "enterprises"),
        (("s", CODES, CARDS, 1, 13), "inspectors"),
        (("s", CODES + CODES[:1], CARDS, 1, 1), "unique"),
    ],
)
def test_impossible_draws_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        draw.draw(*args)


def test_new_seeds_are_random():
    assert len({draw.new_seed() for _ in range(20)}) == 20


# --- unified social credit codes ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91440300708461136T", "914403001922038216", *CODES[:3]])
def test_good_codes_pass(code):
    validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "position", "text"),
    [
        ("914403001922038217", 18, "第18位校验码错误，应为6"),
        ("9144I300708461136T", 5, "第5位字符'I'不是有效字符"),
        ("91A40300708461136T", 3, "第3位字符'A'无效"),
        ("91440300708461136", None, "长度应为18位，实为17位"),
    ],
)
def test_bad_codes_name_the_position(code, position, text):
    with pytest.raises(USCCError) as info:
        validate_uscc(code)
    assert info.value.position == position
    assert text in info.value.messages[0]


def test_the_pool_schema_normalises_and_checks_codes():
    loaded = SupervisionEnterpriseSchema().load(
        {"name": "某超市", "credit_code": " ９１４４０３００７０８４６１１３６t "}
    )
    assert loaded["credit_code"] == "91440300708461136T"
    with pytest.raises(ValidationError) as info:
        SupervisionEnterpriseSchema().load({"name": "某超市", "credit_code": "914403001922038217"})
    assert "第18位" in info.value.messages["credit_code"][0]
