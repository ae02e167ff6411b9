"""Evidence files (佐证材料): type sniffing by content, storage by SHA-256 and safe download headers."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from flask import g, has_request_context, request

from core.platform.calendar import today_in_shanghai
from core.platform.errors import FieldError

FIELD = "file"
MIB = 1024 * 1024
#: Bytes kept from the start of an upload for sniffing; a PDF header may start anywhere in the first 1024.
HEAD_BYTES = 2048
PDF_WINDOW = 1024
CHUNK_BYTES = 64 * 1024
#: Zip-bomb guard: what an accepted Office or OFD archive may declare once unpacked.
ZIP_MAX_UNCOMPRESSED = 200 * MIB
ZIP_MAX_ENTRIES = 10_000
NAME_MAX_CHARS = 200
NAME_FALLBACK = "file"

UNSUPPORTED = "不支持的文件类型：只接受图片（JPG/PNG/GIF/WebP/BMP/TIFF）、PDF、Word/Excel/PowerPoint、OFD"
EMPTY = "文件为空"
DAMAGED_ARCHIVE = "文件已损坏，无法识别为Office或OFD文档"
ARCHIVE_TOO_LARGE = "文档解压后过大或条目过多，已拒绝"
MACRO_REFUSED = "不接受含宏的Office文档，请另存为 .docx/.xlsx/.pptx 后上传"


@dataclass(frozen=True)
class FileKind:
    """An accepted evidence type: its code, the content type it is served with, its extension and Chinese label."""

    code: str
    content_type: str
    extension: str
    label_zh: str


@dataclass(frozen=True)
class StoredFile:
    """One saved upload: its content hash, size in bytes, sniffed kind and the client's cleaned file name."""

    sha256: str
    size: int
    kind: FileKind
    original_name: str


JPEG = FileKind("jpeg", "image/jpeg", ".jpg", "JPEG 图片")
PNG = FileKind("png", "image/png", ".png", "PNG 图片")
GIF = FileKind("gif", "image/gif", ".gif", "GIF 图片")
WEBP = FileKind("webp", "image/webp", ".webp", "WebP 图片")
BMP = FileKind("bmp", "image/bmp", ".bmp", "BMP 图片")
TIFF = FileKind("tiff", "image/tiff", ".tif", "TIFF 图片")
PDF = FileKind("pdf", "application/pdf", ".pdf", "PDF 文档")
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word 文档")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel 表格")
PPTX = FileKind(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", "PowerPoint 演示文稿"
)
#: 版式文档 (GB/T 33190); application/ofd is the type China registered for it.
OFD = FileKind("ofd", "application/ofd", ".ofd", "OFD 版式文档")
#: Word, Excel, PowerPoint and WPS 97-2003 share one container; telling them apart means walking its directory.
OLE = FileKind("ole", "application/octet-stream", ".bin", "Office 97-2003 文档")
OLE_EXTENSIONS = frozenset({".doc", ".xls", ".ppt", ".wps", ".et", ".dps"})

KINDS: dict[str, FileKind] = {
    kind.code: kind for kind in (JPEG, PNG, GIF, WEBP, BMP, TIFF, PDF, DOCX, XLSX, PPTX, OFD, OLE)
}
#: Content types download_headers will send; anything else goes out as an opaque octet stream.
SERVABLE_TYPES = frozenset(kind.content_type for kind in KINDS.values())

#: OOXML kinds by their main part, checked in this order.
_OOXML_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))
#: BITMAPCOREHEADER through BITMAPV5HEADER, the only DIB header sizes real BMP writers emit.
_BMP_DIB_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Markup before a PDF header means an HTML/SVG page carrying a PDF, the classic polyglot.
_MARKUP = re.compile(rb"<[!?/a-zA-Z]")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._() -]+")


def sniff(head: bytes, path_or_fileobj: str | os.PathLike | BinaryIO, filename: str = "") -> FileKind:
    """Return the kind of a file judged by its content alone, or raise FieldError("file") if it is not accepted."""
    if not head:
        raise FieldError(FIELD, EMPTY)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"BM") and _plausible_bmp(head):
        return BMP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(_OLE_MAGIC) and _plausible_ole(head):
        return _ole_kind(filename)
    # Only an archive starting with a local header: a zip appended to an .exe (MZ...) opens in zipfile too.
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path_or_fileobj)
    start = head.find(b"%PDF-", 0, PDF_WINDOW + 4)
    if start >= 0 and not _MARKUP.search(head, 0, start):
        return PDF
    raise FieldError(FIELD, UNSUPPORTED)


def _plausible_bmp(head: bytes) -> bool:
    """Tell a bitmap from text that happens to start with "BM" by its file and DIB headers."""
    if len(head) < 26:
        return False
    _file_size, _reserved, pixel_offset, dib_size = struct.unpack_from("<IIII", head, 2)
    # The declared file size is left alone: some writers leave it 0, and the upload's own size is what counts.
    return dib_size in _BMP_DIB_SIZES and 14 + dib_size <= pixel_offset


def _plausible_ole(head: bytes) -> bool:
    """Check the compound file header's byte-order mark and major version (3 or 4)."""
    if len(head) < 32:
        return False
    major, byte_order = struct.unpack_from("<HH", head, 26)
    return byte_order == 0xFFFE and major in (3, 4)


def _ole_kind(filename: str) -> FileKind:
    """The OLE kind, keeping the client's extension only when it names a 97-2003 Office or WPS format."""
    extension = os.path.splitext(clean_filename(filename))[1].lower()
    if extension in OLE_EXTENSIONS:
        return dataclasses.replace(OLE, extension=extension)
    return OLE


def _sniff_zip(path_or_fileobj: str | os.PathLike | BinaryIO) -> FileKind:
    """Classify a zip by its central directory as DOCX, XLSX, PPTX or OFD without unpacking any entry."""
    position = None
    try:
        if not isinstance(path_or_fileobj, str | os.PathLike):
            position = path_or_fileobj.tell()
        with zipfile.ZipFile(path_or_fileobj) as archive:
            entries = archive.infolist()
        if position is not None:
            # The caller may go on to store or re-read the stream from where it stood.
            path_or_fileobj.seek(position)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise FieldError(FIELD, DAMAGED_ARCHIVE) from exc
    if len(entries) > ZIP_MAX_ENTRIES or sum(entry.file_size for entry in entries) > ZIP_MAX_UNCOMPRESSED:
        raise FieldError(FIELD, ARCHIVE_TOO_LARGE)
    # OPC part names are case-insensitive, so a writer's capitalisation must not decide acceptance.
    names = {entry.filename.lower() for entry in entries}
    if "[content_types].xml" in names:
        for part, kind in _OOXML_PARTS:
            if part in names:
                # A VBA project makes it a .docm/.xlsm/.pptm, whatever its name: code we do not hand on to readers.
                if any(name.endswith("vbaproject.bin") for name in names):
                    raise FieldError(FIELD, MACRO_REFUSED)
                return kind
    if "ofd.xml" in names:
        return OFD
    raise FieldError(FIELD, UNSUPPORTED)


def clean_filename(name: str | None) -> str:
    """Return the client's file name reduced to a base name without control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    # Browsers on Windows may send the whole path (C:\fakepath\照片.jpg).
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Category C covers control characters and also bidi overrides (U+202E) that disguise "gpj.exe" as "exe.jpg".
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C")).strip()
    if name in ("", ".", ".."):
        return NAME_FALLBACK
    if len(name) > NAME_MAX_CHARS:
        stem, extension = os.path.splitext(name)
        if not 0 < len(extension) <= 16:
            stem, extension = name, ""
        name = stem[: NAME_MAX_CHARS - len(extension)].rstrip() + extension
    return name


def _megabytes(size: int) -> str:
    """Format a byte limit as megabytes the way an officer would read it (20, 0.5)."""
    if size % MIB == 0:
        return str(size // MIB)
    return f"{max(size / MIB, 0.01):.2f}".rstrip("0").rstrip(".")


class EvidenceStore:
    """Evidence files kept once each under root/ab/cd/<sha256>, size-limited and type-checked by content."""

    def __init__(self, root: str | os.PathLike, max_bytes: int):
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.root = Path(root)
        self.max_bytes = max_bytes

    def save(self, stream: BinaryIO, filename: str) -> StoredFile:
        """Stream an upload to disk while hashing it, check its size and type, and keep one copy per content."""
        self.root.mkdir(parents=True, exist_ok=True)
        # The temporary file lives under root so that os.replace stays on one file system and is atomic.
        fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-", suffix=".part")
        temp_path = Path(temp_name)
        try:
            digest = hashlib.sha256()
            head = b""
            size = 0
            with os.fdopen(fd, "wb") as temp:
                while chunk := stream.read(CHUNK_BYTES):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FieldError(FIELD, f"文件超过大小限制（{_megabytes(self.max_bytes)} MB）")
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                    digest.update(chunk)
                    temp.write(chunk)
                temp.flush()
                # Evidence backs a 销号 decision: it must survive a crash right after the answer went out.
                os.fsync(temp.fileno())
            if size == 0:
                raise FieldError(FIELD, EMPTY)
            kind = sniff(head, temp_path, filename)
            sha256 = digest.hexdigest()
            target = self.path_for(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                temp_path.unlink()
            else:
                os.replace(temp_path, target)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        return StoredFile(sha256=sha256, size=size, kind=kind, original_name=clean_filename(filename))

    def path_for(self, sha256: str) -> Path:
        """Return where the file with this SHA-256 lives, refusing anything but 64 lowercase hex digits."""
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise ValueError("sha256 must be 64 lowercase hexadecimal digits")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """Tell whether the file with this SHA-256 is stored."""
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """Open the stored file for reading in binary mode (FileNotFoundError if it is missing)."""
        return self.path_for(sha256).open("rb")


def _download_context() -> tuple[str, str]:
    """Who and what a download is for, in ASCII: the tenant's slug ("city" for the city bureau) and the view's name."""
    if not has_request_context():
        return "", NAME_FALLBACK
    tenant = getattr(g, "tenant", None)
    owner = getattr(tenant, "slug", None) or getattr(g, "tenant_slug", None) or "city"
    view = (request.endpoint or "").rsplit(".", 1)[-1]
    kind = re.sub(r"[^A-Za-z0-9]+", "-", view).strip("-").lower() or NAME_FALLBACK
    return re.sub(r"[^A-Za-z0-9-]+", "", str(owner)), kind


def ascii_download_name(name: str, today: date | None = None) -> str:
    """The ASCII ``filename=`` for clients that do not read ``filename*`` (old browsers, some intranet proxies).

    A Latin name keeps its letters, accents folded. A name whose characters fold to nothing (Chinese) becomes
    ``xingfeng-<tenant slug>-<kind>-<date>[-<ASCII part>]<extension>``, e.g. ``整改通知书-NL-2026-0001.docx`` ->
    ``xingfeng-dongcheng-notice-docx-20261203-NL-2026-0001.docx``: a name someone can still tell apart in a folder.
    """
    stem, extension = os.path.splitext(name)
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    lost = any(not unicodedata.combining(char) and not char.isascii() for char in unicodedata.normalize("NFKD", stem))
    kept = _ASCII_UNSAFE.sub("_", folded).strip(" ._-")
    extension = _ASCII_UNSAFE.sub("", extension)
    if extension == ".":
        extension = ""
    if not lost and re.search(r"[A-Za-z0-9]", kept):
        return kept + extension
    owner, kind = _download_context()
    on = (today or today_in_shanghai()).strftime("%Y%m%d")
    remainder = re.sub(r"[_ ]+", "_", kept).strip("_-") if re.search(r"[A-Za-z0-9]", kept) else ""
    parts = ["xingfeng", owner, kind, on, remainder]
    return "-".join(part for part in parts if part)[: NAME_MAX_CHARS - len(extension)] + extension


def download_headers(stored_name: str, content_type: str) -> dict[str, str]:
    """Headers that make a browser save an evidence file under its original name and never render it."""
    name = clean_filename(stored_name)
    # RFC 5987 attr-chars stay literal; everything else, Chinese included, is percent-encoded UTF-8.
    encoded = quote(name, safe="!#$&+^`|~")
    return {
        "Content-Type": content_type if content_type in SERVABLE_TYPES else "application/octet-stream",
        "Content-Disposition": f"attachment; filename=\"{ascii_download_name(name)}\"; filename*=UTF-8''{encoded}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
