"""How bench scripts report a figure: one line on stdout and one JSON line in var/bench/."""

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "var" / "bench" / "results.jsonl"


def machine():
    """A short description of where the figure was measured."""
    return f"{os.cpu_count()} cores, Python {platform.python_version()}"


def report(script, figure, value, unit, **context):
    """Print `figure = value unit (context)` and append it to var/bench/results.jsonl."""
    details = ", ".join(f"{key}={val}" for key, val in context.items())
    print(f"{figure}: {value:,.2f} {unit}  ({details}; {machine()})", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "script": script,
        "figure": figure,
        "value": round(value, 3),
        "unit": unit,
        "cores": os.cpu_count(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **context,
    }
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(json.dumps(line, ensure_ascii=False) + "\n")
