"""Settings for Liaison, configured entirely from the environment (12-factor).

Production is the default: DEBUG is off and a SECRET_KEY must be supplied.
The demo (``make demo``) turns DEBUG on explicitly; only then is a random
secret key generated and kept under ``var/`` so sessions survive restarts.
"""
import json
import os

import django.conf.locale
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LIAISON_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# DJANGO_ENV=production: what `liaison check --deploy` asks of a deployment (HTTPS
# redirect, HSTS) and JSON logs, on top of the defaults below (docs/operations.md).
PRODUCTION = os.environ.get("DJANGO_ENV", "").strip().lower() == "production"
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on with DJANGO_ENV=production.")


def _secret_key():
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(for example: export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'))."
        )
    # Demo/development only: a per-installation key kept out of the repository.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

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
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally: the centres may have no internet
    "django_filters",
    "simple_history",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "liaison.core",
    "liaison.sharing",
    "liaison.registry",
    "liaison.operations",
    "liaison.audit",
    "liaison.intake",
    "liaison.matching",
    "liaison.requests",
    "liaison.public",
    "liaison.screening",
    "liaison.interop",
    "liaison.federation",
    "liaison.analysis",
    "liaison.web",
    "liaison.api",
    "liaison.demo",
    "liaison.ops",
    "liaison.tasks",
]

MIDDLEWARE = [
    "liaison.ops.metrics.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "liaison.sharing.middleware.ContentSecurityPolicyMiddleware",
    "liaison.ops.health.HealthMiddleware",  # /healthz /readyz /metrics: before sessions, login and 2FA
    "liaison.ops.requestlog.RequestLogMiddleware",  # request id, one log line per request
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "liaison.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "liaison.core.i18n.ReaderLocaleMiddleware",  # the officer's own language and date formats
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "liaison.sharing.middleware.SecondFactorMiddleware",
    "liaison.ops.replica.ReplicaReadMiddleware",  # search, lists, analysis: GET reads from DATABASE_REPLICA_URL
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "liaison.ops.metrics.PrometheusAfterMiddleware",  # latency per view name
    "axes.middleware.AxesMiddleware",  # must stay last: turns a lockout into the lockout page
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

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
                "liaison.federation.context_processors.federation",
            ],
            # Dates, numbers and names in the reader's language on every page (issue 14).
            "builtins": ["liaison.core.templatetags.liaison_i18n"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'liaison.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request reuses it: after a restart of
        # PostgreSQL each worker reconnects instead of failing one request per thread.
        conn_health_checks=True,
    )
}
# A read replica (a PostgreSQL streaming standby of DATABASE_URL): the GET reads of search,
# record lists and analysis pages go there (liaison/ops/replica.py; docs/operations.md
# "Read replica"); writes, transactions and a browser's pages for REPLICA_PIN_SECONDS after
# its own POST stay on the primary. Unset: one database, nothing changes.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True)
DATABASE_ROUTERS = ["liaison.ops.replica.ReplicaRouter"]
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "30"))
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: a bare "example.org" means https
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "sharing.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Languages of the centres' officers (issue 14): each has a complete catalogue in
# liaison/locale. Arabic and French appear in reports and names (isolated with
# <bdi>, see docs/i18n.md), not as interface languages.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("th", "ไทย"),
    ("vi", "Tiếng Việt"),
    ("km", "ខ្មែរ"),
    ("my", "မြန်မာ"),
    ("lo", "ລາວ"),
    ("id", "Bahasa Indonesia"),
    ("ms", "Bahasa Melayu"),
    ("tl", "Filipino"),
]
# Django knows Lao and Filipino from no catalogue of its own; these give their
# names to the language menu and get_language_info().
EXTRA_LANG_INFO = {
    "lo": {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"},
    "tl": {"bidi": False, "code": "tl", "name": "Filipino", "name_local": "Filipino"},
}
django.conf.locale.LANG_INFO.update(EXTRA_LANG_INFO)
LOCALE_PATHS = [BASE_DIR / "liaison" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    # FileSystemStorage that removes a file left half-written by a full disk (liaison/ops/media.py)
    "default": {"BACKEND": "liaison.ops.media.MediaStorage"},
    "staticfiles": {
        "BACKEND": "liaison.ops.storage.StaticFilesStorage"  # WhiteNoise: hashed names, compressed
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# E-mail (request notifications): SMTP configured from the environment; the demo prints to the console.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "liaison@localhost")
LIAISON_BASE_URL = os.environ.get("LIAISON_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Webhooks (liaison/requests/webhooks.py): delivered by `liaison webhooks deliver`
# (cron); on commit only when asked (the demo, with DEBUG). Loopback endpoints
# (and plain http) only for the demo's local receiver.
REQUESTS_WEBHOOKS_ON_COMMIT = env_bool("REQUESTS_WEBHOOKS_ON_COMMIT", DEBUG)
REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = env_bool("REQUESTS_WEBHOOKS_ALLOW_LOOPBACK", DEBUG)

# Watchlist hits (liaison/matching): from this probability on a hit is a "strong" match,
# below it "possible" (the score itself is never shown); at most this many hits a day
# between one agency's records and another's, then hits wait and the other agency is warned.
MATCH_STRONG_HIT = float(os.environ.get("MATCH_STRONG_HIT", "0.99"))
MATCH_PROBE_LIMIT = int(os.environ.get("MATCH_PROBE_LIMIT", "50"))
# Border screening (liaison/screening): a name screened against the watchlists has its
# own threshold, band and daily limit of hits per pair of agencies, apart from the
# watchlist hits between registry records.
SCREENING_HIT_THRESHOLD = float(os.environ.get("SCREENING_HIT_THRESHOLD", "0.9"))
SCREENING_STRONG_HIT = float(os.environ.get("SCREENING_STRONG_HIT", "0.99"))
SCREENING_PROBE_LIMIT = int(os.environ.get("SCREENING_PROBE_LIMIT", "50"))
# Interchange (liaison/interop): the UUID namespace of this deployment's STIX, MISP and FtM
# object ids. Set it once per deployment and keep it: partners recognise a record again by
# its id, and two deployments sharing it would give different records the same id. Empty:
# derived from the first ALLOWED_HOSTS name.
STIX_ID_NAMESPACE = os.environ.get("STIX_ID_NAMESPACE", "")
# Federation of sovereign nodes (liaison/federation, docs/federation.md): this node's name and
# Ed25519 private key (`liaison federation keygen`). Empty name: a single node, nothing replicates.
FEDERATION_NODE = os.environ.get("LIAISON_NODE_NAME", "")
FEDERATION_PRIVATE_KEY = os.environ.get("LIAISON_NODE_PRIVATE_KEY", "")
FEDERATION_TIMEOUT = float(os.environ.get("FEDERATION_TIMEOUT", "10"))
FEDERATION_MAX_BACKOFF = float(os.environ.get("FEDERATION_MAX_BACKOFF", "300"))  # seconds between retries at most

# The public side (liaison/public): who receives a public report, by the reporter's
# country (ISO alpha-2 -> agency short name), and the agency for every other country.
PUBLIC_REPORT_AGENCIES = json.loads(os.environ.get("PUBLIC_REPORT_AGENCIES", "{}")) or {
    "TH": "TH-RTP", "KH": "KH-NP", "VN": "VN-MPS", "CN": "CN-MPS", "MM": "MM-MPF", "LA": "LA-MPS",
}
PUBLIC_REPORT_DEFAULT_AGENCY = os.environ.get("PUBLIC_REPORT_DEFAULT_AGENCY", "LMLECC")
# The consular agency told of a missing-relative hit, by the relative's nationality; for a
# nationality not listed, the foreign ministry of that country, if the platform has one.
PUBLIC_CONSULAR_AGENCIES = json.loads(os.environ.get("PUBLIC_CONSULAR_AGENCIES", "{}"))
# Hotlines shown on every public answer, by country: [[number, what it is], ...]. Only
# numbers the authorities publish; a country that is not listed shows none (never guessed).
# Myanmar is not listed: no published number was found that could be checked.
# "What it is" is shown translated when the catalogues know it (the defaults are marked).
PUBLIC_HOTLINES = json.loads(os.environ.get("PUBLIC_HOTLINES", "{}")) or {
    "TH": [["1441", gettext_noop("Anti Online Scam Operation Center (AOC)")], ["191", gettext_noop("Police")]],
    "MY": [["997", gettext_noop("National Scam Response Centre (NSRC)")]],
    "SG": [["1799", gettext_noop("ScamShield Helpline")]],
    "VN": [["113", gettext_noop("Police")]],
    "KH": [["117", gettext_noop("Police")]],
    "ID": [["110", gettext_noop("Police")]],
    "PH": [["911", gettext_noop("Emergency")]],
    # 96110: the Ministry of Public Security's national anti-fraud line (warns, advises, takes tips);
    # 110 stays first, as that line's own announcements say to call 110 once money has gone.
    "CN": [["110", gettext_noop("Police")], ["96110", gettext_noop("Anti-fraud warning and advice line")]],
    # 1191: the Ministry of Public Security's hotline and police command centre (Xinhua, 2016).
    "LA": [["1191", gettext_noop("Police")]],
}
# Rate limits of the public pages: (requests, seconds) per client address, and per
# identifier checked (by everyone together).
PUBLIC_RATE_LIMITS = {
    "check": (int(os.environ.get("PUBLIC_CHECKS_PER_MINUTE", "30")), 60),
    "report": (int(os.environ.get("PUBLIC_REPORTS_PER_HOUR", "5")), 3600),
    "status": (20, 3600),
    "identifier": (int(os.environ.get("PUBLIC_CHECKS_PER_IDENTIFIER_HOUR", "600")), 3600),
}
# The day's counters of the public pages are added up in memory and written at most
# this often, in seconds, per process (liaison/public/counters.py); 0 writes each at once.
PUBLIC_COUNTER_FLUSH_SECONDS = float(os.environ.get("PUBLIC_COUNTER_FLUSH_SECONDS", "1"))
# Bits of proof of work a report form's browser must find (each bit doubles the work).
PUBLIC_POW_BITS = int(os.environ.get("PUBLIC_POW_BITS", "14"))
# Counters of the public pages' rate limits: Redis when REDIS_URL is set (needs the
# `redis` package), else a table in the database (created by `liaison migrate`).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "liaison_public_cache"},
}

# Request bodies above this are refused with 413 before any view reads them.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# Sessions and cookies: short-lived sessions, HttpOnly, SameSite; Secure when
# served over HTTPS (production behind a TLS proxy).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    # Behind the TLS proxy (which sets X-Forwarded-Proto): every http request is sent to
    # https, and browsers are told to use nothing else for a year. Probes and the metrics
    # scraper call gunicorn directly over http (liaison/ops/health.py).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Login throttling (django-axes): N failures (password or second-factor code)
# for one username from one address lock that pair for the cool-off time; every
# attempt during the lockout restarts it. Unknown usernames lock the same way.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "liaison.sharing.auth.lockout_response"
AXES_VERBOSE = False
# Axes keeps the form data of failed attempts: never the code of the second step
# (a mistyped recovery code is nearly the real one) nor a new password.
AXES_SENSITIVE_PARAMETERS = ["code", "new_password1", "new_password2", "csrfmiddlewaretoken"]
# Behind a reverse proxy set TRUSTED_PROXY_COUNT; otherwise X-Forwarded-For is
# ignored, since a client could forge it to get a fresh counter per request.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Second factor (django-otp): every user has an authenticator app (TOTP).
OTP_TOTP_ISSUER = os.environ.get("OTP_ISSUER", "Liaison")
# Logged out after this much inactivity, and in any case SESSION_COOKIE_AGE after login.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))

REST_FRAMEWORK = {
    # Token first: an explicit token (and its scope) wins over a browser session,
    # and bad tokens get 401 with WWW-Authenticate rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "liaison.sharing.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "liaison.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "liaison.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Liaison API",
    "DESCRIPTION": "The shared registry of a joint anti-scam-compound liaison centre.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CrimeTypeEnum": "liaison.operations.models.CrimeType",
        "SourceKindEnum": "liaison.registry.models.Source.Kind",
        "DocumentKindEnum": "liaison.intake.models.Document.Kind",
        "ProposedFactKindEnum": "liaison.intake.models.ProposedFact.Kind",
    },
}

# Logs on standard error: one JSON object a line (LOG_FORMAT=json, the default in
# production) or text; every line carries the request id, and each request writes one
# line (method, path without query string, status, duration, user and agency ids:
# liaison/ops/requestlog.py) when LOG_REQUESTS is on (default: with JSON logs).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text").strip().lower()
LOG_REQUESTS = env_bool("LOG_REQUESTS", LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "liaison.ops.requestlog.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "liaison.ops.requestlog.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
        "text": {"()": "liaison.ops.requestlog.TextFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "text",
                             "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"liaison.request": {"level": "INFO" if LOG_REQUESTS else "WARNING"}},
}
# Prometheus metrics at /metrics, for `Authorization: Bearer <METRICS_TOKEN>` only; no
# token, no page. With a task queue broker configured (CELERY_BROKER_URL), /readyz
# checks it and /metrics reports the depth of these queues (Redis brokers).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_QUEUES = env_list("METRICS_QUEUES", "celery")

# Task queue (liaison/tasks, Celery; docs/operations.md). With no broker the tasks run
# at once in the process that asks for them (eager mode): the demo and the tests need
# no broker. Production: CELERY_BROKER_URL=redis://127.0.0.1:6379/1 and `liaison worker`.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, run a job that has a progress page (an import) in a thread of the web
# process after the request commits, so that the demo shows the progress bar too. On with
# DEBUG (the demo); off otherwise: tests and broker-less production run it in the request.
# Why not on in production: a thread dies with its gunicorn worker (a reload, WEB_MAX_REQUESTS,
# WEB_TIMEOUT) and nothing else retries it unless `liaison tasks_housekeeping` runs from cron;
# production runs a broker and `liaison worker` (the deploy check liaison.ops.W004 says so).
TASKS_EAGER_IN_THREAD = env_bool("TASKS_EAGER_IN_THREAD", DEBUG)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True  # a job's state is its TaskRun row, not a result backend
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves its message to be run again...
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ...and every task is idempotent (TaskRun keys)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis: a message whose worker died unacknowledged (kill -9, power) is delivered again after
# this many seconds. Jobs with a page do not wait for it: they beat every TASKS_HEARTBEAT_SECONDS
# while they run, a job silent for TASKS_STALE_SECONDS is queued again by the beat's housekeeping
# pass (within about three minutes), and a message delivered again while its job still beats is
# dropped (a job longer than this timeout is not run twice). Keep it above the longest retry
# countdown (80 s) and above TASKS_STALE_SECONDS; RabbitMQ has no such timeout (docs/operations.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))}
TASKS_HEARTBEAT_SECONDS = int(os.environ.get("TASKS_HEARTBEAT_SECONDS", "30"))
TASKS_STALE_SECONDS = int(os.environ.get("TASKS_STALE_SECONDS", "120"))
TASKS_MAX_ATTEMPTS = int(os.environ.get("TASKS_MAX_ATTEMPTS", "8"))  # starts of one job, retries included
TASKS_QUEUED_GIVE_UP_HOURS = int(os.environ.get("TASKS_QUEUED_GIVE_UP_HOURS", "24"))
# Finished jobs are kept this many days for their pages and the administrators' list; failed ones longer.
TASKS_KEEP_DAYS = int(os.environ.get("TASKS_KEEP_DAYS", "30"))
TASKS_KEEP_FAILED_DAYS = int(os.environ.get("TASKS_KEEP_FAILED_DAYS", "90"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_DEFAULT_QUEUE = METRICS_QUEUES[0] if METRICS_QUEUES else "celery"
# Periodic passes run by `liaison worker` (its embedded beat): webhook deliveries that
# are due and the saved-search catch-up; the cron lines of before are not needed.
CELERY_BEAT_SCHEDULE = {
    "webhooks-deliver": {"task": "liaison.tasks.deliver_webhooks", "schedule": 60.0},
    "alerts-catch-up": {"task": "liaison.tasks.alerts_catch_up", "schedule": 600.0},
    "housekeeping": {"task": "liaison.tasks.housekeeping", "schedule": 60.0},
}
