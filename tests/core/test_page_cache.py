"""Public pages and dashboard figures from the cache (core/page_cache.py, issue 16).

Anonymous visitors of the library and the leaderboard get the cached page; every
counted write moves the version, so a new figure shows on the next request.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core import page_cache
from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _valid(country, personas, title):
    """An initiative the library shows (approved) and the rankings count."""
    return make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.worker_a,
        state="approved",
        reviewer=personas.reviewer_a,
        title=title,
    )


def test_an_anonymous_library_page_is_served_from_the_cache_without_a_query(
    client, country, personas, django_assert_num_queries
):
    _valid(country, personas, "Sáng kiến máy bóc vỏ tôm")
    first = client.get("/sang-kien/thu-vien/")
    assert "Sáng kiến máy bóc vỏ tôm" in first.content.decode()

    with django_assert_num_queries(0):
        again = client.get("/sang-kien/thu-vien/")

    assert again.status_code == 200
    assert "Sáng kiến máy bóc vỏ tôm" in again.content.decode()


def test_a_new_valid_initiative_shows_at_once_in_the_library_and_leaderboard(
    client, country, personas
):
    _valid(country, personas, "Sáng kiến thứ nhất")
    before = client.get("/xep-hang/").content.decode()
    client.get("/sang-kien/thu-vien/")

    _valid(country, personas, "Sáng kiến thứ hai về băng tải")

    assert "Sáng kiến thứ hai về băng tải" in client.get("/sang-kien/thu-vien/").content.decode()
    assert client.get("/xep-hang/").content.decode() != before


def test_signed_in_people_never_get_a_cached_page(client_for, country, personas):
    _valid(country, personas, "Sáng kiến máy bóc vỏ tôm")
    client_for(None).get("/sang-kien/thu-vien/")  # cached for anonymous visitors

    page = client_for(personas.worker_a).get("/sang-kien/thu-vien/")

    assert personas.worker_a.full_name in page.content.decode()
    assert "ETag" not in page


def test_a_cached_page_carries_a_csrf_token_valid_for_its_visitor(country, personas):
    Client().get("/sang-kien/thu-vien/")  # someone else filled the cache
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get("/sang-kien/thu-vien/")
    token = TOKEN.search(page.content.decode()).group(1)
    assert page_cache.CSRF_PLACEHOLDER not in page.content.decode()

    switched = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302


def test_a_browser_revalidates_and_gets_304_until_something_changes(client, country, personas):
    _valid(country, personas, "Sáng kiến thứ nhất")
    client.get("/xep-hang/")  # the first visit sets the CSRF cookie the page's ETag covers
    etag = client.get("/xep-hang/")["ETag"]

    assert client.get("/xep-hang/", HTTP_IF_NONE_MATCH=etag).status_code == 304

    _valid(country, personas, "Sáng kiến thứ hai")
    changed = client.get("/xep-hang/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_exports_and_error_pages_are_not_cached(client, country, personas):
    _valid(country, personas, "Sáng kiến thứ nhất")
    export = client.get("/xep-hang/", {"format": "csv"})
    assert export.status_code == 200
    assert "ETag" not in export
    assert client.get("/sang-kien/thu-vien/999999/").status_code == 404
    assert client.get("/sang-kien/thu-vien/999999/").status_code == 404


def test_the_cache_being_down_renders_the_page_as_usual(client, country, personas, monkeypatch):
    _valid(country, personas, "Sáng kiến máy bóc vỏ tôm")

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(page_cache.cache, "get", unreachable)
    monkeypatch.setattr(page_cache.cache, "set", unreachable)
    monkeypatch.setattr(page_cache.cache, "add", unreachable)

    page = client.get("/sang-kien/thu-vien/")
    assert page.status_code == 200
    assert "Sáng kiến máy bóc vỏ tôm" in page.content.decode()


def test_the_dashboard_figures_are_computed_once_per_change(client_for, country, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _valid(country, personas, "Sáng kiến thứ nhất")
    leader = client_for(personas.leader)
    with CaptureQueriesContext(connection) as cold:
        leader.get("/xep-hang/bang-dieu-khien/")
    with CaptureQueriesContext(connection) as warm:
        leader.get("/xep-hang/bang-dieu-khien/")
    assert len(warm.captured_queries) < len(cold.captured_queries) - 2

    _valid(country, personas, "Sáng kiến thứ hai")
    with CaptureQueriesContext(connection) as after_change:
        leader.get("/xep-hang/bang-dieu-khien/")

    # The same work as the first time, but for the unread badge, cached per person
    # until their notices change (core/notices.py).
    def figures(captured):
        return [q for q in captured.captured_queries if '"core_notice"' not in q["sql"]]

    assert len(figures(after_change)) == len(figures(cold))


def test_in_production_a_write_shows_on_anonymous_pages_within_the_allowed_lag(
    client, country, personas, settings, monkeypatch
):
    """In a rush the version moves several times a second: anonymous pages lag a little."""
    settings.PUBLIC_PAGE_STALE_SECONDS = 10
    now = [1_000_000.0]
    monkeypatch.setattr(page_cache.time, "time", lambda: now[0])
    _valid(country, personas, "Sáng kiến thứ nhất")
    client.get("/sang-kien/thu-vien/")

    _valid(country, personas, "Sáng kiến thứ hai về băng tải")
    now[0] += 9
    assert (
        "Sáng kiến thứ hai về băng tải" not in client.get("/sang-kien/thu-vien/").content.decode()
    )

    now[0] += 2
    assert "Sáng kiến thứ hai về băng tải" in client.get("/sang-kien/thu-vien/").content.decode()


def test_saving_a_draft_keeps_the_public_pages_cached(client, country, personas):
    _valid(country, personas, "Sáng kiến thứ nhất")
    version = page_cache.current_version()

    make_initiative(unit=country.grassroots_a, entered_by=personas.worker_a, title="Bản nháp")

    assert page_cache.current_version() == version


def test_an_initiative_made_confidential_loses_its_public_text_at_once(
    client, country, personas, settings
):
    """The lag is for lists and rankings; one initiative's own page never lags."""
    from initiatives.models import Initiative

    settings.PUBLIC_PAGE_STALE_SECONDS = 10
    initiative = _valid(country, personas, "Sáng kiến máy bóc vỏ tôm")
    url = f"/sang-kien/thu-vien/{initiative.pk}/"
    assert initiative.description in client.get(url).content.decode()

    Initiative.objects.filter(pk=initiative.pk).update(is_confidential=True)
    page_cache.public_pages_changed()

    assert initiative.description not in client.get(url).content.decode()


def test_a_cached_page_is_answered_before_the_session_and_auth_layers(
    client, country, personas, monkeypatch
):
    from django.contrib.sessions.middleware import SessionMiddleware

    _valid(country, personas, "Sáng kiến máy bóc vỏ tôm")
    full = client.get("/sang-kien/thu-vien/")  # rendered, stored with its headers
    sessions_opened = []
    original = SessionMiddleware.process_request
    monkeypatch.setattr(
        SessionMiddleware,
        "process_request",
        lambda self, request: sessions_opened.append(1) or original(self, request),
    )

    fast = client.get("/sang-kien/thu-vien/")

    assert sessions_opened == []
    assert fast.status_code == 200
    assert "Sáng kiến máy bóc vỏ tôm" in fast.content.decode()
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Vary"):
        assert fast[header] == full[header], header
    assert fast["Cache-Control"] == "private, no-cache"
    # A visitor with a session (possibly signed in) goes the whole way.
    client.force_login(personas.worker_a)
    signed_in = client.get("/sang-kien/thu-vien/")
    assert sessions_opened and "ETag" not in signed_in


def test_the_early_answer_keeps_the_visitors_language(client, country, personas):
    _valid(country, personas, "Sáng kiến máy bóc vỏ tôm")
    client.get("/xep-hang/")
    vietnamese = client.get("/xep-hang/")
    client.cookies["django_language"] = "en"
    client.get("/xep-hang/")
    english = client.get("/xep-hang/")

    assert vietnamese["Content-Language"] == "vi" and english["Content-Language"] == "en"
    assert english.content != vietnamese.content


def test_a_first_visitor_of_a_cached_page_gets_a_csrf_cookie(client, country, personas):
    Client().get("/sang-kien/thu-vien/")
    Client().get("/sang-kien/thu-vien/")  # stored with its headers

    newcomer = Client(enforce_csrf_checks=True)
    page = newcomer.get("/sang-kien/thu-vien/")

    assert "csrftoken" in page.cookies
    token = TOKEN.search(page.content.decode()).group(1)
    switched = newcomer.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302


def test_the_home_page_of_visitors_is_cached_and_signed_in_people_get_their_own(
    client, country, personas, django_assert_num_queries
):
    first = client.get("/")
    with django_assert_num_queries(0):
        again = client.get("/")
    assert again.status_code == 200 and "ETag" in again
    assert again.content.decode().count("csrfmiddlewaretoken") == first.content.decode().count(
        "csrfmiddlewaretoken"
    )

    client.force_login(personas.worker_a)
    mine = client.get("/")
    assert "ETag" not in mine
    assert personas.worker_a.full_name in mine.content.decode()
