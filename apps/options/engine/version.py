"""Version of the options engine's rules (prognosis, NOMS, options).

It is part of every stored result's inputs digest: a change to any table, threshold or wording must bump
it, so stored options computed by an older version read stale and ``recompute_options`` renews them.
"""

from __future__ import annotations

from typing import Final

ENGINE_VERSION: Final[str] = "options-2026.12.4"
