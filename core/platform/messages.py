"""marshmallow's standard validation messages in Chinese, set once before any schema is defined.

A field copies its class's messages when it is created, so this runs when ``core.platform`` is first imported
(``core/platform/__init__.py``), ahead of every module that defines a schema.
"""

from marshmallow import Schema, fields, validate


def say_validation_messages_in_chinese() -> None:
    """Say marshmallow's standard validation messages in Chinese: users read them beside the field."""
    fields.Field.default_error_messages.update({"required": "必填", "null": "不能为空", "validator_failed": "取值无效"})
    messages = {
        fields.String: {"invalid": "应为文本", "invalid_utf8": "不是有效的 UTF-8 文本"},
        fields.Number: {"invalid": "应为数字", "too_large": "数值过大"},
        fields.Integer: {"invalid": "应为整数"},
        fields.Decimal: {"special": "不接受 NaN 或无穷大"},
        fields.Boolean: {"invalid": "应为 true 或 false"},
        fields.Date: {"invalid": "日期无效，应为 YYYY-MM-DD", "format": "日期格式无效"},
        fields.DateTime: {"invalid": "时间无效，应为 ISO 8601 格式", "format": "时间格式无效"},
        fields.Email: {"invalid": "邮箱地址无效"},
        fields.List: {"invalid": "应为列表"},
        fields.Mapping: {"invalid": "应为对象"},
        fields.Nested: {"type": "应为对象"},
    }
    for cls, msgs in messages.items():
        cls.default_error_messages = {**cls.default_error_messages, **msgs}
    Schema._default_error_messages = {"type": "应为 JSON 对象", "unknown": "不允许的字段"}
    validate.Length.message_min = "长度至少为{min}"
    validate.Length.message_max = "长度不能超过{max}"
    validate.Length.message_all = "长度应在{min}到{max}之间"
    validate.Length.message_equal = "长度应为{equal}"
    validate.Range.message_min = "应{min_op}{{min}}"
    validate.Range.message_max = "应{max_op}{{max}}"
    validate.Range.message_all = "应{min_op}{{min}}且{max_op}{{max}}"
    validate.Range.message_gte, validate.Range.message_gt = "不小于", "大于"
    validate.Range.message_lte, validate.Range.message_lt = "不大于", "小于"
    validate.OneOf.default_message = "应为以下之一：{choices}"
    validate.Regexp.default_message = "格式无效"


say_validation_messages_in_chinese()
