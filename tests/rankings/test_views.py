"""Pages, exports, targets (tenancy-scoped writes), reports, reminders and pinned query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from core.models import Notice
from rankings import periods, services, tasks
from rankings.models import ReminderPolicy, Target, WeeklyReport
from tests.factories import Role, UserFactory, grant
from tests.rankings.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(league):
    def person(email, role, unit):
        user = UserFactory(email=email, full_name=email.split("@")[0])
        grant(user, role, unit)
        return user

    return {
        "leader": person("lanhdao@example.vn", Role.LEADERSHIP, league.root),
        "officer_p1": person("canbo.p1@example.vn", Role.UNIT_OFFICER, league.p1),
        "officer_g1": person("canbo.g1@example.vn", Role.GRASSROOTS_OFFICER, league.g1),
        "officer_p2": person("canbo.p2@example.vn", Role.UNIT_OFFICER, league.p2),
        "reviewer_p1": person("duyet.p1@example.vn", Role.REVIEWER, league.p1),
    }


@pytest.fixture
def data(league):
    for day in (3, 4, 5):
        submit(league, league.g1, dt.date(2025, 2, day), benefit=1_000_000, title=f"Cải tiến {day}")
    submit(league, league.g2, dt.date(2025, 2, 4))
    submit(league, league.gs, dt.date(2025, 2, 4), outcome="rejected")
    return league


def login(client, user):
    client.force_login(user, backend="accounts.auth_backends.EmailOrPhoneBackend")
    return client


def test_public_leaderboard_shows_provinces_ranked(client, data):
    response = client.get("/xep-hang/?period=year&year=2025")
    assert response.status_code == 200
    rows = response.context["ranking"].rows
    assert [(r.unit.code, r.rank, r.submitted) for r in rows] == [
        ("P1", 1, 3),
        ("P2", 2, 1),
        ("P3", 3, 0),
    ]
    # Anonymous visitors get no drill-down links.
    assert "/xep-hang/don-vi/P1/" not in response.content.decode()


def test_the_leaderboards_benefit_is_grouped_in_each_languages_way(client, data):
    html = client.get("/xep-hang/?period=year&year=2025").content.decode()
    assert '<td class="num">3.000.000</td>' in html
    client.cookies["django_language"] = "en"
    html = client.get("/xep-hang/?period=year&year=2025").content.decode()
    assert '<td class="num">3,000,000</td>' in html
    assert "2.025" not in html and "2,025" not in html


def test_a_bad_period_keeps_the_page_and_says_why(client, data):
    response = client.get("/xep-hang/?period=range&start=2025-05-01&end=2025-01-01")
    assert response.status_code == 200
    assert periods.MSG_RANGE_REVERSED in response.content.decode()


def test_leaderboard_query_count_is_pinned(client, data, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert client.get("/xep-hang/?period=year&year=2025").status_code == 200


def test_dashboard_query_count_is_pinned(client, data, people, django_assert_max_num_queries):
    login(client, people["leader"])
    # The unread-notice badge, who may set targets and the per-year cluster names: 23.
    with django_assert_max_num_queries(23):
        response = client.get("/xep-hang/bang-dieu-khien/?period=year&year=2025")
    assert response.status_code == 200
    assert response.context["chart"]["ranking"][0] == {"label": "LĐLĐ An Giang", "value": 3.0}


def test_drill_down_and_api_query_counts_are_pinned(
    client, data, people, django_assert_max_num_queries
):
    login(client, people["leader"])
    with django_assert_max_num_queries(14):
        assert client.get("/xep-hang/don-vi/P1/?period=year&year=2025").status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/rankings/units/P1/?period=year&year=2025")
    assert [(r["code"], r["rank"], r["submitted"]) for r in response.json()["results"]] == [
        ("G1", 1, 3),
        ("G1B", 2, 0),
    ]
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/rankings/?period=year&year=2025&measure=valid")
    assert response.json()["results"][0]["code"] == "P1"


def test_officer_sees_own_subtree_only(client, data, people):
    login(client, people["officer_p1"])
    response = client.get("/xep-hang/bang-dieu-khien/?period=year&year=2025")
    assert [r.unit.code for r in response.context["rows"]] == ["G1", "G1B"]
    assert client.get("/xep-hang/don-vi/P2/").status_code == 404
    assert client.get("/api/v1/rankings/units/P2/").status_code == 404
    assert client.get("/xep-hang/don-vi/P2/bao-cao/2025-02-03.pdf").status_code == 404
    login(client, people["reviewer_p1"])
    assert client.get("/xep-hang/bang-dieu-khien/").status_code == 404


def test_csv_and_xlsx_exports_hold_the_ranking(client, data):
    response = client.get("/xep-hang/?period=year&year=2025&format=csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    # The headers name what is counted: the rank's measure, and the count behind % of target.
    assert rows[0][:6] == [
        "Hạng (tính theo: sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt))",
        "Thay đổi",
        "Mã",
        "Đơn vị",
        "Hợp lệ (đạt kiểm tra hoặc được duyệt)",
        "Đã nộp",
    ]
    assert "Tỷ lệ đạt chỉ tiêu (tính theo: sáng kiến hợp lệ" in rows[0][8]
    assert rows[1][:6] == ["1", "", "P1", "LĐLĐ An Giang", "3", "3"]
    response = client.get("/xep-hang/?period=year&year=2025&format=xlsx&measure=submitted")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value.startswith("Hạng (tính theo: sáng kiến đã nộp")
    assert "Tỷ lệ đạt chỉ tiêu (tính theo: sáng kiến đã nộp" in sheet["I1"].value
    assert [c.value for c in sheet[2]][:6] == [1, None, "P1", "LĐLĐ An Giang", 3, 3]


def test_the_unit_above_sets_targets_not_the_unit_itself(client, league, people):
    login(client, people["officer_p1"])
    response = client.post(
        "/xep-hang/don-vi/P1/chi-tieu/",
        {
            "action": "set",
            "unit": "G1",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "count": "30",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(unit=league.g1).count == 30
    # P1's own target is set from above (the root), so P1's officer cannot reach it.
    assert client.get("/xep-hang/don-vi/TLD/chi-tieu/").status_code == 404
    # Another province: 404, nothing saved.
    response = client.post(
        "/xep-hang/don-vi/P2/chi-tieu/",
        {
            "action": "set",
            "unit": "G2",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "count": "5",
        },
    )
    assert response.status_code == 404
    assert not Target.objects.filter(unit=league.g2).exists()


def test_bad_target_input_keeps_what_was_typed(client, league, people):
    login(client, people["officer_p1"])
    response = client.post(
        "/xep-hang/don-vi/P1/chi-tieu/",
        {
            "action": "set",
            "unit": "G1",
            "starts_on": "2025-12-31",
            "ends_on": "2025-01-01",
            "count": "30",
        },
    )
    assert response.status_code == 200
    assert services.MSG_TARGET_PERIOD in response.content.decode()
    assert response.context["target_form"]["count"].value() == "30"
    assert not Target.objects.exists()


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "chi-tieu.xlsx"
    return buffer


def _import_targets(client, code: str, file, capture):
    """Post the file; the job runs (in-process here) once the request has committed."""
    from core.models import Job

    with capture(execute=True):
        response = client.post(
            f"/xep-hang/don-vi/{code}/chi-tieu/", {"action": "import", "file": file}
        )
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/tac-vu-nhap/{job.pk}/"
    job.refresh_from_db()
    return job, client.get(response["Location"]).content.decode()


def test_targets_import_from_xlsx_all_or_nothing(
    client, league, people, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, people["leader"])
    header = ["ma_don_vi", "tu_ngay", "den_ngay", "chi_tieu"]
    bad = _xlsx(
        [
            header,
            ["P1", "01/01/2025", "31/12/2025", 40],
            ["P2", "01/01/2025", "31/12/2025", 0],
            ["G2", "01/01/2025", "31/12/2025", 5],
        ]
    )
    job, body = _import_targets(client, "TLD", bad, django_capture_on_commit_callbacks)
    assert job.state == "done" and job.unit.code == "TLD"
    assert job.result["errors"] == [[3, "", services.MSG_TARGET_NOT_POSITIVE]]
    assert services.MSG_TARGET_NOT_POSITIVE in body and 'data-row="3"' in body
    # G2 is not a direct sub-unit of the root, but the root reaches it: the unit above G2 (P2)
    # is inside the leader's scope, so it is accepted; the zero stops the whole file.
    assert not Target.objects.exists()
    good = _xlsx(
        [
            header,
            ["P1", "01/01/2025", "31/12/2025", 40],
            ["P2", "2025-01-01", "2025-12-31", "1.200"],
        ]
    )
    job, body = _import_targets(client, "TLD", good, django_capture_on_commit_callbacks)
    assert (job.result["created"], job.result["errors"]) == (
        2,
        [],
    ) and "Đã nhập 2 chỉ tiêu." in body
    assert dict(Target.objects.values_list("unit__code", "count")) == {"P1": 40, "P2": 1200}
    # The same units and periods again: the targets are replaced, and the report says so.
    again = _xlsx(
        [header, ["P1", "01/01/2025", "31/12/2025", 45], ["P3", "01/01/2025", "31/12/2025", 7]]
    )
    job, body = _import_targets(client, "TLD", again, django_capture_on_commit_callbacks)
    assert (job.result["created"], job.result["updated"]) == (1, 1)
    assert "Đã nhập 2 chỉ tiêu. 1 chỉ tiêu thay chỉ tiêu đã có của cùng đơn vị và thời kỳ." in body
    assert Target.objects.count() == 3 and Target.objects.get(unit__code="P1").count == 45


def test_targets_import_refuses_units_outside_scope(
    client, league, people, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, people["officer_p1"])
    file = _xlsx(
        [["ma_don_vi", "tu_ngay", "den_ngay", "chi_tieu"], ["G2", "01/01/2025", "31/12/2025", 5]]
    )
    _job, body = _import_targets(client, "P1", file, django_capture_on_commit_callbacks)
    assert services.MSG_IMPORT_UNKNOWN_UNIT.format(code="G2") in body
    assert not Target.objects.exists()


def test_weekly_report_is_generated_emailed_and_regenerable(
    client, data, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Target.objects.create(
        unit=data.p1, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31), count=100
    )
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves via the outbox
        report = services.weekly_report_generate(unit=data.p1, week=dt.date(2025, 2, 5), email=True)
    assert report.week == dt.date(2025, 2, 3) and report.xlsx and report.pdf
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["canbo.p1@example.vn"]
    assert {name for name, *_ in mail.outbox[0].attachments} == {
        "bao-cao-tuan-P1-2025-02-03.xlsx",
        "bao-cao-tuan-P1-2025-02-03.pdf",
    }
    text = PdfReader(io.BytesIO(report.pdf.read())).pages[0].extract_text()
    assert "LĐLĐ An Giang" in text and "Báo cáo tuần" in text and "Cải tiến" in text
    summary = load_workbook(io.BytesIO(report.xlsx.read())).active
    values = {row[0].value: row[1].value for row in summary.iter_rows() if row[0].value}
    assert values["Sáng kiến đã nộp"] == 3 and values["Chỉ tiêu năm"] == 100
    login(client, people["officer_p1"])
    response = client.post("/xep-hang/don-vi/P1/bao-cao/lap-lai/", {"week": "2025-02-06"})
    assert response.status_code == 302
    assert WeeklyReport.objects.filter(unit=data.p1).count() == 1
    future = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    client.post("/xep-hang/don-vi/P1/bao-cao/lap-lai/", {"week": future})
    assert WeeklyReport.objects.filter(unit=data.p1).count() == 1


def test_beat_tasks_snapshot_and_report_every_top_level_unit(data, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.snapshot_weekly_rankings("2025-02-03") == 2 * 4  # 4 top-level units, 2 modes
    # 4 top-level units and the confederation itself (for national leadership).
    assert tasks.generate_weekly_reports("2025-02-03") == 5
    assert WeeklyReport.objects.filter(week=dt.date(2025, 2, 3)).count() == 5


def test_reminders_go_to_lagging_units_officers_at_the_set_cadence(
    data, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    year = periods.year(2025)
    # As of 31/3: P1 has 3 of 100 (expected 25) -> lagging; P2 has 1 of 2 (expected 1) -> on pace.
    Target.objects.create(unit=data.p1, starts_on=year.start, ends_on=year.end, count=100)
    Target.objects.create(unit=data.p2, starts_on=year.start, ends_on=year.end, count=2)
    ReminderPolicy.objects.create(unit=data.root, every_days=7)
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves via the outbox
        assert services.reminders_send(today=dt.date(2025, 3, 31)) == 1
    notice = Notice.objects.get()
    assert notice.recipient == people["officer_p1"] and "LĐLĐ An Giang" in notice.subject
    assert mail.outbox[0].to == ["canbo.p1@example.vn"]
    # Within the cadence: nothing more; after it: reminded again.
    assert services.reminders_send(today=dt.date(2025, 4, 3)) == 0
    assert services.reminders_send(today=dt.date(2025, 4, 7)) == 1
    assert Notice.objects.count() == 2


def test_reminders_are_written_in_each_recipients_language_and_number_format(
    data, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    year = periods.year(2025)
    Target.objects.create(unit=data.p1, starts_on=year.start, ends_on=year.end, count=7_000)
    ReminderPolicy.objects.create(unit=data.root, every_days=7)
    english = UserFactory(email="en.p1@example.vn", full_name="English Officer", language="en")
    grant(english, Role.UNIT_OFFICER, data.p1)
    with django_capture_on_commit_callbacks(execute=True):  # the emails leave via the outbox
        assert services.reminders_send(today=dt.date(2025, 3, 31)) == 2
    vietnamese = Notice.objects.get(recipient=people["officer_p1"])
    assert "đạt 0,0% chỉ tiêu năm (7.000)" in vietnamese.body
    assert "31/03/2025" in vietnamese.body
    in_english = Notice.objects.get(recipient=english)
    assert "0.0%" in in_english.body and "(7,000)" in in_english.body
    assert "Nhắc" not in in_english.subject
    assert sorted(m.to[0] for m in mail.outbox) == ["canbo.p1@example.vn", "en.p1@example.vn"]


def test_cadence_is_set_by_the_level_itself(client, league, people):
    login(client, people["officer_p1"])
    response = client.post(
        "/xep-hang/don-vi/P1/chi-tieu/", {"action": "cadence", "every_days": "14"}
    )
    assert response.status_code == 302
    assert ReminderPolicy.objects.get(unit=league.p1).every_days == 14
    response = client.post(
        "/xep-hang/don-vi/P1/chi-tieu/", {"action": "cadence", "every_days": "400"}
    )
    assert response.status_code == 200
    assert ReminderPolicy.objects.get(unit=league.p1).every_days == 14


def test_a_grassroots_officer_sees_their_own_weekly_series(client, data, people):
    login(client, people["officer_g1"])
    response = client.get("/xep-hang/bang-dieu-khien/?period=year&year=2025")
    assert response.status_code == 200
    # G1's three initiatives were handed in on 3, 4 and 5 February 2025 (one week);
    # the series is for this year, so compare with the selector directly too.
    from rankings import selectors

    series = selectors.weekly_series(period=periods.year(2025), unit=data.g1)
    assert series == [(dt.date(2025, 2, 3), 3, 3)]


def test_cluster_chips_keep_the_chosen_measure_and_period(client, data):
    html = client.get("/xep-hang/?period=year&year=2025&measure=benefit").content.decode()
    assert '?group=CUM&amp;period=year&amp;year=2025&amp;measure=benefit"' in html
    assert '?category=sector&amp;period=year&amp;year=2025&amp;measure=benefit"' in html


def test_a_cluster_is_named_for_the_year_it_is_shown(client, data):
    from federation.models import EmulationMembership
    from federation.services import counted_name, emulation_group_names_refresh

    assert counted_name("Cụm 12 tỉnh ĐBSCL", 5) == "Cụm 5 tỉnh ĐBSCL"
    assert counted_name("Cụm 12 tỉnh ĐBSCL", 12) is None
    assert counted_name("Cụm ĐBSCL", 5) is None
    data.cluster.name = "Cụm thi đua 3 tỉnh ĐBSCL"
    data.cluster.save()
    EmulationMembership.objects.filter(group=data.cluster, unit=data.p3).delete()
    assert emulation_group_names_refresh() == 1  # 2025: 2 members, not 3
    html = client.get("/xep-hang/?group=CUM&period=year&year=2025&mode=historic").content
    html = html.decode()
    assert "Cụm thi đua 2 tỉnh ĐBSCL" in html and "3 tỉnh" not in html
    recognition = client.get("/xep-hang/khen-thuong/?year=2025&quarter=1").content.decode()
    assert "Cụm thi đua 2 tỉnh ĐBSCL" in recognition


# --- the measure: valid initiatives by default, handed-in beside, named everywhere (issue 12)

VALID_BASIS = "sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt)"


@pytest.fixture
def mixed(data):
    """P2 hands in 4 more that are not valid (2 rejected, 2 still being checked): 5 handed
    in, 1 valid. P1: 3 handed in, 3 valid."""
    for outcome in ("rejected", "rejected", "checking", "flagged"):
        submit(data, data.g2, dt.date(2025, 2, 6), outcome=outcome)
    year = periods.year(2025)
    # Expected by 31/3: ceil(8 × 90 / 365) = 2. P2 handed in 5 (on pace), 1 valid (lagging).
    Target.objects.create(unit=data.p2, starts_on=year.start, ends_on=year.end, count=8)
    Target.objects.create(unit=data.p1, starts_on=year.start, ends_on=year.end, count=8)
    return data


def test_every_ranking_page_names_its_measure_and_shows_handed_in_beside(client, mixed, people):
    html = client.get("/xep-hang/?period=year&year=2025").content.decode()
    assert f'class="basis-measure">{VALID_BASIS}<' in html
    assert f"Tính theo: {VALID_BASIS}</caption>" in html
    # P2's row: 1 valid, 5 handed in beside it.
    assert (
        '<td class="num" data-col="valid">1</td>\n      <td class="num" data-col="submitted">5'
        in (html)
    )
    html = client.get("/xep-hang/?period=year&year=2025&measure=submitted").content.decode()
    assert 'class="basis-measure">sáng kiến đã nộp (kể cả đang xử lý, bị từ chối)<' in html

    login(client, people["leader"])
    response = client.get("/xep-hang/bang-dieu-khien/?period=year&year=2025")
    html = response.content.decode()
    # The ranking chart, the progress chart, the tile map and both tables say what they count.
    assert html.count(f"Tính theo: {VALID_BASIS}") >= 4
    # The progress (this year's targets) counts valid initiatives too.
    assert {r.counted for r in response.context["progress"]} == {"valid"}
    assert response.context["chart"]["progress_basis"] == VALID_BASIS
    assert response.context["chart"]["labels"]["counted"] == "Hợp lệ"

    response = client.get("/xep-hang/don-vi/TLD/tien-do/?year=2025")
    html = response.content.decode()
    assert f'class="basis-measure">{VALID_BASIS}<' in html
    assert 'data-testid="switch-count"' in html and "measure=submitted" in html
    assert "LĐLĐ Bến Tre" in html.split("Đạt, vượt tiến độ")[0] or any(
        r.unit.code == "P2" for r in response.context["lagging"]
    )


def test_progress_and_its_api_count_valid_initiatives_unless_asked(client, mixed, people):
    login(client, people["leader"])
    as_of = dt.date(2025, 3, 31)
    from rankings import selectors

    rows = {
        r.unit.code: r
        for r in selectors.progress_rows(unit=mixed.root, period=periods.year(2025), as_of=as_of)
    }
    assert (rows["P2"].count, rows["P2"].submitted, rows["P2"].lagging) == (1, 5, True)
    assert rows["P1"].leading
    response = client.get("/api/v1/rankings/units/TLD/progress/?period=year&year=2025")
    body = response.json()
    assert (body["measure"], body["counted"], body["basis"]) == ("valid", "valid", VALID_BASIS)
    p2 = next(r for r in body["results"] if r["code"] == "P2")
    assert (p2["counted"], p2["count"], p2["valid"], p2["submitted"]) == ("valid", 1, 1, 5)
    response = client.get(
        "/api/v1/rankings/units/TLD/progress/?period=year&year=2025&measure=submitted"
    )
    p2 = next(r for r in response.json()["results"] if r["code"] == "P2")
    assert (p2["counted"], p2["count"], p2["target_pct"]) == ("submitted", 5, 62.5)
    ranking = client.get("/api/v1/rankings/?period=year&year=2025").json()
    assert ranking["measure"] == "valid" and ranking["basis"] == VALID_BASIS
    assert [r["code"] for r in ranking["results"]][:2] == ["P1", "P2"]


def test_lagging_reminders_count_valid_initiatives_and_say_so(
    mixed, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ReminderPolicy.objects.create(unit=mixed.root, every_days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=dt.date(2025, 3, 31)) == 1
    # P2 handed in 5 (on pace for 2) but only 1 is valid: P2 is reminded, P1 is not.
    notice = Notice.objects.get()
    assert notice.recipient == people["officer_p2"]
    assert "có 1 sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt; đã nộp 5)" in notice.body
    assert "đạt 12,5% chỉ tiêu năm (8)" in notice.body


def test_weekly_report_counts_progress_by_valid_initiatives_and_names_it(mixed):
    report = services.weekly_report_generate(unit=mixed.p2, week=dt.date(2025, 3, 31))
    summary = load_workbook(io.BytesIO(report.xlsx.read())).active
    values = {row[0].value: row[1].value for row in summary.iter_rows() if row[0].value}
    to_date = {row[0].value: row[2].value for row in summary.iter_rows() if row[0].value}
    assert values["Tính theo:"] == VALID_BASIS
    assert values["Tiến độ chỉ tiêu năm, tính theo:"] == VALID_BASIS
    assert (to_date["Sáng kiến hợp lệ"], to_date["Sáng kiến đã nộp"]) == (1, 5)
    assert (values["Đã đạt (hợp lệ)"], values["Đã nộp"], values["% chỉ tiêu"]) == (1, 5, 12.5)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.pdf.read())).pages)
    assert "Tính theo:" in text and "hợp lệ (đạt kiểm tra hoặc được" in text


def test_recognition_page_counts_valid_initiatives_and_offers_handed_in(client, mixed):
    html = client.get("/xep-hang/khen-thuong/?year=2025&quarter=1").content.decode()
    assert f'class="basis-measure">{VALID_BASIS}<' in html
    assert f"Tính theo: {VALID_BASIS}</caption>" in html
    csv_text = client.get(
        "/xep-hang/khen-thuong/?year=2025&quarter=1&measure=submitted&format=csv"
    ).content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(csv_text)))
    assert header[2] == "Số sáng kiến (tính theo sáng kiến đã nộp (kể cả đang xử lý, bị từ chối))"
