"""Weekly reports for everyone who leads: the confederation's report reaches national
leadership over real SMTP, the top ten respects confidentiality, reports are made in the
background (never inside a GET), and no table row is split across PDF pages."""

from __future__ import annotations

import datetime as dt
import email
import io
import socket
from decimal import Decimal

import pytest
from django.core import mail
from pypdf import PdfReader

from core.models import Job
from federation.models import OrgUnit
from rankings import reports, tasks
from rankings.models import WeeklyReport
from rankings.selectors import RankRow, Totals
from tests.factories import Role, UserFactory, grant
from tests.rankings.conftest import submit

pytestmark = pytest.mark.django_db
WEEK = dt.date(2025, 2, 3)
SUNDAY = WEEK + dt.timedelta(days=6)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What a real SMTP server on 127.0.0.1 received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


@pytest.fixture
def leaders(league):
    leader = UserFactory(email="lanhdao@demo.vn", full_name="Lãnh đạo Tổng LĐLĐ")
    grant(leader, Role.LEADERSHIP, league.root)
    officer = UserFactory(email="canbo.p1@example.vn", full_name="Cán bộ An Giang")
    grant(officer, Role.UNIT_OFFICER, league.p1)
    return {"leader": leader, "officer": officer}


def test_national_leadership_receives_the_confederations_weekly_report_by_smtp(
    league, leaders, smtp_server, django_capture_on_commit_callbacks
):
    submit(league, league.g1, dt.date(2025, 2, 4), benefit=3_000_000)
    submit(league, league.g2, dt.date(2025, 2, 5))

    # Monday's beat task: one report per top-level unit and one for the confederation.
    # Each report's mail leaves through the outbox once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.generate_weekly_reports(WEEK.isoformat()) == 5
    national = WeeklyReport.objects.get(unit=league.root, week=WEEK)
    assert national.emailed_at is not None

    to_leadership = [e for e in smtp_server.envelopes if "lanhdao@demo.vn" in e.rcpt_tos]
    assert len(to_leadership) == 1
    message = email.message_from_bytes(to_leadership[0].content)
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert league.root.display_name in subject
    attachments = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    assert set(attachments) == {
        f"bao-cao-tuan-{league.root.code}-{WEEK:%Y-%m-%d}.pdf",
        f"bao-cao-tuan-{league.root.code}-{WEEK:%Y-%m-%d}.xlsx",
    }
    pdf = attachments[f"bao-cao-tuan-{league.root.code}-{WEEK:%Y-%m-%d}.pdf"]
    text = PdfReader(io.BytesIO(pdf.get_payload(decode=True))).pages[0].extract_text()
    assert "Tổng LĐLĐ Việt Nam" in text
    # The province's officer got the province's report, not the national one.
    assert any(e.rcpt_tos == ["canbo.p1@example.vn"] for e in smtp_server.envelopes)


def test_the_top_ten_never_shows_a_confidential_initiative_to_readers_outside_its_chain(
    league, leaders
):
    secret = submit(league, league.g1, dt.date(2025, 2, 4), benefit=900_000_000, title="Bí mật")
    type(secret).objects.filter(pk=secret.pk).update(is_confidential=True)
    submit(league, league.g1, dt.date(2025, 2, 4), benefit=1_000_000, title="Công khai")

    # The province's report is read by national leadership too (outside the chain).
    titles = [i["title"] for i in reports._top_initiatives(league.p1, start=WEEK, end=SUNDAY)]
    assert titles == ["Công khai"]
    content = reports.weekly_report_content(unit=league.p1, week=WEEK)
    assert [i["title"] for i in content.top_initiatives] == ["Công khai"]
    pdf_text = PdfReader(io.BytesIO(reports.weekly_report_pdf(content))).pages[0].extract_text()
    assert "Công khai" in pdf_text and "Bí mật" not in pdf_text

    # With only the chain reading (no national leadership), it is listed with its benefit.
    leaders["leader"].role_assignments.all().delete()
    titles = [i["title"] for i in reports._top_initiatives(league.p1, start=WEEK, end=SUNDAY)]
    assert titles == ["Bí mật", "Công khai"]


def test_a_missing_report_is_never_made_inside_the_request(client, league, leaders):
    client.force_login(leaders["officer"], backend="accounts.auth_backends.EmailOrPhoneBackend")
    response = client.get(f"/xep-hang/don-vi/{league.p1.code}/bao-cao/{WEEK:%Y-%m-%d}.pdf")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert 'data-testid="report-missing"' in response.content.decode()
    assert not WeeklyReport.objects.exists()


def test_a_report_made_from_the_page_runs_as_a_job_and_is_emailed(
    client, league, leaders, django_capture_on_commit_callbacks
):
    submit(league, league.g1, dt.date(2025, 2, 4))
    mail.outbox.clear()
    client.force_login(leaders["officer"], backend="accounts.auth_backends.EmailOrPhoneBackend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/xep-hang/don-vi/{league.p1.code}/bao-cao/lap-lai/", {"week": WEEK}
        )
    job = Job.objects.get(kind=tasks.REPORT_JOB_KIND)
    assert response.status_code == 302 and response.url.endswith(f"/tac-vu/{job.pk}/")
    # Celery runs in-process in tests: the job is done by the time the page is asked for.
    page = client.get(response.url).content.decode()
    assert 'data-state="done"' in page and 'data-percent="100"' in page
    assert WeeklyReport.objects.get(unit=league.p1, week=WEEK).emailed_at is not None
    assert [m.to for m in mail.outbox] == [["canbo.p1@example.vn"]]
    assert (
        client.get(f"/xep-hang/don-vi/{league.p1.code}/bao-cao/{WEEK:%Y-%m-%d}.pdf").status_code
        == 200
    )


def test_a_broker_outage_when_asking_for_a_report_is_said_plainly(
    client, league, leaders, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.run_weekly_report_job, "delay", broker_down)
    client.force_login(leaders["officer"], backend="accounts.auth_backends.EmailOrPhoneBackend")
    response = client.post(
        f"/xep-hang/don-vi/{league.p1.code}/bao-cao/lap-lai/", {"week": WEEK}, follow=True
    )
    assert response.status_code == 200
    from rankings.views import MSG_REPORT_NOT_QUEUED

    assert MSG_REPORT_NOT_QUEUED in response.content.decode()
    assert Job.objects.get().state == Job.State.FAILED


def test_no_table_row_is_split_across_pdf_pages(league):
    """A long report (150 lagging units with names over several lines), rendered by
    WeasyPrint: each row's first and last words are on the same page."""
    long_name = "Công đoàn cơ sở Công ty trách nhiệm hữu hạn chế biến thủy sản xuất khẩu " * 2
    lagging = []
    for n in range(150):
        unit = OrgUnit(code=f"G{n}", name=f"ROWA{n:03d} {long_name}ROWZ{n:03d}")
        lagging.append(RankRow(unit=unit, submitted=n, target=500, expected=100))
    content = reports.WeeklyReportContent(
        unit=league.p1,
        week=WEEK,
        week_end=WEEK + dt.timedelta(days=6),
        this_week=Totals(),
        to_date=Totals(submitted=10, valid=5, benefit_vnd=Decimal(0)),
        lagging=lagging,
        by_mode=[],
    )
    reader = PdfReader(io.BytesIO(reports.weekly_report_pdf(content)))
    assert len(reader.pages) > 5
    page_of: dict[str, int] = {}
    for number, page in enumerate(reader.pages):
        text = page.extract_text().replace("\n", " ")
        for n in range(150):
            for marker in (f"ROWA{n:03d}", f"ROWZ{n:03d}"):
                if marker in text:
                    page_of.setdefault(marker, number)
    assert len(page_of) == 300
    split = [n for n in range(150) if page_of[f"ROWA{n:03d}"] != page_of[f"ROWZ{n:03d}"]]
    assert split == []
