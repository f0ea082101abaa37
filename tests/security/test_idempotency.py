"""Finding: a Hà Nội worker re-sent a Cần Thơ worker's form `client_token`; the portal
attached the attacker's file to the victim's draft and submitted it as the attacker.
The API answered 500. Private pages had no Cache-Control, so a shared phone's back
button brought the token back."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from initiatives import services
from initiatives.models import Initiative, InitiativeEvent, Status
from tests.initiatives.submission_helpers import form_data, minimal_pdf

pytestmark = pytest.mark.django_db

CREATE = "/sang-kien/moi/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _victims_draft(client_for, personas, country) -> tuple[Initiative, uuid.UUID]:
    token = uuid.uuid4()
    response = client_for(personas.worker_a).post(
        CREATE, form_data(country.grassroots_a, token=token)
    )
    assert response.status_code == 302
    return Initiative.objects.get(client_token=token), token


def test_another_workers_token_on_the_form_never_touches_the_victims_draft(
    client_for, personas, country
):
    victim, token = _victims_draft(client_for, personas, country)
    attacker = client_for(personas.worker_b)
    data = form_data(country.grassroots_b, token=token, action="submit", title="Bị chiếm")
    data["files"] = SimpleUploadedFile(
        "ke-gian.pdf", minimal_pdf("attacker"), content_type="application/pdf"
    )
    response = attacker.post(CREATE, data)

    assert response.status_code == 200  # the form again, with the reason
    assert services.MSG_CLIENT_TOKEN_TAKEN in response.content.decode()
    victim.refresh_from_db()
    assert victim.status == Status.DRAFT
    assert victim.title == "Cải tiến băng tải phân loại tôm"
    assert victim.attachments.count() == 0
    assert not InitiativeEvent.objects.filter(actor=personas.worker_b).exists()
    # The page hands the attacker a fresh token: their next save makes their own draft.
    assert f'value="{token}"' not in response.content.decode()


def test_another_workers_token_on_the_api_is_a_400(client_for, personas, country):
    victim, token = _victims_draft(client_for, personas, country)
    api = APIClient()
    api.force_authenticate(personas.worker_b)
    response = api.post(
        "/api/v1/initiatives/",
        {
            "title": "Bị chiếm",
            "unit": country.grassroots_b.code,
            "participant_group": "enterprise",
            "authors": [{"full_name": "Kẻ gian", "contribution_percent": "100"}],
            "client_token": str(token),
        },
        format="json",
    )
    assert response.status_code == 400
    assert services.MSG_CLIENT_TOKEN_TAKEN in str(response.json())
    victim.refresh_from_db()
    assert victim.title == "Cải tiến băng tải phân loại tôm"
    assert Initiative.objects.count() == 1


def test_the_owner_resending_their_token_still_updates_their_draft(client_for, personas, country):
    victim, token = _victims_draft(client_for, personas, country)
    client_for(personas.worker_a).post(
        CREATE, form_data(country.grassroots_a, token=token, title="Tên mới")
    )
    victim.refresh_from_db()
    assert victim.title == "Tên mới" and Initiative.objects.count() == 1


@pytest.mark.parametrize(
    "path", ["/", CREATE, "/sang-kien/cua-toi/", "/api/v1/initiatives/", "/sang-kien/thu-vien/"]
)
def test_every_page_of_a_signed_in_person_is_private_and_not_stored(client_for, personas, path):
    response = client_for(personas.worker_a).get(path)
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_anonymous_public_pages_stay_cacheable(client):
    response = client.get("/sang-kien/thu-vien/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
