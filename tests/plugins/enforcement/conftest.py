"""Fixtures of the enforcement plugin's tests."""

from __future__ import annotations

import pytest
from enforcement_helpers import register


@pytest.fixture
def case_file(client, tenant):
    return register(client, tenant)


# The browser fixtures of tests/web (a live server with the demo city, Debian's Chromium, a page that refuses any
# request off this machine), for test_enforcement_browser.py.
from web.conftest import browser, live_server, page  # noqa: E402, F401
