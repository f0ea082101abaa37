"""Sessions read from the cache, kept in the database (core/sessions.py, issue 16)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import UserSession
from core.sessions import KEY_PREFIX, SessionStore

pytestmark = pytest.mark.django_db


def _session_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_page_reads_the_session_from_the_cache(personas):
    client = Client()
    client.force_login(personas.worker_a)
    key = client.session.session_key

    assert cache.get(KEY_PREFIX + key) is not None
    assert _session_queries(client, "/sang-kien/cua-toi/") == []
    # The database still holds it: a Redis restart signs nobody out.
    assert Session.objects.filter(session_key=key).exists()
    cache.clear()
    assert len(_session_queries(client, "/sang-kien/cua-toi/")) == 1
    assert _session_queries(client, "/sang-kien/cua-toi/") == []  # cached again


def test_an_ended_session_is_gone_from_the_cache_too(personas):
    worker = personas.worker_a
    phone, laptop = Client(), Client()
    phone.force_login(worker)
    laptop.force_login(worker)
    phone_key = phone.session.session_key
    row = UserSession.objects.get(session_key=phone_key)  # recorded at sign-in

    assert laptop.post(f"/tai-khoan/phien/{row.pk}/ket-thuc/").status_code == 302

    assert cache.get(KEY_PREFIX + phone_key) is None
    assert phone.get("/sang-kien/cua-toi/").status_code == 302  # to the login page


def test_the_cached_copy_lives_at_most_session_cache_seconds(settings, personas):
    """A copy the cache kept through an outage (its delete missed) dies this soon."""
    settings.SESSION_CACHE_SECONDS = 120
    store = SessionStore()
    store["x"] = 1
    store.save()

    assert store.get_expiry_age() > 120
    assert store.get_cache_age() == 120
    settings.SESSION_CACHE_SECONDS = 10**9
    assert store.get_cache_age() == store.get_expiry_age()


def test_logging_out_removes_the_cached_session(personas):
    client = Client()
    client.force_login(personas.worker_a)
    key = client.session.session_key

    client.post("/tai-khoan/dang-xuat/")

    assert cache.get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()
