"""One variable chooses the settings; the production entry points refuse to start half-set."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.workers import ROOT

SECRET = "a-long-enough-secret-for-the-entry-point-tests-0123456789"


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
    }
    clean.pop("SENTRY_DSN", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_wsgi_runs_the_production_settings_by_default():
    result = run(
        "import config.wsgi; from django.conf import settings; print(settings.SETTINGS_MODULE)",
        SECRET_KEY=SECRET,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "config.settings.production"


def test_asgi_runs_the_production_settings_by_default():
    result = run(
        "import config.asgi; from django.conf import settings; print(settings.SETTINGS_MODULE)",
        SECRET_KEY=SECRET,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "config.settings.production"


def test_wsgi_refuses_to_start_without_secret_key():
    result = run("import config.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_celery_app_run_as_worker_or_beat_defaults_to_production_and_needs_secret_key():
    result = run("from config.celery import app; print(app.conf.broker_url)")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    result = run(
        "from config.celery import app; app.conf.broker_url;"
        "from django.conf import settings; print(settings.SETTINGS_MODULE)",
        SECRET_KEY=SECRET,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("config.settings.production")


def test_every_entry_point_obeys_the_variable_when_it_is_set():
    code = (
        "import config.wsgi, config.celery; from django.conf import settings;"
        "print(settings.SETTINGS_MODULE)"
    )
    result = run(code, DJANGO_SETTINGS_MODULE="config.settings.test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "config.settings.test"
    result = run(
        "import sys; sys.argv = ['manage.py', 'shell', '-c',"
        " 'from django.conf import settings; print(settings.SETTINGS_MODULE)'];"
        " import runpy; runpy.run_path('manage.py', run_name='__main__')"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "config.settings.base"  # manage.py: laptop


def test_plain_http_needs_the_explicit_variable_and_loopback_hosts():
    code = (
        "import config.wsgi; from django.conf import settings;"
        "print(settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE)"
    )
    assert run(code, SECRET_KEY=SECRET).stdout.split() == ["True", "True"]
    insecure = run(code, SECRET_KEY=SECRET, ALLOW_INSECURE_HTTP="1")
    assert insecure.stdout.split() == ["False", "False"], insecure.stderr
    public = run(
        code, SECRET_KEY=SECRET, ALLOW_INSECURE_HTTP="1", ALLOWED_HOSTS="sangkien.congdoan.vn"
    )
    assert public.returncode != 0
    assert "ALLOW_INSECURE_HTTP is only allowed" in public.stderr


def test_sentry_is_on_only_with_a_dsn():
    code = (
        "import config.wsgi, sentry_sdk; from django.conf import settings;"
        "print(sentry_sdk.get_client().is_active())"
    )
    assert run(code, SECRET_KEY=SECRET).stdout.strip() == "False"
    with_dsn = run(code, SECRET_KEY=SECRET, SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert with_dsn.stdout.strip() == "True", with_dsn.stderr


def test_mail_settings_come_from_email_url():
    code = (
        "import config.wsgi; from django.conf import settings;"
        "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT,"
        " settings.EMAIL_USE_TLS, settings.DEFAULT_FROM_EMAIL, settings.SITE_URL)"
    )
    result = run(
        code,
        SECRET_KEY=SECRET,
        EMAIL_URL="smtp+tls://mailer:pw@mail.example.vn:587",
        DEFAULT_FROM_EMAIL="sangkien@example.vn",
        SITE_URL="https://sangkien.example.vn",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.vn",
        "587",
        "True",
        "sangkien@example.vn",
        "https://sangkien.example.vn",
    ]


def test_the_web_process_does_not_load_the_similarity_engine():
    """numpy, scikit-learn and scipy (seconds to import) wait for the first check;
    openpyxl, which imports numpy, waits for the first spreadsheet."""
    code = (
        "import sys, config.wsgi; from django.urls import get_resolver;"
        "get_resolver().url_patterns; import initiatives.services, dedup.tasks;"
        "print(sorted(m for m in ('numpy', 'openpyxl', 'sklearn', 'scipy') if m in sys.modules))"
    )
    result = run(code, SECRET_KEY=SECRET, ALLOW_INSECURE_HTTP="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
