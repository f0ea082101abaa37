"""An officer imports an XLSX of 1,000 rows with 3 bad rows: the progress bar moves while
the worker imports them, and the report names exactly those 3."""

from __future__ import annotations

import re
import time

import pytest
from openpyxl import Workbook

from initiatives.importing import (
    MSG_REQUIRED,
    MSG_UNIT_UNKNOWN,
    TEMPLATE_COLUMNS,
    column_header,
)
from initiatives.models import Initiative, Status
from tests.e2e.conftest import log_in, screenshot
from tests.factories import Role, UnitFactory, UnitKind, UserFactory, decree_columns, grant

PASSWORD = "matkhau-An-toan-123"
ROWS = 1000
# spreadsheet row number -> what is wrong with it
BAD_ROWS = {
    57: ("title", MSG_REQUIRED.format(column="Tên sáng kiến")),
    402: ("unit_code", MSG_UNIT_UNKNOWN.format(code="KHONG-TON-TAI")),
    888: ("author_percent", None),  # 70% in total: the services' own message
}


def write_workbook(path, unit_codes: list[str]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(list(TEMPLATE_COLUMNS))
    for n in range(ROWS):
        row_number = n + 2
        values = {
            "external_id": f"E2E-{n:04d}",
            "title": f"Sáng kiến cải tiến số {n}: giảm hao hụt nguyên liệu",
            "content": f"Thay quy trình thủ công bằng băng tải tự động ở tổ {n % 17}.",
            "author_name": "Nguyễn Thị Hằng; Trần Văn Lộc",
            "author_percent": "60; 40",
            "unit_code": unit_codes[n % len(unit_codes)],
            "submitted_at": "20/05/2025",
            "participant_group": "enterprise",
            "benefit_vnd": 12_000_000,
            **decree_columns(),
        }
        if row_number == 57:
            values["title"] = ""
        elif row_number == 402:
            values["unit_code"] = "KHONG-TON-TAI"
        elif row_number == 888:
            values["author_percent"] = "50; 20"
        sheet.append([values.get(c, "") for c in TEMPLATE_COLUMNS])
    book.save(path)


PROGRESS = re.compile(
    r'data-testid="import-progress" data-state="(?P<state>\w+)" data-done="(?P<done>\d+)"'
    r'.*?<progress(?: value="(?P<value>\d+)")?',
    re.S,
)


def watch_the_progress_bar(page, *, timeout: float) -> list[int]:
    """The distinct values the page's progress bar shows until the job is done (read from
    one snapshot of the page at a time: htmx swaps the fragment in between)."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = PROGRESS.search(page.content())
        if found is None:
            page.wait_for_timeout(100)  # in the middle of a swap
            continue
        if found["state"] == "running":
            assert found["value"] == found["done"], found.group(0)
            if int(found["done"]) not in seen:
                seen.append(int(found["done"]))
        elif found["state"] == "done":
            return seen
        elif found["state"] == "failed":
            raise AssertionError(page.get_by_test_id("import-progress").inner_text())
        page.wait_for_timeout(250)
    raise AssertionError(f"the import did not finish in {timeout:.0f} s; bar showed {seen}")


@pytest.mark.django_db(transaction=True)
def test_officer_imports_1000_rows_and_sees_exactly_the_3_bad_ones(
    live_server, real_worker, desktop_page, tmp_path, media_root
):
    root = UnitFactory(code="TLD", name="Tổng LĐLĐ Việt Nam", kind=UnitKind.NATIONAL)
    province = UnitFactory(
        code="LDLD92", name="LĐLĐ thành phố Cần Thơ", kind=UnitKind.PROVINCE, parent=root
    )
    units = [
        UnitFactory(code=f"LDLD92-G0{n}", name=f"Công đoàn cơ sở {n}", parent=province)
        for n in range(1, 4)
    ]
    officer = UserFactory(email="canbo@example.vn", full_name="Trần Minh Khoa")
    grant(officer, Role.UNIT_OFFICER, province)
    path = tmp_path / "sang-kien-1000.xlsx"
    write_workbook(path, [u.code for u in units])

    page = desktop_page
    log_in(page, live_server, officer.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Nhập, xuất sáng kiến").first.click()
    page.wait_for_url(f"{live_server.url}/sang-kien/nhap/")
    with page.expect_download() as download:
        page.get_by_test_id("template-link").click()
    assert download.value.suggested_filename == "mau-nhap-sang-kien.xlsx"
    screenshot(page, "import-upload-desktop")

    page.get_by_label("Tệp sáng kiến (.xlsx, .csv hoặc .jsonl)").set_input_files(str(path))
    page.get_by_label("Nhập các dòng hợp lệ, báo các dòng lỗi").check()
    # 1,000 rows run as a background job in the real worker; the job page polls until
    # the report is there, and its bar moves.
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.wait_for_url(f"{live_server.url}/sang-kien/nhap/tac-vu/*/")
    seen = watch_the_progress_bar(page, timeout=600)
    page.get_by_test_id("import-report").wait_for()
    # The bar took several values on its way, not 0% then 100%.
    assert len([done for done in seen if 0 < done < ROWS]) >= 2, seen
    assert seen == sorted(seen), seen

    rows = page.get_by_test_id("import-errors").locator("tbody tr")
    reported = {}
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td").all_inner_texts()
        reported[int(cells[0])] = (cells[1], cells[2])
    assert set(reported) == set(BAD_ROWS)
    for row_number, (column, message) in BAD_ROWS.items():
        # The report names the column as the officer's file does (its Vietnamese header).
        assert reported[row_number][0] == column_header(column)
        if message:
            assert reported[row_number][1] == message
    assert "70" in reported[888][1] and "100%" in reported[888][1]
    summary = page.get_by_test_id("import-summary").inner_text()
    assert "tạo mới 997" in summary and "3 dòng lỗi" in summary
    # Handed in (the worker checks them one by one meanwhile): none left as a draft.
    statuses = set(Initiative.objects.values_list("status", flat=True))
    assert Initiative.objects.count() == 997
    assert statuses <= {Status.CHECKING, Status.VALID, Status.FLAGGED}
    screenshot(page, "import-report-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "import-report-phone")


@pytest.mark.django_db(transaction=True)
def test_progress_page_polls_the_job_until_the_report_arrives(live_server, phone_page):
    from core.models import Job

    province = UnitFactory(code="LDLD92", name="LĐLĐ thành phố Cần Thơ", kind=UnitKind.PROVINCE)
    officer = UserFactory(email="canbo2@example.vn", full_name="Lê Thu Trang")
    grant(officer, Role.UNIT_OFFICER, province)
    job = Job.objects.create(
        kind="initiative_import",
        owner=officer,
        state=Job.State.RUNNING,
        done=4200,
        total=12000,
        options={"name": "lon.xlsx", "all_or_nothing": False},
        phase="write",
    )
    page = phone_page
    log_in(page, live_server, officer.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sang-kien/nhap/tac-vu/{job.pk}/")
    progress = page.get_by_test_id("import-progress")
    # Vietnamese number format: "4.200 / 12.000".
    assert "4.200 / 12.000" in progress.inner_text() and "(35%)" in progress.inner_text()
    assert page.locator("progress").get_attribute("value") == "4200"
    screenshot(page, "import-progress-phone")

    Job.objects.filter(pk=job.pk).update(done=9000)
    # A selector, not a JavaScript string: the page's CSP forbids eval.
    page.locator('progress[value="9000"]').wait_for()
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.DONE,
        done=12000,
        result={
            "total": 12000,
            "created": 11999,
            "updated": 0,
            "bad_row_count": 1,
            "all_or_nothing": False,
            "errors": [[7, "title", MSG_REQUIRED.format(column="title")]],
        },
    )
    page.get_by_test_id("import-report").wait_for()
    assert page.get_by_test_id("import-progress").get_attribute("data-state") == "done"
    assert page.locator("tr[data-row='7']").inner_text().split("\t")[0].strip() == "7"
    screenshot(page, "import-progress-done-phone")
