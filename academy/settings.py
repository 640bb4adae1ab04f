"""Academy settings, read from environment variables (see .env.example).

Defaults are the embedded run: SQLite and a filesystem Celery broker under var/, email to the
console, DEBUG off. The embedded run sets ACADEMY_EMBEDDED=1 (DEBUG on, a per-install secret in
var/); a production deployment sets DJANGO_SECRET_KEY and the URLs of its services.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(env.str("ACADEMY_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)
# After .env is read, so that ACADEMY_VAR_DIR may be set there too.
VAR_DIR = Path(env.str("ACADEMY_VAR_DIR", default=str(BASE_DIR / "var")))

# Safe when nothing is set: DEBUG off and no start without a secret key. The embedded run
# (`make run`, `make test`) sets ACADEMY_EMBEDDED=1, which turns DEBUG on and keeps a random
# secret per install in var/secret_key (never a key shared by every install, which would let
# anyone forge email confirmation links).
EMBEDDED = env.bool("ACADEMY_EMBEDDED", default=False)
DEBUG = env.bool("DJANGO_DEBUG", default=EMBEDDED)


def _embedded_secret_key(var_dir: Path) -> str:
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or (
    _embedded_secret_key(VAR_DIR) if EMBEDDED else ""
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to a long random string (see .env.example), or set "
        "ACADEMY_EMBEDDED=1 for a local embedded run (`make run` does)."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("ACADEMY_SITE_URL", default="http://127.0.0.1:8000")
# xAPI (docs/integrations.md). The IRI base names every activity: set it once, never change it
# (a moved site keeps it), or the LRS sees new activities. The home page is the actor's.
XAPI_IRI_BASE = env.str("XAPI_IRI_BASE", default=f"{SITE_URL}/xapi")
XAPI_HOME_PAGE = env.str("XAPI_HOME_PAGE", default=SITE_URL)
XAPI_BATCH_SIZE = env.int("XAPI_BATCH_SIZE", default=100)
XAPI_TIMEOUT_SECONDS = env.int("XAPI_TIMEOUT_SECONDS", default=20)
XAPI_MAX_BACKOFF_SECONDS = env.int("XAPI_MAX_BACKOFF_SECONDS", default=3600)
XAPI_SENT_RETENTION_DAYS = env.int("XAPI_SENT_RETENTION_DAYS", default=30)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_celery_beat",
    "academy",
    "accounts",
    "agencies",
    "courses",
    "learning",
    "reminders",
    "reports",
    "provisioning",
    "sso",
    "xapi",
    "live",
    "policies",
    "credentials",
    "ehri",
    "practice",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "academy.middleware.LocaleMiddleware",  # Django's, no path lookups without i18n_patterns
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",  # the user from the shared cache
    # Before SessionLifetimeMiddleware, which tells the user why they were signed out.
    "academy.middleware.MessageMiddleware",  # Django's, the storage class imported once
    "accounts.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "academy.middleware.CSPMiddleware",  # django-csp's, the header built once per process
]

ROOT_URLCONF = "academy.urls"
WSGI_APPLICATION = "academy.wsgi.application"

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
                "agencies.context_processors.acting_membership",
                "reminders.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'academy.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server, the worker and beat share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with the health check asking the socket instead of sending SELECT 1.
    DATABASES["default"]["ENGINE"] = "academy.postgresql"
# The hot reads compiled once per process (academy.prepared) also run as statements prepared
# on the PostgreSQL server, not parsed and planned on every call. Switch off behind a pooler that
# cannot keep them (PgBouncer in transaction mode before 1.21; docs/deploy.md).
ACADEMY_PREPARED_STATEMENTS = env.bool("DJANGO_DB_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A real cache, shared by every process: allauth's login rate limits live here.
CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
    # Template fragments that are the same for everyone and change only with a deploy (the
    # banner, the footer): kept in each process, so they cost no round trip.
    # Per-process rendered fragments (academy/fragments.py): the page shell, lesson players,
    # catalog and My learning cards. An entry's key changes with its content; the bound only
    # caps memory (a cull costs renders, never correctness).
    "fragments": {
        "BACKEND": "academy.fragments.FragmentCache",  # LocMemCache, strings not pickled
        "LOCATION": "f",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "academy.cache.RedisCache"  # one client per pool

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: email is the login; sign-up is limited to agency domains by accounts.forms.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.AgencySignupForm",
    "login": "accounts.forms.AgencyLoginForm",
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("ACCOUNT_LOGIN_FAILED_LIMIT", default="5/5m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Academy] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Academy"
# RFC 6238 section 5.2: accept one time step either side, so a code typed as the 30-second
# window turns over (or read from a phone a few seconds off) is not refused.
MFA_TOTP_TOLERANCE = 1
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Sessions end after inactivity and after an absolute lifetime. Read from the shared cache
# (written through to the database); a signed-in request renews the inactivity window at most
# once a SESSION_TOUCH_SECONDS (accounts.middleware.SessionLifetimeMiddleware), so a session ends
# between SESSION_INACTIVITY - TOUCH and SESSION_INACTIVITY after the last request, never later.
SESSION_ENGINE = "accounts.sessions"  # cached_db that survives an unreachable cache
SESSION_INACTIVITY_SECONDS = env.int("SESSION_INACTIVITY_MINUTES", default=30) * 60
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_HOURS", default=12) * 3600
SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_INACTIVITY_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The signed-in user's row is read from the shared cache, not the database, on every request
# (accounts/session_user.py): the session's auth hash is still checked, and every write of the
# row retires the cached copy.
ACADEMY_USER_CACHE = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are private: no URL pattern serves MEDIA_ROOT; views check access and hand the
# file over through academy/files.py (X-Accel-Redirect, a signed S3 URL, or Django itself).
ACADEMY_X_ACCEL_REDIRECT_PREFIX = env.str("ACADEMY_X_ACCEL_REDIRECT_PREFIX", default="")
ACADEMY_S3_BUCKET = env.str("ACADEMY_S3_BUCKET", default="")
if ACADEMY_S3_BUCKET:
    # django-storages' S3Storage (any S3-compatible store); credentials from the usual AWS_*
    # variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the machine's role.
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ACADEMY_S3_BUCKET,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=60),
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Academy <no-reply@academy.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: the embedded default is kombu's filesystem transport under var/broker.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # EHRI: last month's OPM training feed of every reporting agency, early on the 2nd.
    "ehri-monthly-feeds": {
        "task": "ehri.tasks.feeds_monthly_task",
        "schedule": crontab(day_of_month=2, hour=4, minute=0),
    },
    # EHRI: feed exports (files and rows) older than EHRI_FEED_RETENTION_DAYS, nightly.
    "ehri-purge-feeds": {
        "task": "ehri.tasks.feed_exports_purge_task",
        "schedule": crontab(hour=3, minute=40),
    },
    "record-heartbeat": {
        "task": "academy.tasks.heartbeat_task",
        "schedule": timedelta(minutes=1),
    },
    # Reminders: the scan is cheap when nothing is due (one indexed range query).
    "reminders-scan": {
        "task": "reminders.tasks.reminders_scan_task",
        "schedule": timedelta(seconds=env.int("REMINDERS_SCAN_SECONDS", default=60)),
    },
    "reminders-sweep": {
        "task": "reminders.tasks.reminders_sweep_task",
        "schedule": timedelta(minutes=5),
    },
    "reminders-recurrence": {
        "task": "reminders.tasks.recurrence_roll_task",
        "schedule": timedelta(hours=1),
    },
    # Learning: certificates whose validity ran out count as expired (the aggregates move).
    "certificates-expire": {
        "task": "learning.tasks.certificates_expire_task",
        "schedule": timedelta(hours=1),
    },
    "reminders-certificate-expiry": {
        "task": "reminders.tasks.expiry_reminders_task",
        "schedule": timedelta(hours=1),
    },
    # Reports: recompute dashboard aggregates (repairing drift) and snapshot yesterday, nightly.
    "reports-nightly": {
        "task": "reports.tasks.reports_nightly_task",
        "schedule": crontab(hour=1, minute=30),
    },
    "reports-subscriptions": {
        "task": "reports.tasks.report_schedules_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # xAPI: hand each agency's waiting statements to a delivery task (cheap when none wait).
    "xapi-dispatch": {
        "task": "xapi.tasks.xapi_dispatch_task",
        "schedule": timedelta(seconds=env.int("XAPI_DISPATCH_SECONDS", default=60)),
    },
    "xapi-purge": {
        "task": "xapi.tasks.xapi_purge_task",
        "schedule": crontab(hour=3, minute=20),
    },
    "api-idempotency-purge": {
        "task": "api.tasks.idempotency_purge_task",
        "schedule": crontab(hour=3, minute=40),
    },
    "reports-purge": {
        "task": "reports.tasks.report_purge_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # Live sessions: reminders 24 hours and 1 hour before, each written once to ReminderLog.
    "live-session-reminders": {
        "task": "live.tasks.session_reminders_task",
        "schedule": timedelta(minutes=1),
    },
    # AI policy: reminders to acknowledge it, each written once before it is sent.
    "policies-reminders": {
        "task": "policies.tasks.policy_reminders_scan_task",
        "schedule": timedelta(hours=1),
    },
}

# OPM training feed (EHRI) exports, their files and what they reported are deleted this many
# days after they were produced (long enough to answer OPM about last year's submissions).
EHRI_FEED_RETENTION_DAYS = env.int("EHRI_FEED_RETENTION_DAYS", default=400)

# Report files (and their ReportRun rows) are deleted this many days after they were requested.
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=30)
# A report still queued or running after this long is marked failed (its worker was lost).
REPORT_STUCK_HOURS = env.int("REPORT_STUCK_HOURS", default=6)

# Reminders (see reminders/conf.py for what each one does).
REMINDERS_SEND_CHUNK = env.int("REMINDERS_SEND_CHUNK", default=200)
REMINDERS_MAX_ATTEMPTS = env.int("REMINDERS_MAX_ATTEMPTS", default=5)
REMINDERS_RETRY_BASE_SECONDS = env.int("REMINDERS_RETRY_BASE_SECONDS", default=30)
REMINDERS_NUDGES_PER_HOUR = env.int("REMINDERS_NUDGES_PER_HOUR", default=50)
REMINDERS_STALE_SENDING_SECONDS = env.int("REMINDERS_STALE_SENDING_SECONDS", default=900)
REMINDERS_REQUEUE_PENDING_SECONDS = env.int("REMINDERS_REQUEUE_PENDING_SECONDS", default=300)

# Production hardening, on whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

ACADEMY_DEMO_PASSWORD = "academy-demo"

# Agency sign-in (sso/): identity providers must be reached over https, except in the embedded
# run and the tests, whose test providers listen on plain http on loopback.
ACADEMY_SSO_ALLOW_HTTP = env.bool("ACADEMY_SSO_ALLOW_HTTP", default=EMBEDDED)
# `make run` starts a test identity provider on this port for the demo's SSO agency.
ACADEMY_DEMO_IDP_PORT = env.int("ACADEMY_DEMO_IDP_PORT", default=8090)

# /healthz answers {"status": ...} to anyone; its details go to platform admins and to a monitor
# sending "Authorization: Bearer <ACADEMY_HEALTH_TOKEN>". The broker is checked at most this often.
ACADEMY_HEALTH_TOKEN = env.str("ACADEMY_HEALTH_TOKEN", default="")
ACADEMY_HEALTH_BROKER_SECONDS = env.int("ACADEMY_HEALTH_BROKER_SECONDS", default=10)

# Where people write for help; shown on the help, accessibility and privacy pages.
ACADEMY_SUPPORT_EMAIL = env.str("ACADEMY_SUPPORT_EMAIL", default="academy-support@example.gov")

# Hosts whose player pages may be embedded (iframe) for lesson videos; any other video link is
# shown as a plain link. Courses app limits on bundles and attachments live in courses/conf.py.
ACADEMY_VIDEO_EMBED_HOSTS = env.list(
    "ACADEMY_VIDEO_EMBED_HOSTS", default=["www.youtube-nocookie.com", "player.vimeo.com"]
)
# Hosts lesson images may load from (https only) besides the lesson's own attachments; empty by
# default, so no lesson can make learners' browsers call another site.
ACADEMY_IMAGE_HOSTS = env.list("ACADEMY_IMAGE_HOSTS", default=[])

# Content-Security-Policy on every response, in every mode (django-csp): scripts and styles only
# from Academy's own static files (no inline script or style anywhere), images from Academy,
# data: URLs (USWDS icons) and the hosts above, frames only from the video hosts. A deployment
# that serves files from another origin (an S3 bucket's signed URLs) adds it in
# ACADEMY_CSP_FILE_HOSTS. docs/security.md lists the policy; the browser tests fail on any
# violation.
ACADEMY_CSP_FILE_HOSTS = env.list("ACADEMY_CSP_FILE_HOSTS", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            *(f"https://{host}" for host in ACADEMY_IMAGE_HOSTS + ACADEMY_CSP_FILE_HOSTS),
        ],
        "media-src": ["'self'", *(f"https://{host}" for host in ACADEMY_CSP_FILE_HOSTS)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": [f"https://{host}" for host in ACADEMY_VIDEO_EMBED_HOSTS] or ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


# The REST API (api/, docs/integrations.md): OAuth 2.0 client credentials (django-oauth-toolkit;
# client secrets stored hashed), problem-details errors, a rate limit per client on the shared
# cache, and an OpenAPI 3 schema whose Swagger UI is served from drf-spectacular-sidecar.
API_SCOPES = {
    "people:read": "Read the agency's people",
    "people:write": "Create, change and deactivate the agency's people",
    "learning:read": "Read the agency's units, enrollments, completions and learning events",
    "learning:write": "Import the agency's past completions",
    "assignments:write": "Assign training to the agency, a unit or people, and remove it",
    "reports:read": "Request the agency's reports and download them",
}
# A POST's Idempotency-Key is honoured for this long at least (the nightly purge drops older
# ones): a client retrying after a longer outage must use a new key.
API_IDEMPOTENCY_KEY_HOURS = env.int("API_IDEMPOTENCY_KEY_HOURS", default=48)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": API_SCOPES,
    "SCOPES_BACKEND_CLASS": "api.scopes.ClientScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("API_TOKEN_SECONDS", default=3600),
    # Only client credentials are used; every RFC 9700 (OAuth 2.0 Security BCP) behaviour is on,
    # so no legacy flow can be switched on by a client registered elsewhere (check --deploy).
    "PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    **{
        f"COMPLIANT_BCP_RFC9700_{gate}": True
        for gate in (
            "IMPLICIT_GRANT",
            "PASSWORD_GRANT",
            "PKCE_METHOD",
            "ACCESS_TOKEN_TRANSPORT",
            "AUTHZ_RESPONSE_ISS",
            "TOKEN_STORAGE",
            "REFRESH_TOKEN",
            "REDIRECT_URI_SCHEME",
            "REDIRECT_URI_MATCHING",
            "PKCE_REQUIRED",
        )
    },
}
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=100)
# The enrollments feed serves changes once they are this old, longer than any transaction that
# writes enrollments, so a cursor never passes a change that commits late (docs/integrations.md).
API_SYNC_SETTLE_SECONDS = env.int("API_SYNC_SETTLE_SECONDS", default=5)
API_PAGE_SIZE_MAX = env.int("API_PAGE_SIZE_MAX", default=1000)
# The sync feeds (enrollments, learning events) take larger pages: fewer requests for a full
# sync, at the cost of a longer response and more memory in the web process for each page
# (docs/performance.md, "REST API cursor").
API_SYNC_PAGE_SIZE_MAX = env.int("API_SYNC_PAGE_SIZE_MAX", default=5000)
# Once a sync feed's page is served, the next one is read in the background and kept this long
# in the shared cache for the client's next request (api.read_ahead); 0 turns it off.
API_SYNC_READ_AHEAD_SECONDS = env.int("API_SYNC_READ_AHEAD_SECONDS", default=30)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasMethodScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_client": env.str("API_RATE_LIMIT", default="600/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.problem_details_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Academy API",
    "DESCRIPTION": "Academy's REST API for agency integrators (docs/integrations.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}

# Live sessions (live/, docs/events.md): registrants may cancel until this many hours before the
# start; the join link is shown to registrants from this many minutes before the start.
LIVE_CANCEL_CUTOFF_HOURS = env.int("LIVE_CANCEL_CUTOFF_HOURS", default=2)
LIVE_JOIN_OPENS_MINUTES = env.int("LIVE_JOIN_OPENS_MINUTES", default=15)
