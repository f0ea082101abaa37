"""Finding: a NUL byte in row 510 of 520 left 500 rows written under an all-or-nothing
import. All-or-nothing now holds whatever the failing row and whatever fails in it: a
cell the reader refuses, a value validation refuses, or a row the database itself
refuses while the others are being written; the report names the row."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import DataError

from accounts.tenancy import OFFICER_ROLES, scope_for
from core.tabular import MSG_CONTROL_CHARACTERS
from initiatives import importing
from initiatives.importing import RowSource, import_initiatives
from initiatives.models import Initiative
from tests.factories import decree_columns

pytestmark = pytest.mark.django_db

BAD_ROW = 510  # the spreadsheet row (header is row 1)


def rows(unit_code: str, count: int) -> list[dict]:
    return [
        {
            "external_id": f"AON-{n:04d}",
            "title": f"Sáng kiến {n}",
            "content": f"Thay băng tải ở tổ {n}.",
            "author_name": "Nguyễn Văn Tâm",
            "unit_code": unit_code,
            "participant_group": "enterprise",
            "submitted_at": "20/05/2025",
            **decree_columns(),
        }
        for n in range(count)
    ]


def csv_source(records: list[dict]) -> RowSource:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    return RowSource(io.BytesIO(buffer.getvalue().encode()), "sang-kien.csv")


def jsonl_source(records: list[dict]) -> RowSource:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return RowSource(io.BytesIO(text.encode()), "sang-kien.jsonl")


def run(source, personas, *, all_or_nothing=True, **kwargs):
    return import_initiatives(
        source=source,
        actor=personas.officer_a,
        scope=scope_for(personas.officer_a, OFFICER_ROLES),
        all_or_nothing=all_or_nothing,
        check=False,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("title", "Băng\x00tải", ("", importing.MSG_CONTROL_CHARACTERS.format(column="title"))),
        ("first_applied_on", "31/02/2024", ("first_applied_on", None)),
        ("first_applied_on", "01/01/0001", ("first_applied_on", None)),
    ],
)
def test_one_bad_row_510_of_1000_leaves_nothing_and_is_reported(
    country, personas, column, value, expected
):
    records = rows(country.grassroots_a.code, 1000)
    records[BAD_ROW - 2][column] = value
    report = run(csv_source(records), personas)
    assert report.total == 1000 and report.bad_row_count == 1
    assert [(e.row, e.field) for e in report.errors] == [(BAD_ROW, expected[0])]
    if expected[1]:
        assert report.errors[0].message == expected[1]
    assert report.created == 0 and not Initiative.objects.exists()


def test_a_nul_escaped_in_json_at_line_510_is_caught_too(country, personas):
    records = rows(country.grassroots_a.code, 1000)
    records[BAD_ROW - 1]["author_name"] = "Nguyễn\u0000Tâm"  # line 510 of the JSONL file
    report = run(jsonl_source(records), personas)
    assert [e.row for e in report.errors] == [BAD_ROW]
    assert not Initiative.objects.exists()


def fail_at(row_number: int, monkeypatch) -> None:
    """The database refuses one row while it is written (after validation passed)."""
    from initiatives.importing import writing

    original = writing._write_with_services

    def refusing(row, **kwargs):
        if row.row == row_number:
            raise DataError('invalid byte sequence for encoding "UTF8": 0x00')
        return original(row, **kwargs)

    monkeypatch.setattr(writing, "_write_with_services", refusing)


def test_a_row_the_database_refuses_mid_write_rolls_back_every_row(country, personas, monkeypatch):
    records = rows(country.grassroots_a.code, 30)
    fail_at(25, monkeypatch)
    checkpoints = []
    report = run(csv_source(records), personas, chunk_size=10, on_checkpoint=checkpoints.append)
    assert [(e.row, e.field, e.message) for e in report.errors] == [
        (25, "", importing.MSG_ROW_NOT_WRITTEN)
    ]
    assert (report.created, report.bad_row_count) == (0, 1)
    assert not Initiative.objects.exists()  # 23 rows were written, then rolled back
    assert checkpoints == []  # nothing was committed, so no checkpoint either


def test_in_valid_rows_mode_the_refused_row_is_reported_and_the_others_kept(
    country, personas, monkeypatch
):
    records = rows(country.grassroots_a.code, 30)
    fail_at(25, monkeypatch)
    checkpoints = []
    report = run(
        csv_source(records),
        personas,
        all_or_nothing=False,
        chunk_size=10,
        on_checkpoint=checkpoints.append,
    )
    assert [(e.row, e.message) for e in report.errors] == [(25, importing.MSG_ROW_NOT_WRITTEN)]
    assert report.created == 29 and Initiative.objects.count() == 29
    assert [c["done"] for c in checkpoints] == [10, 20, 30]
    assert [c["row"] for c in checkpoints] == [11, 21, 31]


def test_a_resumed_import_goes_on_after_its_checkpoint(country, personas):
    """What a worker that takes over does: rows up to the checkpoint are not read again,
    the report goes on counting, and an id repeated after the checkpoint is still caught."""
    records = rows(country.grassroots_a.code, 30)
    records[27]["external_id"] = records[3]["external_id"]  # row 29 repeats row 5's id
    checkpoints = []
    first = run(
        csv_source(records[:12]),
        personas,
        all_or_nothing=False,
        chunk_size=10,
        on_checkpoint=checkpoints.append,
    )
    assert first.created == 12 and checkpoints[0]["done"] == 10
    # The run is killed after its first checkpoint: rows 12 and 13 are rolled back.
    Initiative.objects.filter(external_id__in=["AON-0010", "AON-0011"]).delete()
    report = run(
        csv_source(records),
        personas,
        all_or_nothing=False,
        chunk_size=10,
        resume=checkpoints[0],
    )
    assert report.total == 30
    assert (report.created, report.updated, report.bad_row_count) == (29, 0, 1)
    assert [(e.row, e.field) for e in report.errors] == [(29, "external_id")]
    assert report.errors[0].message == importing.MSG_DUPLICATE_IN_FILE.format(
        external_id="AON-0003", row=5
    )
    assert Initiative.objects.count() == 29


def test_the_reader_refuses_a_nul_in_unit_and_member_tables(country, personas):
    from accounts.membership import member_table
    from federation.models import OrgUnit
    from federation.services import unit_table, units_import

    text = "code,name\n" + "A,Tên\n" * 508 + "B,Tê\x00n\n" + "C,Tên\n" * 10
    refused = MSG_CONTROL_CHARACTERS.format(column="name")
    for table in (unit_table, member_table):
        bad = [(n, e) for n, _cells, e in table(io.BytesIO(text.encode()), "bang.csv") if e]
        assert bad == [(BAD_ROW, refused)]
    report = units_import(
        rows=unit_table(io.BytesIO(text.encode()), "don-vi.csv"),
        scope=scope_for(personas.admin),
    )
    assert (BAD_ROW, "", refused) in [(e.row, e.field, e.message) for e in report.errors]
    assert report.created == 0 and not OrgUnit.objects.filter(code="C").exists()
