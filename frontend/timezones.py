"""The time zone a board's dates and times are shown in.

A board meets in one place, so its times are the local wall-clock time there. Boards do not carry a time
zone of their own yet: every board of this installation uses ``settings.TIME_ZONE`` (the hospital's). The
one function keeps pages ready for a per-board zone (``Board.time_zone``) without touching templates.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings


def board_timezone(board: object = None) -> ZoneInfo:
    name = getattr(board, "time_zone", None) or settings.TIME_ZONE
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)
