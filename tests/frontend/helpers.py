"""Shared helpers of the page tests: a logged-in browser client and query counting."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def queries_of(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def assert_constant_queries(fn: Callable[[], object], grow: Callable[[], object]) -> None:
    """``fn`` runs the same number of queries before and after ``grow`` adds rows."""
    before = queries_of(fn)
    grow()
    after = queries_of(fn)
    assert after == before, f"{before} queries with few rows, {after} with more"


def visible_text(html: str) -> str:
    """The text a reader sees in ``<main>`` (tags and attributes removed)."""
    import re
    from html import unescape

    main = html.split('id="main"', 1)[-1].split("</main>", 1)[0]
    return unescape(re.sub(r"<[^>]+>", " ", main))
