"""What each role's home page lists: reads only, scoped through ``apps.cases.selectors``.

Coordinator: cases waiting for placement on an agenda (submitted), incomplete drafts, recently decided.
Clinician: open cases of their boards, and the cases that ask for their specialty's opinion.

"Asks for my specialty" is read from the current risk assessment and the case facts until board meetings
record explicit opinion requests (issue 12), by what each specialty is consulted for in the sources:

* surgeon: potentially unstable or unstable spine (SINS >= 7, surgical consultation; source:
  ``clinical-rules.md`` §3, Fisher 2010), borderline or impending fracture (Mirels >= 8, prophylactic
  fixation to consider; §2), high-grade epidural compression (ESCC 2-3; §4);
* radiation oncologist: high-grade epidural compression (§4) and high-risk asymptomatic lesions that
  qualify for prophylactic radiotherapy (Gillespie criteria, §5);
* radiologist: a spinal lesion whose SINS or ESCC grade, or a limb lesion whose Mirels score, cannot be
  completed from what is recorded (imaging must be read again);
* medical oncologist: systemic therapy not recorded (whether the patient is on it is unknown);
* pathologist: primary histology not known, or an unknown primary.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.cases import selectors
from apps.cases.models import Case
from apps.cases.vocabulary import LIMB_SITES, SPINAL_SITES, PrimaryHistology
from apps.cases.workflow import CaseStatus
from apps.risk.models import LesionAssessment

HOME_LIST_SIZE = 10

#: Open for discussion: submitted up to discussed (drafts are their author's, decided cases are done).
DISCUSSION_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED)

_SPINAL = sorted(s.value for s in SPINAL_SITES)
_LIMB = sorted(s.value for s in LIMB_SITES)


def _current_lesion_rows(condition: Q) -> QuerySet[LesionAssessment]:
    return LesionAssessment.objects.filter(condition, assessment__case_id=OuterRef("pk"), assessment__is_current=True)


def _specialty_condition(role: str) -> Q | None:
    if role == Role.SURGEON:
        rows = Q(sins_category__in=("indeterminate", "unstable")) | Q(mirels_category__in=("borderline", "impending_fracture"))
        return Q(Exists(_current_lesion_rows(rows | Q(escc_high_grade=True))))
    if role == Role.RADIATION_ONCOLOGIST:
        return Q(Exists(_current_lesion_rows(Q(escc_high_grade=True) | Q(high_risk=True))))
    if role == Role.RADIOLOGIST:
        spinal = Q(lesion__site__in=_SPINAL) & (Q(sins_category__isnull=True) | Q(escc_high_grade__isnull=True))
        limb = Q(lesion__site__in=_LIMB, mirels_category__isnull=True)
        return Q(Exists(_current_lesion_rows(spinal | limb)))
    if role == Role.MEDICAL_ONCOLOGIST:
        return Q(on_systemic_therapy__isnull=True)
    if role == Role.PATHOLOGIST:
        return Q(primary_histology__isnull=True) | Q(primary_histology=PrimaryHistology.UNKNOWN_PRIMARY)
    return None


def _listed(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.order_by("-urgent", "-updated_at", "-id")


def awaiting_placement(user: User) -> QuerySet[Case]:
    return _listed(selectors.case_list(user).filter(status=CaseStatus.SUBMITTED))


def incomplete_drafts(user: User) -> QuerySet[Case]:
    return _listed(selectors.case_list(user).filter(status=CaseStatus.DRAFT))


def recently_decided(user: User) -> QuerySet[Case]:
    return selectors.case_list(user).filter(status=CaseStatus.DECIDED).order_by("-updated_at", "-id")


def open_cases(user: User) -> QuerySet[Case]:
    return _listed(selectors.case_list(user).filter(status__in=DISCUSSION_STATUSES))


def awaiting_my_specialty(user: User) -> QuerySet[Case]:
    condition = _specialty_condition(user.role)
    if condition is None:
        return selectors.case_list(user).none()
    return open_cases(user).filter(condition)


def specialty_reason(role: str) -> str:
    """One line for the page: why these cases are listed for this specialty."""
    return {
        Role.SURGEON: "spine potentially unstable (SINS 7 or more), fracture risk (Mirels 8 or more) or ESCC 2-3",
        Role.RADIATION_ONCOLOGIST: "ESCC 2-3, or a high-risk asymptomatic lesion (prophylactic radiotherapy)",
        Role.RADIOLOGIST: "a SINS, ESCC grade or Mirels score that imaging must complete",
        Role.MEDICAL_ONCOLOGIST: "systemic therapy not recorded",
        Role.PATHOLOGIST: "primary histology not known",
    }.get(Role(role), "")
