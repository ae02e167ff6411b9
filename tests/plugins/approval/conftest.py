"""Fixtures of the approval plugin's tests: posting a case, and the browser fixtures of tests/web."""

from __future__ import annotations

import pytest
from approval_helpers import CASES, case_body

# The live server, Chromium and the guarded page of the web tests, for the cases page's browser test.
from web.conftest import browser, live_server, page, pytest_runtest_makereport  # noqa: F401


@pytest.fixture
def post_case(client):
    """Record a case through the API as ``role`` and check the status."""

    def post(world, role="officer", expect=201, **overrides):
        resp = client.post(CASES, json=case_body(world, **overrides), headers=world.headers(role))
        assert resp.status_code == expect, resp.json
        return resp

    return post
