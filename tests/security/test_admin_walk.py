"""The admin in the URL walk (issue 15): every admin URL pattern (the site's pages and, for every registered
model, its changelist, add, change, history and delete pages and the custom pages its admin adds) built with
board A's objects and asked by each role, by a member of another board, by the administrator and by IT
staff.

* Nobody but an administrator or IT staff gets a 200 from an admin page, even with ``is_staff`` set by
  mistake, and nobody gets a server error.
* Administrators audit and curate registries: on clinical, derived and access records they get no add
  page, no change saved and no delete; on the registries (``REGISTRIES``) they add and change, never delete.
  IT staff change access only (``ACCESS``), never clinical or derived records.
* No admin page shows an API token's key or digest, or a calendar feed's token.

A new registered model is walked without anyone adding it; if its admin lets an administrator add or
change, the test fails until it is named in ``REGISTRIES`` (and its ``save_model`` calls its service).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import get_resolver, reverse

from apps.accounts import services
from apps.accounts.models import ApiToken, User
from apps.accounts.roles import Role
from tests.factories import (
    FollowUpFactory,
    OpinionFactory,
    PriorRadiotherapyCourseFactory,
    QuorumRequirementFactory,
    UserFactory,
)
from tests.security.conftest import MARKERS, World
from tests.security.test_url_walk import _walk

pytestmark = pytest.mark.django_db

#: Registries an administrator curates through the admin (each ``save_model`` calls the app's service).
REGISTRIES = {"dosimetry.regimen", "dosimetry.constraintset", "trials.trial"}
#: Access records: only IT staff (``is_superuser``) change them, through ``apps.accounts.services``.
ACCESS = {"accounts.user", "accounts.board", "accounts.boardmembership"}
#: Admin pages with no data of their own: the sign-in form answers anyone.
OPEN_PAGES = {"admin:login"}
OBJECT_ACTIONS = ("change", "history", "delete")


@dataclass(frozen=True)
class AdminUrl:
    name: str
    url: str
    #: ``app_label.model_name`` of the model the page is about, or "" for the site's own pages.
    model: str = ""
    action: str = ""


def _first(model: type[Model]) -> Model | None:
    return model._default_manager.order_by("pk").first()


def _model_pages() -> dict[str, tuple[type[Model], str]]:
    """URL name -> (model, action) of every page Django's admin makes for a registered model."""
    pages = {}
    for model in admin.site._registry:
        meta = model._meta
        for action in ("changelist", "add", *OBJECT_ACTIONS):
            pages[f"admin:{meta.app_label}_{meta.model_name}_{action}"] = (model, action)
    return pages


def admin_urls() -> Iterator[AdminUrl]:
    """Every named admin URL pattern, built; a pattern this cannot build fails the walk."""
    pages = _model_pages()
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    for route in _walk(get_resolver().url_patterns):
        if not route.regex.startswith("admin/") or not route.name.startswith("admin:"):
            continue  # the unnamed redirects (<id>/ -> change) and the catch-all 404
        if route.name in pages:
            model, action = pages[route.name]
            label = model._meta.label_lower
            if action in OBJECT_ACTIONS:
                obj = _first(model)
                assert obj is not None, f"the world has no {label} to open {route.name} with"
                yield AdminUrl(route.name, reverse(route.name, args=[obj.pk]), label, action)
            else:
                yield AdminUrl(route.name, reverse(route.name), label, action)
        elif route.params == ("app_label",):
            for app_label in labels:
                yield AdminUrl(route.name, reverse(route.name, kwargs={"app_label": app_label}))
        elif route.name == "admin:view_on_site":
            continue  # a redirect to the object's own page, walked by the URL walk
        elif route.name == "admin:auth_user_password_change":  # UserAdmin names it after auth
            target = _first(User)
            assert target is not None
            yield AdminUrl(route.name, reverse(route.name, args=[target.pk]), "accounts.user", "password")
        else:
            assert not route.params, f"add {route.name} ({route.params}) to the admin walk"
            yield AdminUrl(route.name, reverse(route.name))


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staffed(user: User, *, staff: bool) -> User:
    User.objects.filter(pk=user.pk).update(is_staff=staff)
    return User.objects.get(pk=user.pk)


def _leaks(content: bytes) -> list[str]:
    return [name for name, text in MARKERS.items() if text.encode() in content]


def _row_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._default_manager.count() for model in admin.site._registry}


def _complete(world: World) -> None:
    """Board A's records of the kinds the URL walk's world does not make (their pages have no URL there)."""
    case, board = world.case, world.personas.board
    PriorRadiotherapyCourseFactory(case=case)
    QuorumRequirementFactory(board=board)
    OpinionFactory(case=case, author=world.personas.radonc)
    FollowUpFactory(decision=world.decision)


@pytest.fixture
def urls(world: World) -> list[AdminUrl]:
    _complete(world)
    built = list(admin_urls())
    assert len({u.model for u in built if u.model}) == len(admin.site._registry)  # every registered model
    return built


@pytest.fixture
def it_staff(world: World) -> User:
    return UserFactory(username="it", role=Role.COORDINATOR, is_staff=True, is_superuser=True)


NON_ADMINISTRATORS = ("coordinator", "surgeon", "radonc", "medonc", "radiologist", "pathologist", "other_board")


@pytest.mark.parametrize("staff", [False, True], ids=["not-staff", "staff-by-mistake"])
@pytest.mark.parametrize("who", NON_ADMINISTRATORS)
def test_nobody_but_administrators_and_it_staff_gets_an_admin_page(
    world: World, urls: list[AdminUrl], who: str, staff: bool
) -> None:
    user = world.personas.other_member if who == "other_board" else world.members()[who]
    client = _client(_staffed(user, staff=staff))
    before = _row_counts()
    problems = []
    for page in urls:
        if page.name in OPEN_PAGES:
            continue
        response = client.get(page.url)
        if response.status_code == 200 or response.status_code >= 500 or _leaks(response.content):
            problems.append(f"GET {page.url}: {response.status_code} {_leaks(response.content)}")
        if page.action in {"add", "change", "delete", "password"}:
            posted = client.post(page.url, {"post": "yes"})
            if posted.status_code not in {302, 403} or (posted.status_code == 302 and "/login/" not in posted["Location"]):
                problems.append(f"POST {page.url}: {posted.status_code}")
    assert _row_counts() == before
    assert not problems, "\n".join(problems)


def test_administrators_audit_and_curate_registries_only(world: World, urls: list[AdminUrl]) -> None:
    auditor = _staffed(world.personas.administrator, staff=True)
    client = _client(auditor)
    before = _row_counts()
    problems, editable = [], set()
    for page in urls:
        response = client.get(page.url)
        if response.status_code >= 500:
            problems.append(f"GET {page.url}: {response.status_code}")
        if page.action in {"changelist", "history"} and response.status_code != 200:
            problems.append(f"GET {page.url}: {response.status_code}, but administrators read every record")
        if page.action == "add" and response.status_code == 200:
            editable.add(page.model)
        writes = page.action in {"add", "change", "delete", "password"}
        if (writes and page.model not in REGISTRIES) or page.action == "delete":
            posted = client.post(page.url, {"post": "yes"})
            if posted.status_code != 403:
                problems.append(f"POST {page.url}: {posted.status_code}, expected 403")
        if page.action == "delete" and response.status_code != 403:
            problems.append(f"GET {page.url}: {response.status_code}, expected 403 (nothing is deleted here)")
        if page.action == "changelist":
            bulk = client.post(page.url, {"action": "delete_selected", "_selected_action": ["1"], "post": "yes"})
            if bulk.status_code >= 500:
                problems.append(f"POST {page.url} delete_selected: {bulk.status_code}")
    # One's own password changes on the account page, through the service and its audit row.
    assert client.get(reverse("admin:password_change"))["Location"] == reverse("account-password")
    assert _row_counts() == before, "an administrator's admin request added or deleted records"
    assert editable == REGISTRIES, f"administrators may add to {sorted(editable)}, expected only the registries"
    assert not problems, "\n".join(problems)


def test_it_staff_change_access_but_no_clinical_or_derived_record(world: World, urls: list[AdminUrl], it_staff: User) -> None:
    client = _client(it_staff)
    before = _row_counts()
    problems = []
    for page in urls:
        if page.action not in {"add", "change", "delete"} or page.model in ACCESS:
            continue
        response = client.get(page.url)
        if page.action == "add" and response.status_code == 200:
            problems.append(f"GET {page.url}: 200, IT staff add no {page.model}")
        posted = client.post(page.url, {"post": "yes"})
        if posted.status_code != 403:
            problems.append(f"POST {page.url}: {posted.status_code}, expected 403")
    assert _row_counts() == before
    assert not problems, "\n".join(problems)


def test_no_admin_page_shows_a_token(world: World, urls: list[AdminUrl], it_staff: User) -> None:
    token, key = services.api_token_create(user=world.personas.surgeon, name="ehr")
    secrets = {"api token key": key, "api token digest": ApiToken.digest_of(key), "calendar token": world.calendar_token}
    assert token.prefix and key.startswith(token.prefix)
    problems = []
    for user in (_staffed(world.personas.administrator, staff=True), it_staff):
        client = _client(user)
        for page in urls:
            content = client.get(page.url).content
            shown = [name for name, secret in secrets.items() if secret.encode() in content]
            if shown:
                problems.append(f"{user.username} GET {page.url} shows the {', '.join(shown)}")
        surgeon_page = client.get(reverse("admin:accounts_user_change", args=[world.personas.surgeon.pk]))
        assert surgeon_page.status_code == 200  # the token's owner's page was really read
    assert not problems, "\n".join(problems)
