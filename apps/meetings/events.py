"""Server-sent events of meeting mode (django-eventstream), on when ``MEETINGS_EVENTSTREAM`` is set.

Each meeting has one channel, ``meeting-<id>``; only users who may see the meeting may read it (the same
scope as every other read). The services publish a ``state`` event after each committed step
(``notifications.announce_live``); the page then fetches the panel it would otherwise poll for.
"""

from __future__ import annotations

from typing import Any

from django_eventstream.channelmanager import DefaultChannelManager

CHANNEL_PREFIX = "meeting-"


def channel_for(meeting_id: int) -> str:
    return f"{CHANNEL_PREFIX}{meeting_id}"


class MeetingChannelManager(DefaultChannelManager):
    def can_read_channel(self, user: Any, channel: str) -> bool:
        from apps.meetings.selectors import scope_meetings

        if not channel.startswith(CHANNEL_PREFIX) or not channel[len(CHANNEL_PREFIX) :].isdigit():
            return False
        return scope_meetings(user).filter(pk=int(channel[len(CHANNEL_PREFIX) :])).exists()

    def is_channel_reliable(self, channel: str) -> bool:
        return False  # a follower that missed a step simply fetches the current panel
