"""The hash rule itself (apps.audit.chain): pure, no database."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.audit.chain import GENESIS, ChainContent, StoredLink, _canonical, canonical_text, entry_hash, first_broken_link

T0 = dt.datetime(2026, 12, 1, 9, 30, 0, 123456, tzinfo=dt.UTC)


def content(sequence: int = 1, prev_hash: str = GENESIS, **overrides: object) -> ChainContent:
    base = ChainContent(
        sequence=sequence,
        occurred_at=T0 + dt.timedelta(seconds=sequence),
        actor_id=7,
        actor_label="radonc",
        actor_role="radiation_oncologist",
        event="case.updated",
        board_id=1,
        case_id=3,
        patient_id=2,
        subject_type="cases.case",
        subject_id="3",
        subject_label="Case 3 (draft)",
        before={"status": "draft", "dose": 8.0},
        after={"status": "submitted", "dose": 8},
        reason="",
        request_id="abc",
        ip_address="10.0.0.1",
        prev_hash=prev_hash,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def chain(n: int) -> list[StoredLink]:
    links: list[StoredLink] = []
    prev = GENESIS
    for i in range(1, n + 1):
        c = content(i, prev)
        digest = entry_hash(c)
        links.append(StoredLink(entry_id=100 + i, content=c, stored_hash=digest))
        prev = digest
    return links


def test_the_hash_is_sha256_hex_and_covers_the_previous_hash() -> None:
    first = entry_hash(content())
    assert len(first) == 64 and int(first, 16) >= 0
    assert entry_hash(content(prev_hash="f" * 64)) != first


@pytest.mark.parametrize(
    "field,value",
    [
        ("sequence", 2),
        ("occurred_at", T0),
        ("actor_id", 8),
        ("actor_label", "surgeon"),
        ("actor_role", "surgeon"),
        ("event", "case.created"),
        ("board_id", 2),
        ("case_id", 4),
        ("patient_id", 5),
        ("subject_type", "cases.lesion"),
        ("subject_id", "4"),
        ("subject_label", "Case 4"),
        ("before", {"status": "draft", "dose": 8.5}),
        ("after", {"status": "submitted"}),
        ("reason", "typo"),
        ("request_id", "abd"),
        ("ip_address", "10.0.0.2"),
    ],
)
def test_every_recorded_value_is_covered(field: str, value: object) -> None:
    assert entry_hash(replace(content(), **{field: value})) != entry_hash(content())  # type: ignore[arg-type]


def test_the_text_is_the_same_for_what_postgres_jsonb_and_inet_give_back() -> None:
    # jsonb keeps the decimal value, not its spelling, and reorders keys; inet prints its own form.
    written = content(before={"b": 1e20, "a": 2.0, "c": [0.1, True, None]}, ip_address="2001:0db8:0000::0001")
    read_back = content(before={"a": 2, "c": [0.1, True, None], "b": 100000000000000000000}, ip_address="2001:db8::1")
    assert canonical_text(written) == canonical_text(read_back)
    # ...but a number is not its text, and true is not 1.
    assert entry_hash(content(before={"a": "2"})) != entry_hash(content(before={"a": 2}))
    assert entry_hash(content(before={"a": True})) != entry_hash(content(before={"a": 1}))


def test_the_time_is_read_in_utc_whatever_the_zone() -> None:
    london_winter = T0.astimezone(dt.timezone(dt.timedelta(hours=0)))
    plus_two = T0.astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert canonical_text(content(occurred_at=london_winter)) == canonical_text(content(occurred_at=plus_two))
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_text(content(occurred_at=T0.replace(tzinfo=None)))


def test_the_canonical_text_is_json_with_sorted_keys() -> None:
    parsed = json.loads(canonical_text(content()))
    assert list(parsed) == sorted(parsed)
    assert parsed["prev_hash"] == GENESIS and parsed["scheme"] == "sha256-canonical-json-v1"


def test_an_intact_chain_has_no_broken_link() -> None:
    links = chain(5)
    assert first_broken_link(links, head_sequence=5, head_hash=links[-1].stored_hash) is None
    assert first_broken_link([], head_sequence=0, head_hash=GENESIS) is None


def test_a_changed_value_is_the_first_broken_link() -> None:
    links = chain(5)
    links[2] = replace(links[2], content=replace(links[2].content, reason="edited behind the trigger"))
    broken = first_broken_link(links)
    assert broken is not None and (broken.entry_id, broken.sequence) == (103, 3)
    assert "does not match" in broken.reason


def test_a_recomputed_hash_still_breaks_the_next_link() -> None:
    links = chain(5)
    forged = replace(links[1].content, reason="forged")
    links[1] = StoredLink(entry_id=102, content=forged, stored_hash=entry_hash(forged))
    broken = first_broken_link(links)
    assert broken is not None and broken.sequence == 3 and "prev_hash" in broken.reason


def test_a_deleted_entry_is_a_gap_in_the_sequence() -> None:
    links = chain(5)
    del links[1]
    broken = first_broken_link(links)
    assert broken is not None and broken.entry_id == 103 and "expected sequence 2, found 3" in broken.reason


def test_entries_deleted_from_the_end_are_found_by_the_head() -> None:
    links = chain(5)
    broken = first_broken_link(links[:3], head_sequence=5, head_hash=links[-1].stored_hash)
    assert broken is not None and broken.entry_id is None and "records 5 entries, found 3" in broken.reason
    broken = first_broken_link(links, head_sequence=5, head_hash="e" * 64)
    assert broken is not None and "head's hash" in broken.reason


def test_a_value_that_is_not_json_cannot_be_hashed() -> None:
    with pytest.raises(TypeError):
        entry_hash(content(after={"x": object()}))
    with pytest.raises(ValueError, match="finite"):
        entry_hash(content(after={"x": float("nan")}))


def test_the_chain_module_imports_no_django() -> None:
    import apps.audit.chain as module

    source = open(module.__file__, encoding="utf-8").read()  # noqa: SIM115
    assert "django" not in source.split('"""', 2)[2]


@given(
    st.dictionaries(
        st.text(),
        st.recursive(
            st.none() | st.booleans() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
            max_leaves=10,
        ),
    )
)
def test_strings_are_written_as_json_dumps_writes_them(value: dict[str, object]) -> None:
    """Issue 16: strings go through the C encoder directly; the hashed text (and so every stored hash) is
    the one ``json.dumps(..., ensure_ascii=False)`` wrote for each key and string before."""

    def before(v: object) -> str:
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, dict):
            items = sorted((str(k), x) for k, x in v.items())
            return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{before(x)}" for k, x in items) + "}"
        assert isinstance(v, list)
        return "[" + ",".join(before(x) for x in v) + "]"

    assert _canonical(value) == before(value)
    assert _canonical({"q": 'a "b" \\ \t\n\x00 d\u00e9j\u00e0 \u2028 \U0001f9b4'}) == (
        '{"q":"a \\"b\\" \\\\ \\t\\n\\u0000 d\u00e9j\u00e0 \u2028 \U0001f9b4"}'
    )
