"""Benchmark data: N boards holding up to 50,000 cases with lesions, prior courses, plans, comments,
meetings (a weekly series, past and coming sittings with their agendas) and signed decisions.

Run from the repository root, into the database of ``DATABASE_URL``::

    DATABASE_URL=postgres://... .venv/bin/python bench/generate.py --cases 50000 --boards 4 --seed 16
    .venv/bin/python bench/generate.py --wipe            # remove every row of the tag

Rows are written through the bulk paths (``bulk_create`` in large batches), never through the services:
a service call per case would take an hour and write an audit row per case. They are still valid by the
same rules: every value is drawn from the clinical vocabulary (``apps.cases.vocabulary``), every case,
lesion and prior course is checked with ``apps.cases.rules`` before it is written (a row the rules refuse
stops the run), the decisions' actions with ``apps.decisions.engine.recommendation.action_errors``, and
the database's CHECK constraints are the backstop.

Everything hangs off one institution named by the tag (``--tag``, default ``bench``): ``--wipe`` deletes
its cases, patients, meetings, comments and decisions; its boards and users are reused by the next run
(audit rows of the load tests point to them and the audit trail refuses deletes). A second run with the
same tag wipes first, so the command is idempotent. The users' password is ``--password`` (default
``bench-password``), each has an API token, and their usernames are ``<tag>-b<board>-<role>-<n>``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.cases.vocabulary import (
    KARNOFSKY_VALUES,
    PRIMARY_SUBSITES,
    SITE_LEVELS,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    VERTEBRAL_LEVELS,
    Alignment,
    CastrationStatus,
    CorticalInvolvement,
    EpiduralCompressionGrade,
    LimbPain,
    PosterolateralInvolvement,
    PrimaryHistology,
    RadiographicType,
    ReceptorStatus,
    Sex,
    Site,
    SpinalPain,
    SymptomBurden,
    SystemicTherapyClass,
    VertebralCollapse,
    lateralities_for,
)

DEFAULT_TAG = "bench"
DEFAULT_PASSWORD = "bench-password"  # noqa: S105 - benchmark users on a benchmark database
TODAY = dt.date(2026, 12, 1)
TZ = ZoneInfo("Europe/London")
#: Status mix of a board's cases: most are closed or decided; the open ones are what a board works on.
STATUS_WEIGHTS = {"draft": 6, "submitted": 8, "scheduled": 6, "discussed": 4, "decided": 30, "closed": 46}
#: Relative frequency of sites among bone metastases referred to a board (spine and pelvis dominate).
SITE_WEIGHTS: dict[Site, int] = {
    Site.THORACIC_SPINE: 20,
    Site.LUMBAR_SPINE: 13,
    Site.CERVICAL_SPINE: 5,
    Site.SACRUM: 6,
    Site.PELVIS: 12,
    Site.FEMUR: 12,
    Site.HUMERUS: 6,
    Site.RIB: 10,
    Site.SCAPULA: 3,
    Site.SKULL: 3,
    Site.STERNUM: 2,
    Site.TIBIA: 2,
}
ROLES = ("coordinator", "radiation_oncologist", "surgeon", "medical_oncologist", "radiologist", "pathologist")
UNKNOWN_SHARE = 0.12
AGENDA_SIZE = 40
BATCH = 2_000


def _maybe(rng: random.Random, value: Any, share: float = UNKNOWN_SHARE) -> Any:
    return None if rng.random() < share else value


def _pick(rng: random.Random, enum: Any) -> Any:
    return _maybe(rng, rng.choice(list(enum)).value)


def lesion_row(rng: random.Random) -> dict[str, Any]:
    """One lesion as ``Lesion`` fields: the site by frequency, spine-only fields on the spine, limb fields
    elsewhere, levels inside the site's region, top to bottom; ``symptoms`` and ``symptomatic`` agree."""
    site = rng.choices(list(SITE_WEIGHTS), weights=list(SITE_WEIGHTS.values()))[0]
    spinal = site in SPINAL_SITES
    row: dict[str, Any] = {"site": site.value, "label": ""}
    if spinal:
        region = sorted(SITE_LEVELS[site], key=VERTEBRAL_LEVELS.index)
        start = rng.randrange(len(region))
        row["level_from"] = region[start]
        row["level_to"] = region[min(start + rng.choice((0, 0, 1, 2)), len(region) - 1)]
        row["spinal_pain"] = _pick(rng, SpinalPain)
        row["alignment"] = _pick(rng, Alignment)
        row["vertebral_collapse"] = _pick(rng, VertebralCollapse)
        row["posterolateral_involvement"] = _pick(rng, PosterolateralInvolvement)
        row["epidural_compression_grade"] = _pick(rng, EpiduralCompressionGrade)
        row["posterior_element_involvement"] = _maybe(rng, rng.random() < 0.3)
        row["distance_to_spinal_cord_mm"] = _maybe(rng, round(rng.uniform(0, 20), 1))
    else:
        row["pain"] = _pick(rng, LimbPain)
        row["cortical_involvement"] = _pick(rng, CorticalInvolvement)
    subsites = sorted(SUBSITES_BY_SITE.get(site, ()))
    row["subsite"] = _maybe(rng, rng.choice(subsites).value) if subsites else None
    lateralities = sorted(lateralities_for(site))
    row["laterality"] = _maybe(rng, rng.choice(lateralities).value, 0.3) if lateralities else None
    row["radiographic_type"] = _pick(rng, RadiographicType)
    row["max_diameter_mm"] = _maybe(rng, round(rng.uniform(4, 80), 1))
    symptoms = _pick(rng, SymptomBurden)
    row["symptoms"] = symptoms
    row["symptomatic"] = None if symptoms is None else symptoms == SymptomBurden.SYMPTOMATIC
    for name in ("extraosseous_soft_tissue", "existing_fracture", "prior_surgery", "prior_radiotherapy"):
        row[name] = _maybe(rng, rng.random() < 0.2)
    return row


def case_row(rng: random.Random, n_lesions: int) -> dict[str, Any]:
    """The clinical fields of one case; histology-specific fields only on their histology."""
    histology = rng.choice(list(PrimaryHistology))
    row: dict[str, Any] = {"primary_histology": _maybe(rng, histology.value, 0.04)}
    receptor = [s.value for s in ReceptorStatus]
    if row["primary_histology"] == PrimaryHistology.BREAST:
        for name in ("er_status", "pr_status", "her2_status"):
            row[name] = _maybe(rng, rng.choice(receptor))
    if row["primary_histology"] == PrimaryHistology.PROSTATE:
        row["castration_status"] = _pick(rng, CastrationStatus)
    if row["primary_histology"] == PrimaryHistology.NSCLC:
        row["egfr_mutation"] = _maybe(rng, rng.choice(receptor))
        row["alk_rearrangement"] = _maybe(rng, rng.choice(receptor))
    if row["primary_histology"] is not None and (subsites := PRIMARY_SUBSITES.get(PrimaryHistology(row["primary_histology"]))):
        row["primary_subsite"] = _maybe(rng, rng.choice(sorted(subsites)).value)
    diagnosed = TODAY - dt.timedelta(days=rng.randrange(60, 4000))
    row["primary_diagnosis_date"] = _maybe(rng, diagnosed)
    row["metastasis_diagnosis_date"] = _maybe(rng, diagnosed + dt.timedelta(days=rng.randrange(0, 50)))
    row["ecog"] = _maybe(rng, rng.randrange(5))
    row["karnofsky_performance_status"] = _maybe(rng, rng.choice(KARNOFSKY_VALUES))
    row["estimated_survival_months"] = _maybe(rng, rng.choice((2.0, 4.5, 8.0, 14.0, 30.0)))
    row["primary_controlled"] = _maybe(rng, rng.random() < 0.7)
    row["bone_metastases_count"] = _maybe(rng, n_lesions + rng.randrange(4))
    row["visceral_metastases_count"] = _maybe(rng, rng.randrange(4))
    row["brain_metastases"] = _maybe(rng, rng.random() < 0.1)
    row["on_systemic_therapy"] = on_therapy = _maybe(rng, rng.random() < 0.6)
    # Classes of current therapy only for a patient on it (the rules refuse a list beside "not on therapy").
    classes = sorted(c.value for c in rng.sample(list(SystemicTherapyClass), rng.randrange(1, 3)))
    row["systemic_therapy_classes"] = [] if on_therapy is False else _maybe(rng, classes)
    return row


def prior_course_row(rng: random.Random, lesion: dict[str, Any]) -> dict[str, Any]:
    """A course given earlier to the lesion's region (the same structured target)."""
    fractions = rng.choice((1, 5, 10))
    return {
        "region": f"{lesion['site']} {lesion.get('level_from') or ''}".strip(),
        "site": lesion["site"],
        "level_from": lesion.get("level_from"),
        "level_to": lesion.get("level_to"),
        "laterality": lesion.get("laterality"),
        "total_dose_gy": {1: 8.0, 5: 20.0, 10: 30.0}[fractions],
        "fractions": fractions,
        "date": TODAY - dt.timedelta(days=rng.randrange(200, 2000)),
        "technique": rng.choice(("conventional", "imrt", "sbrt")),
    }


@dataclass
class Plan:
    """What one run writes, decided before any row is written (same seed, same data)."""

    patients: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    lesions: list[list[dict[str, Any]]] = field(default_factory=list)
    courses: list[list[dict[str, Any]]] = field(default_factory=list)


def draw(rng: random.Random, n_cases: int, n_boards: int) -> Plan:
    """Every case with its patient, lesions and prior courses, checked with the intake rules."""
    from apps.cases import rules

    plan = Plan()
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    for i in range(n_cases):
        born = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(20_000))
        lesions = [
            rules.normalise_lesion(lesion_row(rng)) for _ in range(rng.choices((1, 2, 3, 4, 6), weights=(30, 30, 20, 12, 8))[0])
        ]
        case = case_row(rng, len(lesions))
        courses = [prior_course_row(rng, lesions[0])] if rng.random() < 0.25 else []
        problems = [rules.case_errors(case, date_of_birth=born, today=TODAY)]
        problems += [rules.lesion_errors(lesion) for lesion in lesions]
        problems += [rules.prior_course_errors(c, date_of_birth=born, today=TODAY) for c in courses]
        if any(problems):
            raise SystemExit(f"generated case {i} breaks the intake rules: {[p for p in problems if p]}")
        plan.patients.append({"board": i % n_boards, "date_of_birth": born, "sex": rng.choice(list(Sex)).value})
        plan.cases.append(
            {
                **case,
                "status": rng.choices(statuses, weights=weights)[0],
                "urgent": rng.random() < 0.08,
                "question": rng.choice(
                    ("Radiotherapy or surgery first?", "SBRT candidate?", "Stabilisation needed?", "Re-irradiation possible?")
                ),
            }
        )
        plan.lesions.append(lesions)
        plan.courses.append(courses)
    return plan


def _batches(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.base")
    import django

    django.setup()


@contextlib.contextmanager
def _signed_decisions_deletable(connection: Any) -> Iterator[None]:
    """Let the wipe delete the tag's signed decisions, which the database otherwise refuses (migration
    ``decisions.0002``): on PostgreSQL the triggers are skipped for these statements only
    (``session_replication_role``, a superuser's right, as on a benchmark database); on SQLite the
    triggers are dropped and recreated inside the same transaction. Never for a production database."""
    if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production"):
        raise SystemExit("refusing to wipe with the production settings")
    immutable = importlib.import_module("apps.decisions.migrations.0002_signed_decision_immutable")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for statement in immutable.SQLITE_REVERSE:
                cursor.execute(statement)
        try:
            yield
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = origin")
            else:
                for statement in immutable.SQLITE_FORWARD:
                    cursor.execute(statement)


def wipe(tag: str = DEFAULT_TAG) -> int:
    """Delete the tag's cases and everything hanging off them; keep its boards and users. Returns cases."""
    from django.db import connection, transaction

    from apps.cases.models import Case, Patient
    from apps.decisions.models import Decision, FollowUp, FollowUpReminder
    from apps.discussion.models import Comment, CommentRevision, Opinion
    from apps.meetings.models import AgendaItem, Meeting, MeetingSeries
    from apps.trials.models import MatchFlag, TrialMatch, TrialReferral

    boards = {"board__institution__code": tag}
    cases = Case.objects.filter(**boards)
    count = cases.count()
    with transaction.atomic():
        # Children first: most clinical links PROTECT the case. only("pk") keeps the collector from
        # loading payloads it only deletes.
        FollowUpReminder.objects.filter(decision__case__in=cases).delete()
        FollowUp.objects.filter(decision__case__in=cases).delete()
        with _signed_decisions_deletable(connection):
            Decision.objects.filter(case__in=cases).update(amends=None)
            Decision.objects.filter(case__in=cases).only("pk").delete()
        Meeting.objects.filter(**boards).update(current_item=None)
        AgendaItem.objects.filter(meeting__board__institution__code=tag).delete()
        Meeting.objects.filter(**boards).delete()
        MeetingSeries.objects.filter(**boards).delete()
        CommentRevision.objects.filter(comment__case__in=cases).delete()
        Comment.objects.filter(case__in=cases).update(parent=None)
        Comment.objects.filter(case__in=cases).delete()
        Opinion.objects.filter(case__in=cases).delete()
        MatchFlag.objects.filter(match__case__in=cases).delete()
        TrialReferral.objects.filter(case__in=cases).delete()
        TrialMatch.objects.filter(case__in=cases).only("pk").delete()
        ids = list(cases.values_list("pk", flat=True))
        for chunk in _batches(ids, 5_000):
            Case.objects.filter(pk__in=chunk).only("pk").delete()
        Patient.objects.filter(institution__code=tag).delete()
    return count


def _accounts(tag: str, n_boards: int, password: str) -> tuple[list[Any], dict[int, list[Any]]]:
    """The tag's institution, ``n_boards`` boards and six members each (a chair among them). API tokens
    are hashed, so the scripts that call the API issue their own (``api_token_create``)."""
    from django.contrib.auth.hashers import make_password

    from apps.accounts.models import Board, BoardMembership, Institution, User

    institution, _ = Institution.objects.get_or_create(code=tag, defaults={"name": f"Benchmark hospital ({tag})"})
    hashed = make_password(password)
    boards, members = [], {}
    for b in range(n_boards):
        board, _ = Board.objects.get_or_create(institution=institution, name=f"Bone metastases board {b + 1}")
        boards.append(board)
        members[board.pk] = []
        for role in ROLES:
            user, _ = User.objects.update_or_create(
                username=f"{tag}-b{b + 1}-{role.replace('_', '')}",
                defaults={
                    "role": role,
                    "password": hashed,
                    "first_name": role.replace("_", " ").title(),
                    "last_name": f"B{b + 1}",
                },
            )
            BoardMembership.objects.update_or_create(
                board=board, user=user, defaults={"is_chair": role == "radiation_oncologist"}
            )
            members[board.pk].append(user)
    # The registry's curator (an administrator sits on no board): edits trials in bench/recompute.py.
    User.objects.update_or_create(
        username=f"{tag}-admin",
        defaults={"role": "administrator", "password": hashed, "first_name": "Registry", "last_name": "Curator"},
    )
    return boards, members


def generate(
    *, n_cases: int, n_boards: int, seed: int, tag: str = DEFAULT_TAG, password: str = DEFAULT_PASSWORD, verbose: bool = True
) -> dict[str, Any]:
    """Wipe the tag, then write the data set. Returns row counts and seconds."""
    from django.db import connection, transaction

    from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse
    from apps.decisions.engine.recommendation import SIGNATURE_MEANING, action_errors, content_hash
    from apps.decisions.models import Decision
    from apps.decisions.services import signed_content
    from apps.discussion.models import Comment
    from apps.dosimetry.models import RadiotherapyPlan
    from apps.meetings.models import AgendaItem, Meeting, MeetingSeries

    def say(text: str) -> None:
        if verbose:
            print(f"[{time.perf_counter() - started:6.1f} s] {text}", flush=True)

    if connection.vendor != "postgresql" and n_cases > 5_000:
        raise SystemExit("more than 5,000 cases needs PostgreSQL (set DATABASE_URL); SQLite is the demo mode")
    started = time.perf_counter()
    rng = random.Random(seed)
    wiped = wipe(tag)
    say(f"wiped {wiped} cases of tag {tag!r}")
    boards, members = _accounts(tag, n_boards, password)
    plan = draw(rng, n_cases, n_boards)
    say(f"drew {n_cases} cases, checked with the intake rules")
    counts: dict[str, int] = {}
    with transaction.atomic():
        patients = Patient.objects.bulk_create(
            (
                Patient(
                    institution_id=boards[0].institution_id,
                    mrn=f"{tag.upper()}-{seed}-{i:06d}",
                    given_name=rng.choice(("Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana")),
                    family_name=f"Patient {i:06d}",
                    date_of_birth=p["date_of_birth"],
                    sex=p["sex"],
                )
                for i, p in enumerate(plan.patients)
            ),
            batch_size=BATCH,
        )
        cases = Case.objects.bulk_create(
            (
                Case(board=boards[p["board"]], patient=patient, **row)
                for p, patient, row, lesions in zip(plan.patients, patients, plan.cases, plan.lesions, strict=True)
            ),
            batch_size=BATCH,
        )
        say("patients and cases written")
        lesions = Lesion.objects.bulk_create(
            (Lesion(case=case, **row) for case, rows in zip(cases, plan.lesions, strict=True) for row in rows), batch_size=5_000
        )
        PriorRadiotherapyCourse.objects.bulk_create(
            (PriorRadiotherapyCourse(case=case, **row) for case, rows in zip(cases, plan.courses, strict=True) for row in rows),
            batch_size=5_000,
        )
        say("lesions and prior courses written")
        first_lesion: dict[int, Lesion] = {}
        for lesion in lesions:
            first_lesion.setdefault(lesion.case_id, lesion)
        plans = RadiotherapyPlan.objects.bulk_create(
            (
                RadiotherapyPlan(
                    case=case,
                    name="8 Gy single fraction",
                    levels=[{"fractions": 1, "total_dose_gy": 8.0}],
                    site=first_lesion[case.pk].site,
                    level_from=first_lesion[case.pk].level_from,
                    level_to=first_lesion[case.pk].level_to,
                    laterality=first_lesion[case.pk].laterality,
                )
                for case in cases
                if case.status in {"discussed", "decided", "closed"} and rng.random() < 0.5
            ),
            batch_size=BATCH,
        )
        comments = Comment.objects.bulk_create(
            (
                Comment(
                    case=case,
                    author=(author := rng.choice(members[case.board_id])),
                    author_role=author.role,
                    body=(body := rng.choice(("Imaging reviewed.", "MRI shows no cord compression.", "Agree with SBRT."))),
                    body_html=f"<p>{body}</p>",
                )
                for case in cases
                if case.status != "draft"
                for _ in range(rng.randrange(3))
            ),
            batch_size=5_000,
        )
        say(f"{len(plans)} plans and {len(comments)} comments written")

        # Meetings: a weekly series per board; the discussed and decided cases sat on past sittings, the
        # scheduled ones on the coming ones, AGENDA_SIZE to a sitting.
        meetings_written = agenda_written = decisions_written = 0
        by_board: dict[int, list[Case]] = {}
        for case in cases:
            by_board.setdefault(case.board_id, []).append(case)
        for board in boards:
            chair = next(u for u in members[board.pk] if u.role == "radiation_oncologist")
            series = MeetingSeries.objects.create(
                board=board,
                title=f"{board.name} weekly",
                rule="FREQ=WEEKLY;BYDAY=TU",
                first_date=TODAY - dt.timedelta(days=7 * 400),
                start_time=dt.time(7, 30),
                timezone="Europe/London",
                chair=chair,
                max_cases=AGENDA_SIZE,
            )
            past = [c for c in by_board.get(board.pk, []) if c.status in {"discussed", "decided", "closed"}]
            coming = [c for c in by_board.get(board.pk, []) if c.status == "scheduled"]
            sittings: list[tuple[Meeting, list[Case]]] = []
            groups = [
                (-1 - i, past[i * AGENDA_SIZE : (i + 1) * AGENDA_SIZE])
                for i in range((len(past) + AGENDA_SIZE - 1) // AGENDA_SIZE)
            ]
            groups += [
                (i, coming[i * AGENDA_SIZE : (i + 1) * AGENDA_SIZE])
                for i in range((len(coming) + AGENDA_SIZE - 1) // AGENDA_SIZE)
            ]
            if not any(week >= 0 for week, _ in groups):
                groups.append((0, []))
            next_tuesday = TODAY + dt.timedelta(days=(1 - TODAY.weekday()) % 7 or 7)
            for week, group in groups:
                day = next_tuesday + dt.timedelta(days=7 * week)
                starts = dt.datetime.combine(day, dt.time(7, 30), tzinfo=TZ)
                held = week < 0
                sittings.append(
                    (
                        Meeting(
                            board=board,
                            series=series,
                            title=series.title,
                            original_start=starts,
                            starts_at=starts,
                            ends_at=starts + dt.timedelta(minutes=60),
                            local_date=day,
                            timezone="Europe/London",
                            status="held" if held else "scheduled",
                            submission_deadline=starts - dt.timedelta(hours=48),
                            remind_at=starts - dt.timedelta(days=1),
                            chair=chair,
                            max_cases=AGENDA_SIZE,
                            agenda_published_at=starts - dt.timedelta(days=1) if held or week == 0 else None,
                            started_at=starts if held else None,
                            ended_at=starts + dt.timedelta(minutes=60) if held else None,
                            quorum_met_at_end=True if held else None,
                        ),
                        group,
                    )
                )
            Meeting.objects.bulk_create([m for m, _ in sittings], batch_size=BATCH)
            meetings_written += len(sittings)
            items = []
            for meeting, group in sittings:
                for position, case in enumerate(group, start=1):
                    held = meeting.status == "held"
                    items.append(
                        AgendaItem(
                            meeting=meeting,
                            case=case,
                            position=position,
                            urgent=case.urgent,
                            reason="Planned discussion",
                            clinical_question=case.question,
                            discussed_from=meeting.starts_at if held else None,
                            discussed_to=meeting.starts_at + dt.timedelta(minutes=1) if held else None,
                        )
                    )
            AgendaItem.objects.bulk_create(items, batch_size=5_000)
            agenda_written += len(items)

            decisions = []
            for meeting, group in sittings:
                if meeting.status != "held":
                    continue
                for case in group:
                    if case.status not in {"decided", "closed"}:
                        continue
                    lesion = first_lesion[case.pk]
                    actions = [{"kind": "radiotherapy", "target_lesions": [lesion.pk], "total_dose_gy": 8.0, "fractions": 1}]
                    if action_errors(actions, [lesion.pk]):
                        raise SystemExit(f"generated decision actions break the rules: {action_errors(actions, [lesion.pk])}")
                    decision = Decision(
                        case=case,
                        version=1,
                        status="signed",
                        meeting=meeting,
                        intent="palliative",
                        actions=actions,
                        rationale="Painful lesion without instability: single fraction.",
                        consensus="consensus",
                        quorum_met=True,
                        signed_by=chair,
                        signer_name=chair.get_full_name(),
                        signed_at=meeting.ends_at,
                        signature_meaning=SIGNATURE_MEANING,
                    )
                    decision.content_hash = content_hash(signed_content(decision))
                    decisions.append(decision)
            Decision.objects.bulk_create(decisions, batch_size=BATCH)
            decisions_written += len(decisions)
        say(f"{meetings_written} meetings, {agenda_written} agenda items, {decisions_written} signed decisions written")
        counts = {
            "cases": len(cases),
            "lesions": len(lesions),
            "prior_courses": sum(len(c) for c in plan.courses),
            "plans": len(plans),
            "comments": len(comments),
            "meetings": meetings_written,
            "agenda_items": agenda_written,
            "decisions": decisions_written,
        }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a real database
    say("done")
    return {"tag": tag, "boards": n_boards, "seed": seed, "seconds": round(time.perf_counter() - started, 1), **counts}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5_000, help="cases in all (default 5000; up to 50000)")
    parser.add_argument("--boards", type=int, default=4, help="boards the cases are spread over (default 4)")
    parser.add_argument("--seed", type=int, default=16, help="random seed (same seed, same data)")
    parser.add_argument("--tag", default=DEFAULT_TAG, help="institution code the data hangs off (default bench)")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the generated users")
    parser.add_argument("--wipe", action="store_true", help="only delete the tag's data")
    args = parser.parse_args(argv)
    setup_django()
    if args.wipe:
        print(f"wiped {wipe(args.tag)} cases of tag {args.tag!r}")
        return 0
    result = generate(n_cases=args.cases, n_boards=args.boards, seed=args.seed, tag=args.tag, password=args.password)
    print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
