"""The ledger in and out of Excel: export of the filtered list (.xlsx, .csv), import of a workbook, the template.

Tenant users use ``/api/v1/problems/...``; city users ``/api/v1/tenants/<tenant>/problems/...`` (see docs/api.md).
"""

from __future__ import annotations

from flask import Response, g, stream_with_context
from marshmallow import Schema, fields

from core.auth.guard import require
from core.ledger import excel, service
from core.ledger.api import READERS
from core.ledger.schemas import ListQuerySchema, UploadSchema
from core.platform.api import Blueprint
from core.platform.db import tenant_scope
from core.platform.tabular import download_response, send_workbook

blp = Blueprint("ledger_exchange", __name__, url_prefix="/api/v1", description="台账导入导出")

#: roles that may import; each row is further held to the recording and editing rules of the ledger
IMPORTERS = ("city_supervisor", "tenant_admin", "officer")


class ImportFormSchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "只检查并统计，不写入任何数据"})


class StatusMismatchSchema(Schema):
    row = fields.Integer(metadata={"description": "Excel 行号（表头为第1行）"})
    external_ref = fields.String()
    number = fields.String(allow_none=True, metadata={"description": "系统中的编号；新问题为 null"})
    file_status = fields.String(metadata={"description": "文件中的状态"})
    system_status = fields.String(metadata={"description": "系统中的状态"})
    message = fields.String()


class ImportResultSchema(Schema):
    created = fields.Integer(metadata={"description": "新登记的问题数"})
    updated = fields.Integer(metadata={"description": "整改措施或整改进展有更新的问题数"})
    unchanged = fields.Integer(metadata={"description": "与系统一致、未改动的行数"})
    status_mismatches = fields.List(
        fields.Nested(StatusMismatchSchema), metadata={"description": "状态与系统不一致的行（只报告，不改动）"}
    )
    dry_run = fields.Boolean()


@blp.tenant_route("/problems/export.xlsx")
@require(*READERS)
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, description="问题台账 Excel 文件")
def export_xlsx(args):
    """The ledger with the list's filters as an Excel workbook, one row per problem, in number order.

    Columns: 编号, 问题来源, 问题类别, 问题描述, 责任单位, 责任人, 责任领导, 整改措施, 整改时限, 整改类型, 整改进展,
    完成情况, 佐证材料, 验收意见, 销号时间, 问题标题, 业务领域, 状态, 灯色, 外部编号, then the domains' extra fields and
    the tenant's own fields. The file can be imported back unchanged.
    """
    caller = service.Caller.current()
    export = excel.prepare_export(caller, args)
    return send_workbook(
        lambda out: excel.write_xlsx(export, out), excel.export_filename(caller.tenant.slug, "xlsx", export.today)
    )


@blp.tenant_route("/problems/export.csv")
@require(*READERS)
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, description="问题台账 CSV 文件（UTF-8，带 BOM）")
def export_csv(args):
    """The same export as CSV (UTF-8 with a BOM, so that Excel reads the Chinese), streamed as it is read."""
    caller = service.Caller.current()
    export = excel.prepare_export(caller, args)
    tenant_id = caller.tenant.id

    def chunks():
        # The body is read after the view has returned and its session may be gone: scope the one that reads.
        with tenant_scope(tenant_id):
            yield from excel.csv_chunks(export)

    response = Response(stream_with_context(chunks()), mimetype="text/csv")
    return download_response(response, excel.export_filename(caller.tenant.slug, "csv", export.today), excel.CSV_TYPE)


@blp.tenant_route("/problems/import", methods=["POST"])
@require(*IMPORTERS)
@blp.arguments(ImportFormSchema, location="form")
@blp.arguments(UploadSchema, location="files")
@blp.response(200, ImportResultSchema)
def import_problems(form, files):
    """Import a workbook in the export's layout, keyed by 外部编号 (at most 20,000 rows, .xlsx only).

    Every cell is checked before anything is written: any bad cell refuses the whole file with 422, each error
    named by row and column under ``errors.rows``. A new 外部编号 records a problem; a known one (or a problem's
    编号) updates 整改措施 and 整改进展 when they differ, as an audited ``imported_update``; a differing 状态 is
    only reported. Importing the same file twice changes nothing. ``dry_run`` checks and counts only.
    """
    caller = service.Caller.current()
    upload = files["file"]
    return excel.import_workbook(caller, upload.stream, upload.filename or "", form["dry_run"])


@blp.tenant_route("/problems/import-template.xlsx")
@require(*READERS)
@blp.response(200, description="问题台账导入模板")
def import_template():
    """A blank import workbook: the headers, one example row, and a 说明 sheet of rules and allowed values."""
    caller = service.Caller.current()
    filename = f"问题台账导入模板-{g.tenant.slug}.xlsx"
    return send_workbook(lambda out: excel.write_template(caller, out), filename)
