"""Settings shared by every environment; everything that varies comes from the environment.

With no ``DATABASE_URL`` the app runs on an embedded SQLite file and Celery runs tasks eagerly in the
web process, so a newcomer can try it with one command. With ``DATABASE_URL`` and ``REDIS_URL`` it uses
PostgreSQL and a real Celery worker on Redis (tests and CI run that way).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from tumorboard.settings.env import env_bool, env_int, env_list, env_optional, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "apps.audit.admin_apps.AuditedAdminConfig",  # django.contrib.admin, every change audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from the package: /api/docs/ works offline
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "apps.core",
    "apps.accounts",
    "apps.audit",
    "apps.cases",
    "apps.risk",
    "apps.dosimetry",
    "apps.trials",
    "apps.meetings",
    "apps.options",
    "apps.discussion",
    "apps.decisions",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise: static files never reach it; every other response may carry patient data.
    "apps.core.middleware.NoStoreMiddleware",
    "apps.core.middleware.InlineStyleCspMiddleware",
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.middleware.InputSafetyMiddleware",  # body limits (413) and NUL characters (400), issue 15
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Authentication (issue 15, docs/security/authentication.md): idle and absolute session limits, the
    # second factor, and django-axes last (it turns a lockout into its 429 response).
    "apps.accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "apps.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# --- HTTP hardening (issue 15, docs/security/access-and-data.md) -----------------------------------
# Content-Security-Policy (django-csp 4): only the site's own scripts and styles, never inline ones. The
# Django admin's and DRF's browsable API's inline styles are allowed for those pages only by
# apps.core.middleware.InlineStyleCspMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Swagger UI and the admin draw small icons as data: URLs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# django-permissions-policy: no page needs a device or sensor.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
# The OpenAPI schema and its Swagger UI page: open to anyone in the local demo, signed-in users only
# in production (they map every endpoint an attacker could probe).
TUMORBOARD_PUBLIC_API_DOCS = env_bool("TUMORBOARD_PUBLIC_API_DOCS", False)

ROOT_URLCONF = "tumorboard.urls"
WSGI_APPLICATION = "tumorboard.wsgi.application"
ASGI_APPLICATION = "tumorboard.asgi.application"

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
                "frontend.navigation.navigation",
            ],
        },
    },
]

DATABASE_URL = env_optional("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Argon2id first: new and re-hashed passwords use it; older PBKDF2 hashes still verify and are upgraded
# at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# The "breached list" is Django's CommonPasswordValidator: 20,000 passwords from public breach corpora
# (docs/security/authentication.md), checked offline.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks for a lockout before the model backend looks at the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# --- Request size limits (docs/security/input-and-concurrency.md) -------------------------------------
# A JSON or form body above this answers 413 (a case with all its lesions is a few KiB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
# A multipart upload (DVH CSV, DICOM RT Dose + Structure Set) above this answers 413: an RT Dose grid of
# a spine SBRT plan is 5-40 MB.
UPLOAD_MAX_BODY_SIZE = env_int("UPLOAD_MAX_BODY_SIZE", 64 * 1024 * 1024)
# A CSV DVH export above this is refused (400 naming the file): a DVH table of 40 structures is < 1 MB.
DVH_CSV_MAX_BYTES = env_int("DVH_CSV_MAX_BYTES", 5 * 1024 * 1024)

# How long a create's Idempotency-Key is remembered (apps/core/idempotency.py): a client retries within
# minutes; a day covers a client that retries after an overnight outage.
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)

# --- REST framework --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, expiring tokens (apps.accounts.models.ApiToken), same header as DRF's: "Token <key>".
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Only views that name a ``throttle_scope`` are throttled (the token endpoint, exports, PDFs, FHIR).
    "DEFAULT_THROTTLE_CLASSES": ["apps.accounts.throttling.ScopedThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("THROTTLE_RATE_AUTH", "20/min"),
        "export": env_str("THROTTLE_RATE_EXPORT", "30/min"),
        "calculator": env_str("THROTTLE_RATE_CALCULATOR", "120/min"),
    },
    # Fail closed: every endpoint needs a signed-in user unless it says otherwise.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's defaults, the browsable API under the site's name and icon (apps.core.api.renderers).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "apps.core.api.renderers.BrowsableAPIRenderer"],
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    # Depth limit and NUL characters refused with a 400 naming the field (apps/core/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.SafeJSONParser",
        "apps.core.api.parsers.SafeFormParser",
        "apps.core.api.parsers.SafeMultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tumorboard API",
    "DESCRIPTION": "Multidisciplinary tumor boards for bone metastases. Codes follow clinical-rules.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The shared error answers (400/401/403/404/409/412/413/422/428) documented on every operation (issue 15).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.document_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Hospitals run offline networks: Swagger UI and Redoc come from drf-spectacular-sidecar, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per vocabulary choice set, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        # Import paths, not imports: settings load no domain code (apps are configured by settings, not
        # the other way round).
        "ReceptorStatusEnum": "apps.cases.api.schema_enums.RECEPTOR_STATUS",
        "VertebralLevelEnum": "apps.cases.api.schema_enums.VERTEBRAL_LEVEL",
        "CaseStatusEnum": "apps.cases.api.schema_enums.CASE_STATUS",
        "ResponseAssessmentEnum": "apps.decisions.api.schema_enums.RESPONSE_ASSESSMENT",
        "ReferralStatusEnum": "apps.trials.models.ReferralStatus",
        "RadiotherapyTechniqueEnum": "apps.cases.models.RadiotherapyTechnique",
        "DoseImportKindEnum": "apps.dosimetry.models.DoseImportJob.Kind",
        "MeetingStatusEnum": "apps.meetings.api.schema_enums.MEETING_STATUS",
        "AttendanceStatusEnum": "apps.meetings.api.schema_enums.ATTENDANCE_STATUS",
        "DecisionIntentEnum": "apps.decisions.api.schema_enums.INTENT",
    },
}

# --- Celery ----------------------------------------------------------------------------------------
REDIS_URL = env_optional("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker the tasks run in-process right away, so the one-command demo needs nothing else.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", REDIS_URL is None)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Reliability (issue 15): a task is acknowledged only when it finished, and a worker killed mid-task
# gives its message back; every task is idempotent, so running one twice is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 14 * 60)
# Redis redelivers an unacknowledged message after the visibility timeout: it must be longer than the
# longest task (the hard time limit), or a running task would be started a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 15 * 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# A request publishing after commit waits at most this long for the broker (the outbox keeps the rest).
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "tumorboard-demo")

# --- Audit trail -----------------------------------------------------------------------------------
# Proxies in front of the app whose X-Forwarded-For is believed for the client IP on audit rows (nginx
# in deploy/: 1). 0 = take REMOTE_ADDR.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
# --- Board meetings (docs/meetings.md) -----------------------------------------------------------------
# Email goes through Django's backend; the console by default, SMTP (EMAIL_HOST...) in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_optional("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tumorboard@localhost")
# Reminders: Celery beat runs the idempotent scan every minute (reminders move with their meeting).
CELERY_BEAT_SCHEDULE = {
    "meetings-due-reminders": {"task": "meetings.send_due_reminders", "schedule": 60.0},
    "decisions-follow-up-reminders": {"task": "decisions.send_follow_up_reminders", "schedule": 3600.0},
    "core-sweep-idempotency-keys": {"task": "core.sweep_idempotency_keys", "schedule": 3600.0},
}
# Decisions (docs/decisions.md): remind the case owner when no follow-up is recorded this many weeks after signing.
DECISION_FOLLOW_UP_REMINDER_WEEKS = env_int("DECISION_FOLLOW_UP_REMINDER_WEEKS", 6)
# Server-sent events for meeting mode (django-eventstream over Redis, ASGI server); pages poll otherwise.
MEETINGS_EVENTSTREAM = env_bool("MEETINGS_EVENTSTREAM", False)
# How long a rendered meeting-mode panel serves the followers (keyed by the meeting's state, so a step is
# seen at once; this bounds only what the key cannot see, such as a risk recomputed mid-discussion).
MEETINGS_LIVE_PANEL_CACHE_SECONDS = env_int("MEETINGS_LIVE_PANEL_CACHE_SECONDS", 15)
# The benchmark's minimal baseline views at /bench/ (bench/minimal.py, docs/performance.md); off in production.
BENCH_VIEWS = env_bool("TUMORBOARD_BENCH", False)
if MEETINGS_EVENTSTREAM:
    INSTALLED_APPS.append("django_eventstream")
    EVENTSTREAM_CHANNELMANAGER_CLASS = "apps.meetings.events.MeetingChannelManager"
    if REDIS_URL:  # several web processes share the events through Redis
        from urllib.parse import urlsplit

        _redis = urlsplit(REDIS_URL)
        EVENTSTREAM_REDIS = {
            "host": _redis.hostname or "127.0.0.1",
            "port": _redis.port or 6379,
            "db": int((_redis.path or "/0").lstrip("/") or 0),
            "password": _redis.password,
        }

# --- Authentication and sessions (issue 15, docs/security/authentication.md) -------------------------
# The cache holds the API throttles' counters: Redis when there is one (shared by every web process),
# else this process's memory (the one-process demo).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Every role enrols a second factor (TOTP) before using any page or the API. Off in the local demo and the
# tests (env DJANGO_REQUIRE_2FA), on in production settings.
TUMORBOARD_REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Tumorboard")
# Backup codes handed out at enrolment (each works once).
TUMORBOARD_BACKUP_CODES = 10
# Re-entering the password is asked again before changing the second factor or the email after this long.
TUMORBOARD_REAUTH_SECONDS = env_int("TUMORBOARD_REAUTH_SECONDS", 5 * 60)

# Sessions: signed out after 30 minutes without a request, and 12 hours after signing in whatever happens.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_ABSOLUTE_LIFETIME_SECONDS = env_int("SESSION_ABSOLUTE_LIFETIME_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# API tokens expire; their last use is stamped at most once per this many seconds (one UPDATE, not one per
# request).
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30)
API_TOKEN_LAST_USED_RESOLUTION_SECONDS = 300

# django-axes: five wrong passwords (or one-time codes) for one user name from one address lock that pair
# out for 15 minutes. Failed attempts live in the database (they reset with each test's transaction).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout; more attempts while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "apps.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Masked in the attempts django-axes stores (the password always is): the one-time code fields too.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp"]
# No django-axes admin pages (every admin page is a GuardedAdmin): IT staff unlock with
# ``manage.py axes_reset_username <name>``; lockouts are on the audit trail.
AXES_ENABLE_ADMIN = False
