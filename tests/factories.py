"""factory_boy factories for the intake models."""

from __future__ import annotations

import datetime as dt

import factory

from apps.accounts.models import Board, BoardMembership, Institution, User
from apps.accounts.roles import Role
from apps.cases.models import Case, Lesion, Patient


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Hospital {n}")
    code = factory.Sequence(lambda n: f"hosp-{n}")


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Bone metastasis board {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.COORDINATOR
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardMembership

    board = factory.SubFactory(BoardFactory)
    user = factory.SubFactory(UserFactory)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    institution = factory.SubFactory(InstitutionFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    given_name = "Ada"
    family_name = factory.Sequence(lambda n: f"Patient{n}")
    date_of_birth = dt.date(1960, 5, 17)
    sex = "female"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    board = factory.SubFactory(BoardFactory)
    patient = factory.SubFactory(PatientFactory, institution=factory.SelfAttribute("..board.institution"))
    question = "Stabilise or irradiate?"
    primary_histology = "breast"


class LesionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesion

    case = factory.SubFactory(CaseFactory)
    site = "femur"
    subsite = "peritrochanteric"
    radiographic_type = "lytic"
    cortical_involvement = "gt_two_thirds"
    pain = "functional"
