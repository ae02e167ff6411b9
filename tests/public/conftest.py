"""The public channel's tests: forms filled at a person's pace are not refused for speed unless a test says so."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_minimum_fill_time(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_MIN_FILL_SECONDS", 0)


# --- the browser tests: Debian's Chromium against a live server with the demo city ----------------------------


from web.conftest import browser, demo_server, page  # noqa: E402, F401 - the same browser and guarded page as tests/web


def _channels(client, login) -> None:
    channels = {"phone": "0571-8765-4321", "mailbox": "jubao@linjiang.example", "address": "临江区江滨路 8 号",
                "reception_days": "每周三上午（节假日除外）"}  # fmt: skip
    resp = client.put("/api/v1/public-channels", json=channels, headers=login("lj.admin"))
    assert resp.status_code == 200, resp.json


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The demo city; linjiang publishes its channels; the form may be sent after one second."""
    with demo_server(tmp_path_factory, "public-live", _channels, PUBLIC_MIN_FILL_SECONDS=1) as url:
        yield url
