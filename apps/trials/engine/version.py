"""Version of the trial-matching engine, recorded on every match so results can be traced and recomputed."""

ENGINE_VERSION = "match-2026.12.1"
