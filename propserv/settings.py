"""PropServ settings: one module, configured through environment variables (12-factor).

When DATABASE_URL / REDIS_URL are not set, the URLs of the embedded development services that
`python -m propserv.launcher` started are read from ./var/embedded.json. Nothing here starts a
process: importing settings must stay side-effect free.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PROPSERV_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def _embedded_urls() -> dict:
    """URLs written by the launcher while the embedded services run (empty when they don't)."""
    try:
        return json.loads((VAR_DIR / "embedded.json").read_text())
    except (OSError, ValueError):
        return {}


_EMBEDDED = _embedded_urls()
DATABASE_URL = env("DATABASE_URL") or _EMBEDDED.get("DATABASE_URL", "")
REDIS_URL = env("REDIS_URL") or _EMBEDDED.get("REDIS_URL", "")

DEBUG = env_bool("DEBUG", False)
# The default key is for the embedded development setup only; production sets SECRET_KEY (compose
# refuses to start without it). The "django-insecure-" prefix makes `manage.py check --deploy` say so.
SECRET_KEY = env("SECRET_KEY", "django-insecure-propserv-development-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "propserv",
    "tickets",
    "visits",
    "keys",
    "fees",
    "inspections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response: no inline script (docs/deploy.md).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses an oversized body by its Content-Length, before CSRF's check reads a form post.
    "propserv.middleware.BodySizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into propserv.middleware.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "propserv.urls"
WSGI_APPLICATION = "propserv.wsgi.application"

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
                "propserv.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or "postgresql://postgres@localhost/propserv",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if env_bool("DB_TRANSACTION_POOLING"):
    # Behind PgBouncer in transaction mode a named cursor would outlive its transaction's
    # connection; `.iterator()` then reads in chunks on ordinary cursors (docs/deploy.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if env_bool("DB_ASYNC_COMMIT"):
    # Set by `make test` only: throw-away test databases need not wait for the disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: a locked-out username or address is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "propserv.authentication.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (docs/deploy.md, "Security settings"): after AXES_FAILURE_LIMIT failed logins a
# username, and separately an address, is blocked for AXES_COOLOFF_MINUTES, on the login form,
# the admin and /api/v1/auth/token/ alike; the supervisor can unblock sooner (/accounts/lockouts/).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "propserv.middleware.lockout_response"
AXES_CLIENT_IP_CALLABLE = "propserv.authentication.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# API tokens expire (and die with a password change, deactivation or logout).
API_TOKEN_TTL_DAYS = int(env("API_TOKEN_TTL_DAYS", "30"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Front-desk staff work in Chinese; English is one click away.
LANGUAGE_CODE = env("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# The core catalogue is also a LOCALE_PATHS entry, which Django ranks above every installed app:
# our words win where django.contrib uses the same msgid ("Filter", "Summary", "Key" …; docs/glossary.md).
LOCALE_PATHS = [BASE_DIR / "propserv" / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
# Serve straight from the app folders too, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
STATICFILES_DIRS = [BASE_DIR / "propserv" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "propserv@localhost")
# A mail server that accepts and never answers must not hold a worker for ever.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "10"))

# Channels every notification goes through; SMS or WeCom plug in here by dotted path.
NOTIFICATION_CHANNELS = env_list(
    "NOTIFICATION_CHANNELS",
    "propserv.notifications.InAppChannel,propserv.notifications.EmailChannel",
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so a missing or bad token is answered 401 with WWW-Authenticate.
        "propserv.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "propserv.rest.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["propserv.rest.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "propserv.rest.exception_handler",
    # The token endpoint is throttled per address (besides the lockout): password guessing.
    "DEFAULT_THROTTLE_RATES": {"auth-token": env("API_TOKEN_RATE", "20/min")},
    # Behind our proxy the last X-Forwarded-For entry is the caller (as for the lockout).
    "NUM_PROXIES": 1 if env_bool("BEHIND_PROXY") else None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PropServ API",
    "DESCRIPTION": "Front-desk system of a property-management customer-service centre.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set where several models name a field alike (status, channel …).
    "ENUM_NAME_OVERRIDES": {
        "RepairStatusEnum": "tickets.models.Repair.Status",
        "ComplaintStatusEnum": "tickets.models.Complaint.Status",
        "ComplaintCategoryEnum": "tickets.models.Complaint.Category",
        "GradeEnum": "tickets.models.Complaint.Grade",
        "TicketChannelEnum": "tickets.models.repairs.Channel",
        "ReplyChannelEnum": "tickets.models.ComplaintReply.Channel",
        "CallOutcomeEnum": "tickets.models.CallbackAttempt.Outcome",
        "VisitStatusEnum": "visits.models.Visit.Status",
        "VisitCategoryEnum": "visits.models.Visit.Category",
        "NoticeKindEnum": "visits.models.Notice.Kind",
        "NoticeCallOutcomeEnum": "visits.models.NoticeCall.Outcome",
        # named once where another "kind" or "slot" field would clash; the departments (a
        # complaint's, a quality defect's specialty, a transfer's) under one name
        "QualityCheckKindEnum": "inspections.models.quality.CheckKind",
        "WeatherWarningKindEnum": "inspections.models.quality.WeatherWarning.Kind",
        "ParcelKindEnum": "visits.models.gate.Parcel.Kind",
        "CommonPatrolSlotEnum": "visits.models.patrols.CommonPatrol.Slot",
        "RenovationPatrolSlotEnum": "inspections.models.patrols.Patrol.Slot",
        "DepartmentEnum": "propserv.models.departments.Department",
    },
    # Enum components, then the shared references (estate, unit, building) named once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "propserv.openapi.describe_shared_references",
        "propserv.openapi.document_errors",
    ],
    # The schema and Swagger pages are for staff: a session or a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Celery: JSON only, late acks so a killed worker's task is redelivered, never long ETAs
# (the deadline sweep in PostgreSQL is the timer; see docs/architecture.md, "Deadlines").
CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1) if REDIS_URL else "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # Publishing must fail fast when Redis is down (the caller then works inline, see
    # propserv.notifications): a few quick retries, never kombu's endless reconnect loop.
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
DEADLINE_SWEEP_SECONDS = float(env("DEADLINE_SWEEP_SECONDS", "2"))
BEAT_HEARTBEAT_SECONDS = float(env("BEAT_HEARTBEAT_SECONDS", "10"))
# How long an API Idempotency-Key is remembered (propserv.idempotency): a retry window.
IDEMPOTENCY_KEEP_HOURS = int(env("IDEMPOTENCY_KEEP_HOURS", "48"))

DEMO_PASSWORD = env("DEMO_PASSWORD", "demo12345")

# Served over HTTPS (production: HTTPS=1, see docs/deploy.md): secure cookies, redirect plain HTTP,
# HSTS for a year. Each can still be set on its own.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# The load balancer's health check may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
# Content-Security-Policy (django-csp): scripts only from our own static files, never inline
# (print buttons and pages bind their handlers in propserv/static/*.js); inline styles remain
# allowed (the print views' <style>, chart sizes); images may be data: URIs (QR codes, charts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# Bodies: anonymous callers at most 16 MB (the resident form), signed-in staff 64 MB;
# refused by Content-Length before anything reads them (propserv.middleware).
MAX_ANONYMOUS_BODY_BYTES = int(env("MAX_ANONYMOUS_BODY_MB", "16")) * 1024 * 1024
MAX_REQUEST_BODY_BYTES = int(env("MAX_REQUEST_BODY_MB", "64")) * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Every failed login is logged at INFO by django-axes; its lockouts are WARNINGs.
        "axes": {"level": env("AXES_LOG_LEVEL", "WARNING")},
    },
}

# --- Celery reliability (tuned by the fault suite, bench/README.md "Faults") ------------------------
# How often beat retries undelivered notifications, and how old a row must be before it is retried
# (younger rows still have their own delivery task on the way).
NOTIFICATION_RETRY_SECONDS = float(env("NOTIFICATION_RETRY_SECONDS", "60"))
# A channel whose server timed out is left alone this long by each worker process
# (propserv.notifications: the sweep keeps its pace while a mail server hangs).
NOTIFICATION_PAUSE_SECONDS = float(env("NOTIFICATION_PAUSE_SECONDS", "30"))
# Worker and beat retry a lost broker every ≤ 2 s (kombu backs off 2, 4 … 30 s), for ever, so the
# deadline sweep resumes within seconds of Redis returning (bench/README.md, "Faults").
CELERY_WORKER_CONSUMER = "propserv.celery:PromptReconnectConsumer"
CELERY_BEAT_SCHEDULER = "propserv.celery:PromptReconnectScheduler"
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
BROKER_RECONNECT_MAX_SECONDS = float(env("BROKER_RECONNECT_MAX_SECONDS", "2"))
