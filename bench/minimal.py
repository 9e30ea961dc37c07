"""The same-run baseline: the smallest Django views that answer what the case list and case detail answer.

Mounted at ``/bench/`` only when ``TUMORBOARD_BENCH=1`` (``tumorboard/urls.py``); never in production.
Each view authenticates with the same API token as the real endpoint and runs only the essential SQL,
then returns JSON with ``JsonResponse``: no DRF, no serializers, no filters, no audit row. The load test
measures them in the same run as the real endpoints, so what the framework and the app add on top of
the database work is a ratio that holds even on a loaded machine.

- ``/bench/minimal/cases/?page_size=50``: one query for the token's user and boards, one for the page
  of the newest cases of those boards with their board, patient and lesion count, the total count taken
  in the same query (``COUNT(*) OVER ()``).
- ``/bench/minimal/cases/<id>/``: the token query, the case with board and patient, its lesions, its
  prior courses (four queries).
- ``/bench/minimal/cases/<id>/full/``: the same content as the case detail API (the case with board and
  patient, lesions, prior courses, the stored risk, dose summaries with their plans, trial matches and
  treatment options, each as the database's JSON text) and the audited read the product requires (the
  chain head locked, the entry inserted with its hash, committed): nine statements besides the token.
  The case-row view above returns a tenth of the detail's bytes and writes nothing, so it measures the
  detail's framework overhead *and* its derived results and audit together; this one measures the
  framework alone (issue 16: "the same request served by a minimal Django view").
- ``/bench/minimal/ping``: a bare ``SELECT 1`` (what ``/healthz`` costs without the broker check).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone

from apps.audit.chain import ChainContent, entry_hash
from apps.options.selectors import _CASE_OPTIONS_SQL as OPTIONS_CASE_SQL  # the API's own statements
from apps.options.selectors import _LESIONS_WITH_IDS_SQL as OPTIONS_LESIONS_SQL


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _boards(request: HttpRequest) -> list[int] | None:
    """The board ids of the token's user (one query), or None without a valid token."""
    found = _token_user(request)
    return None if found is None else found[1]


def _token_user(request: HttpRequest) -> tuple[int, list[int]] | None:
    """The token's user id and board ids (one query), or None without a valid token."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Token "):
        return None
    rows = _rows(
        "SELECT u.id AS user_id, array_remove(array_agg(m.board_id), NULL) AS boards FROM accounts_apitoken t "
        "JOIN accounts_user u ON u.id = t.user_id AND u.is_active "
        "LEFT JOIN accounts_boardmembership m ON m.user_id = u.id "
        "WHERE t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > now() GROUP BY u.id",
        [hashlib.sha256(header.removeprefix("Token ").strip().encode()).hexdigest()],
    )
    return (int(rows[0]["user_id"]), list(rows[0]["boards"])) if rows else None


def _unauthorised() -> JsonResponse:
    return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)


def case_list(request: HttpRequest) -> JsonResponse:
    boards = _boards(request)
    if boards is None:
        return _unauthorised()
    size = min(int(request.GET.get("page_size", "25")), 200)
    rows = _rows(
        "SELECT c.id, c.uuid, c.question, c.urgent, c.status, c.revision, c.primary_histology, c.submitted_at, "
        "c.created_at, c.updated_at, b.id AS board_id, b.name AS board_name, p.id AS patient_id, p.mrn, "
        "p.given_name, p.family_name, p.date_of_birth, p.sex, "
        "(SELECT COUNT(*) FROM cases_lesion l WHERE l.case_id = c.id) AS lesion_count, COUNT(*) OVER () AS total "
        "FROM cases_case c JOIN accounts_board b ON b.id = c.board_id JOIN cases_patient p ON p.id = c.patient_id "
        "WHERE c.board_id = ANY(%s) ORDER BY c.created_at DESC, c.id DESC LIMIT %s",
        [boards, size],
    )
    total = rows[0].pop("total") if rows else 0
    for row in rows[1:]:
        row.pop("total")
    return JsonResponse({"count": total, "results": rows})


def _case(pk: int, boards: list[int]) -> dict[str, Any] | None:
    """The case with board and patient, its lesions and prior courses (three queries), None outside ``boards``."""
    cases = _rows(
        "SELECT c.*, b.name AS board_name, p.mrn, p.given_name, p.family_name, p.date_of_birth, p.sex "
        "FROM cases_case c JOIN accounts_board b ON b.id = c.board_id JOIN cases_patient p ON p.id = c.patient_id "
        "WHERE c.id = %s AND c.board_id = ANY(%s)",
        [pk, boards],
    )
    if not cases:
        return None
    case = cases[0]
    case["lesions"] = _rows("SELECT * FROM cases_lesion WHERE case_id = %s ORDER BY id", [pk])
    case["prior_radiotherapy"] = _rows("SELECT * FROM cases_priorradiotherapycourse WHERE case_id = %s ORDER BY date, id", [pk])
    return case


def case_detail(request: HttpRequest, pk: int) -> JsonResponse:
    boards = _boards(request)
    if boards is None:
        return _unauthorised()
    case = _case(pk, boards)
    if case is None:
        return JsonResponse({"detail": "Not found."}, status=404)
    return JsonResponse(case)


def _text(sql: str, params: list[Any]) -> str:
    """The one text value of ``sql`` (a JSON document the database built, cast to text: psycopg would decode
    a ``json`` value, and ``str()`` of that is not JSON), ``null`` without a row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return "null" if row is None or row[0] is None else str(row[0])


def _audited_read(user_id: int, case: dict[str, Any]) -> None:
    """The read's audit entry, chained as the product chains it: head locked, hash, insert, commit."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT sequence, last_hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
        sequence, last_hash = cursor.fetchone()
        content = ChainContent(
            sequence=sequence + 1,
            occurred_at=timezone.now(),
            actor_id=user_id,
            actor_label="",
            actor_role="",
            event="case.read",
            board_id=case["board_id"],
            case_id=case["id"],
            patient_id=case["patient_id"],
            subject_type="cases.case",
            subject_id=str(case["id"]),
            subject_label="",
            before=None,
            after={"via": "bench"},
            reason="",
            request_id="",
            ip_address=None,
            prev_hash=last_hash,
        )
        cursor.execute(
            "INSERT INTO audit_auditentry (sequence, occurred_at, actor_id, actor_label, actor_role, event, board_id, "
            "case_id, patient_id, subject_type, subject_id, subject_label, before, after, reason, request_id, "
            "ip_address, prev_hash, hash) VALUES (%s, %s, %s, '', '', 'case.read', %s, %s, %s, 'cases.case', %s, '', "
            "NULL, %s, '', '', NULL, %s, %s)",
            [
                content.sequence,
                content.occurred_at,
                user_id,
                case["board_id"],
                case["id"],
                case["patient_id"],
                content.subject_id,
                json.dumps(content.after),
                last_hash,
                entry_hash(content),
            ],
        )


def case_detail_full(request: HttpRequest, pk: int) -> HttpResponse:
    found = _token_user(request)
    if found is None:
        return _unauthorised()
    user_id, boards = found
    case = _case(pk, boards)
    if case is None:
        return JsonResponse({"detail": "Not found."}, status=404)
    _audited_read(user_id, case)
    # The stored results as the database's text, spliced in undecoded, as the detail API serves them.
    derived = {
        "risk": _text(
            "SELECT json_build_object('case_revision', case_revision, 'computed_at', computed_at, 'payload', payload)::text "
            "FROM risk_riskassessment WHERE case_id = %s AND is_current",
            [pk],
        ),
        "dose_summaries": _text(
            "SELECT json_agg(json_build_object('plan', pl.id, 'name', pl.name, 'regimen_code', pl.regimen_code, "
            "'revision', pl.revision, 'summary', s.payload, 'catalogue', s.catalogue_revisions) ORDER BY pl.id)::text "
            "FROM dosimetry_radiotherapyplan pl LEFT JOIN dosimetry_dosesummary s ON s.plan_id = pl.id AND s.is_current "
            "WHERE pl.case_id = %s",
            [pk],
        ),
        "trial_matches": _text(
            "SELECT json_agg(json_build_object('trial', t.identifier, 'eligibility', m.eligibility, "
            "'missing_fields', m.payload -> 'missing_fields') ORDER BY t.identifier)::text "
            "FROM trials_trialmatch m JOIN trials_trial t ON t.id = m.trial_id WHERE m.case_id = %s",
            [pk],
        ),
        # The options as the detail API serves them: the stored regimens expanded by the API's own SQL
        # (the stored payload keeps each regimen once, ``apps.options.engine.stored``).
        "options": _text(
            "SELECT json_build_object('case_revision', case_revision, 'computed_at', computed_at, "
            "'engine_version', engine_version, 'lesions', (" + OPTIONS_LESIONS_SQL + ")::jsonb, "
            "'case', (" + OPTIONS_CASE_SQL + ")::jsonb, 'case_not_offered', payload -> 'case_not_offered', "
            "'notes', payload -> 'notes')::text "
            "FROM options_treatmentoptionsresult WHERE case_id = %s AND is_current",
            [pk, pk],
        ),
    }
    body = json.dumps(case, default=str)[:-1] + "".join(f', "{name}": {text}' for name, text in derived.items()) + "}"
    return HttpResponse(body, content_type="application/json")


def ping(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("minimal/cases/", case_list, name="bench-minimal-case-list"),
    path("minimal/cases/<int:pk>/", case_detail, name="bench-minimal-case-detail"),
    path("minimal/cases/<int:pk>/full/", case_detail_full, name="bench-minimal-case-detail-full"),
    path("minimal/ping", ping, name="bench-minimal-ping"),
]
