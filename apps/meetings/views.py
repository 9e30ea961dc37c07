"""Meeting pages: board calendar with the waiting list, agenda builder, attendance, meeting mode,
notifications. Server-rendered through the same selectors and services as the API; every change is a
POST to ``meeting_action`` (post/redirect/get), so the pages work without JavaScript. Scripts are
static files only (``script-src 'self'``): drag and drop in ``meetings/agenda.js``, htmx for following
the chair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts import authorization
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.core.errors import InvalidInput
from apps.meetings import selectors, services
from apps.meetings.engine.quorum import AttendanceStatus
from apps.meetings.models import AgendaItem, Meeting, MeetingStatus, NotificationKind


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = (
        selectors.with_quorum_inputs(selectors.scope_meetings(request.user).select_related("board", "chair"))
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting on your boards.")
    return meeting


def _errors(exc: InvalidInput) -> str:
    parts = []
    for field, reasons in exc.errors.items():
        text = "; ".join(str(r) for r in reasons) if isinstance(reasons, list) else str(reasons)
        parts.append(f"{field}: {text}")
    return " ".join(parts)


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The board calendar (four weeks back, twelve ahead) and, for coordinators, the cases waiting for a place."""
    today = timezone.localdate()
    meetings = list(
        selectors.meeting_list(request.user, date_from=today - dt.timedelta(weeks=4), date_to=today + dt.timedelta(weeks=12))
    )
    can_place = _user(request).has_clinical_permission(Permission.AGENDA_EDIT)
    waiting = list(selectors.waiting_cases(request.user)[:100]) if can_place else []
    return render(
        request,
        "meetings/calendar.html",
        {"meetings": meetings, "waiting": waiting, "can_place": can_place, "now": timezone.now()},
    )


@login_required
def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda builder: items in order with their estimated start; coordinators place, reorder, move, remove."""
    meeting = _meeting(request, pk)
    user = _user(request)
    can_edit = authorization.allowed(user, Permission.AGENDA_EDIT, meeting.board_id) and meeting.status == MeetingStatus.SCHEDULED
    rows = selectors.agenda(meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "rows": rows,
        "can_edit": can_edit,
        "can_schedule": authorization.allowed(user, Permission.MEETING_SCHEDULE, meeting.board_id),
        "is_chair": user.pk == meeting.chair_id,
        "quorum": selectors.live_quorum(meeting),
        "quorum_met": selectors.quorum_met(meeting),
        "waiting": list(selectors.waiting_cases(user, board_id=meeting.board_id)[:100]) if can_edit else [],
        "targets": list(
            Meeting.objects.filter(board_id=meeting.board_id, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now())
            .exclude(pk=meeting.pk)
            .order_by("starts_at")[:8]
        )
        if can_edit
        else [],
        "capacity": meeting.capacity.cases,
    }
    return render(request, "meetings/meeting.html", context)


@login_required
def attendance_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    user = _user(request)
    rows = sorted(meeting.attendances.all(), key=lambda a: a.user.username)
    mine = next((a for a in rows if a.user_id == user.pk), None)
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "rows": rows,
            "mine": mine,
            "statuses": [s.value for s in AttendanceStatus],
            "can_record": user.pk == meeting.chair_id
            or authorization.allowed(user, Permission.MEETING_SCHEDULE, meeting.board_id),
            "quorum": selectors.live_quorum(meeting),
            "quorum_met": selectors.quorum_met(meeting),
        },
    )


def _live_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    current = None
    if meeting.current_item_id is not None:
        current = AgendaItem.objects.select_related("case", "case__patient").filter(pk=meeting.current_item_id).first()
    flags: list[dict[str, Any]] = []
    if current is not None:
        from apps.risk.selectors import current_assessment

        assessment = current_assessment(current.case_id)
        flags = list((assessment.payload or {}).get("flags", []))[:8] if assessment else []
    return {
        "sse": settings.MEETINGS_EVENTSTREAM,
        "meeting": meeting,
        "current": current,
        "flags": flags,
        "is_chair": _user(request).pk == meeting.chair_id,
        "quorum_met": selectors.quorum_met(meeting),
        "quorum": selectors.live_quorum(meeting),
        "rows": selectors.agenda(meeting),
    }


@login_required
def live_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Meeting mode: the chair's controls, the current case; followers' panels refresh every second."""
    meeting = _meeting(request, pk)
    return render(request, "meetings/live.html", _live_context(request, meeting))


def live_panel_cache_key(meeting: Meeting) -> str:
    """The followers' panel of ``meeting`` as it is now.

    Everything the panel shows that a step or an edit of the meeting changes is in the key: the live
    version (each start, step and close), the agenda version (a placement or reorder), the meeting row's
    ``updated_at`` (any other edit: time, place, capacity), its status and the quorum (attendance is
    recorded without a step; ``quorum_met`` comes from the rows ``_meeting`` prefetched, no query). The
    meeting's uuid keeps two databases sharing one cache (tests, a restore) apart. What the key cannot
    see (a risk recomputed under the current case, a patient's name corrected) lasts at most
    ``MEETINGS_LIVE_PANEL_CACHE_SECONDS``.
    """
    stamp = meeting.updated_at.timestamp() if meeting.updated_at else 0
    return (
        f"meetings:live-panel:{meeting.uuid}:{meeting.live_version}:{meeting.agenda_version}:"
        f"{stamp}:{meeting.status}:{selectors.quorum_met(meeting)}"
    )


@login_required
def live_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel followers fetch on each meeting-mode event (or poll): one render serves them all.

    Every follower fetches it at the same moment after a step (issue 16: 30 renders per event). The
    scope check (``_meeting``: 404 off the user's boards) runs on every request, before the cache is
    read. The chair's panel holds the minutes form (with the chair's CSRF token) and is never cached;
    every other member sees the same fragment (no user-specific content), cached per meeting state.
    """
    meeting = _meeting(request, pk)
    if _user(request).pk == meeting.chair_id:
        return render(request, "meetings/_live_panel.html", _live_context(request, meeting))
    key = live_panel_cache_key(meeting)
    html = cache.get(key)
    if html is None:
        html = render_to_string("meetings/_live_panel.html", _live_context(request, meeting), request=request)
        cache.set(key, html, settings.MEETINGS_LIVE_PANEL_CACHE_SECONDS)
    return HttpResponse(html)


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        prefs = {
            k.value: {"email": f"{k.value}.email" in request.POST, "in_app": f"{k.value}.in_app" in request.POST}
            for k in NotificationKind
        }
        services.notification_preferences_set(actor=user, preferences=prefs)
        if "mark_read" in request.POST:
            services.notification_mark_read(actor=user)
        messages.success(request, "Saved.")
        return redirect("meetings:notifications")
    stored = {p.kind: p for p in user.notification_preferences.all()}
    prefs_rows = [
        {
            "kind": k.value,
            "label": k.value.replace("_", " "),
            "email": stored[k].email if k in stored else True,
            "in_app": stored[k].in_app if k in stored else True,
        }
        for k in NotificationKind
    ]
    return render(request, "meetings/notifications.html", {"items": list(selectors.inbox(user)[:100]), "prefs": prefs_rows})


def _order_after(meeting: Meeting, item_id: int, step: int) -> list[int]:
    ids = list(meeting.items.order_by("position", "id").values_list("pk", flat=True))
    if item_id not in ids:
        raise InvalidInput({"item": ["not on this agenda."]})
    i = ids.index(item_id)
    j = max(0, min(len(ids) - 1, i + step))
    ids.insert(j, ids.pop(i))
    return ids


def _int(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit():
        raise InvalidInput({name: ["a whole number is required."]})
    return int(raw)


ActionHandler = Callable[[HttpRequest, User, Meeting], str | None]


def _handlers() -> dict[str, ActionHandler]:
    def version(r: HttpRequest) -> int | None:
        raw = r.POST.get("agenda_version", "")
        return int(raw) if raw.isdigit() else None

    def place(r: HttpRequest, u: User, m: Meeting) -> str:
        services.agenda_place(
            actor=u, meeting_id=m.pk, case_id=_int(r, "case"), reason=r.POST.get("reason", ""), expected_version=version(r)
        )
        return "Case placed."

    def up_or_down(step: int) -> ActionHandler:
        def handler(r: HttpRequest, u: User, m: Meeting) -> str:
            v = version(r)
            if v is None:
                raise InvalidInput({"agenda_version": ["missing: reload the page."]})
            services.agenda_reorder(actor=u, meeting_id=m.pk, order=_order_after(m, _int(r, "item"), step), expected_version=v)
            return "Agenda reordered."

        return handler

    def remove(r: HttpRequest, u: User, m: Meeting) -> str:
        services.agenda_remove_item(actor=u, item_id=_item(m, _int(r, "item")), expected_version=version(r))
        return "Case taken off the agenda; it waits for a place."

    def move(r: HttpRequest, u: User, m: Meeting) -> str:
        services.agenda_move_item(
            actor=u, item_id=_item(m, _int(r, "item")), target_meeting_id=_int(r, "meeting"), expected_version=version(r)
        )
        return "Case moved."

    def publish(r: HttpRequest, u: User, m: Meeting) -> str:
        services.agenda_publish(actor=u, meeting_id=m.pk)
        return "Agenda published to the members."

    def cancel(r: HttpRequest, u: User, m: Meeting) -> str:
        services.meeting_cancel(actor=u, meeting_id=m.pk, reason=r.POST.get("reason", ""))
        return "Meeting cancelled; its cases moved to the next meeting."

    def record(r: HttpRequest, u: User, m: Meeting) -> str:
        services.attendance_record(actor=u, meeting_id=m.pk, user_id=_int(r, "user"), status=r.POST.get("status", ""))
        return "Attendance recorded."

    def check_in(r: HttpRequest, u: User, m: Meeting) -> str:
        services.attendance_check_in(actor=u, meeting_id=m.pk, remote=r.POST.get("remote") == "1")
        return "Checked in."

    def rsvp(r: HttpRequest, u: User, m: Meeting) -> str:
        services.attendance_rsvp(actor=u, meeting_id=m.pk, response=r.POST.get("response", ""))
        return "Answer saved."

    def start(r: HttpRequest, u: User, m: Meeting) -> None:
        services.meeting_start(actor=u, meeting_id=m.pk)

    def advance(r: HttpRequest, u: User, m: Meeting) -> None:
        target = r.POST.get("item", "")
        services.meeting_advance(actor=u, meeting_id=m.pk, to_item_id=int(target) if target.isdigit() else None)

    def end(r: HttpRequest, u: User, m: Meeting) -> str:
        services.meeting_end(actor=u, meeting_id=m.pk)
        return "Meeting closed."

    def minutes(r: HttpRequest, u: User, m: Meeting) -> str:
        services.agenda_item_update(actor=u, item_id=_item(m, _int(r, "item")), changes={"minutes": r.POST.get("minutes", "")})
        return "Minutes saved."

    return {
        "place": place,
        "up": up_or_down(-1),
        "down": up_or_down(1),
        "remove": remove,
        "move": move,
        "publish": publish,
        "cancel": cancel,
        "record": record,
        "check-in": check_in,
        "rsvp": rsvp,
        "start": start,
        "advance": advance,
        "end": end,
        "minutes": minutes,
    }


def _item(meeting: Meeting, item_id: int) -> int:
    if not meeting.items.filter(pk=item_id).exists():
        raise InvalidInput({"item": ["not on this agenda."]})
    return item_id


HANDLERS = _handlers()
_BACK = {"record": "meetings:attendance", "check-in": "meetings:attendance", "rsvp": "meetings:attendance"}
_LIVE = {"start", "advance", "end", "minutes"}


@login_required
@require_POST
def meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one change through its service; errors come back as a message on the page, nothing is lost."""
    meeting = _meeting(request, pk)
    handler = HANDLERS.get(action)
    if handler is None:
        raise Http404("No such action.")
    try:
        note = handler(request, _user(request), meeting)
        if note:
            messages.success(request, note)
    except InvalidInput as exc:
        messages.error(request, _errors(exc))
    except services.AgendaConflict as exc:
        messages.error(request, str(exc))
    except services.MeetingStateConflict as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not do this.")
    back = "meetings:live" if action in _LIVE else _BACK.get(action, "meetings:meeting")
    return redirect(back, pk=meeting.pk)


@login_required
@require_POST
def agenda_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """The drag-and-drop endpoint (``agenda.js``): ``order`` is the comma-separated item ids, with the version."""
    meeting = _meeting(request, pk)
    raw_order = request.POST.get("order", "")
    raw_version = request.POST.get("agenda_version", "")
    if not raw_version.isdigit() or not all(p.isdigit() for p in raw_order.split(",") if p):
        return JsonResponse({"order": ["comma-separated item ids and the agenda_version."]}, status=400)
    try:
        services.agenda_reorder(
            actor=_user(request),
            meeting_id=meeting.pk,
            order=[int(p) for p in raw_order.split(",") if p],
            expected_version=int(raw_version),
        )
    except services.AgendaConflict as exc:
        return JsonResponse({"detail": str(exc)}, status=409)
    except InvalidInput as exc:
        return JsonResponse(exc.errors, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"detail": str(exc)}, status=403)
    meeting.refresh_from_db()
    return JsonResponse({"agenda_version": meeting.agenda_version})
