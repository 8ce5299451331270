"""Django settings, read from the environment through :mod:`tousu.conf`."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url

from tousu.conf import (
    ConfigError,
    env_bool,
    env_date,
    env_int,
    env_list,
    env_str,
    env_timezone,
    var_dir,
)
from tousu.security.crypto import secret_from_env_or_file

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = var_dir()

SECRET_KEY = secret_from_env_or_file("TOUSU_SECRET_KEY", "secret_key")
DEBUG = env_bool("TOUSU_DEBUG", False)
ALLOWED_HOSTS = env_list("TOUSU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tousu.orgs",
    "tousu.policy",
    "tousu.clock",
    "tousu.cases",
    "tousu.privacy",
    "tousu.notify",
    "tousu.audit",
    "tousu.jobs",
    "tousu.reporter",
    "tousu.retention",
    "tousu.api",
    "tousu.desk",
    "tousu.accounts",
    "tousu.reports",
    "tousu.documents",
    "tousu.duty",
    "tousu.orgadmin",
    "tousu.evidence",
    "tousu.portal",
    "tousu.accountability",
    "tousu.remedies",
    "tousu.quality",
    "tousu.procedures",
    "tousu.demo",
    "tousu.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tousu.edge.RefuseImpossibleText",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tousu.desk.middleware.SecurityHeaders",
]

ROOT_URLCONF = "tousu.urls"
WSGI_APPLICATION = "tousu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csrf",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    default_url = f"sqlite:///{VAR_DIR / 'tousu.sqlite3'}"
    url = env_str("DATABASE_URL", default_url)
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:  # unknown scheme, malformed URL
        raise ConfigError(f"DATABASE_URL is not a usable database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on busy_timeout instead of failing
        # with "database is locked" when a read transaction upgrades.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        }
        # Keep connections: opening one runs the PRAGMAs above on every request otherwise.
        config["CONN_MAX_AGE"] = env_int("TOUSU_DB_CONN_MAX_AGE", 60)
        # A file (threads in tests need real concurrency), one per test process.
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    elif engine == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = env_int("TOUSU_DB_CONN_MAX_AGE", 60)
        # Server-side parameters, and statements prepared after 5 uses on a connection
        # (Django disables preparing by default), so PostgreSQL stops planning the same
        # joins on every request. Turn off behind a transaction-pooling pgbouncer.
        config["OPTIONS"] = {
            "server_side_binding": env_bool("TOUSU_DB_SERVER_SIDE_BINDING", True),
            "prepare_threshold": env_int("TOUSU_DB_PREPARE_THRESHOLD", 5, minimum=0) or None,
        }
        # Off by default: a health check is one more round trip on every request. A
        # connection broken by a database restart fails one request, then reconnects.
        config["CONN_HEALTH_CHECKS"] = env_bool("TOUSU_DB_HEALTH_CHECKS", False)
        # One test database per test process, so parallel runs never collide.
        config["TEST"] = {"NAME": f"test_{config.get('NAME', 'tousu')}_{os.getpid()}"}
    else:
        raise ConfigError(f"DATABASE_URL must point at SQLite or PostgreSQL, got {engine!r}")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tousu.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
# Catalogues at the repository root: locale/<lang>/LC_MESSAGES/django.po (msgids are the
# Simplified Chinese strings); `make install` compiles them, the .mo files are not committed.
LOCALE_PATHS = [BASE_DIR.parent / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_timezone("TOUSU_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Front-end packages from npm (htmx, ECharts), copied here by `make install`.
STATICFILES_DIRS = [BASE_DIR / "static"]
(BASE_DIR / "static").mkdir(exist_ok=True)

LOGIN_URL = "desk:accounts:login"
LOGIN_REDIRECT_URL = "desk:root"
SESSION_COOKIE_AGE = env_int("TOUSU_SESSION_SECONDS", 12 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Request bodies: cases carry text; attachments have their own limit below.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TOUSU_MAX_BODY_BYTES", 1_048_576, minimum=1024)

# Attachments (tousu.evidence): each file at most TOUSU_MAX_UPLOAD_BYTES, stored encrypted
# under TOUSU_FILES_DIR (outside the web root and the static files).
TOUSU_MAX_UPLOAD_BYTES = env_int(
    "TOUSU_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024, maximum=1024**3
)
TOUSU_FILES_DIR = Path(env_str("TOUSU_FILES_DIR", str(VAR_DIR / "files"))).resolve()
# Exports built by the job worker (the ledger, the dossier), sealed, kept for 24 hours.
TOUSU_EXPORTS_DIR = Path(env_str("TOUSU_EXPORTS_DIR", str(VAR_DIR / "exports"))).resolve()
# A request of up to one file and the form's fields is parsed in memory, so an upload is
# never written to disk in clear; a larger one (several files at once) spills to a
# private directory under var/ and is removed at the end of the request.
FILE_UPLOAD_MAX_MEMORY_SIZE = TOUSU_MAX_UPLOAD_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "uploads")
(VAR_DIR / "uploads").mkdir(mode=0o700, exist_ok=True)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("TOUSU_MAX_UPLOAD_FILES", 10, minimum=1, maximum=100)

# Jobs: huey on SQLite under var/ by default, on Redis when TOUSU_REDIS_URL is set.
TOUSU_REDIS_URL = env_str("TOUSU_REDIS_URL", "") if "TOUSU_REDIS_URL" in os.environ else ""
TOUSU_JOBS_IMMEDIATE = env_bool("TOUSU_JOBS_IMMEDIATE", False)
TOUSU_REMIND_BEFORE_HOURS = env_int("TOUSU_REMIND_BEFORE_HOURS", 24, minimum=1, maximum=720)
TOUSU_BASE_URL = env_str("TOUSU_BASE_URL", f"http://127.0.0.1:{PORT}")
# Whether the public address was configured (else links point at this machine: warned of
# at start-up, by the system check tousu.W001, and on the box-form print page).
TOUSU_BASE_URL_SET = bool(os.environ.get("TOUSU_BASE_URL"))
_BASE = urlsplit(TOUSU_BASE_URL)
if _BASE.scheme not in {"http", "https"} or not _BASE.netloc:
    raise ConfigError(f"TOUSU_BASE_URL must be an http:// or https:// URL, got {TOUSU_BASE_URL!r}")
# Nothing the organisation records, imports or reports happened before this day.
TOUSU_RECORDS_FLOOR = env_date("TOUSU_RECORDS_FLOOR", date(1990, 1, 1))

# Transport. Served over https (TOUSU_BASE_URL), the session and CSRF cookies go only over
# TLS and browsers are told to keep to https (HSTS) — for this host only unless
# TOUSU_HSTS_INCLUDE_SUBDOMAINS says every subdomain is on TLS too.
_HTTPS = _BASE.scheme == "https"
SESSION_COOKIE_SECURE = env_bool("TOUSU_SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("TOUSU_HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TOUSU_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
# The site's own origin: a form posted through a TLS-terminating proxy passes the CSRF check.
CSRF_TRUSTED_ORIGINS = [f"{_BASE.scheme}://{_BASE.netloc}"]
# Behind a TLS-terminating proxy Django sees plain http. Only when the proxy is trusted to set
# it (and to strip the client's own) does a header such as X-Forwarded-Proto say "https".
_PROTO_HEADER = env_str("TOUSU_TRUSTED_PROXY_PROTO_HEADER", "")
if _PROTO_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROTO_HEADER.upper().replace("-", "_"), "https")
TOUSU_SMS_PROVIDER = env_str("TOUSU_SMS_PROVIDER", "tousu.notify.sms.LoggingSmsProvider")

# E-mail: SMTP when TOUSU_EMAIL_HOST is set, otherwise written to the log (console).
if os.environ.get("TOUSU_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("TOUSU_EMAIL_HOST")
    EMAIL_PORT = env_int("TOUSU_EMAIL_PORT", 25, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("TOUSU_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env_str("TOUSU_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("TOUSU_EMAIL_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("TOUSU_EMAIL_FROM", "tousu@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The public portal (/o/…) leaves no request lines in the logs (server errors excepted);
    # gunicorn's access log skips it through the logger class `tousu run` passes.
    "filters": {"quiet_portal": {"()": "tousu.orgs.management.commands.run.PortalPathFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["quiet_portal"]}},
    "root": {"handlers": ["console"], "level": env_str("TOUSU_LOG_LEVEL", "WARNING")},
}
