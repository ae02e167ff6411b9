"""The browser fixtures of tests/web (live server with the demo city, Debian's Chromium) for the oversight pages."""

from web.conftest import browser, live_server, page, pytest_runtest_makereport  # noqa: F401
