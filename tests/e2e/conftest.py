"""Browser tests: Playwright driving the system Chromium (nothing downloads a browser).

CHROMIUM_PATH points at the binary (default /usr/bin/chromium). Without it the
browser tests fail in CI and skip on a laptop.

With PostgreSQL and Redis (CI), the live server does not run Celery tasks in-process:
a real worker process (`celery -A config worker`, every queue) consumes them from
Redis against pytest's test_ database, so a task the worker cannot run fails a
test. Tests wait for results (`wait_until`). On a SQLite laptop tasks stay in-process.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import IN_CI, require_service
from tests.workers import (
    celery_worker,
    database_url,
    purge_queues,
    redis_reachable,
    wait_until_idle,
)

# Playwright's sync API runs an event loop in this thread; the tests still call the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_media_root(tmp_path_factory) -> Path:
    """Uploads of the browser tests: the live server and the worker read the same files."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_root(settings, live_media_root) -> Path:
    """Every browser test: files the worker writes (reports, imports, extracted
    attachments) are where the live server looks for them."""
    settings.MEDIA_ROOT = live_media_root
    return live_media_root


@pytest.fixture(scope="session")
def session_web():
    """A small Internet on 127.0.0.1 (pages and a SearXNG-compatible search) for the
    session: the worker's web check asks it. Tests add pages and remove them after."""
    from tests.localweb import local_web

    with local_web() as web:
        yield web


def web_check_env(web) -> dict[str, str]:
    return {"WEBCHECK_SEARXNG_URL": web.base, "WEBCHECK_ALLOW_PRIVATE_ADDRESSES": "127.0.0.0/8"}


@pytest.fixture(scope="session")
def live_worker(django_db_setup, django_db_blocker, live_media_root, session_web):
    """One worker for the browser tests of the session, on pytest's test database.

    None when the suite runs on SQLite without Redis (a laptop): tasks run in-process.
    """
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        if IN_CI:
            pytest.fail("CI runs the browser tests with a real worker: set DATABASE_URL, REDIS_URL")
        yield None
        return
    if not redis_reachable(settings.REDIS_URL):
        require_service("Redis", f"{settings.REDIS_URL} does not answer")
    from config.celery import app

    purge_queues(app)
    with celery_worker(
        app,
        database_url=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        # The worker consumes every queue, the webcheck queue too, and its web check
        # asks the session's local search server.
        extra_env={"MEDIA_ROOT": str(live_media_root), **web_check_env(session_web)},
    ) as worker:
        yield worker
    unknown = [line for line in worker.log().splitlines() if "unregistered task" in line]
    assert not unknown, "the worker was sent tasks it does not know:\n" + "\n".join(unknown)


@pytest.fixture
def real_worker(live_worker):
    """For a test that watches work happen in the background (a progress bar moving):
    in-process tasks on a laptop finish inside the request, so there is nothing to
    watch. Skipped on a laptop without PostgreSQL and Redis; in CI `live_worker` fails
    instead."""
    if live_worker is None:
        pytest.skip("needs a real worker: set DATABASE_URL (PostgreSQL) and REDIS_URL")
    return live_worker


@pytest.fixture(autouse=True)
def tasks_go_to_the_worker(request):
    """For a test with a live server: tasks go through Redis to the real worker."""
    if "live_server" not in request.fixturenames:
        yield
        return
    worker = request.getfixturevalue("live_worker")
    if worker is None:
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        app.conf.task_always_eager = previous
        purge_queues(app)  # nothing of this test is left for the next one
        # ...and nothing still running: the database flush after the test would
        # deadlock with a task writing (seen after the 1,000-row import's checks).
        wait_until_idle(app, worker.name)


def wait_until(what: str, probe, timeout: float = 60):
    """Poll `probe` until it returns something true (the worker runs tasks meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        require_service("Chromium", f"no browser at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, live_server, login: str, password: str) -> None:
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Email hoặc số điện thoại").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
