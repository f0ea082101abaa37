"""Production: real secrets, PostgreSQL, Redis, HTTPS. Refuses to start half-configured."""

from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

# Plain HTTP is for one case only: the production smoke run on this machine's loopback.
ALLOW_INSECURE_HTTP = env.bool("ALLOW_INSECURE_HTTP", default=False)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
if ALLOW_INSECURE_HTTP and not set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
    raise ImproperlyConfigured("ALLOW_INSECURE_HTTP is only allowed with loopback ALLOWED_HOSTS.")

# X-Forwarded-Proto is believed only when a proxy in front sets it (TRUSTED_PROXY_COUNT);
# without one, any client could claim HTTPS.
if TRUSTED_PROXY_COUNT > 0:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not ALLOW_INSECURE_HTTP)
SECURE_HSTS_SECONDS = (
    0 if ALLOW_INSECURE_HTTP else env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = not ALLOW_INSECURE_HTTP
CSRF_COOKIE_SECURE = not ALLOW_INSECURE_HTTP
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps (the API docs' bundles carry 2-4 MB ones) are fetched only by a developer's
# open devtools: compressing them took most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# Production mails through SMTP; a missing EMAIL_URL means a local relay.
globals().update(env.email_url("EMAIL_URL", default="smtp://127.0.0.1:25"))
