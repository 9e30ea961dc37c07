"""Pure rules of the board's recommendation: vocabulary, action checks, sign-readiness, content hash.

No Django imports (tests assert this). Source of the structure: issue 13 and docs/api-contract.md
("Decisions"); the signature's meaning and the re-entered password follow 21 CFR 11.50 and 11.200.
"""
