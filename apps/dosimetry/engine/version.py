"""Version of the dose engine's rules and data; part of every inputs digest (bump on any change of a
formula, threshold, constraint, organ default or regimen)."""

ENGINE_VERSION = "dose-2026.12.1"
