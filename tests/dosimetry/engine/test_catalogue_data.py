"""The built-in catalogue is data (``apps/dosimetry/engine/catalogue.json``), read into the engine's types."""

from __future__ import annotations

import json

from apps.dosimetry.engine import catalogue
from apps.dosimetry.engine.constraints import Metric


def test_the_engine_catalogue_is_exactly_the_data_file() -> None:
    data = json.loads(catalogue.DATA_FILE.read_text(encoding="utf-8"))
    loaded = catalogue.as_data()
    for section in ("organs", "constraint_sets", "regimens"):
        assert loaded[section] == data[section], section


def test_the_data_is_read_into_typed_entries() -> None:
    cord = catalogue.ORGANS_BY_CODE["spinal_cord"]
    assert cord.dose_metric is Metric.DMAX and cord.cumulative_limit_eqd2_gy == 70.0
    sib = catalogue.REGIMENS_BY_CODE["sib_35_20gy_10fx"]
    assert sib.is_sib and [lv.target for lv in sib.levels] == ["GTV (boost)", "PTV"]
    assert isinstance(sib.technique, catalogue.Technique) and sib.dose_levels()[0].total_dose_gy == 35.0
    assert catalogue.SBRT_CORD_SET.constraints[0].limit == 12.4
    # the kidney limit was computed in code (EQD2 of 12 Gy in 10 fractions at alpha/beta 3): the data keeps it
    assert round(catalogue.ORGANS_BY_CODE["kidney"].cumulative_limit_eqd2_gy, 2) == 10.08
