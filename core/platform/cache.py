"""Small per-process caches for platform data that changes rarely (campaign phases, loaded holiday years).

Entries live for ``TTL`` seconds; the process that changes the data clears them at once, other gunicorn workers
see the change within the TTL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

TTL = 60.0
_entries: dict[str, tuple[float, Any]] = {}


def cached(key: str, load: Callable[[], Any], ttl: float = TTL) -> Any:
    """The value under ``key``, loaded again when older than ``ttl`` seconds."""
    now = time.monotonic()
    hit = _entries.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _entries[key] = (now + ttl, value)
    return value


def forget(*keys: str) -> None:
    """Drop entries (all of them when no key is given), e.g. after the data behind them changed."""
    if not keys:
        _entries.clear()
    for key in keys:
        _entries.pop(key, None)
