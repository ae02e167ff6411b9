"""Sending a document: the Word file as a download, its PDF preview inline, or a JSON 409 that says why there is
no preview (the Word file still downloads)."""

from __future__ import annotations

from flask import Response

from core.documents import pdf
from core.platform.errors import Conflict
from core.platform.evidence import download_headers
from core.platform.headers import FRAMED_BY_OUR_PAGES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


class NoPreview(Conflict):
    """No PDF can be made on this server; 409 with the reason in Chinese."""


def send_docx(body: bytes, name: str) -> Response:
    headers = download_headers(name, DOCX)
    headers["Content-Type"] = DOCX
    return Response(body, headers=headers)


def send_pdf(docx: bytes, name: str) -> Response:
    """The PDF of a document, shown in the browser (inline), named like its Word file with .pdf."""
    try:
        body = pdf.to_pdf(docx)
    except pdf.PreviewUnavailable as exc:
        raise NoPreview(str(exc)) from exc
    stem = name.rsplit(".", 1)[0]
    headers = download_headers(f"{stem}.pdf", PDF)
    headers["Content-Type"] = PDF
    headers["Content-Disposition"] = headers["Content-Disposition"].replace("attachment;", "inline;", 1)
    # The browser's PDF viewer needs to run (no sandbox: the file is the service's own output), and the preview
    # page frames it: only our own pages may.
    headers.update(FRAMED_BY_OUR_PAGES)
    return Response(body, headers=headers)
