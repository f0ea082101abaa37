"""Shared fixtures. The personas (see STYLE.md) are the people every endpoint is tested as."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from tests.factories import Role, UnitFactory, UnitKind, UserFactory, grant

IN_CI = bool(os.environ.get("CI"))


def require_service(name: str, reason: str) -> None:
    """A test that needs a missing service fails in CI and skips on a laptop."""
    message = f"{name} unavailable: {reason}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _truncate_archive_index() -> None:
    from django.db import connection

    from dedup.engine.pgstore import TABLES

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(TABLES))


@pytest.fixture
def empty_archive(request):
    """An empty similarity archive for the test.

    In-process on SQLite. On PostgreSQL the index tables are not Django models, so
    the flush after a transactional test misses them: they are emptied here.
    """
    from dedup.archive import reset_memory_engine

    transactional = (
        "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    )
    if transactional:
        request.getfixturevalue("transactional_db")  # set up first, so torn down after us
        _truncate_archive_index()
    reset_memory_engine()
    yield
    reset_memory_engine()
    if transactional:
        _truncate_archive_index()


@pytest.fixture(scope="session", autouse=True)
def _celery_configured():
    """Celery copies Django's settings once, at its first use in the process. Make that
    happen now, from the test settings, and not inside whichever test first touches
    Celery while it overrides a CELERY_* setting (which then stuck for the process)."""
    from django.conf import settings

    from config.celery import app

    assert app.conf.task_always_eager == settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture(autouse=True)
def _cache_isolation():
    """Each test starts with an empty cache: cached public pages, rate-limit counters
    and the like belong to the test that made them."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _archive_isolation(request):
    """Transactional tests anywhere (browser tests submit initiatives too) leave no
    archive documents behind for the next test."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("empty_archive")
    yield


@dataclass
class Country:
    root: object
    province_a: object
    upper_a: object
    grassroots_a: object
    grassroots_a2: object
    province_b: object
    grassroots_b: object


@pytest.fixture
def country(db) -> Country:
    root = UnitFactory(code="TLD", name="Tổng LĐLĐ Việt Nam", kind=UnitKind.NATIONAL)
    province_a = UnitFactory(
        code="LDLD92", name="LĐLĐ thành phố Cần Thơ", kind=UnitKind.PROVINCE, parent=root
    )
    upper_a = UnitFactory(
        code="LDLD92-U01", name="Công đoàn KCN Trà Nóc", kind=UnitKind.UPPER, parent=province_a
    )
    grassroots_a = UnitFactory(
        code="LDLD92-G01", name="Công đoàn Công ty Thủy sản Bình An", parent=upper_a
    )
    grassroots_a2 = UnitFactory(
        code="LDLD92-G02", name="Công đoàn Bệnh viện Cần Thơ", parent=upper_a
    )
    province_b = UnitFactory(
        code="LDLD01", name="LĐLĐ thành phố Hà Nội", kind=UnitKind.PROVINCE, parent=root
    )
    grassroots_b = UnitFactory(code="LDLD01-G01", name="Công đoàn Công ty Canon", parent=province_b)
    return Country(root, province_a, upper_a, grassroots_a, grassroots_a2, province_b, grassroots_b)


@dataclass
class Personas:
    worker_a: object
    officer_a: object
    grassroots_officer_a: object
    reviewer_a: object
    reviewer_b: object
    worker_b: object
    leader: object
    admin: object

    def by_name(self, name: str):
        return None if name == "anonymous" else getattr(self, name)


PERSONA_NAMES = ["worker_a", "officer_a", "reviewer_a", "reviewer_b", "leader", "anonymous"]


@pytest.fixture
def personas(country) -> Personas:
    def person(name: str, role: str, unit):
        user = UserFactory(email=f"{name}@example.vn", full_name=name.replace("_", " ").title())
        grant(user, role, unit)
        return user

    return Personas(
        worker_a=person("worker_a", Role.MEMBER, country.grassroots_a),
        officer_a=person("officer_a", Role.UNIT_OFFICER, country.province_a),
        grassroots_officer_a=person(
            "grassroots_officer_a", Role.GRASSROOTS_OFFICER, country.grassroots_a
        ),
        reviewer_a=person("reviewer_a", Role.REVIEWER, country.province_a),
        reviewer_b=person("reviewer_b", Role.REVIEWER, country.province_b),
        worker_b=person("worker_b", Role.MEMBER, country.grassroots_b),
        leader=person("leader", Role.LEADERSHIP, country.root),
        admin=person("admin", Role.ADMIN, country.root),
    )


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as user (or anonymous for None)."""

    def make(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="accounts.auth_backends.EmailOrPhoneBackend")
        return client

    return make
