"""Document settings (发文设置) and the register of issued documents, as the API reads and writes them."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.platform.validators import SCHEMA_ERRORS, TEXT_ERRORS, text_field

#: 发文机关代字: Chinese characters (and Latin letters), no digits, brackets or punctuation (江市监通, 北市监)
CODE = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,12}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _plain(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("不能含控制字符")
    if not value.strip():
        raise ValidationError("不能为空")


def _code(value: str) -> None:
    if not CODE.fullmatch(value):
        raise ValidationError("发文机关代字应为2至12个汉字或字母，不含数字、括号和标点，如“江市监通”")


def _names(values: list[str]) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise ValidationError(f"“{value}”重复")
        seen.add(value)


def _text(max_length: int, label: str, **kw):
    return text_field(label, max_length, validators=[_plain], **kw)


def _list(label: str, least: int = 0, **kw):
    sizes = validate.Length(min=least, max=30, error=f"至少一个{label}，最多30项" if least else "最多30项")
    return fields.List(
        _text(60, label),
        validate=[sizes, _names],
        error_messages={"invalid": "应为文本列表", "required": "必填", "null": "不能为空"},
        metadata={"label": label},
        **kw,
    )


class DocumentSettingsSchema(Schema):
    """GET answers every setting (the tenant's, or the default where it has none); PUT takes any of them."""

    class Meta:
        error_messages = SCHEMA_ERRORS

    issuing_body = _text(60, "发文机关名称", metadata={"example": "江州市市场监督管理局"})
    mark = _text(30, "发文机关标志（版头）", metadata={"example": "江州市市场监督管理局文件"})
    bulletin_code = fields.String(
        validate=_code, error_messages=TEXT_ERRORS, metadata={"label": "通报发文机关代字", "example": "江市监通"}
    )
    notice_code = fields.String(
        validate=_code, error_messages=TEXT_ERRORS, metadata={"label": "整改通知书代字", "example": "江市监改"}
    )
    briefing_title = _text(30, "简报名称", metadata={"example": "行风建设工作简报"})
    recipients = _list("主送机关", least=1)
    cc = _list("抄送机关")
    signature = _text(60, "落款（署名）")
    printer = _text(60, "印发机关", metadata={"example": "江州市市场监督管理局办公室"})
    defaults = fields.List(fields.String(), dump_only=True, metadata={"description": "仍取默认值的设置"})

    @validates_schema
    def _not_empty(self, data, partial=None, **kwargs):
        if not data:
            raise ValidationError("至少填写一项设置")


class IssuedDocumentSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "bulletin 通报, briefing 简报, notice 整改通知书"})
    kind_label = fields.String()
    code = fields.String()
    year = fields.Integer()
    seq = fields.Integer()
    number = fields.String()
    title = fields.String()
    source = fields.String()
    issued_by = fields.String()
    issued_at = fields.DateTime()


class IssuedQuerySchema(Schema):
    class Meta:
        error_messages = SCHEMA_ERRORS

    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100, error="年份应在2000至2100之间"),
        error_messages={"invalid": "应为年份"},
    )
