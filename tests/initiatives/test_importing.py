"""The import service: reading three formats, per-row errors, both modes, updates."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.tenancy import OFFICER_ROLES, scope_for
from initiatives import importing
from initiatives.importing import RowSource, import_initiatives
from initiatives.models import Field, Initiative, InitiativeEvent, Status
from tests.factories import decree_columns, decree_field

pytestmark = pytest.mark.django_db


def row(n: int, unit_code: str, **overrides) -> dict:
    values = {
        "external_id": f"SK-{n:05d}",
        "title": f"Sáng kiến cải tiến số {n}",
        "content": f"Mô tả bản chất của sáng kiến số {n}: thay bơm, giảm điện năng.",
        "author_name": "Nguyễn Văn Tâm",
        "author_id": "NV001",
        "unit_code": unit_code,
        "submitted_at": "15/03/2025",
        "participant_group": "enterprise",
        **decree_columns(),
    }
    values.update(overrides)
    return values


def xlsx(rows: list[dict]) -> RowSource:
    columns = list(importing.TEMPLATE_COLUMNS)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for values in rows:
        sheet.append([values.get(c, "") for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return RowSource(buffer, "sang-kien.xlsx")


def csv_source(text: str) -> RowSource:
    return RowSource(io.BytesIO(text.encode("utf-8")), "sang-kien.csv")


def jsonl(records: list) -> RowSource:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    return RowSource(io.BytesIO("\n".join(lines).encode()), "archive.jsonl")


@pytest.fixture
def officer_import(personas):
    def run(source, **options):
        options.setdefault("all_or_nothing", False)
        return import_initiatives(
            source=source,
            actor=personas.officer_a,
            scope=scope_for(personas.officer_a, OFFICER_ROLES),
            **options,
        )

    return run


def test_valid_xlsx_rows_become_submitted_initiatives_in_checking(
    country, personas, officer_import
):
    Field.objects.create(code="co-khi", name="Cơ khí")
    report = officer_import(
        xlsx(
            [
                row(1, country.grassroots_a.code, field="Cơ khí", benefit_vnd="1.500.000"),
                row(
                    2,
                    country.grassroots_a2.code,
                    author_name="Lê Văn A; Trần Thị B",
                    author_percent="70; 30",
                    field="co-khi",
                ),
            ]
        )
    )
    assert report.errors == []
    assert (report.total, report.created, report.updated) == (2, 2, 0)
    first = Initiative.objects.get(external_id="SK-00001")
    assert first.status == Status.CHECKING
    assert first.description.startswith("Mô tả bản chất")
    assert first.field.code == "co-khi"
    assert first.benefit_vnd == Decimal(1_500_000)
    assert first.entered_by == personas.officer_a
    assert first.top_unit == country.province_a
    assert timezone.localtime(first.submitted_at).date() == dt.date(2025, 3, 15)
    assert first.authors.get().external_person_id == "NV001"
    second = Initiative.objects.get(external_id="SK-00002")
    assert [(a.full_name, a.contribution_percent) for a in second.authors.all()] == [
        ("Lê Văn A", Decimal(70)),
        ("Trần Thị B", Decimal(30)),
    ]
    transitions = list(
        InitiativeEvent.objects.filter(initiative=first).values_list("transition", flat=True)
    )
    assert transitions[:2] == ["submit", "start_check"]


def test_every_bad_row_is_reported_with_row_column_and_reason(country, officer_import):
    rows = [
        row(1, country.grassroots_a.code),
        row(2, country.grassroots_a.code, title=""),
        row(3, "KHONG-CO"),
        row(4, country.grassroots_b.code),  # another province
        row(5, country.grassroots_a.code, author_percent="60; 30", author_name="A; B"),
        row(6, country.grassroots_a.code, submitted_at="31/02/2025"),
        row(7, country.grassroots_a.code, participant_group="nông dân"),
        row(8, country.grassroots_a.code, benefit_vnd="-5"),
        row(9, country.upper_a.code),  # not a grassroots union
        row(1, country.grassroots_a.code),  # same external id as the first row
    ]
    report = officer_import(xlsx(rows))
    found = {(e.row, e.field) for e in report.errors}
    assert found == {
        (3, "title"),
        (4, "unit_code"),
        (5, "unit_code"),
        (6, "author_percent"),
        (7, "submitted_at"),
        (8, "participant_group"),
        (9, "benefit_vnd"),
        (10, "unit_code"),
        (11, "external_id"),
    }
    messages = {e.row: e.message for e in report.errors}
    assert messages[3] == importing.MSG_REQUIRED.format(column="Tên sáng kiến")
    assert messages[4] == importing.MSG_UNIT_UNKNOWN.format(code="KHONG-CO")
    # Out of scope reads exactly like unknown: no hint that the code exists elsewhere.
    assert messages[5] == importing.MSG_UNIT_UNKNOWN.format(code=country.grassroots_b.code)
    assert "90" in messages[6] and "100%" in messages[6]
    assert messages[7] == importing.MSG_BAD_DATE.format(value="31/02/2025")
    assert messages[10] == importing.MSG_UNIT_NOT_IMPORTABLE
    assert messages[11] == importing.MSG_DUPLICATE_IN_FILE.format(external_id="SK-00001", row=2)
    assert report.created == 1
    assert Initiative.objects.count() == 1


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(country, officer_import):
    rows = [row(n, country.grassroots_a.code) for n in range(1, 6)]
    rows[3]["author_name"] = ""
    report = officer_import(xlsx(rows), all_or_nothing=True)
    assert [(e.row, e.field) for e in report.errors] == [(5, "author_name")]
    assert report.created == 0
    assert Initiative.objects.count() == 0


def test_all_or_nothing_writes_everything_when_all_rows_are_good(country, officer_import):
    report = officer_import(
        xlsx([row(n, country.grassroots_a.code) for n in range(1, 6)]), all_or_nothing=True
    )
    assert report.errors == [] and report.created == 5
    assert Initiative.objects.filter(status=Status.CHECKING).count() == 5


def test_reimporting_the_same_external_id_updates_and_never_duplicates(country, officer_import):
    officer_import(xlsx([row(1, country.grassroots_a.code)]))
    report = officer_import(
        xlsx([row(1, country.grassroots_a.code, title="Tên đã sửa", author_name="Phạm Thị C")])
    )
    assert (report.created, report.updated) == (0, 1)
    initiative = Initiative.objects.get()
    assert initiative.title == "Tên đã sửa"
    assert initiative.status == Status.CHECKING  # the workflow state is kept
    assert [a.full_name for a in initiative.authors.all()] == ["Phạm Thị C"]
    assert "ten da sua" in initiative.search_text


def test_reimport_of_a_returned_initiative_resubmits_it(country, personas, officer_import):
    from initiatives import services

    officer_import(xlsx([row(1, country.grassroots_a.code)]))
    initiative = Initiative.objects.get()
    services.initiative_record_check(
        initiative=initiative, flagged=True, copied_share=0.5, source_count=1
    )
    services.initiative_decide(
        initiative=initiative, reviewer=personas.reviewer_a, decision="return", reason="Bổ sung"
    )
    report = officer_import(xlsx([row(1, country.grassroots_a.code, content="Mô tả đầy đủ hơn")]))
    assert report.updated == 1
    initiative.refresh_from_db()
    assert initiative.status == Status.CHECKING
    assert initiative.description == "Mô tả đầy đủ hơn"
    assert initiative.events.filter(transition="resubmit").exists()


def test_an_external_id_of_another_province_is_neither_updated_nor_revealed(
    country, personas, officer_import
):
    import_initiatives(
        source=xlsx([row(1, country.grassroots_b.code)]),
        actor=personas.admin,
        scope=scope_for(personas.admin, OFFICER_ROLES),
        all_or_nothing=True,
    )
    report = officer_import(xlsx([row(1, country.grassroots_a.code, title="Chiếm mã")]))
    assert [(e.row, e.field) for e in report.errors] == [(2, "external_id")]
    assert Initiative.objects.get().title != "Chiếm mã"


def test_csv_rows_keep_spreadsheet_numbers_across_blank_lines(country, officer_import):
    code = country.grassroots_a.code
    decree = decree_columns()
    extra = ",".join(decree)
    cells = ",".join(str(v) for v in decree.values())
    text = (
        f"title,content,author_name,unit_code,participant_group,{extra}\n"
        f"Một,Nội dung một,Nguyễn A,{code},enterprise,{cells}\n"
        ",,,,\n"
        f"Hai,,Nguyễn B,{code},enterprise,{cells}\n"
    )
    report = officer_import(csv_source(text))
    assert [(e.row, e.field) for e in report.errors] == [(4, "content")]
    assert report.total == 2 and report.created == 1


def test_csv_saved_by_excel_with_semicolons(country, officer_import):
    code = country.grassroots_a.code
    decree = decree_columns()
    extra = ";".join(decree)
    cells = ";".join(str(v) for v in decree.values())
    text = (
        f"title;content;author_name;unit_code;participant_group;benefit_vnd;{extra}\n"
        f"Một;Nội dung, có dấu phẩy;Nguyễn A;{code};enterprise;1.500.000;{cells}\n"
    )
    report = officer_import(csv_source(text))
    assert report.errors == []
    initiative = Initiative.objects.get()
    assert (initiative.description, initiative.benefit_vnd) == ("Nội dung, có dấu phẩy", 1_500_000)


def test_jsonl_reads_the_archive_keys_and_reports_broken_lines(country, officer_import):
    report = officer_import(
        jsonl(
            [
                {
                    "external_id": "A-1",
                    "title": "Máy bóc vỏ tôm",
                    "content": "Thiết kế máy bóc vỏ tôm bán tự động.",
                    "author_name": "Võ Văn Hùng",
                    "author_id": "P-77",
                    "unit_code": country.grassroots_a.code,
                    "submitted_at": "2024-05-02T09:30:00+07:00",
                    "participant_group": "projects",
                    "award": "Giải ba",
                    **decree_columns(),
                },
                "{không phải json",
            ]
        )
    )
    assert [(e.row, e.message) for e in report.errors] == [(2, importing.MSG_BAD_JSON)]
    initiative = Initiative.objects.get(external_id="A-1")
    assert initiative.award == "Giải ba"
    assert initiative.submitted_at == dt.datetime(2024, 5, 2, 2, 30, tzinfo=dt.UTC)
    assert initiative.authors.get().external_person_id == "P-77"


def test_default_unit_and_group_fill_rows_that_leave_them_out(country, officer_import):
    record = row(1, "")
    del record["participant_group"]
    report = officer_import(
        jsonl([record]),
        default_unit_code=country.grassroots_a.code,
        default_participant_group="officials",
    )
    assert report.errors == []
    initiative = Initiative.objects.get()
    assert (initiative.unit, initiative.participant_group) == (country.grassroots_a, "officials")


def test_bulk_writes_the_same_result_as_the_services(country, personas, officer_import):
    officer_import(xlsx([row(1, country.grassroots_a.code)]))
    report = officer_import(xlsx([row(2, country.grassroots_a.code)]), bulk=True, check=False)
    assert report.created == 1
    by_services = Initiative.objects.get(external_id="SK-00001")
    by_bulk = Initiative.objects.get(external_id="SK-00002")
    for name in ("status", "top_unit", "unit", "entered_by", "participant_group", "submitted_at"):
        assert getattr(by_bulk, name) == getattr(by_services, name), name
    assert by_bulk.search_text.replace("2", "1") == by_services.search_text
    assert list(by_bulk.events.values_list("transition", "from_status", "to_status")) == list(
        by_services.events.values_list("transition", "from_status", "to_status")
    )
    assert by_bulk.events.get(transition="submit").actor == personas.officer_a
    assert by_bulk.history.count() == 1
    assert by_bulk.authors.get().contribution_percent == Decimal(100)


def test_bulk_import_keeps_the_ranking_counters_exact(country, officer_import):
    from rankings.models import TalliedInitiative

    officer_import(xlsx([row(1, country.grassroots_a.code)]))
    officer_import(xlsx([row(n, country.grassroots_a.code) for n in (2, 3)]), bulk=True)
    counted = set(TalliedInitiative.objects.values_list("initiative_id", flat=True))
    assert counted == set(Initiative.objects.values_list("pk", flat=True))


def test_bulk_mode_updates_existing_external_ids_like_the_services(
    country, personas, officer_import, django_capture_on_commit_callbacks, monkeypatch
):
    from initiatives import services

    enqueued = []
    monkeypatch.setattr(services, "enqueue_similarity_check", enqueued.append)
    officer_import(xlsx([row(n, country.grassroots_a.code) for n in (1, 2, 3)]), bulk=True)
    returned = Initiative.objects.get(external_id="SK-00003")
    services.initiative_record_check(
        initiative=returned, flagged=True, copied_share=0.5, source_count=1
    )
    services.initiative_decide(
        initiative=returned, reviewer=personas.reviewer_a, decision="return", reason="Sửa"
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = officer_import(
            xlsx(
                [
                    row(1, country.grassroots_a.code, title="Sửa", author_name="Mai; Lan"),
                    row(2, country.grassroots_a.code),  # unchanged
                    row(3, country.grassroots_a.code, content="Đã bổ sung"),
                    row(4, country.grassroots_a.code),
                ]
            ),
            bulk=True,
        )
    assert (report.created, report.updated, report.unchanged) == (1, 2, 1)
    assert Initiative.objects.count() == 4
    first = Initiative.objects.get(external_id="SK-00001")
    assert (first.title, first.status) == ("Sửa", Status.CHECKING)
    assert [a.full_name for a in first.authors.all()] == ["Mai", "Lan"]
    assert "sua" in first.search_text.split()
    assert first.history.first().history_type == "~"
    third = Initiative.objects.get(external_id="SK-00003")
    assert third.status == Status.CHECKING  # returned, so resubmitted through the services
    assert third.events.filter(transition="resubmit").exists()
    fourth = Initiative.objects.get(external_id="SK-00004")
    second = Initiative.objects.get(external_id="SK-00002")
    assert first.pk in enqueued and fourth.pk in enqueued and second.pk not in enqueued
    assert second.history.count() == 1  # identical row: nothing written


def test_import_enqueues_the_similarity_check_per_initiative(
    country, officer_import, django_capture_on_commit_callbacks, monkeypatch
):
    from initiatives import services

    enqueued = []
    monkeypatch.setattr(services, "enqueue_similarity_check", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        officer_import(xlsx([row(1, country.grassroots_a.code)]))
        officer_import(xlsx([row(2, country.grassroots_a.code)]), bulk=True)
        officer_import(xlsx([row(3, country.grassroots_a.code)]), bulk=True, check=False)
    assert sorted(enqueued) == sorted(
        Initiative.objects.filter(external_id__in=["SK-00001", "SK-00002"]).values_list(
            "pk", flat=True
        )
    )


def test_unreadable_files_are_refused_as_a_whole():
    with pytest.raises(importing.ImportFileError):
        RowSource(io.BytesIO(b"MZ\x90\x00"), "virus.exe")
    with pytest.raises(importing.ImportFileError):
        RowSource(io.BytesIO(b"PK\x03\x04 not really a zip"), "bang.xlsx").count()


def test_an_empty_file_says_so(officer_import):
    report = officer_import(csv_source("title,content\n"))
    assert [e.message for e in report.errors] == [importing.MSG_NO_ROWS]


def test_template_has_the_columns_and_an_example_that_imports(country, officer_import):
    content = importing.template_workbook(
        unit_code=country.grassroots_a.code, field_name=decree_field().name
    )
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Mã ngoài", "Tên sáng kiến", "Nội dung", "Tác giả"]
    assert [importing.column_key(h) for h in header] == list(importing.TEMPLATE_COLUMNS)
    report = officer_import(RowSource(io.BytesIO(content), "mau.xlsx"))
    assert report.errors == [] and report.created == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.500.000", 1_500_000), ("2,000,000", 2_000_000), ("750000 đ", 750_000), (12.0, 12)],
)
def test_money_cells(text, expected):
    assert importing.parse_money(text) == Decimal(expected)


def test_vietnamese_english_and_unaccented_headers_all_import(country, officer_import):
    import csv
    import io

    unit = country.grassroots_a.code
    # The rest of what Decree 13 needs before handing in, under its column names.
    decree = decree_columns()
    headings = [
        ["Tên sáng kiến", "Nội dung", "Tác giả", "Mã đơn vị", "Nhóm đối tượng"],
        ["title", "content", "author_name", "unit_code", "participant_group"],
        ["TEN SANG KIEN", "noi dung", "tac gia", "ma don vi", "nhom doi tuong"],
    ]
    rows = []
    for heading, title in zip(headings, ("Máy A", "Máy B", "Máy C"), strict=True):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*heading, *decree])
        writer.writerow(
            [title, "Lắp cảm biến", "Nguyễn Văn Tâm", unit, "enterprise", *decree.values()]
        )
        rows.append(out.getvalue())
    for text in rows:
        report = officer_import(csv_source(text))
        assert report.errors == [] and report.created == 1, report.errors
        assert not report.unknown_columns
    assert set(Initiative.objects.values_list("title", flat=True)) >= {"Máy A", "Máy B", "Máy C"}
