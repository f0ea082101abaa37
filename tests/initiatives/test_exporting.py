"""Export of a unit's initiatives to XLSX: scope, re-importable columns, secrets kept."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.tenancy import OFFICER_ROLES, scope_for
from initiatives import exporting, importing, services
from initiatives.importing import RowSource, import_initiatives
from initiatives.models import Initiative, ParticipantGroup
from tests.factories import decree_fields

pytestmark = pytest.mark.django_db

SECRET = "Tỷ lệ pha hoá chất 3:1:7 trong bể mạ"


def make(unit, *, entered_by, title, confidential=False, submit=True, **data):
    initiative = services.initiative_save_draft(
        entered_by=entered_by,
        data={
            **decree_fields(),
            "title": title,
            "summary": f"Tóm tắt {title}",
            "description": SECRET if confidential else f"Mô tả {title}",
            "participant_group": ParticipantGroup.ENTERPRISE,
            "unit": unit,
            "is_confidential": confidential,
            "award": "Giải nhì" if confidential else "",
            **data,
        },
        authors=[
            services.AuthorData("Phan Văn Đức", Decimal(60), external_person_id="P-1"),
            services.AuthorData("Hồ Thị Lan", Decimal(40)),
        ],
    )
    if submit:
        initiative = services.initiative_submit(initiative=initiative, actor=entered_by)
    return initiative


def rows_of(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    # Headers are Vietnamese ("Tên sáng kiến"); key rows by our column names.
    header = [importing.column_key(h) for h in values[0]]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


@pytest.fixture
def initiatives(country, personas):
    return {
        "open": make(country.grassroots_a, entered_by=personas.officer_a, title="Máy bóc tôm"),
        "secret": make(
            country.grassroots_a2,
            entered_by=personas.officer_a,
            title="Mạ kẽm",
            confidential=True,
        ),
        "other": make(country.grassroots_b, entered_by=personas.admin, title="Canon"),
    }


def download(client, unit_code: str):
    return client.get(f"/sang-kien/nhap/xuat/?unit={unit_code}")


def test_export_of_a_unit_subtree_for_an_officer_of_the_chain(
    country, personas, client_for, initiatives
):
    response = download(client_for(personas.officer_a), country.province_a.code)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    content = b"".join(response.streaming_content)
    rows = {r["title"]: r for r in rows_of(content)}
    assert set(rows) == {"Máy bóc tôm", "Mạ kẽm"}
    assert rows["Máy bóc tôm"]["author_name"] == "Phan Văn Đức; Hồ Thị Lan"
    assert rows["Máy bóc tôm"]["author_percent"] == "60; 40"
    assert rows["Mạ kẽm"]["content"] == SECRET  # the officer is in the secret's chain


def test_confidential_rows_keep_only_title_summary_and_award_outside_the_chain(
    country, personas, client_for, initiatives
):
    response = download(client_for(personas.leader), country.province_a.code)
    content = b"".join(response.streaming_content)
    rows = {r["title"]: r for r in rows_of(content)}
    secret = rows["Mạ kẽm"]
    assert (secret["summary"], secret["award"]) == ("Tóm tắt Mạ kẽm", "Giải nhì")
    assert secret["content"] is None and secret["author_name"] is None
    assert SECRET.encode() not in content
    assert rows["Máy bóc tôm"]["content"] == "Mô tả Máy bóc tôm"


def test_another_province_is_404_and_anonymous_is_sent_to_login(
    country, personas, client_for, initiatives
):
    assert download(client_for(personas.reviewer_b), country.province_a.code).status_code == 404
    assert download(client_for(personas.worker_a), country.grassroots_a.code).status_code == 404
    assert download(client_for(None), country.province_a.code).status_code == 302


def test_an_export_can_be_imported_again_and_updates_in_place(
    country, personas, initiatives, tmp_path
):
    Initiative.objects.filter(pk=initiatives["open"].pk).update(external_id="OPEN-1")
    handle = exporting.export_unit_xlsx(viewer=personas.officer_a, unit=country.grassroots_a)
    report = import_initiatives(
        source=RowSource(handle, "export.xlsx"),
        actor=personas.officer_a,
        scope=scope_for(personas.officer_a, OFFICER_ROLES),
        all_or_nothing=True,
    )
    assert report.errors == [] and (report.created, report.updated) == (0, 1)
    assert Initiative.objects.count() == 3


def test_export_query_count_does_not_grow_with_rows(
    country, personas, django_assert_max_num_queries
):
    for n in range(40):
        make(country.grassroots_a, entered_by=personas.officer_a, title=f"SK {n}")
    with django_assert_max_num_queries(8):
        handle = exporting.export_unit_xlsx(viewer=personas.officer_a, unit=country.province_a)
    assert len(rows_of(handle.read())) == 40
