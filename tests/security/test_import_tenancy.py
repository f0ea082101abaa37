"""Finding: import errors revealed which external ids exist in other provinces.

An officer of Cần Thơ (province A) imports rows naming an external id and unit codes
that exist only in Hà Nội (province B). Each is refused with exactly the words used for
an id or code the officer may not use for any other reason (one taken meanwhile, one that
does not exist), so the report tells nothing about province B; B's initiative is
untouched. The same holds in the unit, target and member imports."""

from __future__ import annotations

import csv
import io

import pytest

from accounts.membership import MSG_IMPORT_UNIT_OUT_OF_SCOPE, members_import
from accounts.tenancy import OFFICER_ROLES, UNIT_ADMIN_ROLES, scope_for
from core.tabular import numbered
from federation.services import MSG_IMPORT_CODE_EXISTS, MSG_IMPORT_NO_PARENT, units_import
from initiatives import importing
from initiatives.importing import RowSource, import_initiatives
from initiatives.models import Initiative
from rankings.services import MSG_IMPORT_UNKNOWN_UNIT, targets_import
from tests.factories import decree_columns
from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db

OTHER_PROVINCE_WORDS = ("Hà Nội", "Canon", "LDLD01 ", "tỉnh khác", "đơn vị khác", "đã được dùng")


def row(n: int, unit_code: str, external_id: str) -> dict:
    return {
        "external_id": external_id,
        "title": f"Sáng kiến {n}",
        "content": "Thay băng tải thủ công.",
        "author_name": "Nguyễn Văn Tâm",
        "unit_code": unit_code,
        "participant_group": "enterprise",
        **decree_columns(),
    }


def csv_source(records: list[dict]) -> RowSource:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    return RowSource(io.BytesIO(buffer.getvalue().encode()), "sang-kien.csv")


def errors_by_row(report) -> dict[int, tuple[str, str]]:
    return {e.row: (e.field, e.message) for e in report.errors}


def anonymised(message: str, name: str) -> str:
    return message.replace(name, "«mã»")


@pytest.fixture
def hanoi_initiative(country, personas):
    initiative = make_initiative(
        unit=country.grassroots_b, entered_by=personas.worker_b, state="checking"
    )
    Initiative.objects.filter(pk=initiative.pk).update(external_id="HN-2025-0001")
    return initiative


def test_an_external_id_of_another_province_is_refused_like_any_unusable_id(
    country, personas, hanoi_initiative, monkeypatch
):
    scope = scope_for(personas.officer_a, OFFICER_ROLES)
    own = country.grassroots_a.code
    report = import_initiatives(
        source=csv_source([row(1, own, "HN-2025-0001"), row(2, own, "CT-2025-0002")]),
        actor=personas.officer_a,
        scope=scope,
        all_or_nothing=False,
        check=False,
    )
    refused = errors_by_row(report)[2]
    assert refused == (
        "external_id",
        importing.MSG_EXTERNAL_ID_REFUSED.format(external_id="HN-2025-0001"),
    )
    assert report.created == 1
    hanoi_initiative.refresh_from_db()
    assert hanoi_initiative.unit == country.grassroots_b and hanoi_initiative.title != "Sáng kiến 1"

    # An id taken by someone else between the check and the write (the unique index
    # refuses it): the officer reads the very same words.
    taken = make_initiative(unit=country.grassroots_b, entered_by=personas.worker_b, state="draft")
    monkeypatch.setattr(importing._Lookups, "existing", staticmethod(lambda ids: {}))
    Initiative.objects.filter(pk=taken.pk).update(external_id="CT-2025-0009")
    report = import_initiatives(
        source=csv_source([row(3, own, "CT-2025-0009")]),
        actor=personas.officer_a,
        scope=scope,
        all_or_nothing=False,
        check=False,
    )
    raced = errors_by_row(report)[2]
    assert raced[0] == "external_id"
    assert anonymised(raced[1], "CT-2025-0009") == anonymised(refused[1], "HN-2025-0001")
    for words in OTHER_PROVINCE_WORDS:
        assert words not in refused[1]


def test_a_unit_code_of_another_province_reads_as_one_that_does_not_exist(country, personas):
    report = import_initiatives(
        source=csv_source(
            [row(1, country.grassroots_b.code, "X-1"), row(2, "KHONG-TON-TAI", "X-2")]
        ),
        actor=personas.officer_a,
        scope=scope_for(personas.officer_a, OFFICER_ROLES),
        all_or_nothing=False,
        check=False,
    )
    errors = errors_by_row(report)
    assert errors[2][0] == errors[3][0] == "unit_code"
    assert anonymised(errors[2][1], country.grassroots_b.code) == anonymised(
        errors[3][1], "KHONG-TON-TAI"
    )
    assert not Initiative.objects.exists()


def test_unit_import_names_no_code_of_another_province(country, personas):
    base = {"name": "Công đoàn mới", "kind": "grassroots", "members": "10"}
    report = units_import(
        rows=numbered(
            [
                # codes already used: one of province B, one of the officer's own province
                {**base, "code": country.grassroots_b.code, "parent_code": country.upper_a.code},
                {**base, "code": country.grassroots_a.code, "parent_code": country.upper_a.code},
                # parents: one of province B, one that does not exist
                {**base, "code": "MOI-1", "parent_code": country.province_b.code},
                {**base, "code": "MOI-2", "parent_code": "KHONG-TON-TAI"},
            ]
        ),
        scope=scope_for(personas.officer_a, UNIT_ADMIN_ROLES),
        actor=personas.officer_a,
        all_or_nothing=False,
    )
    by_row = {(e.row, e.field): e.message for e in report.errors}
    assert by_row[2, "code"] == MSG_IMPORT_CODE_EXISTS.format(code=country.grassroots_b.code)
    assert anonymised(by_row[2, "code"], country.grassroots_b.code) == anonymised(
        by_row[3, "code"], country.grassroots_a.code
    )
    assert by_row[4, "parent_code"] == MSG_IMPORT_NO_PARENT.format(code=country.province_b.code)
    assert anonymised(by_row[4, "parent_code"], country.province_b.code) == anonymised(
        by_row[5, "parent_code"], "KHONG-TON-TAI"
    )
    assert report.created == 0


def test_target_and_member_imports_name_no_unit_of_another_province(country, personas):
    report = targets_import(
        scope=scope_for(personas.officer_a),
        actor=personas.officer_a,
        rows=numbered(
            {"ma_don_vi": code, "tu_ngay": "01/01/2025", "den_ngay": "31/12/2025", "chi_tieu": 5}
            for code in (country.grassroots_b.code, "KHONG-TON-TAI")
        ),
    )
    first, second = (e.message for e in report.errors)
    assert first == MSG_IMPORT_UNKNOWN_UNIT.format(code=country.grassroots_b.code)
    assert anonymised(first, country.grassroots_b.code) == anonymised(second, "KHONG-TON-TAI")

    members = members_import(
        viewer=personas.officer_a,
        rows=numbered(
            {"full_name": "Ngoài Tỉnh", "phone": "0901111555", "unit_code": code}
            for code in (country.grassroots_b.code, "KHONG-TON-TAI")
        ),
        default_unit=country.grassroots_a,
    )
    first, second = (e.message for e in members.errors)
    assert first == MSG_IMPORT_UNIT_OUT_OF_SCOPE.format(code=country.grassroots_b.code)
    assert anonymised(first, country.grassroots_b.code) == anonymised(second, "KHONG-TON-TAI")
