"""Comment text: a small Markdown subset rendered to HTML and sanitised, and the @mentions in it.

Plain Python (no Django). Markdown is parsed by markdown-it-py's ``zero`` preset with only the rules
clinicians need (paragraphs, emphasis, lists, inline code, block quotes, links); raw HTML is off at the
parser and everything it produces is still passed through nh3 (an allow-list sanitiser), so neither a
script tag nor a ``javascript:`` link survives, whatever the input.
"""

from __future__ import annotations

import re
from collections.abc import Collection, MutableMapping, Sequence
from typing import Any, Final

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

#: Tags the subset produces; anything else is stripped by nh3.
ALLOWED_TAGS: Final = frozenset({"p", "em", "strong", "ul", "ol", "li", "code", "blockquote", "a", "br", "span"})
ALLOWED_ATTRIBUTES: Final = {"a": {"href"}}
ALLOWED_URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})
MAX_LENGTH: Final = 10_000

#: ``@username`` (Django usernames: letters, digits and @.+-_); a trailing full stop ends the sentence.
_MENTION: Final = re.compile(r"(?<![\w@])@([\w.+-]*\w)")

_PARSER: Final = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "list", "backticks", "blockquote", "link", "newline"]
)


def _text_with_mentions(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
    """Plain text, escaped, with each mention of a board member wrapped as ``<span class="mention">``."""
    known: Collection[str] = env.get("mentions", ())
    escaped = escapeHtml(tokens[idx].content)
    if not known:
        return escaped

    def mark(match: re.Match[str]) -> str:
        return f'<span class="mention">@{match.group(1)}</span>' if match.group(1) in known else match.group(0)

    return _MENTION.sub(mark, escaped)


_PARSER.add_render_rule("text", _text_with_mentions)


def render(text: str, mentioned: Collection[str] = ()) -> str:
    """Sanitised HTML of ``text`` (links get ``rel="noopener noreferrer nofollow"`` from nh3).

    ``@name`` for each name in ``mentioned`` (the board members the text mentions) is highlighted as
    ``<span class="mention">``; the sanitiser keeps that one class on spans and nothing else, and code
    spans are left as written.
    """
    html = _PARSER.render(text, {"mentions": frozenset(mentioned)})
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={"span": {"class": {"mention"}}},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    ).strip()


def mentions(text: str) -> list[str]:
    """The usernames mentioned in ``text``, each once, in order of first mention."""
    seen: dict[str, None] = {}
    for name in _MENTION.findall(text):
        seen.setdefault(name, None)
    return list(seen)


def body_errors(text: object) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return ["write something."]
    if len(text) > MAX_LENGTH:
        return [f"at most {MAX_LENGTH} characters."]
    return []
