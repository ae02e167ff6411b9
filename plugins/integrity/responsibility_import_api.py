"""API of the 党风廉政建设责任书 import, on the integrity blueprint (/api/v1/plugins/integrity/).

Views take ``**_url_values``: the core mounts the blueprint a second time under /api/v1/tenants/<tenant>/…
"""

from __future__ import annotations

from core.plugin_api import Caller, require
from plugins.integrity import responsibility
from plugins.integrity.api import (
    IntegrityStaffImportFormSchema,
    IntegrityStaffImportResultSchema,
    IntegrityStaffUploadSchema,
    blp,
)
from plugins.integrity.responsibility_import import import_statements


@blp.route("/responsibility-statements/import", methods=["POST"])
@require(*responsibility.WRITERS)
@blp.arguments(IntegrityStaffImportFormSchema, location="form")
@blp.arguments(IntegrityStaffUploadSchema, location="files")
@blp.response(200, IntegrityStaffImportResultSchema)
def import_responsibility_statements(form, files, **_url_values):
    """Import statements from .xlsx or .csv (the export's columns).

    Columns: 单位 (name or code), 年度, 类别 or 责任类型 (主体责任/监督责任), 签订人 (a person in post of that unit,
    by name or 执法证号), 签订日期 (in that year or the year before, not in the future). Any bad cell refuses the
    whole file with 422, each error named by row and column under ``errors.rows``, and nothing is written. A row
    whose unit, year and kind are recorded already updates that statement's signer and date. ``dry_run`` only
    checks.
    """
    caller = Caller.current()
    upload = files["file"]
    return import_statements(caller, upload.stream, upload.filename or "", form["dry_run"])
