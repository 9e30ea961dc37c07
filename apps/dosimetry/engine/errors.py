"""Typed errors of the dose engine.

Every error names *where* the problem is (a field path such as ``levels[0].fractions``, a CSV line and
column, a file) and *why*, so the API layer can turn it into a DRF-style ``400 {"field": ["reason"]}``
without parsing messages. Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class DosimetryError(ValueError):
    """Base class of every error raised by the dose engine on bad input."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input: the field path (``levels[1].total_dose_gy``) and the reason."""

    field: str
    reason: str


class DoseInputError(DosimetryError):
    """Invalid dose-engine input; carries one or several :class:`FieldError`.

    Construct with one error (``DoseInputError(field="alpha_beta", reason="must be greater than 0")``) or
    several (``DoseInputError(errors=[...])``). ``field`` and ``reason`` are those of the first error;
    :meth:`as_dict` groups all of them the way the API answers (``{"field": ["reason", ...]}``).
    """

    def __init__(
        self,
        field: str | None = None,
        reason: str | None = None,
        *,
        errors: Iterable[FieldError] = (),
    ) -> None:
        collected = list(errors)
        if field is not None:
            collected.insert(0, FieldError(field, reason or "is invalid"))
        if not collected:
            raise ValueError("DoseInputError needs at least one field error")
        self.errors: tuple[FieldError, ...] = tuple(collected)
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in self.errors))

    @property
    def field(self) -> str:
        """Field path of the first error."""
        return self.errors[0].field

    @property
    def reason(self) -> str:
        """Reason of the first error."""
        return self.errors[0].reason

    def as_dict(self) -> dict[str, list[str]]:
        """Errors grouped by field path, in input order: ``{"levels[0].fractions": ["must be ..."]}``."""
        grouped: dict[str, list[str]] = {}
        for error in self.errors:
            grouped.setdefault(error.field, []).append(error.reason)
        return grouped


class DVHParseError(DosimetryError):
    """A DVH CSV export that cannot be read; names the 1-based line and the column (or None)."""

    def __init__(self, line: int, column: str | None, reason: str) -> None:
        self.line = line
        self.column = column
        self.reason = reason
        where = f"line {line}" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {reason}")


class DicomInputError(DosimetryError):
    """A DICOM file that is missing, unreadable, or not what it claims to be (e.g. a CT given as RT Dose).

    ``role`` is what the file was supposed to be (``"rtdose"`` or ``"rtstruct"``).
    """

    def __init__(self, path: str, role: str, reason: str) -> None:
        self.path = path
        self.role = role
        self.reason = reason
        super().__init__(f"{role} file {path!r}: {reason}")
