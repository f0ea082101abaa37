"""What production shows when things go wrong: /healthz, the error pages, the password reset."""

from __future__ import annotations

import io
import re
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.test import RequestFactory, override_settings
from django.utils import translation
from django.views import defaults

from core import tasks
from portal import health
from tests.factories import UserFactory

CSRF_TOKEN = re.compile(r'(?:"X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*')


@pytest.mark.django_db
def test_healthz_checks_database_cache_and_migrations(client):
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "MigrationsApplied()": "OK",
    }


@pytest.mark.django_db
def test_healthz_fails_while_a_migration_is_missing(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", return_value=[("x", 0)]
    ):
        response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert "migration" in response.content.decode()


def test_healthz_asks_a_worker_on_every_queue_when_tasks_go_to_workers(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert any(type(check).__name__ == "Ping" for check in health.health_checks())
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert not any(type(check).__name__ == "Ping" for check in health.health_checks())


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_the_404_page_is_vietnamese_or_english_when_chosen(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_400_and_403_pages_render_without_a_database():
    # No db fixture: any query here raises, so these pages must not need one.
    request = RequestFactory().get("/")
    with translation.override("vi"):
        response = defaults.server_error(request)
        bad_request = defaults.bad_request(request, Exception())
        denied = defaults.permission_denied(request, Exception())
    assert response.status_code == 500
    assert "Lỗi hệ thống" in response.content.decode()
    assert "Yêu cầu không hợp lệ" in bad_request.content.decode()
    assert "Không có quyền truy cập" in denied.content.decode()


@pytest.mark.django_db(transaction=True)
def test_password_reset_says_the_mail_is_being_sent_for_any_address(client, settings):
    settings.SITE_URL = "https://sangkien.example.vn"
    UserFactory(email="co.tai.khoan@example.vn")
    pages = []
    for email in ("co.tai.khoan@example.vn", "khong.co@example.vn"):
        response = client.post("/tai-khoan/quen-mat-khau/", {"email": email}, follow=True)
        assert response.status_code == 200
        pages.append(CSRF_TOKEN.sub("", response.content.decode()))
    assert pages[0] == pages[1]  # never reveals whether the account exists
    assert "đang được gửi" in pages[0]
    assert "đã được gửi" not in pages[0]
    assert len(mail.outbox) == 1  # Celery is eager in tests: the task sent it
    assert "https://sangkien.example.vn/tai-khoan/dat-lai/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_password_reset_page_is_the_same_when_the_broker_is_down(client):
    from kombu.exceptions import OperationalError

    from core.models import OutboxEmail

    UserFactory(email="co.tai.khoan@example.vn")
    with mock.patch.object(tasks.send_outbox_email, "delay", side_effect=OperationalError("x")):
        response = client.post(
            "/tai-khoan/quen-mat-khau/", {"email": "co.tai.khoan@example.vn"}, follow=True
        )
    assert response.status_code == 200
    assert "đang được gửi" in response.content.decode()
    # Kept in the outbox for the periodic resend, not lost.
    assert OutboxEmail.objects.filter(
        to=["co.tai.khoan@example.vn"], state=OutboxEmail.State.PENDING
    ).exists()


@pytest.mark.django_db
def test_a_failed_send_is_logged_and_retried_by_celery(caplog):
    from config.celery import app
    from core import outbox
    from core.models import OutboxEmail

    email = OutboxEmail.objects.create(to=["a@example.vn"], subject="Chủ đề", body="Nội dung")
    # Eager retries run at once, one inside the other; let them run to the end.
    app.conf.task_eager_propagates = False
    try:
        with mock.patch(
            "django.core.mail.EmailMessage.send",
            side_effect=smtplib.SMTPServerDisconnected("gone"),
        ):
            tasks.send_outbox_email.apply(args=(email.pk,), throw=False)
    finally:
        app.conf.task_eager_propagates = True
    email.refresh_from_db()
    assert email.attempts == outbox.MAX_ATTEMPTS
    assert email.state == OutboxEmail.State.FAILED
    assert "gone" in email.last_error
    failures = [r for r in caplog.records if "failed (attempt" in r.getMessage()]
    assert len(failures) == outbox.MAX_ATTEMPTS  # the first try and every retry


@pytest.mark.django_db
def test_beat_is_healthy_only_when_a_periodic_task_went_out_lately():
    import datetime as dt

    from django.core.management import CommandError, call_command
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from portal.management.commands.beat_health import MSG_BEAT_SILENT

    call_command("setup_periodic_tasks", stdout=io.StringIO())
    with pytest.raises(CommandError, match=MSG_BEAT_SILENT.format(minutes=12)):
        call_command("beat_health", stdout=io.StringIO())
    PeriodicTask.objects.filter(name="dedup: sweep unchecked initiatives").update(
        last_run_at=timezone.now() - dt.timedelta(minutes=3)
    )
    call_command("beat_health", stdout=io.StringIO())
