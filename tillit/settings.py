"""Settings, read from environment variables with safe defaults.

TILLIT_ENV=production switches on everything `check --deploy` asks for and requires a
real secret key; the default, development, binds to localhost only.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env(name: str, default: str = "") -> str:
    """One environment variable, or the default."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """A yes/no environment variable (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env("TILLIT_DATA_DIR", str(BASE_DIR / "var")))
TILLIT_ENV = env("TILLIT_ENV", "development")
PRODUCTION = TILLIT_ENV == "production"
DEBUG = env_bool("TILLIT_DEBUG", default=not PRODUCTION)


def _secret_key() -> str:
    key = env("TILLIT_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("TILLIT_SECRET_KEY must be set when TILLIT_ENV=production.")
    # Development: a random key kept on disk, so sessions survive a restart.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in env("TILLIT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env("TILLIT_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()
]
SITE_URL = env("TILLIT_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "tillit.core",
    "tillit.org",
    "tillit.instruments",
    "tillit.surveys",
    "tillit.themes",
    "tillit.results",
    "tillit.workshop",
    "tillit.programmes",
    "tillit.steering",
    "tillit.audit",
    "tillit.records",
    "tillit.identity",
    "tillit.api",
    "tillit.examples",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "tillit.core.middleware.RequestSlotsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tillit.core.middleware.UserLanguageMiddleware",
    "tillit.identity.middleware.SingleSignOnMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tillit.urls"
WSGI_APPLICATION = "tillit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tillit.core.context_processors.tillit",
                "tillit.identity.context_processors.login_methods",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'tillit.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", _default_db), conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django turns psycopg's prepared statements off (for connection poolers); on again, they
    # apply only to server-side binding cursors – the ORM binds on the client – that is, to the
    # submit's two statements (surveys/storing.py), whose planning cost more than their work.
    # Behind PgBouncer, use 1.21 or newer with max_prepared_statements set.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
    # A pool per process (psycopg_pool, through Django): `tillit serve` runs threaded workers
    # (hundreds of threads for a workshop's event streams), and a connection kept per thread
    # would pass PostgreSQL's max_connections in a burst of requests. Threads borrow one of at
    # most TILLIT_DB_POOL_SIZE connections for a request and wait for one when all are out.
    # Persistent connections and a pool exclude each other.
    pool_size = int(env("TILLIT_DB_POOL_SIZE", "12"))
    if pool_size > 0:
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": pool_size,
            "timeout": 30,
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside a writer; IMMEDIATE makes a writing transaction take
        # the lock at BEGIN, so two writers queue instead of failing with "database is locked".
        # Checkpoints run in `tillit serve`'s supervisor, not in the commit of a request
        # (tillit/core/database.py); the raised automatic threshold is only a safety net.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA wal_autocheckpoint=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Ordinary requests a web process works on at once (core/middleware.py RequestSlotsMiddleware);
# its other threads wait for a slot or hold a workshop's event stream. 0: no limit. On SQLite
# two (its requests are CPU and one writer at a time); on PostgreSQL one fewer than the pool
# has connections (its requests wait for the server, and more would only wait for a
# connection; the one left is for the process's one piece of long work, `long_work`).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _slots_default = pool_size - 1 if pool_size > 1 else pool_size  # 0: no pool, no limit
else:
    _slots_default = 2
WEB_SLOTS = int(env("TILLIT_WEB_SLOTS", str(_slots_default)))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Shared by every process (rate limits use their own atomic counters, core/throttle.py).
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tillit_cache",
    }
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "tillit.core.auth.EmailBackend",
    "tillit.identity.backends.SingleSignOnBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# Worker processes that lay out a batch of PDF reports (a ZIP of every unit's report), at a
# lower CPU priority than the web server; 1 lays them out in the task worker itself.
REPORT_PROCESSES = int(env("TILLIT_REPORT_PROCESSES", str(os.cpu_count() or 1)))
# Login attempts allowed per (account, client address) pair in the window (the lock-out
# doubles each time it is reached again within a day), and per client address over all
# accounts; password-reset mails per account an hour (core/auth.py).
LOGIN_THROTTLE_ATTEMPTS = int(env("TILLIT_LOGIN_THROTTLE_ATTEMPTS", "5"))
LOGIN_THROTTLE_ADDRESS_ATTEMPTS = int(env("TILLIT_LOGIN_THROTTLE_ADDRESS_ATTEMPTS", "100"))
LOGIN_THROTTLE_WINDOW = int(env("TILLIT_LOGIN_THROTTLE_WINDOW", "900"))
# New answering links a poster code hands out to one client address in the window. Generous:
# the staff of a unit often share one address (the workplace's network); the code's cap on
# links (the unit's headcount) is what protects a small unit, this only slows a script.
CODE_THROTTLE_LINKS = int(env("TILLIT_CODE_THROTTLE_LINKS", "20"))
CODE_THROTTLE_WINDOW = int(env("TILLIT_CODE_THROTTLE_WINDOW", "900"))
PASSWORD_RESET_MAILS_PER_HOUR = int(env("TILLIT_PASSWORD_RESET_MAILS_PER_HOUR", "3"))
# Unknown workshop codes one client may try in the window before it must wait.
JOIN_THROTTLE_ATTEMPTS = int(env("TILLIT_JOIN_THROTTLE_ATTEMPTS", "20"))
JOIN_THROTTLE_WINDOW = int(env("TILLIT_JOIN_THROTTLE_WINDOW", "600"))
# Addresses (or networks, 10.0.0.0/8) of reverse proxies whose X-Forwarded-For is believed;
# from anyone else the header is ignored, since a client can write anything in it.
TRUSTED_PROXIES = [p.strip() for p in env("TILLIT_TRUSTED_PROXIES").split(",") if p.strip()]

LANGUAGE_CODE = "sv"
LANGUAGES = [
    ("sv", _("Swedish")),
    ("da", _("Danish")),
    ("nb", _("Norwegian Bokmål")),
    ("en", _("English")),
]
LANGUAGE_COOKIE_NAME = "tillit_language"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # WhiteNoise warns about a missing STATIC_ROOT even when it serves from the finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Each group of queues gets its own worker process in `tillit serve` (";" between workers,
# "," between the queues of one worker), so a long ZIP of reports or a large import never
# holds up a results refresh or an e-mail: "default" is short work, "imports" the org
# imports, "reports" the report batches.
TASK_WORKER_QUEUES = [
    [q.strip() for q in group.split(",") if q.strip()]
    for group in env("TILLIT_WORKER_QUEUES", "default;imports;reports").split(";")
    if group.strip()
]
# A task worker silent this long is taken for dead, and its running task for cut off.
WORKER_STALE_SECONDS = int(env("TILLIT_WORKER_STALE_SECONDS", "120"))
# Each worker sweeps for cut-off jobs this often (seconds).
WORKER_SWEEP_SECONDS = float(env("TILLIT_WORKER_SWEEP_SECONDS", "60"))
TASKS = {
    "default": {
        "BACKEND": env("TILLIT_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": sorted({"default", "imports", "reports"}.union(*TASK_WORKER_QUEUES)),
    }
}

EMAIL_BACKEND = env("TILLIT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("TILLIT_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("TILLIT_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("TILLIT_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("TILLIT_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("TILLIT_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("TILLIT_FROM_EMAIL", "Tillit <noreply@tillit.invalid>")

# Limits of one import file: data rows (the largest municipality has ~100,000 people and
# ~20,000 units), and the size an .xlsx may unpack to (a 10 MB zip bomb unpacked to 2.8 GB).
IMPORT_MAX_ROWS = int(env("TILLIT_IMPORT_MAX_ROWS", "250000"))
# Cells (rows × columns) held while a file is checked: what bounds an import's memory.
IMPORT_MAX_CELLS = int(env("TILLIT_IMPORT_MAX_CELLS", "3000000"))
IMPORT_MAX_XLSX_BYTES = int(env("TILLIT_IMPORT_MAX_XLSX_MB", "300")) * 1_000_000
# Uploaded import files are read in memory; this bounds them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("TILLIT_SSL_REDIRECT", default=True)
    # Monitoring on the server itself polls over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("TILLIT_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "tillit.core.logs.NoTracebackForRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": env("TILLIT_LOG_LEVEL", "WARNING")},
}
