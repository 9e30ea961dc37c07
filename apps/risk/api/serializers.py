"""Input and output serializers of the stateless risk calculators (api-contract.md, calculators).

Inputs use the controlled vocabulary (``apps.cases.vocabulary``) through :class:`CodeChoiceField`, so an
unknown code is a ``400`` listing the allowed codes. ``to_facts()`` turns validated data into the
:class:`~apps.cases.facts.LesionFacts` the pure engine reads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from rest_framework import serializers

from apps.cases.facts import LesionFacts
from apps.cases.rules import subsite_error
from apps.cases.vocabulary import (
    LEVEL_INDEX,
    SITE_LEVELS,
    SPINAL_SITES,
    VERTEBRAL_LEVELS,
    Alignment,
    CorticalInvolvement,
    LimbPain,
    PosterolateralInvolvement,
    RadiographicType,
    Site,
    SpinalPain,
    Subsite,
    SymptomBurden,
    VertebralCollapse,
    choices,
)
from apps.core.api.fields import CodeChoiceField
from apps.core.api.serializers import StrictSerializer
from apps.risk.engine.mirels import MIRELS_SITES, PhalanxLimb

LEVEL_CHOICES: list[tuple[str, str]] = [(level, level) for level in VERTEBRAL_LEVELS]


def _code(enum: type[StrEnum], **kwargs: Any) -> CodeChoiceField:
    return CodeChoiceField(choices=choices(enum), **kwargs)


def _optional_code(enum: type[StrEnum], **kwargs: Any) -> CodeChoiceField:
    return CodeChoiceField(choices=choices(enum), required=False, allow_null=True, allow_blank=True, **kwargs)


def _level(**kwargs: Any) -> CodeChoiceField:
    return CodeChoiceField(choices=LEVEL_CHOICES, **kwargs)


def site_of_level(level: str) -> Site:
    """The spinal site whose region holds ``level`` (``C5`` -> cervical_spine, ``coccyx`` -> sacrum)."""
    for site, levels in SITE_LEVELS.items():
        if level in levels:
            return site
    raise ValueError(f"unknown vertebral level {level!r}")  # pragma: no cover - choices prevent it


def check_level_order(attrs: dict[str, Any]) -> None:
    """A ``level_to`` cranial to ``level_from`` is a 400 on ``level_to``."""
    level_from = attrs.get("level_from")
    level_to = attrs.get("level_to")
    if level_to and not level_from:
        raise serializers.ValidationError({"level_from": ["Required when level_to is given."]})
    if level_from and level_to and LEVEL_INDEX[level_to] < LEVEL_INDEX[level_from]:
        raise serializers.ValidationError(
            {"level_to": [f"{level_to} lies above level_from {level_from}: give the span cranio-caudally."]}
        )


def _blank_to_none(attrs: dict[str, Any], *names: str) -> None:
    for name in names:
        if attrs.get(name) == "":
            attrs[name] = None


def check_subsite(attrs: dict[str, Any]) -> None:
    """A subsite that is not a region of the site is a 400 on ``subsite``, as the case API answers.

    On a Mirels site the subsite sets the site points (a femoral ``peritrochanteric`` on a humerus would be
    1 or 3 points): scoring a contradictory location would be a guess, so it is refused.
    """
    if attrs.get("site") is None:
        return
    reason = subsite_error(Site(attrs["site"]), attrs.get("subsite"))
    if reason is not None:
        raise serializers.ValidationError({"subsite": [reason]})


class MirelsInputSerializer(StrictSerializer[Any]):
    """Mirels score of a long-bone lesion; any site is accepted (others answer ``applicable: false``).

    ``subsite`` must be a region of a Mirels site (400 otherwise); on the other sites it is not read.
    ``phalanx_limb`` (``hand``/``foot``, phalanx only, optional) settles a phalanx's site points: hand 1,
    foot 2; without it a phalanx scores as a foot phalanx (2), the conservative reading (clinical-rules.md
    §2, see ``apps.risk.engine.mirels``).
    """

    site = _code(Site)
    subsite = _optional_code(Subsite, help_text="Femur: peritrochanteric / femoral_neck score 3.")
    pain = _code(LimbPain)
    radiographic_type = _code(RadiographicType)
    cortical_involvement = _code(CorticalInvolvement)
    phalanx_limb = _optional_code(
        PhalanxLimb,
        help_text="Phalanx only: hand (upper limb, 1 point) or foot (lower limb, 2). Default: foot.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _blank_to_none(attrs, "subsite", "phalanx_limb")
        attrs.setdefault("subsite", None)
        if attrs.get("phalanx_limb") is None:
            attrs.pop("phalanx_limb", None)
        elif attrs["site"] != Site.PHALANX:
            raise serializers.ValidationError({"phalanx_limb": [f"applies to a phalanx only, not a {attrs['site']}."]})
        if Site(attrs["site"]) in MIRELS_SITES:
            check_subsite(attrs)
        return attrs

    def to_facts(self) -> LesionFacts:
        data = self.validated_data
        return LesionFacts(
            site=Site(data["site"]),
            subsite=Subsite(data["subsite"]) if data["subsite"] else None,
            pain=LimbPain(data["pain"]),
            radiographic_type=RadiographicType(data["radiographic_type"]),
            cortical_involvement=CorticalInvolvement(data["cortical_involvement"]),
        )

    def phalanx_limb_value(self) -> PhalanxLimb | None:
        value = self.validated_data.get("phalanx_limb")
        return PhalanxLimb(value) if value else None


class SinsInputSerializer(StrictSerializer[Any]):
    """SINS of a spinal lesion; the site is the spinal region of ``level_from``."""

    level_from = _level()
    level_to = _level(required=False, allow_null=True, allow_blank=True)
    spinal_pain = _code(SpinalPain)
    radiographic_type = _code(RadiographicType)
    alignment = _code(Alignment)
    vertebral_collapse = _code(VertebralCollapse)
    posterolateral_involvement = _code(PosterolateralInvolvement)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _blank_to_none(attrs, "level_to")
        attrs.setdefault("level_to", None)
        check_level_order(attrs)
        return attrs

    def to_facts(self) -> LesionFacts:
        data = self.validated_data
        return LesionFacts(
            site=site_of_level(data["level_from"]),
            level_from=data["level_from"],
            level_to=data["level_to"],
            spinal_pain=SpinalPain(data["spinal_pain"]),
            radiographic_type=RadiographicType(data["radiographic_type"]),
            alignment=Alignment(data["alignment"]),
            vertebral_collapse=VertebralCollapse(data["vertebral_collapse"]),
            posterolateral_involvement=PosterolateralInvolvement(data["posterolateral_involvement"]),
        )


class HighRiskInputSerializer(StrictSerializer[Any]):
    """A lesion for the Gillespie high-risk asymptomatic criteria; every field but ``site`` may be unknown.

    Levels apply to spinal sites only (400 on ``level_from`` otherwise: a junctional level must never be
    dropped silently). A span may cross spinal regions (``T12``-``L1``): the levels decide the junctional
    criterion. The joint criterion is read from ``subsite`` alone (a hip, shoulder or sacroiliac region
    is that joint whichever bone the caller named), so the subsite is not checked against the site here.
    """

    site = _code(Site)
    subsite = _optional_code(Subsite)
    level_from = _level(required=False, allow_null=True, allow_blank=True)
    level_to = _level(required=False, allow_null=True, allow_blank=True)
    max_diameter_mm = serializers.FloatField(required=False, allow_null=True, min_value=0.1, max_value=500)
    cortical_involvement = _optional_code(CorticalInvolvement)
    posterior_element_involvement = serializers.BooleanField(required=False, allow_null=True, default=None)
    symptomatic = serializers.BooleanField(required=False, allow_null=True, default=None)
    symptoms = _optional_code(
        SymptomBurden,
        help_text="Symptom burden; the flag applies to asymptomatic and minimally symptomatic lesions. "
        "Must agree with symptomatic when both are given.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _blank_to_none(attrs, "subsite", "level_from", "level_to", "cortical_involvement", "symptoms")
        for name in ("subsite", "level_from", "level_to", "max_diameter_mm", "cortical_involvement", "symptoms"):
            attrs.setdefault(name, None)
        check_level_order(attrs)
        symptoms, symptomatic = attrs["symptoms"], attrs.get("symptomatic")
        if symptoms is not None and symptomatic is not None and (symptoms == SymptomBurden.SYMPTOMATIC) != symptomatic:
            # The case API refuses the same contradiction: symptomatic is true exactly for "symptomatic".
            raise serializers.ValidationError(
                {
                    "symptoms": [
                        f"{symptoms} contradicts symptomatic={str(symptomatic).lower()}: symptomatic is true exactly "
                        "when the lesion is symptomatic (asymptomatic and minimally symptomatic lesions are "
                        "symptomatic=false)."
                    ]
                }
            )
        if attrs["level_from"] and Site(attrs["site"]) not in SPINAL_SITES:
            # A junctional level on a bone without vertebrae would be silently dropped: refuse it.
            raise serializers.ValidationError(
                {"level_from": [f"applies to spinal lesions only; this lesion's site is {attrs['site']}."]}
            )
        return attrs

    def to_facts(self) -> LesionFacts:
        data = self.validated_data
        return LesionFacts(
            site=Site(data["site"]),
            subsite=Subsite(data["subsite"]) if data["subsite"] else None,
            level_from=data["level_from"],
            level_to=data["level_to"],
            max_diameter_mm=data["max_diameter_mm"],
            cortical_involvement=(CorticalInvolvement(data["cortical_involvement"]) if data["cortical_involvement"] else None),
            posterior_element_involvement=data["posterior_element_involvement"],
            symptomatic=data["symptomatic"],
            symptoms=SymptomBurden(data["symptoms"]) if data["symptoms"] else None,
        )


# --------------------------------------------------------------------------- responses (schema only)


class ComponentSerializer(serializers.Serializer[Any]):
    input = serializers.CharField(allow_null=True)
    points = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class RuleResultSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField()
    applicable = serializers.BooleanField()
    score = serializers.IntegerField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    components = serializers.DictField(child=ComponentSerializer())
    missing = serializers.ListField(child=serializers.CharField())
    recommendation = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()  # type: ignore[assignment]
    engine_version = serializers.CharField()


class MirelsResultSerializer(RuleResultSerializer):
    possible_range = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    inputs = MirelsInputSerializer()


class SinsResultSerializer(RuleResultSerializer):
    possible_range = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    surgical_consultation = serializers.BooleanField(allow_null=True)
    inputs = SinsInputSerializer()


class CriterionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    status = serializers.CharField(help_text="met, not_met or unknown")
    input = serializers.CharField(allow_null=True)
    explanation = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="What would settle an unknown.")
    source = serializers.CharField(help_text="Where the criterion comes from (empty: the rule's source).")  # type: ignore[assignment]


class CriterionComponentSerializer(serializers.Serializer[Any]):
    input = serializers.JSONField(allow_null=True)
    status = serializers.CharField(help_text="met, not_met or unknown")
    note = serializers.CharField()


class HighRiskResultSerializer(RuleResultSerializer):
    components = serializers.DictField(
        child=CriterionComponentSerializer(), help_text="One entry per criterion, in the fixed order."
    )
    high_risk = serializers.BooleanField()
    symptomatic = serializers.BooleanField(allow_null=True)
    symptoms = serializers.CharField(
        allow_null=True,
        help_text="asymptomatic, minimally_symptomatic, symptomatic, asymptomatic_or_minimally_symptomatic "
        "(only symptomatic=false known) or null",
    )
    criteria_met = serializers.ListField(child=serializers.CharField())
    criteria_unknown = serializers.ListField(child=serializers.CharField())
    criteria = CriterionSerializer(many=True)
    inputs = HighRiskInputSerializer()
