"""Numbered versions of declared content (checklist templates, review rubrics): a new content, a new number.

A plugin release that changes a template's items changes its fingerprint; the first time that content is offered
it is stored as the code's next version. Rows are never changed, so whatever was filled against a version reads
the same for ever.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.checklists.models import TemplateVersion
from core.platform.db import db


def fingerprint(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def pin(code: str, domain: str, content: dict[str, Any]) -> TemplateVersion:
    """The stored version of this content of ``code``, stored now as the next number if it is new."""
    digest = fingerprint(content)
    for _attempt in range(3):
        row = db.session.scalar(
            select(TemplateVersion).where(TemplateVersion.code == code, TemplateVersion.fingerprint == digest)
        )
        if row is not None:
            break
        last = db.session.scalar(select(func.max(TemplateVersion.version)).where(TemplateVersion.code == code))
        row = TemplateVersion(code=code, domain=domain, version=(last or 0) + 1, fingerprint=digest, content=content)
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
            break
        except IntegrityError:
            # Another request stored this content (or took this number) first: read again.
            continue
    else:  # pragma: no cover - three collisions in a row
        raise RuntimeError(f"could not pin a version of {code}")
    return row


def versions(code: str) -> list[TemplateVersion]:
    return list(db.session.scalars(select(TemplateVersion).where(TemplateVersion.code == code).order_by("version")))
