"""Radiation oncologists add and edit plans from the case page and import a DVH, following the job."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.dosimetry.models import DoseImportJob, RadiotherapyPlan
from apps.dosimetry.services import dose_summary_compute
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory
from tests.frontend.helpers import assert_constant_queries, logged_in

CSV = "structure,dose_gy,volume_percent\nspinal_cord,0,100\nspinal_cord,10,50\nspinal_cord,14,0\n"


def test_a_radiation_oncologist_adds_a_catalogue_plan_and_sees_its_summary(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    lesion = LesionFactory(case=case)
    client = logged_in(personas.radonc)
    assert "Add a plan" in client.get(f"/cases/{case.pk}/").content.decode()
    form = client.get(f"/cases/{case.pk}/plans/new/").content.decode()
    assert 'value="sbrt_spine_24gy_2fx"' in form
    response = client.post(
        f"/cases/{case.pk}/plans/new/",
        {
            "name": "SBRT T10",
            "regimen_code": "sbrt_spine_24gy_2fx",
            "technique": "sbrt",
            "alpha_beta": "10",
            "oar_1_structure": "spinal_cord",
            "oar_1_metric": "Dmax",
            "oar_1_gy": "12",
            "target_lesions": [str(lesion.pk)],
        },
    )
    assert response.status_code == 302
    plan = RadiotherapyPlan.objects.get()
    assert (plan.regimen_code, plan.oar_metrics, list(plan.target_lesions.all())) == (
        "sbrt_spine_24gy_2fx",
        {"spinal_cord": {"Dmax": 12.0}},
        [lesion],
    )
    dose_summary_compute(plan_id=plan.pk)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "SBRT T10" in html and "52.8 Gy" in html and 'class="badge check-pass">pass' in html


def test_custom_levels_errors_go_beside_the_level_and_keep_the_input(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    client = logged_in(personas.radonc)
    response = client.post(
        f"/cases/{case.pk}/plans/new/",
        {
            "name": "SIB",
            "regimen_code": "",
            "technique": "imrt",
            "alpha_beta": "10",
            "level_1_total_dose_gy": "30",
            "level_1_fractions": "10",
            "level_2_total_dose_gy": "40",
            "level_2_fractions": "5",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and not RadiotherapyPlan.objects.exists()
    assert 'id="id_level_2_fractions_error"' in html or 'id="id_level_2_total_dose_gy_error"' in html or "errorlist" in html
    assert 'value="40.0"' in html or 'value="40"' in html
    # no regimen and no level
    response = client.post(f"/cases/{case.pk}/plans/new/", {"technique": "imrt", "alpha_beta": "10"})
    assert response.status_code == 400 and "Give a regimen" in response.content.decode()


def test_editing_a_plan_goes_through_the_service(personas: Personas) -> None:
    from apps.dosimetry.services import plan_create

    case = CaseFactory(board=personas.board)
    plan = plan_create(actor=personas.radonc, case=case, data={"name": "A", "regimen_code": "conv_8gy_1fx"})
    client = logged_in(personas.radonc)
    assert 'value="A"' in client.get(f"/cases/{case.pk}/plans/{plan.pk}/").content.decode()
    response = client.post(
        f"/cases/{case.pk}/plans/{plan.pk}/",
        {"name": "B", "regimen_code": "conv_20gy_5fx", "technique": "conventional", "alpha_beta": "10"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.regimen_code, plan.revision) == ("B", "conv_20gy_5fx", 2)


def test_only_radiation_oncologists_of_the_board_plan(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    assert logged_in(personas.surgeon).get(f"/cases/{case.pk}/plans/new/").status_code == 403
    assert logged_in(personas.other_member).get(f"/cases/{case.pk}/plans/new/").status_code == 404
    assert "Add a plan" not in logged_in(personas.surgeon).get(f"/cases/{case.pk}/").content.decode()


def test_a_dvh_import_is_followed_until_it_ends(personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from apps.dosimetry.services import plan_create

    case = CaseFactory(board=personas.board)
    plan = plan_create(actor=personas.radonc, case=case, data={"name": "A", "regimen_code": "conv_8gy_1fx"})
    client = logged_in(personas.radonc)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/cases/{case.pk}/plans/{plan.pk}/import/",
            {"kind": "csv_dvh", "csv": SimpleUploadedFile("dvh.csv", CSV.encode(), content_type="text/csv")},
        )
    job = DoseImportJob.objects.get()
    assert response["Location"] == f"/dose-imports/{job.pk}/"
    html = client.get(f"/dose-imports/{job.pk}/").content.decode()
    # the job ran (eager Celery after commit): it shows what it read and stops asking for itself
    assert job.status == "succeeded", job.error
    section = html.split('id="import-job"', 1)[1].split("</section>", 1)[0]
    assert "hx-get" not in html.split('id="import-job"', 1)[0][-300:] and "hx-trigger" not in section
    assert "Dmax 14.0 Gy" in section and "Succeeded" in section
    # a missing file is an error beside the field
    response = client.post(f"/cases/{case.pk}/plans/{plan.pk}/import/", {"kind": "csv_dvh"})
    assert response.status_code == 400 and "choose the CSV DVH export" in response.content.decode()
    assert logged_in(personas.other_member).get(f"/dose-imports/{job.pk}/").status_code == 404


def test_a_running_import_polls_itself(personas: Personas) -> None:
    from apps.dosimetry.services import plan_create

    case = CaseFactory(board=personas.board)
    plan = plan_create(actor=personas.radonc, case=case, data={"name": "A", "regimen_code": "conv_8gy_1fx"})
    from apps.core.models import Job

    # Dose imports run as core Jobs (issue 10): 40 of 100 done.
    running = Job.objects.create(kind=Job.Kind.DOSE_IMPORT, status=Job.Status.RUNNING, done=40, total=100)
    job = DoseImportJob.objects.create(plan=plan, kind="csv_dvh", csv_text=CSV, job=running)
    client = logged_in(personas.radonc)
    html = client.get(f"/dose-imports/{job.pk}/").content.decode()
    assert f'hx-get="/dose-imports/{job.pk}/"' in html and 'value="40"' in html
    partial = client.get(f"/dose-imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="import-job"' in partial


def test_plan_pages_run_constant_queries(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = logged_in(personas.radonc)
    assert_constant_queries(lambda: client.get(f"/cases/{case.pk}/plans/new/"), lambda: LesionFactory.create_batch(4, case=case))


def test_a_plan_records_its_structured_target(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    client = logged_in(personas.radonc)
    base = {"name": "T8", "regimen_code": "conv_8gy_1fx", "technique": "conventional", "alpha_beta": "10"}
    response = client.post(
        f"/cases/{case.pk}/plans/new/", {**base, "site": "thoracic_spine", "level_from": "T8", "laterality": "midline"}
    )
    assert response.status_code == 302
    plan = RadiotherapyPlan.objects.get()
    assert (plan.site, plan.level_from, plan.laterality) == ("thoracic_spine", "T8", "midline")
    # levels on a limb are refused beside the field, nothing stored
    response = client.post(f"/cases/{case.pk}/plans/new/", {**base, "site": "femur", "level_from": "T8"})
    assert response.status_code == 400 and RadiotherapyPlan.objects.count() == 1
