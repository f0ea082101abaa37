"""Settings for the test suite: real services when the environment names them.

`make test` runs on SQLite with Celery in-process; CI sets DATABASE_URL and
REDIS_URL so the same suite runs on PostgreSQL and Redis.
"""

from .base import *  # noqa: F403
from .base import env

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
SESSION_ENGINE = "portal.sessions"
SESSION_CACHE_SECONDS = 300
# A write shows at once on the public pages, so tests can read back what they wrote;
# tests/portal/test_page_cache.py checks the production lag on its own.
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
