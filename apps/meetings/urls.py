from django.urls import path

from apps.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("<int:pk>/", views.meeting_page, name="meeting"),
    path("<int:pk>/attendance/", views.attendance_page, name="attendance"),
    path("<int:pk>/live/", views.live_page, name="live"),
    path("<int:pk>/live/panel/", views.live_panel, name="live-panel"),
    path("<int:pk>/agenda/reorder/", views.agenda_reorder, name="agenda-reorder"),
    path("<int:pk>/do/<slug:action>/", views.meeting_action, name="action"),
]
