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
- ``/bench/minimal/ping``: a bare ``SELECT 1`` (what ``/healthz`` costs without the broker check).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _boards(request: HttpRequest) -> list[int] | None:
    """The board ids of the token's user (one query), or None without a valid token."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Token "):
        return None
    rows = _rows(
        "SELECT array_remove(array_agg(m.board_id), NULL) AS boards FROM accounts_apitoken t "
        "JOIN accounts_user u ON u.id = t.user_id AND u.is_active "
        "LEFT JOIN accounts_boardmembership m ON m.user_id = u.id "
        "WHERE t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > now() GROUP BY u.id",
        [hashlib.sha256(header.removeprefix("Token ").strip().encode()).hexdigest()],
    )
    return list(rows[0]["boards"]) if rows else None


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


def case_detail(request: HttpRequest, pk: int) -> JsonResponse:
    boards = _boards(request)
    if boards is None:
        return _unauthorised()
    cases = _rows(
        "SELECT c.*, b.name AS board_name, p.mrn, p.given_name, p.family_name, p.date_of_birth, p.sex "
        "FROM cases_case c JOIN accounts_board b ON b.id = c.board_id JOIN cases_patient p ON p.id = c.patient_id "
        "WHERE c.id = %s AND c.board_id = ANY(%s)",
        [pk, boards],
    )
    if not cases:
        return JsonResponse({"detail": "Not found."}, status=404)
    case = cases[0]
    case["lesions"] = _rows("SELECT * FROM cases_lesion WHERE case_id = %s ORDER BY id", [pk])
    case["prior_radiotherapy"] = _rows("SELECT * FROM cases_priorradiotherapycourse WHERE case_id = %s ORDER BY date, id", [pk])
    return JsonResponse(case)


def ping(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("minimal/cases/", case_list, name="bench-minimal-case-list"),
    path("minimal/cases/<int:pk>/", case_detail, name="bench-minimal-case-detail"),
    path("minimal/ping", ping, name="bench-minimal-ping"),
]
