"""Thaw's one settings module, driven by environment variables with safe defaults.

Self-hosters change behaviour only through ``THAW_*`` variables and ``DATABASE_URL``;
see ``docs/CONFIGURATION.md``. Defaults are safe: DEBUG off, no default accounts,
hosts limited to the site URL, a secret key generated into the data directory.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from thaw.env import envbool, envint, envsecret, envstr, secret_file, vapid_key_file

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = Path(envstr("THAW_DATA_DIR", "./data")).expanduser().resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

DEBUG = envbool("THAW_DEBUG", False)
SECRET_KEY = envsecret("THAW_SECRET_KEY") or secret_file(DATA_DIR / "secret_key")

# --- where Thaw is reachable -------------------------------------------------
SITE_URL = envstr("THAW_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise ImproperlyConfigured(
        f"THAW_SITE_URL={SITE_URL!r} is not a web address: use e.g. https://thaw.example.org"
    )
SITE_HOST = _site.hostname
SITE_IS_HTTPS = _site.scheme == "https"
ALLOWED_HOSTS = sorted(
    {SITE_HOST, "localhost", "127.0.0.1", "[::1]"}
    | {h.strip() for h in envstr("THAW_ALLOWED_HOSTS", "").split(",") if h.strip()}
)
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

# --- applications --------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
    "csp",
    "thaw.core",
    "thaw.accounts",
    "thaw.audit",
    "thaw.safety",
    "thaw.checkins",
    "thaw.assessments",
    "thaw.insights",
    "thaw.grounding",
    "thaw.substances",
    "thaw.exports",
    "thaw.tasks",
    "thaw.circle",
    "thaw.clinic",
    "thaw.schedule",
    "thaw.reminders",
    "thaw.monitoring",
    "thaw.learn",
    "thaw.intake",
]

MIDDLEWARE = [
    "thaw.monitoring.middleware.RequestObservationMiddleware",  # first: request id, metrics
    "django.middleware.security.SecurityMiddleware",
    "thaw.core.delivery.StaticFiles",
    "thaw.core.delivery.PageCompression",
    "thaw.core.delivery.PreloadHeaders",  # after compression in this list: it reads the page before it is compressed
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "thaw.accounts.middleware.PersonTimezoneMiddleware",
    "thaw.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "thaw.accounts.resume.ResumeAfterSignInMiddleware",
    "thaw.accounts.middleware.SignInThrottleMiddleware",
    "thaw.accounts.middleware.IdleSignOutMiddleware",
    "thaw.accounts.middleware.RequireTwoFactorMiddleware",
    "thaw.core.middleware.PrivateCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "thaw.urls"
WSGI_APPLICATION = "thaw.wsgi.application"

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
                "csp.context_processors.nonce",
                "thaw.core.navigation.for_request",
            ],
        },
    },
]

# --- database ------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "thaw.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=envint("THAW_DB_CONN_MAX_AGE", 600, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tuned for a small web app that must not lose an acknowledged write:
    # WAL lets readers run beside the one writer; synchronous=FULL fsyncs the WAL on
    # every commit (a power cut keeps what was acknowledged); IMMEDIATE transactions
    # take the write lock up front so two writers never deadlock on a lock upgrade;
    # thaw.db.sqlite queues writers on a file lock instead of SQLite's sleep-and-retry
    # busy handler (see docs/PERFORMANCE.md).
    DATABASES["default"]["ENGINE"] = "thaw.db.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=FULL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA secure_delete=ON;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA cache_size=-20000"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("THAW_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    SQLITE_WRITE_LOCK = envstr("THAW_SQLITE_WRITE_LOCK", "file")

else:
    # PostgreSQL (docs/DEPLOYING.md): each server process borrows connections from a small
    # psycopg pool (Django's OPTIONS["pool"]) that checks a connection before lending it, or,
    # with THAW_DB_POOL=false (e.g. behind pgbouncer), keeps one persistent connection with
    # Django's health check. Runaway statements and transactions left open are cut off by the
    # server itself, below gunicorn's 30 s worker timeout.
    DB_POOL = envbool("THAW_DB_POOL", True)
    DB_POOL_MIN_SIZE = envint("THAW_DB_POOL_MIN_SIZE", 1, minimum=0)
    DB_POOL_MAX_SIZE = envint("THAW_DB_POOL_MAX_SIZE", 4, minimum=1)
    DB_POOL_TIMEOUT = envint("THAW_DB_POOL_TIMEOUT", 10, minimum=1)
    DB_STATEMENT_TIMEOUT_MS = envint("THAW_DB_STATEMENT_TIMEOUT_MS", 20_000, minimum=0)
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = envint("THAW_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 60_000, minimum=0)
    # DATABASE_URL names a pooler in transaction mode (pgbouncer's pool_mode = transaction): each
    # transaction may get another server connection, so nothing may outlive one. Then no
    # server-side cursors (``.iterator()`` would use them) and no session lock around migrations:
    # servers refuse to migrate through it (docs/DEPLOYING.md, "pgbouncer").
    DB_TRANSACTION_POOLER = envbool("THAW_DB_TRANSACTION_POOLER", False)
    if DB_TRANSACTION_POOLER:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if not DB_TRANSACTION_POOLER:  # pgbouncer refuses startup options: the timeouts go on the role there
        _options["options"] = (f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
                               f" -c idle_in_transaction_session_timeout={DB_IDLE_IN_TRANSACTION_TIMEOUT_MS}")
    if DB_POOL:
        # MIN above MAX is an error `thaw check` and `thaw serve` report (thaw.E020). The pool must
        # still be one psycopg can build: otherwise the checks that read the database would end
        # `thaw check` with psycopg's ValueError before it could name the variables.
        _options["pool"] = {"min_size": min(DB_POOL_MIN_SIZE, DB_POOL_MAX_SIZE), "max_size": DB_POOL_MAX_SIZE,
                            "timeout": DB_POOL_TIMEOUT, "max_idle": 600, "max_lifetime": 1800}
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and authentication --------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = envstr("THAW_EMAIL_VERIFICATION", "none")
ACCOUNT_ALLOW_REGISTRATION = envbool("THAW_SIGNUP_OPEN", True)
ACCOUNT_ADAPTER = "thaw.accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "thaw.accounts.forms.SignupExtra"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
# Thaw counts failed password sign-ins itself (thaw.accounts.throttle) and answers 429;
# allauth's own limit, kept at the same numbers, also covers wrong two-factor codes. Its
# password "key" is the account *and* the address (thaw.accounts.adapter), so that an
# attacker's failures never lock the owner out elsewhere. Both sets of counters live in the
# database cache below, so every app server shares them; it holds enough entries that a
# spray of guesses cannot push counters out of it.
ACCOUNT_RATE_LIMITS = {"login_failed": "100/15m/ip,10/15m/key"}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "thaw_cache",
                      "OPTIONS": {"MAX_ENTRIES": 200_000}}}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "thaw.accounts.mfa.MFAAdapter"
MFA_TOTP_ISSUER = "Thaw"

SESSION_COOKIE_AGE = envint("THAW_SESSION_AGE_SECONDS", 14 * 24 * 3600, minimum=300)
SESSION_COOKIE_HTTPONLY = True
# Idle sign-out: clinicians and admins see other people's data, so they are signed out sooner.
THAW_IDLE_TIMEOUT_CLINICIAN = envint("THAW_IDLE_TIMEOUT_CLINICIAN", 30 * 60, minimum=60)
THAW_IDLE_TIMEOUT_PERSON = envint("THAW_IDLE_TIMEOUT_PERSON", 0, minimum=0)  # 0: only the session age applies
# API tokens end after this many days, and a clinician's or admin's after this many hours unused.
THAW_TOKEN_LIFETIME_DAYS = envint("THAW_TOKEN_LIFETIME_DAYS", 90, minimum=1)
THAW_TOKEN_IDLE_HOURS_CLINICIAN = envint("THAW_TOKEN_IDLE_HOURS_CLINICIAN", 12, minimum=1)
# Brute force (thaw.accounts.throttle): 10 failed sign-ins for one account from one address in
# 15 minutes refuse that address for the account; from 10 failures over all addresses, each
# further try waits a doubling delay, at most THAW_SIGNIN_MAX_DELAY_SECONDS.
THAW_SIGNIN_ACCOUNT_LIMIT = envint("THAW_SIGNIN_ACCOUNT_LIMIT", 10, minimum=1)
THAW_SIGNIN_MAX_DELAY_SECONDS = envint("THAW_SIGNIN_MAX_DELAY_SECONDS", 120, minimum=1)
THAW_SIGNIN_IP_LIMIT = envint("THAW_SIGNIN_IP_LIMIT", 100, minimum=1)
THAW_SIGNIN_WINDOW_SECONDS = envint("THAW_SIGNIN_WINDOW_SECONDS", 15 * 60, minimum=60)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SITE_IS_HTTPS
CSRF_COOKIE_SECURE = SITE_IS_HTTPS
CSRF_COOKIE_HTTPONLY = False

# --- security headers -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31536000 if SITE_IS_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SITE_IS_HTTPS
# Preloading is a promise about a whole domain that is hard to take back: the operator's call.
SECURE_HSTS_PRELOAD = SITE_IS_HTTPS and envbool("THAW_HSTS_PRELOAD", False)
# models.W040: SQLite has no INCLUDE columns; the covering indexes of thaw.checkins.models are
# plain ones there, on purpose (the columns only spare PostgreSQL table reads).
SILENCED_SYSTEM_CHECKS = ["models.W040"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])
SECURE_SSL_REDIRECT = SITE_IS_HTTPS and envbool("THAW_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
_proxies = envint("THAW_TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_PROXY_COUNT = _proxies
if _proxies:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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

# --- time, language, static files -------------------------------------------------
# The languages Thaw speaks, each named in itself (the switcher shows these names). Adding one:
# docs/TRANSLATING.md. A person's own choice, then the browser's, then THAW_LANGUAGE decide.
LANGUAGES = [("en", "English"), ("es", "Español")]
THAW_LANGUAGE = envstr("THAW_LANGUAGE", "en").strip().lower()
# An unknown THAW_LANGUAGE is reported by a system check (thaw.E050); until fixed, English.
LANGUAGE_CODE = THAW_LANGUAGE if THAW_LANGUAGE in dict(LANGUAGES) else "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "thaw_language"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
THAW_DEFAULT_TIMEZONE = envstr("THAW_DEFAULT_TIMEZONE", "UTC")

STATIC_URL = "/static/"
# Collected (hashed names, Brotli and gzip copies) by `thaw serve` and the tests; see thaw/core/delivery.py.
STATIC_ROOT = Path(envstr("THAW_STATIC_ROOT", str(DATA_DIR / "static"))).expanduser().resolve()
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_KEEP_ONLY_HASHED_FILES = True  # pages name files by {% static %}: only hashed names are served
# Source maps (the API docs' bundles carry 5 MB of them) are for developers' tools: not compressed.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = envstr("THAW_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("THAW_FROM_EMAIL", f"Thaw <thaw@{SITE_HOST}>")
# Grams of pure alcohol in one standard drink, the site default (each person can pick their country's).
try:
    THAW_STANDARD_DRINK_GRAMS = float(envstr("THAW_STANDARD_DRINK_GRAMS", "10"))
except ValueError:
    raise ImproperlyConfigured("THAW_STANDARD_DRINK_GRAMS must be a number of grams, e.g. 10 or 14") from None
if not 1 <= THAW_STANDARD_DRINK_GRAMS <= 100:
    raise ImproperlyConfigured("THAW_STANDARD_DRINK_GRAMS must be between 1 and 100 grams")
# How often the worker evaluates "check on me" rules (seconds).
THAW_CHECK_ON_ME_SECONDS = envint("THAW_CHECK_ON_ME_SECONDS", 900, minimum=10)
# SMTP (with THAW_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = envstr("THAW_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("THAW_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = envstr("THAW_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envsecret("THAW_EMAIL_PASSWORD") or ""
EMAIL_USE_TLS = envbool("THAW_EMAIL_TLS", True)
EMAIL_TIMEOUT = 20
# With the file backend (django.core.mail.backends.filebased.EmailBackend): where messages go.
EMAIL_FILE_PATH = str(DATA_DIR / "mail")

# One JSON object per line with the request id (thaw.monitoring.logs); THAW_LOG_FORMAT=text
# for plain lines at a terminal. INFO adds one line per request (route, status, time).
THAW_LOG_FORMAT = envstr("THAW_LOG_FORMAT", "json")
if THAW_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"THAW_LOG_FORMAT={THAW_LOG_FORMAT!r} must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "thaw.monitoring.logs.JsonFormatter"},
                   "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": THAW_LOG_FORMAT}},
    "root": {"handlers": ["stderr"], "level": envstr("THAW_LOG_LEVEL", "WARNING")},
}

# /metrics (Prometheus): closed unless one of these is set. Addresses are the socket's peer,
# never X-Forwarded-For (even with THAW_TRUSTED_PROXY_COUNT): Prometheus connects directly.
THAW_METRICS_ALLOW = envstr("THAW_METRICS_ALLOW", "")
THAW_METRICS_TOKEN = envsecret("THAW_METRICS_TOKEN") or ""

# --- Thaw's own ----------------------------------------------------------------------
THAW_CHECKIN_FUTURE_TOLERANCE_SECONDS = 300
THAW_API_PAGE_MAX = 500
THAW_CRISIS_REGION = envstr("THAW_CRISIS_REGION", "US").upper()
# AUDIT-C: each person's cut-off follows their answer to "which cut-off applies to you"
# (3 for women and when not given, 4 for men). Set this only to override it for everyone.
THAW_AUDIT_C_CUTOFF: int | None = envint("THAW_AUDIT_C_CUTOFF", 0, minimum=0) or None
if THAW_AUDIT_C_CUTOFF is not None and THAW_AUDIT_C_CUTOFF > 12:
    raise ImproperlyConfigured(f"THAW_AUDIT_C_CUTOFF={THAW_AUDIT_C_CUTOFF} is above the AUDIT-C's maximum of 12; "
                               "leave it empty to use each person's own cut-off (3 or 4).")
# Word finding (POST /api/v1/emotions/suggest): suggestions per person per window.
THAW_SUGGEST_LIMIT = envint("THAW_SUGGEST_LIMIT", 60, minimum=1)
THAW_SUGGEST_WINDOW_SECONDS = envint("THAW_SUGGEST_WINDOW_SECONDS", 60, minimum=1)
# Learn comments and contact requests from one address (web form and API together), per hour.
THAW_COMMENT_LIMIT = envint("THAW_COMMENT_LIMIT", 5, minimum=1)
THAW_CONTACT_LIMIT = envint("THAW_CONTACT_LIMIT", 5, minimum=1)
# Contact requests that did not end in an enrolment are deleted this long after their last change.
THAW_CONTACT_RETENTION_DAYS = envint("THAW_CONTACT_RETENTION_DAYS", 180, minimum=1)
# Besides every intake account, who is emailed (without details) when a contact request arrives.
THAW_INTAKE_NOTIFY_EMAIL = envstr("THAW_INTAKE_NOTIFY_EMAIL", "")


def _cadence(raw: str) -> dict[str, int]:
    """``phq9=14,gad7=14`` → {"phq9": 14, "gad7": 14}; days between assessments."""
    cadence: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, _, days = part.partition("=")
        if not days.strip().isdigit() or int(days) < 1:
            raise ImproperlyConfigured(f"THAW_ASSESSMENT_CADENCE: {part!r} must look like phq9=14")
        cadence[key.strip().lower()] = int(days)
    return cadence


THAW_ASSESSMENT_CADENCE = _cadence(envstr("THAW_ASSESSMENT_CADENCE", "phq9=14,gad7=14,pcl5=30,who5=30,auditc=30"))

# --- reminders and Web Push (docs/REMINDERS.md) ---------------------------------------------
# The VAPID key that signs push messages: generated into the data dir on first start.
THAW_VAPID_PRIVATE_KEY = envsecret("THAW_VAPID_PRIVATE_KEY") or vapid_key_file(DATA_DIR / "vapid_private_key.pem")
# Who push services may contact about our messages (a mailto: or https: address).
THAW_VAPID_SUBJECT = envstr("THAW_VAPID_SUBJECT", SITE_URL if SITE_IS_HTTPS else f"mailto:thaw@{SITE_HOST}")
# For tests and local trials only: also allow http:// push endpoints on a loopback address.
THAW_PUSH_ALLOW_LOOPBACK = envbool("THAW_PUSH_ALLOW_LOOPBACK", False)
# How often the worker looks for due reminders (seconds): the most a reminder waits for its turn.
THAW_REMINDER_POLL_SECONDS = envint("THAW_REMINDER_POLL_SECONDS", 10, minimum=1)
