"""Test runs: fast password hashing; the database and broker still come from the environment."""

from tumorboard.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
# The suite exercises the API directly; eager tasks keep request-level tests synchronous, and the
# tests marked ``services`` start a real worker on the real broker instead.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# As in the local demo; tests/security/test_headers_and_settings.py proves the production default.
TUMORBOARD_PUBLIC_API_DOCS = True
