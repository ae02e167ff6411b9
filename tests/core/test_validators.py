"""The unified social credit code validator and field (GB 32100-2015)."""

import pytest
from marshmallow import Schema, ValidationError

from core.platform.validators import USCCError, USCCField, normalise_uscc, uscc_check_char, validate_uscc

# Genuinely published codes: 华为技术有限公司 (Wikipedia's infobox) and 深圳市腾讯计算机系统有限公司 (the
# business-licence data in check-china.com's public example report); 小米科技有限责任公司's, as widely quoted.
PUBLISHED = ["914403001922038216", "91440300708461136T", "91110108551385082Q"]


class CodeSchema(Schema):
    code = USCCField(required=True)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass(code):
    validate_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]


def test_check_char_zero_when_remainder_is_zero():
    # 31 - 0 would be 31, which the standard maps to "0": this body's weighted sum is a multiple of 31.
    body = "9144030070846113J"
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True)) % 31 == 0
    assert uscc_check_char(body) == "0"
    validate_uscc(body + "0")


@pytest.mark.parametrize(("code", "length"), [("", 0), ("91440300708461136", 17), ("91440300708461136TX", 19)])
def test_wrong_length(code, length):
    with pytest.raises(USCCError) as info:
        validate_uscc(code)
    assert info.value.messages == [f"长度应为18位，实为{length}位"]
    assert info.value.position is None


@pytest.mark.parametrize(
    ("code", "position", "char"),
    [
        ("9144I300708461136T", 5, "I"),
        ("91440300708461136O", 18, "O"),
        ("S1440300708461136T", 1, "S"),
        ("91440300708461136t", 18, "t"),
    ],
)
def test_invalid_character_names_position(code, position, char):
    with pytest.raises(USCCError) as info:
        validate_uscc(code)
    assert info.value.messages == [f"第{position}位字符'{char}'不是有效字符"]
    assert info.value.position == position


def test_division_code_must_be_digits():
    with pytest.raises(USCCError) as info:
        validate_uscc("9144A300708461136T")
    assert info.value.position == 5
    assert "第5位" in info.value.messages[0]


def test_wrong_check_char_names_position_18_and_expected():
    with pytest.raises(USCCError) as info:
        validate_uscc("914403001922038217")
    assert info.value.messages == ["第18位校验码错误，应为6"]
    assert info.value.position == 18


def test_uscc_error_is_a_marshmallow_validation_error():
    assert issubclass(USCCError, ValidationError)


def test_check_char_rejects_bad_input():
    with pytest.raises(ValueError, match="17"):
        uscc_check_char("9144")
    with pytest.raises(ValueError, match="'I'"):
        uscc_check_char("9144I300708461136")


@pytest.mark.parametrize(
    "raw", ["91440300708461136t", " 9144 0300 7084 6113 6T\n", "９１４４０３００７０８４６１１３６ｔ"]
)
def test_field_normalises_input(raw):
    assert normalise_uscc(raw) == "91440300708461136T"
    assert CodeSchema().load({"code": raw}) == {"code": "91440300708461136T"}


def test_field_reports_chinese_errors():
    with pytest.raises(ValidationError) as info:
        CodeSchema().load({"code": "914403001922038217"})
    assert info.value.messages == {"code": ["第18位校验码错误，应为6"]}
    with pytest.raises(ValidationError) as info:
        CodeSchema().load({"code": 914403001922038216})
    assert info.value.messages == {"code": ["应为文本"]}
    with pytest.raises(ValidationError) as info:
        CodeSchema().load({})
    assert info.value.messages == {"code": ["必填"]}


def _with_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


@pytest.mark.parametrize(
    ("first17", "position", "reason"),
    [
        # The all-zero code has a valid check character but no registration authority "0".
        ("00000000000000000", 1, "第1位登记管理部门码'0'无效"),
        ("B1440300708461136", 1, "第1位登记管理部门码'B'无效"),
        # 工商 registers 企业 (1), 个体工商户 (2) and 农民专业合作社 (3) only.
        ("95440300708461136", 2, "第2位机构类别码'5'无效，工商（市场监管）登记的机构类别码应为1、2、3"),
        ("5A440300708461136", 2, "第2位机构类别码'A'无效，民政登记的机构类别码应为1、2、3、9"),
        # The division code must begin with a province's two digits.
        ("91000000708461136", 3, "第3至8位行政区划码'000000'无效"),
        ("91990300708461136", 3, "第3至8位行政区划码'990300'无效"),
    ],
)
def test_authority_kind_and_division_checked(first17, position, reason):
    code = _with_check(first17)
    with pytest.raises(USCCError) as info:
        validate_uscc(code)
    assert info.value.messages == [reason]
    assert info.value.position == position


@pytest.mark.parametrize(
    "first17",
    [
        "11100000000013127",  # 机关 registered by 机构编制, central government (10…)
        "12440300455755656",  # 事业单位
        "51440300MJ0000000",  # 社会团体 registered by 民政
        "52440300MJL000000",  # 民办非企业单位
        "92440300MA5D00000",  # 个体工商户
        "93440300MA5D00000",  # 农民专业合作社
        "31440000MD0000000",  # 律师事务所
        "N2440300MF0000000",  # 村级集体经济组织
        "Y1440300MG0000000",  # 其他
    ],
)
def test_every_authority_in_the_standard_passes(first17):
    validate_uscc(_with_check(first17))
