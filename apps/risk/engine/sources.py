"""Source strings cited by the rules' results (seed files in ``shared/seeds/``, see its README)."""

from __future__ import annotations

from typing import Final

SEED_000: Final = "000_76782ef81e029740.txt"
SEED_002: Final = "002_eaa0f11dde358788.txt"
SEED_003: Final = "003_694939402052979f.txt"
SEED_004: Final = "004_87b49d5180a7d9e0.txt"

MIRELS: Final = (
    f"{SEED_003} §3.4 (Surgery: Mirels scoring system); Mirels H, Clin Orthop Relat Res 1989;249:256-264; clinical-rules.md §2"
)
SINS: Final = (
    f"{SEED_000} (SBRT for Spinal Metastases Without Spinal Cord Compression, ref. 29); "
    "Fourney DR et al., J Clin Oncol 2011;29:3072-3077; clinical-rules.md §3"
)
ESCC: Final = (
    "clinical-rules.md §4 (Bilsky ESCC grades); "
    f"{SEED_000} (Conventional Fractionation Schedules for Symptomatic Compressive Spinal Metastases): "
    "Patchell RA et al., Lancet 2005;366:643-648; SCORE-2, Rades D et al., J Clin Oncol 2016;34:597; "
    "SCORAD, Hoskin PJ et al., JAMA 2019;322:2084-2094"
)
HIGH_RISK: Final = (
    f"{SEED_000} (Prophylactic Radiotherapy for Bone Metastases): Gillespie EF et al., J Clin Oncol 2023 "
    "(NCT03523351); clinical-rules.md §5"
)
OLIGOMETASTATIC: Final = (
    f"{SEED_000} (SBRT for Oligometastatic Disease: ESTRO/ASTRO consensus, Lievens Y et al., Radiother "
    f"Oncol 2020); {SEED_002} (Materials and Methods: <= 3 extracranial metastases, oligoprogression); "
    f"{SEED_003} §3.1 (ESTRO/EORTC classes, Guckenberger M et al., Lancet Oncol 2020); clinical-rules.md §6"
)
RADIOSENSITIVITY: Final = f"NOMS, Laufer I et al., Oncologist 2013; {SEED_000}; {SEED_002}; clinical-rules.md §1b"
CAUTIONS: Final = f"{SEED_004} §3 (Radiotherapy Treatments Options and New Drugs); clinical-rules.md §1b"
