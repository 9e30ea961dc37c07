"""Dose-metric imports into a plan: a visible job, run by a task, with a clear error for a bad file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from pydicom.uid import generate_uid

from apps.dosimetry.imports import dose_import_run
from apps.dosimetry.models import DoseImportJob, RadiotherapyPlan
from apps.dosimetry.services import plan_create
from tests.conftest import Personas
from tests.dosimetry.engine.test_dvh_dicom import write_rtdose, write_rtstruct
from tests.factories import CaseFactory

CSV = b"""structure,dose_gy,volume_cc,cumulative
spinal_cord,0,10,true
spinal_cord,10,10,true
spinal_cord,20,0,true
"""


@pytest.fixture
def plan(personas: Personas) -> RadiotherapyPlan:
    case = CaseFactory(board=personas.board)
    return plan_create(actor=personas.radonc, case=case, data={"levels": [{"fractions": 10, "total_dose_gy": 30}]})


def imports_url(plan: RadiotherapyPlan) -> str:
    return f"/api/v1/radiotherapy-plans/{plan.pk}/imports/"


def test_csv_dvh_import_merges_metrics_into_the_plan(
    personas: Personas,
    plan: RadiotherapyPlan,
    django_capture_on_commit_callbacks: Callable,  # type: ignore[type-arg]
) -> None:
    client = personas.client(personas.radonc)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            imports_url(plan), {"kind": "csv_dvh", "csv": SimpleUploadedFile("dvh.csv", CSV)}, format="multipart"
        )
    assert response.status_code == 202, response.json()
    job = client.get(f"/api/v1/dose-imports/{response.json()['id']}/").json()
    assert job["status"] == "succeeded" and job["progress"] == 100
    assert "parsed 1 structures" in job["log"]
    plan.refresh_from_db()
    assert plan.oar_metrics["spinal_cord"]["Dmax"] == pytest.approx(20.0)
    assert plan.revision == 2
    # a redelivered task finds the job claimed and does nothing
    assert dose_import_run(job_id=job["id"]) is None


def test_bad_csv_fails_the_job_with_the_line_and_column(
    personas: Personas,
    plan: RadiotherapyPlan,
    django_capture_on_commit_callbacks: Callable,  # type: ignore[type-arg]
) -> None:
    bad = b"structure,dose_gy,volume_cc\ncord,abc,10\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.radonc).post(
            imports_url(plan), {"kind": "csv_dvh", "csv": SimpleUploadedFile("dvh.csv", bad)}, format="multipart"
        )
    job = DoseImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "failed"
    assert "line 2" in job.error and "dose_gy" in job.error
    plan.refresh_from_db()
    assert plan.oar_metrics == {} and plan.revision == 1


def test_dicom_rt_import_from_generated_files(
    personas: Personas,
    plan: RadiotherapyPlan,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable,  # type: ignore[type-arg]
) -> None:
    frame = generate_uid()
    rtdose = write_rtdose(tmp_path / "rtdose.dcm", frame).read_bytes()
    rtstruct = write_rtstruct(tmp_path / "rtstruct.dcm", frame).read_bytes()
    with override_settings(MEDIA_ROOT=tmp_path / "media"), django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.radonc).post(
            imports_url(plan),
            {
                "kind": "dicom_rt",
                "rtdose": SimpleUploadedFile("d.dcm", rtdose),
                "rtstruct": SimpleUploadedFile("s.dcm", rtstruct),
            },
            format="multipart",
        )
    job = DoseImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "succeeded", job.error
    plan.refresh_from_db()
    assert plan.oar_metrics["CORD"]["Dmax"] == pytest.approx(20.0, abs=0.02)


def test_a_file_that_is_not_rt_dose_fails_clearly(
    personas: Personas,
    plan: RadiotherapyPlan,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable,  # type: ignore[type-arg]
) -> None:
    frame = generate_uid()
    rtstruct = write_rtstruct(tmp_path / "rtstruct.dcm", frame).read_bytes()
    with override_settings(MEDIA_ROOT=tmp_path / "media"), django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.radonc).post(
            imports_url(plan),
            {
                "kind": "dicom_rt",
                "rtdose": SimpleUploadedFile("d.dcm", b"not dicom at all"),
                "rtstruct": SimpleUploadedFile("s.dcm", rtstruct),
            },
            format="multipart",
        )
    job = DoseImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "failed"
    assert "rtdose" in job.error.lower() or "dicom" in job.error.lower()


def test_import_permissions_and_missing_files(personas: Personas, plan: RadiotherapyPlan) -> None:
    body = {"kind": "csv_dvh", "csv": SimpleUploadedFile("dvh.csv", CSV)}
    assert personas.client(personas.surgeon).post(imports_url(plan), body, format="multipart").status_code == 403
    assert personas.client(personas.other_member).post(imports_url(plan), body, format="multipart").status_code == 404
    missing = personas.client(personas.radonc).post(imports_url(plan), {"kind": "dicom_rt"}, format="multipart")
    assert missing.status_code == 400
    assert set(missing.json()) == {"rtdose", "rtstruct"}
    assert not DoseImportJob.objects.exists()
