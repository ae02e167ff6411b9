"""The documents' pages: the document settings (发文设置) of a county and of the city, the register of issued numbers
(发文登记), the PDF preview page, and the download helpers the features' pages use for their documents."""

from __future__ import annotations

from flask import abort, flash, g, render_template, request
from flask_babel import gettext as _
from marshmallow import ValidationError

from core.auth.caller import Caller
from core.documents import pdf, service
from core.documents.delivery import NoPreview, send_docx, send_pdf
from core.documents.schemas import DocumentSettingsSchema
from core.platform.headers import FRAMED_PAGE
from core.web.auth import tenant_page
from core.web.blueprint import blp, page

READERS = ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer")
LIST_SETTINGS = ("recipients", "cc")
LABELS = {
    "issuing_body": "发文机关名称",
    "mark": "发文机关标志（版头）",
    "bulletin_code": "发文机关代字（通报）",
    "notice_code": "发文机关代字（整改通知书）",
    "briefing_title": "简报名称",
    "recipients": "主送机关（每行一个）",
    "cc": "抄送机关（每行一个）",
    "signature": "落款（署名）",
    "printer": "印发机关",
}


def pdf_inline(docx: bytes, name: str):
    """The PDF of a document for the page's preview frame, or a short page saying why there is none (409)."""
    try:
        return send_pdf(docx, name)
    except NoPreview as exc:
        page = render_template("web/document_preview.html", reason=str(exc), title=name, docx_url=None)
        return page, 409, FRAMED_PAGE


def send_document(fmt: str, docx: bytes, name: str):
    """What a page's ``….<fmt>`` link asks for: the Word file to download, its PDF to preview, else 404."""
    if fmt == "docx":
        return send_docx(docx, name)
    if fmt == "pdf":
        return pdf_inline(docx, name)
    abort(404)


def _own_path(value: str) -> str:
    """A path on this site (no scheme, no host): the preview frames only the service's own documents."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        abort(404)
    return value


@blp.route("/documents/preview")
@page()
def document_preview():
    """Preview a document in the browser: the PDF made on the server in a frame, and the Word file to download;
    where the server has no converter, why not."""
    docx_url = _own_path(request.args.get("docx", ""))
    title = request.args.get("title", "")[:100] or _("文件预览")
    if not docx_url.endswith(".docx"):
        abort(404)
    reason = None if pdf.available() else pdf.UNAVAILABLE
    return render_template(
        "web/document_preview.html",
        title=title,
        docx_url=docx_url,
        pdf_url=docx_url.removesuffix(".docx") + ".pdf",
        reason=reason,
    )


def _settings_form(tenant, may_edit: bool, heading: str):
    errors: dict[str, list[str]] = {}
    values: dict = {}
    if request.method == "POST":
        if not may_edit:
            abort(403)
        raw = {k: request.form.get(k, "") for k in LABELS}
        for name in LIST_SETTINGS:
            raw[name] = [line.strip() for line in raw[name].splitlines() if line.strip()]
        values = raw
        try:
            data = DocumentSettingsSchema().load(raw)
        except ValidationError as error:
            errors = {k: (v if isinstance(v, list) else [str(v)]) for k, v in error.messages.items()}
        else:
            service.change_settings(tenant, Caller.current().actor, data)
            flash(_("已保存发文设置"), "success")
    current = service.settings_for(tenant)
    shown = {**current, **values}
    for name in LIST_SETTINGS:
        if isinstance(shown[name], list):
            shown[name] = "\n".join(shown[name])
    return render_template(
        "web/document_settings.html",
        heading=heading,
        labels=LABELS,
        values=shown,
        errors=errors,
        defaults=current["defaults"],
        may_edit=may_edit,
        register=service.register(tenant),
    ), (422 if errors else 200)


@tenant_page("/documents/settings", *READERS, methods=["GET", "POST"])
def document_settings():
    """本局发文设置 and 发文登记: read by everyone, changed by the tenant's admin (and the city's)."""
    return _settings_form(g.tenant, g.user.role in ("tenant_admin", "city_admin"), g.tenant.name)


@blp.route("/city/documents/settings", methods=["GET", "POST"])
@page("city_admin", "city_supervisor", tenant=False)
def city_document_settings():
    """市局发文设置 and 发文登记 (the city's 通报 and 督办单 go out under them)."""
    city = service.find_city()
    if city is None:
        return render_template("web/document_settings.html", no_city=True, heading=_("市局"), labels={}, values={},
                               errors={}, defaults=[], may_edit=False, register=[])  # fmt: skip
    return _settings_form(city, g.user.role == "city_admin", _("市局"))
