"""The case page: every flag with its breakdown in words, trials per criterion with "flag as wrong",
results that are still computing poll and replace themselves, the timeline; constant queries."""

from __future__ import annotations

import re

from apps.risk.services import risk_assess_case
from apps.trials.models import MatchFlag
from apps.trials.services import case_match_trials
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory
from tests.frontend.helpers import assert_constant_queries, logged_in, visible_text
from tests.frontend.test_homes_and_list import spinal_unstable


def test_each_flag_shows_its_full_breakdown_in_words(personas: Personas) -> None:
    case = CaseFactory(board=personas.board, estimated_survival_months=8)
    spinal_unstable(case)
    risk_assess_case(case_id=case.pk)
    html = logged_in(personas.surgeon).get(f"/cases/{case.pk}/").content.decode()
    # given T11-T12, mechanical pain, lytic, de novo deformity, >50 % collapse, bilateral: SINS 3+3+2+2+3+3 = 16
    assert "Spinal instability (SINS): 16 points, unstable" in html
    assert "Mechanical (movement or loading)" in html or "mechanical (movement or loading)" in html
    assert "collapse of more than 50%" in html
    # each component with its points, and the rule's source
    assert re.search(r"Vertebral body collapse \(SINS\)</td><td>collapse of more than 50%</td>\s*<td class=\"num\">3</td>", html)
    assert "Fourney DR et al., J Clin Oncol 2011" in html
    # ESCC 3 is decided; the Patchell criteria say what would settle the unknown ones
    assert "Epidural spinal cord compression (Bilsky)" in html
    assert "Would be settled by:" in html and "prior radiotherapy" in html
    # no raw codes where words belong
    main = visible_text(html)
    for raw in ("thoracic_spine", "gt50_collapse", "de_novo_deformity", "not_met", "high_risk_asymptomatic"):
        assert raw not in main, raw


def test_trial_criteria_are_explained_in_words_and_can_be_flagged(personas: Personas, seeded_registry: None) -> None:
    case = CaseFactory(board=personas.board, primary_histology="breast", er_status="positive", her2_status="negative")
    LesionFactory(case=case)
    case_match_trials(case.pk)
    client = logged_in(personas.medonc)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Why: criterion by criterion" in html
    assert "extra.first_line_cdk46_candidate" not in visible_text(html)
    assert "candidate for first-line CDK4/6 inhibitor therapy" in html
    # flag the first criterion of the first trial as wrong
    form = re.search(r'action="(/cases/\d+/trial-matches/([^/]+)/flag/)".*?name="criterion_code" value="([^"]*)"', html, re.S)
    assert form is not None
    url, identifier, code = form.groups()
    response = client.post(url, {"criterion_code": code, "reason": "ECOG was 1 at the board"}, follow=True)
    assert response.status_code == 200
    flag = MatchFlag.objects.get()
    assert (flag.match.trial.identifier, flag.criterion_code, flag.created_by) == (identifier, code, personas.medonc)
    assert "flagged for the registry" in response.content.decode()
    # an empty reason is refused with the reason, and nothing is stored
    response = client.post(url, {"criterion_code": code, "reason": " "}, follow=True)
    assert MatchFlag.objects.count() == 1 and "say what is wrong" in response.content.decode()


def test_flagging_needs_the_case_on_my_boards(personas: Personas, seeded_registry: None) -> None:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    case_match_trials(case.pk)
    response = logged_in(personas.other_member).post(f"/cases/{case.pk}/trial-matches/NCT02089100/flag/", {"reason": "x"})
    assert response.status_code == 404 and not MatchFlag.objects.exists()


def test_results_still_computing_poll_and_stop_when_current(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = logged_in(personas.coordinator)
    pending = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'hx-get="/cases/{case.pk}/derived/"' in pending and 'hx-trigger="every 2s"' in pending
    assert "being computed" in pending
    risk_assess_case(case_id=case.pk)
    case_match_trials(case.pk)
    partial = client.get(f"/cases/{case.pk}/derived/").content.decode()
    assert (
        partial.startswith('\n<div id="derived"')
        or '<div id="derived"' in partial.split("\n", 3)[-1][:200]
        or '<div id="derived"' in partial
    )
    assert "<html" not in partial
    assert "hx-trigger" not in partial and 'data-computing="false"' in partial
    assert "Mirels fracture risk" in partial


def test_timeline_lists_the_case_audit_events(personas: Personas) -> None:
    from datetime import date

    from apps.cases.services import case_create, case_transition

    case = case_create(
        actor=personas.coordinator,
        board=personas.board,
        new_patient={"mrn": "T1", "given_name": "Ada", "family_name": "Byron", "date_of_birth": date(1960, 1, 1)},
        data={"question": "Fix?"},
        lesions=[{"site": "femur", "subsite": "shaft"}],
    )
    case_transition(actor=personas.coordinator, case_id=case.pk, target="submitted")
    risk_assess_case(case_id=case.pk)
    html = logged_in(personas.surgeon).get(f"/cases/{case.pk}/").content.decode()
    timeline = html.split("Timeline", 1)[1]
    assert "Case opened" in timeline and "Status changed" in timeline and "Risk assessed" in timeline
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST)", timeline)


def test_case_page_queries_do_not_grow_with_lesions_trials_flags_or_events(personas: Personas, seeded_registry: None) -> None:
    from apps.cases.services import case_update
    from apps.trials.services import match_flag_create

    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    risk_assess_case(case_id=case.pk)
    case_match_trials(case.pk)
    client = logged_in(personas.radonc)

    def grow() -> None:
        spinal_unstable(case)
        LesionFactory.create_batch(4, case=case)
        case.refresh_from_db()
        case_update(actor=personas.coordinator, case_id=case.pk, data={"ecog": 1})
        risk_assess_case(case_id=case.pk)
        case_match_trials(case.pk)
        for identifier in ("NCT02089100", "NCT02417662"):
            match_flag_create(actor=personas.surgeon, case_id=case.pk, trial_identifier=identifier, reason="check")

    assert_constant_queries(lambda: client.get(f"/cases/{case.pk}/"), grow)
