"""Settings shared by every environment. Values come from config.env.

Defaults are those of a developer laptop: SQLite under var/, no Redis (Celery
tasks then run in-process), DEBUG off unless DEBUG=1 is set.
"""

from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.env import BASE_DIR, env

DEBUG = env.bool("DEBUG", default=False)
# Only a placeholder for development; production.py refuses to start without a real one.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mptt",
    "simple_history",
    "django_htmx",
    "django_celery_beat",
    "accounts.apps.AxesConfig",  # django-axes, with a Vietnamese admin section name
    "health_check",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    # ours, lowest layer first: an app imports only from itself and the apps listed before it
    # (tests/test_layout.py)
    "core",
    "federation",
    "accounts",
    "initiatives",
    "dedup",
    "review",
    "rankings",
    "portal",
    "accounts.zalo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A cached public page for a visitor without a session: answered here, before the
    # layers below (core/page_cache.py).
    "core.page_cache.CachedPublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLanguageMiddleware",
    "portal.middleware.QueryParameterMiddleware",
    "portal.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ProfileCompletionMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last: it has to see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.viewer",
            ],
        },
    },
]

# Widgets through Jinja2 first: half the time of the form pages (core/form_renderer.py).
FORM_RENDERER = "core.form_renderer.JinjaFirstFormRenderer"

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'sangkien.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica (PostgreSQL streaming replica, ideally behind PgBouncer) for the
# views marked @reads_from_replica (config/db_router.py): library and leaderboards.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
READ_REPLICA_ALIAS = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["config.db_router.ReadReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# The public library, leaderboards and dashboard figures are cached under one version
# that every counted write moves (core/page_cache.py); this bounds anything missed.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=300)
# How long after a write an anonymous visitor may still get the page rendered before it:
# in a rush the version moves with every submission, several times a second.
PUBLIC_PAGE_STALE_SECONDS = env.int("PUBLIC_PAGE_STALE_SECONDS", default=10)
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to "no cache" when Redis is down (core/cache.py), never a 500.
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Sessions read from Redis on every request, kept in the database (core/sessions.py):
    # one query less per signed-in page. Not without Redis: a per-process cache would let
    # one gunicorn process serve a session another has ended.
    SESSION_ENGINE = "core.sessions"
    SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=300)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.auth_backends.EmailOrPhoneBackend",
    # Social sign-in only (Zalo, Google, Facebook); passwords go through the backend above.
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first (accounts/hashers.py); the others only read and upgrade older hashes.
PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("full_name", "email", "phone")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login rate limit (django-axes): five failures per account and address, then a pause.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# One account whatever its spelling (case, +84, spaces, dashes), one client address
# whatever X-Forwarded-For says unless the proxies in front are declared (accounts/signin.py).
AXES_USERNAME_CALLABLE = "accounts.signin.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 = none, the
# client is REMOTE_ADDR. Also decides whether X-Forwarded-Proto is trusted (production).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=10)
PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = env.int("PASSWORD_RESET_PER_ACCOUNT_PER_HOUR", default=3)

# Self-registration (/tai-khoan/dang-ky/): attempts per address per hour. Generous,
# because a whole factory's workers may share one address while scanning one poster.
REGISTRATION_RATE_LIMIT = env.int("REGISTRATION_RATE_LIMIT", default=30)

# Social sign-in (django-allauth). A provider appears only when its id and secret are set;
# its endpoint URLs can be pointed elsewhere (tests run a provider on 127.0.0.1).
ACCOUNT_ADAPTER = "accounts.social.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
SOCIALACCOUNT_AUTO_SIGNUP = True
# Only a provider that vouches for the address signs into the account holding it
# (Google, EMAIL_AUTHENTICATION below), and is then connected to it (accounts/social.py).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# allauth's own email login is not used (ours is), and Zalo gives no email: the email
# is optional at social sign-up, which allauth warns about for its login form.
SILENCED_SYSTEM_CHECKS = ["account.W001"]


def _social_provider(prefix: str, endpoints: dict[str, str], **extra) -> dict:
    config = dict(extra)
    client_id, secret = env(f"{prefix}_CLIENT_ID", default=""), env(f"{prefix}_SECRET", default="")
    if client_id and secret:
        config["APPS"] = [{"client_id": client_id, "secret": secret, "key": ""}]
    for name, default in endpoints.items():
        config[name] = env(f"{prefix}_{name}", default=default)
    return config


SOCIALACCOUNT_PROVIDERS = {
    "zalo": _social_provider(
        "ZALO",
        {
            "AUTHORIZE_URL": "https://oauth.zaloapp.com/v4/permission",
            "ACCESS_TOKEN_URL": "https://oauth.zaloapp.com/v4/access_token",
            "PROFILE_URL": "https://graph.zalo.me/v2.0/me",
        },
        OAUTH_PKCE_ENABLED=True,
    ),
    "google": _social_provider(
        "GOOGLE",
        {
            "AUTHORIZE_URL": "https://accounts.google.com/o/oauth2/v2/auth",
            "ACCESS_TOKEN_URL": "https://oauth2.googleapis.com/token",
            "IDENTITY_URL": "https://www.googleapis.com/oauth2/v2/userinfo",
        },
        SCOPE=["profile", "email"],
        OAUTH_PKCE_ENABLED=True,
        FETCH_USERINFO=True,
        EMAIL_AUTHENTICATION=True,  # Google says whether the address is verified
    ),
    "facebook": _social_provider(
        "FACEBOOK",
        {
            "AUTHORIZE_URL": "https://www.facebook.com/v19.0/dialog/oauth",
            "GRAPH_API_URL": "https://graph.facebook.com/v19.0",
        },
        METHOD="oauth2",
        VERSION="v19.0",
        SCOPE=["public_profile", "email"],
    ),
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("Tiếng Anh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Numbers are grouped where they are shown as quantities (intcomma, floatformat "g",
# number_format(force_grouping=True)), never by default: a year or an id in an
# attribute must stay "2025", not "2.025".
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads: keep big files on disk, not in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Our own directory for uploads spooled to disk, so files left by a worker killed
# mid-upload are found and removed (initiatives.tasks.sweep_orphan_files).
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default=str(BASE_DIR / "var" / "upload-tmp"))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
# Non-file form fields and JSON bodies; files are capped by REQUEST_BODY_MAX_BYTES below.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Initiative attachments: per file and per initiative (all its files together).
INITIATIVE_ATTACHMENT_MAX_BYTES = env.int(
    "INITIATIVE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)
INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES = env.int(
    "INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES", default=30 * 1024 * 1024
)

# Request bodies: refused from Content-Length (or while streaming) before they are read.
# Imports take bigger files than the initiative form.
REQUEST_BODY_MAX_BYTES = env.int(
    "REQUEST_BODY_MAX_BYTES", default=INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES + 2 * 1024 * 1024
)
IMPORT_REQUEST_BODY_MAX_BYTES = env.int("IMPORT_REQUEST_BODY_MAX_BYTES", default=210 * 1024 * 1024)
IMPORT_PATH_PREFIXES = ["/sang-kien/nhap/", "/don-vi/nhap/", "/xep-hang/don-vi/"]
FILE_UPLOAD_HANDLERS = [
    "core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Attachment text extraction (a child process per file, see initiatives/extraction.py).
ATTACHMENT_TEXT_LIMITS = {
    "max_pdf_pages": env.int("ATTACHMENT_MAX_PDF_PAGES", default=200),
    "max_zip_entries": env.int("ATTACHMENT_MAX_ZIP_ENTRIES", default=2000),
    "max_zip_inflated_bytes": env.int("ATTACHMENT_MAX_INFLATED_BYTES", default=100 * 1024 * 1024),
    "memory_bytes": env.int("ATTACHMENT_EXTRACT_MEMORY_BYTES", default=1024 * 1024 * 1024),
    "cpu_seconds": env.int("ATTACHMENT_EXTRACT_CPU_SECONDS", default=30),
    # OCR of scans and images (tesseract, Vietnamese) runs inside this wall clock.
    "wall_seconds": env.int("ATTACHMENT_EXTRACT_WALL_SECONDS", default=240),
    "max_ocr_pages": env.int("ATTACHMENT_OCR_MAX_PAGES", default=20),
    "ocr_seconds": env.int("ATTACHMENT_OCR_SECONDS", default=180),
}

# Mail: EMAIL_URL, e.g. smtp://user:password@mail.example.vn:587/?tls=True (django-environ);
# a laptop prints mail on the console. Sends go through Celery (queue "mail"), retried
# with backoff on SMTP/OS errors.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cổng Sáng kiến <no-reply@sangkien.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis as broker when REDIS_URL is set; otherwise tasks run in-process, so
# `make run` needs no Redis.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task has a limit (tasks that need longer declare their own).
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues, most urgent first: a person waiting for their check, then web fetches for the
# Internet check, imports, report renders, mail, and the sweeps that catch up on lost
# work. A worker started without -Q consumes all of them; production also runs a
# worker on "checks" alone, so a check never waits behind bulk work (docker-compose.yml).
CELERY_QUEUE_NAMES = ["checks", "webcheck", "imports", "reports", "mail", "sweeps", "default"]
CELERY_TASK_QUEUES = [Queue(name) for name in CELERY_QUEUE_NAMES]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "dedup.tasks.check_initiative": {"queue": "checks"},
    "dedup.tasks.sweep_unchecked": {"queue": "sweeps"},
    "dedup.tasks.compact_similarity_index": {"queue": "sweeps"},
    "dedup.tasks.web_check_initiative": {"queue": "webcheck"},
    "initiatives.tasks.run_initiative_import": {"queue": "imports"},
    "accounts.tasks.run_unit_import": {"queue": "imports"},
    "rankings.tasks.run_target_import": {"queue": "imports"},
    "accounts.tasks.run_member_import": {"queue": "imports"},
    "core.tasks.sweep_jobs": {"queue": "sweeps"},
    "rankings.tasks.snapshot_weekly_rankings": {"queue": "reports"},
    "rankings.tasks.generate_weekly_reports": {"queue": "reports"},
    "rankings.tasks.generate_weekly_report": {"queue": "reports"},
    "rankings.tasks.send_lagging_reminders": {"queue": "mail"},
    "review.tasks.send_decision_email": {"queue": "mail"},
    "core.tasks.send_outbox_email": {"queue": "mail"},
    "core.tasks.resend_pending_outbox": {"queue": "mail"},
    # Text extraction runs before the check it feeds, with hard limits (a minute at
    # most): on the checks queue so a person's check is not queued behind imports.
    "initiatives.tasks.extract_attachment_text": {"queue": "checks"},
    "initiatives.tasks.sweep_pending_attachment_text": {"queue": "sweeps"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A submission must not wait for a broker that is down: fail fast, the sweep catches up.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    # Redis hands an unacknowledged task (acks_late) to another worker after this long:
    # it must exceed the longest task's time limit (an import: 3 h 5 min), or a long
    # import would run twice.
    "visibility_timeout": 4 * 3600,
}

# Background jobs (imports; core/jobs.py). A running job writes its progress, which is
# also its sign of life, at least every JOB_PROGRESS_SECONDS; one silent for
# JOB_STALE_SECONDS is taken as lost (worker killed) and handed to another worker by the
# sweep, from its last checkpoint, at most JOB_MAX_ATTEMPTS times in all. A queued job
# the broker never received (down at upload) is handed over again after
# JOB_REQUEUE_SECONDS. Imports commit a checkpoint every IMPORT_CHECKPOINT_ROWS rows.
JOB_PROGRESS_SECONDS = env.float("JOB_PROGRESS_SECONDS", default=1.0)
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=180)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
JOB_REQUEUE_SECONDS = env.int("JOB_REQUEUE_SECONDS", default=120)
IMPORT_CHECKPOINT_ROWS = env.int("IMPORT_CHECKPOINT_ROWS", default=100)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Hashed, expiring, revoked by a password change (accounts/api_tokens.py).
        "accounts.api_tokens.HashedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
    },
    # The throttles' client address, as for the login lockout (TRUSTED_PROXY_COUNT).
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
}
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
SPECTACULAR_SETTINGS = {
    "TITLE": "Cổng Sáng kiến API",
    "DESCRIPTION": "API của Chương trình Một triệu sáng kiến (Tổng LĐLĐ Việt Nam).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # 400/401/403/404/405/429 on every operation (portal/api_schema.py).
        "portal.api_schema.document_errors",
    ],
}

# Content-Security-Policy (django-csp): scripts only from this site, never inline; the
# pages' behaviour lives in static/js. Inline style attributes remain (bar widths, tiles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Similarity check (dedup): when a match flags an initiative for review.
DEDUP_FLAG_MIN_COVERAGE = env.float("DEDUP_FLAG_MIN_COVERAGE", default=0.04)
DEDUP_FLAG_MIN_PASSAGE_CHARS = env.int("DEDUP_FLAG_MIN_PASSAGE_CHARS", default=100)
DEDUP_FLAG_MIN_SCORE = env.float("DEDUP_FLAG_MIN_SCORE", default=0.0)
# Initiatives left in "checking" longer than this are checked again by the sweep.
DEDUP_SWEEP_AFTER_MINUTES = env.int("DEDUP_SWEEP_AFTER_MINUTES", default=10)

# The web-copy check (dedup/webcheck/): a search provider finds candidate pages, which
# are downloaded, indexed as sources of kind "web" and checked like the archive. No
# provider configured: the web check is off (and the portal says so).
WEBCHECK_SEARXNG_URL = env("WEBCHECK_SEARXNG_URL", default="")
WEBCHECK_GOOGLE_API_KEY = env("WEBCHECK_GOOGLE_API_KEY", default="")
WEBCHECK_GOOGLE_ENGINE_ID = env("WEBCHECK_GOOGLE_ENGINE_ID", default="")
WEBCHECK_GOOGLE_ENDPOINT = env(
    "WEBCHECK_GOOGLE_ENDPOINT", default="https://www.googleapis.com/customsearch/v1"
)
WEBCHECK_MAX_QUERIES = env.int("WEBCHECK_MAX_QUERIES", default=10)
WEBCHECK_MAX_DOWNLOADS = env.int("WEBCHECK_MAX_DOWNLOADS", default=15)
WEBCHECK_RESULTS_PER_QUERY = env.int("WEBCHECK_RESULTS_PER_QUERY", default=10)
WEBCHECK_MAX_PER_HOST = env.int("WEBCHECK_MAX_PER_HOST", default=4)
WEBCHECK_MAX_PAGE_BYTES = env.int("WEBCHECK_MAX_PAGE_BYTES", default=5 * 1024 * 1024)
WEBCHECK_CONNECT_TIMEOUT = env.float("WEBCHECK_CONNECT_TIMEOUT", default=5.0)
WEBCHECK_READ_TIMEOUT = env.float("WEBCHECK_READ_TIMEOUT", default=10.0)
WEBCHECK_FETCH_SECONDS = env.float("WEBCHECK_FETCH_SECONDS", default=20.0)
WEBCHECK_CACHE_DAYS = env.int("WEBCHECK_CACHE_DAYS", default=30)
WEBCHECK_MAX_RETRIES = env.int("WEBCHECK_MAX_RETRIES", default=3)
WEBCHECK_RETRY_SECONDS = env.float("WEBCHECK_RETRY_SECONDS", default=60.0)
# Tests only: "1" lets the web check fetch from any address, or a comma-separated list
# of networks ("127.0.0.0/8") from those alone. Otherwise private, loopback, link-local
# and metadata addresses are refused, at every redirect hop.
WEBCHECK_ALLOW_PRIVATE_ADDRESSES = env("WEBCHECK_ALLOW_PRIVATE_ADDRESSES", default="")

# The ranking tallies' covering indexes (INCLUDE columns) exist on PostgreSQL only;
# on a SQLite laptop they are plain indexes, which is all a laptop needs.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS += ["models.W040"]

# Error tracking: SENTRY_DSN turns sentry-sdk on; nothing else does.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )
