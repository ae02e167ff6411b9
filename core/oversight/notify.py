"""Notifications: in-app rows, each keyed so that it exists once, and e-mail through SMTP when configured.

A notification is written in the transaction of the change that causes it. E-mail goes out from ``xingfeng
sweep``: each notification is claimed (``mailed_at`` set and committed) before it is sent, so that no run, however
many run at once, sends it twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core.auth.models import User
from core.oversight.models import CityNotification, MailAddress, Notification
from core.platform.db import current_tenant_id, db, tenant_scope, utcnow

log = logging.getLogger(__name__)

KINDS = {
    "assignment": "交办",
    "return": "退回",
    "light_yellow": "黄灯",
    "light_red": "红灯",
    "order": "督办",
    "order_answered": "督办回复",
    "order_red": "督办超期",
    "escalation": "升级督办",
    "interview": "约谈提示",
    "report_task": "信息报送",
    "report_reminder": "报送提醒",
    "report_returned": "报送退回",
    "self_check": "举一反三",
    "plugin_reminder": "业务提醒",
}
#: roles that act for a unit and so hear what concerns it
UNIT_ROLES = ("officer", "tenant_admin")


def _add_once(model: type, values: dict) -> bool:
    """Insert a notification unless its key is already there (a unique constraint decides under concurrency)."""
    exists = db.session.scalar(select(model.id).where(model.user_id == values["user_id"], model.key == values["key"]))
    if exists is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(model(**values))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def notify_users(user_ids: Iterable[int], key: str, kind: str, title: str, link: str = "") -> int:
    """Tell tenant users of the tenant in scope; returns how many notifications were new."""
    if current_tenant_id() is None:
        raise RuntimeError("tenant notification with no tenant in scope")
    added = 0
    for user_id in sorted(set(user_ids)):
        added += _add_once(
            Notification, {"user_id": user_id, "key": key[:120], "kind": kind, "title": title[:300], "link": link}
        )
    return added


def unit_user_ids(unit_id: int) -> list[int]:
    """The active officers and tenant admins of one unit of the tenant in scope."""
    return list(
        db.session.scalars(
            select(User.id).where(
                User.tenant_id == current_tenant_id(),
                User.unit_id == unit_id,
                User.role.in_(UNIT_ROLES),
                User.active.is_(True),
            )
        )
    )


def role_user_ids(roles: Iterable[str], liaison: bool = False) -> list[int]:
    """Active users of the tenant in scope with one of ``roles`` (or any role, when ``liaison``, the liaisons)."""
    query = select(User.id).where(User.tenant_id == current_tenant_id(), User.active.is_(True))
    query = query.where(User.is_liaison.is_(True)) if liaison else query.where(User.role.in_(tuple(roles)))
    return list(db.session.scalars(query))


def notify_unit(unit_id: int, key: str, kind: str, title: str, link: str = "") -> int:
    return notify_users(unit_user_ids(unit_id), key, kind, title, link)


def remind_unit(unit_id: int, key: str, title: str, link: str = "") -> int:
    """A plugin's reminder (业务提醒) to the officers and tenant admins of one unit, once per namespaced key."""
    if "." not in key.strip(".") or key != key.strip():
        raise ValueError(f"reminder key {key!r} must be namespaced as '<plugin>.<what>'")
    return notify_unit(unit_id, key, "plugin_reminder", title, link)


def notify_city(user_ids: Iterable[int] | None, key: str, kind: str, title: str, link: str = "") -> int:
    """Tell city users (all active city supervisors when ``user_ids`` is None), outside any tenant's scope."""
    if user_ids is None:
        user_ids = db.session.scalars(
            select(User.id).where(User.role == "city_supervisor", User.active.is_(True), User.tenant_id.is_(None))
        ).all()
    added = 0
    # Row-level security shows and accepts city notifications only in a transaction with no tenant in scope.
    with tenant_scope(None):
        for user_id in sorted(set(user_ids)):
            added += _add_once(
                CityNotification,
                {"user_id": user_id, "key": key[:120], "kind": kind, "title": title[:300], "link": link},
            )
    return added


# --- reading ------------------------------------------------------------------------------------------------


def _model_for(user: User) -> type:
    return CityNotification if user.is_city else Notification


def unread_count(user: User) -> int:
    model = _model_for(user)
    query = select(func.count(model.id)).where(model.user_id == user.id, model.read_at.is_(None))
    if user.is_city:
        with tenant_scope(None):
            return db.session.scalar(query) or 0
    if current_tenant_id() != user.tenant_id:
        return 0
    return db.session.scalar(query) or 0


def list_for(user: User, limit: int = 200) -> list:
    model = _model_for(user)
    query = select(model).where(model.user_id == user.id).order_by(model.created_at.desc(), model.id.desc())
    if user.is_city:
        with tenant_scope(None):
            return list(db.session.scalars(query.limit(limit)))
    return list(db.session.scalars(query.limit(limit)))


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them) read; returns how many changed."""
    model = _model_for(user)
    stmt = update(model).where(model.user_id == user.id, model.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(model.id == notification_id)
    if not user.is_city:
        stmt = stmt.where(model.tenant_id == user.tenant_id)

    def run() -> int:
        return db.session.execute(
            stmt.values(read_at=utcnow()), execution_options={"synchronize_session": False}
        ).rowcount

    if user.is_city:
        with tenant_scope(None):
            return run()
    return run()


def set_mail_address(user: User, email: str | None) -> None:
    row = db.session.get(MailAddress, user.id)
    if not email:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(MailAddress(user_id=user.id, email=email))
    else:
        row.email, row.updated_at = email, utcnow()
    db.session.flush()


def mail_address(user: User) -> str | None:
    row = db.session.get(MailAddress, user.id)
    return row.email if row else None


# --- e-mail -------------------------------------------------------------------------------------------------


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SMTP_HOST"))


def _send(to: str, subject: str, body: str) -> None:
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(cfg["MAIL_SMTP_HOST"], int(cfg["MAIL_SMTP_PORT"]), timeout=cfg["MAIL_SMTP_TIMEOUT"]) as smtp:
        if cfg.get("MAIL_SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("MAIL_SMTP_USERNAME"):
            smtp.login(cfg["MAIL_SMTP_USERNAME"], cfg.get("MAIL_SMTP_PASSWORD") or "")
        smtp.send_message(message)


def _mail_pending(model: type) -> int:
    """Claim and send the pending notifications of ``model`` visible in the current scope; commits each claim."""
    base = (current_app.config.get("MAIL_BASE_URL") or "").rstrip("/")
    sent = 0
    pending = db.session.execute(
        select(model.id, model.user_id, model.title, model.link, model.kind)
        .where(model.mailed_at.is_(None))
        .order_by(model.id)
    ).all()
    for row in pending:
        claimed = db.session.execute(
            update(model).where(model.id == row.id, model.mailed_at.is_(None)).values(mailed_at=utcnow()),
            execution_options={"synchronize_session": False},
        ).rowcount
        # Commit the claim before sending: a crash after this line loses one mail but never sends one twice.
        db.session.commit()
        if not claimed:
            continue
        address = db.session.get(MailAddress, row.user_id)
        if address is None:
            continue
        subject = f"【行风建设】{KINDS.get(row.kind, row.kind)}：{row.title}"
        body = row.title + (f"\n\n{base}{row.link}" if row.link else "")
        try:
            _send(address.email, subject[:200], body)
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("notification %s not mailed: %s", row.id, exc)
    return sent


def mail_pending_tenant() -> int:
    """E-mail the pending notifications of the tenant in scope (no-op when SMTP is not configured)."""
    return _mail_pending(Notification) if mail_configured() else 0


def mail_pending_city() -> int:
    if not mail_configured():
        return 0
    with tenant_scope(None):
        return _mail_pending(CityNotification)
