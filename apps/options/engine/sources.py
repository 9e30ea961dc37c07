"""Source strings cited by the options engine (seed files in ``shared/seeds/``, see its README)."""

from __future__ import annotations

from typing import Final

SEED_000: Final = "000_76782ef81e029740.txt"
SEED_001: Final = "001_bdf9dfdfeafdf0a0.txt"
SEED_002: Final = "002_eaa0f11dde358788.txt"
SEED_003: Final = "003_694939402052979f.txt"
SEED_004: Final = "004_87b49d5180a7d9e0.txt"

TOKUHASHI: Final = "Tokuhashi Y et al., Spine 2005;30:2186-2191 (revised Tokuhashi score); clinical-rules.md §10"
TOMITA: Final = "Tomita K et al., Spine 2001;26:298-306 (surgical strategy for spinal metastases); clinical-rules.md §10"
NOMS: Final = f"Laufer I et al., 'The NOMS framework', Oncologist 2013;18:744-751; clinical-rules.md §11; {SEED_000}; {SEED_002}"
UNCOMPLICATED: Final = f"{SEED_001} Table 1 and §8.3; {SEED_000}; clinical-rules.md §12"
SPINE_SBRT: Final = f"{SEED_000} (SC24, Sahgal et al.; SBRT regimens); clinical-rules.md §8, §12"
MESCC: Final = (
    f"{SEED_000} (Patchell RA et al., Lancet 2005; SCORAD, Hoskin PJ et al., JAMA 2019; SCORE-2, Rades D et al., "
    "J Clin Oncol 2016); clinical-rules.md §4, §12"
)
MIRELS_SURGERY: Final = f"{SEED_003} §3.4 (Mirels; surgical options table); {SEED_001} Table 1; clinical-rules.md §12"
SINS_SURGERY: Final = f"{SEED_000} (SINS, Fourney DR et al., J Clin Oncol 2011); clinical-rules.md §11, §12"
SIB: Final = f"{SEED_002} (30/40 Gy SIB in 10 fractions: indications, cord constraint priority); clinical-rules.md §8"
CEMENT: Final = f"{SEED_003} (cement augmentation and ablation combined with RT); clinical-rules.md §11, §12"
RT_ALONE_SITES: Final = f"{SEED_003} (ribs, clavicle, distal ulna: usually RT alone); clinical-rules.md §12"
POSTOPERATIVE: Final = f"{SEED_001} Table 1; {SEED_000} (postoperative spine SBRT 35 Gy/5); clinical-rules.md §8, §12"
PROPHYLACTIC: Final = f"{SEED_000} (Gillespie EF et al., J Clin Oncol 2023, NCT03523351); clinical-rules.md §5, §12"
OLIGOMETASTATIC: Final = (
    f"{SEED_003} §3.1 ('all oligometastases must be treated'); {SEED_004} (BED >= 75 Gy radical intent in breast "
    f"cancer); {SEED_000} (SABR-COMET); clinical-rules.md §6, §12"
)
REIRRADIATION: Final = f"{SEED_001} Table 1; Sahgal A et al. 2012 (clinical-rules.md §7); clinical-rules.md §12"
BONE_MODIFYING: Final = (
    f"{SEED_001} §7.2 (bone-modifying agents with adequate life expectancy and renal function); clinical-rules.md §12"
)
CAUTIONS: Final = f"{SEED_004} §3 (systemic therapy with RT); clinical-rules.md §1b"
TRIALS: Final = "clinical-rules.md §9, §12 (trial matches of the registry)"
