"""The documents API: each tenant's document settings (发文设置) and its register of issued numbers (发文登记).

Tenant users use ``/api/v1/documents/...``; city users ``/api/v1/tenants/<tenant>/documents/...`` for a county's and
``/api/v1/city/documents/...`` for the city bureau's own (the settings its 通报 and 督办单 are issued under).
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView

from core.auth.guard import actor, require
from core.auth.models import CITY_ROLES
from core.documents import service
from core.documents.schemas import DocumentSettingsSchema, IssuedDocumentSchema, IssuedQuerySchema
from core.platform.api import Blueprint, list_schema, listing

blp = Blueprint("documents", __name__, url_prefix="/api/v1", description="公文：发文设置与发文登记")

READERS = ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer")


@blp.tenant_route("/documents/settings")
class TenantDocumentSettings(MethodView):
    @require(*READERS)
    @blp.response(200, DocumentSettingsSchema)
    def get(self):
        """本局发文设置：发文机关名称、版头、代字、主送、抄送、落款、印发机关（未设置的取默认值，见 defaults）。"""
        return service.settings_for(g.tenant)

    @require("city_admin", "tenant_admin")
    @blp.arguments(DocumentSettingsSchema)
    @blp.response(200, DocumentSettingsSchema)
    def put(self, args):
        """修改本局发文设置（只改给出的项），留痕。"""
        return service.change_settings(g.tenant, actor(), args)


@blp.route("/city/documents/settings")
class CityDocumentSettings(MethodView):
    @require(*CITY_ROLES, tenant=False)
    @blp.response(200, DocumentSettingsSchema)
    def get(self):
        """市局发文设置：通报、督办单以此发出。"""
        return service.settings_for(service.city_tenant())

    @require("city_admin", tenant=False)
    @blp.arguments(DocumentSettingsSchema)
    @blp.response(200, DocumentSettingsSchema)
    def put(self, args):
        """修改市局发文设置（只改给出的项），留痕于市局（机关）租户。"""
        return service.change_settings(service.city_tenant(), actor(), args)


@blp.tenant_route("/documents/issued")
@require(*READERS)
@blp.arguments(IssuedQuerySchema, location="query")
@blp.response(200, list_schema(IssuedDocumentSchema))
def tenant_issued(args):
    """本局发文登记：每个文号、期号一行（通报、简报、整改通知书），新的在前；按年份筛选。"""
    return listing(service.register(g.tenant, args.get("year")))


@blp.route("/city/documents/issued")
@require(*CITY_ROLES, tenant=False)
@blp.arguments(IssuedQuerySchema, location="query")
@blp.response(200, list_schema(IssuedDocumentSchema))
def city_issued(args):
    """市局发文登记：市局发出的通报、简报的文号、期号。"""
    return listing(service.register(service.city_tenant(), args.get("year")))
