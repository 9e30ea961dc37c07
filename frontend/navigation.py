"""Navigation by role: what each kind of user reaches from every page.

Coordinators and clinicians work on cases (home, case list, new case); administrators audit and curate
(home with the registries, reports and audit, the case list read-only). No one is sent to the raw admin.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse

from apps.accounts.authorization import allowed, boards_where
from apps.accounts.models import User
from apps.accounts.roles import Permission


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    url: str
    current: bool


def nav_items(user: User | AnonymousUser, path: str) -> list[NavItem]:
    if not isinstance(user, User) or not user.is_active:
        return []
    can_open = boards_where(user, Permission.CASE_CREATE).exists()
    entries: list[tuple[str, str]] = [("Home", reverse("frontend:home")), ("Cases", reverse("frontend:case-list"))]
    if can_open:
        entries.append(("New case", reverse("frontend:intake-start")))
    if can_open:
        # Board members: the board's calendar, agendas and meeting mode (apps.meetings).
        entries.append(("Meetings", reverse("meetings:calendar")))
        entries.append(("Notifications", reverse("meetings:notifications")))
    if allowed(user, Permission.REPORTS_VIEW):
        entries.append(("Quality", reverse("decisions:quality")))
    if allowed(user, Permission.AUDIT_VIEW):
        entries.append(("Audit trail", reverse("audit:entry-list")))
    entries.append(("API", reverse("api-docs")))
    home = reverse("frontend:home")

    new_case = reverse("frontend:intake-start") if can_open else None

    def is_current(url: str) -> bool:
        if url == home:
            return path == url
        if url == reverse("frontend:case-list") and path == new_case:
            return False
        return path.startswith(url)

    return [NavItem(label, url, is_current(url)) for label, url in entries]


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``nav`` for the base template (none for a request refused before the
    authentication middleware ran, e.g. a 400 for a disallowed host)."""
    user = getattr(request, "user", None)
    return {"nav": nav_items(user, request.path) if user is not None else []}
