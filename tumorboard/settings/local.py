"""Developer laptop: debug on, permissive hosts."""

from tumorboard.settings.base import *  # noqa: F403
from tumorboard.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
