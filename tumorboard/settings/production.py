"""Production: secrets have no default, and the transport is locked down."""

from django.core.exceptions import ImproperlyConfigured

from tumorboard.settings.base import *  # noqa: F403
from tumorboard.settings.env import env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# Django's own rule for a weak key (check --deploy, security.W009) made fatal, plus the demo's key and the
# placeholders people paste from examples: a known key lets anyone forge sessions and password resets.
_KNOWN_INSECURE_KEYS = {
    "insecure-local-development-key-change-me",  # settings/base.py, the demo's key
    "change-me",
    "changeme",
    "secret",
    "django-insecure",
}
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
    or SECRET_KEY.strip().lower() in _KNOWN_INSECURE_KEYS
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random value of at least 50 characters (not the demo's or an example's key): "
        'generate one with python -c "import secrets; print(secrets.token_urlsafe(64))".'
    )

# Production never falls back to the embedded SQLite file or to in-process tasks: both are demo modes.
_missing = [name for name, value in (("DATABASE_URL", DATABASE_URL), ("REDIS_URL", REDIS_URL)) if not value]  # noqa: F405
if _missing:
    raise ImproperlyConfigured(f"Production needs {' and '.join(_missing)}: set them in the environment.")
CELERY_TASK_ALWAYS_EAGER = False
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
SESSION_COOKIE_SECURE = True
# Every role signs in with a second factor in production (docs/security/authentication.md).
TUMORBOARD_REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", True)
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# deploy/nginx.conf appends the client address to X-Forwarded-For: one trusted hop for the audit trail.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 1)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the pages send the token from the hx-headers attribute, not from the cookie
# The schema and API docs need a signed-in user unless a deployment opts in (docs/security/access-and-data.md).
TUMORBOARD_PUBLIC_API_DOCS = env_bool("TUMORBOARD_PUBLIC_API_DOCS", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Queues per kind of work, one worker pool each (deploy/, docs/scaling.md, issue 16): the engines'
# recomputations, the notifications people wait for, and file work (dose imports, exports). Beat's sweep
# and probes stay on the default queue, which the engines pool also reads. A follow-up stays on the queue
# of the task that enqueued it (apps.core.background). First match wins: specific names before globs.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "dosimetry.run_import": {"queue": "exports"},
    "risk.*": {"queue": "engines"},
    "trials.*": {"queue": "engines"},
    "options.*": {"queue": "engines"},
    "dosimetry.*": {"queue": "engines"},
    "cases.*": {"queue": "engines"},
    "meetings.*": {"queue": "notifications"},
    "decisions.*": {"queue": "notifications"},
}
# Behind PgBouncer in transaction pooling (deploy/k8s/pgbouncer.yaml) a server-side cursor cannot outlive
# its transaction: set DB_DISABLE_SERVER_SIDE_CURSORS=true there (and DB_CONN_MAX_AGE=0).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False)  # noqa: F405
