"""Developer laptop: debug on, permissive hosts."""

from tumorboard.settings.base import *  # noqa: F403
from tumorboard.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# The demo shows its API docs without signing in (production: signed-in users only).
TUMORBOARD_PUBLIC_API_DOCS = env_bool("TUMORBOARD_PUBLIC_API_DOCS", True)
