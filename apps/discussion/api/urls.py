from django.urls import path

from apps.discussion.api import views

urlpatterns = [
    path("cases/<int:case_id>/discussion/", views.CaseDiscussionView.as_view(), name="case-discussion"),
    path("cases/<int:case_id>/opinions/", views.CaseOpinionsView.as_view(), name="case-opinions"),
    path("comments/<int:pk>/", views.CommentDetailView.as_view(), name="comment-detail"),
    path("comments/<int:pk>/retract/", views.CommentRetractView.as_view(), name="comment-retract"),
    path("comments/<int:pk>/history/", views.CommentHistoryView.as_view(), name="comment-history"),
]
