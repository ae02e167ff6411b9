"""Evidence files: sniffing by content, storage by SHA-256, size limits and download headers."""

import hashlib
import io
import struct
import zipfile
import zlib
from datetime import date
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from docx import Document
from flask import g, request
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from werkzeug.http import parse_options_header
from werkzeug.routing import Rule

from core.platform import evidence
from core.platform.errors import FieldError
from core.platform.evidence import EvidenceStore, clean_filename, download_headers, sniff

CHINESE_NAME = "整改照片（一）.jpg"


def png_bytes() -> bytes:
    """A real 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """The start of a JFIF file and its end marker: all a sniffer should need."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = b"RIFF" + struct.pack("<I", 26) + b"WEBPVP8L" + struct.pack("<I", 14) + bytes(14)
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00\x00" + bytes(4)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def bmp_bytes() -> bytes:
    """A real 1x1 24-bit bitmap."""
    pixels = b"\x00\x00\xff\x00"
    dib = struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(dib) + len(pixels), 0, 0, 14 + len(dib)) + dib + pixels


def ole_bytes() -> bytes:
    """A compound-file header (version 3, little-endian) padded to one 512-byte sector."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)
    return header.ljust(512, b"\x00")


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("整改完成情况说明")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "问题描述"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def pptx_bytes() -> bytes:
    """The parts that make a zip a presentation (python-pptx is not a dependency)."""
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"})


def ofd_bytes() -> bytes:
    return zip_bytes({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})


def sniff_bytes(data: bytes, filename: str = "") -> evidence.FileKind:
    return sniff(data[: evidence.HEAD_BYTES], io.BytesIO(data), filename)


def assert_refused(info: pytest.ExceptionInfo[FieldError], message: str | None = None) -> None:
    error = info.value
    assert error.field == "file"
    assert error.fields == {"file": [error.message]}
    assert any("\u4e00" <= char <= "\u9fff" for char in error.message)
    if message is not None:
        assert error.message == message


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.fixture
def store(tmp_path):
    return EvidenceStore(tmp_path / "evidence", max_bytes=20 * 1024 * 1024)


@pytest.mark.parametrize(
    ("data", "code", "content_type", "extension"),
    [
        pytest.param(jpeg_bytes(), "jpeg", "image/jpeg", ".jpg", id="jpeg"),
        pytest.param(png_bytes(), "png", "image/png", ".png", id="png"),
        pytest.param(GIF, "gif", "image/gif", ".gif", id="gif"),
        pytest.param(b"GIF87a" + GIF[6:], "gif", "image/gif", ".gif", id="gif87a"),
        pytest.param(WEBP, "webp", "image/webp", ".webp", id="webp"),
        pytest.param(bmp_bytes(), "bmp", "image/bmp", ".bmp", id="bmp"),
        pytest.param(TIFF, "tiff", "image/tiff", ".tif", id="tiff-intel"),
        pytest.param(b"MM\x00*\x00\x00\x00\x08" + bytes(6), "tiff", "image/tiff", ".tif", id="tiff-motorola"),
        pytest.param(PDF, "pdf", "application/pdf", ".pdf", id="pdf"),
        pytest.param(b"\x00" * 600 + PDF, "pdf", "application/pdf", ".pdf", id="pdf-after-scanner-junk"),
        pytest.param(docx_bytes(), "docx", evidence.DOCX.content_type, ".docx", id="docx"),
        pytest.param(xlsx_bytes(), "xlsx", evidence.XLSX.content_type, ".xlsx", id="xlsx"),
        pytest.param(pptx_bytes(), "pptx", evidence.PPTX.content_type, ".pptx", id="pptx"),
        pytest.param(ofd_bytes(), "ofd", "application/ofd", ".ofd", id="ofd"),
        pytest.param(ole_bytes(), "ole", "application/octet-stream", ".bin", id="ole"),
    ],
)
def test_accepted_kinds(store, data, code, content_type, extension):
    # The client's name says nothing true: the content decides.
    stored = store.save(io.BytesIO(data), "upload.txt")
    assert stored.kind.code == code
    assert stored.kind.content_type == content_type
    assert stored.kind.extension == extension
    assert stored.kind.label_zh
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.path_for(stored.sha256).read_bytes() == data


@pytest.mark.parametrize(
    ("filename", "extension"),
    [("旧版台账.xls", ".xls"), ("说明.DOC", ".doc"), ("汇报.ppt", ".ppt"), ("通报.wps", ".wps"), ("表.et", ".et")],
)
def test_ole_keeps_an_office_extension_from_the_name(filename, extension):
    kind = sniff_bytes(ole_bytes(), filename)
    assert kind.code == "ole"
    assert kind.extension == extension
    assert kind.label_zh == "Office 97-2003 文档"


@pytest.mark.parametrize("filename", ["setup.exe", "page.html", "noextension", ""])
def test_ole_with_another_name_gets_bin(filename):
    assert sniff_bytes(ole_bytes(), filename).extension == ".bin"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "page.html", id="html"),
        pytest.param(b"<html><body>%PDF-1.4</body></html>", "report.pdf", id="html-with-pdf-marker"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "p.svg", id="svg"
        ),
        pytest.param(b"<html><script>alert(1)</script></html>", "整改报告.docx", id="html-named-docx"),
        pytest.param(b'<?xml version="1.0"?><root/>', "data.xml", id="xml"),
        pytest.param(b"alert(document.cookie)", "a.js", id="javascript"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"PE\x00\x00", "照片.jpg", id="renamed-exe"),
        pytest.param(b"MZ\x90\x00" + bytes(60) + docx_bytes(), "report.docx", id="exe-with-appended-docx"),
        pytest.param(b"\x7fELF\x02\x01\x01" + bytes(9), "photo.png", id="elf"),
        pytest.param("整改情况：已完成".encode(), "说明.txt", id="text"),
        pytest.param(zip_bytes({"readme.txt": b"hello"}), "材料.zip", id="plain-zip"),
        pytest.param(zip_bytes({"word/document.xml": b"<w:document/>"}), "a.docx", id="docx-without-content-types"),
        pytest.param(zip_bytes({"[Content_Types].xml": b"<Types/>"}), "a.docx", id="content-types-without-part"),
        pytest.param(b"BM this is not a bitmap at all, just text", "a.bmp", id="text-starting-bm"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(24), "a.doc", id="ole-magic-without-header"),
    ],
)
def test_refused_kinds(store, data, filename):
    with pytest.raises(FieldError) as info:
        store.save(io.BytesIO(data), filename)
    assert_refused(info, evidence.UNSUPPORTED)
    assert stored_files(store.root) == []


def test_empty_file_is_refused(store):
    with pytest.raises(FieldError) as info:
        store.save(io.BytesIO(b""), "空.jpg")
    assert_refused(info, "文件为空")
    assert stored_files(store.root) == []


def test_damaged_office_file_is_refused():
    truncated = docx_bytes()[:400]
    with pytest.raises(FieldError) as info:
        sniff_bytes(truncated, "整改报告.docx")
    assert_refused(info, evidence.DAMAGED_ARCHIVE)


def test_macro_enabled_office_file_is_refused():
    docm = zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"\x00"}
    )
    with pytest.raises(FieldError) as info:
        sniff_bytes(docm, "报告.docx")
    assert_refused(info, evidence.MACRO_REFUSED)


def test_zip_with_too_many_entries_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "ZIP_MAX_ENTRIES", 5)
    entries = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    entries.update({f"word/media/image{i}.png": b"" for i in range(4)})
    with pytest.raises(FieldError) as info:
        sniff_bytes(zip_bytes(entries), "报告.docx")
    assert_refused(info, evidence.ARCHIVE_TOO_LARGE)


def test_zip_declaring_too_much_uncompressed_data_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "ZIP_MAX_UNCOMPRESSED", 1024 * 1024)
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": bytes(2 * 1024 * 1024)})
    assert len(bomb) < 10_000
    with pytest.raises(FieldError) as info:
        sniff_bytes(bomb, "台账.xlsx")
    assert_refused(info, evidence.ARCHIVE_TOO_LARGE)


def test_sniff_restores_the_stream_position():
    data = docx_bytes()
    stream = io.BytesIO(data)
    stream.seek(17)
    assert sniff(data[: evidence.HEAD_BYTES], stream).code == "docx"
    assert stream.tell() == 17


def test_over_the_size_limit_is_refused_and_leaves_nothing(tmp_path):
    store = EvidenceStore(tmp_path / "evidence", max_bytes=1000)
    with pytest.raises(FieldError) as info:
        store.save(io.BytesIO(png_bytes() + bytes(1001)), "大图.png")
    assert_refused(info)
    assert "文件超过大小限制" in info.value.message
    assert stored_files(tmp_path) == []


def test_limit_message_in_megabytes(tmp_path):
    store = EvidenceStore(tmp_path, max_bytes=2 * 1024 * 1024)
    with pytest.raises(FieldError) as info:
        store.save(io.BytesIO(bytes(2 * 1024 * 1024 + 1)), "a.pdf")
    assert info.value.message == "文件超过大小限制（2 MB）"


def test_exactly_the_limit_is_accepted(tmp_path):
    data = PDF.ljust(1000, b"\n")
    stored = EvidenceStore(tmp_path, max_bytes=1000).save(io.BytesIO(data), "a.pdf")
    assert stored.size == 1000


class EndlessStream:
    """An upload that never ends, recording how much each read asked for."""

    def __init__(self):
        self.requests: list[int] = []

    def read(self, size: int = -1) -> bytes:
        self.requests.append(size)
        assert 0 < size <= evidence.CHUNK_BYTES, "the store must read in bounded chunks"
        return b"\xff\xd8\xff" + bytes(size - 3)


def test_upload_is_read_in_chunks_and_stops_at_the_limit(tmp_path):
    stream = EndlessStream()
    store = EvidenceStore(tmp_path, max_bytes=5 * evidence.CHUNK_BYTES)
    with pytest.raises(FieldError):
        store.save(stream, "endless.jpg")
    assert len(stream.requests) == 6
    assert stored_files(tmp_path) == []


def test_refused_type_leaves_no_temporary_file(store):
    with pytest.raises(FieldError):
        store.save(io.BytesIO(b"<html></html>"), "a.html")
    assert list(store.root.iterdir()) == []


def test_identical_content_is_kept_once(store):
    first = store.save(io.BytesIO(png_bytes()), "现场照片.png")
    second = store.save(io.BytesIO(png_bytes()), "另一个名字.png")
    assert first.sha256 == second.sha256
    assert (first.original_name, second.original_name) == ("现场照片.png", "另一个名字.png")
    assert stored_files(store.root) == [store.path_for(first.sha256)]


def test_layout_by_hash(store):
    stored = store.save(io.BytesIO(PDF), "a.pdf")
    sha = stored.sha256
    assert store.path_for(sha) == store.root / sha[:2] / sha[2:4] / sha
    assert store.exists(sha)
    with store.open(sha) as stream:
        assert stream.read() == PDF


def test_missing_file(store):
    sha = "0" * 64
    assert not store.exists(sha)
    with pytest.raises(FileNotFoundError):
        store.open(sha)


@pytest.mark.parametrize(
    "sha",
    [
        "../../etc/passwd",
        "../" + "a" * 61,
        "A" * 64,
        "a" * 63,
        "a" * 65,
        "a" * 64 + "\n",
        "g" * 64,
        "/" + "a" * 63,
        "",
        None,
        b"a" * 64,
    ],
)
def test_path_for_refuses_anything_but_a_sha256(store, sha):
    with pytest.raises(ValueError, match="sha256"):
        store.path_for(sha)
    with pytest.raises(ValueError, match="sha256"):
        store.exists(sha)


def test_store_needs_a_positive_limit(tmp_path):
    with pytest.raises(ValueError, match="max_bytes"):
        EvidenceStore(tmp_path, max_bytes=0)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (CHINESE_NAME, CHINESE_NAME),
        ("C:\\fakepath\\整改照片.jpg", "整改照片.jpg"),
        ("../../etc/passwd", "passwd"),
        ("/var/www/../x.pdf", "x.pdf"),
        ("报告\r\n.pdf", "报告.pdf"),
        ("a\x00b\x1f\x7f.pdf", "ab.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("  说明.docx  ", "说明.docx"),
        ("", "file"),
        (None, "file"),
        ("..", "file"),
        ("dir/", "file"),
        ("\x00\x01", "file"),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


def test_long_filename_keeps_its_extension():
    name = clean_filename("很" * 300 + ".xlsx")
    assert len(name) == 200
    assert name.endswith("很.xlsx")


def test_saved_name_is_cleaned(store):
    stored = store.save(io.BytesIO(jpeg_bytes()), "C:\\Users\\科员\\Desktop\\" + "照" * 250 + ".jpg\x00")
    assert len(stored.original_name) == 200
    assert stored.original_name.endswith(".jpg")
    assert "\\" not in stored.original_name


def test_download_headers_for_a_chinese_name(monkeypatch):
    monkeypatch.setattr(evidence, "today_in_shanghai", lambda: date(2026, 12, 3))
    headers = download_headers(CHINESE_NAME, "image/jpeg")
    assert headers == {
        "Content-Type": "image/jpeg",
        "Content-Disposition": (
            "attachment; filename=\"xingfeng-file-20261203.jpg\"; filename*=UTF-8''"
            "%E6%95%B4%E6%94%B9%E7%85%A7%E7%89%87%EF%BC%88%E4%B8%80%EF%BC%89.jpg"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    disposition, options = parse_options_header(headers["Content-Disposition"])
    assert disposition == "attachment"
    assert options["filename"] == CHINESE_NAME


@pytest.mark.parametrize(
    ("name", "slug", "endpoint", "expected"),
    [
        # Issue 13, item 7: the fallback was "-2026-12.docx" — the Chinese part gone, nothing left to tell files apart.
        (
            "东城区局工作简报-2026-12.docx",
            "dongcheng",
            "figures.briefing_document",
            "xingfeng-dongcheng-briefing-document-20261203-2026-12.docx",
        ),
        (
            "整改通知书-NL-2026-0001.pdf",
            "xishan",
            "ledger_pages.notice_pdf",
            "xingfeng-xishan-notice-pdf-20261203-NL-2026-0001.pdf",
        ),
        ("问题台账.xlsx", None, "api.problems_export", "xingfeng-city-problems-export-20261203.xlsx"),
    ],
)
def test_ascii_fallback_names_tenant_kind_and_date(app, monkeypatch, name, slug, endpoint, expected):
    monkeypatch.setattr(evidence, "today_in_shanghai", lambda: date(2026, 12, 3))
    with app.test_request_context("/"):
        request.url_rule = Rule("/", endpoint=endpoint)
        g.tenant = SimpleNamespace(slug=slug) if slug else None
        disposition = download_headers(name, "application/octet-stream")["Content-Disposition"]
    options = parse_options_header(disposition)[1]
    assert disposition.startswith(f'attachment; filename="{expected}";')
    assert options["filename"] == name  # filename* still carries the Chinese name


def test_download_headers_ascii_fallback_keeps_latin_names():
    headers = download_headers("Café report 2024.pdf", "application/pdf")
    assert 'filename="Cafe report 2024.pdf"' in headers["Content-Disposition"]
    assert "filename*=UTF-8''Caf%C3%A9%20report%202024.pdf" in headers["Content-Disposition"]


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/xhtml+xml", "text/html\r\nX: y"])
def test_download_never_serves_markup(content_type):
    assert download_headers("a.html", content_type)["Content-Type"] == "application/octet-stream"


def test_download_headers_resist_injection():
    headers = download_headers('evil"; filename="x.html\r\nSet-Cookie: a=b', "application/pdf")
    disposition = headers["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert disposition.count('"') == 2
    assert parse_options_header(disposition)[1]["filename"] == 'evil"; filename="x.htmlSet-Cookie: a=b'


@settings(database=None, max_examples=200)
@given(st.text())
def test_clean_filename_properties(raw):
    name = clean_filename(raw)
    assert 0 < len(name) <= 200
    assert "/" not in name
    assert "\\" not in name
    assert all(char >= " " and char != "\x7f" for char in name)
    assert name not in (".", "..")


@settings(database=None, max_examples=200)
@given(st.text())
def test_download_headers_are_ascii_and_round_trip(raw):
    headers = download_headers(raw, "application/pdf")
    for value in headers.values():
        value.encode("ascii")
        assert "\r" not in value
        assert "\n" not in value
    encoded = headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == clean_filename(raw)


@settings(database=None, max_examples=300)
@given(st.binary(max_size=600))
def test_sniff_accepts_or_refuses_arbitrary_bytes(data):
    try:
        kind = sniff_bytes(data)
    except FieldError as error:
        field = error.field
        kind = None
    else:
        field = "file"
    assert field == "file"
    assert kind is None or kind in evidence.KINDS.values()


@settings(database=None, max_examples=100)
@given(st.binary(max_size=200))
def test_sniff_survives_garbage_after_a_zip_signature(tail):
    with pytest.raises(FieldError):
        sniff_bytes(b"PK\x03\x04" + tail)
