"""Finding: authors' dates of birth were shown to everyone who may see the initiative
(leadership: 340 people nationwide); only the author and their unit's officers need them."""

import datetime as dt

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from initiatives.models import InitiativeAuthor
from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db

BORN = dt.date(1985, 4, 12)
SHOWN = "12/04/1985"


@pytest.fixture
def approved(country, personas):
    initiative = make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.worker_a,
        owner=personas.worker_a,
        state="approved",
        reviewer=personas.reviewer_a,
    )
    InitiativeAuthor.objects.filter(initiative=initiative).update(date_of_birth=BORN)
    return initiative


SEES = ["worker_a", "grassroots_officer_a", "officer_a"]
DOES_NOT_SEE = ["reviewer_a", "leader"]


@pytest.mark.parametrize("persona", SEES + DOES_NOT_SEE)
def test_the_detail_page_shows_birth_dates_to_authors_and_officers_only(
    client_for, personas, approved, persona
):
    response = client_for(getattr(personas, persona)).get(f"/sang-kien/{approved.pk}/")
    assert response.status_code == 200
    assert (SHOWN in response.content.decode()) is (persona in SEES)


@pytest.mark.parametrize("persona", SEES + DOES_NOT_SEE)
def test_the_api_gives_birth_dates_to_authors_and_officers_only(personas, approved, persona):
    client = APIClient()
    client.force_authenticate(getattr(personas, persona))
    body = client.get(f"/api/v1/initiatives/{approved.pk}/").json()
    listed = client.get("/api/v1/initiatives/").json()["results"]
    expected = BORN.isoformat() if persona in SEES else None
    assert body["authors"][0]["date_of_birth"] == expected
    assert [i["authors"][0]["date_of_birth"] for i in listed if i["id"] == approved.pk] == [
        expected
    ]


def test_the_officers_export_keeps_them(client_for, personas, country, approved):
    import io

    client = client_for(personas.officer_a)
    response = client.get(f"/sang-kien/nhap/xuat/?unit={country.province_a.code}")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    from initiatives.importing import column_header

    assert row[header.index(column_header("author_birth_date"))] == SHOWN
