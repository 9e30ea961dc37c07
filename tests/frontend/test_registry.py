"""The administrator's registry, match-flag and report pages: scoped, role-checked, constant queries."""

from __future__ import annotations

from apps.trials.models import MatchFlag
from apps.trials.services import case_match_trials, match_flag_create
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory
from tests.frontend.helpers import assert_constant_queries, logged_in


def flagged_case(personas: Personas, identifier: str = "NCT02089100") -> MatchFlag:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    case_match_trials(case.pk)
    return match_flag_create(actor=personas.surgeon, case_id=case.pk, trial_identifier=identifier, reason="ECOG was 1")


def test_the_registry_lists_every_trial(personas: Personas, seeded_registry: None) -> None:
    html = logged_in(personas.administrator).get("/registry/trials/").content.decode()
    assert "NCT02089100" in html and "STEREO-SEIN" in html
    assert "/registry/trials/" in logged_in(personas.administrator).get("/").content.decode()


def test_an_administrator_resolves_a_flag_from_the_page(personas: Personas, seeded_registry: None) -> None:
    flag = flagged_case(personas)
    admin = logged_in(personas.administrator)
    html = admin.get("/registry/match-flags/").content.decode()
    assert "ECOG was 1" in html and f"/registry/match-flags/{flag.pk}/resolve/" in html
    response = admin.post(f"/registry/match-flags/{flag.pk}/resolve/", {"note": ""}, follow=True)
    assert "say how the flag was resolved" in response.content.decode()
    admin.post(f"/registry/match-flags/{flag.pk}/resolve/", {"note": "criterion corrected in version 4"})
    flag.refresh_from_db()
    assert flag.resolved and flag.resolved_by == personas.administrator
    assert "criterion corrected" in admin.get("/registry/match-flags/?state=resolved").content.decode()


def test_clinicians_see_their_boards_flags_but_do_not_resolve(personas: Personas, seeded_registry: None) -> None:
    flag = flagged_case(personas)
    html = logged_in(personas.surgeon).get("/registry/match-flags/").content.decode()
    assert "ECOG was 1" in html and "/resolve/" not in html
    assert "ECOG was 1" not in logged_in(personas.other_member).get("/registry/match-flags/").content.decode()
    logged_in(personas.surgeon).post(f"/registry/match-flags/{flag.pk}/resolve/", {"note": "x"})
    flag.refresh_from_db()
    assert not flag.resolved


def test_reports_are_for_report_viewers(personas: Personas, seeded_registry: None) -> None:
    assert logged_in(personas.surgeon).get("/reports/").status_code == 403
    html = logged_in(personas.administrator).get("/reports/").content.decode()
    assert "Eligible but not referred" in html


def test_registry_pages_run_constant_queries(personas: Personas, seeded_registry: None) -> None:
    admin = logged_in(personas.administrator)
    flagged_case(personas)
    for path in ("/registry/match-flags/?state=all", "/registry/trials/", "/reports/"):
        assert_constant_queries(
            lambda p=path: admin.get(p), lambda: [flagged_case(personas, i) for i in ("NCT02089100", "NCT02417662")]
        )
