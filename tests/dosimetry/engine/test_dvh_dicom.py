"""DICOM RT Dose + RT Structure Set metrics via dicompyler-core, on files generated here with pydicom.

The synthetic plan: a 20 x 20 x 10 dose grid of 2 mm voxels centred on the origin (voxel centres at
x, y = -19, -17, ..., 19 mm; frames at z = 0, 2, ..., 18 mm), 20 Gy inside |x|, |y| < 10 mm and 10 Gy
elsewhere. Structures:

* ``PTV``: the 20 x 20 mm square on 7 planes (z = 2..14): 100 voxels of 20 Gy per plane,
  7 * 100 * (2 * 2 * 2) mm3 = 5.6 cm3 (dicompyler counts each plane with the plane spacing as thickness);
* ``CORD``: x in (-14, -6), y in (-4, 4) on 4 planes (z = 4..10): per plane 4 x 4 voxels, half at 10 Gy and
  half at 20 Gy, 4 * 16 * 8 mm3 = 0.512 cm3;
* ``EMPTY``: declared without contours (left out of the result).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from apps.dosimetry.engine import DicomInputError, dicom_rt_metrics

RTDOSE = "1.2.840.10008.5.1.4.1.1.481.2"
RTSTRUCT = "1.2.840.10008.5.1.4.1.1.481.3"
CT = "1.2.840.10008.5.1.4.1.1.2"
SPACING = 2.0
N_XY = 20
N_Z = 10
ORIGIN = -19.0


def _file_dataset(path: Path, sop_class: str) -> FileDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientID = "TEST"
    ds.PatientName = "Test^Phantom"
    ds.StudyInstanceUID = "1.2.3.4"
    ds.SeriesInstanceUID = generate_uid()
    return ds


def _dose_grid() -> np.ndarray:
    centres = ORIGIN + SPACING * np.arange(N_XY)
    inner = np.abs(centres) < 10
    plane = np.where(inner[:, None] & inner[None, :], 20.0, 10.0)  # rows = y, columns = x
    return np.repeat(plane[None, :, :], N_Z, axis=0)


def write_rtdose(path: Path, frame_uid: str, **overrides: object) -> Path:
    ds = _file_dataset(path, RTDOSE)
    ds.Modality = "RTDOSE"
    ds.FrameOfReferenceUID = frame_uid
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.NumberOfFrames = N_Z
    ds.Rows = N_XY
    ds.Columns = N_XY
    ds.PixelSpacing = [SPACING, SPACING]
    ds.BitsAllocated = 32
    ds.BitsStored = 32
    ds.HighBit = 31
    ds.PixelRepresentation = 0
    ds.ImagePositionPatient = [ORIGIN, ORIGIN, 0.0]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.GridFrameOffsetVector = [SPACING * k for k in range(N_Z)]
    ds.FrameIncrementPointer = 0x3004000C
    ds.DoseUnits = "GY"
    ds.DoseType = "PHYSICAL"
    ds.DoseSummationType = "PLAN"
    scaling = 0.001
    ds.DoseGridScaling = scaling
    ds.PixelData = np.round(_dose_grid() / scaling).astype("<u4").tobytes()
    for key, value in overrides.items():
        if value is None:
            delattr(ds, key)
        else:
            setattr(ds, key, value)
    ds.save_as(str(path), write_like_original=False)
    return path


def _square(x0: float, x1: float, y0: float, y1: float, z: float) -> list[float]:
    return [x0, y0, z, x1, y0, z, x1, y1, z, x0, y1, z]


def write_rtstruct(path: Path, frame_uid: str) -> Path:
    ds = _file_dataset(path, RTSTRUCT)
    ds.Modality = "RTSTRUCT"
    ds.StructureSetLabel = "TEST"
    ref = Dataset()
    ref.FrameOfReferenceUID = frame_uid
    ds.ReferencedFrameOfReferenceSequence = Sequence([ref])
    rois = [
        (1, "PTV", [_square(-10, 10, -10, 10, z) for z in (2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0)]),
        (2, "CORD", [_square(-14, -6, -4, 4, z) for z in (4.0, 6.0, 8.0, 10.0)]),
        (3, "EMPTY", []),
    ]
    roi_seq, contour_seq, obs_seq = [], [], []
    for number, name, planes in rois:
        item = Dataset()
        item.ROINumber = number
        item.ROIName = name
        item.ReferencedFrameOfReferenceUID = frame_uid
        item.ROIGenerationAlgorithm = "MANUAL"
        roi_seq.append(item)
        roi_contour = Dataset()
        roi_contour.ReferencedROINumber = number
        roi_contour.ROIDisplayColor = [255, 0, 0]
        if planes:
            contours = []
            for data in planes:
                contour = Dataset()
                contour.ContourGeometricType = "CLOSED_PLANAR"
                contour.NumberOfContourPoints = len(data) // 3
                contour.ContourData = data
                contours.append(contour)
            roi_contour.ContourSequence = Sequence(contours)
        contour_seq.append(roi_contour)
        obs = Dataset()
        obs.ObservationNumber = number
        obs.ReferencedROINumber = number
        obs.RTROIInterpretedType = "PTV" if name == "PTV" else "ORGAN"
        obs_seq.append(obs)
    ds.StructureSetROISequence = Sequence(roi_seq)
    ds.ROIContourSequence = Sequence(contour_seq)
    ds.RTROIObservationsSequence = Sequence(obs_seq)
    ds.save_as(str(path), write_like_original=False)
    return path


@pytest.fixture
def plan(tmp_path: Path) -> tuple[Path, Path, str]:
    frame_uid = generate_uid()
    return (
        write_rtdose(tmp_path / "rtdose.dcm", frame_uid),
        write_rtstruct(tmp_path / "rtstruct.dcm", frame_uid),
        frame_uid,
    )


def test_metrics_of_generated_rt_dose_and_structure_set(plan: tuple[Path, Path, str]) -> None:
    # given a generated RT Dose and RT Structure Set
    rtdose, rtstruct, _ = plan
    # when metrics are computed with dicompyler-core
    result = dicom_rt_metrics(rtdose, rtstruct)
    # then each contoured structure has its volume and dose metrics (1 cGy bins: within 0.02 Gy)
    assert set(result) == {"PTV", "CORD"}
    ptv, cord = result["PTV"], result["CORD"]
    assert ptv.volume_cc == pytest.approx(5.6, rel=1e-6)
    for value in (ptv.dmax_gy, ptv.dmin_gy, ptv.dmean_gy, ptv.d2_pct_gy, ptv.d98_pct_gy, ptv.d0_5cc_gy):
        assert value == pytest.approx(20.0, abs=0.02)
    assert cord.volume_cc == pytest.approx(0.512, rel=1e-6)
    assert cord.dmax_gy == pytest.approx(20.0, abs=0.02)
    assert cord.dmin_gy == pytest.approx(10.0, abs=0.02)
    assert cord.dmean_gy == pytest.approx(15.0, abs=0.02)
    assert cord.d0_5cc_gy == pytest.approx(10.0, abs=0.02)  # 0.5 of 0.512 cc includes the 10 Gy half
    assert cord.d0_03cc_gy == pytest.approx(20.0, abs=0.02)
    assert cord.d2_pct_gy == pytest.approx(20.0, abs=0.02)
    assert cord.d98_pct_gy == pytest.approx(10.0, abs=0.02)
    assert set(cord.metrics) >= {"Dmax", "Dmean", "D0.5cc", "D2%", "D98%"}


def test_a_ct_given_as_rt_dose_is_rejected(tmp_path: Path, plan: tuple[Path, Path, str]) -> None:
    _, rtstruct, _ = plan
    ct = _file_dataset(tmp_path / "ct.dcm", CT)
    ct.Modality = "CT"
    ct.save_as(str(tmp_path / "ct.dcm"), write_like_original=False)
    with pytest.raises(DicomInputError) as info:
        dicom_rt_metrics(tmp_path / "ct.dcm", rtstruct)
    assert info.value.role == "rtdose"
    assert "CT Image" in info.value.reason and "not an RT Dose" in info.value.reason


def test_swapped_files_are_rejected(plan: tuple[Path, Path, str]) -> None:
    rtdose, rtstruct, _ = plan
    with pytest.raises(DicomInputError) as info:
        dicom_rt_metrics(rtstruct, rtdose)
    assert "RT Structure Set" in info.value.reason and info.value.role == "rtdose"


def test_garbage_bytes_are_not_dicom(tmp_path: Path, plan: tuple[Path, Path, str]) -> None:
    _, rtstruct, _ = plan
    garbage = tmp_path / "garbage.dcm"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DicomInputError) as info:
        dicom_rt_metrics(garbage, rtstruct)
    assert "not a DICOM file" in info.value.reason or "cannot be read" in info.value.reason
    text = tmp_path / "notes.txt"
    text.write_text("structure,dose_gy,volume_cc\n")
    with pytest.raises(DicomInputError):
        dicom_rt_metrics(plan[0], text)


def test_missing_file(tmp_path: Path, plan: tuple[Path, Path, str]) -> None:
    with pytest.raises(DicomInputError) as info:
        dicom_rt_metrics(tmp_path / "nope.dcm", plan[1])
    assert info.value.reason == "file not found"


@pytest.mark.parametrize(
    ("overrides", "reason_part"),
    [
        ({"DoseUnits": "RELATIVE"}, "only absolute dose"),
        ({"DoseSummationType": "FRACTION"}, "not a whole-course dose"),
        ({"DoseGridScaling": None}, "without DoseGridScaling"),
    ],
)
def test_unusable_rt_dose_is_rejected(
    tmp_path: Path, plan: tuple[Path, Path, str], overrides: dict[str, object], reason_part: str
) -> None:
    _, rtstruct, frame_uid = plan
    bad = write_rtdose(tmp_path / "bad.dcm", frame_uid, **overrides)
    with pytest.raises(DicomInputError) as info:
        dicom_rt_metrics(bad, rtstruct)
    assert reason_part in info.value.reason


def test_structure_set_in_another_frame_of_reference_is_rejected(tmp_path: Path, plan: tuple[Path, Path, str]) -> None:
    rtdose, _, _ = plan
    other = write_rtstruct(tmp_path / "other.dcm", generate_uid())
    with pytest.raises(DicomInputError) as info:
        dicom_rt_metrics(rtdose, other)
    assert "frames of reference" in info.value.reason
