"""Leadership opens the dashboard, then downloads a province's weekly report as XLSX and PDF;
the PDF is rendered to PNG (pdftoppm) so a person can look at it."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.demo import DEMO_PASSWORD, seed_demo_country
from federation.models import OrgUnit
from rankings.demo import seed_rankings_demo
from tests.conftest import require_service
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, log_in, screenshot


@pytest.fixture
def demo_rankings(transactional_db):
    seed_demo_country()
    assert seed_rankings_demo(today=timezone.localdate()) > 100
    return OrgUnit.objects.get(short_name="Cần Thơ", active_to__isnull=True)


@pytest.mark.django_db(transaction=True)
def test_leadership_dashboard_and_weekly_report_downloads(live_server, desktop_page, demo_rankings):
    page = desktop_page
    log_in(page, live_server, "lanhdao@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/xep-hang/bang-dieu-khien/")
    assert "Bảng điều khiển" in page.locator("h1").inner_text()
    # Charts drew (Chart.js sizes its canvas), the tile map holds the 34 provinces,
    # and the same numbers are in the table.
    page.wait_for_function("document.getElementById('chart-ranking').width > 0")
    assert page.locator("[data-testid=tile-map] .tile").count() == 34
    table_rows = page.locator("table.rank-table tbody tr")
    assert table_rows.count() == 34
    assert table_rows.first.locator("td.rank").inner_text().startswith("1")
    # Every table and chart says what it counts: valid initiatives, handed-in beside.
    valid = "Tính theo: sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt)"
    assert valid in page.locator("#chart-ranking-title + .table-basis").inner_text()
    assert valid in page.locator("#chart-progress-title + .table-basis").inner_text()
    # ... and so does each table, in a line above it that stays in view on a phone.
    assert page.locator("p.table-basis:visible", has_text=valid).count() >= 5
    screenshot(page, "rankings-dashboard-desktop")
    root = OrgUnit.objects.get(level=0)
    for size, viewport in (("desktop", {"width": 1366, "height": 900}), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/xep-hang/don-vi/{root.code}/tien-do/")
        assert page.locator("p.table-basis:visible", has_text=valid).count() >= 1
        screenshot(page, f"rankings-progress-{size}")
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server.url}/xep-hang/don-vi/{demo_rankings.code}/bao-cao/")
    last_week = timezone.localdate() - dt.timedelta(days=7)
    page.get_by_label("Tuần có ngày").fill(last_week.isoformat())
    page.get_by_role("button", name="Lập (lại) báo cáo").click()
    # Made by a background job (in-process in tests); its page shows the progress, then
    # the downloads.
    page.wait_for_selector("[data-testid=report-progress][data-state=done]")
    assert page.get_by_test_id("report-progress").get_attribute("data-percent") == "100"
    screenshot(page, "rankings-reports-desktop")

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="XLSX").first.click()
    xlsx_path = ARTIFACTS / "weekly-report.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    summary = load_workbook(xlsx_path).active
    assert summary["B2"].value == demo_rankings.name
    labels = [row[0].value for row in summary.iter_rows()]
    assert "Sáng kiến đã nộp" in labels and "Chỉ tiêu năm" in labels

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF").first.click()
    pdf_path = ARTIFACTS / "weekly-report.pdf"
    pdf_download.value.save_as(pdf_path)
    text = PdfReader(io.BytesIO(pdf_path.read_bytes())).pages[0].extract_text()
    assert "Báo cáo tuần" in text and "Cần Thơ" in text and "Tiến độ chỉ tiêu năm" in text

    if shutil.which("pdftoppm") is None:
        require_service("pdftoppm", "poppler-utils is not installed")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf_path),
         str(ARTIFACTS / "weekly-report")],
        check=True,
    )  # fmt: skip
    rendered = sorted(ARTIFACTS.glob("weekly-report*.png"))
    assert rendered and rendered[0].stat().st_size > 20_000


@pytest.mark.django_db(transaction=True)
def test_public_leaderboard_on_a_phone(live_server, phone_page, demo_rankings):
    page = phone_page
    page.goto(f"{live_server.url}/xep-hang/")
    assert "Bảng xếp hạng" in page.locator("h1").inner_text()
    assert page.locator("table.rank-table tbody tr").count() == 34
    assert (
        "sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt)"
        in page.locator(".basis-measure").inner_text()
    )
    screenshot(page, "rankings-leaderboard-phone")
