"""The offline PDF preview: a .docx turned into PDF by LibreOffice (Debian's libreoffice-writer) in headless mode.

Why LibreOffice: it is the one converter Debian ships that lays out .docx itself (page size, margins, borders, fields,
odd/even footers) with no network and no service to run; docx2pdf needs Word, pandoc drops the layout. Each
conversion gets its own throw-away profile directory, so that concurrent workers do not lock each other out, and a
time limit. The fonts GB/T 9704 names are mapped to Debian's metric-compatible fonts by ``fonts.conf`` beside this
module.

Where LibreOffice is not installed, :func:`available` is false: the Word file still downloads and the pages say why
there is no preview (:data:`UNAVAILABLE`).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

FONTS_CONF = Path(__file__).with_name("fonts.conf")
#: seconds a conversion may take before it is abandoned
TIMEOUT = 90
UNAVAILABLE = "服务器未安装 LibreOffice（Debian 软件包 libreoffice-writer），无法生成 PDF 预览；请下载 Word 文件查看。"
FAILED = "PDF 预览生成失败，请下载 Word 文件查看。"


class PreviewUnavailable(Exception):
    """No PDF can be made here: the message (Chinese) says why."""


def converter() -> str | None:
    """The LibreOffice program to run, or None. ``XINGFENG_SOFFICE`` names another (or ``none`` to switch off)."""
    named = os.environ.get("XINGFENG_SOFFICE", "")
    if named.lower() == "none":
        return None
    if named:
        return shutil.which(named)
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return converter() is not None


def to_pdf(docx: bytes) -> bytes:
    """The PDF of a .docx; raises :class:`PreviewUnavailable` when there is no converter or it fails."""
    program = converter()
    if program is None:
        raise PreviewUnavailable(UNAVAILABLE)
    with tempfile.TemporaryDirectory(prefix="xingfeng-pdf-") as work:
        folder = Path(work)
        source = folder / "document.docx"
        source.write_bytes(docx)
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": work}
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            done = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("pdf preview: %s did not finish: %s", program, exc)
            raise PreviewUnavailable(FAILED) from exc
        target = folder / "document.pdf"
        if done.returncode != 0 or not target.exists():
            log.warning("pdf preview: %s exited %s: %s", program, done.returncode, done.stderr[-500:])
            raise PreviewUnavailable(FAILED)
        return target.read_bytes()
