"""Schemas of the admin API: tenants, units, users, plugin switches and domains."""

from marshmallow import Schema, fields, validate

from core.auth.models import ROLES
from core.tenancy.models import TENANT_STATUSES, UNIT_KINDS


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    slug = fields.String(required=True, validate=validate.Length(min=2, max=40), metadata={"label": "标识"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"label": "名称"})
    code = fields.String(required=True, validate=validate.Length(min=1, max=10), metadata={"label": "编号前缀"})
    is_city = fields.Boolean(load_default=False, metadata={"label": "是否市局机关"})
    status = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class TenantUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    code = fields.String(validate=validate.Length(min=1, max=10))
    status = fields.String(validate=validate.OneOf(TENANT_STATUSES))


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    parent_id = fields.Integer(allow_none=True, load_default=None, metadata={"label": "上级单位"})
    code = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=40),
            validate.Regexp(r"^[A-Za-z0-9_.-]+$", error="只能含字母、数字、点、下划线或连字符"),
        ],
        metadata={"label": "单位代码"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"label": "单位名称"})
    kind = fields.String(required=True, validate=validate.OneOf(list(UNIT_KINDS)), metadata={"label": "单位类型"})
    kind_name = fields.Method("get_kind_name", dump_only=True)
    sort_order = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000))

    def get_kind_name(self, unit):
        return UNIT_KINDS.get(unit.kind, unit.kind)


class UnitUpdateSchema(Schema):
    parent_id = fields.Integer(allow_none=True)
    code = fields.String(validate=[validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$")])
    name = fields.String(validate=validate.Length(min=1, max=100))
    kind = fields.String(validate=validate.OneOf(list(UNIT_KINDS)))
    sort_order = fields.Integer(validate=validate.Range(min=0, max=100000))


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=validate.Length(min=3, max=64), metadata={"label": "用户名"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "姓名"})
    role = fields.String(required=True, validate=validate.OneOf(ROLES), metadata={"label": "角色"})
    unit_id = fields.Integer(allow_none=True, load_default=None, metadata={"label": "所在单位"})
    is_liaison = fields.Boolean(load_default=False, metadata={"label": "联络员"})
    active = fields.Boolean(dump_only=True)
    password = fields.String(load_only=True, validate=validate.Length(min=1, max=256), metadata={"label": "初始密码"})
    has_password = fields.Method("get_has_password", dump_only=True)

    def get_has_password(self, user):
        return user.password_hash is not None


class UserUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=64))
    role = fields.String(validate=validate.OneOf(ROLES))
    unit_id = fields.Integer(allow_none=True)
    is_liaison = fields.Boolean()
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=validate.Length(min=1, max=256))


class SwitchSchema(Schema):
    enabled = fields.Boolean(required=True, metadata={"label": "启用"})


class UnitSwitchSchema(Schema):
    enabled = fields.Boolean(
        required=True,
        allow_none=True,
        metadata={"description": "true/false 覆盖本单位及下级；null 取消覆盖，沿用上级"},
    )


class DomainStateSchema(Schema):
    domain = fields.String()
    enabled = fields.Boolean()
    source = fields.Raw(metadata={"description": "tenant：沿用本局设置；数字：该单位的覆盖设置；core：核心领域"})


class UnitPluginsSchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.String()
    domains = fields.List(fields.Nested(DomainStateSchema))


class PluginOverviewSchema(Schema):
    tenant = fields.Dict(keys=fields.String(), values=fields.Boolean())
    units = fields.List(fields.Nested(UnitPluginsSchema))


class CategorySchema(Schema):
    code = fields.String()
    name = fields.String()


class FieldDescriptionSchema(Schema):
    code = fields.String()
    label = fields.String()
    type = fields.String()
    required = fields.Boolean()
    choices = fields.List(fields.Raw())
    help = fields.String()


class DomainSchema(Schema):
    slug = fields.String()
    name = fields.String()
    name_en = fields.String()
    description = fields.String()
    categories = fields.List(fields.Nested(CategorySchema))
    fields_ = fields.List(fields.Nested(FieldDescriptionSchema), data_key="fields")


class DomainQuerySchema(Schema):
    unit_id = fields.Integer(metadata={"description": "查看该单位启用的领域；缺省为当前用户所在单位"})
