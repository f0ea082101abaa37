"""Finding: with Redis down the review queue answered 500; a decision answered 500
although it was saved, and its email was lost.

Here Redis is really unreachable: the cache and the Celery broker point at a closed
port on 127.0.0.1 (nothing listens there), the database is the real one. The pages
must answer, the decision must succeed, and its email must wait in the outbox until
the periodic resend delivers it."""

import socket

import pytest
from django.core import mail
from django.core.cache import cache

from config.celery import app as celery_app
from core.models import OutboxEmail
from core.tasks import resend_pending_outbox
from initiatives.models import Status
from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


def _reset_broker_pool() -> None:
    """Drop the app's broker connections so the next task uses the current broker_url
    (a closed pool cannot be reused: a fresh one is made on demand)."""
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None  # it wraps the connection pool
    # kombu keeps producer pools per broker URL in a global registry: without this the
    # next task for the original URL (eager ones too acquire a producer) would get the
    # pool closed above ("Acquire on closed pool").
    pools.reset()


@pytest.fixture
def redis_down(settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    _reset_broker_pool()
    with pytest.raises(Exception):  # noqa: B017 - really down: a raw client cannot connect
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    yield url
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    _reset_broker_pool()


@pytest.fixture
def flagged(country, personas):
    return make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.worker_a,
        owner=personas.worker_a,
        state="flagged",
    )


def test_the_cache_degrades_to_misses(redis_down):
    assert cache.get("x", "mặc định") == "mặc định"
    assert cache.add("x", 1) is False
    cache.set("x", 1)
    cache.delete("x")


def test_pages_answer_and_a_decision_succeeds_and_its_email_waits(
    client_for, personas, flagged, redis_down, django_capture_on_commit_callbacks
):
    client = client_for(personas.reviewer_a)
    assert client.get("/duyet/").status_code == 200
    assert client.get(f"/duyet/{flagged.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/duyet/{flagged.pk}/quyet-dinh/",
            {"decision": "return", "reason": "Bổ sung số liệu đo điện năng."},
        )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == Status.RETURNED
    waiting = OutboxEmail.objects.get()
    assert waiting.state == OutboxEmail.State.PENDING
    assert waiting.to == [personas.worker_a.email]
    assert mail.outbox == []
    assert client_for(personas.worker_a).get("/sang-kien/cua-toi/").status_code == 200


def test_the_periodic_resend_delivers_what_waited(
    client_for, personas, flagged, redis_down, django_capture_on_commit_callbacks, settings
):
    client = client_for(personas.reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/duyet/{flagged.pk}/quyet-dinh/", {"decision": "approve"})
    assert OutboxEmail.objects.get().state == OutboxEmail.State.PENDING
    # Redis is back: beat runs the resend.
    celery_app.conf.task_always_eager = True
    assert resend_pending_outbox(older_than_seconds=0) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [personas.worker_a.email]
    sent = OutboxEmail.objects.get()
    assert sent.state == OutboxEmail.State.SENT and sent.sent_at is not None
    assert resend_pending_outbox(older_than_seconds=0) == 0  # nothing sent twice


def test_a_mail_server_error_is_recorded_and_retried(personas, settings):
    from core import outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    email = outbox.outbox_enqueue(to=["a@example.vn"], subject="Thử", body="Nội dung")
    with pytest.raises(outbox.OutboxSendError):
        outbox.outbox_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.state == OutboxEmail.State.PENDING and email.attempts == 1
    assert email.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.outbox_send(email_id=email.pk) is True


@pytest.fixture
def private_redis(settings):
    """A redis-server of our own on a free port, which the test can stop and start."""
    import shutil
    import subprocess
    import time

    import redis

    from tests.conftest import require_service

    binary = shutil.which("redis-server")
    if binary is None:
        require_service("redis-server", "not installed (apt-get install redis-server)")
    port = closed_port()
    url = f"redis://127.0.0.1:{port}/0"

    def start():
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                redis.Redis.from_url(url, socket_connect_timeout=0.2).ping()
                return process
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        process.kill()
        pytest.fail("private redis-server did not start")

    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    state = {"process": start()}

    def stop():
        state["process"].terminate()
        state["process"].wait(timeout=10)

    def restart():
        state["process"] = start()

    yield stop, restart
    if state["process"].poll() is None:
        stop()


def test_the_queue_survives_redis_stopping_and_uses_it_again_once_back(
    client_for, personas, flagged, private_redis
):
    stop, restart = private_redis
    client = client_for(personas.reviewer_a)
    cache.set("song", "còn sống")
    assert cache.get("song") == "còn sống"
    assert client.get("/duyet/").status_code == 200

    stop()
    assert cache.get("song") is None  # a miss, not an error
    assert client.get("/duyet/").status_code == 200
    assert client.get(f"/duyet/{flagged.pk}/").status_code == 200

    restart()
    cache.set("song", "lại sống")
    assert cache.get("song") == "lại sống"
    assert client.get("/duyet/").status_code == 200
