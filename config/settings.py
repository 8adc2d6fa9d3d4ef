"""Tongxin settings: one file, driven by the environment.

DATABASE_URL        PostgreSQL in production (postgres://user@host/db); SQLite in var/ otherwise.
TONGXIN_SECRET_KEY  Django secret key; a development key is used when unset and dev keys are on.
TONGXIN_PII_KEY     key for personal data at rest (AES-GCM) and the blind index (HMAC).
TONGXIN_DEBUG       "1" for Django's debug pages (the default), "0" for Tongxin's own error pages.
TONGXIN_DEV_KEYS    "1" allows the development keys and plain-http cookies (a local demo, such
                    as `make run`); defaults to TONGXIN_DEBUG. Never "1" in production.
TONGXIN_REDIS_URL   a Redis server for the cache (redis://127.0.0.1:6379/0), so that every web
                    worker counts rate limits together; local memory per process when unset.
TONGXIN_REPLICA_URL PostgreSQL streaming replicas (comma-separated URLs) for the heavy reads
                    (tongxin/core/replica.py); everything reads the primary when unset.
TONGXIN_SESSIONS    "cache": sessions and the signed-in user live in the Redis cache (needs
                    TONGXIN_REDIS_URL), so pages read from a replica ask the primary nothing;
                    "db" (the default): sessions are database rows.
TONGXIN_TASK_BACKEND "rq": tasks through Redis (django-tasks-rq on TONGXIN_REDIS_URL) and
                    `manage.py rqworker` workers; "db" (the default): tasks are database rows.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.replicas import replica_databases

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TONGXIN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Uploaded files (attachments, photos): outside static and media, served only by scoped views.
UPLOAD_ROOT = Path(os.environ.get("TONGXIN_UPLOAD_ROOT", VAR_DIR / "uploads"))

DEBUG = os.environ.get("TONGXIN_DEBUG", "1") == "1"
# Debug pages and development keys are separate switches: `make run` shows the production error
# pages (no route lists) while still running on the development keys with the demo data.
DEV_KEYS = os.environ.get("TONGXIN_DEV_KEYS", "1" if DEBUG else "0") == "1"
SECRET_KEY = os.environ.get("TONGXIN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEV_KEYS:
        raise RuntimeError("TONGXIN_SECRET_KEY must be set when TONGXIN_DEV_KEYS=0")
    # (development only: refused above when TONGXIN_DEV_KEYS=0)
    SECRET_KEY = "tongxin-development-only-secret-key-change-me"  # noqa: S105

# Personal-data key: base64 of 32 bytes, or any passphrase (stretched with SHA-256).
PII_KEY = os.environ.get("TONGXIN_PII_KEY", "")
if not PII_KEY:
    if not DEV_KEYS:
        raise RuntimeError("TONGXIN_PII_KEY must be set when TONGXIN_DEV_KEYS=0")
    PII_KEY = "tongxin-development-only-pii-key"
PII_KEY_ID = os.environ.get("TONGXIN_PII_KEY_ID", "k1")
# Earlier keys, still needed to read values until `manage.py rotate_pii_key` has re-encrypted
# them: "k0=<key>,k00=<key>".
PII_OLD_KEYS = dict(
    item.split("=", 1)
    for item in os.environ.get("TONGXIN_PII_OLD_KEYS", "").split(",")
    if "=" in item
)

ALLOWED_HOSTS = [h for h in os.environ.get("TONGXIN_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("TONGXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI from our own static files: the API docs work offline
    "treebeard",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "tongxin.core",
    "tongxin.accounts",
    "tongxin.geo",
    "tongxin.orgs",
    "tongxin.members",
    "tongxin.inbox",
    "tongxin.transfers",
    "tongxin.dual_reports",
    "tongxin.rosters",
    "tongxin.dues",
    "tongxin.grids",
    "tongxin.meetings",
    "tongxin.cases",
    "tongxin.visits",
    "tongxin.centers",
    "tongxin.volunteering",
    "tongxin.redmap",
    "tongxin.sharing",
    "tongxin.projects",
    "tongxin.appraisal",
    "tongxin.powers",
    "tongxin.deliberation",
    "tongxin.aid",
    "tongxin.points",
    "tongxin.auditing",
    "tongxin.alerts",
    "tongxin.insights",  # after every app: its demo runs last, its metrics discovered in ready()
    "tongxin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON are compressed here (static files come pre-compressed from collectstatic).
    # BREACH: a compressed page that reflects input next to a secret can leak the secret byte by
    # byte. Django masks the CSRF token afresh on every response and GZipMiddleware pads each
    # response with random bytes (Django ≥ 4.2); pages show a member's ID or phone number only
    # after an explicit, rate-limited and audited reveal. A proxy compressing instead is fine.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongxin.core.middleware.SessionRefreshMiddleware",
    "tongxin.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tongxin.core.middleware.ScopeMiddleware",
    "tongxin.core.middleware.SecurityHeadersMiddleware",
    "tongxin.core.middleware.BadInputMiddleware",
    # django-axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tongxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongxin.core.context.navigation",
                "tongxin.core.replica.data_as_of_context",
            ],
        },
    },
]

SQLITE_PATH = Path(os.environ.get("TONGXIN_SQLITE_PATH", VAR_DIR / "tongxin.sqlite3"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # WAL lets the task worker and the web server work side by side.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Keep a connection per worker thread: opening one runs the PRAGMAs above.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }

# Read replicas (docs/operations.md §2): only reads marked reads_from_replica() go there.
TONGXIN_REPLICA_MAX_LAG = float(os.environ.get("TONGXIN_REPLICA_MAX_LAG", "10"))
TONGXIN_REPLICA_CHECK_SECONDS = float(os.environ.get("TONGXIN_REPLICA_CHECK_SECONDS", "5"))
TONGXIN_READ_YOUR_WRITES_SECONDS = int(os.environ.get("TONGXIN_READ_YOUR_WRITES_SECONDS", "15"))
DATABASES.update(
    replica_databases(
        os.environ.get("TONGXIN_REPLICA_URL", ""),
        DATABASES["default"],
        connect_timeout=int(os.environ.get("TONGXIN_REPLICA_CONNECT_TIMEOUT", "2")),
    )
)
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["tongxin.core.replica.ReplicaRouter"]
    # After authentication (it reads the user), before the views.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "tongxin.core.replica.ReplicaMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "tongxin.accounts.lockout.LoginBackend",
    "tongxin.accounts.backends.AccountBackend",
    # Sessions signed in before AccountBackend existed name this one; it reads the same users.
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "tongxin.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tongxin.accounts.validators.MixedCharactersValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after 5 failed logins of one account from one address, so that one person's typos do
# not lock a whole office behind one NAT address; an address alone is locked after many more
# failures across its accounts (tongxin/accounts/lockout.py; DESIGN §3.5).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("TONGXIN_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tongxin.accounts.views.lockout"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "tongxin.core.request_context.client_ip"
# Number of trusted reverse proxies in front of the app (0: clients connect directly).
PROXY_COUNT = int(os.environ.get("TONGXIN_PROXY_COUNT", "0"))

SESSION_COOKIE_AGE = 30 * 60  # staff sessions expire after 30 idle minutes
# The idle expiry is pushed back at most once a minute (tongxin.core.middleware.
# SessionRefreshMiddleware), not written on every request: less than the two minutes by which
# the session-timeout warning (data-warn) comes first.
SESSION_SAVE_EVERY_REQUEST = False
TONGXIN_SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A local demo runs over plain http: secure-only cookies would never come back.
SESSION_COOKIE_SECURE = not DEV_KEYS
CSRF_COOKIE_SECURE = not DEV_KEYS

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tongxin" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "tongxin" / "static"]
# Production (TONGXIN_DEBUG=0) serves what collectstatic built: fingerprinted names
# (app.3f2a….css) with gzip copies beside them, and WhiteNoise sends those names with a ten-year
# immutable cache. The manifest needs collectstatic first, so development and the test suite
# (fresh clones, no collectstatic) serve the source files through the finders instead.
STATIC_MANIFEST = os.environ.get("TONGXIN_STATIC_MANIFEST", "0" if DEBUG else "1") == "1"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# Tasks: rows in the database (the default; `manage.py db_worker`), or Redis queues through
# django-tasks-rq (`manage.py rqworker`); the task code is the same.
TASK_BACKEND = os.environ.get("TONGXIN_TASK_BACKEND", "db").strip().lower() or "db"
TASKS: dict[str, dict[str, Any]]
if TASK_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASK_BACKEND == "rq":
    if not os.environ.get("TONGXIN_REDIS_URL"):
        raise ImproperlyConfigured(
            "TONGXIN_TASK_BACKEND=rq needs TONGXIN_REDIS_URL (redis://host:6379/0)."
        )
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db") + 1, "django_rq")
    TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    }
    RQ_QUEUES = {
        "default": {"URL": os.environ["TONGXIN_REDIS_URL"], "DEFAULT_TIMEOUT": 3600},
    }
else:
    raise ImproperlyConfigured(f"TONGXIN_TASK_BACKEND must be 'db' or 'rq', not {TASK_BACKEND!r}.")

# Redis, when named, also holds the periodic scheduler's lock (tongxin/core/periodic.py).
REDIS_URL = os.environ.get("TONGXIN_REDIS_URL", "")

# The cache holds rate-limit counters (Open311 keys, resident registration). Local memory is
# per process; with several web workers, name a Redis server so that they count together.
if os.environ.get("TONGXIN_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TONGXIN_REDIS_URL"],
        }
    }

# Sessions in the shared cache (a cluster: docs/operations.md). Local memory is per process, so
# this needs Redis; the signed-in user is cached beside the session for a minute.
SESSIONS = os.environ.get("TONGXIN_SESSIONS", "db")
if SESSIONS == "cache":
    if not os.environ.get("TONGXIN_REDIS_URL"):
        raise ImproperlyConfigured(
            "TONGXIN_SESSIONS=cache needs TONGXIN_REDIS_URL: every app server must see the "
            "same sessions."
        )
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    TONGXIN_USER_CACHE_SECONDS = int(os.environ.get("TONGXIN_USER_CACHE_SECONDS", "60"))
elif SESSIONS != "db":
    raise ImproperlyConfigured(f"TONGXIN_SESSIONS must be 'db' or 'cache', not {SESSIONS!r}.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGXIN_LOG_LEVEL", "WARNING")},
}

# Pagination of every list page and API list.
PAGE_SIZE = 20

# Limits for uploaded spreadsheets (tongxin/rosters/reading.py has the defaults and reasons).
_SHEET_LIMITS = ("UNCOMPRESSED", "ENTRIES", "ROWS", "COLUMNS", "CELLS", "CELL_CHARS", "MEMORY")
for _name in (*_SHEET_LIMITS, "CPU_SECONDS"):
    if os.environ.get(f"TONGXIN_SHEET_MAX_{_name}"):
        globals()[f"TONGXIN_SHEET_MAX_{_name}"] = int(os.environ[f"TONGXIN_SHEET_MAX_{_name}"])
