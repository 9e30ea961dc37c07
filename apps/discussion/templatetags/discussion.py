"""``{% case_thread case %}``: the case's discussion, inline on the case page (issue 13).

The case page (``frontend/case_detail.html``) knows nothing of discussions; its slot template calls this
tag, which reads the thread through ``apps.discussion.selectors`` (four queries, whatever its size).
"""

from __future__ import annotations

from typing import Any

from django import template

from apps.discussion.views import discussion_context

register = template.Library()


@register.inclusion_tag("discussion/_thread.html", takes_context=True)
def case_thread(context: template.Context, case: Any) -> dict[str, Any]:
    return {
        **discussion_context(case),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "errors": {},
    }
