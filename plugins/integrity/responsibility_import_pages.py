"""The page 导入责任书, on the integrity page blueprint: every bad cell is listed before anything is written."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from core.plugin_api import Caller, ServiceError, db
from plugins.integrity import responsibility
from plugins.integrity.pages import _prefix, blp
from plugins.integrity.responsibility_import import COLUMNS, import_statements


@blp.tenant_page("/integrity/responsibility/import", *responsibility.WRITERS, methods=["GET", "POST"])
def integrity_responsibility_import():
    """Import statements from .xlsx or .csv (the export's columns)."""
    caller = Caller.current()
    result, errors = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise ServiceError(_("请选择要导入的文件"), {"file": [_("必填")]})
            dry_run = request.form.get("dry_run") == "1"
            result = import_statements(caller, upload.stream, upload.filename, dry_run)
            if not result["dry_run"]:
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            rows = error.payload().get("errors", {}).get("rows", [])
            errors = {"message": error.message, "rows": rows, "fields": error.fields}
    return render_template(
        "integrity/import.html",
        title=_("导入党风廉政建设责任书"),
        back="/integrity/responsibility",
        key_note=_("以单位、年度和类别为键：已登记的更新签订人和签订日期，导出的文件再次导入不会产生任何变化。签订人填该单位在岗人员的姓名或执法证号，重名人员请填执法证号。"),
        active="responsibility",
        columns=[(header, required) for _key, header, required, _more in COLUMNS],
        result=result,
        errors=errors,
        prefix=_prefix(),
    ), (422 if errors else 200)
