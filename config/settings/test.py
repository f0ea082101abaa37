"""Settings for the test suite: real services when the environment names them.

`make test` runs on SQLite with Celery in-process; CI sets DATABASE_URL and
REDIS_URL so the same suite runs on PostgreSQL and Redis.
"""

import os
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import REDIS_URL, env


def _redis_url_of_this_process(url: str) -> str:
    """Under pytest-xdist each test process gets its own Redis database (the next ones
    after the one named), so a real worker started by one process never takes the
    tasks another process sends to its own test database."""
    process = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not process.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{(base + 1 + int(process[2:])) % 16}").geturl()


REDIS_URL = _redis_url_of_this_process(REDIS_URL)
CELERY_BROKER_URL = REDIS_URL or "memory://"

DEBUG = False
SECRET_KEY = "test-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Production's session engine (cache in front of the database), on the one in-memory
# cache of the test process.
SESSION_ENGINE = "core.sessions"
SESSION_CACHE_SECONDS = 300
# A write shows at once on the public pages, so tests can read back what they wrote;
# tests/core/test_page_cache.py checks the production lag on its own.
PUBLIC_PAGE_STALE_SECONDS = 0
AXES_FAILURE_LIMIT = 5
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# A second alias that mirrors the test database, so the read-replica routing
# (config/db_router.py) is tested against a real second connection. Off unless a
# test sets READ_REPLICA_ALIAS.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
READ_REPLICA_ALIAS = None
# Rate limits stay on in tests, loose enough that the suite (one client address, one
# in-memory cache for the whole run) never meets them; tests/security tightens them.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
}
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 10_000
PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = 10_000
