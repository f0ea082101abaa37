"""Settings shared by every environment. Values come from config.env.

Defaults are those of a developer laptop: SQLite under var/, no Redis (Celery
tasks then run in-process), DEBUG off unless DEBUG=1 is set.
"""

from django.utils.translation import gettext_lazy as _

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
    "import_export",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    # ours
    "portal",
    "federation",
    "initiatives",
    "dedup",
    "portal.zalo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.ProfileCompletionMiddleware",
    "portal.middleware.SessionActivityMiddleware",
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

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'sangkien.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.auth_backends.EmailOrPhoneBackend",
    # Social sign-in only (Zalo, Google, Facebook); passwords go through the backend above.
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first (portal/hashers.py); the others only read and upgrade older hashes.
PASSWORD_HASHERS = [
    "portal.hashers.PortalArgon2PasswordHasher",
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

# Self-registration (/tai-khoan/dang-ky/): attempts per address per hour. Generous,
# because a whole factory's workers may share one address while scanning one poster.
REGISTRATION_RATE_LIMIT = env.int("REGISTRATION_RATE_LIMIT", default=30)

# Social sign-in (django-allauth). A provider appears only when its id and secret are set;
# its endpoint URLs can be pointed elsewhere (tests run a provider on 127.0.0.1).
ACCOUNT_ADAPTER = "portal.social.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "portal.social.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
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
USE_THOUSAND_SEPARATOR = True

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
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
# Initiative attachments: per file and per initiative (all its files together).
INITIATIVE_ATTACHMENT_MAX_BYTES = env.int(
    "INITIATIVE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)
INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES = env.int(
    "INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES", default=30 * 1024 * 1024
)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cổng Sáng kiến <no-reply@sangkien.local>")

# Celery: Redis as broker when REDIS_URL is set; otherwise tasks run in-process, so
# `make run` needs no Redis.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A submission must not wait for a broker that is down: fail fast, the sweep catches up.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cổng Sáng kiến API",
    "DESCRIPTION": "API của Chương trình Một triệu sáng kiến (Tổng LĐLĐ Việt Nam).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
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

# The ranking tallies' covering indexes (INCLUDE columns) exist on PostgreSQL only;
# on a SQLite laptop they are plain indexes, which is all a laptop needs.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS += ["models.W040"]
