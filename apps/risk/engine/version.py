"""Version of the risk engine's rules.

Every result carries it, and it is part of :func:`apps.risk.engine.digest.inputs_digest`, so a change to
any table, threshold or wording must bump it: stored results computed by an older version then read as
stale and are recomputed.
"""

from __future__ import annotations

from typing import Final

ENGINE_VERSION: Final[str] = "risk-2026.12.3"
