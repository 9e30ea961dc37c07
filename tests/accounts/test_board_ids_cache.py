"""The board ids cached on a user object for the scope: one read, voided by a membership change or a
new request, so a removed membership never keeps its access."""

from __future__ import annotations

import pytest
from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from apps.accounts import authorization
from apps.accounts.models import BoardMembership
from apps.accounts.roles import Permission
from apps.cases.selectors import scope_cases
from tests.conftest import Personas
from tests.factories import CaseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_ids_are_read_once_then_reused(personas: Personas) -> None:
    user = personas.surgeon
    list(scope_cases(user))
    with CaptureQueriesContext(connection) as captured:
        list(scope_cases(user))
        assert authorization.allowed(user, Permission.CASE_VIEW, personas.board.pk)
    assert not any("accounts_boardmembership" in q["sql"] for q in captured.captured_queries)


def test_a_removed_membership_is_seen_by_the_next_query(personas: Personas) -> None:
    user = personas.surgeon
    case = CaseFactory(board=personas.board)
    assert scope_cases(user).filter(pk=case.pk).exists()
    BoardMembership.objects.get(user=user, board=personas.board).delete()
    assert not scope_cases(user).filter(pk=case.pk).exists()
    assert not authorization.allowed(user, Permission.CASE_VIEW, personas.board.pk)


def test_an_added_membership_is_seen_by_the_next_query(personas: Personas) -> None:
    user = personas.surgeon
    foreign = CaseFactory(board=personas.other_board)
    assert not scope_cases(user).filter(pk=foreign.pk).exists()
    MembershipFactory(user=user, board=personas.other_board)
    assert scope_cases(user).filter(pk=foreign.pk).exists()


def test_a_new_request_reads_the_ids_afresh(personas: Personas) -> None:
    user = personas.surgeon
    list(scope_cases(user))
    # A change this process did not see (made by another web worker): no signal reaches this cache.
    BoardMembership.objects.filter(user=user, board=personas.board)._raw_delete(BoardMembership.objects.db)
    # As Django's test client does: the signal without closing the test's database connection.
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
    case = CaseFactory(board=personas.board)
    assert not scope_cases(user).filter(pk=case.pk).exists()
