"""The one authorization entry point fails closed: every persona, board-bound and global permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.accounts.authorization import allowed, boards_where, require, restrict
from apps.accounts.models import Board
from apps.accounts.roles import Permission
from apps.cases.models import Case
from tests.conftest import Personas


def test_member_with_the_grant_may_act_on_their_board_only(personas: Personas) -> None:
    board, other = personas.board.pk, personas.other_board.pk
    assert allowed(personas.coordinator, Permission.CASE_CREATE, board)
    assert not allowed(personas.coordinator, Permission.CASE_CREATE, other)
    assert allowed(personas.radonc, Permission.DOSE_PLAN_EDIT, board)
    assert not allowed(personas.surgeon, Permission.DOSE_PLAN_EDIT, board)  # role lacks the grant
    assert not allowed(personas.outsider, Permission.CASE_VIEW, board)  # a surgeon on no board


def test_board_bound_permission_without_its_board_is_refused(personas: Personas) -> None:
    assert not allowed(personas.coordinator, Permission.CASE_CREATE, None)


def test_administrator_reads_every_board_but_writes_no_clinical_content(personas: Personas) -> None:
    admin = personas.administrator
    assert allowed(admin, Permission.CASE_VIEW, personas.board.pk)
    assert allowed(admin, Permission.CASE_VIEW, personas.other_board.pk)
    for permission in (Permission.CASE_EDIT, Permission.CASE_CREATE, Permission.DOSE_PLAN_EDIT, Permission.CASE_TRIAGE):
        assert not allowed(admin, permission, personas.board.pk)
    assert allowed(admin, Permission.TRIAL_REGISTRY_EDIT)
    assert allowed(admin, Permission.AUDIT_VIEW)
    assert not allowed(personas.coordinator, Permission.AUDIT_VIEW)


@pytest.mark.parametrize("who", ["anonymous", "none", "inactive"])
def test_anonymous_none_and_inactive_users_are_refused_everything(personas: Personas, who: str) -> None:
    user = {"anonymous": AnonymousUser(), "none": None, "inactive": personas.coordinator}[who]
    if who == "inactive":
        personas.coordinator.is_active = False
    for permission in Permission:
        assert not allowed(user, permission, personas.board.pk)
    assert not boards_where(user, Permission.CASE_VIEW).exists()
    with pytest.raises(PermissionDenied, match="Sign in"):
        require(user, Permission.CASE_VIEW, personas.board.pk)


def test_unknown_role_grants_nothing(personas: Personas) -> None:
    personas.surgeon.role = "barber"
    assert not any(allowed(personas.surgeon, p, personas.board.pk) for p in Permission)


def test_require_says_which_rule_refused(personas: Personas) -> None:
    with pytest.raises(PermissionDenied, match="may not do this"):
        require(personas.surgeon, Permission.DOSE_PLAN_EDIT, personas.board.pk)
    with pytest.raises(PermissionDenied, match="not a member"):
        require(personas.other_member, Permission.CASE_EDIT, personas.board.pk)
    require(personas.coordinator, Permission.CASE_EDIT, personas.board.pk)  # no exception


def test_boards_where_lists_the_boards_a_user_may_act_on(personas: Personas) -> None:
    assert list(boards_where(personas.coordinator, Permission.CASE_CREATE)) == [personas.board]
    assert not boards_where(personas.administrator, Permission.CASE_CREATE).exists()
    assert set(boards_where(personas.administrator, Permission.CASE_VIEW)) == set(Board.objects.all())
    assert not boards_where(personas.outsider, Permission.CASE_CREATE).exists()


def test_restrict_scopes_rows_to_the_users_boards(personas: Personas) -> None:
    from tests.factories import CaseFactory

    mine, theirs = CaseFactory(board=personas.board), CaseFactory(board=personas.other_board)
    assert list(restrict(Case.objects.all(), personas.coordinator, "board")) == [mine]
    assert list(restrict(Case.objects.all(), personas.other_member, "board")) == [theirs]
    assert not restrict(Case.objects.all(), personas.outsider, "board").exists()
    assert not restrict(Case.objects.all(), AnonymousUser(), "board").exists()
    assert set(restrict(Case.objects.all(), personas.administrator, "board")) == {mine, theirs}
