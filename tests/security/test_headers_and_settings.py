"""HTTP hardening (issue 15): the Content-Security-Policy, no-store on every dynamic answer, frame and
referrer and permissions policies, production settings that pass ``check --deploy`` and refuse a weak
secret key, and API docs behind sign-in in production."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from apps.meetings import services as meetings
from tests.conftest import Personas
from tests.security.conftest import World

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Content-Security-Policy ------------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(personas: Personas) -> None:
    for response in (Client().get("/login/"), _signed_in(personas.coordinator).get("/cases/")):
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_api_answers_carry_the_policy_too(personas: Personas) -> None:
    response = personas.client(personas.surgeon).get("/api/v1/cases/")
    assert _policy(response)["frame-ancestors"] == ["'none'"]


def test_admin_relaxes_inline_styles_only(personas: Personas) -> None:
    """Django's admin change list writes an inline <style>: the admin pages alone allow inline styles."""
    personas.administrator.is_staff = True
    personas.administrator.save(update_fields=["is_staff"])
    response = _signed_in(personas.administrator).get("/admin/cases/case/")
    assert response.status_code == 200
    policy = _policy(response)
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]


def test_the_browsable_api_relaxes_inline_styles_only(personas: Personas) -> None:
    """DRF's browsable API (an endpoint opened in a browser) styles inline; its JSON answers do not relax."""
    client = _signed_in(personas.surgeon)
    page = client.get("/api/v1/cases/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    policy = _policy(page)
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]
    answer = client.get("/api/v1/cases/", HTTP_ACCEPT="application/json")
    assert answer["Content-Type"].startswith("application/json")
    assert _policy(answer)["style-src"] == ["'self'"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
HREF_JAVASCRIPT = re.compile(r"javascript:", re.IGNORECASE)
#: Rendered by WeasyPrint into PDFs, never served as HTML (a PDF is not subject to the page's CSP).
PDF_TEMPLATES = {"meetings/certificate.html", "decisions/report.html"}


def _templates() -> list[Path]:
    found = [*ROOT.glob("apps/*/templates/**/*.html"), *ROOT.glob("frontend/templates/**/*.html")]
    assert len(found) > 20
    return found


def test_no_template_has_inline_script_style_or_handler() -> None:
    problems = []
    for path in _templates():
        relative = str(path).split("/templates/", 1)[1]
        text = path.read_text()
        checks = {"inline <script>": INLINE_SCRIPT, "style= attribute": STYLE_ATTRIBUTE, "on*= handler": EVENT_HANDLER}
        checks["javascript: URL"] = HREF_JAVASCRIPT
        if relative not in PDF_TEMPLATES:
            checks["<style> block"] = STYLE_BLOCK
        problems += [f"{relative}: {what}" for what, pattern in checks.items() if pattern.search(text)]
    assert not problems, problems


def test_the_template_scan_finds_what_it_looks_for() -> None:
    """The patterns really match the forms they forbid (so the scan above cannot pass vacuously)."""
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and not INLINE_SCRIPT.search('<script src="/a.js"></script>')
    assert STYLE_ATTRIBUTE.search('<p style="color:red">') and not STYLE_ATTRIBUTE.search('<link rel="stylesheet">')
    assert EVENT_HANDLER.search('<button onclick="go()">') and not EVENT_HANDLER.search('<button class="one">')
    assert STYLE_BLOCK.search("<style>p{}</style>")


# --- Cache-Control: no-store --------------------------------------------------------------------------------


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_every_answer_with_patient_data_is_no_store(world: World) -> None:
    p = world.personas
    # sitting() recorded the surgeon present; a certificate needs the meeting held.
    meetings.meeting_end(actor=p.radonc, meeting_id=world.meeting.pk)
    page = _signed_in(p.surgeon)
    api = p.client(p.surgeon)
    answers = {
        "case page": page.get(f"/cases/{world.case.pk}/"),
        "case list page": page.get("/cases/"),
        "case API": api.get(f"/api/v1/cases/{world.case.pk}/"),
        "patient API": api.get(f"/api/v1/patients/{world.patient.pk}/"),
        "decision PDF": api.get(f"/api/v1/decisions/{world.decision.pk}/report.pdf"),
        "decision FHIR": api.get(f"/api/v1/decisions/{world.decision.pk}/fhir/"),
        "meeting ics": api.get(f"/api/v1/meetings/{world.meeting.pk}/calendar.ics"),
        "certificate PDF": api.get(f"/api/v1/meetings/{world.meeting.pk}/certificate.pdf"),
        "calendar feed (token, no session)": Client().get(f"/api/v1/calendar/feed/{world.calendar_token}.ics"),
        "audit CSV export": _signed_in(p.administrator).get("/audit/export.csv"),
        "audit API export": p.client(p.administrator).get("/api/v1/audit/entries/export/"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.status_code)
        assert _no_store(response), (name, response.get("Cache-Control"))


def test_refusals_and_errors_are_no_store_too(personas: Personas) -> None:
    assert _no_store(personas.client(personas.other_member).get("/api/v1/cases/987654/"))
    assert _no_store(Client().get("/login/"))


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_stay_cacheable() -> None:
    response = Client().get("/static/frontend/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- other headers ------------------------------------------------------------------------------------------


def test_frame_referrer_sniffing_opener_and_permissions_headers(personas: Personas) -> None:
    response = _signed_in(personas.surgeon).get("/cases/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


# --- API docs -----------------------------------------------------------------------------------------------

DOCS = ("/api/schema/", "/api/docs/")


@override_settings(TUMORBOARD_PUBLIC_API_DOCS=False)
def test_api_docs_need_a_signed_in_user_when_not_public(personas: Personas) -> None:
    for url in DOCS:
        assert Client().get(url).status_code == 401, url
        assert personas.client(personas.surgeon).get(url).status_code == 200, url


@override_settings(TUMORBOARD_PUBLIC_API_DOCS=True)
def test_api_docs_are_open_when_public() -> None:
    for url in DOCS:
        assert Client().get(url).status_code == 200, url


def test_swagger_start_up_script_is_its_own_request(personas: Personas) -> None:
    """``script-src 'self'``: Swagger UI's start-up code comes from a URL of the site, not inline."""
    html = personas.client(personas.surgeon).get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(html) and not STYLE_BLOCK.search(html)
    (script,) = re.findall(r'<script src="(/api/docs/\?[^"]+)"', html)
    response = personas.client(personas.surgeon).get(script.replace("&amp;", "&"))
    assert response.status_code == 200 and b"SwaggerUIBundle" in response.content


# --- production settings ----------------------------------------------------------------------------------


def _production(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tumorboard.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "tumorboard.hospital.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://tumorboard@127.0.0.1:5432/tumorboard",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *code.split()] if code.startswith("manage.py") else [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _production("manage.py check --deploy --fail-level WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr and "?:" not in result.stderr


PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 2592000, "
    "s.SECURE_SSL_REDIRECT, s.TUMORBOARD_PUBLIC_API_DOCS, s.DEBUG)"
)


def test_production_cookies_are_secure_and_docs_private() -> None:
    result = _production(PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "False", "False"]


def test_local_demo_shows_its_api_docs() -> None:
    result = _production(
        "import django; django.setup(); from django.conf import settings as s; print(s.TUMORBOARD_PUBLIC_API_DOCS)",
        DJANGO_SETTINGS_MODULE="tumorboard.settings.local",
    )
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short-but-random-Xq7",
        "insecure-local-development-key-change-me",
        "django-insecure-" + "x1y2z3" * 10,
        "a" * 64,
    ],
    ids=["empty", "short", "demo default", "django-insecure prefix", "too few characters"],
)
def test_production_refuses_a_weak_secret_key(key: str) -> None:
    result = _production("import django; django.setup()", DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_missing_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "tumorboard.settings.production",
            "DATABASE_URL": "postgres://x@h/d",
            "REDIS_URL": "redis://h:6379/0",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
