"""Validators shared by the core and the plugins: the unified social credit code, form dates, Chinese error texts."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate

#: The 31 characters GB 32100-2015 allows: digits and capitals without I, O, Z, S, V (easily misread).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
#: Weight of each of the first 17 characters: 3**i mod 31, as the standard tabulates them.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
#: Characters 3-8 are the registering authority's administrative division code (GB/T 2260), digits only.
_DIVISION_POSITIONS = range(3, 9)
#: Character 1 is the registration authority (登记管理部门代码) and character 2 the kind of organisation
#: (机构类别代码) that authority registers, as GB 32100-2015 Table 1 (with its later amendments) lists them.
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                   "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}  # fmt: skip
#: The first two digits of a GB/T 2260 division code: the provinces, autonomous regions and municipalities
#: (10 is the code the registration authorities of the central government use).
_PROVINCE_CODES = frozenset(
    "10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

# Chinese texts for marshmallow's built-in errors, passed as ``error_messages``: officers never see English.
TEXT_ERRORS = {
    "required": "必填",
    "null": "不能为空",
    "invalid": "应为文本",
    "invalid_utf8": "应为有效的UTF-8文本",
}
NUMBER_ERRORS = {
    "required": "必填",
    "null": "不能为空",
    "invalid": "应为数字",
    "too_large": "数值过大",
    "special": "不能为非数字或无穷大",
}
SCHEMA_ERRORS = {"unknown": "未知字段", "type": "应为JSON对象"}


def text_field(label: str, max_length: int, required: bool = False, **kwargs: Any) -> fields.Str:
    """A text field of at most ``max_length`` characters whose errors name it: 办件编号不能超过64个字符.

    Required text must have at least one character (应为1到N个字符); ``label`` goes into the OpenAPI document too.
    Extra validators go in ``validators``; the other keyword arguments are the field's own (load_default …).
    """
    error = f"{label}应为1到{{max}}个字符" if required else f"{label}不能超过{{max}}个字符"
    length = validate.Length(min=1 if required else 0, max=max_length, error=error)
    metadata = {"label": label, **kwargs.pop("metadata", {})}
    return fields.Str(
        required=required,
        validate=[length, *kwargs.pop("validators", ())],
        error_messages=TEXT_ERRORS,
        metadata=metadata,
        **kwargs,
    )


class USCCError(ValidationError):
    """A unified social credit code failed validation; ``position`` is the 1-based bad position, if any."""

    def __init__(self, message: str, position: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.position = position


def normalise_uscc(value: str) -> str:
    """Return the code as it should be stored: full-width forms folded, whitespace removed, upper case."""
    # Codes typed with a Chinese input method often come as full-width characters (９１４４…) or with spaces.
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def uscc_check_char(first17: str) -> str:
    """Compute the 18th (check) character of a unified social credit code from its first 17 characters."""
    if len(first17) != USCC_LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    try:
        total = sum(_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    except KeyError as error:
        raise ValueError(f"{error.args[0]!r} is not a valid USCC character") from error
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Validate a unified social credit code (GB 32100-2015); :class:`USCCError` names the bad position."""
    if not isinstance(value, str):
        raise USCCError("应为文本")
    if len(value) != USCC_LENGTH:
        raise USCCError(f"长度应为{USCC_LENGTH}位，实为{len(value)}位")
    for position, char in enumerate(value, start=1):
        if char not in _VALUES:
            raise USCCError(f"第{position}位字符'{char}'不是有效字符", position=position)
        if position in _DIVISION_POSITIONS and not char.isdigit():
            raise USCCError(f"第{position}位字符'{char}'无效，第3至8位行政区划码应为数字", position=position)
    if value[0] not in USCC_AUTHORITIES:
        raise USCCError(f"第1位登记管理部门码'{value[0]}'无效", position=1)
    authority, kinds = USCC_AUTHORITIES[value[0]]
    if value[1] not in kinds:
        raise USCCError(
            f"第2位机构类别码'{value[1]}'无效，{authority}登记的机构类别码应为{'、'.join(kinds)}", position=2
        )
    if value[2:4] not in _PROVINCE_CODES:
        raise USCCError(f"第3至8位行政区划码'{value[2:8]}'无效", position=3)
    expected = uscc_check_char(value[:-1])
    if value[-1] != expected:
        raise USCCError(f"第{USCC_LENGTH}位校验码错误，应为{expected}", position=USCC_LENGTH)


class USCCField(fields.String):
    """A string field holding a unified social credit code, normalised (upper case, no spaces) and checked."""

    default_error_messages = TEXT_ERRORS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Appended last so it runs on the normalised value, after any validators the caller passed.
        self.validators.append(validate_uscc)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalise_uscc(super()._deserialize(value, attr, data, **kwargs))


#: What a page's date field takes: 2026-12-02 (a month or day of one digit is allowed, 2026-12-2).
FORM_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
FORM_DATE_ERROR = "日期格式应为 2026-12-02（年-月-日）"


def parse_form_date(value: str | None) -> date:
    """A date typed in a page's date field as yyyy-mm-dd; ValueError with a Chinese message otherwise.

    Stricter than ``date.fromisoformat``, which would also take 20261202 or 2026-W49-3.
    """
    match = FORM_DATE.fullmatch((value or "").strip())
    if match is None:
        raise ValueError(FORM_DATE_ERROR)
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(FORM_DATE_ERROR) from None
