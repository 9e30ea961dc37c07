from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from apps.meetings import views

app_name = "meetings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.calendar_page, name="calendar"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("<int:pk>/", views.meeting_page, name="meeting"),
    path("<int:pk>/attendance/", views.attendance_page, name="attendance"),
    path("<int:pk>/live/", views.live_page, name="live"),
    path("<int:pk>/live/panel/", views.live_panel, name="live-panel"),
    path("<int:pk>/agenda/reorder/", views.agenda_reorder, name="agenda-reorder"),
    path("<int:pk>/do/<slug:action>/", views.meeting_action, name="action"),
]

if settings.MEETINGS_EVENTSTREAM:
    import django_eventstream

    # One SSE stream per meeting, read access checked by apps.meetings.events.MeetingChannelManager.
    urlpatterns.append(path("<int:pk>/events/", include(django_eventstream.urls), {"format-channels": ["meeting-{pk}"]}))
