"""REST API /api/v1/initiatives/: scope, filters, writes through the services, secrets."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from initiatives import services
from initiatives.api import MSG_ALREADY_SUBMITTED, MSG_CANNOT_EDIT, MSG_CONFIDENTIAL_FILES
from initiatives.models import Field, Initiative, ParticipantGroup, Status
from tests.factories import decree_field, decree_fields

pytestmark = pytest.mark.django_db

SECRET = "Công thức pha dung dịch mạ kẽm bí mật"


def make(unit, *, entered_by, owner=None, title="Sáng kiến", submit=False, actor=None, **data):
    initiative = services.initiative_save_draft(
        entered_by=entered_by,
        actor=actor,
        data={
            **decree_fields(),
            "title": title,
            "summary": "Giảm chi phí.",
            "description": "Mô tả bản chất.",
            "participant_group": ParticipantGroup.ENTERPRISE,
            "unit": unit,
            "owner": owner,
            **data,
        },
        authors=[services.AuthorData("Nguyễn Văn Tâm", Decimal(100))],
    )
    if submit:
        initiative = services.initiative_submit(initiative=initiative, actor=entered_by)
    return initiative


@pytest.fixture
def api(personas):
    def client(user):
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        return c

    return client


@pytest.fixture
def draft_a(country, personas):
    return make(country.grassroots_a, entered_by=personas.worker_a, owner=personas.worker_a)


@pytest.fixture
def secret_a(country, personas):
    return make(
        country.grassroots_a,
        entered_by=personas.worker_a,
        owner=personas.worker_a,
        title="Mạ kẽm nhúng nóng",
        description=SECRET,
        is_confidential=True,
        award="Giải nhất",
        actor=personas.grassroots_officer_a,  # the award is written by an officer
        submit=True,
    )


def test_list_is_scoped_paginated_and_has_a_fixed_query_count(
    country, personas, api, django_assert_max_num_queries
):
    for n in range(30):
        make(country.grassroots_a, entered_by=personas.officer_a, title=f"A{n}", submit=n % 2 == 0)
    make(country.grassroots_b, entered_by=personas.worker_b, title="B", submit=True)
    client = api(personas.officer_a)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/initiatives/?page_size=50").json()
    assert body["count"] == 30
    assert {row["unit"] for row in body["results"]} == {country.grassroots_a.code}
    assert api(personas.reviewer_b).get("/api/v1/initiatives/").json()["count"] == 1
    # Drafts are work in progress: leadership sees only what was handed in.
    assert api(personas.leader).get("/api/v1/initiatives/").json()["count"] == 16
    assert api(None).get("/api/v1/initiatives/").status_code in (401, 403)


def test_filters(country, personas, api):
    Field.objects.create(code="co-khi", name="Cơ khí")
    make(
        country.grassroots_a,
        entered_by=personas.officer_a,
        title="Cải tiến máy nén khí",
        field=Field.objects.get(),
        submit=True,
    )
    make(
        country.grassroots_a2,
        entered_by=personas.officer_a,
        title="Phần mềm quản lý ca",
        participant_group=ParticipantGroup.PUBLIC_SERVICE,
    )
    client = api(personas.officer_a)

    def titles(query: str) -> set[str]:
        return {r["title"] for r in client.get(f"/api/v1/initiatives/?{query}").json()["results"]}

    assert titles("search=cai tien may nen") == {"Cải tiến máy nén khí"}
    assert titles("status=checking") == {"Cải tiến máy nén khí"}
    assert titles("status=draft") == {"Phần mềm quản lý ca"}
    assert titles("field=co-khi") == {"Cải tiến máy nén khí"}
    assert titles("participant_group=public_service") == {"Phần mềm quản lý ca"}
    assert titles(f"unit={country.grassroots_a2.code}") == {"Phần mềm quản lý ca"}
    assert titles(f"unit={country.upper_a.code}") == {"Cải tiến máy nén khí", "Phần mềm quản lý ca"}
    year = Initiative.objects.get(status=Status.CHECKING).submitted_at.year
    assert titles(f"year={year}") == {"Cải tiến máy nén khí"}
    assert titles(f"unit={country.grassroots_b.code}") == set()


def test_create_then_submit_moves_to_checking(country, personas, api):
    client = api(personas.worker_a)
    payload = {
        "title": "Băng tải phân loại tôm",
        "description": "Thay phân loại thủ công bằng băng tải.",
        "summary": "Năng suất tăng 30%.",
        "problem": "Phân loại bằng tay chậm.",
        "application_scope": "Nhà máy chế biến tôm.",
        "field": decree_field().code,
        "first_applied_on": "2025-03-01",
        "benefit_text": "Giảm 4 lao động mỗi ca.",
        "unit": country.grassroots_a.code,
        "participant_group": "enterprise",
        "benefit_vnd": "25000000",
        "authors": [
            {"full_name": "Nguyễn Văn Tâm", "contribution_percent": "60"},
            {"full_name": "Lê Thị Hoà", "contribution_percent": "40"},
        ],
        "client_token": "6f1c3a52-3f0a-4d7e-9a51-0b8f2f0e1c11",
    }
    response = client.post("/api/v1/initiatives/", payload, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "draft" and len(created["authors"]) == 2
    again = client.post("/api/v1/initiatives/", payload, format="json")
    assert again.json()["id"] == created["id"]  # the same client token: one initiative
    initiative = Initiative.objects.get()
    assert initiative.owner == personas.worker_a

    response = client.post(f"/api/v1/initiatives/{created['id']}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "checking"
    second = client.post(f"/api/v1/initiatives/{created['id']}/submit/")
    assert second.status_code == 409
    assert second.json()["detail"] == MSG_ALREADY_SUBMITTED.format(status="Đang kiểm tra")
    history = client.get(f"/api/v1/initiatives/{created['id']}/history/").json()
    assert [e["transition"] for e in history][:2] == ["submit", "start_check"]


def test_create_refuses_a_unit_outside_the_callers_reach(country, personas, api):
    response = api(personas.worker_a).post(
        "/api/v1/initiatives/",
        {
            "title": "X",
            "unit": country.grassroots_b.code,
            "participant_group": "enterprise",
            "authors": [{"full_name": "A", "contribution_percent": "100"}],
        },
        format="json",
    )
    assert response.status_code == 400 and "unit" in response.json()
    assert not Initiative.objects.exists()


def test_submit_with_bad_contributions_is_refused_with_the_services_message(
    country, personas, api, draft_a
):
    client = api(personas.worker_a)
    client.patch(
        f"/api/v1/initiatives/{draft_a.pk}/",
        {"authors": [{"full_name": "A", "contribution_percent": "70"}]},
        format="json",
    )
    response = client.post(f"/api/v1/initiatives/{draft_a.pk}/submit/")
    assert response.status_code == 400
    assert "70" in str(response.json()) and "100%" in str(response.json())
    draft_a.refresh_from_db()
    assert draft_a.status == Status.DRAFT


def test_update_only_while_draft_or_returned_and_only_by_who_may_edit(
    country, personas, api, draft_a
):
    url = f"/api/v1/initiatives/{draft_a.pk}/"
    response = api(personas.worker_a).patch(url, {"title": "Tên mới"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Tên mới"
    assert [a["full_name"] for a in response.json()["authors"]] == ["Nguyễn Văn Tâm"]
    # A draft is not shown to reviewers at all; another province never sees it.
    assert api(personas.reviewer_a).patch(url, {"title": "X"}, format="json").status_code == 404
    assert api(personas.reviewer_b).patch(url, {"title": "X"}, format="json").status_code == 404

    services.initiative_submit(initiative=draft_a, actor=personas.worker_a)
    locked = api(personas.worker_a).patch(url, {"title": "Sau khi nộp"}, format="json")
    assert locked.status_code == 400
    draft_a.refresh_from_db()
    assert draft_a.title == "Tên mới"

    services.initiative_record_check(
        initiative=draft_a, flagged=True, copied_share=0.4, source_count=1
    )
    services.initiative_decide(
        initiative=draft_a, reviewer=personas.reviewer_a, decision="return", reason="Bổ sung"
    )
    refused = api(personas.reviewer_a).patch(url, {"title": "Của người duyệt"}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == MSG_CANNOT_EDIT
    revised = api(personas.worker_a).patch(url, {"title": "Đã bổ sung"}, format="json")
    assert revised.status_code == 200 and revised.json()["status"] == "returned"


def test_other_province_gets_404_on_every_endpoint(personas, api, draft_a):
    client = api(personas.reviewer_b)
    base = f"/api/v1/initiatives/{draft_a.pk}/"
    for url in (base, base + "history/", base + "attachments/"):
        assert client.get(url).status_code == 404, url
    assert client.post(base + "submit/").status_code == 404
    draft_a.refresh_from_db()
    assert draft_a.status == Status.DRAFT


def test_confidential_text_is_hidden_outside_the_chain(personas, api, secret_a):
    url = f"/api/v1/initiatives/{secret_a.pk}/"
    for persona in ("leader",):
        client = api(getattr(personas, persona))
        body = client.get(url).json()
        assert body["text_hidden"] is True
        assert (body["title"], body["award"]) == ("Mạ kẽm nhúng nóng", "Giải nhất")
        assert body["description"] is None and body["authors"] == []
        listed = client.get("/api/v1/initiatives/").json()["results"]
        assert SECRET not in str(listed) and SECRET not in str(body)
        assert client.get(url + "attachments/").json()["detail"] == MSG_CONFIDENTIAL_FILES
        assert SECRET not in str(client.get("/api/v1/initiatives/?search=ma kem").json())
    for persona in ("reviewer_a", "officer_a", "worker_a"):
        body = api(getattr(personas, persona)).get(url).json()
        assert body["text_hidden"] is False and body["description"] == SECRET, persona


def test_token_auth(personas, draft_a):
    _token, key = api_token_create(user=personas.worker_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/initiatives/{draft_a.pk}/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token sai")
    assert client.get(f"/api/v1/initiatives/{draft_a.pk}/").status_code in (401, 403)


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_attachments_upload_checks_the_content_and_lists(
    personas, api, draft_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = api(personas.worker_a)
    url = f"/api/v1/initiatives/{draft_a.pk}/attachments/"
    good = client.post(url, {"file": SimpleUploadedFile("ban-ve.pdf", _pdf())}, format="multipart")
    assert good.status_code == 201, good.json()
    assert good.json()["extension"] == "pdf"
    assert good.json()["url"].startswith(f"/sang-kien/{draft_a.pk}/tep/")
    bad = client.post(
        url,
        {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200)},
        format="multipart",
    )
    assert bad.status_code == 400 and "virus.pdf" in str(bad.json()["file"])
    listed = client.get(url).json()
    assert [a["original_name"] for a in listed] == ["ban-ve.pdf"]
    assert (
        api(personas.reviewer_a)
        .post(url, {"file": SimpleUploadedFile("x.pdf", _pdf())}, format="multipart")
        .status_code
        == 404  # a draft is not shown to reviewers
    )


def test_schema_generates_without_warnings_and_docs_load_offline(client, capsys):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--file", "/dev/null")
    # Other apps' views may still warn; none of the warnings may be about these endpoints.
    output = capsys.readouterr().err
    for mine in ("initiatives/api.py", "initiatives/serializers.py", "initiatives/filters.py"):
        assert mine not in output
    assert "FromStatusEnum" not in output and "ToStatusEnum" not in output
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/initiatives/{id}/submit/" in schema.content
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        assert "https://" not in html and "http://" not in html, page
        assets = [p for p in html.split('"') if p.startswith("/static/drf_spectacular_sidecar/")]
        assert assets, page
        for asset in assets:
            response = client.get(asset)
            assert response.status_code == 200, asset
