"""`manage.py import_initiatives`: JSONL/CSV/XLSX from the command line."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Initiative, InitiativeEvent, Status
from tests.factories import decree_columns

pytestmark = pytest.mark.django_db


def record(n: int, unit_code: str, **overrides) -> dict:
    values = {
        "external_id": f"ARCH-{n}",
        "title": f"Sáng kiến lưu trữ {n}",
        "content": f"Nội dung sáng kiến lưu trữ số {n}, giảm hao hụt nguyên liệu.",
        "author_name": "Trần Văn Lưu",
        "author_id": f"P-{n % 3}",
        "unit_code": unit_code,
        "submitted_at": "2024-06-01",
        **decree_columns(),
    }
    values.update(overrides)
    return values


@pytest.fixture
def archive(tmp_path):
    def write(records: list, name: str = "archive.jsonl"):
        path = tmp_path / name
        path.write_text(
            "\n".join(
                r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records
            )
            + "\n",
            encoding="utf-8",
        )
        return str(path)

    return write


def run(*args) -> str:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_initiatives", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_jsonl_import_then_reimport_updates(country, personas, archive):
    path = archive([record(n, country.grassroots_a.code) for n in range(25)])
    output = run(path, "--user", personas.admin.email, "--chunk-size", "10")
    assert "tạo 25" in output
    assert Initiative.objects.filter(status=Status.CHECKING).count() == 25
    assert InitiativeEvent.objects.filter(transition="submit").count() == 25
    assert set(Initiative.objects.values_list("participant_group", flat=True)) == {"enterprise"}

    changed = [record(n, country.grassroots_a.code, title=f"Đã sửa {n}") for n in range(3)]
    output = run(archive(changed, "again.jsonl"), "--user", personas.admin.email)
    assert "cập nhật 3" in output
    assert Initiative.objects.count() == 25
    assert Initiative.objects.get(external_id="ARCH-1").title == "Đã sửa 1"


def test_no_check_leaves_them_in_checking_without_enqueueing(
    country, personas, archive, monkeypatch, django_capture_on_commit_callbacks
):
    from initiatives import services

    enqueued = []
    monkeypatch.setattr(services, "enqueue_similarity_check", enqueued.append)
    path = archive([record(n, country.grassroots_a.code) for n in range(4)])
    with django_capture_on_commit_callbacks(execute=True):
        run(path, "--user", personas.admin.email, "--no-check")
    assert enqueued == []
    assert Initiative.objects.filter(status=Status.CHECKING).count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        run(
            archive([record(9, country.grassroots_a.code)], "b.jsonl"),
            "--user",
            personas.admin.email,
        )
    assert enqueued == [Initiative.objects.get(external_id="ARCH-9").pk]


def test_unit_code_bounds_the_rows_and_fills_missing_codes(country, personas, archive):
    path = archive(
        [
            record(1, ""),
            record(2, country.grassroots_b.code),
            record(3, country.grassroots_a2.code),
        ]
    )
    output = run(path, "--user", personas.admin.email, "--unit-code", country.grassroots_a.code)
    assert "dòng 2 [unit_code]" in output and "dòng 3 [unit_code]" in output
    assert list(Initiative.objects.values_list("external_id", "unit__code")) == [
        ("ARCH-1", country.grassroots_a.code)
    ]


def test_all_or_nothing_fails_and_writes_nothing(country, personas, archive):
    path = archive([record(1, country.grassroots_a.code), "not json"])
    with pytest.raises(CommandError, match="Không ghi gì"):
        run(path, "--user", personas.admin.email, "--all-or-nothing")
    assert not Initiative.objects.exists()


def test_one_by_one_goes_through_the_services(country, personas, archive):
    path = archive([record(n, country.grassroots_a.code) for n in range(3)])
    run(path, "--user", personas.admin.email, "--one-by-one")
    initiative = Initiative.objects.get(external_id="ARCH-0")
    assert initiative.status == Status.CHECKING
    assert initiative.history.count() >= 2  # saved as a draft, then moved by each transition


def test_errors_csv_and_unknown_user(country, personas, archive, tmp_path):
    path = archive([record(1, "KHONG-CO")])
    report = tmp_path / "errors.csv"
    run(path, "--user", personas.admin.email, "--errors-csv", str(report))
    assert "KHONG-CO" in report.read_text(encoding="utf-8")
    with pytest.raises(CommandError):
        run(path, "--user", "nobody@example.vn")
