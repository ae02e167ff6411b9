"""The register of issued documents (发文登记): one row per document number given, per tenant, code and year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import BigId, TenantScoped, db, utcnow


class IssuedDocument(TenantScoped, db.Model):
    """A number given to a document: ``code〔year〕seq号`` (or 第seq期 for a 简报), numbered per year without gaps.

    The number is taken in the transaction that makes the document, so a document that is not made leaves no gap.
    """

    __tablename__ = "document_issued"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "code", "year", "seq", name="uq_document_issued_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: bulletin (通报), briefing (简报), notice (整改通知书)
    kind: Mapped[str] = mapped_column(String(20))
    #: 发文机关代字 as it was when the number was given (江市监通)
    code: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    #: the number as printed: 江市监通〔2026〕12号, 2026年第3期
    number: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    #: what the document was made from: snapshot:12, problem:55
    source: Mapped[str] = mapped_column(String(60), default="")
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the document as issued, where it is archived here (a 简报); others are archived with what they were made from
    body: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
