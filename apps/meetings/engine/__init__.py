"""Pure scheduling logic of board meetings: recurrence, agenda placement and timing, quorum.

No Django imports: functions over small typed dataclasses, so every rule is testable on its own.
"""
