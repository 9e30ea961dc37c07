"""The URL walk (issue 15): every URL pattern of the project, built with board A's objects, asked with
GET/POST/PATCH/DELETE by each role of board B, by an anonymous caller, and (read only) by board A's own
members.

* Nobody outside board A gets 200/201/204 (or a 500) on board A's objects, and no answer carries board A's
  texts (``MARKERS``).
* A board A object answers a foreigner exactly like an id that does not exist (same status, same body):
  the answer never tells whether another board's object exists.
* Board A's members get no server error on any page or endpoint.

The walk fails when a URL names a parameter it cannot build: add the route to ``ROUTES`` (and a new kind
of parameter to ``KINDS``) so every new endpoint is walked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from apps.accounts.models import User
from tests.security.conftest import MARKERS, World

pytestmark = pytest.mark.django_db

UNKNOWN_ID = 987654


def _surgeon_api_token(world: Any) -> int:
    from apps.accounts import services
    from apps.accounts.models import ApiToken

    owner = world.calendar_token_row.user  # board A's surgeon
    token = ApiToken.objects.filter(user=owner).first() or services.api_token_create(user=owner)[0]
    return token.pk


#: Each kind of URL parameter: its value for board A's object, and a value naming nothing.
KINDS: dict[str, tuple[Callable[[World], Any], Any]] = {
    "board": (lambda w: w.personas.board.pk, UNKNOWN_ID),
    "patient": (lambda w: w.patient.pk, UNKNOWN_ID),
    "case": (lambda w: w.case.pk, UNKNOWN_ID),
    "plan": (lambda w: w.plan.pk, UNKNOWN_ID),
    "dose_import": (lambda w: w.dose_import.pk, UNKNOWN_ID),
    "referral": (lambda w: w.referral.pk, UNKNOWN_ID),
    "flag": (lambda w: w.flag.pk, UNKNOWN_ID),
    "audit_entry": (lambda w: w.audit_entry.pk, UNKNOWN_ID),
    "meeting": (lambda w: w.meeting.pk, UNKNOWN_ID),
    "agenda_item": (lambda w: w.agenda_item.pk, UNKNOWN_ID),
    "series": (lambda w: w.series.pk, UNKNOWN_ID),
    "calendar_token_row": (lambda w: w.calendar_token_row.pk, UNKNOWN_ID),
    # An API token of board A's surgeon (issue 15: tokens are their owner's only, like calendar tokens).
    "api_token_row": (lambda w: _surgeon_api_token(w), UNKNOWN_ID),
    "comment": (lambda w: w.comment_id, UNKNOWN_ID),
    "decision": (lambda w: w.decision.pk, UNKNOWN_ID),
    # Not objects: words of the route, the same whoever asks.
    "case_status": (lambda w: "submitted", "submitted"),
    "intake_step": (lambda w: "clinical", "clinical"),
    "meeting_action": (lambda w: "start", "start"),
    "audit_subject_type": (lambda w: "cases.case", "cases.case"),
    "audit_subject_id": (lambda w: str(w.case.pk), str(UNKNOWN_ID)),
    # The trial registry is shared by every board (not board data); a case's match with it is.
    "trial": (lambda w: w.trial.identifier, "NCT00000000"),
    "regimen": (lambda w: "8Gy_1fx", "no-such-regimen"),
    "constraint_set": (lambda w: "qa_fixed", "no-such-set"),
    # A calendar feed is a capability URL: whoever holds the token reads it (docs/meetings.md).
    "calendar_token": (lambda w: w.calendar_token, "not-a-real-token-000000000000000000000000"),
}

#: URL name -> the kind of each of its parameters.
ROUTES: dict[str, dict[str, str]] = {
    "board-detail": {"pk": "board"},
    "patient-detail": {"pk": "patient"},
    "case-detail": {"pk": "case"},
    "case-submit": {"pk": "case"},
    "case-transition": {"pk": "case", "target": "case_status"},
    "case-plans": {"case_id": "case"},
    "plan-detail": {"plan_id": "plan"},
    "plan-imports": {"plan_id": "plan"},
    "dose-import": {"job_id": "dose_import"},
    "regimen-detail": {"code": "regimen"},
    "constraint-set-detail": {"code": "constraint_set"},
    "case-trial-matches": {"pk": "case"},
    "case-trial-referrals": {"pk": "case"},
    "trial-referral-transition": {"pk": "referral"},
    "case-trial-match-flags": {"pk": "case", "identifier": "trial"},
    "trial-match-flag-resolve": {"pk": "flag"},
    "trial-detail": {"identifier": "trial"},
    "audit-entry-detail": {"pk": "audit_entry"},
    "meeting-calendar": {"pk": "meeting"},
    "meeting-certificate": {"pk": "meeting"},
    "calendar-feed": {"token": "calendar_token"},
    "meeting-series-detail": {"pk": "series"},
    "meeting-series-extend": {"pk": "series"},
    "calendar-token-detail": {"pk": "calendar_token_row"},
    "api-tokens-detail": {"pk": "api_token_row"},
    "account-token-revoke": {"token_id": "api_token_row"},
    "account-password": {},  # one's own account only: no object in the URL
    "case-discussion": {"case_id": "case"},
    "case-opinions": {"case_id": "case"},
    "case-return-to-agenda": {"case_id": "case"},
    "comment-detail": {"pk": "comment"},
    "comment-retract": {"pk": "comment"},
    "comment-history": {"pk": "comment"},
    "case-decisions": {"case_id": "case"},
    "decision-detail": {"pk": "decision"},
    "decision-sign": {"pk": "decision"},
    "decision-amend": {"pk": "decision"},
    "decision-follow-up": {"pk": "decision"},
    "decision-report": {"pk": "decision"},
    "decision-fhir": {"pk": "decision"},
    "meeting-agenda-item": {"pk": "meeting", "item_id": "agenda_item"},
    "meeting-agenda-item-move": {"pk": "meeting", "item_id": "agenda_item"},
    **{
        f"meeting-{name}": {"pk": "meeting"}
        for name in (
            "detail",
            "advance",
            "agenda",
            "agenda-reorder",
            "attendance",
            "cancel",
            "check-in",
            "end",
            "live",
            "move",
            "publish",
            "quorum",
            "rsvp",
            "start",
        )
    },
    "audit:case-trail": {"case_id": "case"},
    "audit:referral-trail": {"referral_id": "referral"},
    "audit:subject-trail": {"subject_type": "audit_subject_type", "subject_id": "audit_subject_id"},
    **{f"meetings:{name}": {"pk": "meeting"} for name in ("meeting", "attendance", "live", "live-panel", "agenda-reorder")},
    "meetings:action": {"pk": "meeting", "action": "meeting_action"},
    "meetings:events": {"pk": "meeting"},
    "decisions:case-decisions": {"case_id": "case"},
    "decisions:decision-new": {"case_id": "case"},
    "decisions:case-discussion": {"case_id": "case"},
    "decisions:decision": {"pk": "decision"},
    "frontend:case-detail": {"pk": "case"},
    "frontend:case-derived": {"pk": "case"},
    "frontend:match-flag": {"pk": "case", "identifier": "trial"},
    "frontend:intake-step": {"pk": "case", "step": "intake_step"},
    "frontend:intake-submit": {"pk": "case"},
    "frontend:plan-create": {"pk": "case"},
    "frontend:plan-edit": {"pk": "case", "plan_id": "plan"},
    "frontend:plan-import": {"pk": "case", "plan_id": "plan"},
    "frontend:import-progress": {"job_id": "dose_import"},
    "frontend:registry-flag-resolve": {"flag_id": "flag"},
}

#: Routes about the shared registry or the caller's own token: any signed-in user may read them.
NOT_BOARD_DATA = {"regimen-detail", "constraint-set-detail", "trial-detail", "calendar-feed"}
#: Routes an anonymous caller may use, and what they answer.
PUBLIC = {"healthz", "login", "logout", "api-token", "calendar-feed"}

METHODS = ("get", "post", "patch", "delete")
REFUSED = {401, 403, 404, 405}


@dataclass(frozen=True)
class Route:
    name: str
    regex: str
    params: tuple[str, ...]

    def build(self, world: World | None = None, *, unknown: bool = False) -> str:
        if not self.params:
            return reverse(self.name)
        assert world is not None
        kinds = ROUTES[self.name]
        values = {param: (KINDS[kinds[param]][1] if unknown else KINDS[kinds[param]][0](world)) for param in self.params}
        return reverse(self.name, kwargs=values)


def _walk(patterns: list[Any], prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for entry in patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^")
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, regex, ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or regex)
            yield Route(name=name, regex=regex, params=tuple(entry.pattern.regex.groupindex))


def project_routes() -> list[Route]:
    return [route for route in _walk(get_resolver().url_patterns) if not route.regex.startswith("admin/")]


def test_every_url_with_parameters_can_be_built() -> None:
    """A new URL with parameters fails here until it is added to ROUTES (so the walk covers it)."""
    routes = project_routes()
    assert len(routes) > 100  # the resolver really was walked (API router routes included)
    names = [r.name for r in routes]
    assert len(names) == len(set(names)), "every URL needs its own name (the walk builds them with reverse())"
    unknown = [r.name for r in routes if r.params and r.name not in ROUTES]
    assert not unknown, f"add these routes (and their parameters' kinds) to ROUTES: {unknown}"
    bad = [(r.name, p) for r in routes if r.name in ROUTES for p in r.params if ROUTES[r.name].get(p) not in KINDS]
    assert not bad, f"parameters of unknown kind: {bad}"


def _client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)  # the pages
        client.force_authenticate(user)  # the API (no CSRF dance for the writes)
    return client


def _call(client: APIClient, method: str, url: str) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, {}, format="json")


def _leaks(content: bytes) -> list[str]:
    return [name for name, text in MARKERS.items() if text.encode() in content]


_CSRF_TOKEN = re.compile(rb'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


def _normalised(content: bytes, world: World) -> bytes:
    """The body with ids replaced, so a foreign object's answer compares with an unknown id's (and the CSRF
    token of a page masked: it is random per response and says nothing about the object)."""
    text = _CSRF_TOKEN.sub(rb"\1<csrf>", content)
    for value in {KINDS[kind][0](world) for kind in KINDS} | {KINDS[kind][1] for kind in KINDS}:
        text = text.replace(str(value).encode(), b"<id>")
    return text


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


FOREIGN_ROLES = ("coordinator", "surgeon", "radonc", "medonc", "radiologist", "pathologist")


@pytest.mark.parametrize("role", FOREIGN_ROLES)
@override_settings(TUMORBOARD_PUBLIC_API_DOCS=False)
def test_board_b_member_cannot_reach_board_a(world: World, role: str) -> None:
    user = world.foreigners[role]
    client = _client(user)
    problems: list[str] = []
    for route in project_routes():
        if not route.params:
            response = client.get(route.build())
            if response.status_code >= 500 or _leaks(response.content):
                problems.append(f"GET {route.name}: {response.status_code} leaks {_leaks(response.content)}")
            continue
        if route.name in NOT_BOARD_DATA:
            continue
        for method in METHODS:
            url, unknown_url = route.build(world), route.build(world, unknown=True)
            response = _call(client, method, url)
            if response.status_code not in REFUSED or _leaks(response.content):
                problems.append(f"{method.upper()} {url}: {response.status_code} {response.content[:160]!r}")
                continue
            baseline = _call(client, method, unknown_url)
            if (response.status_code, _normalised(response.content, world)) != (
                baseline.status_code,
                _normalised(baseline.content, world),
            ):
                problems.append(
                    f"{method.upper()} {url}: board A's object answers {response.status_code} {response.content[:120]!r}"
                    f" but an unknown one {baseline.status_code} {baseline.content[:120]!r}"
                )
    assert not problems, "\n".join(problems)


@override_settings(TUMORBOARD_PUBLIC_API_DOCS=False)
def test_anonymous_caller_reaches_nothing(world: World) -> None:
    client = _client(None)
    problems: list[str] = []
    for route in project_routes():
        if route.name in PUBLIC:
            continue
        url = route.build(world) if route.params else route.build()
        for method in METHODS:
            response = _call(client, method, url)
            refused = response.status_code in REFUSED or _is_login_redirect(response)
            if not refused or _leaks(response.content):
                problems.append(f"{method.upper()} {url}: {response.status_code} {response.content[:160]!r}")
    assert not problems, "\n".join(problems)


def test_calendar_feed_needs_its_token(world: World) -> None:
    """The feed is read by calendar apps without a session: only the secret token opens it."""
    client = _client(None)
    route = next(r for r in project_routes() if r.name == "calendar-feed")
    assert client.get(route.build(world)).status_code == 200
    refused = client.get(route.build(world, unknown=True))
    assert refused.status_code == 404 and not _leaks(refused.content)


@pytest.mark.parametrize("role", [*FOREIGN_ROLES, "administrator"])
def test_board_a_members_get_no_server_error(world: World, role: str) -> None:
    user = world.personas.administrator if role == "administrator" else world.members()[role]
    client = _client(user)
    problems = []
    for route in project_routes():
        if route.name in {"logout", "meetings:events"}:
            continue
        url = route.build(world) if route.params else route.build()
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"GET {url}: {response.status_code}")
    assert not problems, "\n".join(problems)
