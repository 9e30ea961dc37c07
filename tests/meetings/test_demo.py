"""The demo data: a weekly series chaired by radonc, held meetings with attendance, agendas, a waiting list."""

from __future__ import annotations

from apps.meetings.demo import HELD_CASES, PLACED_CASES, SERIES_TITLE, seed_meetings
from apps.meetings.models import AgendaItem, Meeting, MeetingSeries
from tests.conftest import Personas
from tests.meetings.helpers import submitted_case


def test_seed_meetings_is_complete_and_idempotent(personas: Personas) -> None:
    cases = [submitted_case(personas, urgent=i == 3) for i in range(HELD_CASES + PLACED_CASES + 4)]
    users = {
        u.username: u
        for u in (
            personas.coordinator,
            personas.surgeon,
            personas.radonc,
            personas.medonc,
            personas.radiologist,
            personas.pathologist,
        )
    }
    seed_meetings(personas.board, users)
    series = MeetingSeries.objects.get(board=personas.board, title=SERIES_TITLE)
    assert series.chair == personas.radonc
    meetings = list(Meeting.objects.filter(series=series))
    assert {m.chair_id for m in meetings} == {personas.radonc.pk}
    held = sorted((m for m in meetings if m.status == "held"), key=lambda m: m.starts_at)
    assert held and all(m.quorum_met_at_end is True for m in held)
    assert held[0].attendances.filter(status="present_remote").count() == 1
    assert any(m.status == "scheduled" and m.agenda_published_at for m in meetings)
    # The last held meeting discussed the oldest cases (not the urgent one), with minutes and times.
    past_items = AgendaItem.objects.filter(meeting=held[-1]).order_by("position")
    assert [i.case_id for i in past_items] == [c.pk for c in cases if not c.urgent][:HELD_CASES]
    assert all(i.minutes and i.discussed_from and i.discussed_to for i in past_items)
    assert {c.status for c in type(cases[0]).objects.filter(pk__in=[i.case_id for i in past_items])} == {"discussed"}
    assert AgendaItem.objects.filter(meeting__series=series).count() == PLACED_CASES + HELD_CASES
    assert AgendaItem.objects.get(case=cases[3]).position == 1  # the urgent case heads its agenda
    waiting = [c for c in cases if not AgendaItem.objects.filter(case=c).exists()]
    assert len(waiting) == 4
    assert seed_meetings(personas.board, users) == "meetings already seeded"
    assert Meeting.objects.filter(series=series).count() == len(meetings)
