"""Dose-volume histograms: per-structure metrics from a CSV DVH export, or from DICOM RT Dose + RT Structure
Set.

Both paths end in :func:`metrics_from_cumulative`, so a metric means the same thing whatever the input:

* the cumulative DVH is read as a piecewise-linear curve V(D) through its points (volume receiving at
  least D), with V = V(first dose) below the first point;
* ``volume_cc``: V at the first point (None when volumes are given in percent only);
* ``Dx`` (``D2%``, ``D98%``, ``D0.5cc``...): the highest dose received by at least x of the volume, linearly
  interpolated between points; None when x exceeds the structure volume (e.g. ``D0.5cc`` of a 0.3 cm3
  structure) or when x is absolute and only percent volumes are known;
* ``Dmax``: the dose at which the curve reaches zero volume (the last dose if it never does, noted);
  ``Dmin``: ``D100%``; ``Dmean``: the area under V(D) divided by the volume (exact for the linear curve).

CSV format (:func:`parse_dvh_csv`): comma-separated, UTF-8, a header line then one row per DVH point.
Blank lines and lines starting with ``#`` are ignored. Columns (names case-insensitive, any order):

* ``structure`` (required): structure name, e.g. ``spinal_cord``, ``PTV30``;
* ``dose_gy`` (required): dose in Gy, strictly increasing within a structure;
* ``volume_cc`` **or** ``volume_percent`` (exactly one of the two): the volume of the row;
* ``cumulative`` (optional, default ``true``): ``true``/``false`` (also ``yes``/``no``, ``1``/``0``,
  ``cumulative``/``differential``), the same on every row of a structure. A cumulative row gives the
  volume receiving at least ``dose_gy``; a differential row gives the volume receiving a dose in the bin
  from ``dose_gy`` to the next row's dose (the last bin is as wide as the one before it).

DICOM (:func:`dicom_rt_metrics`): DVHs are computed by dicompyler-core (``dicompylercore.dvhcalc.get_dvh``,
1 cGy bins; pinned with pydicom 2.4, see shared/dependencies.md) and read through the same function.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apps.dosimetry.engine.constraints import Metric
from apps.dosimetry.engine.errors import DicomInputError, DVHParseError
from apps.dosimetry.engine.lq import maybe_round_opt

#: Relative tolerance for a cumulative DVH whose volume increases between points (export rounding).
MONOTONIC_TOLERANCE = 1e-6

_PCT_METRICS: tuple[tuple[Metric, float], ...] = (
    (Metric.D2_PCT, 2.0),
    (Metric.D50_PCT, 50.0),
    (Metric.D95_PCT, 95.0),
    (Metric.D98_PCT, 98.0),
)
_CC_METRICS: tuple[tuple[Metric, float], ...] = (
    (Metric.D0_03CC, 0.03),
    (Metric.D0_1CC, 0.1),
    (Metric.D0_5CC, 0.5),
    (Metric.D1CC, 1.0),
)


@dataclass(frozen=True, slots=True)
class StructureMetrics:
    """Dose metrics of one structure (Gy; volume in cm3). None: not defined for this DVH (see module)."""

    name: str
    volume_cc: float | None
    dmax_gy: float | None
    dmin_gy: float | None
    dmean_gy: float | None
    d0_03cc_gy: float | None
    d0_1cc_gy: float | None
    d0_5cc_gy: float | None
    d1cc_gy: float | None
    d2_pct_gy: float | None
    d50_pct_gy: float | None
    d95_pct_gy: float | None
    d98_pct_gy: float | None
    notes: tuple[str, ...] = ()

    @classmethod
    def empty(cls, name: str, volume_cc: float | None, notes: tuple[str, ...]) -> StructureMetrics:
        """A structure without dose metrics (zero volume, or outside the dose grid), with the reason."""
        return cls(name, volume_cc, None, None, None, None, None, None, None, None, None, None, None, notes)

    @property
    def metrics(self) -> dict[str, float]:
        """Defined metrics keyed by :class:`Metric` code (``"Dmax"``, ``"D0.5cc"``, ``"D2%"``...), the shape
        constraint checks read."""
        values: dict[str, float | None] = {
            Metric.DMAX.value: self.dmax_gy,
            Metric.DMIN.value: self.dmin_gy,
            Metric.DMEAN.value: self.dmean_gy,
            Metric.D0_03CC.value: self.d0_03cc_gy,
            Metric.D0_1CC.value: self.d0_1cc_gy,
            Metric.D0_5CC.value: self.d0_5cc_gy,
            Metric.D1CC.value: self.d1cc_gy,
            Metric.D2_PCT.value: self.d2_pct_gy,
            Metric.D50_PCT.value: self.d50_pct_gy,
            Metric.D95_PCT.value: self.d95_pct_gy,
            Metric.D98_PCT.value: self.d98_pct_gy,
        }
        return {k: v for k, v in values.items() if v is not None}

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """``{"name", "volume_cc", "metrics": {code: Gy}, "notes"}``."""
        return {
            "name": self.name,
            "volume_cc": maybe_round_opt(self.volume_cc, decimals),
            "metrics": {k: maybe_round_opt(v, decimals) for k, v in self.metrics.items()},
            "notes": list(self.notes),
        }


# =========================================================================== cumulative-DVH metrics


def _dose_at_volume(doses: Sequence[float], volumes: Sequence[float], x: float) -> float:
    """Highest dose received by at least volume ``x`` (0 < x <= volumes[0]) on the linear curve."""
    last = -1
    for i, v in enumerate(volumes):
        if v >= x:
            last = i
        else:
            break
    if last == len(volumes) - 1:
        return doses[-1]
    v0, v1 = volumes[last], volumes[last + 1]
    d0, d1 = doses[last], doses[last + 1]
    return d0 + (v0 - x) / (v0 - v1) * (d1 - d0)


def metrics_from_cumulative(
    name: str,
    doses: Sequence[float],
    volumes: Sequence[float],
    *,
    absolute_volume: bool,
    notes: Sequence[str] = (),
) -> StructureMetrics:
    """Metrics of a cumulative DVH given as points (increasing doses, non-increasing volumes).

    ``absolute_volume``: volumes are cm3 (else percent, so cm3 metrics and ``volume_cc`` are None).
    Raises ``ValueError`` for inconsistent input (callers turn it into a typed error with context).
    """
    if len(doses) != len(volumes) or not doses:
        raise ValueError("a DVH needs as many volumes as doses, and at least one point")
    total = volumes[0]
    notes_out = list(notes)
    if total <= 0.0:
        return StructureMetrics.empty(name, 0.0 if absolute_volume else None, (*notes_out, "zero volume: no dose metric"))
    # Clamp tiny upward steps (export rounding) so the curve is non-increasing.
    vols: list[float] = []
    for v in volumes:
        vols.append(min(v, vols[-1]) if vols else v)
    zero_at = next((i for i, v in enumerate(vols) if v <= 0.0), None)
    if zero_at is None:
        dmax = doses[-1]
        notes_out.append("the DVH does not reach zero volume: Dmax is its last dose")
        end = len(doses)
    else:
        dmax = doses[zero_at]
        end = zero_at + 1
    pts_d = list(doses[:end])
    pts_v = vols[:end]
    area = pts_d[0] * total + math.fsum(
        (pts_d[i + 1] - pts_d[i]) * (pts_v[i] + pts_v[i + 1]) / 2.0 for i in range(len(pts_d) - 1)
    )
    dmean = area / total
    pct = {m: _dose_at_volume(pts_d, pts_v, p / 100.0 * total) for m, p in _PCT_METRICS}
    cc: dict[Metric, float | None] = {
        m: (_dose_at_volume(pts_d, pts_v, x) if absolute_volume and x <= total else None) for m, x in _CC_METRICS
    }
    return StructureMetrics(
        name=name,
        volume_cc=total if absolute_volume else None,
        dmax_gy=dmax,
        dmin_gy=_dose_at_volume(pts_d, pts_v, total),
        dmean_gy=dmean,
        d0_03cc_gy=cc[Metric.D0_03CC],
        d0_1cc_gy=cc[Metric.D0_1CC],
        d0_5cc_gy=cc[Metric.D0_5CC],
        d1cc_gy=cc[Metric.D1CC],
        d2_pct_gy=pct[Metric.D2_PCT],
        d50_pct_gy=pct[Metric.D50_PCT],
        d95_pct_gy=pct[Metric.D95_PCT],
        d98_pct_gy=pct[Metric.D98_PCT],
        notes=tuple(notes_out),
    )


# =========================================================================== CSV


_TRUE = {"true", "yes", "1", "cumulative", "y", "t"}
_FALSE = {"false", "no", "0", "differential", "n", "f"}


@dataclass(slots=True)
class _Series:
    cumulative: bool
    first_line: int
    lines: list[int]
    doses: list[float]
    volumes: list[float]


def _number(text: str, line: int, column: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise DVHParseError(line, column, f"not a number: {text.strip()!r}") from None
    if not math.isfinite(value):
        raise DVHParseError(line, column, "must be a finite number")
    if value < 0.0:
        raise DVHParseError(line, column, "must not be negative")
    return value


def parse_dvh_csv(text: str) -> dict[str, StructureMetrics]:
    """Metrics per structure from a CSV DVH export (format in the module docstring).

    Raises :class:`DVHParseError` naming the 1-based line and the column of the first problem.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    rows = [
        (number, row)
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1)
        if row and any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")
    ]
    if not rows:
        raise DVHParseError(1, None, "empty DVH: expected a header line and data rows")
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    index = {name: i for i, name in enumerate(columns)}
    for required in ("structure", "dose_gy"):
        if required not in index:
            raise DVHParseError(header_line, required, "required column is missing from the header")
    has_cc, has_pct = "volume_cc" in index, "volume_percent" in index
    if has_cc == has_pct:
        raise DVHParseError(
            header_line,
            "volume_cc" if not has_cc else "volume_percent",
            "the header must have exactly one of volume_cc and volume_percent",
        )
    volume_column = "volume_cc" if has_cc else "volume_percent"
    if len(rows) == 1:
        raise DVHParseError(header_line, None, "no data rows after the header")

    series: dict[str, _Series] = {}
    for line, row in rows[1:]:
        if len(row) != len(columns):
            raise DVHParseError(line, None, f"expected {len(columns)} fields, found {len(row)}")
        name = row[index["structure"]].strip()
        if not name:
            raise DVHParseError(line, "structure", "structure name is empty")
        dose = _number(row[index["dose_gy"]], line, "dose_gy")
        volume = _number(row[index[volume_column]], line, volume_column)
        if has_pct and volume > 100.0 + MONOTONIC_TOLERANCE:
            raise DVHParseError(line, volume_column, "a percent volume cannot exceed 100")
        cumulative = True
        if "cumulative" in index:
            flag = row[index["cumulative"]].strip().lower()
            if flag in _TRUE:
                cumulative = True
            elif flag in _FALSE:
                cumulative = False
            else:
                raise DVHParseError(line, "cumulative", f"expected true or false, found {flag!r}")
        s = series.get(name)
        if s is None:
            series[name] = _Series(cumulative, line, [line], [dose], [volume])
            continue
        if cumulative != s.cumulative:
            raise DVHParseError(line, "cumulative", f"structure {name!r} mixes cumulative and differential rows")
        if dose <= s.doses[-1]:
            raise DVHParseError(line, "dose_gy", f"doses of {name!r} must increase (previous {s.doses[-1]:g} Gy)")
        if cumulative and volume > s.volumes[-1] + MONOTONIC_TOLERANCE * max(1.0, s.volumes[0]):
            raise DVHParseError(
                line,
                volume_column,
                f"a cumulative volume cannot increase with dose (previous {s.volumes[-1]:g})",
            )
        s.lines.append(line)
        s.doses.append(dose)
        s.volumes.append(volume)

    out: dict[str, StructureMetrics] = {}
    for name, s in series.items():
        doses, volumes = s.doses, s.volumes
        if not s.cumulative:
            if len(doses) < 2:
                raise DVHParseError(s.first_line, "dose_gy", f"a differential DVH ({name!r}) needs at least 2 rows")
            width = doses[-1] - doses[-2]
            tails: list[float] = []
            running = 0.0
            for v in reversed(volumes):
                running += v
                tails.append(running)
            volumes = [*reversed(tails), 0.0]
            doses = [*doses, doses[-1] + width]
        out[name] = metrics_from_cumulative(name, doses, volumes, absolute_volume=has_cc)
    return out


# =========================================================================== DICOM RT

RTDOSE_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.481.2"
RTSTRUCT_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.481.3"
_SOP_NAMES = {
    RTDOSE_SOP_CLASS: "RT Dose",
    RTSTRUCT_SOP_CLASS: "RT Structure Set",
    "1.2.840.10008.5.1.4.1.1.481.5": "RT Plan",
    "1.2.840.10008.5.1.4.1.1.481.1": "RT Image",
    "1.2.840.10008.5.1.4.1.1.2": "CT Image",
    "1.2.840.10008.5.1.4.1.1.4": "MR Image",
    "1.2.840.10008.5.1.4.1.1.128": "PET Image",
}
#: Dose summation types that are not a whole-course dose (reading them as one would understate the dose).
_PARTIAL_SUMMATION = {
    "FRACTION",
    "BEAM",
    "CONTROL_POINT",
    "FRACTION_SESSION",
    "BEAM_SESSION",
    "CONTROL_POINT_SESSION",
}


def _read_dicom(path: str | Path, role: str, sop_class: str) -> Any:
    import pydicom
    from pydicom.errors import InvalidDicomError

    p = Path(path)
    expected = _SOP_NAMES[sop_class]
    if not p.is_file():
        raise DicomInputError(str(path), role, "file not found")
    try:
        ds = pydicom.dcmread(str(p))
    except InvalidDicomError:
        try:
            ds = pydicom.dcmread(str(p), force=True)
            uid = str(ds.get("SOPClassUID", ""))
        except Exception:  # any failure here means "not DICOM"
            uid = ""
        if not uid:
            raise DicomInputError(str(path), role, f"not a DICOM file (expected an {expected})") from None
    except Exception as exc:  # pydicom raises many kinds on corrupt files
        raise DicomInputError(str(path), role, f"cannot be read as DICOM: {exc}") from exc
    uid = str(ds.get("SOPClassUID", ""))
    if not uid:
        raise DicomInputError(str(path), role, f"has no SOP Class UID: not an {expected}")
    if uid != sop_class:
        found = _SOP_NAMES.get(uid, "DICOM object")
        raise DicomInputError(str(path), role, f"is a {found} (SOP Class UID {uid}), not an {expected}")
    return ds


def _check_rtdose(ds: Any, path: str) -> None:
    role = "rtdose"
    for keyword in (
        "PixelData",
        "DoseGridScaling",
        "GridFrameOffsetVector",
        "ImagePositionPatient",
        "ImageOrientationPatient",
        "PixelSpacing",
    ):
        if keyword not in ds:
            raise DicomInputError(path, role, f"RT Dose without {keyword}: not a dose grid")
    units = str(ds.get("DoseUnits", "GY")).upper()
    if units != "GY":
        raise DicomInputError(path, role, f"dose units {units!r}: only absolute dose in GY is supported")
    summation = str(ds.get("DoseSummationType", "")).upper()
    if summation in _PARTIAL_SUMMATION:
        raise DicomInputError(path, role, f"DoseSummationType {summation}: not a whole-course dose; export the PLAN dose")


def _check_frames(rtdose: Any, rtstruct: Any, dose_path: str) -> None:
    dose_for = str(rtdose.get("FrameOfReferenceUID", ""))
    struct_fors = {
        str(item.get("FrameOfReferenceUID", "")) for item in rtstruct.get("ReferencedFrameOfReferenceSequence", [])
    } - {""}
    if dose_for and struct_fors and dose_for not in struct_fors:
        raise DicomInputError(dose_path, "rtdose", "RT Dose and RT Structure Set are in different frames of reference")


def dicom_rt_metrics(rtdose_path: str | Path, rtstruct_path: str | Path) -> dict[str, StructureMetrics]:
    """Metrics per structure name of every contoured structure, from an RT Dose and an RT Structure Set.

    Structures without contours are left out; a structure outside the dose grid gets None metrics and a
    note. Duplicate names are suffixed with `` (ROI <number>)``. Raises :class:`DicomInputError` for a
    missing, unreadable or wrong-type file (e.g. a CT given as RT Dose), a relative or partial
    (per-fraction, per-beam) dose, or a structure set in another frame of reference.
    """
    from dicompylercore import dicomparser, dvhcalc

    rtdose = _read_dicom(rtdose_path, "rtdose", RTDOSE_SOP_CLASS)
    rtstruct = _read_dicom(rtstruct_path, "rtstruct", RTSTRUCT_SOP_CLASS)
    _check_rtdose(rtdose, str(rtdose_path))
    _check_frames(rtdose, rtstruct, str(rtdose_path))
    try:
        structures = dicomparser.DicomParser(rtstruct).GetStructures()
    except Exception as exc:  # dicompyler raises bare exceptions on malformed sets
        raise DicomInputError(str(rtstruct_path), "rtstruct", f"cannot read the structures: {exc}") from exc

    out: dict[str, StructureMetrics] = {}
    for roi, info in sorted(structures.items()):
        if info.get("empty", True):
            continue
        name = str(info.get("name", f"ROI {roi}"))
        if name in out:
            name = f"{name} (ROI {roi})"
        try:
            dvh = dvhcalc.get_dvh(rtstruct, rtdose, roi)
        except NotImplementedError as exc:
            raise DicomInputError(str(rtdose_path), "rtdose", f"unsupported patient orientation: {exc}") from exc
        except Exception as exc:
            raise DicomInputError(str(rtdose_path), "rtdose", f"DVH of structure {name!r} could not be computed: {exc}") from exc
        counts = [float(c) for c in dvh.counts]
        bins = [float(b) for b in dvh.bins]
        if len(counts) <= 1 or max(counts) <= 0.0:
            out[name] = StructureMetrics.empty(name, None, ("empty DVH: structure outside the dose grid or without volume",))
            continue
        doses = [*bins[: len(counts)], bins[len(counts)]]
        volumes = [*counts, 0.0]
        notes = (str(dvh.notes),) if dvh.notes else ()
        out[name] = metrics_from_cumulative(name, doses, volumes, absolute_volume=True, notes=notes)
    return out
