from django.contrib.auth import views as auth_views
from django.urls import path

from frontend import account, intake, plans, registry, views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/derived/", views.case_derived, name="case-derived"),
    path("cases/<int:pk>/trial-matches/<str:identifier>/flag/", views.match_flag, name="match-flag"),
    path("cases/new/", intake.start, name="intake-start"),
    path("cases/<int:pk>/edit/<str:step>/", intake.step, name="intake-step"),
    path("cases/<int:pk>/submit/", intake.submit, name="intake-submit"),
    path("cases/<int:pk>/plans/new/", plans.plan_form, name="plan-create"),
    path("cases/<int:pk>/plans/<int:plan_id>/", plans.plan_form, name="plan-edit"),
    path("cases/<int:pk>/plans/<int:plan_id>/import/", plans.plan_import, name="plan-import"),
    path("dose-imports/<int:job_id>/", plans.import_progress, name="import-progress"),
    path("registry/trials/", registry.trial_registry, name="registry-trials"),
    path("registry/match-flags/", registry.match_flags, name="registry-flags"),
    path("registry/match-flags/<int:flag_id>/resolve/", registry.match_flag_resolve, name="registry-flag-resolve"),
    path("reports/", registry.trial_reports, name="reports"),
]

auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="frontend/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Issue 15: the second sign-in step and the account pages (frontend/account.py).
    path("login/verify/", account.verify, name="account-verify"),
    path("account/", account.account, name="account"),
    path("account/confirm-password/", account.reauth, name="account-reauth"),
    path("account/two-factor/", account.two_factor, name="account-two-factor"),
    path("account/email/", account.email, name="account-email"),
    path("account/password/", account.password, name="account-password"),
    path("account/tokens/", account.tokens, name="account-tokens"),
    path("account/tokens/<int:token_id>/revoke/", account.token_revoke, name="account-token-revoke"),
]
