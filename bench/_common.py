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


def stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def write_outputs(result: dict[str, Any], table: str, json_path: Path | None, markdown_path: Path | None) -> None:
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result, indent=2, default=str))
    if markdown_path:
        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(table)
