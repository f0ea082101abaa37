"""The recognition step: the unit's officers record the decision (number, date, level,
award) for approved or valid initiatives, one or many, on the page or by the API;
recognised initiatives count in their own column of the rankings."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from initiatives import services
from initiatives.models import Initiative, Status
from rankings import periods, selectors
from rankings import services as ranking_services
from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def approved(country, personas):
    return [
        make_initiative(
            unit=country.grassroots_a,
            entered_by=personas.worker_a,
            title=f"Sáng kiến {n}",
            state="approved",
            reviewer=personas.reviewer_a,
        )
        for n in range(3)
    ]


def decision(**overrides) -> dict:
    values = {"number": "125/QĐ-CĐCS", "date": "2026-01-10", "level": "grassroots", "award": ""}
    values.update(overrides)
    return values


def programme() -> periods.Period:
    return periods.Period("all", periods.PROGRAMME_START, dt.date.today())


def test_officers_recognise_several_on_the_page_and_they_get_their_own_column(
    country, personas, approved, client_for
):
    client = client_for(personas.grassroots_officer_a)
    page = client.get("/sang-kien/cong-nhan/").content.decode()
    assert all(i.title in page for i in approved)
    response = client.post(
        "/sang-kien/cong-nhan/",
        {**decision(award="Giấy khen"), "ids": [approved[0].pk, approved[1].pk]},
    )
    assert response.status_code == 302
    recognised = Initiative.objects.filter(status=Status.RECOGNISED).order_by("pk")
    assert [i.pk for i in recognised] == [approved[0].pk, approved[1].pk]
    first = recognised[0]
    assert (first.recognition_number, first.recognition_date, first.recognition_level) == (
        "125/QĐ-CĐCS",
        dt.date(2026, 1, 10),
        "grassroots",
    )
    assert first.award == "Giấy khen"
    assert first.events.last().transition == "recognise"

    row = next(
        r
        for r in selectors.national_ranking(period=programme()).rows
        if r.unit.pk == country.province_a.pk
    )
    assert (row.valid, row.recognised) == (3, 2)
    leaderboard = client.get("/xep-hang/?period=all").content.decode()
    assert 'data-col="recognised">2<' in leaderboard
    assert not ranking_services.tally_reconcile(notify=False).drifted


def test_a_decision_needs_number_date_and_level_and_nothing_is_half_recorded(
    personas, approved, client_for
):
    client = client_for(personas.officer_a)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        "/sang-kien/cong-nhan/", {**decision(date=future), "ids": [a.pk for a in approved]}
    )
    assert response.status_code == 200
    assert services.MSG_RECOGNITION_DATE_FUTURE in response.content.decode()
    response = client.post("/sang-kien/cong-nhan/", decision())
    assert services.MSG_RECOGNITION_NOTHING in response.content.decode()
    assert not Initiative.objects.filter(status=Status.RECOGNISED).exists()


def test_the_api_records_one_or_many_and_answers_404_outside_the_officers_reach(
    country, personas, approved
):
    officer = APIClient()
    officer.force_authenticate(personas.officer_a)
    one = officer.post(
        f"/api/v1/initiatives/{approved[0].pk}/recognise/", decision(level="top"), format="json"
    )
    assert one.status_code == 200, one.json()
    assert one.json()[0]["status"] == "recognised"
    many = officer.post(
        "/api/v1/initiatives/recognise/",
        {**decision(), "ids": [approved[1].pk, approved[2].pk]},
        format="json",
    )
    assert many.status_code == 200 and len(many.json()) == 2
    # Already recognised: not recognisable any more.
    again = officer.post(
        f"/api/v1/initiatives/{approved[0].pk}/recognise/", decision(), format="json"
    )
    assert again.status_code == 404

    other = make_initiative(
        unit=country.grassroots_b,
        entered_by=personas.worker_b,
        state="approved",
        reviewer=personas.reviewer_b,
    )
    for user in (personas.officer_a, personas.reviewer_b, personas.worker_b, personas.leader):
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(
            f"/api/v1/initiatives/{other.pk}/recognise/", decision(), format="json"
        )
        assert response.status_code == 404, user.email
        response = client.post(
            "/api/v1/initiatives/recognise/", {**decision(), "ids": [other.pk]}, format="json"
        )
        assert response.status_code == 404, user.email
    assert Initiative.objects.get(pk=other.pk).status == Status.APPROVED
    bad = officer.post(
        "/api/v1/initiatives/recognise/",
        {**decision(level="khong-co"), "ids": [other.pk]},
        format="json",
    )
    assert bad.status_code == 404  # the reach is checked first: nothing is revealed
