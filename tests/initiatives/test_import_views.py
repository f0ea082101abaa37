"""The officer's import page, the template download and the background job with progress."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from core.models import Job
from initiatives import importing
from initiatives.models import Initiative, Status
from initiatives.tasks import IMPORT_JOB_KIND, run_initiative_import
from tests.factories import decree_columns

pytestmark = pytest.mark.django_db


def workbook_bytes(rows: list[dict]) -> bytes:
    columns = list(importing.TEMPLATE_COLUMNS)
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for values in rows:
        sheet.append([values.get(c, "") for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good(n: int, unit_code: str, **overrides) -> dict:
    values = {
        "external_id": f"W-{n}",
        "title": f"Sáng kiến {n}",
        "content": f"Nội dung {n}",
        "author_name": "Đỗ Thị Mai",
        "unit_code": unit_code,
        "participant_group": "enterprise",
        **decree_columns(),
    }
    values.update(overrides)
    return values


def upload(client, content: bytes, mode: str = "valid", name: str = "sang-kien.xlsx"):
    return client.post(
        "/sang-kien/nhap/", {"file": SimpleUploadedFile(name, content), "mode": mode}
    )


def upload_and_run(client, capture, content: bytes, mode: str = "valid") -> Job:
    """Upload, then let the job run as the worker would (in-process here) once committed."""
    with capture(execute=True):
        response = upload(client, content, mode)
    job = Job.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"/sang-kien/nhap/tac-vu/{job.pk}/"
    job.refresh_from_db()
    return job


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_even_a_two_row_file_runs_as_a_job_and_the_page_shows_its_report(
    country, personas, client_for, django_capture_on_commit_callbacks, media
):
    client = client_for(personas.officer_a)
    content = workbook_bytes(
        [good(1, country.grassroots_a.code), good(2, country.grassroots_a.code, title="")]
    )
    job = upload_and_run(client, django_capture_on_commit_callbacks, content)
    assert job.state == Job.State.DONE and job.kind == IMPORT_JOB_KIND
    assert (job.result["created"], job.result["errors"]) == (
        1,
        [[3, "title", importing.MSG_REQUIRED.format(column="Tên sáng kiến")]],
    )
    html = client.get(f"/sang-kien/nhap/tac-vu/{job.pk}/").content.decode()
    assert 'data-row="3"' in html and importing.MSG_REQUIRED.format(column="Tên sáng kiến") in html
    # The report names the column as its header reads, not by our internal name.
    assert "<td>Tên sáng kiến</td>" in html and ">title<" not in html
    # Handed in, and its similarity check ran after the import's commit.
    assert Initiative.objects.get().status == Status.VALID


def test_all_or_nothing_from_the_page_writes_nothing(
    country, personas, client_for, django_capture_on_commit_callbacks, media
):
    client = client_for(personas.officer_a)
    content = workbook_bytes([good(1, country.grassroots_a.code), good(2, "KHONG-CO")])
    job = upload_and_run(client, django_capture_on_commit_callbacks, content, mode="all")
    assert "Chưa nhập dòng nào" in client.get(f"/sang-kien/nhap/tac-vu/{job.pk}/").content.decode()
    assert not Initiative.objects.exists()


def test_a_renamed_program_is_refused_with_a_message(personas, client_for):
    response = upload(client_for(personas.officer_a), b"MZ\x90\x00", name="sang-kien.exe")
    assert importing.MSG_UNSUPPORTED_FORMAT in response.content.decode()
    assert not Job.objects.exists()


def test_template_download_has_columns_and_an_example_in_the_officers_scope(
    country, personas, client_for
):
    response = client_for(personas.officer_a).get("/sang-kien/nhap/mau.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        importing.column_header(c) for c in importing.TEMPLATE_COLUMNS
    ]
    example = dict(zip(importing.TEMPLATE_COLUMNS, [c.value for c in sheet[2]], strict=True))
    assert example["unit_code"] in {country.grassroots_a.code, country.grassroots_a2.code}


def test_the_job_waits_queued_then_reports_per_row(
    country, personas, client_for, django_capture_on_commit_callbacks, media
):
    client = client_for(personas.officer_a)
    rows = [good(n, country.grassroots_a.code) for n in range(4)] + [good(9, "KHONG-CO")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, workbook_bytes(rows))
    job = Job.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/sang-kien/nhap/tac-vu/{job.pk}/"
    )
    assert (job.kind, job.owner, job.state) == (IMPORT_JOB_KIND, personas.officer_a, "queued")
    waiting = client.get(f"/sang-kien/nhap/tac-vu/{job.pk}/tien-do/").content.decode()
    assert 'hx-trigger="every 1s"' in waiting

    assert len(callbacks) == 1
    callbacks[0]()  # hands the job to Celery (eager in tests)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 1
    assert (job.done, job.total) == (5, 5)
    assert job.result["created"] == 4 and job.result["bad_row_count"] == 1
    assert job.result["errors"][0][:2] == [6, "unit_code"]
    done_page = client.get(f"/sang-kien/nhap/tac-vu/{job.pk}/tien-do/").content.decode()
    assert "hx-trigger" not in done_page and 'data-row="6"' in done_page
    # Someone else's job is not found, even by another officer.
    assert client_for(personas.admin).get(f"/sang-kien/nhap/tac-vu/{job.pk}/").status_code == 404
    assert client_for(personas.admin).get(f"/tac-vu-nhap/{job.pk}/").status_code == 404


def test_progress_is_written_by_time_not_by_chunk(country, personas, settings, media, monkeypatch):
    """Progress goes out when JOB_PROGRESS_SECONDS have passed, whatever the chunk size:
    with a clock that moves 1 s a row, every row's progress is written."""
    from django.core.files.base import ContentFile

    from core import jobs

    settings.IMPORT_CHECKPOINT_ROWS = 500
    settings.JOB_PROGRESS_SECONDS = 1.0
    job = Job(kind=IMPORT_JOB_KIND, owner=personas.officer_a, options={"all_or_nothing": False})
    job.input_file.save(
        "a.xlsx",
        ContentFile(workbook_bytes([good(n, country.grassroots_a.code) for n in range(5)])),
    )
    clock = iter(range(0, 10_000))
    monkeypatch.setattr(jobs.time, "monotonic", lambda: float(next(clock)))
    observed = []
    original = jobs.JobRun._write

    def watching(self, done, phase):
        original(self, done, phase)
        observed.append(Job.objects.values_list("phase", "done", "total").get(pk=job.pk))

    monkeypatch.setattr(jobs.JobRun, "_write", watching)
    run_initiative_import(job.pk)
    written = [done for phase, done, _total in observed if phase == "write"]
    assert list(dict.fromkeys(written)) == [1, 2, 3, 4, 5]
    assert all(total == 5 for _phase, _done, total in observed)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["created"] == 5
    assert job.checkpoint["done"] == 5


def test_the_page_is_for_officers_only(personas, client_for):
    assert client_for(personas.reviewer_a).get("/sang-kien/nhap/").status_code == 404
    assert client_for(personas.worker_a).get("/sang-kien/nhap/mau.xlsx").status_code == 404
    page = client_for(personas.officer_a).get("/sang-kien/nhap/").content.decode()
    assert 'href="/sang-kien/nhap/"' in page  # the menu link, shown to officers
    assert 'href="/sang-kien/nhap/"' not in client_for(personas.leader).get("/").content.decode()


def test_export_choices_leave_out_the_many_grassroots_unions(country, personas, client_for):
    page = client_for(personas.officer_a).get("/sang-kien/nhap/")
    codes = [code for code, _label in page.context["export_form"].fields["unit"].choices]
    assert codes == [country.province_a.code, country.upper_a.code]
    page = client_for(personas.grassroots_officer_a).get("/sang-kien/nhap/")
    codes = [code for code, _label in page.context["export_form"].fields["unit"].choices]
    assert codes == [country.grassroots_a.code]
