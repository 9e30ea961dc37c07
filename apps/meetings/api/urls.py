from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.meetings.api import views

router = SimpleRouter()
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("meeting-series", views.SeriesViewSet, basename="meeting-series")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("calendar-tokens", views.CalendarTokenViewSet, basename="calendar-token")

urlpatterns = [
    path("meetings/<int:pk>/calendar.ics", views.MeetingCalendarView.as_view(), name="meeting-calendar"),
    path("meetings/<int:pk>/certificate.pdf", views.MeetingCertificateView.as_view(), name="meeting-certificate"),
    path("calendar/feed/<str:token>.ics", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path("agenda/place/", views.PlaceNextView.as_view(), name="agenda-place-next"),
    path("cases/<int:case_id>/return-to-agenda/", views.ReturnToAgendaView.as_view(), name="case-return-to-agenda"),
    path("agenda/waiting/", views.WaitingCasesView.as_view(), name="agenda-waiting"),
    path("notification-preferences/", views.NotificationPreferencesView.as_view(), name="notification-preferences"),
    *router.urls,
]
