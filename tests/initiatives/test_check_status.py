"""The initiative page polls the similarity check until it is done (issue 14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from initiatives.models import Initiative, Status
from tests.review.helpers import make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def checking(country, personas):
    return make_initiative(
        unit=country.grassroots_a,
        owner=personas.worker_a,
        title="Đang kiểm tra",
        status=Status.CHECKING,
    )


def test_the_page_polls_while_the_check_runs(client_for, personas, checking):
    client = client_for(personas.worker_a)
    poll_url = reverse("initiatives:check-status", args=[checking.pk])
    html = client.get(reverse("initiatives:detail", args=[checking.pk])).content.decode()
    assert f'hx-get="{poll_url}"' in html
    assert 'hx-trigger="every 3s"' in html
    assert 'hx-trigger="every' in client.get(poll_url).content.decode()


def test_the_poll_stops_and_shows_the_result_once_done(client_for, personas, checking):
    Initiative.objects.filter(pk=checking.pk).update(status=Status.VALID)
    html = (
        client_for(personas.worker_a)
        .get(reverse("initiatives:check-status", args=[checking.pk]))
        .content.decode()
    )
    assert "hx-trigger" not in html
    assert 'data-testid="check-result"' in html
    assert "Hợp lệ" in html


def test_the_poll_answers_404_out_of_scope(client_for, personas, checking):
    response = client_for(personas.worker_b).get(
        reverse("initiatives:check-status", args=[checking.pk])
    )
    assert response.status_code == 404
