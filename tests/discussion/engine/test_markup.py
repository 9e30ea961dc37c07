"""The Markdown subset and its sanitising: what renders, what is stripped, which mentions are found."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from apps.discussion.engine.markup import ALLOWED_TAGS, body_errors, mentions, render


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("plain", "<p>plain</p>"),
        ("**bold** and *em*", "<p><strong>bold</strong> and <em>em</em></p>"),
        ("`8 Gy/1`", "<p><code>8 Gy/1</code></p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("1. a", "<ol>\n<li>a</li>\n</ol>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        (
            "[SC24](https://example.org/sc24)",
            '<p><a href="https://example.org/sc24" rel="noopener noreferrer nofollow">SC24</a></p>',
        ),
    ],
)
def test_subset_renders(text: str, html: str) -> None:
    assert render(text) == html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "# heading\n\n| a | b |\n|---|---|",
    ],
)
def test_nothing_unsafe_survives(text: str) -> None:
    # Given any input, the output's live markup is only the allowed tags, with href as the only attribute,
    # and only on http(s)/mailto links (unsafe input may remain as escaped, inert text).
    parser = _Tags()
    parser.feed(render(text))
    assert parser.tags <= ALLOWED_TAGS
    for tag, attrs in parser.attrs:
        assert {name for name, _ in attrs} <= ({"href", "rel"} if tag == "a" else set())
        assert all(not (value or "").lower().startswith("javascript") for name, value in attrs if name == "href")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.append((tag, attrs))


def test_mentions_in_order_once_and_not_emails() -> None:
    assert mentions("@radonc, see @surgeon. Thanks @radonc") == ["radonc", "surgeon"]
    assert mentions("write to a@b.org") == []


def test_body_errors() -> None:
    assert body_errors("ok") == []
    assert body_errors("  ") and body_errors(None) and body_errors("x" * 10_001)


def test_mentions_of_board_members_are_highlighted_and_nothing_else() -> None:
    html = render("Ask @radonc and @stranger, not `@code` or a@b.org; [@radonc](https://x.org/@radonc)", ["radonc"])
    assert html.count('<span class="mention">@radonc</span>') == 2  # in the text and in the link's text
    assert "@stranger" in html and '<span class="mention">@stranger' not in html
    assert "<code>@code</code>" in html and "a@b.org" in html
    assert 'href="https://x.org/@radonc"' in html  # attributes are never rewritten


def test_a_span_written_by_hand_is_not_a_mention() -> None:
    html = render('<span class="mention" onclick="x()">@radonc</span> <span class="evil">hi</span>')
    assert "<span" not in html
