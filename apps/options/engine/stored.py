"""The stored form of a case's options: each regimen once (issue 16, "stored JSON without duplication").

``CaseOptions.to_dict()`` (the form every API answer and page shows) repeats a regimen wherever an option
offers it: the same 8 Gy/1 with its BED10, EQD2 and cautions in several options of a lesion and in every
lesion that has no plan for it. The stored payload keeps each distinct regimen once, in ``regimens``
(key -> regimen, in order of first use), and every option's ``regimens`` lists the keys instead.

:func:`expand` gives ``to_dict()`` back exactly (``expand(compact(d)) == d``, key order included, which
the SQLite answers write as stored). It also reads a payload stored before this form (regimens inline,
no table: returned as they are), so rows written by earlier code keep serving the same answer without a
recompute: the engine's answer did not change, so its version does not either (a bump would have shown
every stored result as stale until a full recompute rewrote identical content). PostgreSQL's case detail
does the same expansion in SQL (``apps.options.selectors``); :func:`expand_options` is the Python one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

#: The payload's table of distinct regimens (absent in payloads stored before it).
REGIMENS: Final = "regimens"
#: The payload's lists of options whose regimens are stored as keys.
OPTION_LISTS: Final = ("case",)


def _compact_options(
    options: Sequence[Mapping[str, Any]], table: dict[str, Any], variants: dict[str, list[tuple[str, Any]]]
) -> list[dict[str, Any]]:
    out = []
    for option in options:
        refs = []
        for regimen in option.get(REGIMENS, ()):
            # Equal values with the same keys in the same order are the same regimen (SQLite serves the
            # stored text, so the order is part of the answer); a second variant of a code (another
            # ``planned_in``, the breast-radical flag) gets its own key, ``<code>~2``.
            code = str(regimen.get("code", "regimen"))
            known = variants.setdefault(code, [])
            key = next((k for k, seen in known if seen == regimen and list(seen) == list(regimen)), None)
            if key is None:
                n = len(known) + 1
                key = code if n == 1 else f"{code}~{n}"
                while key in table:  # a catalogue code that itself reads "<code>~<n>"
                    n += 1
                    key = f"{code}~{n}"
                known.append((key, regimen))
                table[key] = regimen
            refs.append(key)
        out.append({**option, REGIMENS: refs})
    return out


def compact(data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of ``CaseOptions.to_dict()``: each regimen once in ``regimens``, referenced by key."""
    table: dict[str, Any] = {}
    variants: dict[str, list[tuple[str, Any]]] = {}
    out = dict(data)
    out["lesions"] = [
        {**item, "options": _compact_options(item.get("options", ()), table, variants)} for item in data.get("lesions", ())
    ]
    for part in OPTION_LISTS:
        if part in data:
            out[part] = _compact_options(data[part], table, variants)
    out[REGIMENS] = table
    return out


def expand_options(options: Sequence[Mapping[str, Any]], table: Mapping[str, Any] | None) -> list[Any]:
    """Options with their regimen keys replaced by the regimens (inline regimens are kept as they are)."""
    if not table:
        return list(options)
    return [{**option, REGIMENS: [table[r] if isinstance(r, str) else r for r in option.get(REGIMENS, ())]} for option in options]


def expand_lesions(lesions: Sequence[Mapping[str, Any]], table: Mapping[str, Any] | None) -> list[Any]:
    """The payload's ``lesions`` with each option's regimens expanded."""
    if not table:
        return list(lesions)
    return [{**item, "options": expand_options(item.get("options", ()), table)} for item in lesions]


def expand(data: Mapping[str, Any]) -> dict[str, Any]:
    """``CaseOptions.to_dict()`` from its stored form (or a payload stored before it, unchanged)."""
    out = dict(data)
    table = out.pop(REGIMENS, None)
    if table is None:
        return out
    out["lesions"] = expand_lesions(data.get("lesions", ()), table)
    for part in OPTION_LISTS:
        if part in data:
            out[part] = expand_options(data[part], table)
    return out
