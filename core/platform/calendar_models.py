"""The official holiday lists the city bureau loads for years the chinese-calendar package does not cover yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.platform.db import db, utcnow


class HolidayYear(db.Model):
    """One year's holiday arrangement (国务院办公厅关于部分节假日安排的通知); platform-wide, no tenant."""

    __tablename__ = "holiday_year"

    # The year is the key: a later load of the same year replaces the earlier one.
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: ISO dates of days off (放假) that would otherwise be workdays
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ISO dates of weekend days that are working days (调休上班)
    workdays: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: title or number of the notice the lists were copied from
    source: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: username of the city user who loaded the lists
    loaded_by: Mapped[str] = mapped_column(String(64))
