"""The image and the compose file, read (Docker cannot run on the CI machines)."""

from __future__ import annotations

import re

import yaml

from tests.workers import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_web_workers_and_beat_wait_for_the_migrate_step_restart_and_have_health_checks():
    services = compose()["services"]
    assert services["migrate"]["restart"] == "no"
    assert "migrate --noinput" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker-checks", "worker", "beat"):
        service = services[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["restart"] == "unless-stopped"
        assert service["healthcheck"]["test"], name
        assert service["environment"]["SITE_URL"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert services["web"]["command"] == ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]
    assert "mailpit" in services


def test_the_workers_together_consume_every_queue_and_checks_have_their_own():
    from django.conf import settings

    services = compose()["services"]
    consumed = set()
    for name in ("worker-checks", "worker"):
        command = services[name]["command"]
        consumed |= set(command[command.index("-Q") + 1].split(","))
    assert consumed == set(settings.CELERY_QUEUE_NAMES)
    checks = services["worker-checks"]["command"]
    assert checks[checks.index("-Q") + 1] == "checks"


def test_the_image_collects_static_files_with_the_production_settings():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile
    assert "collectstatic" in dockerfile
    assert 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "var"} <= set(ignored)


def test_no_vendored_file_points_at_a_source_map_that_is_not_there():
    # The manifest storage follows sourceMappingURL; a missing map fails collectstatic.
    missing = []
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for target in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="ignore")):
            if not target.startswith("data:") and not (path.parent / target).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {target}")
    assert missing == []
