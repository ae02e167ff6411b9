"""Validators shared by the core and the plugins: the unified social credit code, form dates, Chinese error texts."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields

#: The 31 characters GB 32100-2015 allows: digits and capitals without I, O, Z, S, V (easily misread).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
#: Weight of each of the first 17 characters: 3**i mod 31, as the standard tabulates them.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
#: Characters 3-8 are the registering authority's administrative division code (GB/T 2260), digits only.
_DIVISION_POSITIONS = range(3, 9)

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
