"""What the benchmark scripts share: the load average recorded with each figure, output files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any


def load_average() -> str:
    """``uptime``'s three load averages (1, 5, 15 min): a figure is only as quiet as the machine was."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_ticks() -> tuple[int, ...] | None:
    """The machine's CPU time counters (``/proc/stat``'s ``cpu`` line), None where there is no such file."""
    try:
        with open("/proc/stat") as stat:
            return tuple(int(value) for value in stat.readline().split()[1:])
    except OSError:
        return None


def steal_share(start: tuple[int, ...] | None, end: tuple[int, ...] | None) -> float | None:
    """The share of CPU time the hypervisor gave to other guests between two ``cpu_ticks`` (its ``steal``
    column): on a shared virtual machine a run can lose a tenth of its two cores this way, unseen by the
    load average."""
    if start is None or end is None or len(start) < 8 or len(end) < 8:
        return None
    deltas = [b - a for a, b in zip(start[:8], end[:8], strict=True)]  # user .. steal (guest is in user)
    total = sum(deltas)
    return round(deltas[7] / total, 3) if total else None


def stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def write_outputs(result: dict[str, Any], table: str, json_path: Path | None, markdown_path: Path | None) -> None:
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result, indent=2, default=str))
    if markdown_path:
        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(table)
