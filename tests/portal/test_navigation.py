"""Navigation (issue 14): route names, unit pages, the notices' links and unread badge."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import get_resolver, reverse

from core.models import Notice
from initiatives.models import Status
from review import services as review_services
from tests.review.helpers import archived_source, flagged_copy

pytestmark = pytest.mark.django_db


def _route_names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _route_names(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


def test_no_two_routes_share_a_name():
    counts = Counter(_route_names(get_resolver()))
    assert [name for name, n in counts.items() if n > 1] == []


def test_unit_pages_are_pages_and_the_api_has_its_own_names(country):
    assert reverse("unit-detail", args=[country.province_a.code]) == "/don-vi/LDLD92/"
    assert reverse("unit-list") == "/don-vi/"
    assert reverse("api-unit-detail", args=[country.province_a.code]).startswith("/api/v1/")


def test_unit_list_links_to_unit_pages(client_for, personas, country):
    html = client_for(personas.officer_a).get(reverse("unit-list")).content.decode()
    assert 'href="/don-vi/LDLD92-G01/"' in html
    assert "/api/v1/units/" not in html


def test_saving_a_reorganisation_lands_on_the_unit_page(client_for, personas, country):
    response = client_for(personas.officer_a).post(
        reverse("unit-reorganise", args=[country.grassroots_a2.code]),
        {
            "action": "rename",
            "new_name": "Công đoàn Bệnh viện Đa khoa",
            "effective_date": "2025-07-01",
        },
    )
    assert response.status_code == 302
    assert response.url == "/don-vi/LDLD92-G02/"


def test_workers_see_no_units_menu_and_officers_do(client_for, personas):
    worker_html = client_for(personas.worker_a).get(reverse("home")).content.decode()
    assert f'href="{reverse("unit-list")}"' not in worker_html
    officer_html = client_for(personas.officer_a).get(reverse("home")).content.decode()
    assert f'href="{reverse("unit-list")}"' in officer_html


def test_a_decision_notice_opens_the_initiative(country, personas):
    source = archived_source(unit=country.grassroots_b, owner=personas.worker_b)
    item = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Cờ A"
    )
    review_services.review_decide(
        initiative=item, reviewer=personas.reviewer_a, decision="approve", reason="Trích dẫn."
    )
    notice = Notice.objects.get(recipient=personas.worker_a)
    assert notice.link == reverse("initiatives:detail", args=[item.pk])
    item.refresh_from_db()
    assert item.status == Status.APPROVED


def test_header_shows_the_unread_count_in_one_cheap_query(
    client_for, personas, django_assert_max_num_queries
):
    for n in range(3):
        Notice.objects.create(recipient=personas.worker_a, subject=f"Tin {n}")
    Notice.objects.create(recipient=personas.officer_a, subject="Không phải của bạn")
    client = client_for(personas.worker_a)
    client.get(reverse("home"))  # warm the session and caches
    with django_assert_max_num_queries(12):
        html = client.get(reverse("initiatives:mine")).content.decode()
    assert 'data-testid="unread-count">3<' in html
    client.get(reverse("review-notices"))
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


def _notice_counts(client, url) -> tuple[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    return html, sum('"core_notice"' in q["sql"] for q in captured.captured_queries)


def test_the_unread_badge_is_counted_once_then_read_from_the_cache(client_for, personas):
    Notice.objects.create(recipient=personas.worker_a, subject="Tin")
    client = client_for(personas.worker_a)

    html, counted = _notice_counts(client, reverse("home"))
    assert 'data-testid="unread-count">1<' in html and counted == 1
    html, counted = _notice_counts(client, reverse("initiatives:mine"))
    assert 'data-testid="unread-count">1<' in html and counted == 0


def test_a_decision_shows_in_the_authors_cached_badge_at_once(
    client_for, country, personas, django_capture_on_commit_callbacks
):
    source = archived_source(unit=country.grassroots_b, owner=personas.worker_b)
    item = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Cờ A"
    )
    author = client_for(personas.worker_a)
    assert 'data-testid="unread-count"' not in author.get(reverse("home")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_decide(
            initiative=item, reviewer=personas.reviewer_a, decision="approve", reason="Được."
        )

    assert 'data-testid="unread-count">1<' in author.get(reverse("home")).content.decode()


def test_an_assignment_shows_in_the_assignees_cached_badge_at_once(client_for, country, personas):
    from tests.factories import Role, UserFactory, grant

    source = archived_source(unit=country.grassroots_b, owner=personas.worker_b)
    item = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Cờ A"
    )
    colleague = UserFactory()
    grant(colleague, Role.REVIEWER, country.province_a)
    colleague_client = client_for(colleague)
    assert (
        'data-testid="unread-count"' not in colleague_client.get(reverse("home")).content.decode()
    )

    review_services.review_assign(initiative=item, assigner=personas.reviewer_a, assignee=colleague)

    html = colleague_client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">1<' in html
