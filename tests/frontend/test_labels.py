"""One table of human labels: every code of every vocabulary and model choice has words, never a raw code."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest
from django.apps import apps as django_apps

from apps.cases import vocabulary
from frontend import labels
from frontend.review import in_words

VOCABULARY_ENUMS = [
    value
    for value in vars(vocabulary).values()
    if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
]


@pytest.mark.parametrize("enum", VOCABULARY_ENUMS, ids=lambda e: e.__name__)
def test_every_vocabulary_code_has_a_label_in_words(enum: type[StrEnum]) -> None:
    table = labels.tables()[0][enum.__name__]
    for member in enum:
        text = table[member.value]
        assert text and "_" not in text, f"{enum.__name__}.{member.name} is shown as {text!r}"
        assert labels.label(member.value, enum.__name__) == text


def test_every_model_field_with_choices_maps_to_a_vocabulary_with_every_code() -> None:
    labelled, by_field = labels.tables()
    for model in django_apps.get_models():
        if not model.__module__.startswith("apps."):
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            name = by_field[(model._meta.label_lower, field.name)]
            for code, _ in field.flatchoices:
                assert "_" not in labelled[name][str(code)], f"{model.__name__}.{field.name}={code}"


def test_clinic_words_are_used_where_the_code_is_unclear() -> None:
    assert labels.label("nsclc", "PrimaryHistology") == "non-small-cell lung cancer"
    assert labels.label("gt50_collapse", "VertebralCollapse") == "collapse of more than 50%"
    assert labels.label("thoracic_spine", "Site") == "thoracic spine"
    assert labels.label("2", "EpiduralCompressionGrade").startswith("Bilsky 2")
    assert labels.label(None, "Site") == "unknown"


def test_field_labels_cover_case_lesion_and_trial_fields() -> None:
    assert labels.field_label("extra.first_line_cdk46_candidate") == "candidate for first-line CDK4/6 inhibitor therapy"
    assert labels.field_label("ecog") == "ECOG performance status"
    assert labels.field_label("cortical_involvement") == "cortical involvement (Mirels)"
    for name in ("site", "subsite", "level_from", "spinal_pain", "bone_metastases_count", "primary_histology"):
        assert "_" not in labels.field_label(name)


def test_engine_text_is_read_in_words() -> None:
    assert in_words("unknown: needs systemic_therapy_classes") == "unknown: needs systemic therapy classes"
    assert in_words("ESTRO/EORTC class: de_novo_metachronous") == "ESTRO/EORTC class: de novo metachronous"
    # File names of the sources are kept as written
    assert in_words("source: 000_76782ef81e029740.txt") == "source: 000_76782ef81e029740.txt"
    assert not re.search(r"[a-z]_[a-z]", in_words("needs extra.first_line_cdk46_candidate and prior_radiotherapy"))


def test_the_fields_a_result_needs_are_named_once_each_in_order() -> None:
    """Two lesions missing the same field, or a case's and a lesion's field of one label, read once:
    the case page said "To decide, ask for: symptoms, symptoms, lesions"."""
    from frontend.review import needs_labels

    assert needs_labels(["lesions.0.symptoms", "lesions.1.symptoms", "lesions"]) == (
        labels.field_label("symptoms"),
        labels.field_label("lesions"),
    )
    assert needs_labels(["ecog", "lesions.0.site", "ecog"]) == (labels.field_label("ecog"), labels.field_label("site"))
    assert needs_labels(None) == ()
