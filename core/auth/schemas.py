"""Schemas of the authentication endpoints."""

from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "用户名"})
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256), metadata={"label": "密码"}
    )


class RefSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()


class CallerSchema(Schema):
    """The logged-in user as the client sees it."""

    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    role = fields.String()
    role_name = fields.String()
    is_liaison = fields.Boolean()
    tenant = fields.Nested(RefSchema, allow_none=True)
    unit = fields.Nested(RefSchema, allow_none=True)


class TokenSchema(Schema):
    token = fields.String(metadata={"description": "不透明的访问令牌，放在 Authorization: Bearer 之后"})
    token_type = fields.String()
    expires_at = fields.DateTime()
    user = fields.Nested(CallerSchema)


class PasswordChangeSchema(Schema):
    old_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
