"""``manage.py verify_audit_chain``: recompute the audit trail's hash chain; exit 1 at the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain: prints the first broken link and exits non-zero, 0 when intact."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default", help="Database alias to check (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(options["database"])
        broken = report.broken
        if broken is not None:
            # Sequence and entry id only: the output names no patient (issue 15).
            where = f"entry {broken.entry_id} " if broken.entry_id is not None else ""
            raise CommandError(f"audit chain broken at {where}(sequence {broken.sequence}): {broken.reason}", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.entries} entries"))
