"""Settings for msp, read from the environment (twelve-factor).

Everything is configured here; production behaviour is switched by environment
variables, never by a separate production settings file. See README.md
("Configuration") and .env.example for every variable.
"""

import datetime
from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# DEMO_MODE allows `seed_demo` and shows the demo banner. Never set in production.
DEMO_MODE = env.bool("DEMO_MODE", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")


def _secret_key_is_real(key: str) -> bool:
    """A real key is long, varied and not one of Django's throwaway keys."""
    return (
        len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure")
    )


if not _secret_key_is_real(SECRET_KEY):
    if DEBUG:
        SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value when DEBUG is off "
            "(at least 50 characters; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_forms_gds",
    # Trust (issue 7): sign-in throttling, two-factor, Content-Security-Policy.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "msp",
    "enquiries",
    "outcomes",
    "budgets",
    "django_tasks",
    "django_tasks_db",
]
# The case apps (their pages are for case workers only, their models are
# configured in admin). Named here, the composition root, so msp's own code
# names no domain app (docs/decisions/0019).
MSP_CASE_APPS = ("enquiries", "outcomes", "budgets")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Disabled accounts, 12-hour absolute and 30-minute idle session limits.
    "msp.middleware.SessionLimitsMiddleware",
    # Deny by default: every view needs a login unless marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Signed in with a password but not yet with a second factor: enrol or verify.
    "msp.middleware.TwoFactorMiddleware",
    # Auditors and administrators never open case pages (403).
    "msp.middleware.CaseWorkersOnlyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "msp.middleware.NoStoreForSignedInUsersMiddleware",
    # One audit line per adult for every case page read, and refused lookups.
    "msp.middleware.CaseReadAuditMiddleware",
    # Last, so it sees every sign-in attempt (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "msp.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "msp.context_processors.service",
                "msp.context_processors.notifications",
            ],
            # Filters every page uses: dates (|day, |when, |time_of_day) and
            # someone's own words in quotes (|own_words).
            "builtins": ["msp.templatetags.msp_dates", "msp.templatetags.msp_text"],
        },
    },
]

WSGI_APPLICATION = "msp.wsgi.application"

# SQLite in the project folder by default, so a newcomer needs no server.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler costs more than it saves on this app's short
    # queries (measured: 16 s of compilation on a 3 s dashboard aggregate).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

# Reports, exports and the SAC return read from a PostgreSQL streaming
# replica when one is given; writes, and what a user has just changed, read
# the primary (msp/db_routing.py, decision 0018). Unset: one database.
REPLICA_CONNECT_TIMEOUT = env.int("REPLICA_CONNECT_TIMEOUT", default=2)
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=30)
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", default=60)
if env.str("DATABASE_REPLICA_URL", default=""):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL as well."
        )
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        ATOMIC_REQUESTS=False,
        # Tests read the replica's copy of the test database (created on the
        # primary, replayed by the replica), never a database of its own.
        TEST={"MIRROR": "default"},
    )
    DATABASES["replica"].setdefault("OPTIONS", {})
    DATABASES["replica"]["OPTIONS"].setdefault("options", "-c jit=off")
    DATABASES["replica"]["OPTIONS"].setdefault(
        "connect_timeout", REPLICA_CONNECT_TIMEOUT
    )
    DATABASE_ROUTERS = ["msp.db_routing.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "msp.db_routing.ReadYourWritesMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "msp.User"
# django-axes checks the lockout first, so a locked-out sign-in never reaches
# the password hasher.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# NCSC: length over complexity, and deny common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# Password reset links expire after two hours.
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files: local disk by default; S3-compatible object storage when a
# bucket is configured (install the "s3" extra), so app servers keep no state.
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    DEFAULT_FILE_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
else:
    DEFAULT_FILE_STORAGE_BACKEND = {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
# Documents held with a case (enquiries.models.Document): a storage of their
# own, never served from a URL (downloads go through the access-checked,
# audited view). Local folder by default, outside static files and anything a
# web server serves; S3-compatible object storage (the "s3" extra) with
# DOCUMENTS_STORAGE=s3, in DOCUMENTS_BUCKET or the uploads bucket, private.
DOCUMENTS_STORAGE = env.str("DOCUMENTS_STORAGE", default="local")
if DOCUMENTS_STORAGE == "s3":
    DOCUMENTS_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str(
                "DOCUMENTS_BUCKET",
                default=env.str("AWS_STORAGE_BUCKET_NAME", default=""),
            ),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "location": "documents",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif DOCUMENTS_STORAGE == "local":
    DOCUMENTS_STORAGE_BACKEND = {
        "BACKEND": "msp.storage.PrivateFileSystemStorage",
        "OPTIONS": {
            "location": env.path(
                "DOCUMENTS_FOLDER", default=BASE_DIR / "private" / "documents"
            ),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
else:
    raise ImproperlyConfigured("DOCUMENTS_STORAGE must be 'local' or 's3'")
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_BACKEND,
    "documents": DOCUMENTS_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Upload limits for documents: one file, and all of one adult's documents
# together (withdrawn ones included: they are kept).
DOCUMENT_MAX_MB = env.int("DOCUMENT_MAX_MB", default=20)
DOCUMENT_CASE_MAX_MB = env.int("DOCUMENT_CASE_MAX_MB", default=500)
# The kinds of file accepted, checked from the file's content (the filetype
# library), never from its name: any of pdf, jpg, png, docx, odt, txt.
DOCUMENT_ALLOWED_TYPES = env.list(
    "DOCUMENT_ALLOWED_TYPES", default=["pdf", "jpg", "png", "docx", "odt"]
)
# A virus scanner: the dotted path of a callable taking the file and returning
# the name of what it found ("" when clean). Off by default: a scanner is only
# useful with its signatures kept up to date. enquiries.scanning.clamd_scan
# talks to ClamAV's daemon over CLAMD_SOCKET (a Unix socket) or
# CLAMD_HOST and CLAMD_PORT.
DOCUMENT_VIRUS_SCANNER = env.str("DOCUMENT_VIRUS_SCANNER", default="")
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="/var/run/clamav/clamd.ctl")
CLAMD_HOST = env.str("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.int("CLAMD_TIMEOUT", default=30)

# Letters to the adult and the referrer (issue 17). How to reach the council
# for help, as the words after "If you are worried, ..." in every letter.
LETTER_HELP_CONTACT = env.str(
    "LETTER_HELP_CONTACT",
    default="call the council's adult social care team (the number is on our website)",
)

# Cache (rate limits, throttling): shared between app servers. Redis when
# REDIS_URL is set; otherwise the database (run `manage.py createcachetable`
# once), or process memory when developing.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "msp_cache",
        }
    }

# Background tasks: run at once by default (embedded); in production set
# TASKS_BACKEND=database and run `manage.py db_worker` as a service.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[env.str("TASKS_BACKEND", default="immediate")]
    }
}
# Case imports and exports from the web (outcomes.tasks): an export can be
# downloaded for this many hours; a checked upload nobody confirmed, or a job
# whose worker died, is cleaned up after this many.
INTERCHANGE_EXPORT_HOURS = env.int("INTERCHANGE_EXPORT_HOURS", default=24)
INTERCHANGE_JOB_HOURS = env.int("INTERCHANGE_JOB_HOURS", default=24)
# The private folder uploads and exports wait in: app servers and the task
# worker must share it (a shared volume when they run on different hosts).
INTERCHANGE_FOLDER = env.str("INTERCHANGE_FOLDER", default="")

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email (password reset, referrer confirmations). Console in development.
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="safeguarding@example.org")
# The service's address, for links in e-mails (e.g. https://safeguarding.example.gov.uk).
SITE_URL = env.str("SITE_URL", default="")

# Security: safe by default, relaxed only by explicit variables.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Load balancers probe the health check over plain HTTP: never redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Sessions: 30 minutes idle, ended on browser close. Activity is recorded to
# the minute: the session is saved when it changes, at most once a minute
# for activity alone (msp.middleware.SessionLimitsMiddleware), so reading
# pages does not write to the database on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_TOUCH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# However active, a session ends 12 hours after signing in.
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)

# Content-Security-Policy (django-csp 4): no inline script except with the
# per-request nonce, no framing, nothing loaded from other sites.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor authentication (django-otp): required for everyone unless turned
# off (the demo, and development with DEBUG on).
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=not DEBUG and not DEMO_MODE)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Safeguarding adults")

# Sign-in throttling (django-axes): 5 failures lock the username, and
# separately the IP address, for 30 minutes. Administrators unlock in admin.
# A successful sign-in forgives only that account's own failures from that
# address, never another account's (msp/lockout.py, decision 0016).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "msp.lockout.OwnFailuresOnlyHandler"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Breaking the glass on a restricted record gives this many hours of access.
BREAK_GLASS_HOURS = env.int("BREAK_GLASS_HOURS", default=2)

# The service's own name and the council running it.
SERVICE_NAME = env.str("SERVICE_NAME", default="Safeguarding adults")
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Example Council")
# Where "Exit this page" sends someone, after their session is ended.
EXIT_THIS_PAGE_URL = env.str(
    "EXIT_THIS_PAGE_URL", default="https://www.bbc.co.uk/weather"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; its records are in admin.
        "axes": {"level": "WARNING"},
    },
}

# Password for the demo logins made by `seed_demo` (demo mode only).
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

# The adult's own page (issue 20, docs/decisions/0021-adult-own-page.md).
# Adult sessions end after this long idle (no "remember me"), and after
# ADULT_PAGE_ABSOLUTE_SECONDS however active.
ADULT_PAGE_IDLE_SECONDS = env.int("ADULT_PAGE_IDLE_SECONDS", default=20 * 60)
ADULT_PAGE_ABSOLUTE_SECONDS = env.int(
    "ADULT_PAGE_ABSOLUTE_SECONDS", default=2 * 60 * 60
)
# An invitation link lasts this many days, and works once.
ADULT_PAGE_INVITATION_DAYS = env.int("ADULT_PAGE_INVITATION_DAYS", default=14)
# A sign-in code lasts this many seconds, and works once.
ADULT_PAGE_CODE_SECONDS = env.int("ADULT_PAGE_CODE_SECONDS", default=10 * 60)
# Wrong codes or dates of birth before the page is locked, and for how long.
ADULT_PAGE_MAX_ATTEMPTS = env.int("ADULT_PAGE_MAX_ATTEMPTS", default=5)
ADULT_PAGE_LOCKOUT_MINUTES = env.int("ADULT_PAGE_LOCKOUT_MINUTES", default=30)
# Invitations and codes come from this address: never one that says
# "safeguarding" (a message seen by the wrong person must not give it away).
ADULT_PAGE_FROM_EMAIL = env.str("ADULT_PAGE_FROM_EMAIL", default="no-reply@example.org")
# Text messages: the dotted path of a backend class (enquiries/sms.py).
# Console by default (prints the message); a real provider is a small class
# with send(to, body), e.g. one calling GOV.UK Notify's SMS API.
SMS_BACKEND = env.str("SMS_BACKEND", default="enquiries.sms.ConsoleBackend")
# The adult's page is in English or Polish (docs/decisions/0021); staff
# pages stay in English.
LANGUAGES = [("en-gb", "English"), ("pl", "Polski")]
LOCALE_PATHS = [BASE_DIR / "locale"]
