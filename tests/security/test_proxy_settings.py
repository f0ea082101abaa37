"""Finding: production trusted `X-Forwarded-Proto` from any client."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, os; django.setup(); from django.conf import settings; "
    "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
)


def production_setting(**env) -> str:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "probe-" + "x" * 60,
        **env,
    }
    environment.pop("TRUSTED_PROXY_COUNT", None) if "TRUSTED_PROXY_COUNT" not in env else None
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("count", "expected"),
    [(None, "None"), ("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_forwarded_proto_is_trusted_only_behind_a_declared_proxy(count, expected):
    env = {} if count is None else {"TRUSTED_PROXY_COUNT": count}
    assert production_setting(**env) == expected
